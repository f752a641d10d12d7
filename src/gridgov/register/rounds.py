"""Update rounds: every household of an area on its grid worker's checklist; changes are
proposed, and applied only when a screener signs them off.
"""

from __future__ import annotations

import datetime
import json

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor, require_actor
from gridgov.core.audit import audit_record
from gridgov.core.concurrency import conflict_on_integrity_error
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import GridAssignment, OrgUnit, Person
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.services import person_create
from gridgov.register import services
from gridgov.register.audit_actions import RoundAction
from gridgov.register.models import (
    ChangeSource,
    ChecklistItem,
    Household,
    LeaveReason,
    Membership,
    Place,
    PlaceInspection,
    ProposedEdit,
    Relation,
    ResidenceType,
    RoundKind,
    RoundSchedule,
    UpdateRound,
)
from gridgov.register.workflow import (
    DONE_STATES,
    EDIT_TRANSITIONS,
    ITEM_TRANSITIONS,
    NO_OPEN_ROUND,
    ROUND_TRANSITIONS,
    EditDecision,
    ItemAction,
    RoundStep,
    take,
)

S = ChecklistItem.Status


# RoundAction (the audit actions) lives in register/audit_actions.py, imported above.


# The kinds of change a grid worker may propose, and the fields each carries.
EDIT_KINDS = {
    "person_contact": {"name", "phone", "address"},
    "member_add": {"person", "new_person", "relation", "residence_type", "moved_in_on"},
    "member_leave": {"on", "reason"},
    "member_update": {"relation", "residence_type"},
    "death": {"died_on"},
    "household": {"address"},
}


