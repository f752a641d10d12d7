"""The ranking from its cache (issue 12, events.ranking_cache): the same numbers as counting
every event by hand, recomputed at once after a closure or a return in the area, never
shared between areas, and a cached view costs no aggregate query."""

import datetime
import random
import secrets

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.core.models import Role
from gridgov.core.workcal import DEFAULT_PERIODS, WorkCalendar
from gridgov.events import ranking_cache, scoring
from gridgov.events.models import Category, Channel, Event, TimelineEntry
from gridgov.events.workflow import Status
from tests.events.conftest import jpeg
from tests.events.test_loop import act, submit
from tests.factories import Tree, make_user

TZ = timezone.get_current_timezone()
MONTH = "2026-11"
START, END = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)
IN_MONTH = datetime.datetime(2026, 11, 10, 9, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def page(user, client=None, **params):
    return (client or signed_in(user)).get(reverse("events-ranking"), {"month": MONTH, **params})


def shown(response) -> dict:
    return {row["item"].key: (row["item"].due, row["item"].closed, row["item"].closed_on_time,
                              row["item"].wrongly_dispatched, row["item"].points)
            for row in response.context["rows"]}


def random_events(rng, departments, n=120):
    """`n` events of county A (and a few of county B) with random statuses, deadlines in and
    around November, rework, extensions and hours used, straight into the table."""
    category = Category.objects.get(code="food.unlicensed")
    units = [departments["station"], departments["market"], departments["housing"]]
    events = []
    for i in range(n):
        station = rng.choice(units)
        events.append(Event(
            code=f"990101-20261110-{secrets.token_hex(4)}", category=category, description=f"事件{i}",
            channel=Channel.GRID_WORKER, org_code=rng.choice([Tree.CELL_A1, Tree.CELL_A1, "990102001001001"]),
            status=rng.choice([Status.DISPATCHED, Status.ACCEPTED, Status.CLOSED, Status.EVALUATED, Status.HANDLED]),
            lat=31.0, lng=120.0, department=station, owner_department=rng.choice(units),
            public_token=secrets.token_urlsafe(24),
            handle_deadline=IN_MONTH + datetime.timedelta(days=rng.randint(-15, 25), hours=rng.randint(0, 23)),
            closed_on_time=rng.choice([True, False, None]), rework_count=rng.choice([0, 0, 1, 2]),
            extension_count=rng.choice([0, 0, 0, 1]),
            accept_hours_used=rng.choice([None, 1.0, 9.0, 17.0, 40.0]),
            handle_hours_used=rng.choice([None, 4.0, 41.0, 90.0]),
        ))
    events = Event.objects.bulk_create(events)
    returns = []
    for event in rng.sample(events, min(30, n // 2)):
        returns.append(TimelineEntry(
            event=event, action="return", from_status="dispatched", to_status="returned",
            at=IN_MONTH + datetime.timedelta(days=rng.randint(-15, 25)),
            extra={"returned_by": rng.choice(units).code}))
    TimelineEntry.objects.bulk_create(returns)
    return events


def naive_station_ranking(scope: str) -> dict:
    """The station tab counted by hand: every event and every return entry read one by one."""
    rule = scoring.score_rule()
    hours = WorkCalendar(periods=DEFAULT_PERIODS).hours_per_day
    begin = datetime.datetime.combine(START, datetime.time.min, tzinfo=TZ)
    finish = datetime.datetime.combine(END, datetime.time.min, tzinfo=TZ)
    rows = {}
    for e in Event.objects.select_related("department"):
        if not (e.org_code.startswith(scope) and e.handle_deadline and begin <= e.handle_deadline < finish):
            continue
        r = rows.setdefault(e.department.code, {"due": 0, "closed": 0, "on_time": 0, "rework": 0, "yellow": 0,
                                                "red": 0, "returns": 0})
        closed = e.status in (Status.CLOSED, Status.EVALUATED)
        r["due"] += 1
        r["closed"] += closed
        r["on_time"] += closed and e.closed_on_time is True
        r["rework"] += e.rework_count > 0
        for used, yellow, red in ((e.accept_hours_used, rule.yellow_card_accept_days, rule.red_card_accept_days),
                                  (e.handle_hours_used, rule.yellow_card_handle_days, rule.red_card_handle_days)):
            if used is not None and used > red * hours:
                r["red"] += 1
            elif used is not None and used > yellow * hours:
                r["yellow"] += 1
    for t in TimelineEntry.objects.filter(action="return").select_related("event"):
        if t.event.org_code.startswith(scope) and begin <= t.at < finish and t.extra["returned_by"] in rows:
            rows[t.extra["returned_by"]]["returns"] += 1
    busiest = max(r["due"] for r in rows.values())
    result = {}
    for code, r in rows.items():
        points = r["yellow"] * rule.yellow_card_points + r["red"] * rule.red_card_points + r["on_time"] * rule.on_time_points
        score = 100 * (float(rule.weight_closure) * r["closed"] / r["due"] + float(rule.weight_on_time) * r["on_time"] / r["due"]
                       + float(rule.weight_no_rework) * (1 - r["rework"] / r["due"]) + float(rule.weight_volume) * r["due"] / busiest)
        result[code] = (r["due"], r["closed"], r["on_time"], r["returns"], points, r["yellow"], r["red"], round(score, 2))
    return result


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_cached_ranking_has_the_numbers_of_counting_by_hand(departments, categories, seed):
    # given: random events and returns in and around November, in two counties
    random_events(random.Random(seed), departments)
    expected = naive_station_ranking(Tree.COUNTY_A)
    assert len(expected) == 3 and sum(v[0] for v in expected.values()) > 30  # the data does rank

    # when: the ranking is computed (a miss) and read again (a hit)
    first, computed_at = scoring.ranking_indicators(tab="station", start=START, end=END, scope=Tree.COUNTY_A)
    again, read_at = scoring.ranking_indicators(tab="station", start=START, end=END, scope=Tree.COUNTY_A)

    # then: both are the hand count, and the second is the first's
    for items in (first, again):
        got = {i.key: (i.due, i.closed, i.closed_on_time, i.wrongly_dispatched, i.points, i.yellow_cards,
                       i.red_cards, i.score) for i in items}
        assert {k: v[:7] for k, v in got.items()} == {k: v[:7] for k, v in expected.items()}
        assert {k: v[7] for k, v in got.items()} == pytest.approx({k: v[7] for k, v in expected.items()}, abs=0.011)
    assert read_at == computed_at
    assert [i.key for i in first] == [i.key for i in scoring.unit_indicators(kind="station", start=START, end=END,
                                                                              scope=Tree.COUNTY_A)]


def test_every_tab_from_the_cache_equals_its_computation(departments, categories):
    random_events(random.Random(7), departments)

    for tab, _label in scoring_tabs():
        cached, _at = scoring.ranking_indicators(tab=tab, start=START, end=END, scope=Tree.COUNTY_A)
        assert cached == scoring.tab_indicators(tab=tab, start=START, end=END, scope=Tree.COUNTY_A), tab


def scoring_tabs():
    from gridgov.events.forms import RankingForm

    return RankingForm.TABS


def test_a_closure_shows_on_the_page_at_once(people, food_rule, django_capture_on_commit_callbacks):
    event = submit(people["gw"], photos=[jpeg()])
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="处理完毕", photos=[jpeg()])
    act(people["gw"], event, "verify", passed=True, note="")
    Event.objects.filter(pk=event.pk).update(handle_deadline=IN_MONTH)
    event.refresh_from_db()
    before = shown(page(people["dispatcher"], tab="station"))
    assert before["990101001-market"][:2] == (1, 0)

    with django_capture_on_commit_callbacks(execute=True):
        act(people["dispatcher"], event, "close")

    after = shown(page(people["dispatcher"], tab="station"))
    assert after["990101001-market"][:2] == (1, 1)


def test_a_return_shows_at_once_and_other_areas_keep_their_figures(people, departments, categories):
    random_events(random.Random(5), departments, n=40)
    elsewhere = make_user("dispb", Role.DISPATCHER, scope=Tree.COUNTY_B)
    before_a = shown(page(people["dispatcher"], tab="station"))
    before_b = shown(page(elsewhere, tab="station"))
    event = Event.objects.filter(org_code=Tree.CELL_A1, handle_deadline__gte=IN_MONTH - datetime.timedelta(days=9),
                                 handle_deadline__lt=IN_MONTH + datetime.timedelta(days=20)).first()
    TimelineEntry.objects.create(event=event, action="return", from_status="dispatched", to_status="returned",
                                 at=IN_MONTH, extra={"returned_by": "990101001-market"})

    # the entry alone (no service) is not seen: the figures are cached ...
    assert shown(page(people["dispatcher"], tab="station")) == before_a
    # ... until a return in the area takes a new generation
    ranking_cache.ranking_changed(org_code=event.org_code)
    after_a = shown(page(people["dispatcher"], tab="station"))
    assert after_a["990101001-market"][3] == before_a["990101001-market"][3] + 1
    # county B's figures are its own, and were not recomputed
    assert before_b != before_a
    assert shown(page(elsewhere, tab="station")) == before_b


def test_a_new_score_rule_is_used_at_once(people, departments, categories):
    random_events(random.Random(11), departments, n=40)
    before = shown(page(people["dispatcher"], tab="station"))

    rule = scoring.score_rule()
    rule.on_time_points = 100
    rule.save()

    after = shown(page(people["dispatcher"], tab="station"))
    assert any(after[k][4] != before[k][4] for k in before if before[k][2])


def test_the_page_says_when_its_figures_were_computed(people, departments, categories):
    random_events(random.Random(3), departments, n=10)

    response = page(people["dispatcher"], tab="station")

    as_of = timezone.localtime(response.context["as_of"]).strftime("%H:%M")
    assert f"Figures as of {as_of}" in response.content.decode()


@pytest.mark.parametrize("n", [5, 50])
def test_a_cached_ranking_view_costs_no_aggregate(people, departments, categories, django_assert_num_queries, n):
    random_events(random.Random(n), departments, n=n)
    client = signed_in(people["dispatcher"])
    page(people["dispatcher"], client, tab="township")  # computed once

    # session, user, roles, the unread badge (the scope's name is the org tree cache's): the
    # figures come from the ranking cache, no aggregate
    with django_assert_num_queries(4):
        response = page(people["dispatcher"], client, tab="township")

    assert response.context["rows"]
