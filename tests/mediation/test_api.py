"""The mediation API of CONTRACTS ("Mediation"): shapes, a case from request to agreement,
illegal steps as 409 with the error shape, hostile input as 400/404 with nothing written."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from gridgov.mediation.models import Case
from tests.factories import PersonFactory, Tree
from tests.mediation.conftest import api, case, committee, justice, mediator_user, seat  # noqa: F401
from tests.security.races import assert_error_shape

pytestmark = pytest.mark.django_db


def body(committee_row, **overrides) -> dict:
    applicant = PersonFactory(name="张大山", org_code=Tree.CELL_A1)
    return {"type": "neighbour", "source": "request", "org_code": Tree.CELL_A1, "committee": committee_row.pk,
            "matters": "相邻通道被堵", "parties": [{"role": "applicant", "person": applicant.pk},
                                                  {"role": "respondent", "name": "李四", "phone": "13912345678"}],
            **overrides}


def test_committees_of_my_area(mediator_user, committee, seat):
    rows = api(mediator_user).get("/api/v1/mediation/committees/", {"org": Tree.TOWNSHIP_A}).json()["results"]

    assert rows == [{"id": committee.pk, "name": committee.name, "kind": "village", "org_code": Tree.VILLAGE_A}]


def test_a_case_from_the_api_to_an_agreement(mediator_user, committee, seat):
    client = api(mediator_user)

    created = client.post("/api/v1/mediation/cases/", body(committee), format="json")

    assert created.status_code == 201, created.json()
    case = created.json()
    assert {"id", "code", "status", "deadline"} <= set(case) and case["status"] == "accepted"
    # the committee's mediator calls the parties back: the phone in full to them
    assert {p["phone"] for p in case["parties"]} == {"", "13912345678"}
    case_id = case["id"]
    client.post(f"/api/v1/mediation/cases/{case_id}/actions/", {"action": "assign", "mediator": seat.pk,
                                                                 "no_conflict": True}, format="json")
    session = client.post(f"/api/v1/mediation/cases/{case_id}/sessions/",
                          {"date": str(timezone.localdate()), "place": "村调解室", "record": "双方同意清理"},
                          format="json")
    assert session.status_code == 201 and session.json()["record"] == "双方同意清理"

    done = client.post(f"/api/v1/mediation/cases/{case_id}/outcome/",
                       {"result": "agreement", "terms": "三日内清理杂物"}, format="json")

    assert done.status_code == 200 and done.json()["status"] == "settled"
    assert done.json()["mediator_name"] == "郑芳"


def test_an_illegal_step_is_a_409_with_the_error_shape(mediator_user, case):
    response = api(mediator_user).post(f"/api/v1/mediation/cases/{case.pk}/outcome/",
                                       {"result": "agreement", "terms": "条款"}, format="json")

    assert_error_shape(response, 409, {"illegal_transition"})
    assert Case.objects.get(pk=case.pk).status == "accepted"


@pytest.mark.parametrize("change, status", [
    ({"parties": [{"role": "applicant", "name": "王五"}]}, 400),  # one side only
    ({"parties": [{"role": "applicant", "name": "王五", "person": 1}, {"role": "respondent", "name": "李四"}]}, 400),
    ({"org_code": Tree.CELL_B1}, 400),  # outside the committee's area
    ({"org_code": "99<script>"}, 400),
    ({"type": "no_such_kind"}, 400),
    ({"committee": 999999}, 404),
    ({"matters": "x" * 5000}, 400),
])
def test_hostile_cases_are_refused_and_nothing_is_written(mediator_user, committee, seat, change, status):
    response = api(mediator_user).post("/api/v1/mediation/cases/", body(committee, **change), format="json")

    assert_error_shape(response, status)
    assert not Case.objects.exists()


def test_a_party_from_another_area_is_not_found(mediator_user, committee, seat):
    outsider = PersonFactory(name="赵六", org_code=Tree.CELL_B1)
    given = body(committee)
    given["parties"][0] = {"role": "applicant", "person": outsider.pk}

    assert_error_shape(api(mediator_user).post("/api/v1/mediation/cases/", given, format="json"), 404)
    assert not Case.objects.exists()


def test_roles_outside_mediation_get_403(tree, case):
    from gridgov.core.models import Role
    from tests.factories import make_user

    for role in (Role.GRID_WORKER, Role.DISPATCHER, Role.AUDITOR, Role.POLICE_LIAISON):
        user = make_user(f"u-{role}", role, scope=Tree.TOWNSHIP_A)
        assert_error_shape(api(user).get("/api/v1/mediation/cases/"), 403)
        assert_error_shape(api(user).get(f"/api/v1/mediation/cases/{case.pk}/"), 403)


def test_a_resident_asks_online_without_signing_in_and_is_throttled(committee):
    cache.clear()
    request = {"type": "neighbour", "org_code": Tree.CELL_A1, "matters": "楼上漏水", "name": "王小明",
               "phone": "13812345678"}

    answers = [api().post("/api/v1/mediation/requests/", request, format="json") for _i in range(11)]

    assert answers[0].status_code == 201 and set(answers[0].json()) == {"tracking_code"}
    assert [a.status_code for a in answers[:10]] == [201] * 10 and answers[10].status_code == 429
    assert Case.objects.filter(status="requested").count() == 10
    cache.clear()


@pytest.mark.parametrize("n", [2, 12])
def test_the_case_list_query_count(mediator_user, committee, seat, django_assert_num_queries, n):
    from gridgov.mediation import services
    from tests.mediation.conftest import parties

    for _i in range(n):
        services.case_open(actor=mediator_user, committee=committee, type="family", source="initiative",
                           channel="phone", org_code=Tree.CELL_A1, matters="纠纷", parties=parties())
    client = api(mediator_user)

    # the page of cases with their committees and mediators; their parties; whether the user
    # works the committee (once per committee on the page: full phones to its workers)
    with django_assert_num_queries(3):
        response = client.get("/api/v1/mediation/cases/")

    assert len(response.json()["results"]) == n


def test_the_request_limit_counts_the_connection_not_a_forwarded_header(committee):
    cache.clear()
    request = {"type": "neighbour", "org_code": Tree.CELL_A1, "matters": "楼上漏水", "name": "王小明",
               "phone": "13812345678"}

    answers = [api().post("/api/v1/mediation/requests/", request, format="json",
                          HTTP_X_FORWARDED_FOR=f"10.0.0.{i}") for i in range(11)]

    assert answers[10].status_code == 429
    cache.clear()


def test_every_justice_officer_of_the_area_calls_the_parties_back(case, tree):
    from gridgov.core.models import Role
    from tests.factories import make_user

    other = make_user("justice-c", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A)
    rows = api(other).get("/api/v1/mediation/cases/").json()["results"]

    assert rows and {p["phone"] for p in rows[0]["parties"]} == {"", "13912345678"}


def test_after_the_agreement_through_the_api(mediator_user, case, seat, django_capture_on_commit_callbacks):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client = api(mediator_user)
    steps = f"/api/v1/mediation/cases/{case.pk}/actions/"
    today = str(timezone.localdate())
    client.post(steps, {"action": "assign", "mediator": seat.pk, "no_conflict": True}, format="json")
    for n in (1, 2):
        client.post(f"/api/v1/mediation/cases/{case.pk}/sessions/", {"date": today, "place": "调解室",
                                                                    "record": f"第{n}次", "kind": "mediation"},
                    format="json")
    sessions = client.get(f"/api/v1/mediation/cases/{case.pk}/sessions/").json()
    assert [s["record"] for s in sessions["results"]] == ["第1次", "第2次"] and sessions["next"] is None
    settled = client.post(f"/api/v1/mediation/cases/{case.pk}/outcome/", {
        "result": "agreement", "terms": "三日内清理", "responsibilities": "李四堆放杂物", "performance_due": today},
        format="json").json()
    assert settled["agreement_form"] == "written" and settled["agreement_effective_on"] is None

    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), "white").save(buffer, format="PNG")
    with django_capture_on_commit_callbacks(execute=True):
        signed = client.post(steps, {"action": "sign", "signed_on": today,
                                     "pages": SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")},
                             format="multipart")
    assert signed.status_code == 200, signed.json()
    assert signed.json()["agreement_effective_on"] == today and signed.json()["confirmation_closes"]
    assert client.post(steps, {"action": "apply_confirmation", "court": "一县人民法院", "applied_on": today},
                       format="json").json()["confirmation"] == "applied"
    missing = client.post(steps, {"action": "decide_confirmation", "decided_on": today}, format="json")
    assert_error_shape(missing, 400)
    assert client.post(steps, {"action": "decide_confirmation", "confirmed": False, "decided_on": today},
                       format="json").json()["confirmation"] == "not_confirmed"
    visit = case.follow_ups.get()
    assert_error_shape(client.post(steps, {"action": "follow_up", "follow_up": visit.pk + 999, "done_on": today,
                                           "finding": "performed"}, format="json"), 404)
    followed = client.post(steps, {"action": "follow_up", "follow_up": visit.pk, "done_on": today,
                                   "finding": "breached"}, format="json").json()
    assert followed["performance"] == "breached"
    again = client.post(steps, {"action": "reopen", "reason": "未清理"}, format="json").json()
    assert again["status"] == "mediating" and again["agreement_form"] == ""


def test_a_party_named_through_the_api(mediator_user, case):
    response = api(mediator_user).post(f"/api/v1/mediation/cases/{case.pk}/actions/", {
        "action": "add_party", "party": {"role": "respondent", "name": "王二", "phone": "13700000000"}},
        format="json")

    assert response.status_code == 200
    assert [p["name"] for p in response.json()["parties"]] == ["张大山", "李四", "王二"]
    assert_error_shape(api(mediator_user).post(f"/api/v1/mediation/cases/{case.pk}/actions/",
                                               {"action": "add_party"}, format="json"), 400)
