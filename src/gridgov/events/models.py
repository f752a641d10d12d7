"""Tables of the grid event loop: categories and their limits, routing rules, events and
their timeline, photos, extensions, supervision, notifications, intake keys.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import Department, PrefixIndex, ScopedQuerySet, User
from gridgov.events.indexes import BrinOnPostgresIndex
from gridgov.events.querysets import EventQuerySet, RoutingRuleQuerySet
from gridgov.events.workflow import OPEN_STATUSES, Status

# The open statuses, in the one spelling that the partial indexes and the queries share (the
# planner uses a partial index only when the query's condition implies the index's).
OPEN_STATUS_LIST = sorted(OPEN_STATUSES)
OPEN_Q = Q(status__in=OPEN_STATUS_LIST)


class Urgency(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Step(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    ACCEPT = "accept", _("Accept")
    HANDLE = "handle", _("Handle")
    VERIFY = "verify", _("Verify")


class Category(models.Model):
    """domain → category → sub-category; the code is a dotted path (`food.unlicensed`)."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", to_field="code", db_column="parent_code", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children", verbose_name=_("parent"),
    )
    description = models.TextField(_("description"), blank=True)
    # A grid worker may fix events of this category on the spot and close them directly.
    fixable_on_site = models.BooleanField(_("can be fixed on site"), default=False)
    is_public = models.BooleanField(_("residents may report it"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


class CategoryLimit(models.Model):
    """Working-hour limits of each step for one category at one urgency."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="limits",
                                 verbose_name=_("category"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    dispatch_hours = models.DecimalField(_("dispatch within (working hours)"), max_digits=6, decimal_places=2)
    accept_hours = models.DecimalField(_("accept within (working hours)"), max_digits=6, decimal_places=2)
    handle_hours = models.DecimalField(_("handle within (working hours)"), max_digits=6, decimal_places=2)
    verify_hours = models.DecimalField(_("verify within (working hours)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("category time limit")
        verbose_name_plural = _("category time limits")
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="events_limit_unique"),
            models.CheckConstraint(
                condition=Q(dispatch_hours__gt=0, accept_hours__gt=0, handle_hours__gt=0, verify_hours__gt=0),
                name="events_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return _("%(category)s, %(urgency)s") % {"category": self.category.name,
                                                  "urgency": self.get_urgency_display()}

    def hours_for(self, step: str):
        return getattr(self, f"{step}_hours")


class RoutingRule(models.Model):
    """(category, org-unit subtree) → responsible department. The most specific rule wins:
    the deepest category, then the longest org prefix. Rules are never edited in place: a
    change ends the old rule and starts a new one, so the history stays."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="routing_rules")
    org_prefix = models.CharField(_("area (org code)"), max_length=15)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department"))
    # Hand the event on to the department's station serving the event's township, if any.
    to_local_station = models.BooleanField(_("hand on to the local station"), default=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category__code", "org_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "org_prefix"], condition=Q(is_active=True), name="events_one_active_rule",
            ),
        ]


class Channel(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    RESIDENT = "resident", _("Resident (web)")
    OPEN311 = "open311", _("Open311 app")
    HOTLINE = "hotline", _("Hotline")
    SENSOR = "sensor", _("Sensor")


class Event(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="events",
                                 verbose_name=_("category"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED)
    org_code = models.CharField(_("grid cell"), max_length=15)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The shop, school or day-care centre the event concerns (e.g. a fire-safety inspection).
    place = models.ForeignKey("register.Place", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="events", verbose_name=_("place"))
    reporter = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_events")
    # A resident's or caller's contact, for telling them the outcome; never public.
    reporter_name = EncryptedTextField(blank=True)
    reporter_contact = EncryptedTextField(blank=True)
    # Lets a resident follow and rate the event without an account.
    public_token = models.CharField(max_length=40, unique=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="events", verbose_name=_("responsible unit"))
    owner_department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="owned_events", verbose_name=_("department"))
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="duplicates")
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The running step: when it started and its deadline (stored, computed once).
    step = models.CharField(max_length=10, choices=Step.choices, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True)
    step_deadline = models.DateTimeField(null=True, blank=True)
    # Each step's deadline as computed when it started (JSON: step → ISO time), for history.
    deadlines = models.JSONField(default=dict)
    handle_deadline = models.DateTimeField(null=True, blank=True)  # the indicator's 应结案 date
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_on_time = models.BooleanField(null=True)
    rework_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)
    return_count = models.PositiveSmallIntegerField(default=0)
    supervision_level = models.CharField(max_length=15, blank=True)  # org code of the supervising level
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Working hours the unit took to accept and (last) to handle, for cards and scores.
    accept_hours_used = models.FloatField(null=True, blank=True)
    handle_hours_used = models.FloatField(null=True, blank=True)
    # The reporter's own verdict (a resident following the event by its public link).
    reporter_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    resolved_on_site = models.BooleanField(default=False)
    # What the after-commit follow-up (events.tasks.after_intake) still owes: the notice
    # (`dispatched` or `new_event`, with the photos' copies) or only the copies (`photos`);
    # blank once done. The sweep (events.tasks.sweep_missed_follow_ups) finds the events whose
    # task was never enqueued, e.g. when the process died between the commit and the queue.
    follow_up_pending = models.CharField(max_length=12, blank=True, default="", db_default="")

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="events_event_org_prefix"),
            models.Index(fields=["status", "step_deadline"], name="events_event_status_deadline"),
            models.Index(fields=["department", "status"], name="events_event_dept_status"),
            models.Index(fields=["owner_department", "status"], name="events_event_owner_status"),
            models.Index(fields=["category", "status"], name="events_event_cat_status"),
            models.Index(fields=["reporter", "created_at"], name="events_event_reporter"),
            # Lists (issue 12, events/0006): each filter with the list's keyset order after it
            # (EventFilters.order), so that a page is the first rows of one index range.
            models.Index(fields=["created_at", "id"], name="events_event_created_id"),
            models.Index(fields=["department", "created_at", "id"], name="events_event_dept_created"),
            # Open work is ~0.1 % of a city's history: partial indexes hold only it (the queue,
            # the inbox's tabs, duplicate hints), whatever the years of closed events.
            models.Index(fields=["id"], condition=OPEN_Q, name="events_event_open_id"),
            # The sweep's few rows: only events whose follow-up is still owed.
            models.Index(fields=["updated_at"], condition=~Q(follow_up_pending=""), name="events_event_follow_up_due"),
            models.Index(fields=["department", "status"], condition=OPEN_Q, name="events_event_open_dept"),
            models.Index(fields=["owner_department", "status"], condition=OPEN_Q, name="events_event_open_owner"),
            models.Index(fields=["category", "lat", "lng"], condition=OPEN_Q, name="events_event_open_point"),
            # The evaluation counts a month of deadlines; they grow with the table's order.
            BrinOnPostgresIndex(fields=["handle_deadline"], name="events_event_handle_brin"),
        ]

    def __str__(self) -> str:
        return self.code


