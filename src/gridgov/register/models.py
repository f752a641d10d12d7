"""The grid's base register: buildings and their units, households and their members,
places (shops, schools, day-care centres…), update rounds with sign-off, and the history of
every field change.

It holds only the facts a grid needs to serve households, by design (DESIGN.md, Scope).
"""

from __future__ import annotations

import re
import unicodedata

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core import crypto
from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import AncestorScopedQuerySet, Person, PrefixIndex, ScopedQuerySet, User
from gridgov.register.querysets import ProposedEditQuerySet


# masking (issue 10): register addresses are encrypted at rest (they say where named people
# live); an HMAC of the normalised text ("blind index") finds one by its exact wording.
def normalize_address(value: str) -> str:
    """Full-width characters folded (NFKC) and every space dropped: `和平路 9 号` = `和平路９号`."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def address_index(value: str) -> str:
    return crypto.blind_index("address", normalize_address(value))


class _AddressIndexed(models.Model):
    """Keeps `address_index` in step with `address` on every save. Code that writes rows
    without `save()` (bulk_create, update) sets it with `address_index()` itself."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.address_index = address_index(self.address)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "address" in update_fields:
            kwargs["update_fields"] = {*update_fields, "address_index"}
        super().save(*args, **kwargs)


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    SHOP = "shop", _("Shop")
    MIXED = "mixed", _("Mixed use")
    PUBLIC = "public", _("Public")


class Building(_AddressIndexed):
    org_code = models.CharField(_("grid cell"), max_length=15)
    name = models.CharField(_("name"), max_length=100, blank=True)
    address = EncryptedTextField(_("address"))
    address_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    use = models.CharField(_("use"), max_length=12, choices=BuildingUse.choices)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    is_rental = models.BooleanField(_("rented out"), default=False)
    landlord = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("landlord"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["id"]
        indexes = [PrefixIndex(fields=["org_code"], name="register_building_org_prefix")]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_rental=False) | Q(landlord__isnull=False),
                name="register_building_rental_has_landlord",
            ),
        ]

    def __str__(self) -> str:
        return self.address


class BuildingUnit(models.Model):
    """A unit or room of a building (e.g. 2单元301室)."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units")
    label = models.CharField(_("unit"), max_length=50)

    class Meta:
        verbose_name = _("building unit")
        verbose_name_plural = _("building units")
        ordering = ["building_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["building", "label"], name="register_unit_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class Household(_AddressIndexed):
    org_code = models.CharField(_("grid cell"), max_length=15)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="households",
        verbose_name=_("building"),
    )
    unit = models.ForeignKey(
        BuildingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="households",
        verbose_name=_("unit"),
    )
    address = EncryptedTextField(_("address"))
    address_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="register_household_org_prefix"),
            # The one table's keyset order (issue 12): a village's page or export chunk is a range
            # of this index, not a sort of the village.
            models.Index(fields=["org_code", "id"], name="register_household_one_table",
                         condition=models.Q(dissolved_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.address


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related (tenant, lodger)")


class ResidenceType(models.TextChoices):
    REGISTERED_HERE = "registered_here", _("Registered and living here")
    REGISTERED_AWAY = "registered_away", _("Registered here, living elsewhere")
    MOVED_IN = "moved_in", _("Moved in from elsewhere")


class LeaveReason(models.TextChoices):
    MOVED_OUT = "moved_out", _("Moved out")
    DIED = "died", _("Died")
    MERGED = "merged", _("Duplicate record merged")
    CORRECTION = "correction", _("Recorded by mistake")


class Membership(models.Model):
    """A person's membership of a household over a period; the current one has no end."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices
    )
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    leave_reason = models.CharField(
        pgettext_lazy("leaving a household", "reason for leaving"), max_length=12, choices=LeaveReason.choices, blank=True
    )
    is_current = models.BooleanField(default=True, editable=False)
    org_code = models.CharField(max_length=15, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "id"]
        indexes = [PrefixIndex(fields=["org_code"], name="register_member_org_prefix")]
        constraints = [
            # A person belongs to at most one current household.
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_current=True), name="register_one_current_household"
            ),
            models.CheckConstraint(
                condition=Q(is_current=True, moved_out_on__isnull=True)
                | Q(is_current=False, moved_out_on__isnull=False),
                name="register_member_current_iff_no_end",
            ),
        ]


class PlaceKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    RESTAURANT = "restaurant", _("Restaurant")
    SMALL_VENUE = "small_venue", _("Small venue (hotel, karaoke, internet café)")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    CLINIC = "clinic", _("Clinic")
    ELDERLY_DAYCARE = "elderly_daycare", _("Elderly day-care centre")
    TRANSITIONAL_BASE = "transitional_base", _("Transitional support base")
    WORKSHOP = "workshop", _("Workshop or factory")
    OTHER = "other", _("Other")


class Place(models.Model):
    org_code = models.CharField(_("grid cell"), max_length=15)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="places",
        verbose_name=_("building"),
    )
    address = EncryptedTextField(_("address"), blank=True)
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    responsible_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("responsible person"),
    )
    contact_phone = EncryptedTextField(_("contact phone"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["id"]
        indexes = [PrefixIndex(fields=["org_code"], name="register_place_org_prefix")]

    def __str__(self) -> str:
        return self.name


class ChangeSource(models.TextChoices):
    EDIT = "edit", _("Direct edit")
    ROUND = "round", _("Update round (signed off)")
    IMPORT = "import", _("Import")
    MERGE = "merge", _("Merge of duplicates")


class FieldChange(models.Model):
    """One field's change on a register record: nothing is overwritten without a trace.

    Values are encrypted because a change may concern a phone number or an address.
    """

    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    field = models.CharField(max_length=40)
    old_value = EncryptedTextField(blank=True)
    new_value = EncryptedTextField(blank=True)
    source = models.CharField(max_length=10, choices=ChangeSource.choices)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    org_code = models.CharField(max_length=15)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="register_change_object")]


class RoundKind(models.TextChoices):
    HOUSEHOLDS = "households", _("Register update (households)")
    PLACES = "places", _("Inspection of places")


class UpdateRound(models.Model):
    """A periodic round in which grid workers check every household of an area, or (kind
    `places`) inspect every open place of it (register.inspection_models)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("update round status", "Open")
        CLOSED = "closed", pgettext_lazy("update round status", "Closed")

    org_code = models.CharField(_("area"), max_length=15)
    kind = models.CharField(_("kind of round"), max_length=10, choices=RoundKind.choices,
                            default=RoundKind.HOUSEHOLDS)
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AncestorScopedQuerySet.as_manager()  # seen from the cells below it too

    class Meta:
        verbose_name = _("update round")
        verbose_name_plural = _("update rounds")
        ordering = ["-starts_on", "-id"]
        constraints = [
            # the database's own guard behind the locked check of register.rounds._create_round
            models.UniqueConstraint(fields=["org_code", "kind"], condition=models.Q(status="open"),
                                    name="register_one_open_round_per_area_and_kind"),
        ]


class RoundSchedule(models.Model):
    """How often rounds open for an area (half-monthly by default)."""

    org_code = models.CharField(_("area"), max_length=15, unique=True)
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=15)
    days_to_complete = models.PositiveSmallIntegerField(_("days to complete"), default=10)
    last_opened_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("round schedule")
        verbose_name_plural = _("round schedules")


class ChecklistItem(models.Model):
    """One household on a grid worker's checklist in a round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To check")
        UNCHANGED = "unchanged", _("Checked, no change")
        PROPOSED = "proposed", _("Changes awaiting sign-off")
        SIGNED_OFF = "signed_off", _("Changes signed off")
        RETURNED = "returned", _("Changes returned")

    round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="checklist_items"
    )
    org_code = models.CharField(max_length=15)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["round_id", "org_code", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="register_item_once_per_round"),
        ]
        indexes = [
            PrefixIndex(fields=["org_code"], name="register_item_org_prefix"),
            models.Index(fields=["assignee", "status"], name="register_item_assignee"),
        ]


class ProposedEdit(models.Model):
    """A change a grid worker proposes in a round; applied only when a screener signs off."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", pgettext_lazy("proposed edit status", "Approved")
        REJECTED = "rejected", pgettext_lazy("proposed edit status", "Returned")

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="edits")
    kind = models.CharField(max_length=20)  # see register.rounds.EDIT_KINDS
    target_id = models.BigIntegerField(null=True, blank=True)
    payload = EncryptedTextField()  # JSON of the proposed values; may hold a phone or ID
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    objects = ProposedEditQuerySet.as_manager()  # scoped by its checklist item's code

    class Meta:
        verbose_name = _("proposed edit")
        verbose_name_plural = _("proposed edits")
        ordering = ["id"]


# --- inspection rounds of places (issue 11 §C): own module, same app ---------------------------

from gridgov.register.inspection_models import (  # noqa: E402, F401
    AnswerResult,
    InspectionAnswer,
    InspectionQuestion,
    PlaceInspection,
)
