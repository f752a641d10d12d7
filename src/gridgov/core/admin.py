"""The Django admin for core tables, scoped like the rest of the product.

Every list is limited to the signed-in user's scope (an empty scope sees nothing),
writes must stay inside that scope, and each write made here is added to the audit log.
People are read-only here: their encrypted fields are shown masked and are changed only
through the app's services. Audit entries are read-only for auditors and superusers.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.auth import logout
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridgov.core import account_services, audit_labels, audit_presenters, masking, otp, selectors
from gridgov.core.admin_bases import (  # noqa: F401 (apps import them from here)
    CapabilityAdmin,
    ReadOnlyCapabilityAdmin,
    ScopedAdmin,
)
from gridgov.core.admin_i18n import audit_changes_in_words, third_party_admin_setup
from gridgov.core.audit import AuditAction, chain_label, display_label
from gridgov.core.exceptions import DomainError
from gridgov.core.models import (
    AuditEntry,
    Department,
    DepartmentKind,
    GridAssignment,
    OrgLevel,
    OrgUnit,
    Person,
    Role,
    RoleGrantRequest,
    RoleGrantStatus,
    User,
)
from gridgov.core.permissions import Capability, has_capability, role_is_sensitive
from gridgov.core.querysets import area_q, filter_q

# --- Org units ----------------------------------------------------------------------


@admin.register(OrgUnit)
class OrgUnitAdmin(ScopedAdmin):
    scope_field = "code"
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    ordering = ("code",)
    list_select_related = ("parent",)
    fields = ("code", "name", "level", "parent", "polygon", "centroid_lng", "centroid_lat", "created_at",
              "updated_at")
    readonly_fields = ("code", "level", "parent", "polygon", "centroid_lng", "centroid_lat", "created_at",
                       "updated_at")

    def has_add_permission(self, request):
        # Org units are added by the import page and services, which check the code tree.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, AuditAction.ORG_UNIT_UPDATE, obj.code, {"fields": form.changed_data})


# --- Departments --------------------------------------------------------------------


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "function", "org_code", "parent", "is_active")
    list_display_links = ("name",)
    list_filter = ("kind", "function", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("parent",)
    ordering = ("code",)

    def get_readonly_fields(self, request, obj=None):
        return ("kind",) if obj is None else ("code", "kind", "org_code", "parent")

    def get_fields(self, request, obj=None):
        return ("code", "name", "kind", "function", "org_code", "parent", "phone", "is_active")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = selectors.departments_visible_to(request.user).filter(
                kind=DepartmentKind.DEPARTMENT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.kind = DepartmentKind.STATION if obj.parent_id else DepartmentKind.DEPARTMENT
        super().save_model(request, obj, form, change)
        action = AuditAction.DEPARTMENT_UPDATE if change else AuditAction.DEPARTMENT_CREATE
        self._audit(request, obj, action, obj.org_code, {"fields": form.changed_data})


# --- Users --------------------------------------------------------------------------


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    extra = 0
    raw_id_fields = ("cell",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cell":
            kwargs["queryset"] = filter_q(OrgUnit.objects.filter(level=OrgLevel.GRID), area_q(request.user, "code"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GridUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "display_name", "scope_code")


class GridUserChangeForm(UserChangeForm):
    """Roles are not rows of an inline: they are set through `account_services.user_roles_set`,
    so that a sensitive role only becomes a grant request (superusers included)."""

    roles = forms.MultipleChoiceField(label=_("roles"), choices=Role.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    role_reason = forms.CharField(
        label=_("reason for new roles"), required=False, max_length=1000,
        help_text=_("Roles that see sensitive data take effect only when another administrator approves "
                    "them on the role approvals page. Say why this user needs them."),
    )

    class Meta(UserChangeForm.Meta):
        model = User

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "roles" in self.fields and self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)

    def clean(self):
        data = super().clean()
        if "roles" not in self.fields or self.instance.pk is None:
            return data
        new = set(data.get("roles") or []) - self.instance.roles
        if any(role_is_sensitive(r) for r in new):
            if len((data.get("role_reason") or "").strip()) < account_services.MIN_REASON_LENGTH:
                self.add_error("role_reason", _("Say why this user needs these roles."))
            if RoleGrantRequest.objects.filter(user=self.instance, status=RoleGrantStatus.PENDING).exists():
                self.add_error("roles", _("A request for this user is already waiting for approval."))
        return data


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    scope_field = "scope_code"
    form = GridUserChangeForm
    add_form = GridUserCreationForm
    inlines = (GridAssignmentInline,)
    list_display = ("username", "display_name", "role_names", "scope_code", "department", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "role_rows__role")
    search_fields = ("username", "display_name")
    list_select_related = ("department",)
    raw_id_fields = ("department",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        (_("Area and department"), {"fields": ("scope_code", "department")}),
        (_("Roles"), {"fields": ("roles", "role_reason")}),
        # No Django groups or permissions: gridgov's roles are a closed set in code (core.permissions).
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "display_name", "scope_code", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_rows")

    @admin.display(description=_("roles"))
    def role_names(self, obj):
        labels = dict(Role.choices)
        return "、".join(str(labels.get(row.role, row.role)) for row in obj.role_rows.all()) or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = selectors.departments_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Superuser status and Django permissions are not handed out here (a second
        # superuser is made with `createsuperuser` on the server); roles without
        # MANAGE_USERS cannot be changed either.
        readonly = ["is_superuser", "last_login", "date_joined"]
        if not has_capability(request.user, Capability.MANAGE_USERS):
            readonly += ["roles", "role_reason"]
        return readonly

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditAction.USER_UPDATE if change else AuditAction.USER_CREATE
        fields = [f for f in form.changed_data if f not in ("password", "password1", "password2")]
        if {"password", "password1"} & set(form.changed_data):
            fields.append("password")
        self._audit(request, obj, action, obj.scope_code, {"fields": sorted(fields)})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if any(formset.has_changed() for formset in formsets):
            self._audit(request, user, AuditAction.GRID_ASSIGN, user.scope_code, {
                "grid_cells": sorted(GridAssignment.objects.filter(user=user).values_list("cell_id", flat=True)),
            })
        if change and "roles" in form.cleaned_data and "roles" in form.changed_data:
            try:
                grant = account_services.user_roles_set(actor=request.user, user=user,
                                                        roles=form.cleaned_data["roles"],
                                                        reason=form.cleaned_data.get("role_reason", ""))
            except DomainError as error:
                messages.error(request, error.message)
                return
            if grant is not None:
                messages.warning(request, _(
                    "The roles that see sensitive data wait for another administrator's approval."
                ))


# --- People (read-only, masked) -----------------------------------------------------


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    ordering = ("id",)

    @staticmethod
    def _name_column(request):
        """The name, masked for viewers whose roles may not see names in full."""
        cached = getattr(request, "_gridgov_person_name_column", None)
        if cached is not None:
            return cached
        full = has_capability(request.user, Capability.VIEW_PERSON_NAMES)

        @admin.display(description=_("name"))
        def person_name(obj):
            return obj.name if full else masking.mask_name(obj.name)

        request._gridgov_person_name_column = person_name
        return person_name

    def get_list_display(self, request):
        return ("id", self._name_column(request), "masked_resident_id", "masked_phone", "org_code", "died_on")

    def get_list_display_links(self, request, list_display):
        return ("id",)

    def get_fields(self, request, obj=None):
        return (self._name_column(request), "gender", "masked_birth_date", "masked_resident_id", "masked_phone",
                "masked_address", "org_code", "died_on", "merged_into_number", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_search_fields(self, request):
        return ("name",) if has_capability(request.user, Capability.VIEW_PERSON_NAMES) else ()

    def get_search_results(self, request, queryset, search_term):
        """people search (issue 12): a name through the keyed name index (`core.person_search`,
        as the people page), never a scan of the names; only for those who see names in full
        (for the others there is no search box, and a text changes nothing), and a text shaped
        like a resident ID or phone number matches nobody (`selectors.people_search`)."""
        from gridgov.core.person_search import people_matching_name
        from gridgov.core.selectors import identifier_kind

        term = (search_term or "").strip()
        if not term or not self.get_search_fields(request):
            return queryset, False
        if identifier_kind(term):
            return queryset.none(), False
        return people_matching_name(queryset, term), False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("merged into"))
    def merged_into_number(self, obj):
        return obj.merged_into_id or "—"

    @admin.display(description=_("resident ID number"))
    def masked_resident_id(self, obj):
        return masking.mask_resident_id(obj.resident_id)

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return masking.mask_phone(obj.phone)

    @admin.display(description=_("address"))
    def masked_address(self, obj):
        return masking.mask_address(obj.address)

    @admin.display(description=_("birth date"))
    def masked_birth_date(self, obj):
        return masking.mask_birth_date(obj.birth_date)


# --- Audit log (read-only) ----------------------------------------------------------


class AuditActionFilter(admin.SimpleListFilter):
    """The actions by their labels (`core.audit_labels`), never their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return audit_labels.action_choices()

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyCapabilityAdmin):
    capability = Capability.VIEW_AUDIT
    list_display = ("at", "actor_text", "action_text", "object_type_text", "object_id", "object_label",
                    "area_text", "ip", "purpose_text")
    list_filter = (AuditActionFilter,)
    search_fields = ("=actor_username", "=object_id", "^org_code")
    fields = ("chain_text", "seq", "at", "actor_text", "action_text", "object_type_text", "object_id",
              "object_label", "area_text", "ip", "purpose_text", "changes_text", "prev_hash", "hash")
    readonly_fields = fields
    show_full_result_count = False
    date_hierarchy = None

    def get_changelist_instance(self, request):
        # Names, not codes: the page's actors and places in two queries, whatever its length
        # (core.audit_presenters), kept on the rows (the admin object is shared by all requests).
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        for row in audit_presenters.audit_rows(rows):
            row["entry"].presented = row
        changelist.result_list = rows
        return changelist

    @staticmethod
    def _presented(obj) -> dict:
        if not hasattr(obj, "presented"):
            obj.presented = audit_presenters.audit_rows([obj])[0]
        return obj.presented

    @admin.display(description=_("actor"), ordering="actor_username")
    def actor_text(self, obj):
        return self._presented(obj)["actor_label"]

    @admin.display(description=_("area"), ordering="org_code")
    def area_text(self, obj):
        return self._presented(obj)["org_path"] or "—"

    @admin.display(description=_("chain"))
    def chain_text(self, obj):
        # The stripes of a county's chains, and of the city-wide ones (core.audit.chain_for).
        return chain_label(obj.chain)

    @admin.display(description=_("action"), ordering="action")
    def action_text(self, obj):
        return audit_labels.action_label(obj.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_text(self, obj):
        return audit_labels.object_type_label(obj.object_type) or "—"

    @admin.display(description=_("changes"))
    def changes_text(self, obj):
        # The recorded details in words: known keys and the object's field names by their labels.
        return format_html_join(mark_safe("<br>"), "{}: {}", audit_changes_in_words(obj)) or "—"

    @admin.display(description=_("object"))
    def object_label(self, obj):
        # Person entries carry the name as the actor saw it; auditors see it masked.
        return display_label(obj)

    @admin.display(description=_("purpose"))
    def purpose_text(self, obj):
        # The listed purpose's label and note, never its code (core.purposes).
        return obj.purpose_label

    def get_queryset(self, request):
        if has_capability(request.user, Capability.VIEW_AUDIT):
            return selectors.audit_entries_for(request.user)
        if not request.user.is_superuser:
            return AuditEntry.objects.none()
        return AuditEntry.objects.visible_to(request.user)


# --- accounts (issue 10) -----------------------------------------------------------------
# No API tokens in the admin (gridgov's tokens are stored hashed and have no admin), nor the
# secrets of second-factor devices: whoever could read them could act as their owner.
# No Django groups either: gridgov's roles are a closed set in code, and Django's groups and
# permissions are not used (users get roles, never permissions, through the user page).
for _model in (TOTPDevice, StaticDevice, Group):
    try:
        admin.site.unregister(_model)
    except NotRegistered:
        pass

# The third-party tables the admin shows (sign-in protection, background tasks), in words.
third_party_admin_setup()


def _admin_login(request, extra_context=None):
    """The admin signs in through the product's sign-in page, with its second factor."""
    user = request.user
    if user.is_authenticated and not (user.is_active and user.is_staff):
        raise PermissionDenied  # signed in, but not an administrator: no sign-in loop
    if user.is_authenticated and not user.is_verified():
        if not otp.has_second_factor(user):
            return redirect(f"{reverse('otp-setup')}?next={reverse('admin:index')}")
        logout(request)
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


def _admin_has_permission(request) -> bool:
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.is_verified():
        return True
    # GRIDGOV_ADMIN_OTP: every user of the admin, whatever their roles, needs the second factor.
    return not (settings.GRIDGOV_ADMIN_OTP or otp.must_use_second_factor(user))


admin.site.login = _admin_login
admin.site.has_permission = _admin_has_permission


# The operators' view of notification deliveries (registered on import).
from gridgov.core import admin_notifications  # noqa: E402,F401
