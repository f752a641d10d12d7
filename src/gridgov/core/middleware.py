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