class TimelineEntry(models.Model):
    """One step of an event's life: who did what, when, with a note and photos."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="timeline")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)  # "system", a department, a resident
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["event_id", "at", "id"]
        indexes = [models.Index(fields=["action", "at"], name="events_timeline_action_at")]


class Photo(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(TimelineEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.ImageField(upload_to="events/%Y/%m/")  # the record copy: full size, re-encoded without EXIF
    public_image = models.ImageField(upload_to="events/public/%Y/%m/")  # EXIF stripped, resized
    thumbnail = models.ImageField(upload_to="events/thumbs/%Y/%m/")
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]


class Extension(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="extensions")
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.UniqueConstraint(fields=["event"], condition=Q(status="requested"),
                                    name="events_one_pending_extension"),
        ]


class Supervision(models.Model):
    """督办: a higher level watches an overdue event until it closes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="supervisions")
    level_code = models.CharField(max_length=15)
    step = models.CharField(max_length=10, choices=Step.choices)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        constraints = [
            models.UniqueConstraint(fields=["event", "step", "level_code"], name="events_supervise_once"),
        ]


# Notifications are core's (gridgov.core.notifications, issue 11); events/notify.py picks who is told.


class EventCodeCounter(models.Model):
    """The last sequence number used for a county on a day (`<county>-<yyyymmdd>-<seq>`)."""

    county = models.CharField(max_length=6)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "day"], name="events_counter_unique")]


class IntakeKey(models.Model):
    """An API key for Open311 apps and sensors. Only its hash is stored."""

    class Kind(models.TextChoices):
        OPEN311 = "open311", _("Open311 application")
        SENSOR = "sensor", _("Sensor device")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=8)  # shown to operators to tell keys apart
    # Sensors: where the device stands and what it reports by default.
    org_code = models.CharField(_("org unit"), max_length=15, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    default_category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("default category"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("intake key")
        verbose_name_plural = _("intake keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScoreRule(models.Model):
    """Points, cards and weights of the evaluation, configurable per deployment (one row)."""

    yellow_card_accept_days = models.PositiveSmallIntegerField(_("yellow card: days late to accept"), default=1)
    red_card_accept_days = models.PositiveSmallIntegerField(_("red card: days late to accept"), default=2)
    yellow_card_handle_days = models.PositiveSmallIntegerField(_("yellow card: days late to handle"), default=5)
    red_card_handle_days = models.PositiveSmallIntegerField(_("red card: days late to handle"), default=10)
    yellow_card_points = models.IntegerField(_("points per yellow card"), default=-5)
    red_card_points = models.IntegerField(_("points per red card"), default=-10)
    on_time_points = models.IntegerField(_("points per event closed on time"), default=1)
    weight_closure = models.DecimalField(_("weight of the closure rate"), max_digits=4, decimal_places=2,
                                         default=0.30)
    weight_on_time = models.DecimalField(_("weight of the on-time rate"), max_digits=4, decimal_places=2,
                                         default=0.30)
    weight_no_rework = models.DecimalField(_("weight of the no-rework rate"), max_digits=4, decimal_places=2,
                                           default=0.30)
    weight_volume = models.DecimalField(_("weight of the volume handled"), max_digits=4, decimal_places=2,
                                        default=0.10)

    class Meta:
        verbose_name = _("scoring rules")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return str(_("scoring rules"))
