"""A brief database outage answers 503, clearly, and the app recovers by itself.

When the database cannot be reached (restarted, failed over, a connection cut), a request
gets a 503 with `Retry-After`: the API in the CONTRACTS error shape with the code
`database_unavailable`, a page as a short HTML page, never the 500 page. The connection
that failed is closed, so the next request opens a new one (and `CONN_HEALTH_CHECKS`
replaces a pooled connection that died between requests): once the database is back, the
app is too, without a restart.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gridgov.core.api_errors import error_body
from gridgov.core.request_log import route_of

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_OUTAGE_ERRORS = (OperationalError, InterfaceError)
_API_PREFIXES = ("/api/", "/open311/")
_MARK = "_gridgov_database_outage"


def is_outage(exc: BaseException | None) -> bool:
    # Only errors of reaching the database: a lock timeout or a serialization failure is an
    # OperationalError too on some backends, but the connection itself is then still usable.
    while exc is not None:
        if isinstance(exc, _OUTAGE_ERRORS) and _connection_unusable(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _connection_unusable(exc: BaseException) -> bool:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.is_usable():
            return True
    # No connection object to ask (it was never opened): a failure to connect.
    return not connections.all(initialized_only=True) or isinstance(exc, InterfaceError)


def _drop_broken_connections() -> None:
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            # The request's own atomic block unwinds first; Django closes it afterwards.
            conn.needs_rollback = True
            continue
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - the connection is dead; closing may fail too
            conn.connection = None


def outage_response(request) -> HttpResponse:
    message = _("The database cannot be reached just now. Please try again in a minute.")
    if request.path.startswith(_API_PREFIXES):
        response = JsonResponse(error_body("database_unavailable", message), status=503)
    else:
        # No request context: context processors would query the database that is down.
        response = HttpResponse(
            render_to_string("core/outage.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Outermost but SecurityMiddleware: turns a lost database into a 503 for every layer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # An outage inside another middleware (e.g. saving the session) reaches here as the
        # 500 response Django made of it; the signal below has marked the request.
        if response.status_code == 500 and getattr(request, _MARK, False):
            return outage_response(request)
        return response

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        # The URL pattern, not the path: paths carry tokens and usernames (core.request_log).
        logger.warning("Database unavailable for %s %s: %s", request.method, route_of(request), exception)
        _drop_broken_connections()
        # The middleware the response passes through must not ask the database who this is.
        request.user = AnonymousUser()
        return outage_response(request)


def _mark_outage(sender, request=None, **kwargs):
    import sys

    if request is not None and is_outage(sys.exc_info()[1]):
        setattr(request, _MARK, True)
        _drop_broken_connections()


got_request_exception.connect(_mark_outage, dispatch_uid="gridgov.core.outage")
