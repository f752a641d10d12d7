"""The dispatcher's queue and a unit's inbox as hot pages (issue 12): rows made ready in
Python (`events.views.rows`), a query count that does not depend on the rows (how many, with
or without duplicates, returns, rework), duplicate hints capped with a link to the rest, and
the same HTML as the row template that did the work per row."""

import datetime
import re
import secrets
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from gridgov.events import selectors
from gridgov.events.models import Category, Channel, Event, TimelineEntry
from gridgov.events.views.common import LIGHT_LABELS, light_of
from gridgov.events.views.rows import HINTS_SHOWN
from gridgov.events.workflow import TRANSITIONS, SideAction, Status
from tests.factories import Tree

BASE = 5  # session, user, roles, the scope's name in the header, the unread badge


def make_events(n, *, status=Status.DISPATCHED, department=None, owner=None, rework=0, crowd=False, start=0,
                description="摊位"):
    """`n` events of cell A1 straight into the table, ~30 m apart in a line when `crowd` (each
    a possible duplicate of its neighbours), 1 km apart otherwise."""
    now = timezone.now()
    category = Category.objects.get(code="food.unlicensed")
    return Event.objects.bulk_create([
        Event(
            code=f"990101-20260105-{start + i:04d}", category=category, description=f"{description}{i}",
            channel=Channel.GRID_WORKER, status=status, org_code=Tree.CELL_A1,
            lat=31.0 + (i * 0.00003 if crowd else i * 0.01), lng=120.005,
            department=department, owner_department=owner or department, public_token=secrets.token_urlsafe(24),
            step="handle", step_started_at=now - datetime.timedelta(hours=1 + i),
            step_deadline=now + datetime.timedelta(hours=20 - i), rework_count=rework,
        )
        for i in range(n)
    ])


def returned(events, *, with_entry=True):
    Event.objects.filter(pk__in=[e.pk for e in events]).update(status=Status.RETURNED)
    if with_entry:
        TimelineEntry.objects.bulk_create([
            TimelineEntry(event=e, action="return", from_status="dispatched", to_status="returned", at=timezone.now(),
                          actor_label="所员<b>", extra={"reason": "不归我们 & 别处", "returned_by": "990101001-market",
                                                       "suggested_department": "990101-housing"})
            for e in events
        ])


# --- 1. the queue: the same queries whatever its rows ------------------------------------------


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("kind", ["apart", "duplicates", "returned", "returned without entries"])
def test_the_queue_costs_the_same_queries_whatever_its_rows(login, people, departments, django_assert_num_queries,
                                                            n, kind):
    # given: n open events, spread out or crowded (every one a duplicate of its neighbours),
    # and on the "returned" pages a third returned (with or without their return entries)
    events = make_events(n, department=departments["station"], owner=departments["market"],
                         crowd=kind == "duplicates")
    if kind.startswith("returned"):
        returned(events[::3], with_entry=kind == "returned")
    client = login(people["dispatcher"])

    # the filter choices (categories, departments), the page of events (with each returned
    # one's last return and its units' names), the calendars (schedules, holiday overrides),
    # the places' names, the duplicate candidates
    with django_assert_num_queries(BASE + 7):
        response = client.get(reverse("events-queue"))

    body = response.content.decode()
    assert body.count('class="item event-row"') == min(n, 50)
    assert ('class="duplicate-hints"' in body) is (kind == "duplicates")
    assert ("Returned by 镇市场监管所" in body) is (kind == "returned")


@pytest.mark.parametrize("n", [5, 60])
def test_the_queue_partial_costs_the_same_queries(login, people, departments, django_assert_num_queries, n):
    make_events(n, department=departments["station"], owner=departments["market"], crowd=True)
    client = login(people["dispatcher"])

    # a partial has no header: session, user, roles; then as the page
    with django_assert_num_queries(3 + 7):
        response = client.get(reverse("events-queue"), {"status": "open"}, HTTP_HX_REQUEST="true",
                              HTTP_HX_TARGET="queue-results")

    assert response.content.decode().count('class="item event-row"') == min(n, 50)


