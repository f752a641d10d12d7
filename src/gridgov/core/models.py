"""Core tables: the grid of org units, departments, users and roles, people; the audit log,
accounts, the working calendar and rights in the sibling `models_*` modules.

Models hold data and database-level invariants only; writes live in services.py and
reads in selectors.py.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core import orgcodes
from gridgov.core.fields import EncryptedTextField
from gridgov.core.indexes import PrefixIndex  # noqa: F401 (apps and migrations name it here)
from gridgov.core.querysets import (  # noqa: F401 (apps import the querysets from here)
    AncestorScopedQuerySet,
    OrgUnitQuerySet,
    ScopedQuerySet,
    UserQuerySet,
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
    # mediation (issue 13): 司法所 — supervises the people's mediation of the township
    JUSTICE_OFFICER = "justice_officer", _("Justice-bureau officer")
    # participation (issue 14): keeps a village's points bank (its rules, shop and redemptions)
    BANK_KEEPER = "bank_keeper", _("Points-bank keeper")
    # participation (issue 14): a resident volunteer (shifts, own hours) and who organises them
    VOLUNTEER = "volunteer", _("Volunteer")
    VOLUNTEER_ORGANISER = "volunteer_organiser", _("Volunteer organiser")


class GridUserManager(UserManager.from_queryset(UserQuerySet)):  # visible_to: accounts of the area
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


# The other tables of core live in sibling modules (no module over ~500 lines); they are
# imported here so that the app registry loads them and `from gridgov.core.models import X`
# keeps working for every model.
from gridgov.core.models_accounts import (  # noqa: E402,F401
    ApiToken,
    IdempotencyRecord,
    RoleGrantRequest,
    RoleGrantStatus,
)
from gridgov.core.models_audit import AuditChainHead, AuditEntry, AuditEntryQuerySet  # noqa: E402,F401
from gridgov.core.models_calendar import HolidayOverride, WorkSchedule  # noqa: E402,F401

# background exports (issue 12): large files prepared by a worker
from gridgov.core.models_exports import ExportJob, ExportStatus  # noqa: E402,F401

# notify (issue 11): notifications, their deliveries and each user's preferences
from gridgov.core.models_notifications import (  # noqa: E402,F401
    Delivery,
    Notification,
    NotificationContact,
    NotificationPreference,
)

# people search (issue 12): the keyed index of name pieces
from gridgov.core.models_people_search import PersonNameToken  # noqa: E402,F401
from gridgov.core.models_rights import (  # noqa: E402,F401
    CorrectionEvidence,
    CorrectionRequest,
    CorrectionTarget,
    EmergencyGrant,
    EmergencyReason,
)
