"""Reads of mediation, scoped: a mediator's cases are their committees'; a justice officer's,
those of the area. Nobody else reads a named case."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.exceptions import NotFound
from gridgov.core.permissions import Capability, allows
from gridgov.mediation.models import Case, Committee, Party

MEDIATION_ROLES = {Capability.MEDIATE_DISPUTES, Capability.SUPERVISE_MEDIATION}


def committees_for(user, *, org: str = "") -> QuerySet[Committee]:
    """Active committees of the user's area and above it (where a case may go)."""
    qs = Committee.objects.visible_to(user).filter(is_active=True)
    if org:
        qs = qs.filter(org_code__startswith=org)
    return qs.order_by("org_code", "id")


def cases_for(user) -> QuerySet[Case]:
    if not allows(user, MEDIATION_ROLES):
        return Case.objects.none()
    # the parties with their register names (never the register's encrypted columns)
    parties = Party.objects.select_related("person").defer("person__resident_id", "person__phone",
                                                           "person__address").order_by("id")
    return (Case.objects.visible_to(user).select_related("committee", "mediator")
            .prefetch_related(Prefetch("parties", queryset=parties)).order_by("-id"))


def access_case(user, case_id) -> Case:
    case = cases_for(user).filter(pk=case_id).first() if str(case_id).isdigit() else None
    if case is None:
        raise NotFound(_("No such mediation case in your area."))
    return case


def access_committee(user, committee_id) -> Committee:
    committee = committees_for(user).filter(pk=committee_id).first() if str(committee_id).isdigit() else None
    if committee is None:
        raise NotFound(_("No such committee in your area."))
    return committee


def case_list(user, *, status: str = "", due: str = "", committee: int | None = None, code: str = "",
              today=None) -> QuerySet[Case]:
    """The user's cases filtered as the list page asks: `status` ("open": requested, accepted
    or being mediated), `due` ("soon": the time limit within 3 days, "overdue": past it,
    "followup": a follow-up visit due by today), a committee, a case number."""
    import datetime

    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from gridgov.mediation.models import FollowUp
    from gridgov.mediation.workflow import CLOCK_STATUSES, OPEN_STATUSES

    today = today or timezone.localdate()
    qs = cases_for(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if due == "soon":
        qs = qs.filter(status__in=CLOCK_STATUSES, deadline__gte=today,
                       deadline__lte=today + datetime.timedelta(days=3))
    elif due == "overdue":
        qs = qs.filter(status__in=CLOCK_STATUSES, deadline__lt=today)
    elif due == "followup":
        qs = qs.filter(Exists(FollowUp.objects.filter(case=OuterRef("pk"), done_on__isnull=True, due_on__lte=today)))
    if committee:
        qs = qs.filter(committee_id=committee)
    if code:
        # a part of the case number, or a party's name (an outside party's, a register person's)
        named = Party.objects.filter(case=OuterRef("pk")).filter(Q(name__icontains=code) |
                                                                   Q(person__name__icontains=code))
        qs = qs.filter(Q(code__icontains=code) | Exists(named))
    return qs


def case_page(user, case_id) -> Case:
    """A case with everything its page shows: parties, sessions, follow-up visits, pages."""
    from gridgov.mediation.models import Attachment, FollowUp, Session

    case = access_case(user, case_id)
    case.session_rows = list(Session.objects.filter(case=case).select_related("recorded_by"))
    case.follow_up_rows = list(FollowUp.objects.filter(case=case).select_related("done_by"))
    case.attachment_rows = list(Attachment.objects.filter(case=case).order_by("kind", "id"))
    return case


def committee_mediators(committee: Committee):
    from gridgov.mediation.models import Mediator

    return list(Mediator.objects.filter(committee=committee, is_active=True).order_by("name", "id"))


def transfer_targets(user, case: Case) -> list[Committee]:
    """Active committees other than the case's whose area holds its place."""
    from gridgov.core.orgcodes import ancestor_codes

    codes = ancestor_codes(case.org_code, include_self=True)
    return list(committees_for(user).filter(org_code__in=codes).exclude(pk=case.committee_id))


def committees_worked_by(user) -> list[Committee]:
    """The committees whose cases the user works: a mediator's seats, a justice officer's area."""
    from gridgov.core.permissions import has_capability

    qs = committees_for(user)
    if has_capability(user, Capability.SUPERVISE_MEDIATION):
        return list(qs.filter(org_code__startswith=user.scope_code or "-"))
    return list(qs.filter(mediators__user=user, mediators__is_active=True).distinct())


def case_of_event(event_id: int) -> Case | None:
    """The mediation case handed over from an event (the event page names it)."""
    return Case.objects.select_related("committee").filter(event_id=event_id).order_by("id").first()


def sessions_of(case: Case):
    from gridgov.mediation.models import Session

    return Session.objects.filter(case=case)


def committees_of_area(user) -> list[Committee]:
    """The committees serving the user's area (a justice officer's) or the ones they sit on (a
    mediator's), each with its active mediators (`mediator_rows`) and its open cases counted
    (`open_cases`): two queries."""
    from django.db.models import Count, Q

    from gridgov.mediation.models import Mediator
    from gridgov.mediation.workflow import OPEN_STATUSES

    worked = committees_worked_by(user)
    ids = [c.pk for c in worked]
    counts = dict(Committee.objects.filter(pk__in=ids).annotate(
        n=Count("cases", filter=Q(cases__status__in=OPEN_STATUSES))).values_list("pk", "n"))
    seats: dict[int, list] = {}
    for seat in Mediator.objects.filter(committee_id__in=ids, is_active=True).select_related("user").order_by("name"):
        seats.setdefault(seat.committee_id, []).append(seat)
    for committee in worked:
        committee.mediator_rows = seats.get(committee.pk, [])
        committee.open_cases = counts.get(committee.pk, 0)
    return worked
