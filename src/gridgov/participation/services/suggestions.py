"""Writes of suggestions: a resident's suggestion (no account), the grid centre's assignment,
the department's official answer, residents' reports and the moderators' decision.

Every change of state reads `workflow.SUGGESTION_TRANSITIONS`, moves the row by a guarded
update, writes a timeline row and an audit entry in the same transaction, and tells the author
(when it left a contact) after the commit. A suggestion reported by `HIDE_AFTER_REPORTS`
different clients is hidden at once and its area's moderators are alerted.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import crypto
from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.notifications import Contact, Subject, notify, register_kind
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.service_input import clean_mobile, clean_text, invalid
from gridgov.participation.audit_actions import SuggestionAction
from gridgov.participation.models import (
    Suggestion,
    SuggestionEvent,
    SuggestionOutcome,
    SuggestionReport,
    SuggestionStatus,
    SuggestionTopic,
)
from gridgov.participation.workflow import SUGGESTION_TRANSITIONS

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed on a phone
TITLE_LIMIT, TEXT_LIMIT, ANSWER_LIMIT = 100, 2000, 2000
# Working days a department has to answer (from the day it was assigned): settings, 10.
ANSWER_WORKING_DAYS = settings.GRIDGOV_SUGGESTION_ANSWER_DAYS
HIDE_AFTER_REPORTS = 3
# Limits per client address (core.ratelimit) of the public form and API, reports and look-ups.
SUGGEST_SCOPE, SUGGESTIONS_AN_HOUR = "suggestion_form", 5
REPORT_SCOPE, REPORTS_AN_HOUR = "suggestion_report", 20
LOOKUP_SCOPE, LOOKUPS_AN_HOUR = "suggestion_lookup", 60
HOUR = 3600

FOR_AUTHOR = "suggestion_author"
TO_MODERATE = "suggestion_hidden"
TO_ANSWER = "suggestion_assigned"
register_kind(FOR_AUTHOR, gettext_lazy("What happened to a suggestion you made"), channels=("sms", "email"))
register_kind(TO_MODERATE, gettext_lazy("A suggestion hidden after residents' reports"))
register_kind(TO_ANSWER, gettext_lazy("A suggestion for your department to answer"))


def follow_digest(token: str) -> str:
    return crypto.blind_index("suggestion_follow", token)


def _tracking_code() -> str:
    return "JY" + "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(10))


def _contact(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise invalid("contact", _("A mobile number or an e-mail address.")) from None
        return value[:254]
    return clean_mobile(value, field="contact")


def _area(org_code: str, lat, lng) -> tuple[str, float | None, float | None]:
    from gridgov.core.geo import validate_lng_lat
    from gridgov.core.models import OrgUnit
    from gridgov.core.selectors import grid_cell_at

    if lat is not None or lng is not None:
        if lat is None or lng is None:
            raise invalid("lat", _("Give both the latitude and the longitude, or neither."))
        try:
            validate_lng_lat(float(lng), float(lat))
        except (ValidationError, TypeError, ValueError):
            raise invalid("lat", _("This place is not on the map of China.")) from None
        cell = grid_cell_at(lng=float(lng), lat=float(lat))
        if cell is not None:
            return cell.code, float(lat), float(lng)
        if not org_code:
            raise invalid("lat", _("This place is outside the grid: choose the area instead."))
    if not org_code or not OrgUnit.objects.filter(code=org_code).exists():
        raise invalid("org_code", _("Choose the area the suggestion is about."))
    return org_code, (float(lat) if lat is not None else None), (float(lng) if lng is not None else None)


def _timeline(suggestion: Suggestion, note: str = "") -> None:
    SuggestionEvent.objects.create(suggestion=suggestion, status=suggestion.status, note=note[:300])


def _tell_author(suggestion: Suggestion, text: str, params: dict) -> None:
    if suggestion.contact:
        contact = Contact(email=suggestion.contact) if "@" in suggestion.contact else Contact(phone=suggestion.contact)
        transaction.on_commit(lambda: notify(
            kind=FOR_AUTHOR, text=text, params={**params, "code": suggestion.tracking_code}, contacts=[contact],
            org_code=suggestion.org_code, subject=Subject("participation.suggestion", None, suggestion.tracking_code)))


# --- A resident's suggestion --------------------------------------------------------------------


def submit(*, topic: str, title: str, text: str, org_code: str = "", lat=None, lng=None, contact: str = ""
           ) -> tuple[Suggestion, str]:
    """A suggestion from anyone; returns it and the secret of its private follow link (shown
    once, never stored)."""
    if topic not in SuggestionTopic.values:
        raise invalid("topic", _("Choose a topic."))
    title = clean_text(title, field="title", limit=TITLE_LIMIT)
    text = clean_text(text, field="text", limit=TEXT_LIMIT)
    if len(text) < 10:
        raise invalid("text", _("Say a little more: at least 10 characters."))
    org_code, lat, lng = _area(org_code, lat, lng)
    contact = _contact(contact)
    token = secrets.token_urlsafe(24)
    for _attempt in range(5):  # a tracking code already taken: draw again
        try:
            with transaction.atomic():
                suggestion = Suggestion.objects.create(
                    tracking_code=_tracking_code(), follow_digest=follow_digest(token), topic=topic, title=title,
                    text=text, org_code=org_code, lat=lat, lng=lng, contact=contact)
                _timeline(suggestion)
                audit_record(actor=SystemActor("suggestion_form"), action=SuggestionAction.SUBMIT, obj=suggestion,
                             object_repr=suggestion.tracking_code, org_code=org_code, changes={"topic": topic})
                _tell_author(suggestion, _("Your suggestion was received: its tracking code is %(code)s."), {})
            return suggestion, token
        except IntegrityError:
            continue
    raise DomainError(_("Please try again."), ErrorCode.CONFLICT)  # pragma: no cover - 31^10 codes


# --- The grid centre and the department ---------------------------------------------------------


def _move(suggestion: Suggestion, action: str, **fields) -> None:
    allowed, target = SUGGESTION_TRANSITIONS[action]
    if not Suggestion.objects.filter(pk=suggestion.pk, status__in=allowed).update(status=target, **fields):
        raise DomainError(_("This suggestion has moved on already."), ErrorCode.ILLEGAL_TRANSITION)
    suggestion.status = target
    for name, value in fields.items():
        setattr(suggestion, name, value)


def _in_area(actor, suggestion: Suggestion) -> None:
    if not in_scope(actor, suggestion.org_code):
        raise NotFound(_("No such suggestion in your area."))


def assign(*, actor, suggestion: Suggestion, department) -> Suggestion:
    """The grid centre sends the suggestion to the department that answers it, with the day
    by which it answers (`ANSWER_WORKING_DAYS` working days)."""
    from gridgov.core.selectors import work_calendar_for
    from gridgov.core.workcal import add_working_days

    require(actor, Capability.ASSIGN_SUGGESTIONS)
    _in_area(actor, suggestion)
    if not department.is_active or not suggestion.org_code.startswith(department.org_code):
        raise invalid("department", _("Choose a department that serves this area."))
    due = add_working_days(timezone.localdate(), ANSWER_WORKING_DAYS, work_calendar_for(suggestion.org_code))
    with transaction.atomic():
        _move(suggestion, "assign", department=department, assigned_at=timezone.now(), answer_due=due)
        _timeline(suggestion, department.name)
        audit_record(actor=actor, action=SuggestionAction.ASSIGN, obj=suggestion, object_repr=suggestion.tracking_code,
                     org_code=suggestion.org_code, changes={"department": department.pk, "due": due.isoformat()})
        staff = [u for u in department.staff.filter(is_active=True) if has_capability(u, Capability.ANSWER_SUGGESTIONS)]
        if staff:
            notify(kind=TO_ANSWER, text=_("Suggestion %(code)s is yours to answer by %(due)s."),
                   params={"code": suggestion.tracking_code, "due": due.isoformat()}, recipients=staff,
                   link=reverse("suggestions-desk-item", args=[suggestion.pk]), org_code=suggestion.org_code,
                   subject=Subject("participation.suggestion", suggestion.pk, suggestion.tracking_code))
        _tell_author(suggestion, _("Your suggestion %(code)s is with %(department)s, which answers by %(due)s."),
                     {"department": department.name, "due": due.isoformat()})
    return suggestion


def _answers(actor, suggestion: Suggestion) -> None:
    require(actor, Capability.ANSWER_SUGGESTIONS)
    if suggestion.department_id is None or actor.department_id != suggestion.department_id:
        raise NotFound(_("No such suggestion for your department."))


def answer(*, actor, suggestion: Suggestion, outcome: str, text: str) -> Suggestion:
    """The department's official answer: adopted, answered (explained) or not adopted, with
    the reason. The author is told."""
    _answers(actor, suggestion)
    if outcome not in SuggestionOutcome.values:
        raise invalid("outcome", _("Choose the outcome."))
    text = clean_text(text, field="answer", limit=ANSWER_LIMIT)
    with transaction.atomic():
        _move(suggestion, "answer", outcome=outcome, answer=text, answered_at=timezone.now(), answered_by=actor)
        _timeline(suggestion, SuggestionOutcome(outcome).label)
        audit_record(actor=actor, action=SuggestionAction.ANSWER, obj=suggestion, object_repr=suggestion.tracking_code,
                     org_code=suggestion.org_code, changes={"outcome": outcome})
        _tell_author(suggestion, _("Your suggestion %(code)s was answered: %(outcome)s. See the answer with your "
                                   "tracking code."), {"outcome": str(SuggestionOutcome(outcome).label)})
    return suggestion


def send_back(*, actor, suggestion: Suggestion, reason: str) -> Suggestion:
    """Not this department's: back to the grid centre with the reason, to be assigned again."""
    _answers(actor, suggestion)
    reason = clean_text(reason, field="reason", limit=300)
    with transaction.atomic():
        _move(suggestion, "send_back", department=None, assigned_at=None, answer_due=None)
        _timeline(suggestion, reason)
        audit_record(actor=actor, action=SuggestionAction.SEND_BACK, obj=suggestion,
                     object_repr=suggestion.tracking_code, org_code=suggestion.org_code)
    return suggestion


