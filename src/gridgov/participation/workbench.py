"""Participation's part of the home page (core.workbench): the redemptions of the keeper's
banks waiting to be handed over (two queries); a volunteer's shifts of the coming week and the
shifts it can take (three); the organiser's hours waiting for approval (one). Each count is of
the rows of the page it links to."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.core.workbench import Urgency, WorkItem, url_with


def redemption_items(user) -> list[WorkItem]:
    from gridgov.participation.selectors import points as selectors

    banks = [b for b in selectors.banks_for(user) if selectors.keeps_bank(user, b)]
    waiting = selectors.redemptions_waiting(banks) if banks else 0
    url = reverse("points-bank", args=[banks[0].pk]) if len(banks) == 1 else reverse("points-banks")
    return [WorkItem("points.reserved", _("Redemptions to hand over"), waiting, url, Urgency.SOON)]


def volunteer_items(user) -> list[WorkItem]:
    import datetime

    from django.utils import timezone

    from gridgov.participation.models import SignUpStatus
    from gridgov.participation.selectors import volunteers as selectors

    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        return []
    now = timezone.now()
    week = selectors.signups_of(volunteer).filter(status=SignUpStatus.SIGNED_UP, shift__is_cancelled=False,
                                                  shift__starts_at__gt=now,
                                                  shift__starts_at__lte=now + datetime.timedelta(days=7)).count()
    open_shifts = selectors.shifts_i_can_take(volunteer).count()
    url = reverse("volunteers-home")
    return [WorkItem("volunteers.week", _("My shifts in the coming week"), week, url, Urgency.SOON),
            WorkItem("volunteers.open", _("Shifts I can take"), open_shifts, url)]


def organiser_items(user) -> list[WorkItem]:
    from gridgov.participation.selectors import volunteers as selectors

    return [WorkItem("volunteers.pending_hours", _("Volunteer hours waiting for approval"),
                     selectors.pending_hours(user).count(), reverse("volunteers-organise"), Urgency.SOON)]


def suggestion_items(user) -> list[WorkItem]:
    """The grid centre's suggestions to assign and hidden ones to moderate; a department's to
    answer, and those past their day (`selectors.desk_counts`: one query per side)."""
    from gridgov.core.permissions import Capability, has_capability
    from gridgov.participation.selectors import suggestions as selectors

    page = "suggestions-desk"
    counts = selectors.desk_counts(user)
    shown = (("assign", Capability.ASSIGN_SUGGESTIONS, _("Suggestions to assign"), Urgency.SOON),
             ("moderate", Capability.MODERATE_SUGGESTIONS, _("Suggestions hidden after reports"), Urgency.SOON),
             ("answer", Capability.ANSWER_SUGGESTIONS, _("Suggestions to answer"), Urgency.SOON),
             ("overdue", Capability.ANSWER_SUGGESTIONS, _("Suggestions past the day to answer"), Urgency.OVERDUE))
    return [WorkItem(f"suggestions.{queue}", label, counts[queue], url_with(page, queue=queue), urgency)
            for queue, capability, label, urgency in shown if has_capability(user, capability) and queue in counts]


def meeting_items(user) -> list[WorkItem]:
    """Concerns of village meetings given to the user and still open; those of the area past
    their deadline. One query."""
    from gridgov.participation.selectors import meetings as selectors

    url = reverse("meetings-list")
    counts = selectors.concern_counts(user)
    return [WorkItem("meetings.mine", _("Village concerns given to me"), counts["mine"], url, Urgency.SOON),
            WorkItem("meetings.overdue", _("Village concerns past their deadline"), counts["overdue"], url,
                     Urgency.OVERDUE)]


def register() -> None:
    """The sections on the home pages of the bank's keeper, volunteers and organisers (from apps.ready)."""
    from gridgov.core.models import Role
    from gridgov.core.workbench import WorkSection, add_section

    add_section(WorkSection("points.bank", _("Points bank"), 50, redemption_items,
                            roles=frozenset({Role.BANK_KEEPER})))
    add_section(WorkSection("volunteers.mine", _("Volunteering"), 51, volunteer_items,
                            roles=frozenset({Role.VOLUNTEER})))
    add_section(WorkSection("volunteers.organise", _("Volunteers"), 52, organiser_items,
                            roles=frozenset({Role.VOLUNTEER_ORGANISER})))
    add_section(WorkSection("meetings.concerns", _("Village meetings"), 54, meeting_items,
                            roles=frozenset({Role.GRID_WORKER, Role.SCREENER})))
    add_section(WorkSection("suggestions.desk", _("Suggestions"), 53, suggestion_items,
                            roles=frozenset({Role.DISPATCHER, Role.DEPARTMENT_STAFF, Role.STATION_STAFF})))
