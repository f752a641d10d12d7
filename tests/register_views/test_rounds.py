"""Update rounds: the list with progress, opening a round, progress per cell and village, closing."""

import datetime

import pytest
from django.urls import reverse

from gridgov.register import rounds
from gridgov.register.models import UpdateRound
from tests.factories import Tree
from tests.register_views.conftest import make_households

TODAY = datetime.date.today()


def test_the_list_shows_rounds_with_their_progress(login, worker, item, update_round):
    rounds.item_confirm_unchanged(actor=worker, item=item)

    response = login(worker).get(reverse("register-rounds"))

    [row] = response.context["rounds"]
    assert row["round"] == update_round and row["percent"] == 100
    assert "十一月下半月" in response.content.decode()


def test_a_screener_opens_a_round_for_the_village(login, screener, worker, household):
    response = login(screener).post(reverse("register-rounds"), {
        "org_code": Tree.VILLAGE_A, "title": "十二月上半月", "starts_on": TODAY.isoformat(),
        "due_on": (TODAY + datetime.timedelta(days=10)).isoformat()})

    update_round = UpdateRound.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("register-round", args=[update_round.pk])
    assert [i.assignee for i in update_round.items.all()] == [worker]


def test_the_open_form_starts_with_iso_dates_that_a_date_input_shows_in_chinese(login, screener):
    # A date input shows only YYYY-MM-DD; the Chinese date format (2026/12/02) left it empty.
    client = login(screener)
    client.cookies["django_language"] = "zh-hans"

    page = client.get(reverse("register-rounds")).content.decode()

    assert f'name="starts_on" value="{TODAY.isoformat()}"' in page
    assert f'name="due_on" value="{(TODAY + datetime.timedelta(days=10)).isoformat()}"' in page


def test_every_date_input_of_the_chinese_pages_renders_iso_dates():
    # Django's zh_Hans renders dates as 2026/12/02, which a date input shows as empty.
    from django import forms
    from django.utils import translation

    with translation.override("zh-hans"):
        html = forms.DateInput(attrs={"type": "date"}).render("on", TODAY)

    assert f'value="{TODAY.isoformat()}"' in html


def test_a_second_open_round_is_refused_with_the_message(login, screener, update_round):
    response = login(screener).post(reverse("register-rounds"), {
        "org_code": Tree.VILLAGE_A, "title": "again", "starts_on": TODAY.isoformat(), "due_on": TODAY.isoformat()})

    assert response.status_code == 409
    assert "A round is already open for this area; close it first." in response.content.decode()
    assert UpdateRound.objects.count() == 1


def test_grid_workers_may_not_open_rounds(login, worker, household):
    response = login(worker).post(reverse("register-rounds"), {
        "org_code": Tree.CELL_A1, "title": "x", "starts_on": TODAY.isoformat(), "due_on": TODAY.isoformat()})

    assert response.status_code == 403 and not UpdateRound.objects.exists()
    assert "Open a round" not in login(worker).get(reverse("register-rounds")).content.decode()


def test_the_round_page_shows_progress_per_village_and_cell(login, screener, worker, building, update_round, item):
    rounds.item_confirm_unchanged(actor=worker, item=item)

    response = login(screener).get(reverse("register-round", args=[update_round.pk]))

    assert [(r["p"].org_code, r["p"].percent) for r in response.context["by_cell"]] == [(Tree.CELL_A1, 100)]
    assert [(r["name"], r["p"].total) for r in response.context["by_village"]] == [("村1", 1)]


def test_closing_waits_for_pending_sign_offs(login, screener, worker, update_round, item):
    rounds.item_propose_edits(actor=worker, item=item, edits=[{"kind": "household", "values": {"address": "新址"}}])
    client = login(screener)

    refused = client.post(reverse("register-round-close", args=[update_round.pk]))
    update_round.refresh_from_db()
    assert refused.status_code == 409 and "Some proposed changes still await sign-off." in refused.content.decode()
    assert update_round.status == UpdateRound.Status.OPEN

    edit = item.edits.get()
    rounds.edit_decide(actor=screener, edit=edit, approve=False, note="no")
    closed = client.post(reverse("register-round-close", args=[update_round.pk]))
    update_round.refresh_from_db()
    assert closed.status_code == 302 and update_round.status == UpdateRound.Status.CLOSED


def test_a_closed_round_takes_no_more_proposals(login, screener, worker, update_round, item):
    rounds.round_close(actor=screener, update_round=update_round)

    body = login(worker).get(reverse("register-item", args=[item.pk]), HTTP_HX_REQUEST="true").content.decode()
    response = login(worker).post(reverse("register-item-unchanged", args=[item.pk]), HTTP_HX_REQUEST="true")

    assert "No change" not in body
    assert response.status_code == 409 and "This round is closed." in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_rounds_list_query_count(login, screener, building, django_assert_num_queries, n):
    make_households(screener, building, 2)
    for i in range(n):
        update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title=f"r{i}", starts_on=TODAY,
                                         due_on=TODAY)
        rounds.round_close(actor=screener, update_round=update_round)
    client = login(screener)

    # the page of rounds with their counts, the areas' names
    with django_assert_num_queries(5 + 2):
        response = client.get(reverse("register-rounds"))

    assert len(response.context["rounds"]) == n
