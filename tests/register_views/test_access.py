"""Who may open each page: signed-out visitors sign in, refused roles get 403, other areas 404."""

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.core.models import Role, User
from gridgov.register import services
from tests.factories import Tree, make_user


@pytest.fixture
def pages(screener, household, building, item):
    place = services.place_create(actor=screener, name="便民超市", kind="shop", lat=31.006, lng=120.006)
    return {
        "register-home": reverse("register-home"),
        "register-one-table": reverse("register-one-table", args=[Tree.VILLAGE_A]),
        "register-one-table-xlsx": reverse("register-one-table-xlsx", args=[Tree.VILLAGE_A]),
        "register-household": reverse("register-household", args=[household.pk]),
        "register-rounds": reverse("register-rounds"),
        "register-round": reverse("register-round", args=[item.round_id]),
        "register-checklist": reverse("register-checklist", args=[item.round_id]),
        "register-item": reverse("register-item", args=[item.pk]),
        "register-signoff": reverse("register-signoff"),
        "register-buildings": reverse("register-buildings"),
        "register-building": reverse("register-building", args=[building.pk]),
        "register-building-create": reverse("register-building-create"),
        "register-places": reverse("register-places"),
        "register-place": reverse("register-place", args=[place.pk]),
        "register-place-create": reverse("register-place-create"),
        "register-import": reverse("register-import"),
        "register-import-template": reverse("register-import-template", args=["households"]),
    }


ALL = {
    "register-home", "register-one-table", "register-one-table-xlsx", "register-household", "register-rounds",
    "register-round", "register-checklist", "register-item", "register-signoff", "register-buildings",
    "register-building", "register-building-create", "register-places", "register-place", "register-place-create",
    "register-import", "register-import-template",
}
VIEWERS = {
    "register-home", "register-one-table", "register-one-table-xlsx", "register-household", "register-rounds",
    "register-round", "register-checklist", "register-item", "register-buildings", "register-building",
    "register-places", "register-place",
}
ALLOWED = {
    "screener": ALL,
    "gw": VIEWERS,
    "st": VIEWERS,
    "aud": set(),
    "med": set(),
}


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_page_answers_allowed_roles_and_refuses_the_others(login, pages, worker, station, username):
    make_user("aud", Role.AUDITOR, scope="99")
    make_user("med", Role.MEDIATOR, scope=Tree.TOWNSHIP_A)
    client = login(User.objects.get(username=username))

    statuses = {name: client.get(url).status_code for name, url in pages.items()}

    assert {name for name, status in statuses.items() if status == 200} == ALLOWED[username]
    assert {status for name, status in statuses.items() if name not in ALLOWED[username]} <= {403}


def test_signed_out_visitors_are_sent_to_sign_in(pages):
    client = Client()

    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_another_countys_staff_find_nothing_here(login, pages, tree):
    outsider = make_user("gwb", Role.SCREENER, scope=Tree.VILLAGE_B)
    client = login(outsider)

    for name in ("register-one-table", "register-household", "register-round", "register-checklist",
                 "register-item", "register-building", "register-place"):
        assert client.get(pages[name]).status_code == 404, name


def test_the_navigation_shows_the_register_entries_by_capability(login, worker, screener):
    worker_nav = login(worker).get(reverse("register-home")).content.decode()
    screener_nav = login(screener).get(reverse("register-home")).content.decode()

    nav = worker_nav[worker_nav.index('class="site-nav"'):worker_nav.index("</nav>", worker_nav.index('class="site-nav"'))]
    assert reverse("register-home") in nav and reverse("register-rounds") in nav
    assert reverse("register-signoff") not in nav and reverse("register-import") not in nav
    assert reverse("register-signoff") in screener_nav