def link_project(*, actor, suggestion: Suggestion, project) -> Suggestion:
    """An adopted suggestion becomes part of a project; the author is told."""
    from gridgov.participation.services.projects import manages

    manages(actor, project)  # a project of the actor's department, in its area
    _in_area(actor, suggestion)
    if suggestion.outcome != SuggestionOutcome.ADOPTED:
        raise DomainError(_("Only an adopted suggestion becomes a project."), ErrorCode.ILLEGAL_TRANSITION)
    with transaction.atomic():
        Suggestion.objects.filter(pk=suggestion.pk).update(project=project)
        suggestion.project = project
        SuggestionEvent.objects.create(suggestion=suggestion, status=suggestion.status, note=project.title[:300])
        audit_record(actor=actor, action=SuggestionAction.LINK_PROJECT, obj=suggestion,
                     object_repr=suggestion.tracking_code, org_code=suggestion.org_code,
                     changes={"project": project.pk})
        _tell_author(suggestion, _("Your suggestion %(code)s became part of the project “%(project)s”."),
                     {"project": project.title})
    return suggestion


# --- Reports and moderation ---------------------------------------------------------------------


def report(*, suggestion: Suggestion, reason: str, client: str) -> bool:
    """A resident reports a published suggestion (once per client). Returns True when this
    report hid it: then the area's moderators are alerted."""
    from gridgov.participation.models import ReportReason

    if reason not in ReportReason.values:
        raise invalid("reason", _("Choose why."))
    if not suggestion.is_public:
        raise NotFound(_("No such suggestion."))
    digest = crypto.blind_index("suggestion_report", f"{suggestion.pk}:{client}")
    try:
        with transaction.atomic():
            SuggestionReport.objects.create(suggestion=suggestion, reason=reason, client_digest=digest)
            Suggestion.objects.filter(pk=suggestion.pk).update(report_count=F("report_count") + 1)
            hidden = bool(Suggestion.objects.filter(pk=suggestion.pk, hidden_at__isnull=True, moderated_at__isnull=True,
                                                    report_count__gte=HIDE_AFTER_REPORTS)
                          .update(hidden_at=timezone.now()))
            if hidden:
                _timeline(suggestion, _("Hidden after residents' reports, until a moderator looks at it"))
                audit_record(actor=SystemActor("suggestion_reports"), action=SuggestionAction.HIDE, obj=suggestion,
                             object_repr=suggestion.tracking_code, org_code=suggestion.org_code)
                _alert_moderators(suggestion)
    except IntegrityError:
        return False  # this client reported it already: counted once
    return hidden


