"""The deployment's program settings (intervals and ages), as the admin edits them.

Each program's settings are the keys of `programs.DEFAULTS[program]`; an administrator may
change their values inside the bounds below, never add a key (a key is a rule the code
reads, and the programs are a closed set). A setting left at its default is not stored, so a
later change of the default reaches every deployment that never touched it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gridgov.care.audit_actions import CareAudit
from gridgov.care.models import ProgramConfig
from gridgov.care.programs import DEFAULTS
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.orgcodes import LENGTH_BY_LEVEL
from gridgov.core.permissions import Capability, require

CITY_LENGTH = LENGTH_BY_LEVEL["city"]


@dataclass(frozen=True)
class SettingRule:
    label: object  # a lazy translation
    minimum: int
    maximum: int
    unit: object


_DAYS = _("days")
SETTING_RULES: dict[str, SettingRule] = {
    "unstable_days": SettingRule(_("Follow-up of an unstable person within"), 1, 31, _DAYS),
    "basically_stable_days": SettingRule(_("Observation of a basically stable person"), 1, 62, _DAYS),
    "stable_months": SettingRule(_("Follow-up of a stable person every"), 1, 6, _("months")),
    "min_per_year": SettingRule(_("Follow-ups at least, per year"), 1, 52, _("times")),
    "high_risk_level": SettingRule(_("Risk level from which a case is high-risk"), 1, 5, _("level")),
    "key_child_days": SettingRule(_("Visit of a key child every"), 1, 183, _DAYS),
    "other_days": SettingRule(_("Visit of other children every"), 1, 366, _DAYS),
    "exit_age": SettingRule(_("Leaves the program automatically at the age of"), 14, 35, _("years")),
    "days": SettingRule(_("Visit or check-in every"), 1, 366, _DAYS),
    "call_days": SettingRule(_("Call every"), 1, 62, _DAYS),
    "visit_days": SettingRule(_("Home visit every"), 1, 183, _DAYS),
}


def rule_for(key: str) -> SettingRule:
    return SETTING_RULES.get(key) or SettingRule(key, 1, 366, _DAYS)


def covers_the_city(user) -> bool:
    """A program's settings hold for every area of the deployment, so only an account whose
    own area is the city (or above) may change them — not a county's administrator."""
    return len(getattr(user, "scope_code", "") or "") <= CITY_LENGTH


def program_config_update(*, program: str, values: dict[str, int], actor) -> ProgramConfig:
    """Store the settings of `program` that differ from the defaults; audited."""
    require(actor, Capability.MANAGE_CARE_CONFIG)
    if not covers_the_city(actor):
        raise Forbidden(str(_("A program's settings hold for the whole city: only an administrator "
                              "of the city may change them.")))
    defaults = DEFAULTS[program]
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        rule = rule_for(key)
        if key not in defaults:
            errors[key] = [str(_("This program has no such setting."))]
        elif not isinstance(value, int) or not rule.minimum <= value <= rule.maximum:
            errors[key] = [str(_("Enter a whole number from %(min)d to %(max)d.") % {
                "min": rule.minimum, "max": rule.maximum})]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    changed = {key: value for key, value in values.items() if value != defaults[key]}
    with transaction.atomic():
        config, _created = ProgramConfig.objects.select_for_update().get_or_create(program=program)
        before = dict(config.settings)
        config.settings = changed
        config.save(update_fields=["settings"])
        audit_record(actor=actor, action=CareAudit.PROGRAM_CONFIG, obj=config,
                     object_repr=str(config.get_program_display()),
                     changes={"before": before, "after": changed})
    return config
