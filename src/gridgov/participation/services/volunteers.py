"""Writes of volunteering: the organiser's registry, activities and shifts; a volunteer's
sign-ups (by itself, or by the organiser for it), check-in and check-out, and the hours served
with their approval, which credits the household's points by the activity's rule.

A shift's places are taken by one guarded update of its counter (`taken < capacity`) in the
transaction that writes the sign-up, and given back the same way; the check constraint of the
table is the last guard, so that the shift never holds more people than it has places, from
the pages or the API, under any number of concurrent requests (a full shift: a 409 `full`).
Every change of state reads its table in workflow.py and moves the row by a guarded update.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.notifications import Subject, notify, register_kind
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.service_input import clean_mobile, clean_text, invalid
from gridgov.participation.audit_actions import VolunteerAction
from gridgov.participation.models import (
    MAX_MINUTES,
    Activity,
    ActivityKind,
    EarningRule,
    HoursSource,
    HoursStatus,
    PointsAccount,
    Qualification,
    ServiceHours,
    Shift,
    SignUp,
    SignUpStatus,
    Volunteer,
    VolunteerKind,
)
from gridgov.participation.workflow import HOURS_TRANSITIONS, SIGNUP_TRANSITIONS

AVAILABILITY = tuple(f"{day}_{part}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                     for part in ("am", "pm", "eve"))
MAX_CAPACITY = 500
MAX_SHIFT_HOURS = 12
CHECK_IN_EARLY = datetime.timedelta(minutes=30)  # a volunteer may check in this long before the start
HOURS_BACK_DAYS = 60  # hours are recorded within this many days of the service

SHIFT_CANCELLED = "volunteer_shift_cancelled"
HOURS_DECIDED = "volunteer_hours_decided"
register_kind(SHIFT_CANCELLED, gettext_lazy("A volunteer shift you signed up to was cancelled"))
register_kind(HOURS_DECIDED, gettext_lazy("Your volunteer hours were approved or declined"))


def _organises(actor, org_code: str) -> None:
    require(actor, Capability.ORGANISE_VOLUNTEERS)
    if not in_scope(actor, org_code):
        raise NotFound(_("No such volunteer activity in your area."))


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    return clean_text(value, field=field, limit=limit, required=required)


# --- The registry -------------------------------------------------------------------------------


def volunteer_register(*, actor, name: str, org_code: str, phone: str = "", kinds=(), skills: str = "",
                       availability=(), user=None) -> Volunteer:
    """A volunteer of a village of the organiser's area; `user`: the account it signs in with
    (one holding the volunteer role, not yet linked to another volunteer)."""
    from gridgov.core.models import OrgLevel, OrgUnit, Role

    require(actor, Capability.ORGANISE_VOLUNTEERS)
    if not in_scope(actor, org_code) or not OrgUnit.objects.filter(code=org_code, level=OrgLevel.VILLAGE).exists():
        raise NotFound(_("No such village in your area."))
    name = _text(name, field="name", limit=50)
    phone = clean_mobile(phone, field="phone") if (phone or "").strip() else ""
    kinds = list(dict.fromkeys(kinds)) or [VolunteerKind.GENERAL]
    if any(k not in VolunteerKind.values for k in kinds):
        raise invalid("kinds", _("Choose kinds of service from the list."))
    if any(a not in AVAILABILITY for a in availability):
        raise invalid("availability", _("Choose the half-days from the list."))
    if user is not None:
        if not user.is_active or Role.VOLUNTEER not in user.roles or not in_scope(actor, user.scope_code or "-"):
            raise invalid("user", _("Choose an active volunteer account of your area."))
        if Volunteer.objects.filter(user=user).exists():
            raise invalid("user", _("This account belongs to another volunteer already."))
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=user, name=name, phone=phone, org_code=org_code, kinds=kinds,
                skills=_text(skills, field="skills", limit=200, required=False),
                availability=[a for a in AVAILABILITY if a in set(availability)], joined_on=timezone.localdate())
            audit_record(actor=actor, action=VolunteerAction.REGISTER, obj=volunteer, object_repr=name,
                         org_code=org_code, changes={"kinds": kinds, "account": user.pk if user else None})
    except IntegrityError:  # the account linked by another request at the same moment
        raise invalid("user", _("This account belongs to another volunteer already.")) from None
    return volunteer


def qualification_add(*, actor, volunteer: Volunteer, name: str, valid_until: datetime.date | None
                      ) -> Qualification:
    _organises(actor, volunteer.org_code)
    name = _text(name, field="name", limit=50)
    if valid_until is not None and valid_until < timezone.localdate():
        raise invalid("valid_until", _("This qualification has expired already."))
    with transaction.atomic():
        qualification = Qualification.objects.create(volunteer=volunteer, name=name, valid_until=valid_until,
                                                     recorded_by=actor)
        audit_record(actor=actor, action=VolunteerAction.QUALIFICATION, obj=volunteer, object_repr=volunteer.name,
                     org_code=volunteer.org_code, changes={"qualification": name,
                                                           "valid_until": str(valid_until or "")})
    return qualification


def link_points(*, actor, volunteer: Volunteer, account: PointsAccount | None) -> Volunteer:
    """The bank's keeper names the household whose account the volunteer's approved hours
    credit (None: no points)."""
    require(actor, Capability.KEEP_POINTS_BANK)
    if not in_scope(actor, volunteer.org_code):
        raise NotFound(_("No such volunteer in your area."))
    if account is not None and (not in_scope(actor, account.org_code) or
                                not account.org_code.startswith(volunteer.org_code)):
        raise NotFound(_("No such account in your area."))
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(points_account=account)
        volunteer.points_account = account
        audit_record(actor=actor, action=VolunteerAction.LINK_POINTS, obj=volunteer, object_repr=volunteer.name,
                     org_code=volunteer.org_code, changes={"account": account.pk if account else None})
    return volunteer


# --- Activities and shifts ----------------------------------------------------------------------


def activity_create(*, actor, org_code: str, title: str, place: str, kind: str = ActivityKind.ACTIVITY,
                    description: str = "", required_qualification: str = "",
                    earning_rule: EarningRule | None = None) -> Activity:
    _organises(actor, org_code)
    if kind not in ActivityKind.values:
        raise invalid("kind", _("Choose an activity or a duty post."))
    if earning_rule is not None and not (earning_rule.is_active and (org_code.startswith(earning_rule.bank.org_code)
                                                                     or earning_rule.bank.org_code.startswith(org_code))):
        raise invalid("earning_rule", _("Choose a rule of a points bank of this area."))
    with transaction.atomic():
        activity = Activity.objects.create(
            org_code=org_code, kind=kind, title=_text(title, field="title", limit=100),
            place=_text(place, field="place", limit=100),
            description=_text(description, field="description", limit=2000, required=False),
            required_qualification=_text(required_qualification, field="required_qualification", limit=50,
                                         required=False),
            earning_rule=earning_rule, organiser=actor)
        audit_record(actor=actor, action=VolunteerAction.ACTIVITY_CREATE, obj=activity, object_repr=activity.title,
                     org_code=org_code)
    return activity


def shift_add(*, actor, activity: Activity, starts_at: datetime.datetime, ends_at: datetime.datetime,
              capacity: int) -> Shift:
    _organises(actor, activity.org_code)
    if not activity.is_active:
        raise DomainError(_("This activity is closed."), ErrorCode.ILLEGAL_TRANSITION)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 < capacity <= MAX_CAPACITY:
        raise invalid("capacity", _("From 1 to %(n)d places.") % {"n": MAX_CAPACITY})
    if starts_at <= timezone.now():
        raise invalid("starts_at", _("A shift starts in the future."))
    if not starts_at < ends_at <= starts_at + datetime.timedelta(hours=MAX_SHIFT_HOURS):
        raise invalid("ends_at", _("A shift ends after it starts, within %(n)d hours.") % {"n": MAX_SHIFT_HOURS})
    with transaction.atomic():
        shift = Shift.objects.create(activity=activity, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                                     code=f"{secrets.randbelow(10 ** 6):06d}")
        audit_record(actor=actor, action=VolunteerAction.SHIFT_ADD, obj=shift, object_repr=activity.title,
                     org_code=activity.org_code, changes={"starts_at": starts_at.isoformat(), "capacity": capacity})
    return shift


def shift_cancel(*, actor, shift: Shift) -> Shift:
    """The shift will not take place: its sign-ups are cancelled and their volunteers told."""
    activity = shift.activity
    _organises(actor, activity.org_code)
    with transaction.atomic():
        if not Shift.objects.filter(pk=shift.pk, is_cancelled=False, starts_at__gt=timezone.now()).update(
                is_cancelled=True):
            raise DomainError(_("Only a shift yet to start is cancelled."), ErrorCode.ILLEGAL_TRANSITION)
        signups = list(shift.signups.filter(status=SignUpStatus.SIGNED_UP).select_related("volunteer__user"))
        cancelled = SignUp.objects.filter(pk__in=[s.pk for s in signups], status=SignUpStatus.SIGNED_UP).update(
            status=SignUpStatus.CANCELLED)
        # places of volunteers checked in early (half an hour before) stay taken
        Shift.objects.filter(pk=shift.pk).update(taken=F("taken") - cancelled)
        audit_record(actor=actor, action=VolunteerAction.SHIFT_CANCEL, obj=shift, object_repr=activity.title,
                     org_code=activity.org_code, changes={"signups": len(signups)})
        moment = timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")
        notify(kind=SHIFT_CANCELLED, text=_("The shift “%(activity)s” of %(moment)s is cancelled."),
               params={"activity": activity.title, "moment": moment},
               recipients=[s.volunteer.user for s in signups], link=reverse("volunteers-home"),
               org_code=activity.org_code, subject=Subject("participation.shift", shift.pk, activity.title))
    shift.refresh_from_db()
    return shift


# --- Sign-ups -----------------------------------------------------------------------------------


def _acting_for(actor, volunteer: Volunteer, activity: Activity | None = None) -> str:
    """"self" when the volunteer acts on its own sign-up, "organiser" for the organiser of the
    volunteer's area (and of the activity's, when one is named)."""
    if volunteer.user_id is not None and volunteer.user_id == getattr(actor, "pk", None) and \
            has_capability(actor, Capability.TAKE_SHIFTS):
        return HoursSource.SELF
    if has_capability(actor, Capability.ORGANISE_VOLUNTEERS) and in_scope(actor, volunteer.org_code) and (
            activity is None or in_scope(actor, activity.org_code)):
        return HoursSource.ORGANISER
    raise NotFound(_("No such volunteer in your area."))


def qualified(volunteer: Volunteer, name: str, on: datetime.date) -> bool:
    if not name:
        return True
    return volunteer.qualifications.filter(name=name).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)
                                                              ).exists()


def sign_up(*, actor, shift: Shift, volunteer: Volunteer) -> SignUp:
    """A place on the shift for the volunteer (by itself, or by its organiser). Refused: a
    cancelled or started shift, a qualification missing or expired on the day, another shift
    of the volunteer at the same time, a second sign-up; a full shift is a 409 `full`."""
    _acting_for(actor, volunteer)
    activity = shift.activity
    if not volunteer.is_active:
        raise DomainError(_("This volunteer has left the registry."), ErrorCode.ILLEGAL_TRANSITION)
    if not (activity.org_code.startswith(volunteer.org_code) or volunteer.org_code.startswith(activity.org_code)):
        raise NotFound(_("No such shift in your area."))
    if shift.is_cancelled or shift.starts_at <= timezone.now():
        raise DomainError(_("This shift is cancelled or has started."), ErrorCode.ILLEGAL_TRANSITION)
    day = timezone.localtime(shift.starts_at).date()
    if not qualified(volunteer, activity.required_qualification, day):
        raise DomainError(_("This duty needs a valid qualification: %(name)s.")
                          % {"name": activity.required_qualification}, ErrorCode.ILLEGAL_TRANSITION)
    busy = SignUp.objects.filter(volunteer=volunteer, status=SignUpStatus.SIGNED_UP, shift__is_cancelled=False,
                                 shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
    taken = DomainError(_("You are signed up to this shift already."), ErrorCode.DUPLICATE)
    try:
        with transaction.atomic():
            # the volunteer's row locked: two sign-ups of it at once see each other's shift
            Volunteer.objects.select_for_update().filter(pk=volunteer.pk).first()
            if busy.exclude(shift=shift).exists():
                raise DomainError(_("You have another shift at that time."), ErrorCode.CONFLICT)
            if busy.filter(shift=shift).exists():
                raise taken
            if not Shift.objects.filter(pk=shift.pk, taken__lt=F("capacity"), is_cancelled=False).update(
                    taken=F("taken") + 1):
                raise DomainError(_("This shift is full."), ErrorCode.FULL)
            signup = SignUp.objects.create(shift=shift, volunteer=volunteer)
            audit_record(actor=actor, action=VolunteerAction.SIGN_UP, obj=signup, object_repr=activity.title,
                         org_code=volunteer.org_code, changes={"shift": shift.pk, "volunteer": volunteer.pk})
    except IntegrityError:  # the same sign-up sent twice at once: the place taken is given back with it
        raise taken from None
    return signup


def _move(signup: SignUp, action: str, **fields) -> None:
    allowed, target = SIGNUP_TRANSITIONS[action]
    if not SignUp.objects.filter(pk=signup.pk, status__in=allowed).update(status=target, **fields):
        raise DomainError(_("This sign-up has moved on already."), ErrorCode.ILLEGAL_TRANSITION)
    signup.status = target
    for name, value in fields.items():
        setattr(signup, name, value)


def cancel_signup(*, actor, signup: SignUp) -> SignUp:
    """The volunteer cannot come (before the shift starts): the place is free again."""
    _acting_for(actor, signup.volunteer)
    if signup.shift.starts_at <= timezone.now():
        raise DomainError(_("The shift has started: the organiser records who came."), ErrorCode.ILLEGAL_TRANSITION)
    with transaction.atomic():
        _move(signup, "cancel")
        Shift.objects.filter(pk=signup.shift_id, taken__gt=0).update(taken=F("taken") - 1)
        audit_record(actor=actor, action=VolunteerAction.CANCEL, obj=signup, object_repr=signup.shift.activity.title,
                     org_code=signup.volunteer.org_code)
    return signup


def check_in(*, actor, signup: SignUp) -> SignUp:
    """The organiser sees the volunteer arrive (from half an hour before the start to the end)."""
    _organises(actor, signup.volunteer.org_code)
    _organises(actor, signup.shift.activity.org_code)
    return _check_in(actor, signup)


def _check_in(actor, signup: SignUp) -> SignUp:
    now = timezone.now()
    shift = signup.shift
    if shift.is_cancelled or not shift.starts_at - CHECK_IN_EARLY <= now <= shift.ends_at:
        raise DomainError(_("Check in from half an hour before the shift until its end."),
                          ErrorCode.ILLEGAL_TRANSITION)
    with transaction.atomic():
        _move(signup, "check_in", checked_in_at=now)
        audit_record(actor=actor, action=VolunteerAction.CHECK_IN, obj=signup, object_repr=shift.activity.title,
                     org_code=signup.volunteer.org_code)
    return signup


def check_in_with_code(*, actor, code: str) -> SignUp:
    """The volunteer types the code the organiser reads out at the place."""
    require(actor, Capability.TAKE_SHIFTS)
    code = (code or "").strip()
    volunteer = Volunteer.objects.filter(user=actor, is_active=True).first()
    now = timezone.now()
    signup = None
    if volunteer is not None and code.isdigit() and len(code) == 6:
        signup = (SignUp.objects.filter(volunteer=volunteer, shift__code=code, shift__is_cancelled=False,
                                        status__in=SIGNUP_TRANSITIONS["check_in"][0],
                                        shift__starts_at__lte=now + CHECK_IN_EARLY, shift__ends_at__gte=now)
                  .select_related("shift__activity", "volunteer").first())
    if signup is None:
        raise invalid("code", _("No shift of yours with this code is on now."))
    return _check_in(actor, signup)


def check_out(*, actor, signup: SignUp) -> ServiceHours:
    """The volunteer leaves: its time from check-in (or the start) to now (or the end) becomes
    hours served. Checked out by the organiser, who saw the work: recorded by the organiser and
    approved at once. By the volunteer itself: its own record, waiting for approval."""
    source = _acting_for(actor, signup.volunteer, signup.shift.activity)
    shift = signup.shift
    now = timezone.now()
    began = max(signup.checked_in_at or shift.starts_at, shift.starts_at)
    minutes = int((min(now, shift.ends_at) - began).total_seconds() // 60)
    with transaction.atomic():
        _move(signup, "check_out", checked_out_at=now)
        hours = _record(actor=actor, volunteer=signup.volunteer, activity=shift.activity, signup=signup,
                        served_on=timezone.localtime(shift.starts_at).date(), minutes=max(1, minutes),
                        source=source, note="")
    return hours


def mark_no_show(*, actor, signup: SignUp) -> SignUp:
    _organises(actor, signup.volunteer.org_code)
    _organises(actor, signup.shift.activity.org_code)
    if signup.shift.starts_at > timezone.now():
        raise DomainError(_("The shift has not started yet."), ErrorCode.ILLEGAL_TRANSITION)
    with transaction.atomic():
        _move(signup, "no_show")
        audit_record(actor=actor, action=VolunteerAction.NO_SHOW, obj=signup, object_repr=signup.shift.activity.title,
                     org_code=signup.volunteer.org_code)
    return signup


# --- Hours --------------------------------------------------------------------------------------


def _record(*, actor, volunteer, activity, signup, served_on, minutes, source, note) -> ServiceHours:
    hours = ServiceHours.objects.create(volunteer=volunteer, activity=activity, signup=signup, served_on=served_on,
                                        minutes=min(minutes, MAX_MINUTES), source=source, note=note,
                                        recorded_by=actor)
    audit_record(actor=actor, action=VolunteerAction.HOURS_RECORD, obj=hours, object_repr=activity.title,
                 org_code=volunteer.org_code, changes={"minutes": hours.minutes, "source": source})
    if source == HoursSource.ORGANISER:
        _decide(actor=actor, hours=hours, action="approve", reason="")
    return hours


def hours_record(*, actor, volunteer: Volunteer, activity: Activity, served_on: datetime.date, minutes: int,
                 note: str) -> ServiceHours:
    """Hours served outside a shift's check-in: by the volunteer (waiting for approval) or by
    its organiser (approved at once)."""
    source = _acting_for(actor, volunteer, activity)
    if not (activity.org_code.startswith(volunteer.org_code) or volunteer.org_code.startswith(activity.org_code)):
        raise NotFound(_("No such volunteer activity in your area."))
    today = timezone.localdate()
    if not isinstance(served_on, datetime.date) or not today - datetime.timedelta(days=HOURS_BACK_DAYS) <= \
            served_on <= today:
        raise invalid("served_on", _("A day of the last %(n)d days, not in the future.") % {"n": HOURS_BACK_DAYS})
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise invalid("minutes", _("From 1 minute to %(n)d hours.") % {"n": MAX_MINUTES // 60})
    note = _text(note, field="note", limit=200)
    with transaction.atomic():
        return _record(actor=actor, volunteer=volunteer, activity=activity, signup=None, served_on=served_on,
                       minutes=minutes, source=source, note=note)


def _decide(*, actor, hours: ServiceHours, action: str, reason: str) -> ServiceHours:
    from gridgov.participation.services.points import award

    allowed, target = HOURS_TRANSITIONS[action]
    now = timezone.now()
    if not ServiceHours.objects.filter(pk=hours.pk, status__in=allowed).update(
            status=target, decided_by=actor, decided_at=now, decline_reason=reason):
        raise DomainError(_("These hours were decided already."), ErrorCode.ILLEGAL_TRANSITION)
    hours.status, hours.decided_by, hours.decided_at, hours.decline_reason = target, actor, now, reason
    movement = None
    rule, account = hours.activity.earning_rule, hours.volunteer.points_account
    whole_hours = hours.minutes // 60
    if target == HoursStatus.APPROVED and rule is not None and account is not None and \
            account.bank_id == rule.bank_id and whole_hours:
        movement = award(account=account, amount=rule.points * whole_hours, rule=rule, actor=actor,
                         reason=_("%(activity)s, %(n)d h of volunteer service") % {"activity": hours.activity.title,
                                                                                  "n": whole_hours},
                         source_key=f"volunteer-hours:{hours.pk}")
        ServiceHours.objects.filter(pk=hours.pk).update(points=movement)
        hours.points = movement
    audit_record(actor=actor, action=VolunteerAction.HOURS_DECIDE, obj=hours, object_repr=hours.activity.title,
                 org_code=hours.volunteer.org_code, changes={"status": target, "points": movement.amount if movement
                                                             else 0})
    if hours.source == HoursSource.SELF:
        text = (_("Your %(minutes)d minutes of “%(activity)s” were approved.") if target == HoursStatus.APPROVED
                else _("Your %(minutes)d minutes of “%(activity)s” were declined."))
        notify(kind=HOURS_DECIDED, text=text, params={"minutes": hours.minutes, "activity": hours.activity.title},
               recipients=[hours.volunteer.user], link=reverse("volunteers-home"), org_code=hours.volunteer.org_code,
               subject=Subject("participation.hours", hours.pk, hours.activity.title))
    return hours


def hours_decide(*, actor, hours: ServiceHours, approve: bool, reason: str = "") -> ServiceHours:
    """The organiser approves a volunteer's own record of its hours (crediting the household's
    points by the activity's rule, one award per record), or declines it with the reason."""
    _organises(actor, hours.volunteer.org_code)
    if hours.volunteer.user_id is not None and hours.volunteer.user_id == getattr(actor, "pk", None):
        raise DomainError(_("Another organiser decides on your own hours."), ErrorCode.PERMISSION_DENIED)
    reason = "" if approve else _text(reason, field="reason", limit=200)
    with transaction.atomic():
        return _decide(actor=actor, hours=hours, action="approve" if approve else "decline", reason=reason)


# --- The certificate ----------------------------------------------------------------------------


def certificate_pdf(*, actor, volunteer: Volunteer) -> bytes:
    """The volunteer's record of service (志愿服务记录证明), in Chinese, for the volunteer itself
    or its organiser (the caller read the volunteer through the selectors); each print audited."""
    from django.utils import translation

    from gridgov.core.pdf import DOCUMENT_LANGUAGE
    from gridgov.participation import documents

    with translation.override(DOCUMENT_LANGUAGE):
        content = documents.certificate_pdf(volunteer)
    with transaction.atomic():
        audit_record(actor=actor, action=VolunteerAction.CERTIFICATE, obj=volunteer, object_repr=volunteer.name,
                     org_code=volunteer.org_code)
    return content
