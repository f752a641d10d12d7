from gridgov.core import request_context


class RequestContextMiddleware:
    """Makes the client address available to the audit log for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR is the proxy's address behind a load balancer; deployments that
        # need the client's put a trusted proxy in front that sets REMOTE_ADDR.
        token = request_context.set_ip(request.META.get("REMOTE_ADDR", ""))
        try:
            return self.get_response(request)
        finally:
            request_context.reset_ip(token)


PRIVATE_CACHE_CONTROL = "no-store, private"


class PrivateCacheMiddleware:
    """Nothing shown to a signed-in user is kept by a browser, a proxy or a shared cache.

    Nearly every page and API answer of a signed-in user lists personal data, so the rule
    is set once here rather than per view (a view that forgets would leak into caches).
    A view that sets its own Cache-Control keeps it. The user is read after the view has
    run, so that an API token (which DRF authenticates inside the view) counts too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        return response
