"""The unread-notification count in the main navigation.

Add `"gridgov.events.context_processors.notifications"` to the template context processors
*after* `gridgov.core.context_processors.gridgov`: it hands the layout the same navigation
entries, with the notifications entry's label carrying the count as a badge. The count is
read (one query) only when a page renders the navigation, never for HTMX partials.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

from django.utils.html import format_html
from django.utils.translation import gettext as _

from gridgov.core.navigation import nav_items_for
from gridgov.core.permissions import capabilities_of

NOTIFICATIONS_URL_NAME = "events-notifications"


class UnreadLabel:
    """A navigation label that shows "Notifications" and, if any, the unread count."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from gridgov.events.models import Notification

        return Notification.objects.filter(user=self.user, read_at__isnull=True).count()

    def __str__(self):
        label = _("Notifications")
        if not self.count:
            return format_html("{}", label)
        return format_html('{} <span class="badge nav-badge" title="{}">{}</span>', label,
                           _("unread"), self.count if self.count < 100 else "99+")


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    capabilities = {str(c) for c in capabilities_of(user)}
    label = UnreadLabel(user)
    items = [
        dataclasses.replace(item, label=label) if item.url_name == NOTIFICATIONS_URL_NAME else item
        for item in nav_items_for(user, capabilities)
    ]
    return {"app_nav_items": items, "events_unread": label}
