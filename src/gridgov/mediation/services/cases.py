"""Writes of people's mediation: committees and mediators, cases opened by a committee or
asked for online, and each step of a case through `workflow.TRANSITIONS`.

Every function checks permission and scope first, then validates, and writes in one
transaction with its audit entry. The audit never copies what the parties said (the matters,
a session's record, the terms) nor a reason in words: only that the step was taken, by whom,
and its codes.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import Person
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.validators import normalize_resident_id, resident_id_error
from gridgov.mediation import workflow
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.clock import one_month_after
from gridgov.mediation.models import (
    AgreementForm,
    Case,
    CaseCodeCounter,
    CaseSource,
    CaseType,
    Channel,
    Committee,
    CommitteeKind,
    Diversion,
    FailureReason,
    FollowUp,
    Mediator,
    Party,
    PartyRole,
    Performance,
    Session,
    SessionKind,
)
from gridgov.mediation.services.common import clean_mobile, clean_text, invalid
from gridgov.mediation.workflow import CaseAction, CaseStatus

# --- Committees and mediators -------------------------------------------------------------------


def committee_create(*, actor, name: str, kind: str, org_code: str) -> Committee:
    """A committee serving `org_code`, kept by the justice officer of that area."""
    require(actor, Capability.SUPERVISE_MEDIATION)
    if not in_scope(actor, org_code):
        raise NotFound(_("No such org unit in your area."))
    if kind not in CommitteeKind.values:
        raise invalid("kind", _("Choose a kind of committee."))
    name = clean_text(name, field="name", limit=100)
    with transaction.atomic():
        if Committee.objects.filter(org_code=org_code, name=name).exists():
            raise DomainError(_("A committee of this name already serves this area."), ErrorCode.DUPLICATE,
                              {"name": [_("A committee of this name already serves this area.")]})
        committee = Committee.objects.create(name=name, kind=kind, org_code=org_code)
        audit_record(actor=actor, action=MediationAction.COMMITTEE_CREATE, obj=committee, object_repr=name,
                     org_code=org_code, changes={"kind": kind})
    return committee


def mediator_add(*, actor, committee: Committee, name: str, user=None, specialities=()) -> Mediator:
    """Seat a mediator on a committee: an active account of the area holding the mediator
    role (the seat opens the committee's named cases to it), or a member without an account."""
    require(actor, Capability.SUPERVISE_MEDIATION)
    if not in_scope(actor, committee.org_code):
        raise NotFound(_("No such committee in your area."))
    unknown = set(specialities) - set(CaseType.values)
    if unknown:
        raise invalid("specialities", _("Unknown kinds of dispute: %(kinds)s.") % {"kinds": ", ".join(sorted(unknown))})
    if user is not None:
        from gridgov.core.models import User

        if not user.is_active or not User.objects.visible_to(actor).filter(pk=user.pk).exists():
            raise NotFound(_("No such user in your area."))
        if not has_capability(user, Capability.MEDIATE_DISPUTES):
            raise invalid("user", _("This account does not hold the mediator role."))
    name = clean_text(name, field="name", limit=50)
    with transaction.atomic():
        seated = Mediator.objects.filter(committee=committee, is_active=True)
        if seated.filter(Q(name=name) | Q(user=user) if user is not None else Q(name=name)).exists():
            message = _("%(name)s sits on this committee already.") % {"name": name}
            raise DomainError(message, ErrorCode.DUPLICATE, {"name": [message]})
        mediator = Mediator.objects.create(committee=committee, user=user, name=name,
                                           specialities=sorted(set(specialities)), org_code=committee.org_code)
        audit_record(actor=actor, action=MediationAction.MEDIATOR_ADD, obj=mediator, object_repr=mediator.name,
                     org_code=committee.org_code, changes={"committee": committee.pk})
    return mediator


# --- Who may work a case ------------------------------------------------------------------------


def may_work_committee(user, committee: Committee) -> bool:
    """A mediator sitting on the committee, or a justice officer whose area it serves."""
    if has_capability(user, Capability.SUPERVISE_MEDIATION) and in_scope(user, committee.org_code):
        return True
    return has_capability(user, Capability.MEDIATE_DISPUTES) and committee.mediators.filter(
        user_id=user.pk, is_active=True).exists()


def _check_works(actor, committee: Committee) -> None:
    if not may_work_committee(actor, committee):
        raise Forbidden(_("Only the committee's mediators and the area's justice officers work its cases."))


# --- Opening a case -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartySpec:
    role: str
    person: Person | None = None
    name: str = ""
    resident_id: str = ""
    phone: str = ""


def _next_code(org_code: str, day: datetime.date) -> str:
    """`<county>-TJ<yyyy>-<seq>`: a row lock per county and year (cases are few: a province
    opens a few hundred a day)."""
    county = org_code[:6].ljust(6, "0")
    counter, _created = CaseCodeCounter.objects.select_for_update().get_or_create(county=county, year=day.year)
    CaseCodeCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{county}-TJ{day.year}-{counter.last:05d}"


MAX_PARTIES = 20


def _clean_one_party(actor, party: PartySpec) -> PartySpec:
    if party.role not in PartyRole.values:
        raise invalid("parties", _("A party is an applicant or a respondent."))
    if party.person is not None:
        if not in_scope(actor, party.person.org_code):  # named from the register: a person of the area
            raise NotFound(_("No such person in your area."))
        return PartySpec(role=party.role, person=party.person)  # named by the register
    phone = clean_mobile(party.phone, field="phone") if party.phone else ""
    resident_id = normalize_resident_id(party.resident_id)
    if resident_id:
        error = resident_id_error(resident_id)  # GB 11643: the length, the birth date, the check digit
        if error:
            raise invalid("resident_id", str(error))
    return PartySpec(role=party.role, name=clean_text(party.name, field="name", limit=50),
                     resident_id=resident_id, phone=phone)


def _clean_parties(actor, parties: list[PartySpec]) -> list[PartySpec]:
    if not any(p.role == PartyRole.APPLICANT for p in parties) or not any(
            p.role == PartyRole.RESPONDENT for p in parties):
        raise invalid("parties", _("A dispute needs at least one applicant and one respondent."))
    if len(parties) > MAX_PARTIES:
        raise invalid("parties", _("At most %(n)d parties.") % {"n": MAX_PARTIES})
    return [_clean_one_party(actor, party) for party in parties]


def _create_case(*, actor, committee: Committee, status: str, fields: dict, parties: list[PartySpec]) -> Case:
    today = timezone.localdate()
    case = Case.objects.create(
        code=_next_code(fields["org_code"], today), committee=committee, status=status,
        accepted_on=today if status == CaseStatus.ACCEPTED else None,
        deadline=one_month_after(today) if status == CaseStatus.ACCEPTED else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields,
    )
    Party.objects.bulk_create([Party(case=case, role=p.role, person=p.person, name=p.name,
                                     resident_id=p.resident_id, phone=p.phone) for p in parties])
    return case


def case_open(*, actor, committee: Committee, type: str, source: str, channel: str, org_code: str, matters: str,
              parties: list[PartySpec], event_id: int | None = None) -> Case:
    """A case the committee takes up (a party came or called, the committee stepped in, or an
    event of the grid was a dispute): accepted at once, the one-month clock running."""
    _check_works(actor, committee)
    if not org_code.startswith(committee.org_code) or not in_scope(actor, org_code):
        raise invalid("org_code", _("The place of the dispute is outside the committee's area."))
    if type not in CaseType.values:
        raise invalid("type", _("Choose a kind of dispute."))
    if source not in CaseSource.values or channel not in Channel.values:
        raise invalid("source", _("Say how the dispute came to the committee."))
    if source == CaseSource.EVENT:
        # an event the user reads (a mediator reads none: the desk hands disputes over,
        # case_from_event), a dispute of the committee's area, not linked to a case yet
        from gridgov.events import selectors as event_selectors
        from gridgov.events.services.handover import is_dispute

        if not event_id:
            raise invalid("event", _("Name the event of the committee's area the dispute was reported in."))
        event = event_selectors.access_event(actor, event_id)
        if not is_dispute(event) or not event.org_code.startswith(committee.org_code):
            raise invalid("event", _("Name the event of the committee's area the dispute was reported in."))
        if Case.objects.filter(event_id=event.pk).exists():
            raise DomainError(_("This event was handed over to mediation already."), ErrorCode.CONFLICT)
    matters = clean_text(matters, field="matters")
    cleaned = _clean_parties(actor, parties)
    with transaction.atomic():
        case = _create_case(actor=actor, committee=committee, status=CaseStatus.ACCEPTED, parties=cleaned, fields={
            "org_code": org_code, "type": type, "source": source, "channel": channel, "matters": matters,
            "event_id": event_id if source == CaseSource.EVENT else None,
        })
        audit_record(actor=actor, action=MediationAction.CASE_OPEN, obj=case, object_repr=case.code,
                     org_code=org_code, changes={"type": type, "source": source, "channel": channel,
                                                 "committee": committee.pk, "parties": len(cleaned),
                                                 "event": case.event_id})
    return case


# Letters and digits a person reads back over the phone without confusing them (no 0/O, 1/I/L).
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _tracking_code() -> str:
    return "TJ" + "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(10))


def committee_serving(org_code: str) -> Committee | None:
    """The nearest general committee above a place: its village's, else its township's, else
    its county's."""
    codes = ancestor_codes(org_code, include_self=True)
    general = (CommitteeKind.VILLAGE, CommitteeKind.TOWNSHIP, CommitteeKind.COUNTY)
    found = {c.org_code: c for c in Committee.objects.filter(org_code__in=codes, kind__in=general, is_active=True)
             .order_by("-id")}  # the oldest of an area last, so that it is the one kept
    return found[max(found, key=len)] if found else None


def case_request_online(*, type: str, org_code: str, matters: str, name: str, phone: str,
                        respondent_name: str = "") -> Case:
    """A resident asks for mediation online: the case waits for the committee that serves the
    place to accept it; the resident gets its tracking code."""
    from gridgov.core.models import OrgUnit

    if type not in CaseType.values:
        raise invalid("type", _("Choose a kind of dispute."))
    if not OrgUnit.objects.filter(code=org_code).exists():
        raise invalid("org_code", _("Choose the place of the dispute."))
    committee = committee_serving(org_code)
    if committee is None:
        raise invalid("org_code", _("No mediation committee serves this place yet. Call the township's justice office."))
    phone = clean_mobile(phone, field="phone")
    parties = [PartySpec(role=PartyRole.APPLICANT, name=clean_text(name, field="name", limit=50), phone=phone)]
    if (respondent_name or "").strip():
        parties.append(PartySpec(role=PartyRole.RESPONDENT, name=clean_text(respondent_name, field="respondent_name",
                                                                       limit=50)))
    with transaction.atomic():
        case = _create_case(actor=None, committee=committee, status=CaseStatus.REQUESTED, parties=parties, fields={
            "org_code": org_code, "type": type, "source": CaseSource.REQUEST, "channel": Channel.ONLINE,
            "matters": clean_text(matters, field="matters"), "tracking_code": _tracking_code(),
        })
        audit_record(actor=SystemActor("mediation_request"), action=MediationAction.CASE_REQUEST, obj=case,
                     object_repr=case.code, org_code=org_code,
                     changes={"type": type, "committee": committee.pk, "applicant": masking.mask_name(name)})
    return case


# --- The steps of a case ------------------------------------------------------------------------


def _may(actor, case: Case, action: str) -> None:
    """403 for a user who may never take `action` here, 409 when the case's status does not
    allow it: checked before the input, so that the answer does not depend on it."""
    if not workflow.user_may(actor, action):
        raise Forbidden(_("Your role may not do this to a mediation case."))
    _check_works(actor, case.committee)
    if not workflow.state_allows(case.status, action):
        raise DomainError(_("This case is %(status)s: this step is not possible now.")
                          % {"status": case.get_status_display()}, ErrorCode.ILLEGAL_TRANSITION)


def _needs_declared_mediator(case: Case) -> None:
    if case.mediator_id is None or case.no_conflict_declared_at is None:
        raise DomainError(_("First a mediator of the committee takes the case, declaring that they have no interest "
                            "in the dispute."), ErrorCode.ILLEGAL_TRANSITION)


# The steps a mediator takes only after declaring no interest in the dispute (art. 15).
DECLARED_STEPS = frozenset({CaseAction.RECORD_SESSION, CaseAction.SETTLE})


def check_step(actor, case: Case, action: str) -> None:
    """`_may` for callers that must refuse before reading a costly input (uploaded pages)."""
    _may(actor, case, action)


def _step(*, actor, case: Case, action: str, changes: dict | None = None, guard: dict | None = None,
          **fields) -> Case:
    """Take `action` on `case` (the table's target status), with `fields`, audited; a 409 also
    when another user changed the case first: a conditional update on what the step was
    decided on — the status, the committee and the mediator (a transfer or a new mediator
    meanwhile), the mediator's declaration for the steps that need it — and on `guard`."""
    _may(actor, case, action)
    target = workflow.target_of(action, case.status)
    unchanged = {"status": case.status, "committee_id": case.committee_id, "mediator_id": case.mediator_id}
    if action in DECLARED_STEPS:
        unchanged["no_conflict_declared_at__isnull"] = False
    with transaction.atomic():
        moved = Case.objects.filter(pk=case.pk, **{**unchanged, **(guard or {})}).update(
            status=target, updated_at=timezone.now(), **fields)
        if not moved:
            raise DomainError(_("Someone else changed this case meanwhile. Look at it again."), ErrorCode.CONFLICT)
        audit_record(actor=actor, action=MediationAction.CASE_STEP, obj=case, object_repr=case.code,
                     org_code=case.org_code,
                     changes={"action": action, "from": case.status, "to": target, **(changes or {})})
    case.refresh_from_db()
    return case


def _require_both_sides(case: Case) -> None:
    roles = set(case.parties.values_list("role", flat=True))
    if not {PartyRole.APPLICANT, PartyRole.RESPONDENT} <= roles:
        raise invalid("parties", _("Name at least one applicant and one respondent before accepting the case."))


def case_accept(*, actor, case: Case) -> Case:
    """The committee takes the dispute up (assessed as fit for people's mediation): the
    one-month clock starts."""
    _may(actor, case, CaseAction.ACCEPT)
    _require_both_sides(case)
    today = timezone.localdate()
    return _step(actor=actor, case=case, action=CaseAction.ACCEPT, accepted_on=today, deadline=one_month_after(today))


def case_decline(*, actor, case: Case, diversion: str, reason: str) -> Case:
    """Not for people's mediation (it is before a court, or by law for another authority; or
    it is no dispute at all): the parties are pointed to where it belongs, with the reason."""
    _may(actor, case, CaseAction.DECLINE)
    if diversion not in Diversion.values or diversion == Diversion.OTHER_COMMITTEE:
        raise invalid("diversion", _("Say where the dispute belongs instead."))
    reason = clean_text(reason, field="reason", limit=500)
    return _step(actor=actor, case=case, action=CaseAction.DECLINE, diversion=diversion, outcome_note=reason,
                 concluded_on=timezone.localdate(), changes={"diversion": diversion})


def case_transfer(*, actor, case: Case, committee: Committee, reason: str) -> Case:
    """Another committee takes the case over (a specialised committee, the place's own) whose
    area holds the place of the dispute; the reason is kept with the case, not in the audit."""
    _may(actor, case, CaseAction.TRANSFER)
    if committee.pk == case.committee_id or not committee.is_active:
        raise invalid("committee", _("Choose another, active committee."))
    if not case.org_code.startswith(committee.org_code):
        raise invalid("committee", _("The place of the dispute is outside the committee's area."))
    if not Committee.objects.visible_to(actor).filter(pk=committee.pk).exists():
        raise NotFound(_("No such committee in your area."))
    reason = clean_text(reason, field="reason", limit=500)
    return _step(actor=actor, case=case, action=CaseAction.TRANSFER, committee=committee, mediator=None,
                 no_conflict_declared_at=None, outcome_note=reason, guard={"committee_id": case.committee_id},
                 changes={"to_committee": committee.pk})


def case_assign(*, actor, case: Case, mediator: Mediator, no_conflict: bool) -> Case:
    """A mediator of the case's committee takes it, declaring that they are no party, nor a
    party's relative, nor otherwise interested in the dispute (a conflict of interest is a
    reason to withdraw, People's Mediation Law art. 15). A mediator with an account declares it
    themselves, taking the case; one assigned by someone else declares it when they take it up
    (assigning themselves), and until then no session is recorded."""
    _may(actor, case, CaseAction.ASSIGN)
    if mediator.committee_id != case.committee_id or not mediator.is_active:
        raise invalid("mediator", _("Choose an active mediator of the case's committee."))
    declares = mediator.user_id is None or mediator.user_id == actor.pk
    if declares and not no_conflict:
        raise invalid("no_conflict", _("The mediator must declare that they have no interest in the dispute."))
    return _step(actor=actor, case=case, action=CaseAction.ASSIGN, mediator=mediator,
                 no_conflict_declared_at=timezone.now() if declares else None,
                 guard={"committee_id": case.committee_id}, changes={"mediator": mediator.pk, "declared": declares})


def session_record(*, actor, case: Case, held_on: datetime.date, place: str, record: str,
                   attendees: str = "", kind: str = SessionKind.MEDIATION) -> Session:
    """A session of mediation and its record (调解笔录), or an investigation (调查笔录); the
    first one starts the mediation."""
    _may(actor, case, CaseAction.RECORD_SESSION)
    if kind not in SessionKind.values:
        raise invalid("kind", _("A session of mediation or an investigation."))
    _needs_declared_mediator(case)
    if held_on > timezone.localdate():
        raise invalid("date", _("A session is recorded once it was held."))
    if case.accepted_on and held_on < case.accepted_on:
        raise invalid("date", _("The session is before the case was accepted."))
    place, record = clean_text(place, field="place", limit=100), clean_text(record, field="record")
    attendees = clean_text(attendees, field="attendees", required=False, limit=300)
    with transaction.atomic():
        case = _step(actor=actor, case=case, action=CaseAction.RECORD_SESSION, changes={"held_on": str(held_on)})
        session = Session.objects.create(case=case, kind=kind, held_on=held_on, place=place, attendees=attendees,
                                         record=record, recorded_by=actor)
    return session


def case_extend(*, actor, case: Case, until: datetime.date | None, applicant_consents: bool,
                respondent_consents: bool) -> Case:
    """More time past the month, only with both parties' consent, asked for before it ran out,
    once, and at most one month more."""
    _may(actor, case, CaseAction.EXTEND)
    if case.deadline is not None and case.deadline < timezone.localdate():
        raise DomainError(_("The time limit has passed: the case concludes (the time ran out) or the parties ask "
                            "anew."), ErrorCode.CONFLICT)
    if not (applicant_consents and respondent_consents):
        raise invalid("consent", _("Both parties must agree to more time."))
    if case.extended_at is not None:
        raise DomainError(_("This case was extended already."), ErrorCode.CONFLICT)
    if case.deadline is None or until is None or until <= case.deadline or until > one_month_after(case.deadline):
        raise invalid("until", _("Choose a date after the current time limit, at most one month later."))
    return _step(actor=actor, case=case, action=CaseAction.EXTEND, deadline=until, extended_at=timezone.now(),
                 guard={"extended_at__isnull": True}, changes={"until": str(until)})


class Result:
    AGREEMENT = "agreement"
    FAILED = "failed"
    REFERRED = "referred"
    CHOICES = (AGREEMENT, FAILED, REFERRED)


FOLLOW_UP_AFTER_DAYS = 15  # an agreement without a date of performance is followed up after


def case_conclude(*, actor, case: Case, result: str, terms: str = "", form: str = AgreementForm.WRITTEN,
                  reason: str = "", note: str = "", diversion: str = "", responsibilities: str = "",
                  performance_due: datetime.date | None = None) -> Case:
    """The outcome: an agreement (the facts and each side's responsibility, the terms: what
    each side does, how and by when), a failure with its reason, or a referral to where the
    dispute belongs (also of an agreement found breached). An oral agreement takes effect at
    once and its follow-up visit is scheduled; a written one when it is signed (`agreement_sign`)."""
    today = timezone.localdate()
    if result == Result.AGREEMENT:
        _may(actor, case, CaseAction.SETTLE)
        _needs_declared_mediator(case)
        if form not in AgreementForm.values:
            raise invalid("form", _("Say whether the agreement is written or oral."))
        terms = clean_text(terms, field="terms")
        responsibilities = clean_text(responsibilities, field="responsibilities", required=False)
        if performance_due is not None and not today <= performance_due <= today + datetime.timedelta(days=3660):
            raise invalid("performance_due", _("The date of performance is from today, within ten years."))
        with transaction.atomic():
            case = _step(actor=actor, case=case, action=CaseAction.SETTLE, terms=terms,
                         responsibilities=responsibilities, performance_due=performance_due, agreement_form=form,
                         concluded_on=today, changes={"form": form},
                         agreement_effective_on=today if form == AgreementForm.ORAL else None)
            if form == AgreementForm.ORAL:
                schedule_follow_up(case, from_day=today)
        return case
    if result == Result.FAILED:
        _may(actor, case, CaseAction.FAIL)
        if reason not in FailureReason.values:
            raise invalid("reason", _("Choose why the mediation failed."))
        return _step(actor=actor, case=case, action=CaseAction.FAIL, failure_reason=reason, concluded_on=today,
                     outcome_note=clean_text(note, field="note", required=False, limit=500), changes={"reason": reason})
    if result == Result.REFERRED:
        _may(actor, case, CaseAction.REFER)
        if case.status == CaseStatus.SETTLED and case.performance != Performance.BREACHED:
            raise DomainError(_("A settled case is referred only when a follow-up visit found its agreement breached."),
                              ErrorCode.ILLEGAL_TRANSITION)
        if diversion not in Diversion.values or diversion == Diversion.NONE:
            raise invalid("diversion", _("Say where the dispute is referred to."))
        return _step(actor=actor, case=case, action=CaseAction.REFER, diversion=diversion, concluded_on=today,
                     outcome_note=clean_text(note or reason, field="reason", limit=500), changes={"diversion": diversion})
    raise invalid("result", _("The result is an agreement, a failure or a referral."))


def schedule_follow_up(case: Case, *, from_day: datetime.date) -> FollowUp:
    """The follow-up visit of an agreement in effect: on its date of performance, else
    `FOLLOW_UP_AFTER_DAYS` after `from_day`."""
    due = case.performance_due or from_day + datetime.timedelta(days=FOLLOW_UP_AFTER_DAYS)
    return FollowUp.objects.create(case=case, due_on=max(due, from_day))


def party_add(*, actor, case: Case, party: PartySpec) -> Party:
    """A party named after the case was opened (one handed over from an event or found in a
    screening names none yet; a third party joins)."""
    _may(actor, case, CaseAction.ADD_PARTY)
    cleaned = _clean_one_party(actor, party)
    with transaction.atomic():
        if Case.objects.filter(pk=case.pk).select_for_update().values_list(
                "status", "committee_id").first() != (case.status, case.committee_id):
            raise DomainError(_("Someone else changed this case meanwhile. Look at it again."), ErrorCode.CONFLICT)
        if case.parties.count() >= MAX_PARTIES:
            raise invalid("parties", _("At most %(n)d parties.") % {"n": MAX_PARTIES})
        added = Party.objects.create(case=case, role=cleaned.role, person=cleaned.person, name=cleaned.name,
                                     resident_id=cleaned.resident_id, phone=cleaned.phone)
        audit_record(actor=actor, action=MediationAction.CASE_STEP, obj=case, object_repr=case.code,
                     org_code=case.org_code, changes={"action": CaseAction.ADD_PARTY, "role": cleaned.role,
                                                      "register": cleaned.person is not None})
    return added


def case_from_event(*, actor, event_id, committee: Committee | None = None) -> Case:
    """The grid centre's desk hands a dispute reported in the loop to people's mediation: a
    case asked of the committee (by default the one serving the place), with the report as its
    matters and no parties yet; the event is closed in the loop, naming the case."""
    from gridgov.events.services.handover import event_hand_over, lock_for_hand_over

    with transaction.atomic():
        event = lock_for_hand_over(actor=actor, event_id=event_id)
        if committee is None:
            committee = committee_serving(event.org_code)
            if committee is None:
                raise invalid("committee", _("No mediation committee serves this place yet."))
        elif not committee.is_active or not event.org_code.startswith(committee.org_code):
            raise invalid("committee", _("The place of the dispute is outside the committee's area."))
        case_type = EVENT_CASE_TYPES.get(event.category.code, CaseType.OTHER)
        case = _create_case(actor=actor, committee=committee, status=CaseStatus.REQUESTED, parties=[], fields={
            "org_code": event.org_code, "type": case_type, "source": CaseSource.EVENT, "channel": Channel.GRID,
            "matters": event.description, "event_id": event.pk,
        })
        event_hand_over(actor=actor, event=event, case_code=case.code, committee_name=committee.name)
        audit_record(actor=actor, action=MediationAction.CASE_OPEN, obj=case, object_repr=case.code,
                     org_code=case.org_code, changes={"type": case_type, "source": CaseSource.EVENT,
                                                      "committee": committee.pk, "event": event.pk})
    return case


# The event loop's dispute categories (events/catalog.py) and the kind of case each becomes.
EVENT_CASE_TYPES = {"dispute.neighbour": CaseType.NEIGHBOUR, "dispute.family": CaseType.FAMILY,
                    "dispute.labour": CaseType.LABOUR, "dispute.property": CaseType.PROPERTY}


def person_merge_mediation_references(*, keep: Person, duplicate: Person, actor) -> dict:
    """Parties named by the duplicate record are the kept one's (a core merge hook)."""
    return {"mediation_parties": Party.objects.filter(person=duplicate).update(person=keep)}
