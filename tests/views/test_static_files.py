"""The pages' CSS and JavaScript, and the vendored Leaflet, are found by the static finders."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.parametrize("path", [
    "gridgov/css/app.css",
    "gridgov/js/app.js",
    "gridgov/js/orgmap.js",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/leaflet-1.9.4/leaflet.css",
    "django_htmx/htmx-2.min.js",
])
def test_static_file_is_found(path):
    assert finders.find(path), f"{path} is not found: settings need STATICFILES_DIRS = [PACKAGE_DIR / 'static']"
