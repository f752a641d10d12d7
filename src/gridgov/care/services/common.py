"""Shared by the care services: a program's settings and detail fields, the team's alerts,
the officers of a place."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridgov.care import (
    alerts,  # notify (issue 11): care's alerts through gridgov.core.notifications
)
from gridgov.care.models import Enrollment, ProgramConfig
from gridgov.care.programs import DEFAULTS, Program, SmdClass
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import User
from gridgov.core.orgcodes import COUNTY_LENGTH, ancestor_codes

DEFAULT_RETENTION_YEARS = 5
FIRST_VISIT_AFTER_HANDOVER_DAYS = 7


def _raise_if(errors: dict) -> None:
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)


def program_settings(program: str) -> dict:
    config = ProgramConfig.objects.filter(program=program).first()
    return {**DEFAULTS[program], **(config.settings if config else {})}


# --- Program details -------------------------------------------------------------------------


def check_details(program: str, details: dict, *, for_visit: bool = False, complete: bool = True) -> dict:
    """Validate a program's detail fields; return them cleaned. Unknown keys are refused so
    that no category of person can be smuggled in through free-form fields."""
    details = dict(details or {})
    errors: dict[str, list[str]] = {}
    allowed = PROGRAM_DETAIL_FIELDS[program] | (SMD_FOLLOW_UP_FIELDS if program == Program.SMD and for_visit else set())
    unknown = sorted(set(details) - allowed)
    if unknown:
        errors["details"] = [_("Unknown fields for this program: %(fields)s") % {"fields": ", ".join(unknown)}]
    if program == Program.SMD and (complete or "risk_level" in details or "classification" in details):
        try:
            level = int(details.get("risk_level"))
            if not 0 <= level <= 5:
                raise ValueError
            details["risk_level"] = level
        except (TypeError, ValueError):
            errors["details.risk_level"] = [_("Give the risk level, from 0 to 5.")]
            level = None
        klass = details.get("classification")
        if klass not in SmdClass.values:
            errors["details.classification"] = [_("Give the classification: stable, basically stable or unstable.")]
        elif level is not None and level >= 3 and klass != SmdClass.UNSTABLE:
            errors["details.classification"] = [_("A risk level of 3 or more is classified as unstable.")]
        adherence = details.get("medication_adherence")
        if adherence is not None and adherence not in {"regular", "intermittent", "none", "not_prescribed"}:
            errors["details.medication_adherence"] = [_("Unknown medication adherence.")]
    if program == Program.COMMUNITY_CORRECTIONS and "checkin_every_days" in details:
        try:
            days = int(details["checkin_every_days"])
            if not 1 <= days <= 90:
                raise ValueError
            details["checkin_every_days"] = days
        except (TypeError, ValueError):
            errors["details.checkin_every_days"] = [_("Check-ins are every 1 to 90 days.")]
    if program in (Program.CHILD, Program.YOUTH):
        from gridgov.care.children import check_child_details  # care (issue 11): situations and groups as choices

        check_child_details(program, details, errors)
    if program == Program.DRUG_REHAB:
        from gridgov.care.schedules import check_drug_rehab_details  # care (issue 11): tests as agreed

        check_drug_rehab_details(details, errors)
    _raise_if(errors)
    return details


PROGRAM_DETAIL_FIELDS: dict[str, set[str]] = {
    Program.SMD: {"risk_level", "classification", "diagnosis", "guardian", "locked_at_home"},
    Program.REENTRY: {"release_date", "prison", "resettled", "employment", "support_base"},
    Program.COMMUNITY_CORRECTIONS: {"order_start", "order_end", "checkin_every_days", "checkin_form"},
    Program.DRUG_REHAB: {"agreement_start", "agreement_end", "talk_every_days", "test_every_days", "employment"},
    Program.CHILD: {"key_child", "situation", "guardian", "school", "mentor"},
    Program.YOUTH: {"situation", "school", "employment", "mentor", "group"},  # group: care (issue 11)
    Program.ELDERLY: {"living_alone", "day_care_centre", "meal_service", "mobility"},
}

# The national follow-up record (DOMAIN.md): everything a follow-up visit may carry.
SMD_FOLLOW_UP_FIELDS = {
    "risk_level", "classification", "missed_reason", "symptoms", "insight", "sleep", "diet",
    "social_functioning", "dangerous_behaviour", "locked_at_home", "hospitalised_since_last",
    "medication_adherence", "side_effects", "medicines", "rehabilitation", "referred", "signature",
    "marked_symptoms", "serious_side_effects",
}


def _derived_flags(program: str, details: dict, settings: dict) -> dict:
    high_risk = program == Program.SMD and int(details.get("risk_level", 0)) >= settings.get("high_risk_level", 3)
    key_case = high_risk or (program == Program.CHILD and bool(details.get("key_child", True)))
    return {"high_risk": high_risk, "key_case": key_case}


def _team_users(enrollment: Enrollment) -> list[User]:
    return list(User.objects.filter(care_teams__enrollment=enrollment, care_teams__removed_at__isnull=True,
                                    is_active=True).distinct())


def _alert_team(enrollment: Enrollment, *, kind: str, text: str, params: dict | None = None,
                family_by_sms: bool = False) -> list[str]:
    """Tell the team's users (through care.alerts: the case's link, the person as each may see
    them); with `family_by_sms` also its members without an account who agreed to SMS."""
    users = _team_users(enrollment)
    alerts.team(enrollment, users, kind=kind, text=text, params=params, family_by_sms=family_by_sms)
    return sorted(u.username for u in users)


def officers_of(org_code: str) -> list[User]:
    """Program officers whose scope covers the place, from the county down: above the county
    an officer sees statistics only, never one person's case."""
    from gridgov.core.models import Role

    codes = [code for code in ancestor_codes(org_code, include_self=True) if len(code) >= COUNTY_LENGTH]
    return list(User.objects.filter(is_active=True, role_rows__role=Role.PROGRAM_OFFICER, scope_code__in=codes)
                .distinct())
