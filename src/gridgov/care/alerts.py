"""Who in care is told what, through `gridgov.core.notifications.notify`.

A care alert links to the case's page and names the person as each receiver may see them:
in full only to a receiver who may open the case (`selectors.access_enrollment`), masked for
everyone else. A crisis also reaches the team's members without an account (family,
guardians) by SMS, where their consent to SMS was recorded on the team
(`TeamMember.sms_consent_at`) and their contact is a mobile number.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from gridgov.care.models import Enrollment, TeamMember
from gridgov.core.exceptions import DomainError
from gridgov.core.models import Role, User
from gridgov.core.notifications import Contact, Subject, notify, register_kind
from gridgov.core.orgnames import org_name_paths
from gridgov.core.validators import is_valid_mobile, normalize_mobile

CARE_ROLES = (Role.GRID_WORKER, Role.CARE_WORKER, Role.PROGRAM_OFFICER, Role.POLICE_LIAISON)
OFFICERS = (Role.PROGRAM_OFFICER,)

register_kind("care_crisis", _("A crisis of a person in my care"), channels=("email", "sms"), roles=CARE_ROLES)
register_kind("care_enrolled", _("A new case on my care team"), roles=CARE_ROLES)
register_kind("care_needs", _("A visit found needs that call for help"), roles=CARE_ROLES)
register_kind("care_overdue", _("A visit of my care team is overdue"), roles=CARE_ROLES)
register_kind("care_reconfirm", _("My care team is asked to confirm again"), roles=CARE_ROLES)
register_kind("care_exit", _("A person left a care program"), roles=CARE_ROLES)
register_kind("care_handover", _("A care handover to or from my area"), channels=("email",), roles=OFFICERS)
register_kind("care_handover_missed", _("A care handover not received in time"), channels=("email",),
              roles=OFFICERS)
register_kind("care_referral", _("A referral from a screening campaign"), roles=OFFICERS)
register_kind("care_drug_test", _("A scheduled test that needs follow-up"), roles=OFFICERS)
register_kind("care_checkin_missed", _("A missed check-in"), channels=("email",), roles=OFFICERS)
register_kind("care_schedule_overdue", _("A care schedule is overdue"), roles=CARE_ROLES)


def area(code: str) -> str:
    """A place as a notification names it: its name path (县 › 镇 › 村 › 网格), not its code."""
    return org_name_paths([code]).get(code, code) if code else ""


def day(value: datetime.date | None) -> str:
    """A date as a notification says it, in the active language (\"2026年12月3日\"), not ISO."""
    return date_format(value, "DATE_FORMAT") if value else ""


def may_open_case(user, enrollment: Enrollment) -> bool:
    from gridgov.care import selectors

    try:
        selectors.access_enrollment(user, enrollment.pk)
    except DomainError:
        return False
    return True


def _case_context(enrollment: Enrollment) -> dict:
    return {"link": reverse("care-enrollment", args=[enrollment.pk]), "org_code": enrollment.org_code,
            "person_name": enrollment.person.name,
            "may_see_person": lambda user: may_open_case(user, enrollment),
            "subject": Subject("care.enrollment", enrollment.pk)}


def _case_workers(users) -> list[User]:
    """The users who may hear about one person's case: never anyone who sees care statistics
    only (above the county), whoever picked them."""
    from gridgov.care.selectors import statistics_only

    return [user for user in users if user is not None and not statistics_only(user)]


def to_users(users, subject=None, *, kind: str, text: str, enrollment: Enrollment | None = None,
             params: dict | None = None, link: str = "", org_code: str = "") -> None:
    """Tell `users`: about `enrollment` when given (its page is the link), else with `link`
    (e.g. the officer's page, where a handover waits). `subject` is unused (the old signature)."""
    context = _case_context(enrollment) if enrollment is not None else {"link": link, "org_code": org_code}
    notify(recipients=_case_workers(users), kind=kind, text=text, params=params, **context)


def sms_contacts_of(enrollment: Enrollment) -> list[Contact]:
    """The team's members without an account whose consent to SMS is recorded, by mobile number."""
    members = TeamMember.objects.filter(enrollment=enrollment, removed_at__isnull=True, user__isnull=True,
                                        sms_consent_at__isnull=False)
    phones = (normalize_mobile(m.contact) for m in members)
    return [Contact(phone=p) for p in phones if is_valid_mobile(p)]


def team(enrollment: Enrollment, users: list[User], *, kind: str, text: str, params: dict | None = None,
         family_by_sms: bool = False) -> list[Contact]:
    """Tell the team's users (and, with `family_by_sms`, its consenting members without an
    account); returns the contacts told by SMS."""
    contacts = sms_contacts_of(enrollment) if family_by_sms else []
    notify(recipients=_case_workers(users), contacts=contacts, kind=kind, text=text, params=params, **_case_context(enrollment))
    return contacts


def team_by_details(enrollment: Enrollment, users: list[User], *, kind: str, text: str, masked_text: str) -> None:
    """Tell the team's users who may see the case's details `text`, the others `masked_text`
    (what a visit found is masked for a grid worker; security review, issue 11)."""
    from gridgov.care.selectors import may_see_details

    full = [user for user in users if may_see_details(user, enrollment)]
    others = [user for user in users if user not in full]
    for told, words in ((full, text), (others, masked_text)):
        if told:
            notify(recipients=_case_workers(told), kind=kind, text=words, **_case_context(enrollment))
