"""The area's directory of mediation (issue 13): one-stop dispute centres and their week's duty
roster, kept by the area's justice officer and read by its mediators and grid workers; the legal
advisers of its villages, a legal-literate resident's phone masked outside mediation."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import AuditEntry, Role
from gridgov.mediation.models import AdviserKind, Centre, Committee, CommitteeKind, DayPart, DutyShift, LegalAdviser
from gridgov.mediation.services import committee_create
from gridgov.mediation.services import directory as services
from tests.factories import Tree, make_user
from tests.mediation.conftest import committee, justice, mediator_user, seat  # noqa: F401

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MONDAY = TODAY - datetime.timedelta(days=TODAY.weekday())


def login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def justice_b(tree):
    return make_user("justice-b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B)


@pytest.fixture
def centre(justice):
    return services.centre_create(actor=justice, name="一镇矛盾纠纷多元化解中心", org_code=Tree.TOWNSHIP_A,
                                  address="镇政府一楼")


# --- Centres ------------------------------------------------------------------------------------


def test_the_justice_officer_adds_a_centre_from_the_page(justice, mediator_user, grid_worker):
    client = login(justice)

    response = client.post(reverse("mediation-centres"), {"name": "一镇矛调中心", "org_code": Tree.TOWNSHIP_A,
                                                          "address": "镇政府一楼"})

    centre = Centre.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("mediation-centre", args=[centre.pk])
    assert AuditEntry.objects.filter(action=services.CENTRE_CREATE, object_id=str(centre.pk)).exists()
    for reader in (mediator_user, grid_worker):  # the township's centre serves the grid worker's cell too
        page = login(reader).get(reverse("mediation-centres"))
        assert page.status_code == 200 and [c.pk for c in page.context["centres"]] == [centre.pk]
        assert page.context["form"] is None
    again = client.post(reverse("mediation-centres"), {"name": "一镇矛调中心", "org_code": Tree.TOWNSHIP_A})
    assert again.status_code == 409 and Centre.objects.count() == 1


@pytest.mark.parametrize("body, status", [
    ({"name": "", "org_code": Tree.TOWNSHIP_A}, 400),
    ({"name": "中心", "org_code": "12"}, 404),  # above the area
    ({"name": "中心", "org_code": "990101001009"}, 400),  # no such unit
    ({"name": "中心", "org_code": Tree.TOWNSHIP_B}, 404),  # another township's
])
def test_a_centre_with_bad_input_is_refused(justice, body, status):
    assert login(justice).post(reverse("mediation-centres"), body).status_code == status
    assert not Centre.objects.exists()


def test_who_may_open_and_keep_the_centres(centre, justice_b, mediator_user, station_staff, grid_worker):
    assert login(station_staff).get(reverse("mediation-centres")).status_code == 403
    assert login(mediator_user).post(reverse("mediation-centres"), {"name": "x", "org_code": Tree.TOWNSHIP_A}
                                     ).status_code == 403
    assert login(justice_b).get(reverse("mediation-centre", args=[centre.pk])).status_code == 404
    assert login(justice_b).get(reverse("mediation-centres")).context["centres"] == []
    shift = {"on_date": TODAY.isoformat(), "part": "day", "unit": "县人民法院", "staff": "法官 刘"}
    for user, status in ((justice_b, 404), (mediator_user, 403), (grid_worker, 403)):
        assert login(user).post(reverse("mediation-centre-shift-add", args=[centre.pk]), shift).status_code == status
    assert not DutyShift.objects.exists()


def test_the_roster_of_a_week_is_kept_by_the_justice_officer_and_read_by_the_mediators(centre, justice, committee,
                                                                                       mediator_user):
    client = login(justice)
    tomorrow = TODAY + datetime.timedelta(days=1)

    by_committee = client.post(reverse("mediation-centre-shift-add", args=[centre.pk]), {
        "on_date": TODAY.isoformat(), "part": "morning", "committee": committee.pk, "staff": "调解员 郑芳"})
    by_unit = client.post(reverse("mediation-centre-shift-add", args=[centre.pk]), {
        "on_date": tomorrow.isoformat(), "part": "day", "unit": "人社局劳动监察大队", "staff": "张科长"})

    assert by_committee.status_code == by_unit.status_code == 302
    assert AuditEntry.objects.filter(action=services.SHIFT_ADD).count() == 2
    page = login(mediator_user).get(reverse("mediation-centre", args=[centre.pk]) + f"?week={tomorrow.isoformat()}")
    assert page.status_code == 200 and page.context["may_keep"] is False and page.context["shift_form"] is None
    days = page.context["days"]
    assert [d["date"] for d in days] == [MONDAY + datetime.timedelta(days=i) for i in range(7)]
    parts = list(DayPart.values)
    today_row = days[TODAY.weekday()]["parts"]
    assert [s.staff for s in today_row[parts.index("morning")]] == ["调解员 郑芳"]
    if tomorrow < MONDAY + datetime.timedelta(days=7):
        assert [s.unit for s in days[tomorrow.weekday()]["parts"][parts.index("day")]] == ["人社局劳动监察大队"]
    body = page.content.decode()
    assert "幸福村人民调解委员会" in body and "Remove" not in body

    keeper = client.get(reverse("mediation-centre", args=[centre.pk]))
    assert keeper.context["may_keep"] and "Remove" in keeper.content.decode()
    shift = DutyShift.objects.get(unit="人社局劳动监察大队")
    removed = client.post(reverse("mediation-centre-shift-remove", args=[centre.pk, shift.pk]))
    assert removed.status_code == 302 and not DutyShift.objects.filter(pk=shift.pk).exists()
    assert AuditEntry.objects.filter(action=services.SHIFT_REMOVE).count() == 1


def test_weeks_are_navigated_from_monday(centre, justice):
    client = login(justice)
    page = client.get(reverse("mediation-centre", args=[centre.pk]) + "?week=2026-12-10")  # a Thursday
    assert page.context["monday"] == datetime.date(2026, 12, 7) and page.context["next_week"] == "2026-12-14"
    assert page.context["previous_week"] == "2026-11-30"
    assert client.get(reverse("mediation-centre", args=[centre.pk]) + "?week=soon").status_code == 400


@pytest.mark.parametrize("body", [
    {"on_date": (TODAY - datetime.timedelta(days=1)).isoformat(), "part": "day", "unit": "派出所", "staff": "民警"},
    {"on_date": TODAY.isoformat(), "part": "evening", "unit": "派出所", "staff": "民警"},
    {"on_date": TODAY.isoformat(), "part": "day", "unit": "", "staff": "民警"},  # neither committee nor unit
    {"on_date": TODAY.isoformat(), "part": "day", "unit": "派出所", "staff": ""},
    {"on_date": "someday", "part": "day", "unit": "派出所", "staff": "民警"},
    {"on_date": TODAY.isoformat(), "part": "day", "committee": "both", "unit": "派出所", "staff": "民警"},
])
def test_a_shift_with_bad_input_is_a_400_and_nothing_is_written(centre, justice, committee, body):
    if body.get("committee") == "both":
        body = {**body, "committee": committee.pk}
    response = login(justice).post(reverse("mediation-centre-shift-add", args=[centre.pk]), body)

    assert response.status_code == 400 and response.context["shift_form"].errors
    assert not DutyShift.objects.exists()


def test_the_service_refuses_another_areas_committee_and_a_past_shift_stays(centre, justice, tree):
    other = Committee.objects.create(name="二镇调委会", kind=CommitteeKind.TOWNSHIP, org_code=Tree.TOWNSHIP_B)
    with pytest.raises(NotFound):
        services.shift_add(actor=justice, centre=centre, on_date=TODAY, part="day", staff="x", committee=other)
    past = DutyShift.objects.create(centre=centre, on_date=TODAY - datetime.timedelta(days=3), unit="法院",
                                    staff="法官")
    with pytest.raises(DomainError) as refused:
        services.shift_remove(actor=justice, shift=past)
    assert refused.value.code == ErrorCode.CONFLICT and DutyShift.objects.filter(pk=past.pk).exists()
    response = login(justice).post(reverse("mediation-centre-shift-remove", args=[centre.pk, past.pk]))
    assert response.status_code == 409 and DutyShift.objects.filter(pk=past.pk).exists()


def test_a_centre_above_the_area_is_read_but_not_kept_by_a_townships_officer(justice, tree):
    county_justice = make_user("justice-county", Role.JUSTICE_OFFICER, scope=Tree.COUNTY_A)
    county_centre = services.centre_create(actor=county_justice, name="县矛调中心", org_code=Tree.COUNTY_A)

    assert login(justice).get(reverse("mediation-centre", args=[county_centre.pk])).context["may_keep"] is False
    with pytest.raises(Forbidden):
        services.shift_add(actor=justice, centre=county_centre, on_date=TODAY, part="day", unit="法院", staff="x")
    response = login(justice).post(reverse("mediation-centre-shift-add", args=[county_centre.pk]),
                                   {"on_date": TODAY.isoformat(), "part": "day", "unit": "法院", "staff": "x"})
    assert response.status_code == 403 and not DutyShift.objects.exists()


# --- Legal advisers -----------------------------------------------------------------------------


def _adviser(justice, kind=AdviserKind.LEGAL_LITERATE, **kw) -> LegalAdviser:
    fields = {"name": "王明白", "org_code": Tree.VILLAGE_A, "phone": "13912345678", "specialities": ["land"], **kw}
    if kind == AdviserKind.LAWYER:
        fields.setdefault("firm", "明理律师事务所")
    return services.adviser_add(actor=justice, kind=kind, **fields)


def test_the_justice_officer_adds_advisers_and_each_reader_sees_the_phone_they_may(justice, mediator_user,
                                                                                  grid_worker):
    client = login(justice)
    resident = client.post(reverse("mediation-advisers"), {
        "kind": "legal_literate", "name": "王明白", "org_code": Tree.VILLAGE_A, "phone": "139 1234 5678",
        "specialities": ["land", "family"]})
    lawyer = client.post(reverse("mediation-advisers"), {
        "kind": "lawyer", "name": "李律师", "org_code": Tree.VILLAGE_A, "firm": "明理律师事务所",
        "phone": "0571-88888888"})

    assert resident.status_code == lawyer.status_code == 302
    assert AuditEntry.objects.filter(action=services.ADVISER_ADD).count() == 2
    assert not any("13912345678" in e.changes for e in AuditEntry.objects.all())
    # the village's own grid worker calls its legal-literate resident; another village's does not
    other_worker = make_user("worker-b", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1])
    for reader, resident_phone in ((justice, "13912345678"), (mediator_user, "13912345678"),
                                   (grid_worker, "13912345678")):
        page = login(reader).get(reverse("mediation-advisers"))
        assert page.status_code == 200
        phones = {row["adviser"].name: row["phone"] for row in page.context["rows"]}
        assert phones == {"王明白": resident_phone, "李律师": "0571-88888888"}
        body = page.content.decode()
        assert "村1" in body and "13912345678" in body
        assert (page.context["form"] is not None) == (reader == justice)
    from gridgov.mediation.models import LegalAdviser
    from gridgov.mediation.selectors.directory import adviser_phone

    assert adviser_phone(other_worker, LegalAdviser.objects.get(name="王明白")) == "139******78"


@pytest.mark.parametrize("body, status", [
    ({"kind": "legal_literate", "phone": "0571-88888888"}, 400),  # a resident's own phone is a mobile
    ({"kind": "lawyer", "phone": "12345"}, 400),
    ({"kind": "lawyer", "firm": ""}, 400),
    ({"kind": "legal_literate", "org_code": Tree.TOWNSHIP_A}, 400),  # a village or community
    ({"kind": "legal_literate", "org_code": Tree.VILLAGE_B}, 404),
    ({"kind": "legal_literate", "specialities": ["petition"]}, 400),
    ({"kind": "priest"}, 400),
    ({"kind": "legal_literate", "name": ""}, 400),
])
def test_an_adviser_with_bad_input_is_refused(justice, body, status):
    data = {"name": "王明白", "org_code": Tree.VILLAGE_A, "phone": "13912345678", "firm": "所", **body}
    assert login(justice).post(reverse("mediation-advisers"), data).status_code == status
    assert not LegalAdviser.objects.exists()


def test_who_may_read_and_keep_the_directory(justice, justice_b, mediator_user, grid_worker, station_staff):
    adviser = _adviser(justice)
    assert login(station_staff).get(reverse("mediation-advisers")).status_code == 403
    assert login(justice_b).get(reverse("mediation-advisers")).context["rows"] == []
    edit = reverse("mediation-adviser", args=[adviser.pk])
    assert login(justice_b).get(edit).status_code == 404
    assert login(justice_b).post(reverse("mediation-adviser-deactivate", args=[adviser.pk])).status_code == 404
    for user in (mediator_user, grid_worker):
        assert login(user).get(edit).status_code == 403
        assert login(user).post(reverse("mediation-advisers"), {"kind": "lawyer", "name": "x"}).status_code == 403
        assert login(user).post(reverse("mediation-adviser-deactivate", args=[adviser.pk])).status_code == 403
    adviser.refresh_from_db()
    assert adviser.is_active and LegalAdviser.objects.count() == 1


def test_an_adviser_is_corrected_and_taken_out_of_the_directory(justice, mediator_user):
    adviser = _adviser(justice)
    client = login(justice)

    bad = client.post(reverse("mediation-adviser", args=[adviser.pk]), {"name": "王明白", "phone": "abc"})
    assert bad.status_code == 400
    saved = client.post(reverse("mediation-adviser", args=[adviser.pk]),
                        {"name": "王明白", "phone": "13800001111", "specialities": ["debt"]})
    assert saved.status_code == 302
    adviser.refresh_from_db()
    assert adviser.phone == "13800001111" and adviser.specialities == ["debt"]
    assert AuditEntry.objects.filter(action=services.ADVISER_UPDATE).count() == 1

    assert client.post(reverse("mediation-adviser-deactivate", args=[adviser.pk])).status_code == 302
    assert client.post(reverse("mediation-adviser-deactivate", args=[adviser.pk])).status_code == 409
    assert login(mediator_user).get(reverse("mediation-advisers")).context["rows"] == []
    with pytest.raises(DomainError) as again:
        services.adviser_deactivate(actor=justice, adviser=adviser)
    assert again.value.code == ErrorCode.CONFLICT
    assert AuditEntry.objects.filter(action=services.ADVISER_DEACTIVATE).count() == 1


def test_the_directory_is_filtered_by_area_and_kind(justice, tree):
    _adviser(justice, name="甲")
    _adviser(justice, kind=AdviserKind.LAWYER, name="乙", phone="010-12345678")
    county_justice = make_user("justice-county", Role.JUSTICE_OFFICER, scope=Tree.COUNTY_A)
    client = login(justice)

    def names(query: str) -> list[str]:
        page = client.get(reverse("mediation-advisers") + query)
        assert page.status_code == 200
        return sorted(row["adviser"].name for row in page.context["rows"])

    assert names("") == ["乙", "甲"]
    assert names("?kind=lawyer") == ["乙"]
    assert names(f"?org={Tree.VILLAGE_A}&kind=legal_literate") == ["甲"]
    assert names(f"?org={Tree.COUNTY_A}") == ["乙", "甲"]  # above the area: all of it
    assert names(f"?org={Tree.VILLAGE_B}") == []
    assert client.get(reverse("mediation-advisers") + "?kind=priest").status_code == 400
    assert sorted(r["adviser"].name for r in login(county_justice).get(
        reverse("mediation-advisers") + f"?org={Tree.TOWNSHIP_A}").context["rows"]) == ["乙", "甲"]


def test_the_directory_is_paged(justice, monkeypatch):
    from gridgov.mediation.views import directory as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(3):
        _adviser(justice, name=f"明白人{i}")
    client = login(justice)

    first = client.get(reverse("mediation-advisers") + "?kind=legal_literate")
    assert [r["adviser"].name for r in first.context["rows"]] == ["明白人0", "明白人1"]
    second = client.get(reverse("mediation-advisers") + first.context["next_url"])
    assert [r["adviser"].name for r in second.context["rows"]] == ["明白人2"] and second.context["next_url"] is None


# --- Query counts -------------------------------------------------------------------------------

# the session, the user, the user's roles, the header's scope name, unread notifications
BASE = 5


@pytest.mark.parametrize("n", [3, 30])
def test_the_centres_list_costs_the_same_whatever_its_length(justice, mediator_user, django_assert_num_queries, n):
    for i in range(n):
        services.centre_create(actor=justice, name=f"中心{i}", org_code=Tree.TOWNSHIP_A)
    client = login(mediator_user)

    # the page of centres; their areas' name paths
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("mediation-centres"))
    assert len(response.context["centres"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_roster_costs_the_same_whatever_its_length(centre, justice, committee, django_assert_num_queries, n):
    for i in range(n):
        services.shift_add(actor=justice, centre=centre, on_date=TODAY, part=list(DayPart.values)[i % 3],
                           committee=committee if i % 2 else None, unit="" if i % 2 else "派出所", staff=f"值班{i}")
    client = login(justice)

    # the centre; the week's shifts with their committees; the committees to choose from; the
    # centre's name path
    with django_assert_num_queries(BASE + 4):
        response = client.get(reverse("mediation-centre", args=[centre.pk]))
    assert sum(len(p) for d in response.context["days"] for p in d["parts"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_directory_costs_the_same_whatever_its_length(justice, grid_worker, django_assert_num_queries, n):
    for i in range(n):
        _adviser(justice, name=f"明白人{i}", kind=AdviserKind.LAWYER if i % 2 else AdviserKind.LEGAL_LITERATE,
                 phone="13912345678")
    client = login(grid_worker)

    # the page of advisers; their villages' name paths
    with django_assert_num_queries(BASE + 2):
        response = client.get(reverse("mediation-advisers"))
    assert len(response.context["rows"]) == n


def test_a_committee_of_the_area_may_be_on_duty_as_may_a_county_one(centre, justice, tree):
    county_justice = make_user("justice-county", Role.JUSTICE_OFFICER, scope=Tree.COUNTY_A)
    county = committee_create(actor=county_justice, name="县医调委", kind=CommitteeKind.MEDICAL,
                              org_code=Tree.COUNTY_A)

    shift = services.shift_add(actor=justice, centre=centre, on_date=TODAY, part="afternoon", committee=county,
                               staff="医调委 调解员")

    assert shift.committee == county and shift.unit == ""