def _alert_moderators(suggestion: Suggestion) -> None:
    from gridgov.core.models import User
    from gridgov.core.orgcodes import ancestor_codes

    codes = ancestor_codes(suggestion.org_code, include_self=True)
    moderators = [u for u in User.objects.filter(is_active=True, scope_code__in=codes)
                  if has_capability(u, Capability.MODERATE_SUGGESTIONS)]
    notify(kind=TO_MODERATE, text=_("Suggestion %(code)s was hidden after residents' reports: keep or remove it."),
           params={"code": suggestion.tracking_code}, recipients=moderators,
           link=reverse("suggestions-desk-item", args=[suggestion.pk]), org_code=suggestion.org_code,
           subject=Subject("participation.suggestion", suggestion.pk, suggestion.tracking_code))


def moderate(*, actor, suggestion: Suggestion, keep: bool, note: str = "") -> Suggestion:
    """A moderator keeps a hidden suggestion (published again, no longer hidden by reports) or
    removes it (with the reason, which its author is told)."""
    require(actor, Capability.MODERATE_SUGGESTIONS)
    _in_area(actor, suggestion)
    note = clean_text(note, field="note", limit=300, required=not keep)
    now = timezone.now()
    with transaction.atomic():
        if keep:
            if not Suggestion.objects.filter(pk=suggestion.pk, hidden_at__isnull=False).exclude(
                    status=SuggestionStatus.REMOVED).update(hidden_at=None, moderated_at=now, moderated_by=actor):
                raise DomainError(_("This suggestion is not waiting for a moderator."), ErrorCode.ILLEGAL_TRANSITION)
            suggestion.hidden_at = None
            _timeline(suggestion, _("Published again by a moderator"))
        else:
            _move(suggestion, "remove", moderated_at=now, moderated_by=actor)
            _timeline(suggestion, note)
            _tell_author(suggestion, _("Your suggestion %(code)s was removed by a moderator: %(reason)s"),
                         {"reason": note})
        audit_record(actor=actor, action=SuggestionAction.MODERATE, obj=suggestion,
                     object_repr=suggestion.tracking_code, org_code=suggestion.org_code, changes={"kept": keep})
    return suggestion
