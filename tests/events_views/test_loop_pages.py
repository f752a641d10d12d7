"""The event loop through the pages, by the accounts that do each step: a grid worker reports
on the phone page, the station accepts and handles from its inbox, the worker verifies on the
phone page, the dispatcher closes and evaluates, and the evaluation page counts it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.events.models import Event, TimelineEntry
from gridgov.events.workflow import Status
from tests.events.conftest import jpeg
from tests.events_views.conftest import POINT_A1, act, report


def phone_report(client, **fields):
    body = {"domain": "food", "category": "food.unlicensed", "description": "路边无证小吃摊", "urgency": "ordinary",
            "idempotency_key": "key-1", **POINT_A1, "photos": [jpeg()], **fields}
    return client.post(reverse("events-mobile"), body)


def action(client, event, name, **fields):
    body = {"action": name, **{f"{name}-{key}": value for key, value in fields.items()}}
    return client.post(reverse("events-act", args=[event.pk]), body)


def shown_actions(response) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', response.content.decode()))


def test_the_loop_through_the_pages(login, people, food_rule, departments):
    worker, station, dispatcher = (login(people[n]) for n in ("gw", "station", "dispatcher"))

    # A grid worker reports on the phone page, with a photo and the phone's location.
    response = phone_report(worker)
    assert response.status_code == 302 and response.url.endswith("?tab=mine&sent=1")
    event = Event.objects.get()
    assert (event.status, event.department) == (Status.DISPATCHED, departments["station"])
    assert event.photos.count() == 1
    mine = worker.get(response.url)
    assert event.code in mine.content.decode()
    assert f"Report {event.code} was sent." in mine.content.decode()

    # It appears in the township station's inbox, waiting to be accepted.
    inbox = station.get(reverse("events-inbox"))
    assert event.code in inbox.content.decode()

    # The station accepts it and reports it handled with a photo of the result.
    assert action(station, event, "accept").status_code == 302
    assert event.code in station.get(reverse("events-inbox"), {"tab": "handling"}).content.decode()
    response = action(station, event, "handle", note="已取缔，摊主已离开", photos=[jpeg("after.jpg")])
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.HANDLED and event.photos.count() == 2

    # The grid worker finds it in the verify queue on the phone page and verifies it.
    queue = worker.get(reverse("events-mobile"), {"tab": "verify"})
    assert event.code in queue.content.decode()
    response = worker.post(reverse("events-mobile-verify", args=[event.pk]),
                           {f"v{event.pk}-passed": "yes", f"v{event.pk}-note": "现场已无摊位",
                            f"v{event.pk}-photos": [jpeg("check.jpg")]})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.VERIFIED

    # The dispatcher closes and evaluates it on the event page.
    assert action(dispatcher, event, "close").status_code == 302
    assert action(dispatcher, event, "evaluate", rating="5").status_code == 302
    event.refresh_from_db()
    assert (event.status, event.rating) == (Status.EVALUATED, 5)
    assert [e.action for e in event.timeline.all()] == [
        "register", "dispatch", "accept", "handle", "verify", "close", "evaluate"]

    # The evaluation counts the station's on-time closure in the month it was due.
    month = timezone.localtime(event.handle_deadline).strftime("%Y-%m")
    ranking = dispatcher.get(reverse("events-ranking"), {"month": month, "tab": "station"})
    row = ranking.content.decode().split(departments["station"].code)[1].split("</tr>")[0]
    assert "100.0%" in row


def test_only_the_allowed_actions_have_forms(login, people, event, departments):
    url = reverse("events-detail", args=[event.pk])

    # a dispatched event: the station may accept or return it
    assert shown_actions(login(people["station"]).get(url)) == {"accept", "return"}
    # the dispatcher may send it elsewhere or cancel it
    assert shown_actions(login(people["dispatcher"]).get(url)) == {"dispatch", "cancel"}
    # the owning department may pass it on again, or take it over
    assert shown_actions(login(people["department"]).get(url)) == {"dispatch", "accept", "return"}
    # the reporting grid worker has nothing to do now
    assert shown_actions(login(people["gw"]).get(url)) == set()

    # once accepted, the station handles, returns or asks for more time
    act(people["station"], event, "accept")
    assert shown_actions(login(people["station"]).get(url)) == {"handle", "return", "extend"}
    assert shown_actions(login(people["dispatcher"]).get(url)) == {"suspend"}

    # a pending request for more time is decided by the dispatcher, not asked twice
    act(people["station"], event, "extend", hours="8", reason="需协调执法")
    assert shown_actions(login(people["station"]).get(url)) == {"handle", "return"}
    assert shown_actions(login(people["dispatcher"]).get(url)) == {"approve_extension", "suspend"}


def test_an_illegal_action_is_a_409_and_changes_nothing(login, people, event):
    # given: a dispatched event
    client = login(people["dispatcher"])
    steps = event.timeline.count()

    # when: the dispatcher tries to close it (it has not been handled or verified)
    response = action(client, event, "close")

    # then
    assert response.status_code == 409
    assert "not possible while the event is" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED and event.timeline.count() == steps


def test_an_illegal_action_over_htmx_swaps_the_panel_with_the_message(login, people, event):
    client = login(people["station"])
    act(people["station"], event, "accept")

    response = client.post(reverse("events-act", args=[event.pk]), {"action": "accept"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="event-panel")

    assert response.status_code == 409
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="event-panel">') and "data-panel-error" in body
    assert "<html" not in body


def test_a_role_that_may_never_act_gets_403(login, people, event):
    response = action(login(people["station"]), event, "close")

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.status == Status.DISPATCHED


def test_bad_input_is_a_400_with_the_message_next_to_the_field(login, people, event):
    client = login(people["station"])
    act(people["station"], event, "accept")

    # handling needs a photo of the result (food.unlicensed cannot be fixed without one)
    response = action(client, event, "handle", note="已处理")

    assert response.status_code == 400
    assert "Attach a photo of the result." in response.content.decode()
    event.refresh_from_db()
    assert event.status == Status.ACCEPTED


def test_a_successful_action_over_htmx_returns_the_fresh_panel(login, people, event):
    client = login(people["station"])

    response = client.post(reverse("events-act", args=[event.pk]), {"action": "accept"},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="event-panel")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Accept: done." in body and 'data-action="handle"' in body


def test_a_return_says_who_refused_it_why_and_where_it_belongs(login, people, event, departments):
    # given: the station returns the event, naming the department that should have it
    people["station"].display_name = "所员 李四"
    people["station"].save()
    response = action(login(people["station"]), event, "return", reason="属于住建部门职责",
                      suggested_department=departments["housing"].code)
    assert response.status_code == 302

    # then: the dispatcher's queue and the event page say who, why and where
    dispatcher = login(people["dispatcher"])
    for page in (dispatcher.get(reverse("events-queue")), dispatcher.get(reverse("events-detail", args=[event.pk]))):
        body = page.content.decode()
        assert departments["station"].name in body
        assert "所员 李四" in body
        assert "属于住建部门职责" in body
        assert departments["housing"].name in body


def test_the_dispatcher_dispatches_a_returned_event_to_the_suggested_department(login, people, event, departments):
    act(people["station"], event, "return", reason="不归我们", suggested_department=departments["housing"].code)
    client = login(people["dispatcher"])

    response = action(client, event, "dispatch", department=departments["housing"].code)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.department) == (Status.DISPATCHED, departments["housing"])


def test_a_resubmitted_phone_report_creates_one_event(login, people, food_rule):
    # given: a report sent, whose answer the phone never received
    client = login(people["gw"])
    assert phone_report(client, idempotency_key="retry-me").status_code == 302

    # when: the worker sends the same form again
    response = phone_report(client, idempotency_key="retry-me")

    # then: one event, and the worker is told it was already received
    assert Event.objects.count() == 1
    assert response.status_code == 302
    assert "was already received" in client.get(response.url).content.decode()
    # a new form (a new key) is a new report
    phone_report(client, idempotency_key="another", description="另一个摊位")
    assert Event.objects.count() == 2


def test_a_phone_report_with_errors_keeps_its_key_and_creates_nothing(login, people, food_rule):
    client = login(people["gw"])

    response = phone_report(client, description="", idempotency_key="keep-me")

    assert response.status_code == 400
    assert 'value="keep-me"' in response.content.decode()
    assert Event.objects.count() == 0


def test_a_point_outside_the_workers_cells_is_refused(login, people, food_rule):
    response = phone_report(login(people["gw"]), lat=31.005, lng=120.105)  # the other county

    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_fixed_on_the_spot_closes_the_report(login, people, categories):
    # given: a blocked fire lane (a category a grid worker may fix), with no routing rule
    client = login(people["gw"])

    # when
    response = phone_report(client, domain="fire", category="fire.lane", description="消防通道堆放杂物",
                            fixed_on_site="on", fix_note="已清理杂物", photos=[])

    # then
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.status == Status.CLOSED and event.resolved_on_site
    assert event.timeline.last().note == "已清理杂物"


def test_fixed_on_the_spot_is_refused_for_other_categories(login, people, food_rule):
    response = phone_report(login(people["gw"]), fixed_on_site="on", fix_note="已劝离")

    assert response.status_code == 400
    assert "cannot be closed on the spot" in response.content.decode()
    assert Event.objects.count() == 0


def test_only_fixable_categories_are_marked_for_the_box(login, people, categories):
    body = login(people["gw"]).get(reverse("events-mobile")).content.decode()

    assert re.search(r'<option value="fire.lane"[^>]*data-fixable="1"', body)
    assert not re.search(r'<option value="food.unlicensed"[^>]*data-fixable', body)
    # the picker offers leaf categories only
    assert 'value="food"' not in body.split('name="category"')[1].split("</select>")[0]
    assert 'capture="environment"' in body and 'accept="image/*"' in body and "multiple" in body


def test_failed_verification_on_the_phone_sends_it_back_for_rework(login, people, handled_event, departments):
    client = login(people["gw"])
    pk = handled_event.pk

    # a failed check needs a note
    response = client.post(reverse("events-mobile-verify", args=[pk]), {f"v{pk}-passed": "no"})
    assert response.status_code == 400
    assert "Say what is still wrong." in response.content.decode()

    response = client.post(reverse("events-mobile-verify", args=[pk]),
                           {f"v{pk}-passed": "no", f"v{pk}-note": "摊位仍在"})
    assert response.status_code == 302
    handled_event.refresh_from_db()
    assert (handled_event.status, handled_event.rework_count) == (Status.ACCEPTED, 1)

    # the station sees it under rework with the reason
    body = login(people["station"]).get(reverse("events-inbox"), {"tab": "rework"}).content.decode()
    assert handled_event.code in body and "摊位仍在" in body


def test_verifying_an_event_already_verified_is_a_409(login, people, handled_event):
    act(people["gw"], handled_event, "verify", passed=True)
    pk = handled_event.pk

    response = login(people["gw"]).post(reverse("events-mobile-verify", args=[pk]), {f"v{pk}-passed": "yes"})

    assert response.status_code == 409
    assert TimelineEntry.objects.filter(event=handled_event, action="verify").count() == 1


def test_duplicates_are_offered_for_merging_in_the_queue(login, people, food_rule):
    # given: two reports of the same problem 10 m apart
    first = report(people["gw"])
    second = report(people["gw"], lat=31.00509, description="同一个摊位")
    client = login(people["dispatcher"])

    # when
    body = client.get(reverse("events-queue")).content.decode()

    # then: the newer report offers a merge into the older one
    assert f'action="{reverse("events-merge", args=[second.pk])}"' in body
    assert f'action="{reverse("events-merge", args=[first.pk])}"' not in body
    response = client.post(reverse("events-merge", args=[second.pk]), {"original": first.pk, "next": "queue"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.duplicate_of_id) == (Status.CANCELLED, first.pk)


def test_merging_an_accepted_event_is_a_409(login, people, food_rule):
    first = report(people["gw"])
    second = report(people["gw"], lat=31.00509)
    act(people["station"], second, "accept")

    response = login(people["dispatcher"]).post(reverse("events-merge", args=[second.pk]), {"original": first.pk})

    assert response.status_code == 409
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED


@pytest.mark.parametrize("params, shown", [
    ({}, True),
    ({"status": "accepted"}, False),
    ({"category": "food"}, True),
    ({"category": "fire"}, False),
    ({"org": "990101001"}, True),
    ({"org": "990102"}, False),
    ({"department": "990101001-market"}, True),
    ({"department": "990101-housing"}, False),
    ({"overdue": "on"}, False),
])
def test_the_queue_filters(login, people, event, params, shown):
    body = login(people["dispatcher"]).get(reverse("events-queue"), params).content.decode()

    assert (event.code in body) is shown


def test_the_map_carries_open_events_and_the_area_cells(login, people, event):
    response = login(people["dispatcher"]).get(reverse("events-map"))

    data = response.context["map_data"]
    assert [e["code"] for e in data["events"]] == [event.code]
    assert data["events"][0]["status"] == "dispatched"
    assert {f["properties"]["code"] for f in data["cells"]["features"]} == {"990101001001001", "990101001001002"}
    assert 'id="events-map-data"' in response.content.decode()


def test_the_queue_partial_for_htmx(login, people, event):
    response = login(people["dispatcher"]).get(reverse("events-queue"), {"status": "open"},
                                               HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")

    body = response.content.decode()
    assert event.code in body and "<html" not in body


def test_fixed_on_the_spot_closes_it_even_where_a_rule_would_route_it(login, people, categories, departments):
    # given: a rule sends blocked fire lanes straight to a department
    from gridgov.events.models import RoutingRule

    RoutingRule.objects.create(category=categories["fire.lane"], org_prefix="990101", department=departments["housing"],
                               to_local_station=False)
    client = login(people["gw"])

    # when
    phone_report(client, domain="fire", category="fire.lane", description="消防通道堆放杂物",
                 fixed_on_site="on", fix_note="已清理杂物", photos=[])

    # then: closed by the worker, never sent to the department
    event = Event.objects.get()
    assert (event.status, event.resolved_on_site, event.department) == (Status.CLOSED, True, None)
    assert [e.action for e in event.timeline.all()] == ["register", "resolve_on_site"]


def test_the_queue_pages_by_keyset_keeping_the_filters(login, people, departments):
    from tests.events_views.test_query_counts import make_events

    make_events(51, status=Status.DISPATCHED, department=departments["station"], owner=departments["market"])
    client = login(people["dispatcher"])

    first = client.get(reverse("events-queue"), {"category": "food"})
    next_url = first.context["next_url"]
    second = client.get(reverse("events-queue") + next_url)

    assert len(first.context["rows"]) == 50 and "category=food" in next_url
    assert [r.event.code for r in second.context["rows"]] == ["990101-20260105-0001"]
    assert second.context["next_url"] is None


def test_a_department_follows_the_events_at_its_stations(login, people, event):
    client = login(people["department"])

    body = client.get(reverse("events-inbox"), {"tab": "stations"}).content.decode()

    assert event.code in body
    assert event.code not in client.get(reverse("events-inbox")).content.decode()  # not its own to accept
    # a station has no such tab
    station_page = login(people["station"]).get(reverse("events-inbox"), {"tab": "stations"})
    assert [key for key, _label, _n in station_page.context["tabs"]] == ["to_accept", "handling", "rework"]