# --- 2. the inbox: open work only, the same queries whatever its rows --------------------------


@pytest.mark.parametrize("n", [5, 60])
@pytest.mark.parametrize("tab, rework", [("to_accept", 0), ("handling", 0), ("rework", 1)])
def test_the_inbox_costs_the_same_queries_whatever_its_rows(login, people, departments, django_assert_num_queries,
                                                            n, tab, rework):
    status = Status.DISPATCHED if tab == "to_accept" else Status.ACCEPTED
    events = make_events(n, status=status, department=departments["station"], owner=departments["market"],
                         rework=rework, crowd=True)
    TimelineEntry.objects.bulk_create([
        TimelineEntry(event=e, action="verify", from_status="handled", to_status="accepted", at=timezone.now(),
                      note="摊位还在") for e in events if rework])
    make_events(30, status=Status.CLOSED, department=departments["station"], owner=departments["market"], start=500)
    client = login(people["station"])

    # the user's station, the tab counts, the page of events (with the failed verifications'
    # notes), the calendars (schedules, holidays), the places' names
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("events-inbox"), {"tab": tab})

    body = response.content.decode()
    assert body.count('class="item event-row"') == min(n, 50)
    assert body.count("Verification failed: 摊位还在") == (min(n, 50) if rework else 0)
    counts = {key: count for key, _label, count in response.context["tabs"]}
    assert counts[tab] == n  # the closed history is never counted
    assert sum(counts.values()) == n * (2 if rework else 1)  # a reworked event is in hand too
    assert 'class="duplicate-hints"' not in body  # the inbox offers no merging


def test_a_departments_inbox_counts_its_stations_open_work_only(login, people, departments,
                                                                django_assert_num_queries):
    make_events(4, department=departments["station"], owner=departments["market"])
    make_events(20, status=Status.CLOSED, department=departments["station"], owner=departments["market"], start=100)
    client = login(people["department"])

    # a department's counts are two queries, one per partial index (its own open events,
    # its stations'): one query over both made PostgreSQL walk every open event there is
    with django_assert_num_queries(BASE + 7):
        response = client.get(reverse("events-inbox"), {"tab": "stations"})

    assert dict((key, count) for key, _label, count in response.context["tabs"]) == {
        "to_accept": 0, "handling": 0, "rework": 0, "stations": 4}
    assert response.content.decode().count('class="item event-row"') == 4


# --- 3. duplicate hints: capped, and the rest one click away ----------------------------------------


def test_a_row_names_a_few_duplicates_and_links_to_the_rest(login, people, departments):
    # given: eight reports of the same stall within 50 m of each other
    events = make_events(8, status=Status.REGISTERED, crowd=True)
    newest = events[-1]
    client = login(people["dispatcher"])

    body = client.get(reverse("events-queue")).content.decode()

    # then: the newest row names the three oldest of its seven duplicates, offers to merge
    # into each of them, and links to its page for the other four
    row = _row_html(body, newest.code)
    named = re.findall(r'<a class="mono" href="([^"]+)">([^<]+)</a>', row)
    assert named == [(reverse("events-detail", args=[e.pk]), e.code) for e in events[:HINTS_SHOWN]]
    assert row.count("Merge into ") == HINTS_SHOWN
    more = re.search(r'<a class="more-hints" href="([^"]+)">([^<]+)</a>', row)
    assert more.group(2) == "and 4 more"
    assert more.group(1) == reverse("events-detail", args=[newest.pk]) + "#duplicates-heading"
    # and the link leads to all seven, each with its merge button
    page = client.get(more.group(1).split("#")[0]).content.decode()
    assert 'id="duplicates-heading"' in page
    duplicates = page.split('id="duplicates-heading"')[1].split("</section>")[0]
    assert all(e.code in duplicates for e in events[:-1])
    assert duplicates.count("Merge this report into") == 7


def test_a_row_with_few_duplicates_has_no_more_link(login, people, departments):
    events = make_events(3, status=Status.REGISTERED, crowd=True)

    body = login(people["dispatcher"]).get(reverse("events-queue")).content.decode()

    assert "more-hints" not in body
    assert _row_html(body, events[0].code).count('<a class="mono"') == 2
    assert "Merge into" not in _row_html(body, events[0].code)  # the oldest is merged into nothing


