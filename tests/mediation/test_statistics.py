"""The statistics of people's mediation (issue 13): a year of cases placed on real dates by the
services, every figure checked against a number worked out by hand; who sees which figures;
the Excel workbook a justice bureau reports; constant query counts; bad filters."""

from __future__ import annotations

import datetime
import io
import json
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from gridgov.core.models import AuditEntry, Role
from gridgov.mediation import services
from gridgov.mediation.models import Case, CommitteeKind, Finding, PartyRole, Screening
from gridgov.mediation.views.statistics import STATISTICS_EXPORT
from tests.factories import PersonFactory, Tree, make_user, org_unit
from tests.mediation.conftest import (  # noqa: F401
    committee,
    justice,
    mediator_user,
    parties,
    seat,
    township_committee,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 12, 23)
VILLAGE_A2 = Tree.TOWNSHIP_A + "002"  # a second village of township A (made below)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False)


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    with at(TODAY):  # sessions expire: signed in on the day the pages are read
        client.force_login(user)
    return client


# --- A year of mediation in township A, and one case of township B ------------------------------


def _open(actor, committee, on, *, type="neighbour", org=Tree.CELL_A1, party_list=None) -> Case:
    with at(on):
        return services.case_open(actor=actor, committee=committee, type=type, source="request", channel="walk_in",
                                  org_code=org, matters="纠纷事项", parties=party_list or parties())


def _mediate(actor, case, seat, days: list[datetime.date]) -> Case:
    with at(days[0]):
        case = services.case_assign(actor=actor, case=case, mediator=seat, no_conflict=True)
    for day in days:
        with at(day):
            services.session_record(actor=actor, case=case, held_on=day, place="调解室", record="调解笔录")
            case.refresh_from_db()
    return case


def _settle(actor, case, seat, accepted: datetime.date, on: datetime.date) -> Case:
    case = _mediate(actor, case, seat, [accepted])
    with at(on):
        return services.case_conclude(actor=actor, case=case, result="agreement", terms="协议条款")


def _fail(actor, case, on, reason) -> Case:
    with at(on):
        return services.case_conclude(actor=actor, case=case, result="failed", reason=reason)