def round_open(*, actor, org_code: str, title: str, starts_on: datetime.date, due_on: datetime.date,
               kind: str = RoundKind.HOUSEHOLDS) -> UpdateRound:
    """Open a round over an area: one checklist item per current household (or, for an
    inspection round, one inspection per open place), for the grid worker of its cell."""
    require(actor, ROUND_TRANSITIONS[RoundStep.OPEN].capability)
    errors: dict[str, list[str]] = {}
    if not OrgUnit.objects.filter(code=org_code).exists():
        errors["org_code"] = [_("No org unit with this code.")]
    if not (title or "").strip():
        errors["title"] = [_("A title is required.")]
    if due_on < starts_on:
        errors["due_on"] = [_("The due date is before the start date.")]
    if kind not in RoundKind.values:
        errors["kind"] = [_("Choose the kind of round.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    if not in_scope(actor, org_code):
        raise Forbidden(_("This lies outside your area."))
    return _create_round(actor=actor, org_code=org_code, title=title.strip(), starts_on=starts_on, due_on=due_on,
                         kind=kind)


def _create_round(*, actor, org_code: str, title: str, starts_on: datetime.date, due_on: datetime.date,
                  kind: str = RoundKind.HOUSEHOLDS) -> UpdateRound:
    """The write shared by an officer opening a round and the scheduler (a `SystemActor`):
    `ROUND_TRANSITIONS`' open, from the area's state (an open round of the kind, or none)."""
    require_actor(actor)
    with transaction.atomic():
        # The area's row, locked, serialises two opens of one area: without it both could see
        # no open round and each open one.
        OrgUnit.objects.select_for_update().filter(code=org_code).first()
        already_open = UpdateRound.objects.filter(org_code=org_code, kind=kind, status=UpdateRound.Status.OPEN).exists()
        status = take(ROUND_TRANSITIONS, RoundStep.OPEN, UpdateRound.Status.OPEN if already_open else NO_OPEN_ROUND,
                      actor=actor, message=_("A round is already open for this area; close it first."),
                      code=ErrorCode.CONFLICT)
        with conflict_on_integrity_error(_("A round is already open for this area; close it first.")), \
                transaction.atomic():
            update_round = UpdateRound.objects.create(
                org_code=org_code, title=title, starts_on=starts_on, due_on=due_on, kind=kind, status=status,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        worker_by_cell: dict[str, int] = {}
        for cell_code, user_id in (
            GridAssignment.objects.filter(cell__code__startswith=org_code).order_by("cell_id", "id")
            .values_list("cell_id", "user_id")
        ):
            worker_by_cell.setdefault(cell_code, user_id)
        if kind == RoundKind.PLACES:
            places = Place.objects.in_subtree(org_code).filter(closed_on__isnull=True).values_list("pk", "org_code")
            PlaceInspection.objects.bulk_create(
                (PlaceInspection(round=update_round, place_id=pk, org_code=code, assignee_id=worker_by_cell.get(code))
                 for pk, code in places.iterator(chunk_size=2000)),
                batch_size=1000,
            )
            count = update_round.inspections.count()
        else:
            households = (Household.objects.in_subtree(org_code).filter(dissolved_on__isnull=True)
                          .values_list("pk", "org_code"))
            ChecklistItem.objects.bulk_create(
                (ChecklistItem(round=update_round, household_id=pk, org_code=code, assignee_id=worker_by_cell.get(code))
                 for pk, code in households.iterator(chunk_size=2000)),
                batch_size=1000,
            )
            count = update_round.items.count()
        audit_record(actor=actor, action=RoundAction.OPEN, obj=update_round, org_code=org_code,
                     changes={"kind": kind, "items": count, "due_on": due_on.isoformat()})
    return update_round


def round_close(*, actor, update_round: UpdateRound) -> UpdateRound:
    require(actor, ROUND_TRANSITIONS[RoundStep.CLOSE].capability)
    if not in_scope(actor, update_round.org_code):
        raise NotFound()
    with transaction.atomic():
        update_round = UpdateRound.objects.select_for_update().get(pk=update_round.pk)
        status = take(ROUND_TRANSITIONS, RoundStep.CLOSE, update_round.status, actor=actor,
                      message=_("This round is already closed."), code=ErrorCode.CONFLICT)
        if ProposedEdit.objects.filter(item__round=update_round, status=ProposedEdit.Status.PROPOSED).exists():
            raise DomainError(_("Some proposed changes still await sign-off."), ErrorCode.CONFLICT)
        update_round.status = status
        update_round.closed_at = timezone.now()
        update_round.save(update_fields=["status", "closed_at"])
        audit_record(actor=actor, action=RoundAction.CLOSE, obj=update_round, org_code=update_round.org_code)
    return update_round


def rounds_open_due(*, today: datetime.date | None = None) -> list[UpdateRound]:
    """Open the rounds whose schedule is due (run daily by a task). Acts as the system."""
    today = today or timezone.localdate()
    opened = []
    for schedule in RoundSchedule.objects.filter(is_active=True).order_by("org_code"):
        if schedule.last_opened_on and (today - schedule.last_opened_on).days < schedule.every_days:
            continue
        if UpdateRound.objects.filter(org_code=schedule.org_code, kind=RoundKind.HOUSEHOLDS,
                                      status=UpdateRound.Status.OPEN).exists():
            continue
        opened.append(_round_open_as_system(schedule, today))
    return opened


def _round_open_as_system(schedule: RoundSchedule, today: datetime.date) -> UpdateRound:
    with transaction.atomic():
        update_round = _create_round(
            actor=SystemActor("register_rounds"), org_code=schedule.org_code,
            title=_("Register update %(date)s") % {"date": today.isoformat()},
            starts_on=today, due_on=today + datetime.timedelta(days=schedule.days_to_complete),
        )
        schedule.last_opened_on = today
        schedule.save(update_fields=["last_opened_on"])
    return update_round


def _access_own_item(actor, item: ChecklistItem) -> ChecklistItem:
    require(actor, Capability.PROPOSE_REGISTER_EDITS)
    if item.assignee_id != actor.pk and not in_scope(actor, item.org_code):
        raise NotFound()
    if item.round.status != UpdateRound.Status.OPEN:
        raise DomainError(_("This round is closed."), ErrorCode.CONFLICT)
    return item


def _move(item: ChecklistItem, action: str, *, actor) -> None:
    """The only change of an item's status: `action`'s edge in `workflow.ITEM_TRANSITIONS`
    (403 without its capability, 409 from a status it does not leave)."""
    target = ITEM_TRANSITIONS[action].target
    item.status = take(ITEM_TRANSITIONS, action, item.status, actor=actor, message=(
        _("This household cannot go from “%(from)s” to “%(to)s”.")
        % {"from": S(item.status).label, "to": S(target).label}))


def item_confirm_unchanged(*, actor, item: ChecklistItem, note: str = "") -> ChecklistItem:
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update(of=("self",)).select_related("round").get(pk=item.pk)
        _access_own_item(actor, item)
        _move(item, ItemAction.CONFIRM, actor=actor)
        item.checked_at = timezone.now()
        item.note = (note or "")[:300]
        item.save(update_fields=["status", "checked_at", "note"])
        audit_record(actor=actor, action=RoundAction.ITEM_CONFIRM, obj=item, org_code=item.org_code)
    return item


def _check_edit(index: int, edit: dict, household: Household) -> list[str]:
    """Problems with one proposed edit; empty if it is well formed."""
    kind = edit.get("kind")
    if kind not in EDIT_KINDS:
        return [_("Unknown kind of change.")]
    values = edit.get("values") or {}
    unknown = set(values) - EDIT_KINDS[kind]
    if unknown:
        return [_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}]
    target = edit.get("target")
    members = {m.pk: m for m in household.memberships.filter(is_current=True)}
    person_ids = {m.person_id for m in members.values()}
    if kind in {"member_leave", "member_update"} and target not in members:
        return [_("Choose a current member of this household.")]
    if kind in {"person_contact", "death"} and target not in person_ids:
        return [_("Choose a current member of this household.")]
    if kind == "member_add":
        if not values.get("person") and not values.get("new_person"):
            return [_("Choose a registered person or enter a new one.")]
        if values.get("relation") not in Relation.values or values.get("residence_type") not in ResidenceType.values:
            return [_("Give the relation to the head and the residence type.")]
    if kind == "member_leave" and (values.get("reason") not in {LeaveReason.MOVED_OUT, LeaveReason.CORRECTION}
                                   or not parse_date(str(values.get("on") or ""))):
        return [_("Give the move-out date and reason.")]
    if kind == "death" and not parse_date(str(values.get("died_on") or "")):
        return [_("Give the date of death.")]
    if not values and kind not in {"death"}:
        return [_("Nothing to change.")]
    return []


def item_propose_edits(*, actor, item: ChecklistItem, edits: list[dict], note: str = "") -> list[ProposedEdit]:
    """Propose changes to a household; each is checked now and applied only at sign-off."""
    with transaction.atomic():
        item = ChecklistItem.objects.select_for_update(of=("self",)).select_related("round", "household").get(pk=item.pk)
        _access_own_item(actor, item)
        errors = {f"edits.{i}": problems for i, e in enumerate(edits) if (problems := _check_edit(i, e, item.household))}
        if not edits:
            errors["edits"] = [_("Propose at least one change, or confirm the household as unchanged.")]
        if errors:
            raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
        _move(item, ItemAction.PROPOSE, actor=actor)
        item.checked_at = timezone.now()
        item.note = (note or "")[:300]
        item.save(update_fields=["status", "checked_at", "note"])
        created = ProposedEdit.objects.bulk_create(
            ProposedEdit(item=item, kind=e["kind"], target_id=e.get("target"),
                         payload=json.dumps(e.get("values") or {}, ensure_ascii=False, default=str), proposed_by=actor)
            for e in edits
        )
        audit_record(actor=actor, action=RoundAction.ITEM_PROPOSE, obj=item, org_code=item.org_code,
                     changes={"kinds": [e["kind"] for e in edits]})
    return created


def _apply(edit: ProposedEdit, *, screener) -> None:
    """Carry out an approved edit through the register services, as the proposer, signed off."""
    values = json.loads(edit.payload)
    household = edit.item.household
    common = {"actor": edit.proposed_by, "source": ChangeSource.ROUND, "approved_by": screener}
    if edit.kind == "person_contact":
        services.person_change_contact(person=Person.objects.get(pk=edit.target_id), **common, **values)
    elif edit.kind == "death":
        services.person_record_death(person=Person.objects.get(pk=edit.target_id),
                                     died_on=parse_date(values["died_on"]), **common)
    elif edit.kind == "household":
        services.household_update(household=household, **common, **values)
    elif edit.kind == "member_update":
        services.member_update(membership=Membership.objects.get(pk=edit.target_id), **common, **values)
    elif edit.kind == "member_leave":
        services.member_leave(membership=Membership.objects.get(pk=edit.target_id), on=parse_date(values["on"]),
                              reason=values["reason"], **common)
    elif edit.kind == "member_add":
        if values.get("person"):
            person = Person.objects.filter(pk=values["person"], merged_into__isnull=True).first()
            if person is None or not in_scope(screener, person.org_code):
                raise DomainError(_("The proposed person is not registered in your area."))
        else:
            person = person_create(actor=screener, org_code=household.org_code, **values["new_person"])
        spec = services.MemberSpec(person=person, relation=values["relation"],
                                   residence_type=values["residence_type"],
                                   moved_in_on=parse_date(str(values.get("moved_in_on") or "")))
        services.member_add(household=household, spec=spec, move_from_current=True, **common)


def edit_decide(*, actor, edit: ProposedEdit, approve: bool, note: str = "") -> ProposedEdit:
    """A screener approves (and so applies) or rejects one proposed edit (`EDIT_TRANSITIONS`)."""
    decision = EditDecision.APPROVE if approve else EditDecision.REJECT
    require(actor, EDIT_TRANSITIONS[decision].capability)
    with transaction.atomic():
        edit = ProposedEdit.objects.select_for_update(of=("self",)).select_related("item__round", "item__household",
                                                                       "proposed_by").get(pk=edit.pk)
        if not in_scope(actor, edit.item.org_code):
            raise NotFound()
        if edit.proposed_by_id == actor.pk:
            raise Forbidden(_("Someone else must sign off your own proposals."))
        status = take(EDIT_TRANSITIONS, decision, edit.status, actor=actor,
                      message=_("This change has already been decided."), code=ErrorCode.CONFLICT)
        if not approve and not (note or "").strip():
            raise DomainError(_("Say why the change is returned."), ErrorCode.INVALID,
                              {"note": [_("A reason is required.")]})
        if approve:
            _apply(edit, screener=actor)
        edit.status = status
        edit.decided_by = actor
        edit.decided_at = timezone.now()
        edit.decision_note = (note or "")[:300]
        edit.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        item = ChecklistItem.objects.select_for_update().get(pk=edit.item_id)
        pending = item.edits.filter(status=ProposedEdit.Status.PROPOSED).exists()
        if not pending:
            rejected = item.edits.filter(status=ProposedEdit.Status.REJECTED, decided_at__gte=item.checked_at).exists()
            _move(item, ItemAction.RETURN if rejected else ItemAction.SIGN_OFF, actor=actor)
            item.save(update_fields=["status"])
        audit_record(actor=actor, action=RoundAction.EDIT_DECIDE, obj=item, org_code=item.org_code,
                     changes={"edit": edit.pk, "kind": edit.kind, "approved": approve})
    return edit


def is_done(status: str) -> bool:
    return status in DONE_STATES