def test_the_hints_in_chinese(login, people, departments):
    events = make_events(6, status=Status.REGISTERED, crowd=True)
    client = login(people["dispatcher"])

    body = client.get(reverse("events-queue"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    row = _row_html(body, events[-1].code)
    assert "疑似重复于" in row and f"合并至{events[0].code}" in row
    assert 'class="more-hints"' in row  # its words: /work/i18n (not yet in the catalogue)


# --- 4. the same HTML as the per-row template it replaces -------------------------------------------

# The row of events/partials/event_row.html before issue 12 (every value looked up, formatted,
# translated and reversed while rendering), here to check the rows made ready in Python.
OLD_ROW = """{% load i18n tz %}{% with e=row.event %}
<li class="item event-row" data-event-code="{{ e.code }}">
  <a class="item-title" href="{% url 'events-detail' e.pk %}">{{ e.category.name }}</a>
  <span class="status status-{{ e.status }}">{{ e.get_status_display }}</span>
  {% if row.light %}<span class="light light-{{ row.light }}">{{ row.light_label }}</span>{% endif %}
  <span class="item-meta mono">{{ e.code }}</span>
  <span class="item-meta"><time datetime="{{ e.created_at|utc|date:'c' }}">{{ e.created_at|timezone:"Asia/Shanghai"|date:"Y-m-d H:i" }}</time>{% if row.place %} · <span class="org-path" title="{{ e.org_code }}">{{ row.place }}</span>{% endif %}{% if e.department %} · {{ e.department.name }}{% endif %}</span>
  {% if e.step_deadline and row.light %}<span class="item-meta">{% translate "Due" %} <time datetime="{{ e.step_deadline|utc|date:'c' }}">{{ e.step_deadline|timezone:"Asia/Shanghai"|date:"m-d H:i" }}</time></span>{% endif %}
  <p class="event-description">{{ e.description|truncatechars:120 }}</p>
  {% if row.returned %}
    <p class="notice return-notice">{% blocktranslate with unit=row.returned.by who=row.returned.who reason=row.returned.reason %}Returned by {{ unit }} ({{ who }}): {{ reason }}{% endblocktranslate %}{% if row.returned.suggested %} · {% blocktranslate with dept=row.returned.suggested %}Should go to {{ dept }}{% endblocktranslate %}{% endif %}</p>
  {% endif %}
  {% if row.rework_note %}<p class="notice">{% blocktranslate with note=row.rework_note %}Verification failed: {{ note }}{% endblocktranslate %}</p>{% endif %}
  {% if row.hints %}
    <div class="duplicate-hints">
      <span class="item-meta">{% translate "Possible duplicate of:" %}</span>
      {% for other in row.hints %}
        <a class="mono" href="{% url 'events-detail' other.pk %}">{{ other.code }}</a>
        {% if other in row.merge_into %}
          <form class="inline-form" method="post" action="{% url 'events-merge' e.pk %}">
            {% csrf_token %}<input type="hidden" name="original" value="{{ other.pk }}"><input type="hidden" name="next" value="queue">
            <button type="submit" class="button button-quiet button-small">{% blocktranslate with code=other.code %}Merge into {{ code }}{% endblocktranslate %}</button>
          </form>
        {% endif %}
      {% endfor %}
    </div>
  {% endif %}
</li>
{% endwith %}"""


def _row_html(body: str, code: str) -> str:
    return body.split(f'data-event-code="{code}"')[1].split("</li>")[0]


def _normal(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r"\s+", " ", html).strip()


def _old_rows(events, *, now, merging):
    """The rows as the view built them before issue 12: a light per row, every hint, the
    returns and their units' names by a lookup of their own."""
    from gridgov.core import orgnames
    from gridgov.core.models import Department

    calendars = selectors.work_calendars_for(
        e.org_code for e in events if e.step_deadline and e.status in selectors.OPEN_STATUSES)
    places = orgnames.org_name_paths({e.org_code for e in events})
    hints = selectors.duplicate_hints(events)
    names = dict(Department.objects.values_list("code", "name"))
    rows = []
    for e in events:
        light = light_of(e, calendars, now)
        row = SimpleNamespace(event=e, light=light, light_label=str(LIGHT_LABELS.get(light, "")),
                              place=places.get(e.org_code, e.org_code), hints=hints.get(e.pk, []), merge_into=[],
                              returned=None, rework_note="")
        if merging and e.status in TRANSITIONS[SideAction.MERGE].sources:
            row.merge_into = [h for h in row.hints if (h.created_at, h.pk) < (e.created_at, e.pk)]
        entry = TimelineEntry.objects.filter(event=e, action="return").order_by("at", "id").last()
        if e.status == Status.RETURNED and entry:
            row.returned = {"by": names.get(entry.extra["returned_by"]), "who": entry.actor_label,
                            "reason": entry.extra["reason"],
                            "suggested": names.get(entry.extra.get("suggested_department"), "")}
        rows.append(row)
    return rows


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_queue_rows_render_as_the_old_row_template_did(login, people, departments, language):
    # given: open events with lights of every colour, duplicates (at most as many as a row
    # names), long descriptions, returns whose words need escaping, events with no unit
    events = make_events(3, status=Status.REGISTERED, crowd=True, description="路边" * 80)
    events += make_events(4, department=departments["station"], owner=departments["market"], start=10)
    now = timezone.now()
    Event.objects.filter(pk=events[3].pk).update(step_deadline=now - datetime.timedelta(hours=1))  # red
    Event.objects.filter(pk=events[4].pk).update(step_started_at=now - datetime.timedelta(days=10),
                                                 step_deadline=now + datetime.timedelta(hours=1))  # yellow
    Event.objects.filter(pk=events[0].pk).update(step_deadline=now + datetime.timedelta(days=20))  # green
    returned(events[5:])
    client = login(people["dispatcher"])

    response = client.get(reverse("events-queue"), HTTP_ACCEPT_LANGUAGE=language)

    body = response.content.decode()
    page = list(Event.objects.select_related("category", "department").order_by("-id"))
    old = engines["django"].from_string(OLD_ROW)
    request = response.wsgi_request
    with timezone.override("Asia/Shanghai"):
        for row in _old_rows(page, now=timezone.now(), merging=True):
            expected = old.render({"row": row}, request)
            assert _normal(f'data-event-code="{row.event.code}"' + _row_html(body, row.event.code) + "</li>") \
                == _normal(expected.split("<li class=\"item event-row\" ", 1)[1].rsplit("</li>", 1)[0] + "</li>")
    assert {"light-green", "light-yellow", "light-red"} <= set(re.findall(r"light-\w+", body))
    assert "Merge into" in body or "合并至" in body
    assert "所员&lt;b&gt;" in body and "不归我们 &amp; 别处" in body


def test_the_inbox_rows_render_as_the_old_row_template_did(login, people, departments):
    events = make_events(4, status=Status.ACCEPTED, department=departments["station"], owner=departments["market"],
                         rework=1)
    TimelineEntry.objects.bulk_create([
        TimelineEntry(event=e, action="verify", from_status="handled", to_status="accepted", at=timezone.now(),
                      note=f"还没好 <{i}>") for i, e in enumerate(events)])
    client = login(people["station"])

    response = client.get(reverse("events-inbox"), {"tab": "rework"})

    body = response.content.decode()
    old = engines["django"].from_string(OLD_ROW)
    page = list(Event.objects.select_related("category", "department").order_by("-id"))
    for row in _old_rows(page, now=timezone.now(), merging=False):
        row.rework_note = TimelineEntry.objects.filter(event=row.event, action="verify").get().note
        expected = old.render({"row": row}, response.wsgi_request)
        assert _normal(f'data-event-code="{row.event.code}"' + _row_html(body, row.event.code) + "</li>") \
            == _normal(expected.split("<li class=\"item event-row\" ", 1)[1].rsplit("</li>", 1)[0] + "</li>")
    assert "Verification failed: 还没好 &lt;0&gt;" in body
