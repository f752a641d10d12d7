"""The app's own error pages (issue 11): in Chinese, in the layout, with a way back; and the
demo's setting that shows them with every development fallback kept."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from gridgov.core.models import Role
from tests.factories import Tree, build_tree, make_user


def _boom(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


urlpatterns = [path("boom/", _boom), path("forbidden/", _forbidden), path("", include("gridgov.urls"))]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_the_apps_page_in_chinese():
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert 'class="narrow error-page"' in page and "site-header" in page
    assert "Traceback" not in page and "boom" not in page
    assert 'href="/"' in page  # a way back


@pytest.mark.django_db
def test_not_found_and_forbidden_in_the_layout_with_a_way_back():
    build_tree()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]))
    for url, status in (("/no-such-page/", 404), ("/care/", 403)):
        response = client.get(url)
        assert response.status_code == status
        page = response.content.decode()
        assert "error-page" in page and "site-nav" in page and 'name="viewport"' in page
        assert "返回首页" in page or "Back to the home page" in page


def _settings_of(**env):
    keys = ("GRIDGOV_SECRET_KEY", "GRIDGOV_FIELD_KEY", "GRIDGOV_AUDIT_KEY", "GRIDGOV_DEBUG", "GRIDGOV_OTP",
            "GRIDGOV_APP_ERROR_PAGES", "DJANGO_SETTINGS_MODULE", "GRIDGOV_SSL_REDIRECT", "GRIDGOV_SECURE_COOKIES")
    clean = {k: v for k, v in os.environ.items() if k not in keys}
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", "import gridgov.settings as s; "
         "print(s.DEBUG, s.GRIDGOV_DEVELOPMENT, s.GRIDGOV_OTP, s.SECURE_SSL_REDIRECT)"],
        env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_demo_setting_keeps_development_fallbacks_without_technical_pages():
    assert _settings_of(GRIDGOV_DEBUG="1") == ["True", "True", "off", "False"]
    assert _settings_of(GRIDGOV_DEBUG="1", GRIDGOV_APP_ERROR_PAGES="1") == ["False", "True", "off", "False"]


def test_make_demo_asks_for_the_apps_error_pages_and_serves_static_files():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "GRIDGOV_APP_ERROR_PAGES=1" in makefile and "runserver --insecure" in makefile


@pytest.mark.django_db
def test_an_expired_session_sends_a_fragment_request_to_the_sign_in_page_whole():
    client = Client()
    response = client.get("/pick/org-units/?q=x", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/events/?status=open")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=%2Fevents%2F%3Fstatus%3Dopen"
    # a foreign current URL is not a place to come back to
    response = client.get("/pick/org-units/?q=x", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="https://evil.example/phish")
    assert response["HX-Redirect"] == "/login/"
    # without HTMX, the ordinary redirect
    assert client.get("/pick/org-units/").status_code == 302
