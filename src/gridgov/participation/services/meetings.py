"""Writes of village meetings: a meeting recorded (with its officials and photos), the
households present (credited by the meeting's points rule, once each), each concern raised and
how it is dealt with, and the service days of the officials assigned to villages.

The meeting is recorded by a grid worker of the village or its grid leader (a cell's worker
records the meetings of the village its cells are in). Each write is audited in its
transaction; a concern's owner with an account is told after the commit.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.images import store_on_commit
from gridgov.core.notifications import Subject, notify, register_kind
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.service_input import clean_text, invalid
from gridgov.participation.audit_actions import MeetingAction
from gridgov.participation.models import (
    Concern,
    ConcernRoute,
    ConcernStatus,
    MeetingAttendance,
    MeetingOfficial,
    MeetingPhoto,
    ServiceDay,
    VillageLiaison,
    VillageMeeting,
)

MAX_OFFICIALS, MAX_PHOTOS = 30, 12
CONCERN_OWNED = "meeting_concern_owned"
register_kind(CONCERN_OWNED, gettext_lazy("A concern of a village meeting given to you"))


def near(actor, org_code: str) -> bool:
    """The village is the actor's area, or the actor's cells are in it."""
    scope = getattr(actor, "scope_code", "") or ""
    return bool(scope) and (org_code.startswith(scope) or scope.startswith(org_code))


def _records(actor, org_code: str) -> None:
    require(actor, Capability.RECORD_MEETINGS)
    if not near(actor, org_code):
        raise NotFound(_("No such village meeting in your area."))


def meeting_record(*, actor, org_code: str, held_on: datetime.date, place: str, convenor: str, attendance: int,
                   minutes: str = "", officials=(), earning_rule=None, photos=()) -> VillageMeeting:
    """A meeting held in a village: `officials` as (name, post) pairs; `photos` checked by
    `core.images.check_images`; `earning_rule` a rule of the village's points bank."""
    from gridgov.core.models import OrgLevel, OrgUnit

    _records(actor, org_code)
    if not OrgUnit.objects.filter(code=org_code, level=OrgLevel.VILLAGE).exists():
        raise invalid("org_code", _("Choose the village the meeting was held in."))
    if not isinstance(held_on, datetime.date) or held_on > timezone.localdate():
        raise invalid("held_on", _("The day the meeting was held, not in the future."))
    if isinstance(attendance, bool) or not isinstance(attendance, int) or not 0 <= attendance <= 10_000:
        raise invalid("attendance", _("How many residents came: from 0 to 10000."))
    officials = [(clean_text(n, field="officials", limit=50), clean_text(t, field="officials", limit=50,
                                                                         required=False)) for n, t in officials]
    if len(officials) > MAX_OFFICIALS:
        raise invalid("officials", _("At most %(n)d officials.") % {"n": MAX_OFFICIALS})
    if earning_rule is not None and not (earning_rule.is_active and org_code.startswith(earning_rule.bank.org_code)):
        raise invalid("earning_rule", _("Choose a rule of the village's points bank."))
    if len(photos) > MAX_PHOTOS:
        raise invalid("photos", _("At most %(n)d photos.") % {"n": MAX_PHOTOS})
    with transaction.atomic():
        meeting = VillageMeeting.objects.create(
            org_code=org_code, held_on=held_on, place=clean_text(place, field="place", limit=100),
            convenor=clean_text(convenor, field="convenor", limit=50), attendance=attendance,
            minutes=clean_text(minutes, field="minutes", limit=10_000, required=False), earning_rule=earning_rule,
            recorded_by=actor)
        MeetingOfficial.objects.bulk_create([MeetingOfficial(meeting=meeting, name=n, title=t) for n, t in officials])
        for n, photo in enumerate(photos):
            row = MeetingPhoto(meeting=meeting, uploaded_by=actor)
            store_on_commit(row, "image", f"meeting-{meeting.pk}-{n}{photo.extension}", photo.content)
            row.save()
        audit_record(actor=actor, action=MeetingAction.RECORD, obj=meeting, object_repr=str(meeting),
                     org_code=org_code, changes={"attendance": attendance, "officials": len(officials)})
    return meeting


def attendance_record(*, actor, meeting: VillageMeeting, accounts) -> int:
    """Households present, by their points accounts at the village's bank; each credited by the
    meeting's rule once (the ledger's source key). Returns how many were added."""
    from gridgov.participation.services.points import award

    _records(actor, meeting.org_code)
    accounts = list(accounts)
    if any(a.kind != "household" or not a.org_code.startswith(meeting.org_code) for a in accounts):
        raise invalid("accounts", _("Choose households of the meeting's village."))
    added = 0
    with transaction.atomic():
        for account in accounts:
            try:
                with transaction.atomic():
                    MeetingAttendance.objects.create(meeting=meeting, account=account)
            except IntegrityError:
                continue  # recorded already
            added += 1
            rule = meeting.earning_rule
            if rule is not None and account.bank_id == rule.bank_id:
                award(account=account, amount=rule.points, rule=rule, actor=actor,
                      reason=_("Village meeting of %(day)s") % {"day": meeting.held_on.isoformat()},
                      source_key=f"meeting:{meeting.pk}:{account.pk}")
        audit_record(actor=actor, action=MeetingAction.ATTENDANCE, obj=meeting, object_repr=str(meeting),
                     org_code=meeting.org_code, changes={"households": added})
    return added


# --- Concerns -----------------------------------------------------------------------------------


