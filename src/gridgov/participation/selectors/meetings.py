"""Reads of village meetings: the meetings of the user's area (a grid worker: of its village),
their concerns, the ratio of concerns raised to resolved per area, and the officials assigned
to villages with their service days.

A concern counts as resolved when it was resolved (on the spot or by its owner), when the
event it was handed to is closed or evaluated, or when its project is completed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.dates import shift_month
from gridgov.core.exceptions import NotFound
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import Capability, has_capability
from gridgov.participation.models import Concern, ConcernRoute, ConcernStatus, VillageLiaison, VillageMeeting


def resolved_q(prefix: str = "") -> Q:
    """Concerns that count as resolved (see the module), from a model `prefix` away."""
    return (Q(**{f"{prefix}status": ConcernStatus.RESOLVED})
            | Q(**{f"{prefix}route": ConcernRoute.EVENT, f"{prefix}event__status__in": ["closed", "evaluated"]})
            | Q(**{f"{prefix}route": ConcernRoute.PROJECT, f"{prefix}project__status": "completed"}))


RESOLVED = resolved_q()
MEETING_ROLES = {Capability.RECORD_MEETINGS, Capability.MANAGE_LIAISONS}


def _as_int(value) -> int:
    return int(value) if str(value).isdigit() else -1


def _area(user, field: str = "org_code") -> Q:
    """The user's area and the village its cells are in."""
    scope = user.scope_code or "-"
    return Q(**{f"{field}__startswith": scope}) | Q(**{f"{field}__in": ancestor_codes(scope)})


def meetings_for(user) -> QuerySet[VillageMeeting]:
    if not has_capability(user, Capability.RECORD_MEETINGS) and not has_capability(user, Capability.MANAGE_LIAISONS):
        return VillageMeeting.objects.none()
    return VillageMeeting.objects.filter(_area(user)).annotate(
        raised=Count("concerns"), resolved=Count("concerns", filter=resolved_q("concerns__")))


def access_meeting(user, meeting_id) -> VillageMeeting:
    meeting = meetings_for(user).filter(pk=_as_int(meeting_id)).select_related("earning_rule").first()
    if meeting is None:
        raise NotFound(_("No such village meeting in your area."))
    return meeting


def concerns_of(meeting: VillageMeeting) -> QuerySet[Concern]:
    return meeting.concerns.select_related("event", "project", "owner_user").order_by("id")


def access_concern(user, concern_id) -> Concern:
    """A concern of the user's area, or one given to the user."""
    concern = Concern.objects.select_related("meeting").filter(pk=_as_int(concern_id)).first()
    if concern is not None and (concern.owner_user_id == user.pk or meetings_for(user).filter(
            pk=concern.meeting_id).exists()):
        return concern
    raise NotFound(_("No such concern."))


@dataclass(frozen=True)
class ConcernRatio:
    code: str
    raised: int
    resolved: int

    @property
    def percent(self) -> int:
        return round(100 * self.resolved / self.raised) if self.raised else 0


def concern_ratio(parent_code: str, child_length: int) -> list[ConcernRatio]:
    """Concerns raised and resolved in each unit below `parent_code` (codes `child_length`
    long). One query."""
    rows = (Concern.objects.filter(org_code__startswith=parent_code)
            .annotate(area=Substr("org_code", 1, child_length)).values("area")
            .annotate(raised=Count("pk"), resolved=Count("pk", filter=RESOLVED)).order_by("area"))
    return [ConcernRatio(code=r["area"], raised=r["raised"], resolved=r["resolved"]) for r in rows]


def concern_counts(user) -> dict[str, int]:
    """`mine` (concerns given to the user, open) and `overdue` (the area's, open past their
    deadline), in one query, for the home page."""
    mine = Q(owner_user=user, status=ConcernStatus.OPEN, route=ConcernRoute.OWNER)
    overdue = _area(user) & Q(route=ConcernRoute.OWNER, status=ConcernStatus.OPEN, deadline__lt=timezone.localdate())
    return Concern.objects.filter(mine | overdue).aggregate(mine=Count("pk", filter=mine),
                                                           overdue=Count("pk", filter=overdue))


# --- Officials assigned to villages -------------------------------------------------------------


def liaisons_for(user) -> QuerySet[VillageLiaison]:
    if not has_capability(user, Capability.MANAGE_LIAISONS) and not has_capability(user, Capability.RECORD_MEETINGS):
        return VillageLiaison.objects.none()
    return VillageLiaison.objects.filter(_area(user)).select_related("user")


def my_liaisons(user) -> QuerySet[VillageLiaison]:
    return VillageLiaison.objects.filter(user=user, ends_on__isnull=True)


def service_days_in(liaisons, month: datetime.date) -> dict[int, int]:
    """Service days of each liaison in the month of `month`. One query."""
    first = month.replace(day=1)
    rows = (VillageLiaison.objects.filter(pk__in=[x.pk for x in liaisons])
            .annotate(n=Count("days", filter=Q(days__on_date__gte=first, days__on_date__lt=shift_month(first, 1))))
            .values_list("pk", "n"))
    return dict(rows)


def villages_near(user) -> list:
    """The villages of the user's area, or the one its cells are in (the meeting forms)."""
    from gridgov.core.models import OrgLevel, OrgUnit

    return list(OrgUnit.objects.filter(_area(user, "code"), level=OrgLevel.VILLAGE).order_by("code"))


def projects_near(org_code: str):
    """Projects of the village, the units above it and the cells in it (a concern's project)."""
    from gridgov.participation.models import Project

    return Project.objects.filter(Q(org_code__startswith=org_code) | Q(org_code__in=ancestor_codes(org_code))
                                  ).order_by("-id")


def open_consultations_near(org_code: str):
    """Public consultations open for comments today, of the village or an area above it."""
    from gridgov.participation.models import Consultation

    today = timezone.localdate()
    return Consultation.objects.filter(
        Q(org_code__startswith=org_code) | Q(org_code__in=ancestor_codes(org_code)), published_at__isnull=False,
        opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "id")
