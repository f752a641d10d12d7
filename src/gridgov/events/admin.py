"""Admin screens for the event loop's configuration: categories with their time limits, the
scoring rules, the working calendar (holiday overrides, office hours) and intake keys.

Changes are audited in the same transaction (Django admin saves inside one). Routing rules
are edited on their own page (`/events/rules/`), which keeps each rule's history.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gridgov.core.admin import CapabilityAdmin
from gridgov.core.audit import audit_record
from gridgov.core.models import HolidayOverride, WorkSchedule
from gridgov.core.permissions import Capability
from gridgov.events.audit_actions import EventAudit
from gridgov.events.models import Category, CategoryLimit, IntakeKey, ScoreRule


class ConfigAdmin(CapabilityAdmin):
    """Visible and editable only with MANAGE_EVENT_CONFIG; every save is audited."""

    capability = Capability.MANAGE_EVENT_CONFIG

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action=EventAudit.CONFIG, obj=obj,
                     org_code=getattr(obj, "org_code", "") or "",
                     changes={"via": "admin", "fields": form.changed_data, "created": not change})


class CategoryLimitInline(admin.TabularInline):
    model = CategoryLimit
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category")  # each row's name reads it


@admin.register(Category)
class CategoryAdmin(ConfigAdmin):
    list_display = ("name", "code", "parent", "fixable_on_site", "is_public", "is_active")
    list_display_links = ("name",)
    list_filter = ("is_active", "is_public", "fixable_on_site")
    search_fields = ("code", "name")
    ordering = ("code",)
    inlines = [CategoryLimitInline]

    def get_readonly_fields(self, request, obj=None):
        # A code is a contract with apps and Open311 clients: it never changes once used.
        return ("code", "parent") if obj else ()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            audit_record(actor=request.user, action=EventAudit.CONFIG, obj=form.instance,
                         changes={"via": "admin", "limits_changed": True})


@admin.register(ScoreRule)
class ScoreRuleAdmin(ConfigAdmin):
    list_display = ("__str__", "yellow_card_points", "red_card_points", "on_time_points")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ScoreRule.objects.exists()


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(ConfigAdmin):
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def has_delete_permission(self, request, obj=None):
        # A wrongly entered day may be removed; deadlines already computed keep their value.
        return self.has_capability(request)


@admin.register(WorkSchedule)
class WorkScheduleAdmin(ConfigAdmin):
    list_display = ("org_code", "morning_start", "morning_end", "afternoon_start", "afternoon_end")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(IntakeKey)
class IntakeKeyAdmin(ConfigAdmin):
    """Keys are made with `gridgov open311_key` / `sensor_key` (the key is shown once there);
    here they can be seen and switched off."""

    list_display = ("name", "kind", "prefix", "org_code", "is_active", "created_at", "last_used_at")
    list_filter = ("kind", "is_active")
    fields = ("name", "kind", "prefix", "org_code", "lat", "lng", "default_category", "is_active",
              "created_at", "last_used_at")
    readonly_fields = ("kind", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False


admin.site.site_header = _("Grid Governance Platform — administration")
