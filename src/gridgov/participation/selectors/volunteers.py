"""Reads of volunteering. A volunteer reads its own record, sign-ups and hours, and the shifts
it can take; the organiser reads the registry, activities, rosters and hours of its area. A
volunteer never reads another volunteer's data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import Capability, has_capability, in_scope
from gridgov.participation.models import (
    Activity,
    HoursStatus,
    Qualification,
    ServiceHours,
    Shift,
    SignUp,
    SignUpStatus,
    Volunteer,
)

VOLUNTEER_ROLES = {Capability.TAKE_SHIFTS, Capability.ORGANISE_VOLUNTEERS}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else -1


def volunteer_of(user) -> Volunteer | None:
    """The volunteer a volunteer's account belongs to."""
    if not has_capability(user, Capability.TAKE_SHIFTS):
        return None
    return Volunteer.objects.filter(user=user, is_active=True).first()


def organises(user, org_code: str) -> bool:
    return has_capability(user, Capability.ORGANISE_VOLUNTEERS) and in_scope(user, org_code)


def _near(org_code: str, field: str = "activity__org_code") -> Q:
    """Activities of the volunteer's village, the units above it and the cells below it."""
    return Q(**{f"{field}__in": ancestor_codes(org_code, include_self=True)}) | Q(**{f"{field}__startswith": org_code})


def half_day(moment: datetime.datetime) -> str:
    """"sat_am": the half-day a moment falls in (evenings from 18:00), as volunteers give their
    availability."""
    local = timezone.localtime(moment)
    part = "am" if local.hour < 12 else "pm" if local.hour < 18 else "eve"
    return f"{WEEKDAYS[local.weekday()]}_{part}"


def shifts_i_can_take(volunteer: Volunteer) -> QuerySet[Shift]:
    """Shifts yet to start with a place left, of open activities near the volunteer, that it
    has not signed up to and whose qualification it holds, valid on the day. One query."""
    now = timezone.now()
    holds = Qualification.objects.filter(volunteer=volunteer, name=OuterRef("activity__required_qualification")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("starts_at__date")))
    mine = SignUp.objects.filter(shift=OuterRef("pk"), volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED)
    return (Shift.objects.filter(_near(volunteer.org_code), starts_at__gt=now, is_cancelled=False,
                                 activity__is_active=True, taken__lt=F("capacity"))
            .filter(Q(activity__required_qualification="") | Q(Exists(holds)))
            .exclude(Exists(mine)).select_related("activity").order_by("starts_at", "id"))


def activities_near(volunteer: Volunteer) -> QuerySet[Activity]:
    """The open activities a volunteer records its hours for."""
    return Activity.objects.filter(_near(volunteer.org_code, "org_code"), is_active=True).order_by("title", "id")


def signups_of(volunteer: Volunteer) -> QuerySet[SignUp]:
    return (SignUp.objects.filter(volunteer=volunteer).exclude(status=SignUpStatus.CANCELLED)
            .select_related("shift__activity").order_by("-shift__starts_at", "-id"))


def hours_of(volunteer: Volunteer) -> QuerySet[ServiceHours]:
    return ServiceHours.objects.filter(volunteer=volunteer).select_related("activity", "points")


@dataclass(frozen=True)
class HoursTotals:
    approved_minutes: int
    pending_minutes: int
    points: int


def hours_totals(volunteer: Volunteer) -> HoursTotals:
    row = ServiceHours.objects.filter(volunteer=volunteer).aggregate(
        approved=Sum("minutes", filter=Q(status=HoursStatus.APPROVED)),
        pending=Sum("minutes", filter=Q(status=HoursStatus.PENDING)), points=Sum("points__amount"))
    return HoursTotals(approved_minutes=row["approved"] or 0, pending_minutes=row["pending"] or 0,
                       points=row["points"] or 0)


# --- The organiser's reads ----------------------------------------------------------------------


def activities_for(user) -> QuerySet[Activity]:
    if not has_capability(user, Capability.ORGANISE_VOLUNTEERS):
        return Activity.objects.none()
    now = timezone.now()
    return (Activity.objects.visible_to(user).select_related("earning_rule")
            .annotate(coming=Count("shifts", filter=Q(shifts__starts_at__gt=now, shifts__is_cancelled=False)))
            .order_by("-is_active", "title", "id"))


def access_activity(user, activity_id) -> Activity:
    activity = activities_for(user).filter(pk=_as_int(activity_id)).first()
    if activity is None:
        raise NotFound(_("No such volunteer activity in your area."))
    return activity


