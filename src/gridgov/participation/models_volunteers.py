"""Volunteers (新余有爱, 平安志愿者, school-gate duty 志警; 法律明白人 and 群众贴心人 as kinds):
the registry, activities and duty posts with their shifts, sign-ups, and the hours served.

A shift's places are a counter (`taken`) moved by guarded updates and held by a check
constraint (`taken <= capacity`), so that no number of concurrent sign-ups, from the pages or
the API, fills a shift beyond its capacity. Hours are kept apart by who recorded them (the
volunteer, or the organiser who saw the work) and go pending → approved or declined; approved
hours credit the volunteer's household points by the activity's earning rule, once per record
(the points ledger's source key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class VolunteerKind(models.TextChoices):
    GENERAL = "general", _("Volunteer")
    SAFETY = "safety", _("Safety volunteer")
    SCHOOL_GATE = "school_gate", _("School-gate duty")
    LEGAL_LITERATE = "legal_literate", _("Legal-literate resident")
    CARING = "caring", _("Caring neighbour")


class Volunteer(models.Model):
    """A resident who volunteers: their own name and phone (not the register's), the kinds of
    service, skills and the times they are usually free."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="volunteer", verbose_name=_("account"))
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    org_code = models.CharField(_("village"), max_length=15)
    kinds = models.JSONField(_("kinds of service"), default=list)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    # ["mon_am", "sat_pm", …]: the half-days they are usually free (AVAILABILITY)
    availability = models.JSONField(_("usually free"), default=list)
    # approved hours credit points to this household account (linked by the bank's keeper)
    points_account = models.ForeignKey("participation.PointsAccount", on_delete=models.PROTECT, null=True,
                                       blank=True, related_name="volunteers", verbose_name=_("household points"))
    joined_on = models.DateField(_("joined on"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [PrefixIndex(fields=["org_code"], name="volunteer_org_prefix")]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A certificate a duty may need (first aid, a school-gate training), with its expiry."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="qualifications")
    name = models.CharField(_("qualification"), max_length=50)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]


class ActivityKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    DUTY_POST = "duty_post", _("Duty post")


class Activity(models.Model):
    """An activity (a clean-up, a visit to the elderly) or a standing duty post (a school gate
    at 7:30 on school days), with shifts."""

    org_code = models.CharField(_("area"), max_length=15)
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices, default=ActivityKind.ACTIVITY)
    place = models.CharField(_("place"), max_length=100)
    description = models.TextField(_("what volunteers do"), blank=True)
    required_qualification = models.CharField(_("qualification needed"), max_length=50, blank=True)
    # points per whole hour served, at the rule's bank (empty: no points)
    earning_rule = models.ForeignKey("participation.EarningRule", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("points per hour"))
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    taken = models.PositiveSmallIntegerField(default=0)
    # the code the organiser reads out: a volunteer checks in with it from the phone
    code = models.CharField(max_length=6)
    is_cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="volunteer_shift_not_overfull"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="volunteer_shift_has_places"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="volunteer_shift_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="volunteer_shift_start")]


class SignUpStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")


class SignUp(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(max_length=12, choices=SignUpStatus.choices, default=SignUpStatus.SIGNED_UP)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="volunteer_signup_once",
                                    condition=~Q(status="cancelled")),
        ]


class HoursSource(models.TextChoices):
    SELF = "self", _("Recorded by the volunteer")
    ORGANISER = "organiser", _("Recorded by the organiser")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


MAX_MINUTES = 12 * 60  # one record: at most a long day's service


class ServiceHours(models.Model):
    """Time served, from a shift (its sign-up) or recorded afterwards for an activity."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="hours")
    signup = models.OneToOneField(SignUp, on_delete=models.PROTECT, null=True, blank=True, related_name="hours")
    served_on = models.DateField(_("served on"))
    minutes = models.PositiveIntegerField(_("minutes"))
    source = models.CharField(max_length=10, choices=HoursSource.choices)
    status = models.CharField(max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    note = models.CharField(_("what was done"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(_("why declined"), max_length=200, blank=True)
    points = models.ForeignKey("participation.Movement", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0) & Q(minutes__lte=MAX_MINUTES),
                                   name="volunteer_hours_in_range"),
        ]
