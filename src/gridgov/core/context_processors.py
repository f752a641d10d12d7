from django.conf import settings
from django.utils.functional import SimpleLazyObject

from gridgov.core.navigation import nav_items_for
from gridgov.core.permissions import capabilities_of


def capabilities_and_menu(request) -> tuple[set[str], list]:
    """The user's capabilities (as strings) and menu entries, worked out once a request
    (both context processors need them)."""
    found = getattr(request, "_gridgov_menu", None)
    if found is None:
        user = getattr(request, "user", None)
        capabilities = {str(c) for c in capabilities_of(user)} if user is not None else set()
        found = request._gridgov_menu = (capabilities, nav_items_for(user, capabilities))
    return found


def gridgov(request):
    capabilities, items = capabilities_and_menu(request)
    return {
        "site_name": settings.GRIDGOV_SITE_NAME,
        "capabilities": capabilities,
        "app_nav_items": items,
        "chrome": SimpleLazyObject(lambda: _chrome(request)),
    }


def _chrome(request):
    from gridgov.core.chrome import Chrome

    # The notifications' processor, after this one, puts the unread badge on its entry.
    items = getattr(request, "_gridgov_menu_with_badge", None) or capabilities_and_menu(request)[1]
    match = getattr(request, "resolver_match", None)
    return Chrome(items, match.url_name if match else "")
