"""`GET /api/v1/me/workbench/` for the phone app, and the phone's bottom tab bar."""

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.navigation import NAV_ITEMS, TAB_BAR_SIZE, nav_items_for, tab_items
from gridgov.core.permissions import capabilities_of
from tests.factories import make_api_token
from tests.workbench.conftest import make_enrollments


def test_the_api_gives_each_item_with_label_count_url_and_urgency(roles):
    make_enrollments(2, due_in_days=0)
    make_enrollments(1, due_in_days=-3)
    client = Client(HTTP_AUTHORIZATION=f"Token {make_api_token(roles['doctor'])}", HTTP_ACCEPT_LANGUAGE="en")

    response = client.get(reverse("api-me-workbench"))

    assert response.status_code == 200
    body = response.json()
    items = {i["key"]: i for i in body["items"]}
    assert items["care.visits_due"] == {"key": "care.visits_due", "section": "care.visits", "label": "Visits due",
                                        "count": 3, "url": reverse("care-today") + "?status=due", "urgency": "soon"}
    assert items["care.visits_overdue"]["count"] == 1 and items["care.visits_overdue"]["urgency"] == "overdue"
    assert body["empty"] is False and body["actions"] == []


def test_the_grid_worker_gets_the_report_button_over_the_api(roles):
    client = Client(HTTP_AUTHORIZATION=f"Token {make_api_token(roles['gw'])}", HTTP_ACCEPT_LANGUAGE="zh-hans")

    body = client.get(reverse("api-me-workbench")).json()

    [action] = body["actions"]
    assert action["key"] == "events.report" and action["url"] == reverse("events-mobile") + "?tab=report"


def test_the_api_needs_a_sign_in(db):
    assert Client().get(reverse("api-me-workbench")).status_code == 401


def test_care_figures_above_the_county_come_back_suppressed_over_the_api(roles):
    make_enrollments(2, due_in_days=-1)
    client = Client(HTTP_AUTHORIZATION=f"Token {make_api_token(roles['admin'])}")

    items = {i["key"]: i for i in client.get(reverse("api-me-workbench")).json()["items"]}

    assert items["care.enrolled"]["count"] is None
    assert "care.visits_due" not in items


@pytest.mark.parametrize("role", ["dispatcher", "gw", "department", "station", "doctor", "officer", "screener",
                                  "auditor", "admin", "mediator", "police"])
def test_every_role_has_home_and_its_main_pages_in_the_tab_bar(login, roles, role):
    user = roles[role]
    tabs = tab_items(nav_items_for(user, {str(c) for c in capabilities_of(user)}))

    content = login(user).get(reverse("home")).content.decode()

    bar = content[content.index('class="tab-bar"'):]
    bar = bar[:bar.index("</nav>")]
    assert f'href="{reverse("home")}"' in bar
    assert 1 <= len(tabs) <= TAB_BAR_SIZE
    for item in tabs:
        assert f'href="{reverse(item.url_name)}"' in bar
    assert bar.count("<li>") == len(tabs) + 1


@pytest.mark.parametrize("role,first", [("gw", "events-mobile"), ("dispatcher", "events-queue"),
                                        ("station", "events-inbox"), ("doctor", "notifications"),
                                        ("officer", "care-officer"), ("auditor", "audit-search"),
                                        ("screener", "notifications")])
def test_each_roles_first_tab_is_its_main_page(roles, role, first):
    user = roles[role]
    tabs = tab_items(nav_items_for(user, {str(c) for c in capabilities_of(user)}))

    assert tabs[0].url_name == first


def test_every_tab_bar_entry_names_a_page():
    for item in NAV_ITEMS:
        if item.tab:
            assert reverse(item.url_name)


def test_the_menu_never_scrolls_sideways():
    from pathlib import Path

    import gridgov

    css = (Path(gridgov.__file__).parent / "static/gridgov/css/app.css").read_text()
    rule = css[css.index(".site-nav ul {"):]
    rule = rule[:rule.index("}")]
    assert "overflow-x" not in rule and "flex-wrap: wrap" in rule


def test_a_visit_due_tomorrow_is_not_due_yet(roles):
    make_enrollments(1, due_in_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Token {make_api_token(roles['doctor'])}")

    items = {i["key"]: i for i in client.get(reverse("api-me-workbench")).json()["items"]}

    assert items["care.visits_due"]["count"] == 0
