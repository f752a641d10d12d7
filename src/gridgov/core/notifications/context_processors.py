"""The unread-notification count in the main navigation.

`"gridgov.core.notifications.context_processors.notifications"` comes *after*
`gridgov.core.context_processors.gridgov` in the template context processors: it hands the
layout the same navigation entries, with the notifications entry's label carrying the count
as a badge. The count is read (one query) only when a page renders the navigation.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

from django.utils.html import format_html
from django.utils.translation import gettext as _

from gridgov.core.context_processors import capabilities_and_menu

NOTIFICATIONS_URL_NAME = "notifications"


class UnreadLabel:
    """A navigation label that shows "Notifications" and, if any, the unread count."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        from gridgov.core.notifications.selectors import unread_count

        return unread_count(self.user)

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
    label = UnreadLabel(user)
    items = [
        dataclasses.replace(item, label=label) if item.url_name == NOTIFICATIONS_URL_NAME else item
        for item in capabilities_and_menu(request)[1]
    ]
    request._gridgov_menu_with_badge = items  # the layout's menu (core.chrome) shows the badge
    return {"app_nav_items": items, "notifications_unread": label}
