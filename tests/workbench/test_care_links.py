"""Care's home-page items link to lists that show the rows they count: the people with an open
crisis and the cases waiting for the user's own confirmation are the daily list filtered with
`?only=` (the same filters as the counts, `care.selectors.only_q`)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.care.models import Crisis, TeamMember
from tests.workbench.conftest import item, make_crises, make_enrollments

pytestmark = pytest.mark.django_db


def _listed(client, url) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {row["id"] for row in response.context["rows"]}


def test_open_crises_count_the_people_the_linked_list_shows(login, roles):
    # given three people in crisis, one of them twice, one crisis dealt with, and calm cases
    in_crisis = make_enrollments(3, due_in_days=5)
    make_crises(in_crisis)
    make_crises(in_crisis[:1])
    dealt_with = make_enrollments(1, due_in_days=5)
    Crisis.objects.filter(pk__in=[c.pk for c in make_crises(dealt_with)]).update(outcome="calmed_at_home",
                                                                                 outcome_at=timezone.now())
    make_enrollments(4, due_in_days=0)
    client = login(roles["doctor"])

    # when the doctor opens the home page and follows the item
    crises = item(client.get(reverse("home")), "care.open_crises")

    # then the count is the rows of the list it links to: those three people, once each
    assert crises.url == reverse("care-today") + "?only=open_crisis"
    assert crises.count == 3
    assert _listed(client, crises.url) == {e.pk for e in in_crisis}


def test_cases_to_confirm_count_the_rows_the_linked_list_shows(login, roles):
    # given high-risk cases of the doctor's teams, one confirmed, and others not on its team
    waiting = make_enrollments(2, due_in_days=5, high_risk=True, team=[roles["doctor"]])
    confirmed = make_enrollments(1, due_in_days=5, high_risk=True, team=[roles["doctor"]])
    TeamMember.objects.filter(enrollment__in=confirmed).update(acknowledged_at=timezone.now())
    make_enrollments(1, due_in_days=5, team=[roles["doctor"]])  # not high-risk: nothing to confirm here
    make_enrollments(3, due_in_days=5, high_risk=True)  # other teams' cases
    client = login(roles["doctor"])

    mine = item(client.get(reverse("home")), "care.confirm_mine")

    assert mine.url == reverse("care-today") + "?only=to_confirm"
    assert mine.count == 2
    assert _listed(client, mine.url) == {e.pk for e in waiting}


def test_a_grid_worker_is_asked_about_every_case_of_its_teams_and_the_list_agrees(login, roles):
    # a grid worker does not know which cases are high-risk: all of its unconfirmed cases count
    waiting = [*make_enrollments(2, due_in_days=5, high_risk=True), *make_enrollments(1, due_in_days=5)]
    TeamMember.objects.bulk_create([TeamMember(enrollment=e, user=roles["gw"], role="grid_worker") for e in waiting])
    make_enrollments(2, due_in_days=5)  # in its cell, not on its team
    client = login(roles["gw"])

    mine = item(client.get(reverse("home")), "care.confirm_mine")

    assert mine.count == 3 and mine.url.endswith("?only=to_confirm")
    assert _listed(client, mine.url) == {e.pk for e in waiting}


def test_the_filtered_list_says_what_it_shows_and_pages_keep_the_filter(login, roles, monkeypatch):
    from gridgov.care import forms
    from gridgov.care.views import today as today_view

    in_crisis = make_enrollments(3, due_in_days=5)
    make_crises(in_crisis)
    make_enrollments(2, due_in_days=5)
    monkeypatch.setattr(today_view, "PAGE_SIZE", 2)
    monkeypatch.setattr(forms, "PAGE_SIZE", 2)
    client = login(roles["doctor"])

    first = client.get(reverse("care-today") + "?only=open_crisis")
    assert 'data-only="open_crisis"' in first.content.decode()
    assert "only=open_crisis" in first.context["next_url"]
    rest = client.get(reverse("care-today") + first.context["next_url"])
    shown = [r["id"] for r in first.context["rows"]] + [r["id"] for r in rest.context["rows"]]
    assert sorted(shown) == sorted(e.pk for e in in_crisis)


def test_tasks_due_count_the_people_the_linked_list_shows(login, roles):
    from gridgov.care.models import CareSchedule

    # given a daily medicine delivery due today for two people, one not due until next week,
    # one ended, and people without a schedule
    today = timezone.localdate()
    due = make_enrollments(2, due_in_days=5)
    later, ended = make_enrollments(1, due_in_days=5), make_enrollments(1, due_in_days=5)
    make_enrollments(3, due_in_days=5)
    for enrollment, next_due, ended_at in [(due[0], today, None), (due[1], today - datetime.timedelta(days=2), None),
                                           (later[0], today + datetime.timedelta(days=7), None),
                                           (ended[0], today, timezone.now())]:
        CareSchedule.objects.create(enrollment=enrollment, org_code=enrollment.org_code, kind="medicine_delivery",
                                    interval_days=1, starts_on=today, next_due_date=next_due, ended_at=ended_at)
    client = login(roles["doctor"])

    tasks = item(client.get(reverse("home")), "care.tasks_due")

    assert tasks.url == reverse("care-today") + "?only=tasks_due"
    assert tasks.count == 2
    assert _listed(client, tasks.url) == {e.pk for e in due}
