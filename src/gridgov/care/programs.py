"""The care programs: a closed set defined in code (an administrator cannot add a new kind
of person category), each with its schedule rule and the facts it records.

Intervals are configurable per deployment (`ProgramConfig`), defaulting to DOMAIN.md.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Program(models.TextChoices):
    SMD = "smd", _("Severe mental disorder")
    REENTRY = "reentry", _("Returning from prison")
    COMMUNITY_CORRECTIONS = "community_corrections", _("Community corrections")
    DRUG_REHAB = "drug_rehab", _("Community drug rehabilitation")
    CHILD = "child", _("Left-behind or in-distress child")
    YOUTH = "youth", _("Young person needing support")
    ELDERLY = "elderly", _("Elderly person living alone")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Programs whose very membership reveals health or criminal-record information: only the
# roles that need it see which program a person is in.
SENSITIVE_PROGRAMS = frozenset({Program.SMD, Program.REENTRY, Program.COMMUNITY_CORRECTIONS, Program.DRUG_REHAB})


class SmdClass(models.TextChoices):
    STABLE = "stable", _("Stable")
    BASICALLY_STABLE = "basically_stable", _("Basically stable")
    UNSTABLE = "unstable", _("Unstable")


DEFAULTS: dict[str, dict[str, int]] = {
    Program.SMD: {
        "unstable_days": 14,  # refer, and follow up again within 2 weeks
        "basically_stable_days": 14,  # observe 2 weeks
        "stable_months": 3,
        "min_per_year": 4,
        "high_risk_level": 3,
    },
    Program.CHILD: {"key_child_days": 30, "other_days": 90, "exit_age": 18},
    Program.YOUTH: {"days": 30, "exit_age": 25},
    Program.ELDERLY: {"call_days": 7, "visit_days": 30},
    Program.REENTRY: {"days": 30},
    Program.COMMUNITY_CORRECTIONS: {"days": 7},  # the officer sets each person's check-ins
    Program.DRUG_REHAB: {"days": 30},  # as the agreement says
}


def smd_classification(risk_level: int, *, marked_symptoms: bool = False, serious_side_effects: bool = False) -> str:
    """The classification the national follow-up spec derives from the risk level (0–5)."""
    if risk_level >= 3 or marked_symptoms or serious_side_effects:
        return SmdClass.UNSTABLE
    if risk_level >= 1:
        return SmdClass.BASICALLY_STABLE
    return SmdClass.STABLE


@dataclass(frozen=True)
class ScheduleInput:
    program: str
    on: datetime.date  # the enrollment's start or the visit's date
    details: dict
    settings: dict


def next_due(inp: ScheduleInput) -> datetime.date:
    """The next visit or follow-up date after `on`, by the program's rule."""
    s = {**DEFAULTS[inp.program], **(inp.settings or {})}
    d = inp.details or {}
    if inp.program == Program.SMD:
        klass = d.get("classification") or smd_classification(int(d.get("risk_level", 0)))
        if klass == SmdClass.UNSTABLE:
            return inp.on + datetime.timedelta(days=s["unstable_days"])
        if klass == SmdClass.BASICALLY_STABLE:
            # Observe for 2 weeks; at that follow-up a stable person moves to the 3-month
            # rhythm, anyone else is seen again within 2 weeks.
            return inp.on + datetime.timedelta(days=s["basically_stable_days"])
        # Stable: every 3 months, but never fewer than the yearly minimum.
        months = min(s["stable_months"], 12 // max(s["min_per_year"], 1))
        return add_months(inp.on, months)
    if inp.program == Program.CHILD:
        days = s["key_child_days"] if d.get("key_child", True) else s["other_days"]
        return inp.on + datetime.timedelta(days=days)
    if inp.program == Program.ELDERLY:
        # The next contact: a weekly call, with a home visit at least monthly.
        return inp.on + datetime.timedelta(days=s["call_days"])
    if inp.program == Program.COMMUNITY_CORRECTIONS:
        return inp.on + datetime.timedelta(days=int(d.get("checkin_every_days") or s["days"]))
    if inp.program == Program.DRUG_REHAB:
        return inp.on + datetime.timedelta(days=int(d.get("talk_every_days") or s["days"]))
    return inp.on + datetime.timedelta(days=s["days"])


def exit_age(program: str, settings: dict | None = None) -> int | None:
    s = {**DEFAULTS.get(program, {}), **(settings or {})}
    return s.get("exit_age")
