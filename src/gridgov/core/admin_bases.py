"""The bases of the admin screens (`core/admin.py`, and each app's `admin.py`): a table
scoped to the user's area, and an app's settings open only to holders of a capability.
`gridgov.core.admin` imports both, so `from gridgov.core.admin import CapabilityAdmin` works."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core.audit import audit_record
from gridgov.core.permissions import Capability, has_capability, in_scope
from gridgov.core.querysets import area_q, filter_q


class ScopedAdmin(admin.ModelAdmin):
    """Lists rows whose `scope_field` lies in the user's subtree; writes must stay there."""

    scope_field = "org_code"
    show_full_result_count = False

    def get_queryset(self, request):
        return filter_q(super().get_queryset(request), area_q(request.user, self.scope_field))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user
        field = self.scope_field

        class ScopedForm(form):
            def clean(self):
                data = super().clean()
                if field in self.fields and field in data:
                    if not in_scope(user, data.get(field) or ""):
                        self.add_error(field, _("This lies outside your area."))
                return data

        return ScopedForm

    def _audit(self, request, obj, action, org_code, changes):
        audit_record(actor=request.user, action=action, obj=obj, org_code=org_code,
                     changes={"via": "admin", **changes})


class CapabilityAdmin(admin.ModelAdmin):
    """An app's settings in the admin: shown, added and changed only by holders of
    `capability` (`core.permissions`), whatever Django permissions the account has; nothing
    is deleted here. An app's admin sets `capability` and keeps its own save (audited or
    through its service)."""

    capability: Capability

    def has_capability(self, request) -> bool:
        return has_capability(request.user, self.capability)

    def has_module_permission(self, request):
        return self.has_capability(request)

    def has_view_permission(self, request, obj=None):
        return self.has_capability(request)

    def has_change_permission(self, request, obj=None):
        return self.has_capability(request)

    def has_add_permission(self, request):
        return self.has_capability(request)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyCapabilityAdmin(CapabilityAdmin):
    """A log in the admin (audit entries, deliveries): read by holders of `capability` and by
    superusers, never added to, changed or deleted here, and without bulk actions."""

    def has_capability(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or has_capability(user, self.capability))

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def get_actions(self, request):
        return {}
