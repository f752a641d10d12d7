"""Core tables: the grid of org units, departments, users and roles, people, audit.

Models hold data and database-level invariants only; writes live in services.py and
reads in selectors.py.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core import orgcodes
from gridgov.core.fields import EncryptedTextField
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.querysets import (  # noqa: F401 (apps import the querysets from here)
    AncestorScopedQuerySet,
    OrgUnitQuerySet,
    ScopedQuerySet,
    area_q,
    scope_of,
)


class OrgLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    VILLAGE = "village", _("Village / community")
    GRID = "grid", _("Grid cell")


# Code length per level: the 12-digit statistical division code (2+2+2+3+3) plus a
# 3-digit grid number, stored unpadded so that every ancestor's code is a prefix.
CODE_LENGTH_BY_LEVEL = {OrgLevel(level): length for level, length in orgcodes.LENGTH_BY_LEVEL.items()}
LEVEL_BY_CODE_LENGTH = {length: level for level, length in CODE_LENGTH_BY_LEVEL.items()}


class PrefixIndex(models.Index):
    """A b-tree index that also serves `LIKE 'prefix%'` on PostgreSQL in any collation."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            self.opclasses = tuple("varchar_pattern_ops" for _ in self.fields)
        else:
            self.opclasses = ()
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.pop("opclasses", None)
        return "gridgov.core.models.PrefixIndex", args, kwargs


