"""Core's own parts of the workbench (core.workbench): the auditor's export holds and
emergency accesses to review, the administrator's role grants waiting for approval."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gridgov.core.permissions import Capability, has_capability
from gridgov.core.workbench import Urgency, WorkItem, url_with


def review_items(user) -> list[WorkItem]:
    """Exports on hold (a fixed number of queries, see export_holds_for) and emergency
    accesses not yet reviewed (one query)."""
    from gridgov.core import emergency, exports

    items = []
    if has_capability(user, Capability.REVIEW_BULK_EXPORTS):
        items.append(WorkItem("core.export_holds", _("Exports on hold to review"), len(exports.export_holds_for(user)),
                              url_with("export-holds"), Urgency.SOON, Capability.REVIEW_BULK_EXPORTS))
    if has_capability(user, Capability.REVIEW_EMERGENCY_ACCESS):
        items.append(WorkItem("core.emergency_reviews", _("Emergency accesses to review"),
                              emergency.review_queue(user).count(), url_with("emergency-reviews"), Urgency.SOON,
                              Capability.REVIEW_EMERGENCY_ACCESS))
    return items


def admin_items(user) -> list[WorkItem]:
    """Role grants waiting for a second administrator (one query)."""
    from gridgov.core.account_selectors import role_grants_visible_to

    return [WorkItem("core.role_grants", _("Role grants awaiting approval"), role_grants_visible_to(user).count(),
                     url_with("role-grants"), Urgency.SOON, Capability.MANAGE_USERS)]