def concern_add(*, actor, meeting: VillageMeeting, summary: str, route: str, owner: str = "", owner_user=None,
                deadline: datetime.date | None = None, resolution: str = "", event=None, project=None) -> Concern:
    """A concern raised at the meeting and how it is dealt with: resolved on the spot (with how),
    given to an owner (a name, and the owner's account to tell it) with a deadline, handed to the
    events loop (an event reported for it, by its code), or made part of a project."""
    _records(actor, meeting.org_code)
    summary = clean_text(summary, field="summary", limit=300)
    if route not in ConcernRoute.values:
        raise invalid("route", _("Choose how the concern is dealt with."))
    if owner_user is not None and not owner_user.is_active:
        raise invalid("owner_user", _("Choose an active account."))
    fields = {"owner": clean_text(owner, field="owner", limit=60, required=False), "owner_user": owner_user}
    if route == ConcernRoute.ON_THE_SPOT:
        fields.update(status=ConcernStatus.RESOLVED, resolved_on=meeting.held_on,
                      resolution=clean_text(resolution, field="resolution", limit=300))
    elif route == ConcernRoute.OWNER:
        if not fields["owner"] and owner_user is None:
            raise invalid("owner", _("Name who deals with it."))
        if not isinstance(deadline, datetime.date) or deadline < meeting.held_on:
            raise invalid("deadline", _("The day by which it is resolved, after the meeting."))
        fields["deadline"] = deadline
    elif route == ConcernRoute.EVENT:
        if event is None or not event.org_code.startswith(meeting.org_code):
            raise invalid("event", _("Give the code of an event reported in this village."))
        fields["event"] = event
    else:
        if project is None or not (meeting.org_code.startswith(project.org_code)
                                   or project.org_code.startswith(meeting.org_code)):
            raise invalid("project", _("Choose a project of this area."))
        fields["project"] = project
    with transaction.atomic():
        concern = Concern.objects.create(meeting=meeting, org_code=meeting.org_code, summary=summary, route=route,
                                         **fields)
        audit_record(actor=actor, action=MeetingAction.CONCERN, obj=concern, object_repr=summary[:60],
                     org_code=meeting.org_code, changes={"route": route})
        if owner_user is not None:
            notify(kind=CONCERN_OWNED, text=_("A concern of the village meeting of %(day)s is yours to resolve by "
                                              "%(deadline)s: %(summary)s"),
                   params={"day": meeting.held_on.isoformat(), "deadline": str(deadline or ""), "summary": summary},
                   recipients=[owner_user], link=reverse("meetings-meeting", args=[meeting.pk]),
                   org_code=meeting.org_code, subject=Subject("participation.meeting", meeting.pk, str(meeting)))
    return concern


def concern_resolve(*, actor, concern: Concern, resolution: str) -> Concern:
    """A concern given to an owner is resolved: how, and the day."""
    if not (getattr(actor, "pk", None) and concern.owner_user_id == actor.pk):
        _records(actor, concern.org_code)
    if concern.route != ConcernRoute.OWNER:
        raise DomainError(_("This concern follows its event or project."), ErrorCode.ILLEGAL_TRANSITION)
    resolution = clean_text(resolution, field="resolution", limit=300)
    with transaction.atomic():
        if not Concern.objects.filter(pk=concern.pk, status=ConcernStatus.OPEN).update(
                status=ConcernStatus.RESOLVED, resolution=resolution, resolved_on=timezone.localdate()):
            raise DomainError(_("This concern was resolved already."), ErrorCode.ILLEGAL_TRANSITION)
        concern.refresh_from_db()
        audit_record(actor=actor, action=MeetingAction.CONCERN_RESOLVE, obj=concern, object_repr=concern.summary[:60],
                     org_code=concern.org_code)
    return concern


# --- Officials assigned to villages -------------------------------------------------------------


def liaison_assign(*, actor, user, org_code: str, starts_on: datetime.date) -> VillageLiaison:
    """An official is assigned to a village (包村干部) from a day."""
    from gridgov.core.models import OrgLevel, OrgUnit

    require(actor, Capability.MANAGE_LIAISONS)
    if not in_scope(actor, org_code) or not OrgUnit.objects.filter(code=org_code, level=OrgLevel.VILLAGE).exists():
        raise NotFound(_("No such village in your area."))
    if user is None or not user.is_active:
        raise invalid("user", _("Choose an active account."))
    try:
        with transaction.atomic():
            liaison = VillageLiaison.objects.create(user=user, org_code=org_code, starts_on=starts_on)
            audit_record(actor=actor, action=MeetingAction.LIAISON, obj=liaison, object_repr=user.username,
                         org_code=org_code)
    except IntegrityError:
        raise invalid("user", _("This official is assigned to this village already.")) from None
    return liaison


def service_day_record(*, actor, liaison: VillageLiaison, on_date: datetime.date, note: str) -> ServiceDay:
    """The official itself records a day it served in its village (one record per day)."""
    if liaison.user_id != getattr(actor, "pk", None) or liaison.ends_on is not None:
        raise NotFound(_("No such assignment of yours."))
    today = timezone.localdate()
    if not isinstance(on_date, datetime.date) or not liaison.starts_on <= on_date <= today:
        raise invalid("on_date", _("A day since the assignment, not in the future."))
    try:
        with transaction.atomic():
            day = ServiceDay.objects.create(liaison=liaison, on_date=on_date,
                                            note=clean_text(note, field="note", limit=200))
            audit_record(actor=actor, action=MeetingAction.SERVICE_DAY, obj=liaison, object_repr=actor.username,
                         org_code=liaison.org_code, changes={"day": on_date.isoformat()})
    except IntegrityError:
        raise invalid("on_date", _("This day is recorded already.")) from None
    return day

