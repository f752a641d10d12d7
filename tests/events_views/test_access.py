"""Each event page opens for the roles that should use it and refuses the others: sign-in
first, 403 for a role that may never use the page, 404 for an event outside the user's sight."""

import pytest
from django.urls import reverse

from gridgov.core.models import Role
from tests.factories import Tree, make_user

# account → the people fixture's user, or (role, scope) for the extra ones
EXTRA = {
    "city_admin": (Role.CITY_ADMIN, "99"),
    "auditor": (Role.AUDITOR, "99"),
    "mediator": (Role.MEDIATOR, Tree.TOWNSHIP_A),
}
ACCOUNTS = ["gw", "dispatcher", "department", "station", "city_admin", "auditor", "mediator"]

# page → accounts that get 200; every other signed-in account gets 403
ALLOWED = {
    "events-mobile": {"gw"},
    "events-queue": {"dispatcher", "city_admin"},
    "events-map": {"dispatcher", "city_admin"},
    "events-inbox": {"department", "station"},
    "events-hotline": {"dispatcher"},
    "events-ranking": {"dispatcher", "city_admin"},
    "events-rules": {"city_admin"},
    "notifications": set(ACCOUNTS),
}


@pytest.fixture
def accounts(people):
    extra = {name: make_user(name, role, scope=scope) for name, (role, scope) in EXTRA.items()}
    return {**people, **extra}


@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("account", ACCOUNTS)
def test_pages_open_for_their_roles_only(login, accounts, page, account):
    # given
    client = login(accounts[account])

    # when
    response = client.get(reverse(page))

    # then
    assert response.status_code == (200 if account in ALLOWED[page] else 403)


@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_signed_out_visitors_are_sent_to_sign_in(anon, db, page):
    response = anon.get(reverse(page))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_event_page_follows_who_may_see_the_event(login, people, event):
    # given: the report sits with the township station of county A
    url = reverse("events-detail", args=[event.pk])

    # then: the reporter, the area's dispatcher, the station and its department see it
    for name in ("gw", "dispatcher", "station", "department"):
        assert login(people[name]).get(url).status_code == 200, name
    # and another county's station and an unconcerned department get the same 404 as for
    # an event that does not exist
    for name in ("other_station", "housing"):
        assert login(people[name]).get(url).status_code == 404, name
    assert login(people["dispatcher"]).get(reverse("events-detail", args=[event.pk + 999])).status_code == 404


def test_photos_are_served_only_to_those_who_see_the_event(login, people, food_rule,
                                                          django_capture_on_commit_callbacks):
    from tests.events.conftest import jpeg
    from tests.events_views.conftest import report

    with django_capture_on_commit_callbacks(execute=True):  # photos are written on commit
        event = report(people["gw"], photos=[jpeg()])
    photo = event.photos.get()
    url = reverse("events-photo", args=[event.pk, photo.pk, "thumb"])

    assert login(people["station"]).get(url).status_code == 200
    assert login(people["station"]).get(reverse("events-photo", args=[event.pk, photo.pk, "large"])).status_code == 200
    assert login(people["other_station"]).get(url).status_code == 404
    assert login(people["station"]).get(reverse("events-photo", args=[event.pk, photo.pk, "original"])).status_code == 404


def test_actions_need_a_signed_in_user_who_sees_the_event(anon, login, people, event):
    url = reverse("events-act", args=[event.pk])

    assert anon.post(url, {"action": "accept"}).status_code == 302
    assert login(people["other_station"]).post(url, {"action": "accept"}).status_code == 404
    event.refresh_from_db()
    assert event.status == "dispatched"


def test_a_worker_verifies_only_in_their_own_cells(login, people, handled_event):
    # given: a grid worker of the other county
    outsider = make_user("gwb", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1])

    # when
    response = login(outsider).post(reverse("events-mobile-verify", args=[handled_event.pk]),
                                    {f"v{handled_event.pk}-passed": "yes"})

    # then
    assert response.status_code == 404
    handled_event.refresh_from_db()
    assert handled_event.status == "handled"


def test_public_pages_need_no_account(anon, event):
    assert anon.get(reverse("events-report-public")).status_code == 200
    assert anon.get(reverse("events-track-lookup")).status_code == 200
    assert anon.get(reverse("events-track", args=[event.public_token])).status_code == 200
    assert anon.get(reverse("events-track", args=["not-a-real-token"])).status_code == 404


def test_an_unknown_department_account_has_no_inbox(login, tree):
    # a station account without a station (a setup mistake) is refused, not shown an error page
    user = make_user("lost", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)

    assert login(user).get(reverse("events-inbox")).status_code == 403


def test_the_returned_event_leaves_the_station_sight(login, people, event, departments):
    # given: the station returns the event
    client = login(people["station"])

    # when
    response = client.post(reverse("events-act", args=[event.pk]),
                           {"action": "return", "return-reason": "不属于本所", "return-suggested_department": ""})

    # then: it lands on its inbox instead of a 404
    assert response.status_code == 302 and response.url == reverse("events-inbox")
    # its old links (the page, a notification) lead to a clear page, not a 404: returned by
    # its unit, with the reason, without the event's details or any action (issue 11)
    page = client.get(reverse("events-detail", args=[event.pk]))
    assert page.status_code == 200 and "events/returned.html" in [t.name for t in page.templates]
    assert "不属于本所" in page.content.decode() and event.description not in page.content.decode()
    assert 'name="action"' not in page.content.decode()
    assert login(people["department"]).get(reverse("events-detail", args=[event.pk])).status_code == 200

