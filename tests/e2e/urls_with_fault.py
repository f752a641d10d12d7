"""The project's URLs and one view that fails, to show the 500 page in a real browser."""

from django.urls import path

from gridgov.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("a fault the browser test provokes")


urlpatterns = [path("test-fault/", fail), *project_urlpatterns]
