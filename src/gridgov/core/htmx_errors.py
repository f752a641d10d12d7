"""Errors in place for HTMX requests (issue 11).

A fragment request whose session has expired is redirected to the sign-in page; HTMX would
follow the redirect and swap the whole sign-in page into the fragment's target. Instead the
browser is sent to the sign-in page as a whole (`HX-Redirect`), coming back afterwards to
the page the user was on, not to the fragment's URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


class HtmxSignInRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or response.status_code not in (301, 302, 303):
            return response
        login_path = resolve_url(settings.LOGIN_URL)
        location = response.get("Location", "")
        if urlsplit(location).path != login_path:
            return response
        current = request.htmx.current_url or ""
        back = ""
        if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()},
                                                       require_https=request.is_secure()):
            parts = urlsplit(current)
            back = parts.path + (f"?{parts.query}" if parts.query else "")
        redirect = HttpResponse(status=204)
        redirect["HX-Redirect"] = login_path + (f"?{urlencode({REDIRECT_FIELD_NAME: back})}" if back else "")
        return redirect
