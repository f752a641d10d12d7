"""Dispute screening by grid workers (issue 13): each cell once a month, with what was found
(nothing counts too) and where it went — a case asked of the committee serving the place, an
event of the loop, or talked out on the spot; who may record it and who reads what; the
area's coverage; one screening per cell and month under concurrent recording."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import AuditEntry, Role
from gridgov.mediation.models import Case, CaseSource, Channel, Finding, Screening
from gridgov.mediation.services.screening import (
    FINDING_ADD,
    SCREENING_RECORD,
    FindingSpec,
    finding_add,
    screening_record,
)
from gridgov.mediation.workflow import CaseStatus
from tests.factories import EventFactory, Tree, make_user
from tests.mediation.conftest import committee, justice, mediator_user, seat  # noqa: F401
from tests.security.races import check_misses, run_together

pytestmark = pytest.mark.django_db

THIS_MONTH = timezone.localdate().replace(day=1)


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def worker(tree):
    """A grid worker of both cells of the first village."""
    return make_user("gw-village", Role.GRID_WORKER, scope=Tree.VILLAGE_A, cells=[Tree.CELL_A1, Tree.CELL_A2],
                     display_name="网格员 陈晓")


@pytest.fixture
def justice_b(tree):
    return make_user("justice-b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B)


def spec(route="settled", **kw) -> FindingSpec:
    return FindingSpec(**{"type": "neighbour", "summary": "两户因排水沟堵塞争吵", "party_count": 2, "route": route,
                          **kw})


# --- The service --------------------------------------------------------------------------------


def test_a_screening_that_found_nothing_counts(worker):
    screening = screening_record(actor=worker, org_code=Tree.CELL_A1, month=timezone.localdate(), findings=[])

    assert screening.month == THIS_MONTH and screening.screened_by == worker and not screening.findings.exists()
    entry = AuditEntry.objects.get(action=SCREENING_RECORD)
    assert json.loads(entry.changes) == {"month": THIS_MONTH.strftime("%Y-%m"), "findings": []}


def test_each_finding_goes_where_the_worker_sent_it(worker, committee):
    event = EventFactory(org_code=Tree.CELL_A1, reporter=worker)

    screening = screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[
        spec("mediation", type="land", summary="承包地边界争议，两家各执一词", party_count=5),
        spec("event", event_id=event.pk),
        spec("settled", summary="噪音扰民，当场劝解"),
    ])

    mediation, reported, settled = screening.findings.order_by("id")
    case = mediation.case
    assert case.status == CaseStatus.REQUESTED and case.committee == committee and case.org_code == Tree.CELL_A1
    assert (case.source, case.channel, case.type) == (CaseSource.INITIATIVE, Channel.GRID, "land")
    assert case.matters == "承包地边界争议，两家各执一词" and not case.parties.exists()
    assert reported.event_id == event.pk and reported.case is None
    assert settled.case is None and settled.event_id is None and settled.summary == "噪音扰民，当场劝解"
    # the audit keeps the routes and links, never what the disputes are about
    entries = AuditEntry.objects.filter(action__in=[SCREENING_RECORD, "mediation.case_open"])
    assert entries.count() == 2
    assert not any("承包地" in e.changes or "噪音" in e.changes or "排水沟" in e.changes for e in entries)
    findings = json.loads(entries.get(action=SCREENING_RECORD).changes)["findings"]
    assert [(f["route"], f["case"], f["event"]) for f in findings] == [
        ("mediation", case.pk, None), ("event", None, event.pk), ("settled", None, None)]


def test_a_cell_is_screened_once_a_month_and_later_findings_are_added(worker, grid_worker):
    screening = screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[])

    with pytest.raises(DomainError) as again:
        screening_record(actor=grid_worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[spec()])
    assert again.value.code == ErrorCode.DUPLICATE and again.value.http_status == 409

    added = finding_add(actor=grid_worker, screening=screening, findings=[spec(), spec(party_count=3)])
    assert len(added) == 2 and screening.findings.count() == 2
    assert AuditEntry.objects.filter(action=FINDING_ADD).count() == 1
    # last month is another screening
    last_month = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
    assert screening_record(actor=worker, org_code=Tree.CELL_A1, month=last_month, findings=[]).month == last_month


def test_the_unique_constraint_decides_when_the_check_misses_the_other_worker(worker, grid_worker):
    screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[])

    with check_misses(Screening), pytest.raises(DomainError) as lost:
        screening_record(actor=grid_worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[spec()])

    assert lost.value.code == ErrorCode.DUPLICATE
    assert Screening.objects.count() == 1 and not Finding.objects.exists()


def test_no_committee_serving_the_place_is_said_clearly(worker):
    with translation.override("en"), pytest.raises(DomainError) as refused:
        screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[spec("mediation")])

    assert refused.value.code == ErrorCode.INVALID and "No mediation committee serves this place" in refused.value.message
    assert not Screening.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("bad", [
    {"findings": [spec(type="petition")]},
    {"findings": [spec(route="elsewhere")]},
    {"findings": [spec(party_count=0)]},
    {"findings": [spec(party_count=1000)]},
    {"findings": [spec(summary="   ")]},
    {"findings": [spec(summary="争" * 1001)]},
    {"findings": [spec()] * 21},
    {"findings": [spec("event", event_id=None)]},
    {"findings": [spec("event", event_id=987654)]},
    {"findings": [spec("event", event_id="in_the_other_cell")]},
    {"month": THIS_MONTH.replace(year=THIS_MONTH.year + 1)},
])
def test_bad_input_is_a_400_and_writes_nothing(worker, committee, bad):
    if bad.get("findings") and bad["findings"][0].event_id == "in_the_other_cell":
        other = EventFactory(org_code=Tree.CELL_B1)
        bad = {"findings": [spec("event", event_id=other.pk), spec("mediation")]}
    audited = AuditEntry.objects.count()

    with pytest.raises(DomainError) as refused:
        screening_record(actor=worker, org_code=Tree.CELL_A1, **{"month": THIS_MONTH, "findings": [], **bad})

    assert refused.value.code == ErrorCode.INVALID and refused.value.http_status == 400
    assert not Screening.objects.exists() and not Case.objects.exists() and AuditEntry.objects.count() == audited


def test_only_grid_workers_screen_and_only_their_own_cells(worker, grid_worker, justice, mediator_user):
    for other in (justice, mediator_user):
        with pytest.raises(Forbidden):
            screening_record(actor=other, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[])
    for cell in (Tree.CELL_A2, Tree.CELL_B1, Tree.VILLAGE_A, "nonsense"):  # not one of grid_worker's cells
        with pytest.raises(NotFound):
            screening_record(actor=grid_worker, org_code=cell, month=THIS_MONTH, findings=[])
    screening = screening_record(actor=worker, org_code=Tree.CELL_A2, month=THIS_MONTH, findings=[])
    with pytest.raises(NotFound):
        finding_add(actor=grid_worker, screening=screening, findings=[spec()])
    assert Screening.objects.count() == 1 and not Finding.objects.exists()


# --- The pages ----------------------------------------------------------------------------------


def _formset(rows: list[dict], month: str = THIS_MONTH.strftime("%Y-%m")) -> dict:
    data = {"month": month, "finding-TOTAL_FORMS": str(len(rows)), "finding-INITIAL_FORMS": "0",
            "finding-MIN_NUM_FORMS": "0", "finding-MAX_NUM_FORMS": "20"}
    for i, row in enumerate(rows):
        data.update({f"finding-{i}-{k}": v for k, v in row.items()})
    return data


def test_a_grid_worker_records_a_cell_from_the_phone_page(worker, committee):
    client = login(worker)
    event = EventFactory(org_code=Tree.CELL_A2, reporter=worker)

    page = client.get(reverse("mediation-screening"))
    assert page.status_code == 200
    assert [c["screening"] for c in page.context["cells"]] == [None, None]
    assert "Not screened yet" in page.content.decode() and "网格1" in page.content.decode()

    form = client.get(reverse("mediation-screening-cell", args=[Tree.CELL_A2]))
    assert form.status_code == 200 and len(form.context["formset"].forms) == 3

    done = client.post(reverse("mediation-screening-cell", args=[Tree.CELL_A2]), _formset([
        {"type": "family", "summary": "赡养老人纠纷", "party_count": "4", "route": "mediation", "event": ""},
        {"type": "neighbour", "summary": "占道堆物", "party_count": "2", "route": "event", "event": event.code},
        {"type": "", "summary": "", "party_count": "2", "route": "", "event": ""},  # a row left empty
    ]))
    assert done.status_code == 302 and done["Location"].startswith(reverse("mediation-screening"))
    screening = Screening.objects.get(org_code=Tree.CELL_A2, month=THIS_MONTH)
    assert sorted(screening.findings.values_list("route", flat=True)) == ["event", "mediation"]
    assert screening.findings.get(route="event").event_id == event.pk

    page = client.get(reverse("mediation-screening"))
    cells = {c["org_code"]: c for c in page.context["cells"]}
    assert cells[Tree.CELL_A2]["screening"] == screening and cells[Tree.CELL_A1]["screening"] is None
    assert "赡养老人纠纷" in page.content.decode()  # the worker reads its own findings

    # nothing found in the other cell: an empty form records it
    assert client.post(reverse("mediation-screening-cell", args=[Tree.CELL_A1]), _formset([])).status_code == 302
    assert Screening.objects.filter(org_code=Tree.CELL_A1, findings__isnull=True).exists()

    # a dispute found later is added to the month's screening
    added = client.post(reverse("mediation-screening-cell", args=[Tree.CELL_A1]), _formset([
        {"type": "debt", "summary": "借款未还", "party_count": "2", "route": "settled", "event": ""}]))
    assert added.status_code == 302 and Finding.objects.filter(screening__org_code=Tree.CELL_A1).count() == 1
    assert Screening.objects.count() == 2


@pytest.mark.parametrize("row, month", [
    ({"type": "family", "summary": "x", "party_count": "0", "route": "settled", "event": ""}, None),
    ({"type": "family", "summary": "x", "party_count": "2", "route": "nowhere", "event": ""}, None),
    ({"type": "family", "summary": "x", "party_count": "2", "route": "event", "event": ""}, None),
    ({"type": "family", "summary": "x", "party_count": "2", "route": "event", "event": "no-such-event"}, None),
    ({"type": "family", "summary": "x", "party_count": "2", "route": "mediation", "event": ""}, None),  # no committee
    ({"type": "family", "summary": "x", "party_count": "2", "route": "settled", "event": ""}, "2999-01"),
    ({"type": "family", "summary": "x", "party_count": "2", "route": "settled", "event": ""}, "2026-13"),
])
def test_bad_input_on_the_page_is_a_400_with_the_form_again(worker, row, month):
    response = login(worker).post(reverse("mediation-screening-cell", args=[Tree.CELL_A1]),
                                  _formset([row], **({"month": month} if month else {})))

    assert response.status_code == 400 and "formset" in response.context
    assert not Screening.objects.exists() and not Case.objects.exists()


def test_a_second_record_of_the_same_month_from_a_stale_page_adds_instead(worker):
    """The page decides from the screening it reads: a form loaded before the other worker's
    record adds to it."""
    screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[])
    response = login(worker).post(reverse("mediation-screening-cell", args=[Tree.CELL_A1]), _formset([
        {"type": "debt", "summary": "借款", "party_count": "2", "route": "settled", "event": ""}]))

    assert response.status_code == 302 and Finding.objects.count() == 1 and Screening.objects.count() == 1


def test_who_may_open_the_screening_pages(worker, grid_worker, justice, mediator_user, station_staff):
    cell = reverse("mediation-screening-cell", args=[Tree.CELL_A2])
    assert login(station_staff).get(reverse("mediation-screening")).status_code == 403
    assert login(mediator_user).get(cell).status_code == 403
    assert login(justice).get(cell).status_code == 403
    assert login(grid_worker).get(cell).status_code == 404  # not its cell
    assert login(grid_worker).post(cell, _formset([])).status_code == 404
    assert login(worker).get(reverse("mediation-screening-cell", args=[Tree.CELL_B1])).status_code == 404
    assert login(worker).get(reverse("mediation-screening") + "?month=someday").status_code == 400
    assert not Screening.objects.exists()


def test_the_area_sees_its_coverage_justice_the_summaries_mediators_the_counts(worker, committee, justice,
                                                                              mediator_user, justice_b):
    screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[
        spec("mediation", summary="宅基地纠纷"), spec("settled", summary="口角", type="family")])

    page = login(justice).get(reverse("mediation-screening"))
    assert page.status_code == 200 and "cells" not in page.context
    [village] = page.context["coverage"]
    assert (village.org_code, village.cells, village.screened) == (Tree.VILLAGE_A, 2, 1)
    counts = page.context["counts"]
    assert counts.total == 2 and counts.by_route == [1, 0, 1]
    assert {row["type"]: row["routes"] for row in counts.by_type} == {"neighbour": [1, 0, 0], "family": [0, 0, 1]}
    assert "宅基地纠纷" in page.content.decode() and "口角" in page.content.decode()
    case = Finding.objects.get(route="mediation").case
    assert reverse("mediation-case", args=[case.pk]) in page.content.decode()  # the officer opens the case

    page = login(mediator_user).get(reverse("mediation-screening"))
    assert page.status_code == 200 and page.context["counts"].total == 2 and "area_findings" not in page.context
    assert "宅基地纠纷" not in page.content.decode()

    page = login(justice_b).get(reverse("mediation-screening"))
    assert [(r.org_code, r.cells, r.screened) for r in page.context["coverage"]] == [(Tree.VILLAGE_B, 2, 0)]
    assert page.context["counts"].total == 0 and "宅基地纠纷" not in page.content.decode()

    # last month: nothing screened
    last_month = (THIS_MONTH - datetime.timedelta(days=1)).strftime("%Y-%m")
    page = login(justice).get(reverse("mediation-screening") + f"?month={last_month}")
    assert page.context["coverage"][0].screened == 0 and page.context["counts"].total == 0


# --- Query counts -------------------------------------------------------------------------------

# the session, the user, the user's roles, the header's scope name, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_the_grid_workers_page_costs_the_same_whatever_it_found(worker, django_assert_num_queries, n):
    screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[spec()] * min(n, 20))
    if n > 20:
        finding_add(actor=worker, screening=Screening.objects.get(), findings=[spec()] * (n - 20))
    client = login(worker)

    # the worker's cells; their screenings with who screened; the findings with their cases;
    # the cells' name paths
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("mediation-screening"))
    assert len(response.context["cells"][0]["findings"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_justice_officers_page_costs_the_same_whatever_the_area_found(worker, justice, committee,
                                                                        django_assert_num_queries, n):
    screening_record(actor=worker, org_code=Tree.CELL_A1, month=THIS_MONTH, findings=[spec()] * min(n, 20))
    if n > 20:
        finding_add(actor=worker, screening=Screening.objects.get(), findings=[spec()] * (n - 20))
    client = login(justice)

    # cells and screenings per village; findings per type and route; the page of findings with
    # their screenings and cases; the name paths of the villages and of the findings' cells (one query)
    with django_assert_num_queries(BASE + 5):
        response = client.get(reverse("mediation-screening"))
    assert len(response.context["area_findings"]) == n


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL transactions")
@pytest.mark.django_db(transaction=True)
def test_two_workers_recording_a_cell_at_once_make_one_screening(tree):
    workers = [make_user(f"gw-{i}", Role.GRID_WORKER, scope=Tree.VILLAGE_A, cells=[Tree.CELL_A1]) for i in range(2)]

    def attempt(i):
        return screening_record(actor=workers[i], org_code=Tree.CELL_A1, month=THIS_MONTH,
                                findings=[spec(summary=f"第{i}人发现")])

    results = run_together(2, attempt)

    screenings = [r for r in results if isinstance(r, Screening)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(screenings) == 1 and len(refused) == 1, results
    assert refused[0].code == ErrorCode.DUPLICATE
    assert Screening.objects.count() == 1 and Finding.objects.count() == 1
    assert AuditEntry.objects.filter(action=SCREENING_RECORD).count() == 1
