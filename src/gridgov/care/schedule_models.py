"""Schedules per person (issue 11): an extra rhythm on one enrollment beside the program's
visit rule — daily medicine delivery for one patient, the elderly program's monthly home
visit, the drug tests an agreement sets — each producing due tasks like visits, and the
record of each task done (a drug test with its result).

Imported by `care.models`, so Django registers these tables with the care app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.care.querysets import EnrollmentRecordQuerySet, ScheduleRecordQuerySet
from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import PrefixIndex, User


class ScheduleKind(models.TextChoices):
    MEDICINE_DELIVERY = "medicine_delivery", _("Medicine delivery")
    HOME_VISIT = "home_visit", _("Home visit")
    CALL = "call", _("Phone call")
    DRUG_TEST = "drug_test", _("Drug test")
    TALK = "talk", _("Talk")
    CHECKIN = "checkin", _("Check-in")


class ScheduleSource(models.TextChoices):
    PERSON = "person", _("Set for this person")
    PROGRAM = "program", _("The program's rule")
    AGREEMENT = "agreement", _("The agreement")


class DrugTestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    REFUSED = "refused", _("Refused")
    NOT_TAKEN = "not_taken", _("Not taken")


class CareSchedule(models.Model):
    """Every `interval_days` from `starts_on` until `until` (open-ended without), by `assignee`
    (or the team when empty); `next_due_date` is the next task, null once it has ended."""

    enrollment = models.ForeignKey("care.Enrollment", on_delete=models.CASCADE, related_name="schedules")
    org_code = models.CharField(max_length=15)
    kind = models.CharField(_("kind"), max_length=20, choices=ScheduleKind.choices)
    source = models.CharField(_("set by"), max_length=10, choices=ScheduleSource.choices,
                              default=ScheduleSource.PERSON)
    interval_days = models.PositiveSmallIntegerField(_("every (days)"))
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("who"))
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until"), null=True, blank=True)
    next_due_date = models.DateField(_("next due"), null=True, blank=True)
    last_done_on = models.DateField(_("last done"), null=True, blank=True)
    missed_alerted_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentRecordQuerySet.as_manager()  # scope (issue 11): visible with its enrollment

    class Meta:
        verbose_name = _("care schedule")
        verbose_name_plural = _("care schedules")
        ordering = ["next_due_date", "id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="care_schedule_org_prefix"),
            models.Index(fields=["next_due_date", "id"], name="care_schedule_due"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gte=1) & Q(interval_days__lte=366),
                                   name="care_schedule_interval_range"),
            # One program or agreement rule of a kind per enrollment (a person's own may add more).
            models.UniqueConstraint(fields=["enrollment", "kind", "source"],
                                    condition=Q(ended_at__isnull=True) & ~Q(source="person"),
                                    name="care_schedule_one_rule_per_kind"),
        ]


class ScheduleRecord(models.Model):
    """One due task done (or not): a delivery, a call, a drug test with its result."""

    schedule = models.ForeignKey(CareSchedule, on_delete=models.CASCADE, related_name="records")
    org_code = models.CharField(max_length=15)
    done_on = models.DateField(_("date"))
    done = models.BooleanField(_("done"), default=True)
    # Drug tests only; a result is a program fact, shown only to those who see the details.
    result = models.CharField(_("result"), max_length=10, choices=DrugTestResult.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScheduleRecordQuerySet.as_manager()  # scope (issue 11): visible with its schedule's enrollment

    class Meta:
        verbose_name = _("schedule record")
        verbose_name_plural = _("schedule records")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["schedule", "done_on"], name="care_schedule_record_day")]
