"""The justice officer keeps the area's committees and seats their mediators from the page;
a mediator reads the committees they sit on."""

from __future__ import annotations

import pytest

from gridgov.core.models import Role
from gridgov.mediation.models import Committee, Mediator
from tests.factories import Tree, make_user
from tests.mediation.conftest import committee, justice, mediator_user, seat  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_justice_officer_adds_a_committee_and_seats_a_mediator(client, justice, mediator_user):
    client = signed_in(client, justice)

    added = client.post("/mediation/committees/add/", {"name": "一镇医疗纠纷人民调解委员会", "kind": "medical",
                                                       "org_code": Tree.TOWNSHIP_A})
    assert added.status_code == 302
    medical = Committee.objects.get(kind="medical")
    seated = client.post("/mediation/committees/mediators/add/", {
        "committee": medical.pk, "name": "郑芳", "username": mediator_user.username, "specialities": ["medical"]})
    assert seated.status_code == 302
    assert Mediator.objects.get(committee=medical).user == mediator_user

    page = client.get("/mediation/committees/").content.decode()
    assert "一镇医疗纠纷人民调解委员会" in page and "Medical disputes committee" in page and "郑芳" in page
    assert "Medical" in page  # the speciality by its label


def test_bad_input_is_refused_and_nothing_is_written(client, justice, committee):
    client = signed_in(client, justice)
    someone = make_user("clerk", Role.DISPATCHER, scope=Tree.TOWNSHIP_A)

    duplicate = client.post("/mediation/committees/add/", {"name": committee.name, "kind": "village",
                                                           "org_code": committee.org_code})
    outside = client.post("/mediation/committees/add/", {"name": "外镇调委会", "kind": "township",
                                                         "org_code": Tree.TOWNSHIP_B})
    not_a_mediator = client.post("/mediation/committees/mediators/add/", {
        "committee": committee.pk, "name": "某人", "username": someone.username})
    unknown = client.post("/mediation/committees/mediators/add/", {
        "committee": committee.pk, "name": "某人", "username": "nobody"})

    assert duplicate.status_code == 409 and outside.status_code == 404
    assert not_a_mediator.status_code == 400 and "mediator role" in not_a_mediator.content.decode()
    assert unknown.status_code == 400
    assert Committee.objects.count() == 1 and not Mediator.objects.exists()


def test_a_mediator_reads_their_committees_and_may_not_add(client, mediator_user, seat):
    client = signed_in(client, mediator_user)

    page = client.get("/mediation/committees/").content.decode()

    assert seat.committee.name in page and "Add a committee" not in page
    assert client.post("/mediation/committees/add/", {"name": "x", "kind": "village",
                                                      "org_code": Tree.VILLAGE_A}).status_code == 403


def test_the_page_costs_the_same_queries_for_more_committees(client, justice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.mediation import services

    def add(n):
        committee = services.committee_create(actor=justice, name=f"调委会{n}", kind="village",
                                              org_code=Tree.VILLAGE_A)
        services.mediator_add(actor=justice, committee=committee, name=f"调解员{n}")

    add(0)
    client = signed_in(client, justice)
    client.get("/mediation/committees/")
    with CaptureQueriesContext(connection) as one:
        client.get("/mediation/committees/")
    for n in range(1, 6):
        add(n)
    with CaptureQueriesContext(connection) as six:
        page = client.get("/mediation/committees/")
    assert page.content.decode().count("data-committee=") == 6
    assert len(six.captured_queries) == len(one.captured_queries)