class OrgUnit(models.Model):
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=OrgLevel.choices)
    parent = models.ForeignKey(
        "self",
        to_field="code",
        db_column="parent_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # Grid cells only: the boundary as a GeoJSON Polygon geometry (WGS-84), its
    # bounding box for the point-in-cell prefilter, and its centroid.
    polygon = models.JSONField(_("boundary"), null=True, blank=True)
    min_lng = models.FloatField(_("westmost longitude"), null=True, blank=True)
    min_lat = models.FloatField(_("southmost latitude"), null=True, blank=True)
    max_lng = models.FloatField(_("eastmost longitude"), null=True, blank=True)
    max_lat = models.FloatField(_("northmost latitude"), null=True, blank=True)
    centroid_lng = models.FloatField(_("centre longitude"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centre latitude"), null=True, blank=True)
    grid_workers = models.ManyToManyField(
        "User", through="GridAssignment", related_name="grid_cells", blank=True, verbose_name=_("grid workers")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrgUnitQuerySet.as_manager()  # visible_to: the subtree and the units above it

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["code"]
        indexes = [
            PrefixIndex(fields=["code"], name="core_orgunit_code_prefix"),
            models.Index(fields=["level", "min_lng", "max_lng"], name="core_orgunit_bbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(level=OrgLevel.PROVINCE, code__regex=r"^[0-9]{2}$")
                    | models.Q(level=OrgLevel.CITY, code__regex=r"^[0-9]{4}$")
                    | models.Q(level=OrgLevel.COUNTY, code__regex=r"^[0-9]{6}$")
                    | models.Q(level=OrgLevel.TOWNSHIP, code__regex=r"^[0-9]{9}$")
                    | models.Q(level=OrgLevel.VILLAGE, code__regex=r"^[0-9]{12}$")
                    | models.Q(level=OrgLevel.GRID, code__regex=r"^[0-9]{15}$")
                ),
                name="core_orgunit_code_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def org_code(self) -> str:
        return self.code

    @property
    def official_code(self) -> str:
        """The 12-digit statistical code padded with zeros, for display only."""
        return self.code[:12].ljust(12, "0")

    @property
    def is_grid(self) -> bool:
        return self.level == OrgLevel.GRID


class DepartmentKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    STATION = "station", _("Station")


class DepartmentFunction(models.TextChoices):
    MARKET = "market", _("Market regulation")
    HOUSING = "housing", _("Housing and construction")
    FIRE = "fire", _("Fire and rescue")
    HEALTH = "health", _("Health")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    PUBLIC_SECURITY = "public_security", _("Public security")
    JUSTICE = "justice", _("Justice")
    URBAN_MANAGEMENT = "urban_management", _("Urban management")
    EMERGENCY = "emergency", _("Emergency management")
    ECOLOGY = "ecology", _("Ecology and environment")
    WATER = "water", _("Water resources")
    TRANSPORT = "transport", _("Transport")
    EDUCATION = "education", _("Education")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    OTHER = "other", _("Other")


class Department(models.Model):
    """A department of a county (or city), or its local station in a township."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=DepartmentKind.choices)
    function = models.CharField(_("function"), max_length=20, choices=DepartmentFunction.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
        verbose_name=_("parent department"),
    )
    org_code = models.CharField(_("org unit served"), max_length=15)
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AncestorScopedQuerySet.as_manager()  # those of the area and those above it

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        indexes = [PrefixIndex(fields=["org_code"], name="core_department_org_prefix")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=DepartmentKind.DEPARTMENT, parent__isnull=True)
                | models.Q(kind=DepartmentKind.STATION, parent__isnull=False),
                name="core_department_station_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    DISPATCHER = "dispatcher", _("Grid-centre dispatcher")
    GRID_WORKER = "grid_worker", _("Grid worker")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")
    STATION_STAFF = "station_staff", _("Station staff")
    CARE_WORKER = "care_worker", _("Community doctor / social worker")
    MEDIATOR = "mediator", _("Mediator")
    PROGRAM_OFFICER = "program_officer", _("Care-program officer")
    SCREENER = "screener", _("Register screener (grid leader)")
    AUDITOR = "auditor", _("Auditor")
    # care (issue 11): 社区民警, on the care teams the law names; sees only the cases of those teams
    POLICE_LIAISON = "police_liaison", _("Police liaison")


class GridUserManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("role_rows")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    # The root of the org-unit subtree this user sees. Everyone has one; empty means
    # "nothing", never "everything".
    scope_code = models.CharField(_("scope"), max_length=15, blank=True, db_index=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("department or station"),
    )

    objects = GridUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows.all()}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def label(self) -> str:
        return self.display_name or self.username


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_rows")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="core_userrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class GridAssignment(models.Model):
    """A grid worker's responsibility for a grid cell."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grid_assignments",
                             verbose_name=_("user"))
    cell = models.ForeignKey(
        OrgUnit, to_field="code", db_column="cell_code", on_delete=models.CASCADE,
        related_name="assignments", verbose_name=_("grid cell"),
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "cell"], name="core_gridassignment_unique"),
        ]


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """A resident, held once; programs and registers refer to it.

    Resident ID, phone and address are encrypted at rest; the `*_index` columns hold a
    keyed HMAC ("blind index") so that an exact value can be found without decrypting.
    """

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    resident_id = EncryptedTextField(_("resident ID number"))
    resident_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    address = EncryptedTextField(_("address"), blank=True)
    org_code = models.CharField(_("org unit"), max_length=15)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    # A duplicate record merged into another keeps its row (for history) and points here.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_duplicates",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="core_person_org_prefix"),
            models.Index(fields=["name"], name="core_person_name"),
        ]
        constraints = [
            # One live record per resident ID (races issue 10): two concurrent registrations
            # cannot both succeed. Merged records keep their row (and their ID) for history;
            # an empty index (an anonymised record) is no identity at all.
            models.UniqueConstraint(
                fields=["resident_id_index"],
                condition=models.Q(merged_into__isnull=True) & ~models.Q(resident_id_index=""),
                name="core_person_one_live_per_resident_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AuditEntryQuerySet(ScopedQuerySet):
    def visibility(self, user):
        """The entries of the user's subtree; a city-level auditor (scope of 4 digits or
        fewer) also sees the city-wide and system entries, which carry no county."""
        visible = area_q(user)
        scope = scope_of(user)
        if visible is not None and len(scope) <= 4:
            visible |= models.Q(org_code="") | models.Q(org_code__in=ancestor_codes(scope, include_self=True))
        return visible

    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One link of an append-only, hash-chained audit log (one chain per county)."""

    chain = models.CharField(_("chain"), max_length=12)
    seq = models.BigIntegerField(_("sequence"))
    prev_hash = models.CharField(_("previous entry's seal"), max_length=64)
    hash = models.CharField(_("seal"), max_length=64, unique=True)
    at = models.DateTimeField(_("time"))
    # audit (issue 10): actor_id is hashed, so a user who has acted is deactivated, never
    # deleted (SET_NULL would rewrite their entries and break the chain).
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    person_id = models.BigIntegerField(_("person"), null=True, blank=True)
    org_code = models.CharField(_("org unit"), max_length=15, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    # Canonical JSON text (sorted keys), kept as text so that the hashed bytes survive
    # any database's JSON normalisation.
    changes = models.TextField(_("changes"), blank=True, default="{}")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="core_auditentry_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["at"], name="core_audit_at"),
            models.Index(fields=["actor_username", "at"], name="core_audit_actor_at"),
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            models.Index(fields=["person_id", "at"], name="core_audit_person_at"),
            PrefixIndex(fields=["org_code"], name="core_audit_org_prefix"),
        ]

    def __str__(self) -> str:
        # The action in words (core.audit_labels): an auditor never reads its code.
        from gridgov.core.audit import CITY_CHAIN
        from gridgov.core.audit_labels import action_label

        chain = _("city-wide") if self.chain == CITY_CHAIN else self.chain
        return f"{chain}#{self.seq} {action_label(self.action)}"

    @property
    def purpose_label(self) -> str:
        """The purpose as an auditor reads it: the listed purpose's label and the note
        (`core.purposes`), never its code; older free text as it was written."""
        from gridgov.core.purposes import label_of

        return label_of(self.purpose)

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")


class AuditChainHead(models.Model):
    """The last link of each chain; locked while a new entry is appended."""

    chain = models.CharField(max_length=12, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")


class IdempotencyRecord(models.Model):
    """The first response to a submission retried with the same Idempotency-Key."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    # SHA-256 of method, path and body of the first request (races issue 10): the same key
    # with another body is a client bug, answered 409 rather than with the first result.
    request_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="core_idempotency_created")]


class HolidayOverride(models.Model):
    """A day whose status differs from what `chinesecalendar` knows (or for a year it does
    not know yet): entered by an admin when the State Council publishes the schedule."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("workday"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class WorkSchedule(models.Model):
    """An office's working hours; the most specific org code wins."""

    org_code = models.CharField(_("org unit"), max_length=15, unique=True)
    morning_start = models.TimeField(_("morning starts"))
    morning_end = models.TimeField(_("morning ends"))
    afternoon_start = models.TimeField(_("afternoon starts"))
    afternoon_end = models.TimeField(_("afternoon ends"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_start__lt=models.F("morning_end"))
                & models.Q(morning_end__lte=models.F("afternoon_start"))
                & models.Q(afternoon_start__lt=models.F("afternoon_end")),
                name="core_workschedule_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.org_code


# --- rights (issue 10): correction requests (PIPL art. 46) ------------------------------


class CorrectionTarget(models.TextChoices):
    PERSON = "person", _("Personal details")
    HOUSEHOLD = "household", _("Household")
    MEMBERSHIP = "membership", _("Household membership")


class CorrectionEvidence(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card")
    HOUSEHOLD_BOOKLET = "household_booklet", _("Household registration booklet")
    CERTIFICATE = "certificate", _("Certificate or official document")
    STATEMENT = "statement", _("The person's own statement")
    OTHER = "other", _("Other")


class CorrectionRequest(models.Model):
    """A person's request to correct their data, recorded by staff, decided by a second
    person with the right to edit, and applied through the ordinary services.

    The current and requested values and the reason may hold an ID number, a phone or an
    address: they are encrypted. The field names are kept in the clear for the queue.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("correction request status", "Pending")
        APPROVED = "approved", pgettext_lazy("correction request status", "Approved and applied")
        REFUSED = "refused", pgettext_lazy("correction request status", "Refused")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="correction_requests",
                               verbose_name=_("person"))
    org_code = models.CharField(_("org unit"), max_length=15)
    target = models.CharField(_("what is corrected"), max_length=12, choices=CorrectionTarget.choices)
    target_id = models.BigIntegerField(_("record"))
    fields = models.JSONField(_("fields"), default=list)
    current_values = EncryptedTextField(_("values when requested"))
    requested_values = EncryptedTextField(_("requested values"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=CorrectionEvidence.choices)
    reason = EncryptedTextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField(_("answer due by"))
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("recorded by"))
    requested_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = EncryptedTextField(_("reason for the decision"), blank=True)
    applied_fields = models.JSONField(default=list, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["due_on", "id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="core_correction_org_prefix"),
            models.Index(fields=["status", "due_on", "id"], name="core_correction_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="core_correction_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


# --- emergency (issue 10): emergency access, "break the glass" ------------------------------


class EmergencyReason(models.TextChoices):
    """Why a record outside the user's area is needed now. A closed list: the note says the rest."""

    DANGER_TO_LIFE = "danger_to_life", _("Danger to the person's life or safety")
    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    CRISIS_AWAY_FROM_HOME = "crisis_away_from_home", _("Crisis while away from their home area")
    MISSING_PERSON = "missing_person", _("Missing person")
    DISASTER_OR_ACCIDENT = "disaster_or_accident", _("Disaster or accident response")


class EmergencyGrant(models.Model):
    """Time-boxed access of one user to one person's record outside the user's area.

    `org_code` is the person's place when the glass was broken: the grant belongs to that
    county's auditors and officers. The grant is live while `now < expires_at` and it has
    not been ended; every read through it is audited with its id. It waits in the
    auditors' queue until reviewed, whether or not it is still live.
    """

    class Review(models.TextChoices):
        PENDING = "pending", pgettext_lazy("emergency access review", "Waiting for review")
        JUSTIFIED = "justified", pgettext_lazy("emergency access review", "Justified")
        NOT_JUSTIFIED = "not_justified", pgettext_lazy("emergency access review", "Not justified")

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_grants",
                             verbose_name=_("user"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    org_code = models.CharField(_("org unit"), max_length=15)
    reason = models.CharField(_("reason"), max_length=30, choices=EmergencyReason.choices)
    # Free text that may describe someone's health or situation: encrypted like the identity fields.
    note = EncryptedTextField(_("note"))
    care_details = models.BooleanField(_("includes care records"), default=False)
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    review = models.CharField(_("review"), max_length=15, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "person", "expires_at"], name="core_emergency_live"),
            models.Index(fields=["review", "granted_at", "id"], name="core_emergency_queue"),
            PrefixIndex(fields=["org_code"], name="core_emergency_org_prefix"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")),
                                   name="core_emergency_expires_after_grant"),
            models.CheckConstraint(
                condition=models.Q(review="pending", reviewed_at__isnull=True, reviewed_by__isnull=True)
                | (~models.Q(review="pending") & models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False)),
                name="core_emergency_reviewed_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


# --- accounts (issue 10): API tokens and role grants that need a second administrator ----


class ApiToken(models.Model):
    """An API token, stored as the SHA-256 of its secret: the database never holds a token
    that could be replayed. `prefix` is public (shown in lists and the audit log) and finds
    the row; one user may hold several, one per device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(_("token id"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    device = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    last_used_at = models.DateTimeField(_("last used at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="core_apitoken_user_live")]

    def __str__(self) -> str:
        return self.prefix


class RoleGrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class RoleGrantRequest(models.Model):
    """A request to give `user` roles that see sensitive data. It takes effect only when a
    second administrator, neither the requester nor the user, approves it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grant_requests",
                             verbose_name=_("user"))
    roles = models.JSONField(_("roles"), default=list)
    reason = models.TextField(_("reason"))
    org_code = models.CharField(_("scope"), max_length=15)
    status = models.CharField(_("status"), max_length=10, choices=RoleGrantStatus.choices,
                              default=RoleGrantStatus.PENDING)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant request")
        verbose_name_plural = _("role grant requests")
        ordering = ["requested_at", "id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="core_rolegrant_org_prefix"),
            models.Index(fields=["status", "requested_at", "id"], name="core_rolegrant_queue"),
        ]
        constraints = [
            # The second pair of eyes, held by the database too.
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="core_rolegrant_not_own_request",
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("user")),
                name="core_rolegrant_not_own_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="core_rolegrant_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


# notify (issue 11): notifications, their deliveries and each user's preferences
from gridgov.core.models_notifications import (  # noqa: E402,F401
    Delivery,
    Notification,
    NotificationContact,
    NotificationPreference,
)
