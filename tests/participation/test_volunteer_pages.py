"""The volunteer pages and API as their users meet them: a volunteer's phone page (its shifts,
shifts it can take, checking in with the code, recording hours, its certificate), the
organiser's activities, rosters, registry and approvals; the API's shift list and sign-up,
whose full shift answers 409 `full` as the pages do."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from gridgov.core.models import AuditEntry, Role
from gridgov.participation.models import HoursStatus, ServiceHours, Shift, SignUp, SignUpStatus, Volunteer
from gridgov.participation.services import volunteers as services
from tests.factories import Tree, make_api_token, make_user
from tests.participation.test_volunteers import activity, organiser, shift, tomorrow, volunteer, volunteer_user  # noqa: F401

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_volunteer_signs_up_on_the_phone_and_sees_its_shift(client, volunteer_user, volunteer, shift):
    client = signed_in(client, volunteer_user)
    page = client.get(reverse("volunteers-home"))
    assert [row["shift"].pk for row in page.context["can_take"]] == [shift.pk]

    client.post(reverse("volunteers-shift-sign-up", args=[shift.pk]))

    page = client.get(reverse("volunteers-home"))
    assert [s.shift_id for s in page.context["coming"]] == [shift.pk] and page.context["can_take"] == []
    assert "村道环境整治" in page.content.decode() and "I cannot come" in page.content.decode()


def test_a_full_shift_says_so_on_the_page_and_nothing_changes(client, organiser, volunteer_user, volunteer, shift):
    for i in range(2):
        other = services.volunteer_register(actor=organiser, name=f"志愿者{i}", org_code=Tree.VILLAGE_A)
        services.sign_up(actor=organiser, shift=shift, volunteer=other)

    response = signed_in(client, volunteer_user).post(reverse("volunteers-shift-sign-up", args=[shift.pk]),
                                                      follow=True)

    assert "This shift is full." in response.content.decode()
    assert not SignUp.objects.filter(volunteer=volunteer).exists() and Shift.objects.get(pk=shift.pk).taken == 2


def test_a_volunteer_checks_in_with_the_code_and_out_and_the_organiser_approves(client, organiser, volunteer_user,
                                                                                 volunteer, shift):
    services.sign_up(actor=volunteer_user, shift=shift, volunteer=volunteer)
    phone = signed_in(client, volunteer_user)
    with time_machine.travel(shift.starts_at, tick=False):
        wrong = phone.post(reverse("volunteers-check-in-code"), {"code": "12345x"})
        phone.post(reverse("volunteers-check-in-code"), {"code": shift.code})
    signup = SignUp.objects.get(volunteer=volunteer)
    with time_machine.travel(shift.starts_at + datetime.timedelta(hours=2), tick=False):
        phone.post(reverse("volunteers-signup-check-out", args=[signup.pk]))
    assert wrong.status_code == 400
    hours = ServiceHours.objects.get(volunteer=volunteer)
    assert hours.status == HoursStatus.PENDING and hours.minutes == 120

    desk = signed_in(APIClient(), organiser)
    desk.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = desk.get(reverse("volunteers-organise"))
    assert [h.pk for h in page.context["pending"]] == [hours.pk]
    desk.post(reverse("volunteers-hours-decide", args=[hours.pk]), {"decision": "approve"})
    hours.refresh_from_db()
    assert hours.status == HoursStatus.APPROVED


def test_the_organiser_creates_a_duty_post_with_weekly_shifts_and_runs_the_roster(client, organiser, volunteer):
    client = signed_in(client, organiser)
    created = client.post(reverse("volunteers-activity-add"), {
        "title": "实验小学东门护学岗", "kind": "duty_post", "org_code": Tree.VILLAGE_A, "place": "实验小学东门",
        "required_qualification": ""})
    gate = created["Location"]
    day = timezone.localdate() + datetime.timedelta(days=1)
    client.post(gate + "shifts/", {"day": day.isoformat(), "starts": "07:10", "ends": "08:10", "capacity": 2,
                                   "weeks": 4})

    shifts = list(Shift.objects.order_by("starts_at"))
    assert len(shifts) == 4 and shifts[3].starts_at - shifts[0].starts_at == datetime.timedelta(weeks=3)
    roster = client.get(reverse("volunteers-shift", args=[shifts[0].pk]))
    assert shifts[0].code in roster.content.decode() and [v.pk for v in roster.context["others"]] == [volunteer.pk]
    client.post(reverse("volunteers-shift-sign-up", args=[shifts[0].pk]), {"volunteer": volunteer.pk})
    assert shifts[0].signups.get().volunteer == volunteer


@pytest.mark.parametrize("data, field", [
    ({"day": "2020-01-01", "starts": "07:00", "ends": "08:00", "capacity": 2, "weeks": 1}, "starts"),
    ({"day": "2999-01-01", "starts": "09:00", "ends": "08:00", "capacity": 2, "weeks": 1}, "ends"),
    ({"day": "2999-01-01", "starts": "07:00", "ends": "08:00", "capacity": 0, "weeks": 1}, "capacity"),
    ({"day": "2999-01-01", "starts": "07:00", "ends": "08:00", "capacity": 2, "weeks": 13}, "weeks"),
])
def test_bad_shifts_are_refused_next_to_their_field(client, organiser, activity, data, field):
    response = signed_in(client, organiser).post(reverse("volunteers-shift-add", args=[activity.pk]), data)

    assert response.status_code == 400 and response.context["shift_form"].errors[field]
    assert not Shift.objects.exists()


def test_the_organiser_registers_a_volunteer_with_its_account(client, organiser):
    account = make_user("newvol", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    client = signed_in(client, organiser)

    response = client.post(reverse("volunteers-registry-add"), {
        "name": "许丽", "phone": "13900001111", "org_code": Tree.VILLAGE_A, "kinds": ["general", "caring"],
        "availability": ["sat_am"], "username": "newvol"})
    twice = client.post(reverse("volunteers-registry-add"), {"name": "别人", "org_code": Tree.VILLAGE_A,
                                                               "username": "newvol"})
    bad_phone = client.post(reverse("volunteers-registry-add"), {"name": "别人", "org_code": Tree.VILLAGE_A,
                                                                   "phone": "12345"})

    volunteer = Volunteer.objects.get(name="许丽")
    assert response["Location"] == reverse("volunteers-person", args=[volunteer.pk]) and volunteer.user == account
    assert twice.status_code == 400 and bad_phone.status_code == 400 and Volunteer.objects.count() == 1
    with connection.cursor() as cursor:  # the phone is stored encrypted
        cursor.execute("SELECT phone FROM participation_volunteer WHERE id = %s", [volunteer.pk])
        assert "13900001111" not in cursor.fetchone()[0]
    assert volunteer.phone == "13900001111"


def test_a_volunteer_without_a_record_and_other_roles_are_kept_out(client, tree):
    lone = make_user("lone", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)

    page = signed_in(client, lone).get(reverse("volunteers-home"))
    assert page.status_code == 200 and "not in the registry" in page.content.decode()
    assert client.get(reverse("volunteers-organise")).status_code == 403
    assert signed_in(client, keeper).get(reverse("volunteers-home")).status_code == 403


def test_the_certificate_is_a_chinese_pdf_of_the_approved_service(client, organiser, volunteer_user, volunteer,
                                                                  activity):
    approved = services.hours_record(actor=organiser, volunteer=volunteer, activity=activity, minutes=150,
                                     served_on=timezone.localdate(), note="清扫")
    services.hours_record(actor=volunteer_user, volunteer=volunteer, activity=activity, minutes=45,
                          served_on=timezone.localdate(), note="等待审核")

    response = signed_in(client, volunteer_user).get(reverse("volunteers-own-certificate"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")
    assert "志愿服务记录证明" in text and "陈晓" in text and "村道环境整治" in text and "150" in text
    assert "2小时30分" in text and "45" not in text.split("服务记录")[-1].split("以上")[0]
    assert approved.status == HoursStatus.APPROVED
    assert AuditEntry.objects.filter(action="volunteers.certificate").count() == 1
    other = make_user("v2", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
    assert signed_in(client, other).get(reverse("volunteers-person-certificate", args=[volunteer.pk])).status_code == 403


# --- The API ------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def test_the_api_lists_the_shifts_a_volunteer_can_take_and_takes_a_place(volunteer_user, volunteer, shift, organiser):
    client = api_as(volunteer_user)

    listed = client.get("/api/v1/volunteers/shifts/").json()
    taken = client.post(f"/api/v1/volunteers/shifts/{shift.pk}/signup/", {}, format="json")
    again = client.post(f"/api/v1/volunteers/shifts/{shift.pk}/signup/", {}, format="json")

    assert [r["id"] for r in listed["results"]] == [shift.pk] and listed["results"][0]["capacity"] == 2
    assert taken.status_code == 201 and taken.json()["status"] == SignUpStatus.SIGNED_UP
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert client.get("/api/v1/volunteers/shifts/").json()["results"] == []


def test_the_api_answers_409_full_with_the_error_shape(organiser, shift):
    people = [services.volunteer_register(actor=organiser, name=f"志愿者{i}", org_code=Tree.VILLAGE_A) for i in range(3)]
    client = api_as(organiser)

    answers = [client.post(f"/api/v1/volunteers/shifts/{shift.pk}/signup/", {"volunteer": v.pk}, format="json")
               for v in people]
    missing = client.post(f"/api/v1/volunteers/shifts/{shift.pk}/signup/", {}, format="json")

    assert [a.status_code for a in answers] == [201, 201, 409]
    assert answers[2].json()["code"] == "full" and answers[2].json()["message"]
    assert missing.status_code == 400 and "volunteer" in missing.json()["fields"]
    assert Shift.objects.get(pk=shift.pk).taken == 2


def test_the_api_keeps_other_areas_and_roles_out(shift, tree):
    outsider = make_user("org-b", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_B)
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)

    assert api_as(outsider).post(f"/api/v1/volunteers/shifts/{shift.pk}/signup/", {"volunteer": 1},
                                 format="json").status_code == 404
    assert api_as(keeper).get("/api/v1/volunteers/shifts/").status_code == 403
    assert APIClient().get("/api/v1/volunteers/shifts/").status_code == 401


@pytest.mark.parametrize("n", [2, 12])
def test_the_volunteer_page_costs_the_same_whatever_the_number_of_shifts(client, organiser, volunteer_user,
                                                                         volunteer, activity, n,
                                                                         django_assert_num_queries):
    for i in range(n):
        s = services.shift_add(actor=organiser, activity=activity, starts_at=tomorrow() + datetime.timedelta(days=i),
                               ends_at=tomorrow(10) + datetime.timedelta(days=i), capacity=3)
        if i % 2:
            services.sign_up(actor=volunteer_user, shift=s, volunteer=volunteer)
    client = signed_in(client, volunteer_user)
    client.get(reverse("volunteers-home"))

    # session, user, roles, unread notifications; the volunteer; its sign-ups; the shifts it can
    # take; its hours; the totals; the activities it records hours for
    with django_assert_num_queries(4 + 1 + 1 + 1 + 1 + 1 + 1):
        page = client.get(reverse("volunteers-home"))
    assert len(page.context["coming"]) + len(page.context["can_take"]) == n