@pytest.fixture
def year(justice, mediator_user, committee, township_committee, seat):
    """The cases, worked out by hand (C1 the village committee, C2 the township's):

    | #  | committee | mediator | place     | type      | accepted   | outcome                  |
    |----|-----------|----------|-----------|-----------|------------|--------------------------|
    | 1  | C1        | 郑芳      | village A | neighbour | 2026-03-02 | settled 03-20 (18 days), performed, confirmed |
    | 2  | C1        | 郑芳      | village A | neighbour | 2026-04-01 | settled 04-11 (10 days), confirmation applied |
    | 3  | C1        | 郑芳      | village A | family    | 2026-05-04 | failed 05-10 (6 days), withdrew |
    | 4  | C1        | 郑芳      | village A | neighbour | 2025-12-20 | settled 2026-01-09 (20 days) |
    | 5  | C1        | 郑芳      | village A | neighbour | 2026-06-01 | mediating: 3 sessions, time limit 07-01 passed |
    | 6  | C1        | —        | village A | neighbour | (online 07-01) | declined 07-02 |
    | 7  | C2        | 李明      | village A2| labour    | 2026-02-02 | failed 03-02 (28 days), no agreement |
    | 8  | C2        | —        | village A2| debt      | 2026-08-03 | referred 08-10 (7 days) |
    | 9  | C2        | —        | village A | family    | 2026-11-25 | accepted, time limit 12-25 |
    | 10 | C1        | 郑芳      | village A | neighbour | 2025-05-01 | failed 2025-06-01: another year |
    | 11 | C1        | —        | village A | other     | 2026-12-10 | accepted, 5 parties |
    """
    org_unit(VILLAGE_A2, "村二")
    li = make_user("mediator2", Role.MEDIATOR, scope=Tree.TOWNSHIP_A, display_name="调解员 李明")
    li_seat = services.mediator_add(actor=justice, committee=township_committee, name="李明", user=li)
    m = mediator_user
    cases = {}
    cases[1] = _settle(m, _open(m, committee, d(3, 2)), seat, d(3, 2), d(3, 20))
    cases[2] = _settle(m, _open(m, committee, d(4, 1)), seat, d(4, 1), d(4, 11))
    cases[3] = _mediate(m, _open(m, committee, d(5, 4), type="family"), seat, [d(5, 4)])
    _fail(m, cases[3], d(5, 10), "withdrew")
    cases[4] = _settle(m, _open(m, committee, d(12, 20, 2025)), seat, d(12, 20, 2025), d(1, 9))
    cases[5] = _mediate(m, _open(m, committee, d(6, 1)), seat, [d(6, 1), d(6, 2), d(6, 3)])
    with at(d(7, 1)):
        cases[6] = services.case_request_online(type="neighbour", org_code=Tree.CELL_A1, matters="噪音",
                                                name="王小明", phone="13812345678")
    with at(d(7, 2)):
        services.case_decline(actor=m, case=cases[6], diversion="court", reason="已起诉")
    cases[7] = _open(justice, township_committee, d(2, 2), type="labour", org=VILLAGE_A2)
    with at(d(2, 2)):
        services.case_assign(actor=li, case=cases[7], mediator=li_seat, no_conflict=True)
    _fail(li, cases[7], d(3, 2), "no_agreement")
    cases[8] = _open(justice, township_committee, d(8, 3), type="debt", org=VILLAGE_A2)
    with at(d(8, 10)):
        services.case_conclude(actor=justice, case=cases[8], result="referred", diversion="court", note="诉讼")
    cases[9] = _open(justice, township_committee, d(11, 25), type="family", org=Tree.CELL_A2)
    cases[10] = _mediate(m, _open(m, committee, d(5, 1, 2025)), seat, [d(5, 1, 2025)])
    _fail(m, cases[10], d(6, 1, 2025), "unreachable")
    five = [services.PartySpec(role=PartyRole.APPLICANT, person=PersonFactory(name="赵一", org_code=Tree.CELL_A1))]
    five += [services.PartySpec(role=PartyRole.RESPONDENT, name=name) for name in ("钱二", "孙三", "周四", "吴五")]
    cases[11] = _open(m, committee, d(12, 10), type="other", party_list=five)
    # What the agreement's later steps record (their services are built elsewhere).
    Case.objects.filter(pk=cases[1].pk).update(performance="performed", confirmation="confirmed")
    Case.objects.filter(pk=cases[2].pk).update(confirmation="applied")

    # The grid's screening: 4 disputes found in 2026 in township A, 1 in 2025, 1 in township B.
    screener = make_user("screener", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    for code, month, types in [(Tree.CELL_A1, d(3, 1), ["neighbour", "family"]), (Tree.CELL_A2, d(10, 1), ["neighbour"]),
                               (VILLAGE_A2 + "001", d(5, 1), ["labour"]), (Tree.CELL_A1, d(12, 1, 2025), ["debt"]),
                               (Tree.CELL_B1, d(3, 1), ["neighbour"])]:
        screening = Screening.objects.create(org_code=code, month=month, screened_by=screener)
        Finding.objects.bulk_create([Finding(screening=screening, type=t, summary="纠纷", route="mediation")
                                     for t in types])

    # Township B: its own justice officer, committee and case.
    justice_b = make_user("justice_b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B, display_name="司法所 二镇")
    committee_b = services.committee_create(actor=justice_b, name="二村人民调解委员会", kind=CommitteeKind.VILLAGE,
                                            org_code=Tree.VILLAGE_B)
    case_b = _open(justice_b, committee_b, d(3, 3), org=Tree.CELL_B1,
                   party_list=[services.PartySpec(role=PartyRole.APPLICANT, name="甲"),
                               services.PartySpec(role=PartyRole.RESPONDENT, name="乙")])
    _fail(justice_b, case_b, d(3, 10), "time_ran_out")
    return {"cases": cases, "li": li, "justice_b": justice_b, "committee_b": committee_b, "screener": screener}


class _Tables(HTMLParser):
    """{table: {row: {figure: text}}} of the page's `data-table`/`data-row`/`data-figure` cells,
    and each row's header text."""

    def __init__(self):
        super().__init__()
        self.tables, self.headers = {}, {}
        self.table = self.row = self.figure = None
        self.in_header = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self.table = attrs["data-table"]
            self.tables[self.table], self.headers[self.table] = {}, {}
        elif tag == "tr" and self.table and "data-row" in attrs:
            self.row = attrs["data-row"]
            self.tables[self.table][self.row] = {}
            self.headers[self.table][self.row] = ""
        elif tag == "td" and self.row is not None:
            self.figure = attrs.get("data-figure")
        elif tag == "th" and self.row is not None:
            self.in_header = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag == "tr":
            self.row = None
        elif tag == "td":
            self.figure = None
        elif tag == "th":
            self.in_header = False

    def handle_data(self, data):
        if self.figure and self.row is not None:
            self.tables[self.table][self.row][self.figure] = (
                self.tables[self.table][self.row].get(self.figure, "") + data.strip())
        elif self.in_header and self.row is not None:
            self.headers[self.table][self.row] += data.strip()


def tables(response) -> _Tables:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser


FIGURES = ("accepted", "in_progress", "settled", "failed", "referred", "declined", "success_rate", "performed",
           "confirmation_applied", "confirmed", "average_days")


def figures(*values) -> dict:
    return dict(zip(FIGURES, [str(v) for v in values], strict=True))


def screened(base: dict, n, rate) -> dict:
    return {**base, "screened": str(n), "resolution_rate": rate}


def get(client, name="mediation-statistics", **params):
    with at(TODAY):
        return client.get(reverse(name), params)


# --- The figures, as a justice officer of township A reads them ---------------------------------


def test_the_figures_of_a_year_per_committee_mediator_area_and_type(year, justice, committee, township_committee,
                                                                    seat):
    response = get(client_of(justice))

    assert response.status_code == 200
    page = tables(response)
    # C1: accepted 1, 2, 3, 5, 11; in progress 5, 11; settled 1, 2, 4 (4 accepted in 2025); failed 3;
    # declined 6; success 3 of 4; performed 1; confirmation applied 1, 2, confirmed 1;
    # days 18 + 10 + 6 + 20 = 54 over 4 (6 was never accepted) = 13.5.
    assert page.tables["committee"][str(committee.pk)] == figures(5, 2, 3, 1, 0, 1, "75.0%", 1, 2, 1, "13.5")
    # C2: accepted 7, 8, 9; in progress 9; failed 7; referred 8; 0 of 1; (28 + 7) / 2 days.
    assert page.tables["committee"][str(township_committee.pk)] == figures(3, 1, 0, 1, 1, 0, "0.0%", 0, 0, 0,
                                                                           "17.5")
    # both: 3 settled of 5 concluded = 60.0 %; 89 days over 6 cases = 14.8
    assert page.tables["committee"]["total"] == figures(8, 3, 3, 2, 1, 1, "60.0%", 1, 2, 1, "14.8")
    assert page.headers["committee"][str(committee.pk)] == "幸福村人民调解委员会"

    li_seat = year["li"].mediator_seats.get()
    assert page.tables["mediator"][str(seat.pk)] == figures(4, 1, 3, 1, 0, 0, "75.0%", 1, 2, 1, "13.5")
    assert page.tables["mediator"][str(li_seat.pk)] == figures(1, 0, 0, 1, 0, 0, "0.0%", 0, 0, 0, "28.0")
    # nobody took 6 (declined), 8 (referred), 9 and 11 (accepted): nothing settled or failed: "—"
    assert page.tables["mediator"]["none"] == figures(3, 2, 0, 0, 1, 1, "—", 0, 0, 0, "7.0")
    assert page.headers["mediator"][str(seat.pk)] == "郑芳 (幸福村人民调解委员会)"

    # the villages below the township: village A has 1–6, 9, 11; 村二 7 and 8. Screened: 3 and 1.
    assert page.tables["area"][Tree.VILLAGE_A] == screened(figures(6, 3, 3, 1, 0, 1, "75.0%", 1, 2, 1, "13.5"),
                                                           3, "100.0%")
    assert page.tables["area"][VILLAGE_A2] == screened(figures(2, 0, 0, 1, 1, 0, "0.0%", 0, 0, 0, "17.5"), 1, "0.0%")
    assert page.tables["area"]["total"]["screened"] == "4" and page.tables["area"]["total"]["resolution_rate"] == "75.0%"
    assert page.headers["area"][VILLAGE_A2] == "村二"

    # neighbour: accepted 1, 2, 5; in progress 5; settled 1, 2, 4; declined 6; screened 2: 3 of 2 = 150.0 %
    assert page.tables["type"]["neighbour"] == screened(figures(3, 1, 3, 0, 0, 1, "100.0%", 1, 2, 1, "16.0"),
                                                        2, "150.0%")
    assert page.tables["type"]["family"] == screened(figures(2, 1, 0, 1, 0, 0, "0.0%", 0, 0, 0, "6.0"), 1, "0.0%")
    assert page.tables["type"]["labour"] == screened(figures(1, 0, 0, 1, 0, 0, "0.0%", 0, 0, 0, "28.0"), 1, "0.0%")
    assert page.tables["type"]["medical"] == screened(figures(0, 0, 0, 0, 0, 0, "—", 0, 0, 0, "—"), 0, "—")
    assert page.headers["type"]["family"] == "Marriage and family"

    # failures: 3 withdrew, 7 no agreement; 10 (2025) and township B's do not count
    assert page.tables["failures"]["withdrew"] == {"count": "1", "share": "50.0%"}
    assert page.tables["failures"]["no_agreement"] == {"count": "1", "share": "50.0%"}
    assert page.tables["failures"]["unreachable"] == {"count": "0", "share": "0.0%"}
    assert page.tables["failures"]["time_ran_out"] == {"count": "0", "share": "0.0%"}
    text = response.content.decode()
    assert "Disputes found by the grid's screening: 4. Settled by mediation: 3. Resolution rate (settled of " \
           "screened): 75.0%." in text
    assert "二村人民调解委员会" not in text
    for name in ("张大山", "李四", "王小明", "赵一", "纠纷事项", "协议条款"):  # counts only: no party, no matters
        assert name not in text


def test_the_early_warning_list(year, justice):
    response = get(client_of(justice))

    cases = year["cases"]
    warned = [row["case"] for row in response.context["escalating"]]
    # by time limit: 5 (2026-07-01), 9 (12-25), 11 (2027-01-10)
    assert [w.pk for w in warned] == [cases[5].pk, cases[9].pk, cases[11].pk]
    assert warned[0].reasons == ["3 sessions without an agreement", "The time limit passed 175 days ago"]
    assert warned[1].reasons == ["The time limit ends in 2 days"]
    assert warned[2].reasons == ["5 parties"]
    text = response.content.decode()
    assert f'href="/mediation/cases/{cases[5].pk}/">{cases[5].code}</a>' in text
    assert "The time limit passed 175 days ago" in text
    assert "赵一" not in text and "钱二" not in text


def test_another_period_and_one_committee(year, justice, committee, township_committee):
    client = client_of(justice)

    in_2025 = tables(get(client, year=2025))
    # 2025: 4 and 10 accepted (and still in progress: 5, 9, 11 now), 10 failed (unreachable, 31 days)
    assert in_2025.tables["committee"][str(committee.pk)] == figures(2, 2, 0, 1, 0, 0, "0.0%", 0, 0, 0, "31.0")
    assert in_2025.tables["failures"]["unreachable"] == {"count": "1", "share": "100.0%"}

    spring = tables(get(client, since="2026-03-01", until="2026-04-30", committee=committee.pk))
    # accepted 1 and 2; settled 1 and 2 ((18 + 10) / 2 days); the township's committee not shown
    assert spring.tables["committee"] == {str(committee.pk): figures(2, 2, 2, 0, 0, 0, "100.0%", 1, 2, 1, "14.0"),
                                          "total": figures(2, 2, 2, 0, 0, 0, "100.0%", 1, 2, 1, "14.0")}
    # the screening of March in cell A1 (the committee's village): 2 disputes
    assert spring.tables["type"]["total"]["screened"] == "2"

    village = get(client, area=VILLAGE_A2)
    assert village.status_code == 200
    assert tables(village).tables["committee"]["total"] == figures(2, 0, 0, 1, 1, 0, "0.0%", 0, 0, 0, "17.5")
    assert [row["case"].pk for row in village.context["escalating"]] == []


# --- Who sees which figures ---------------------------------------------------------------------


def test_a_mediator_sees_only_the_committees_they_sit_on(year, mediator_user, committee, township_committee):
    response = get(client_of(mediator_user))

    assert response.status_code == 200
    page = tables(response)
    assert set(page.tables["committee"]) == {str(committee.pk), "total"}
    assert page.tables["committee"]["total"] == figures(5, 2, 3, 1, 0, 1, "75.0%", 1, 2, 1, "13.5")
    assert "一镇人民调解委员会" not in response.content.decode()
    # the screening of the village the committee serves: 3 disputes; its escalating cases only
    assert page.tables["area"]["total"]["screened"] == "3"
    assert [row["case"].pk for row in response.context["escalating"]] == [year["cases"][5].pk, year["cases"][11].pk]
    # a committee they do not sit on is no choice
    assert get(client_of(mediator_user), committee=township_committee.pk).status_code == 400


def test_another_townships_justice_officer_sees_nothing_of_this_one(year, committee):
    response = get(client_of(year["justice_b"]))

    page = tables(response)
    assert set(page.tables["committee"]) == {str(year["committee_b"].pk), "total"}
    assert page.tables["committee"]["total"] == figures(1, 0, 0, 1, 0, 0, "0.0%", 0, 0, 0, "7.0")
    assert page.tables["failures"]["time_ran_out"] == {"count": "1", "share": "100.0%"}
    assert page.tables["type"]["total"]["screened"] == "1"
    text = response.content.decode()
    assert "幸福村人民调解委员会" not in text and "郑芳" not in text
    assert response.context["escalating"] == []
    assert get(client_of(year["justice_b"]), area=Tree.TOWNSHIP_A).status_code == 400


def test_others_may_not_read_the_figures(year, grid_worker, care_worker):
    for user in (grid_worker, care_worker):
        client = client_of(user)
        assert get(client).status_code == 403
        assert get(client, "mediation-statistics-xlsx").status_code == 403
    assert Client().get(reverse("mediation-statistics")).status_code == 302  # to the sign-in page


# --- The workbook -------------------------------------------------------------------------------


def test_the_workbook_a_justice_bureau_reports(year, justice, committee):
    response = get(client_of(justice), "mediation-statistics-xlsx", year=2026)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mediation-statistics-20260101-20261231.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["By committee", "By mediator", "By type", "By area", "Failure reasons"]
    by_mediator = book["By mediator"]
    assert [c.value for c in by_mediator[2]][:4] == ["Mediator", "Accepted", "In progress now", "Settled"]
    rows = [[c.value for c in row] for row in by_mediator.iter_rows(min_row=3)]
    # every case counts once, under its mediator or "no mediator assigned yet": the columns add up to the total
    assert sum(r[3] for r in rows[:-1]) == rows[-1][3] == 3 and rows[-1][0] == "Total"
    sheet = book["By committee"]
    assert sheet["A1"].value == "People's mediation: 镇1, 2026"
    assert [c.value for c in sheet[2]] == [
        "Committee", "Area served", "Accepted", "In progress now", "Settled", "Failed", "Referred", "Declined",
        "Success rate (%)", "Agreements performed", "Judicial confirmation applied for", "Judicially confirmed",
        "Average days to conclude"]
    # row 3 the township's committee (its code sorts first), row 4 the village's
    assert [c.value for c in sheet[4]] == ["幸福村人民调解委员会", "县1 › 镇1 › 村1", 5, 2, 3, 1, 0, 1, 75.0, 1, 2, 1, 13.5]
    assert [c.value for c in sheet[5]][2:] == [8, 3, 3, 2, 1, 1, 60.0, 1, 2, 1, 14.8]
    by_area = book["By area"]
    assert [c.value for c in by_area[3]] == ["村1", 6, 3, 3, 1, 0, 1, 75.0, 1, 2, 1, 13.5, 3, 100.0]
    failures = book["Failure reasons"]
    assert [c.value for c in failures[3]] == ["A party withdrew", 1, 50.0]
    assert [c.value for c in failures[failures.max_row]] == ["Total", 2, 100.0]

    entry = AuditEntry.objects.get(action=STATISTICS_EXPORT)
    assert entry.actor == justice and entry.org_code == Tree.TOWNSHIP_A
    assert json.loads(entry.changes) == {"since": "2026-01-01", "until": "2026-12-31", "area": Tree.TOWNSHIP_A,
                                         "committee": None}


# --- Bad filters --------------------------------------------------------------------------------


@pytest.mark.parametrize("params, message", [
    ({"area": Tree.TOWNSHIP_B}, "Choose an area within yours."),
    ({"area": "12"}, "Choose an area within yours."),
    ({"area": "abc"}, "An org-unit code has 2, 4, 6, 9, 12 or 15 digits."),
    ({"since": "2026-02-30"}, "Enter a valid date."),
    ({"since": "2026-05-01", "until": "2026-04-01"}, "The end of the period is before its start."),
    ({"year": "1800"}, "Choose a year from 1990 to 2027."),
    ({"year": "99999999999"}, "Choose a year from 1990 to 2027."),
    ({"year": "abc"}, "Enter a whole number."),
    ({"since": "0001-01-01"}, "Choose a year from 1990 to 2027."),
    ({"committee": "999999"}, "Select a valid choice."),
])
def test_bad_filters_are_a_400_with_the_reason(justice, committee, params, message):
    client = client_of(justice)

    page = get(client, **params)
    download = get(client, "mediation-statistics-xlsx", **params)

    assert page.status_code == 400 and message in page.content.decode()
    assert download.status_code == 400 and message in download.content.decode()
    assert not AuditEntry.objects.filter(action=STATISTICS_EXPORT).exists()


# --- Query counts -------------------------------------------------------------------------------


def _grow(justice, n: int) -> None:
    """`n` more committees of township A, each with a mediator and two cases that escalate: one
    accepted in March (its month ran out long ago), one whose month runs out tomorrow."""
    for i in range(n):
        extra = services.committee_create(actor=justice, name=f"专业调委会{i}", kind=CommitteeKind.TRADE,
                                          org_code=Tree.TOWNSHIP_A)
        services.mediator_add(actor=justice, committee=extra, name=f"调解员{i}")
        _open(justice, extra, d(3, 1), type="consumer")
        _open(justice, extra, d(11, 24), type="debt")


@pytest.mark.parametrize("n", [1, 6])
def test_the_page_costs_the_same_whatever_the_number_of_committees_and_cases(
        justice, committee, django_assert_num_queries, n):
    _grow(justice, n)
    client = client_of(justice)
    get(client)  # the session and the menu's caches warm

    # session, user, roles; the committees (for the form, then for the figures), the area and
    # the units below it, the figures by committee, mediator, type and area, the total, the
    # screening by type and by area, the mediators, the escalating cases; the unread badge,
    # the places' names
    with django_assert_num_queries(QUERIES_PAGE):
        response = get(client)

    assert len(response.context["report"].committees) == n + 1
    assert len(response.context["escalating"]) == 2 * n


@pytest.mark.parametrize("n", [1, 6])
def test_the_workbook_costs_the_same_whatever_the_number_of_committees(
        justice, committee, django_assert_num_queries, n):
    _grow(justice, n)
    client = client_of(justice)
    get(client)

    with django_assert_num_queries(QUERIES_XLSX):
        response = get(client, "mediation-statistics-xlsx")

    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["By committee"].max_row == 2 + (n + 1) + 1


QUERIES_PAGE = 17
# the page's up to the mediators; the names of the committees' areas; the audit entry (a
# savepoint, its chain's head, the entry and the head moved (one statement on PostgreSQL),
# the savepoint released)
QUERIES_XLSX = 19 if connection.vendor == "postgresql" else 20
