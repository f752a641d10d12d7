"""Village meetings (屋场会 / 屋场贴心会): residents and officials meet in a courtyard or a hall,
and each concern raised is tracked to its end — resolved on the spot, handed to the events
loop (the concern then shows the event's status), made part of a project, or given to an
owner with a deadline. Officials assigned to villages (包村干部) record their service days.

Attendance is a count, the officials present by name, and (when the meeting awards points)
the households present, each credited once by the points ledger's source key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class VillageMeeting(models.Model):
    org_code = models.CharField(_("village"), max_length=15)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=100)
    convenor = models.CharField(_("convened by"), max_length=50)
    attendance = models.PositiveIntegerField(_("residents present"))
    minutes = models.TextField(_("minutes"), blank=True)
    # points for each household present, by this rule of the village's bank (empty: none)
    earning_rule = models.ForeignKey("participation.EarningRule", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("points for attending"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("village meeting")
        verbose_name_plural = _("village meetings")
        ordering = ["-held_on", "-id"]
        indexes = [PrefixIndex(fields=["org_code"], name="meeting_org_prefix")]
        constraints = [models.CheckConstraint(condition=Q(attendance__lte=10_000), name="meeting_attendance_range")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.place}"


class MeetingOfficial(models.Model):
    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="officials")
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("post"), max_length=50, blank=True)

    class Meta:
        ordering = ["id"]


class MeetingPhoto(models.Model):
    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="private/meetings/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class MeetingAttendance(models.Model):
    """A household present, by its points account (credited once, when the meeting awards points)."""

    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="households")
    account = models.ForeignKey("participation.PointsAccount", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "account"], name="meeting_household_once")]


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Being dealt with")
    RESOLVED = "resolved", _("Resolved")


class ConcernRoute(models.TextChoices):
    ON_THE_SPOT = "on_the_spot", _("Resolved on the spot")
    OWNER = "owner", _("Given to an owner")
    EVENT = "event", _("Handed to the events loop")
    PROJECT = "project", _("Part of a project")


class Concern(models.Model):
    """A concern raised at a meeting, tracked to its end."""

    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="concerns")
    org_code = models.CharField(max_length=15)  # the meeting's village, for the ratio per area
    summary = models.CharField(_("concern"), max_length=300)
    route = models.CharField(_("how it is dealt with"), max_length=12, choices=ConcernRoute.choices)
    status = models.CharField(_("status"), max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    owner = models.CharField(_("owner"), max_length=60, blank=True)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("owner's account"))
    deadline = models.DateField(_("to be resolved by"), null=True, blank=True)
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    project = models.ForeignKey("participation.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="concerns")
    resolution = models.CharField(_("how it was resolved"), max_length=300, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [PrefixIndex(fields=["org_code"], name="concern_org_prefix")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="resolved") | Q(resolved_on__isnull=False),
                                   name="concern_resolved_has_day"),
            models.CheckConstraint(condition=~Q(route="event") | Q(event__isnull=False), name="concern_event_named"),
            models.CheckConstraint(condition=~Q(route="project") | Q(project__isnull=False),
                                   name="concern_project_named"),
        ]


class VillageLiaison(models.Model):
    """An official assigned to a village (包村干部), from a day, until a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaisons",
                             verbose_name=_("official"))
    org_code = models.CharField(_("village"), max_length=15)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["org_code", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "org_code"], condition=Q(ends_on__isnull=True),
                                               name="liaison_once_per_village")]


class ServiceDay(models.Model):
    liaison = models.ForeignKey(VillageLiaison, on_delete=models.CASCADE, related_name="days")
    on_date = models.DateField(_("day"))
    note = models.CharField(_("what was done"), max_length=200)

    class Meta:
        ordering = ["-on_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["liaison", "on_date"], name="service_day_once")]
