"""The operators' view of notification deliveries in the admin (`/admin/core/delivery/`).

Read-only: a delivery is written by `notify` and the sending task, never by hand. The list
shows what an operator needs to see whether e-mail and SMS get through — kind, channel,
status, the masked address, attempts, the last error, when — and never the address itself
nor the words sent (which may name a person): the encrypted address is not even read, and
a phone number or e-mail address inside a gateway's error message is masked. Open to
superusers and to account administrators (`MANAGE_USERS`, who fix a user's contact), each
seeing the deliveries of their own area (`org_code` in their scope).
"""

from __future__ import annotations

import re

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core import masking
from gridgov.core.admin_bases import ReadOnlyCapabilityAdmin, ScopedAdmin
from gridgov.core.models_notifications import Delivery
from gridgov.core.notifications.kinds import kind_of
from gridgov.core.permissions import Capability

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")


def _mask_email(match: re.Match) -> str:
    local, _at, domain = match.group(0).partition("@")
    return (local[:1] + "***@" + domain) if local else "***@" + domain


def scrub_error(text: str) -> str:
    """A gateway's error message with every e-mail address and mobile number in it masked."""
    text = _EMAIL.sub(_mask_email, text or "")
    return _PHONE.sub(lambda m: masking.mask_phone(m.group(0)[-11:]), text)


@admin.register(Delivery)
class DeliveryAdmin(ScopedAdmin, ReadOnlyCapabilityAdmin):
    capability = Capability.MANAGE_USERS
    list_display = ("created_at", "kind_text", "channel", "status", "address_masked", "attempts", "error_text",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "kind")
    search_fields = ("=kind", "^org_code")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("created_at", "kind_text", "channel", "status", "address_masked", "org_code", "attempts",
              "error_text", "next_attempt_at", "sent_at", "notification_id")
    readonly_fields = fields
    list_per_page = 50

    def get_queryset(self, request):
        # The encrypted address, the words and the subject are not even loaded.
        return super().get_queryset(request).defer("address", "text", "subject")

    @admin.display(description=_("kind"), ordering="kind")
    def kind_text(self, obj):
        return kind_of(obj.kind).label

    @admin.display(description=_("last error"))
    def error_text(self, obj):
        return scrub_error(obj.last_error) or "—"
