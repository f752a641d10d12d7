from django.conf import settings

from gridgov.core.navigation import nav_items_for
from gridgov.core.permissions import capabilities_of


def gridgov(request):
    user = getattr(request, "user", None)
    capabilities = {str(c) for c in capabilities_of(user)} if user is not None else set()
    return {
        "site_name": settings.GRIDGOV_SITE_NAME,
        "capabilities": capabilities,
        "app_nav_items": nav_items_for(user, capabilities),
    }
