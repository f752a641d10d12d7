"""Import and export of the org-unit tree (mounted at /org/)."""

from django.urls import path

from gridgov.core import org_io_views

urlpatterns = [
    path("import/", org_io_views.org_import, name="org-import"),
    path("export/", org_io_views.org_export, name="org-export"),
]
