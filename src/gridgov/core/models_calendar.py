"""Tables of the working calendar (`gridgov.core.workcal`): holidays and make-up workdays,
and each office's working hours.

Imported by `core/models.py`, so the tables belong to the `core` app and
`from gridgov.core.models import ...` finds them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import ScopedQuerySet


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