def shifts_of(activity: Activity) -> QuerySet[Shift]:
    return activity.shifts.order_by("-starts_at", "-id")


def access_shift(user, shift_id) -> Shift:
    """A shift the organiser of its area reads, or one a volunteer can see (near it)."""
    shift = Shift.objects.filter(pk=_as_int(shift_id)).select_related("activity").first()
    if shift is not None:
        if organises(user, shift.activity.org_code):
            return shift
        volunteer = volunteer_of(user)
        if volunteer is not None and Shift.objects.filter(_near(volunteer.org_code), pk=shift.pk).exists():
            return shift
    raise NotFound(_("No such shift in your area."))


def roster(shift: Shift) -> QuerySet[SignUp]:
    return shift.signups.exclude(status=SignUpStatus.CANCELLED).select_related("volunteer").order_by("id")


def volunteers_for(user, *, name: str = "") -> QuerySet[Volunteer]:
    if not has_capability(user, Capability.ORGANISE_VOLUNTEERS):
        return Volunteer.objects.none()
    qs = Volunteer.objects.visible_to(user).order_by("-is_active", "id")
    return qs.filter(name__contains=name) if name else qs


def access_volunteer(user, volunteer_id) -> Volunteer:
    volunteer = volunteers_for(user).filter(pk=_as_int(volunteer_id)).first()
    if volunteer is None:
        raise NotFound(_("No such volunteer in your area."))
    return volunteer


def pending_hours(user) -> QuerySet[ServiceHours]:
    if not has_capability(user, Capability.ORGANISE_VOLUNTEERS):
        return ServiceHours.objects.none()
    return (ServiceHours.objects.filter(status=HoursStatus.PENDING, volunteer__in=Volunteer.objects.visible_to(user))
            .exclude(volunteer__user=user)  # another organiser decides on one's own hours
            .select_related("volunteer", "activity").order_by("id"))


def access_hours(user, hours_id) -> ServiceHours:
    hours = ServiceHours.objects.filter(pk=_as_int(hours_id)).select_related(
        "volunteer", "activity__earning_rule", "volunteer__points_account").first()
    if hours is None or not organises(user, hours.volunteer.org_code):
        raise NotFound(_("No such hours in your area."))
    return hours


def access_signup(user, signup_id) -> SignUp:
    """A sign-up of the volunteer itself, or of a volunteer of the organiser's area."""
    signup = SignUp.objects.filter(pk=_as_int(signup_id)).select_related("shift__activity", "volunteer").first()
    if signup is not None and (organises(user, signup.volunteer.org_code) or
                               (signup.volunteer.user_id == user.pk and has_capability(user, Capability.TAKE_SHIFTS))):
        return signup
    raise NotFound(_("No such sign-up."))


def certificate_hours(volunteer: Volunteer) -> QuerySet[ServiceHours]:
    """The approved hours a certificate lists, in the order served."""
    return (ServiceHours.objects.filter(volunteer=volunteer, status=HoursStatus.APPROVED)
            .select_related("activity").order_by("served_on", "id"))


def reminders_due(now: datetime.datetime, *, ahead: datetime.timedelta) -> QuerySet[SignUp]:
    """Sign-ups of shifts starting within `ahead`, not reminded yet, of volunteers with an account."""
    return (SignUp.objects.filter(status=SignUpStatus.SIGNED_UP, reminded_at__isnull=True, shift__is_cancelled=False,
                                  shift__starts_at__gt=now, shift__starts_at__lte=now + ahead,
                                  volunteer__user__isnull=False, volunteer__is_active=True)
            .select_related("shift__activity", "volunteer__user"))


def areas_for_forms(user) -> list:
    """The townships and villages of the organiser's area (an activity's area, a volunteer's village)."""
    from gridgov.core.models import OrgLevel, OrgUnit

    return list(OrgUnit.objects.filter(code__startswith=user.scope_code or "-",
                                       level__in=[OrgLevel.TOWNSHIP, OrgLevel.VILLAGE]).order_by("code"))


def rules_for_activities(user) -> list:
    """The earning rules in use at the points banks of the organiser's area (and above it)."""
    from gridgov.core.querysets import area_q, filter_q
    from gridgov.participation.models import EarningRule, PointsBank

    banks = filter_q(PointsBank.objects.filter(is_active=True), area_q(user, with_ancestors=True))
    return list(EarningRule.objects.filter(bank__in=banks, is_active=True).select_related("bank")
                .order_by("bank_id", "name", "id"))
