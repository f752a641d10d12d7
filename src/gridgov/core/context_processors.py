from django.conf import settings

from gridgov.core.permissions import capabilities_of


def gridgov(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.GRIDGOV_SITE_NAME,
        "capabilities": {str(c) for c in capabilities_of(user)} if user is not None else set(),
    }
