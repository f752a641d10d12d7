"""Correction requests (PIPL art. 46): recorded by staff, decided by a second person with
the right to edit, applied through the ordinary services, audited at every step."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.core import corrections, crypto, masking, selectors
from gridgov.core.audit import AuditAction
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import AuditEntry, CorrectionRequest, CorrectionTarget, Notification, Person, Role
from gridgov.core.selectors import work_calendar_for
from gridgov.core.workcal import WorkCalendar, add_working_days
from gridgov.register import services as register_services
from gridgov.register.models import FieldChange, Relation, ResidenceType
from tests.factories import PersonFactory, Tree, make_resident_id, make_user


@pytest.fixture
def staff(tree):
    return {
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "screener": make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A),
        "gw_b": make_user("gw_b", Role.GRID_WORKER, scope=Tree.CELL_B1, cells=[Tree.CELL_B1]),
        "dispatcher": make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A),
    }


@pytest.fixture
def resident(tree):
    return PersonFactory(name="王小明", phone="13800001234", resident_id=make_resident_id(birth="19800505", seq=31))


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def request_phone(staff, resident, phone="13900005678"):
    return corrections.correction_request_create(
        actor=staff["gw"], person=resident, values={"phone": phone}, evidence="statement", reason="本人来电更正",
    )


def actions_of(request: CorrectionRequest) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="core.correctionrequest", object_id=str(request.pk))
                .order_by("id").values_list("action", flat=True))


# --- Deadline -----------------------------------------------------------------------------


def test_due_date_counts_working_days_over_the_national_day_holiday():
    # 30 Sept 2026 is a Wednesday; 1–7 October are holidays and Saturday 10 October a make-up workday.
    assert add_working_days(datetime.date(2026, 9, 30), 3, WorkCalendar()) == datetime.date(2026, 10, 10)


def test_a_request_is_due_fifteen_working_days_later(staff, resident):
    request = request_phone(staff, resident)
    today = timezone.localdate()
    assert request.due_on == add_working_days(today, 15, work_calendar_for(resident.org_code))
    assert request.due_on > today


# --- Recording -----------------------------------------------------------------------------


def test_requested_values_and_reason_are_encrypted_at_rest(staff, resident):
    request = request_phone(staff, resident)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_values, requested_values, reason FROM core_correctionrequest WHERE id = %s",
                       [request.pk])
        raw = " ".join(cursor.fetchone())
    assert "13900005678" not in raw and "13800001234" not in raw and "本人" not in raw
    assert json.loads(CorrectionRequest.objects.get(pk=request.pk).requested_values) == {"phone": "13900005678"}


def test_recording_changes_nothing_and_is_audited_without_values(staff, resident):
    request = request_phone(staff, resident)
    resident.refresh_from_db()
    assert resident.phone == "13800001234"
    entry = AuditEntry.objects.get(action=AuditAction.CORRECTION_REQUEST, object_id=str(request.pk))
    assert entry.person_id == resident.pk and entry.actor_username == "gw"
    assert "13900005678" not in entry.changes and json.loads(entry.changes)["fields"] == ["phone"]


def test_staff_without_the_right_to_edit_people_cannot_record_a_request(staff, resident):
    with pytest.raises(DomainError) as raised:
        corrections.correction_request_create(actor=staff["dispatcher"], person=resident, values={"name": "王晓明"},
                                              evidence="id_card", reason="证件")
    assert raised.value.code == ErrorCode.PERMISSION_DENIED


def test_a_request_needs_a_reason_and_a_real_change(staff, resident):
    with pytest.raises(DomainError) as raised:
        corrections.correction_request_create(actor=staff["gw"], person=resident, values={"phone": "13800001234"},
                                              evidence="statement", reason="本人")
    assert raised.value.code == ErrorCode.INVALID
    with pytest.raises(DomainError) as raised:
        corrections.correction_request_create(actor=staff["gw"], person=resident, values={"phone": "13900005678"},
                                              evidence="statement", reason="")
    assert "reason" in raised.value.fields


def test_birth_date_is_corrected_only_with_the_resident_id(staff, resident):
    with pytest.raises(DomainError) as raised:
        corrections.correction_request_create(actor=staff["gw"], person=resident, values={"birth_date": "1980-05-06"},
                                              evidence="id_card", reason="证件")
    assert "resident_id" in raised.value.fields
    assert not CorrectionRequest.objects.exists()


# --- Deciding ------------------------------------------------------------------------------


def test_the_requester_can_never_approve_their_own_request(staff, resident):
    request = request_phone(staff, resident)
    with pytest.raises(DomainError) as raised:
        corrections.correction_approve(actor=staff["gw"], request=request, reason="核实无误")
    assert raised.value.code == ErrorCode.PERMISSION_DENIED
    resident.refresh_from_db()
    assert resident.phone == "13800001234"


def test_approval_applies_the_change_through_the_person_service(staff, resident):
    request = request_phone(staff, resident)
    corrections.correction_approve(actor=staff["doctor"], request=request, reason="已核实本人")
    resident.refresh_from_db()
    assert resident.phone == "13900005678"
    # the blind index follows, so the new number is found and the old one no longer is
    assert resident.phone_index == crypto.blind_index("phone", "13900005678")
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.APPROVED and request.applied_fields == ["phone"]
    assert request.decided_by == staff["doctor"]
    assert actions_of(request) == [AuditAction.CORRECTION_REQUEST, AuditAction.CORRECTION_APPROVE]
    update = AuditEntry.objects.get(action=AuditAction.PERSON_UPDATE, person_id=resident.pk)
    assert update.actor_username == "doctor" and json.loads(update.changes)["fields"] == ["phone"]
    note = Notification.objects.get(user=staff["gw"], kind="correction_decided")
    assert f"#{request.pk}" in note.text


def test_refusal_changes_nothing_and_tells_the_requester(staff, resident):
    request = request_phone(staff, resident)
    corrections.correction_refuse(actor=staff["officer"], request=request, reason="与户籍证明不符")
    resident.refresh_from_db()
    assert resident.phone == "13800001234"
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.REFUSED and request.decision_reason == "与户籍证明不符"
    assert actions_of(request) == [AuditAction.CORRECTION_REQUEST, AuditAction.CORRECTION_REFUSE]
    assert Notification.objects.filter(user=staff["gw"], kind="correction_decided").count() == 1
    with pytest.raises(DomainError) as raised:
        corrections.correction_approve(actor=staff["doctor"], request=request, reason="再议")
    assert raised.value.code == ErrorCode.CONFLICT


def test_a_request_overtaken_by_an_edit_is_not_applied(staff, resident):
    from gridgov.core.services import person_update

    request = request_phone(staff, resident)
    person_update(actor=staff["officer"], person=resident, phone="13700009999")
    with pytest.raises(DomainError) as raised:
        corrections.correction_approve(actor=staff["doctor"], request=request, reason="核实")
    assert raised.value.code == ErrorCode.CONFLICT
    resident.refresh_from_db()
    assert resident.phone == "13700009999"


def test_a_corrected_resident_id_brings_its_birth_date_and_gender(staff, resident):
    old_id = resident.resident_id
    new_id = make_resident_id(birth="19820303", seq=42)
    request = corrections.correction_request_create(
        actor=staff["gw"], person=resident, values={"resident_id": new_id}, evidence="id_card", reason="身份证抄错")
    assert set(request.fields) >= {"resident_id", "birth_date"}
    corrections.correction_approve(actor=staff["officer"], request=request, reason="核对身份证原件")
    resident.refresh_from_db()
    assert resident.resident_id == new_id and resident.birth_date == datetime.date(1982, 3, 3)
    assert list(selectors.people_visible_to(staff["officer"]).filter(
        resident_id_index=crypto.blind_index("resident_id", old_id))) == []


def test_a_resident_id_of_another_person_is_refused_as_a_duplicate(staff, resident):
    other = PersonFactory()
    with pytest.raises(DomainError) as raised:
        corrections.correction_request_create(actor=staff["gw"], person=resident,
                                              values={"resident_id": other.resident_id}, evidence="id_card",
                                              reason="证件")
    assert raised.value.code == ErrorCode.DUPLICATE


def test_outside_the_area_a_request_does_not_exist(staff, resident):
    request = request_phone(staff, resident)
    with pytest.raises(DomainError) as raised:
        corrections.access_correction(staff["gw_b"], request.pk)
    assert raised.value.code == ErrorCode.NOT_FOUND


# --- Register records -----------------------------------------------------------------------


@pytest.fixture
def household(staff):
    building = register_services.building_create(actor=staff["screener"], address="幸福路 8 号", lat=31.005,
                                                 lng=120.005, use="residential")
    head = PersonFactory(name="张大山")
    return register_services.household_create(
        actor=staff["screener"], building=building, unit_label="1单元101",
        members=[register_services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE)],
    )


def test_a_household_address_is_decided_by_a_screener_and_kept_in_field_history(staff, household):
    head = household.memberships.get().person
    request = corrections.correction_request_create(
        actor=staff["gw"], person=head, target=CorrectionTarget.HOUSEHOLD, values={"address": "幸福路 8 号 1单元102"},
        evidence="household_booklet", reason="门牌登记错误")
    assert request.target_id == household.pk
    # a grid worker may edit people, but register facts need the sign-off right
    with pytest.raises(DomainError) as raised:
        corrections.correction_approve(actor=make_user("gw2", Role.GRID_WORKER, scope=Tree.CELL_A1), request=request,
                                       reason="核实")
    assert raised.value.code == ErrorCode.PERMISSION_DENIED
    corrections.correction_approve(actor=staff["screener"], request=request, reason="户口簿核实")
    household.refresh_from_db()
    assert household.address == "幸福路 8 号 1单元102"
    change = FieldChange.objects.filter(object_type="register.household", object_id=household.pk,
                                        field="address").order_by("-id").first()
    assert (change.old_value, change.new_value) == ("幸福路 8 号 1单元101", "幸福路 8 号 1单元102")
    assert change.changed_by == staff["screener"]


def test_a_membership_relation_is_corrected(staff, household):
    membership = household.memberships.get()
    spouse = PersonFactory(name="李小花")
    register_services.member_add(actor=staff["screener"], household=household,
                                 spec=register_services.MemberSpec(spouse, Relation.CHILD,
                                                                   ResidenceType.REGISTERED_HERE))
    request = corrections.correction_request_create(
        actor=staff["gw"], person=spouse, target=CorrectionTarget.MEMBERSHIP, values={"relation": "spouse"},
        evidence="household_booklet", reason="关系登记错误")
    assert request.target_id != membership.pk
    corrections.correction_approve(actor=staff["screener"], request=request, reason="户口簿核实")
    assert spouse.memberships.get().relation == Relation.SPOUSE


# --- API ------------------------------------------------------------------------------------


def test_api_records_lists_and_approves(staff, resident):
    response = api(staff["gw"]).post(
        f"/api/v1/people/{resident.pk}/corrections/",
        {"values": {"name": "王晓明"}, "evidence": "id_card", "reason": "证件上为晓"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["fields"] == ["name"] and body["can_decide"] is False
    assert body["values"][0]["requested"] == "王晓明"
    assert response["Cache-Control"] == "no-store"

    own = api(staff["gw"]).post(f"/api/v1/corrections/{body['id']}/approve/", {"reason": "自批"}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "permission_denied"

    listed = api(staff["doctor"]).get("/api/v1/corrections/?status=pending").json()
    assert [r["id"] for r in listed["results"]] == [body["id"]] and listed["results"][0]["can_decide"] is True

    approved = api(staff["doctor"]).post(f"/api/v1/corrections/{body['id']}/approve/", {"reason": "核对证件"},
                                         format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert [s["step"] for s in approved.json()["trail"]] == ["requested", "approved"]
    assert Person.objects.get(pk=resident.pk).name == "王晓明"

    again = api(staff["officer"]).post(f"/api/v1/corrections/{body['id']}/refuse/", {"reason": "晚了"}, format="json")
    assert again.status_code == 409


def test_api_shows_current_values_masked_and_logs_showing_requested_values(staff, resident):
    request = request_phone(staff, resident)
    body = api(staff["doctor"]).get(f"/api/v1/corrections/{request.pk}/").json()
    assert body["values"] == [{"field": "phone", "label": "Mobile phone", "current": masking.mask_phone("13800001234"),
                               "requested": "13900005678"}]
    assert AuditEntry.objects.filter(action=AuditAction.CORRECTION_VIEW, actor_username="doctor").count() == 1
    assert api(staff["gw_b"]).get(f"/api/v1/corrections/{request.pk}/").status_code == 404


def test_api_bad_input_is_400_with_field_errors(staff, resident):
    response = api(staff["gw"]).post(f"/api/v1/people/{resident.pk}/corrections/",
                                     {"values": {"phone": "123"}, "evidence": "id_card", "reason": "号码"},
                                     format="json")
    assert response.status_code == 400 and "phone" in response.json()["fields"]
    assert not CorrectionRequest.objects.exists()


def test_api_lists_overdue_requests_first(staff, resident):
    later = request_phone(staff, resident)
    other = PersonFactory()
    overdue = corrections.correction_request_create(actor=staff["gw"], person=other, values={"name": "赵六"},
                                                    evidence="id_card", reason="证件")
    CorrectionRequest.objects.filter(pk=overdue.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    rows = api(staff["doctor"]).get("/api/v1/corrections/").json()["results"]
    assert [r["id"] for r in rows] == [overdue.pk, later.pk]
    assert [r["overdue"] for r in rows] == [True, False]


# --- Pages ----------------------------------------------------------------------------------


def page_client(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_pages_request_decide_and_show_the_trail(staff, resident):
    gw = page_client(staff["gw"])
    person_page = gw.get(reverse("person-detail", args=[resident.pk]))
    assert reverse("correction-new", args=[resident.pk]).encode() in person_page.content

    response = gw.post(reverse("correction-new", args=[resident.pk]),
                       {"person__phone": "13900005678", "evidence": "statement", "reason": "本人来电"})
    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    own_page = gw.get(reverse("correction-detail", args=[request.pk]))
    assert b"decided by someone else" in own_page.content

    doctor = page_client(staff["doctor"])
    queue = doctor.get(reverse("corrections"))
    assert f"#{request.pk}".encode() in queue.content
    detail = doctor.get(reverse("correction-detail", args=[request.pk]))
    assert masking.mask_phone("13800001234").encode() in detail.content and b"13900005678" in detail.content
    assert b"13800001234" not in detail.content
    decided = doctor.post(reverse("correction-decide", args=[request.pk]), {"decision": "approve", "reason": "核实"})
    assert decided.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13900005678"
    assert b"No correction request is waiting" in doctor.get(reverse("corrections")).content


def test_page_refuses_values_of_two_records_at_once(staff, household):
    head = household.memberships.get().person
    response = page_client(staff["gw"]).post(
        reverse("correction-new", args=[head.pk]),
        {"person__name": "张大三", "household__address": "幸福路 9 号", "evidence": "statement", "reason": "本人"})
    assert response.status_code == 400 and b"one record at a time" in response.content
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("n", [3, 30])
def test_queue_query_count(staff, django_assert_num_queries, n):
    people = PersonFactory.create_batch(n)
    for person in people:
        corrections.correction_request_create(actor=staff["gw"], person=person, values={"name": "新名字"},
                                              evidence="id_card", reason="证件")
    client = page_client(staff["doctor"])
    client.get(reverse("corrections"))  # warm the session
    # session, user, roles; the page of requests with person and users joined; the
    # unread-notification badge (the scope's name in the header: the org tree cache, issue 12)
    with django_assert_num_queries(5):
        response = client.get(reverse("corrections"))
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_api_list_query_count(staff, django_assert_num_queries, n):
    for person in PersonFactory.create_batch(n):
        corrections.correction_request_create(actor=staff["gw"], person=person, values={"name": "新名字"},
                                              evidence="id_card", reason="证件")
    client = api(staff["doctor"])
    # the page of requests, person and users joined (the user's roles came with the user)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/corrections/")
    assert len(response.json()["results"]) == n


def test_audit_chain_verifies_after_a_correction(staff, resident, capsys):
    request = request_phone(staff, resident)
    corrections.correction_approve(actor=staff["doctor"], request=request, reason="核实")
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


# --- Races (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_decide_once_and_the_rest_get_409(tree):
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel transactions (PostgreSQL)")
    from tests.security.races import assert_error_shape, run_together

    gw = make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])
    deciders = [make_user(f"doc{i}", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A) for i in range(6)]
    resident = PersonFactory(phone="13800001234")
    request = corrections.correction_request_create(actor=gw, person=resident, values={"phone": "13900005678"},
                                                    evidence="statement", reason="本人来电")

    def decide(i):
        verb = "approve" if i % 2 == 0 else "refuse"
        return api(deciders[i]).post(f"/api/v1/corrections/{request.pk}/{verb}/", {"reason": "核实"}, format="json")

    responses = run_together(len(deciders), decide)
    assert sorted(r.status_code for r in responses) == [200] + [409] * (len(deciders) - 1)
    for response in responses:
        if response.status_code == 409:
            assert_error_shape(response, 409, {"conflict"})
    assert AuditEntry.objects.filter(action__in=[AuditAction.CORRECTION_APPROVE, AuditAction.CORRECTION_REFUSE]
                                     ).count() == 1


def test_ids_beyond_the_database_range_are_404_or_400_not_500(staff, resident):
    client = api(staff["doctor"])
    assert client.get(f"/api/v1/corrections/{10**20}/").status_code == 404
    response = api(staff["gw"]).post(
        f"/api/v1/people/{resident.pk}/corrections/",
        {"target": "household", "target_id": 10**20, "values": {"address": "幸福路 9 号"}, "evidence": "other",
         "reason": "门牌"}, format="json")
    assert response.status_code == 400 and "target_id" in response.json()["fields"]
