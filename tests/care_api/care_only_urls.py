"""The core and care APIs alone, wired as the project's urls.py does, so that the care
schema is checked without the other apps' endpoints."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from gridgov.core.api_errors import api_not_found

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("gridgov.core.api_urls")),
    path("api/v1/", include("gridgov.care.api_urls")),
    re_path(r"^api/", api_not_found),
]
