"""Only the core app's API, wired as the project's urls.py should end: unknown /api/ paths
answer in the JSON error shape."""

from django.urls import include, path, re_path

from gridgov.core.api_errors import api_not_found

urlpatterns = [
    path("api/v1/", include("gridgov.core.api_urls")),
    re_path(r"^api/", api_not_found),
]
