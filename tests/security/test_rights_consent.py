"""Consent withdrawal (PIPL art. 15): processing that rests on consent alone ends; an
enrollment that also has a legal basis goes on, on that basis only."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from gridgov.care import daily, selectors, services
from gridgov.care.models import ConsentWithdrawal, Enrollment, Visit
from gridgov.core.audit import AuditAction
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import AuditEntry, Notification
from tests.care.conftest import enroll, patient, staff  # noqa: F401

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=40)


@pytest.fixture
def consent_only(staff, patient):
    """An elderly person living alone, cared for on their consent alone, with one visit."""
    enrollment = enroll(staff, patient, program="elderly", details={"living_alone": True}, legal_basis="",
                        consent=True, start_date=START)
    services.visit_record(actor=staff["gw"], enrollment=enrollment, date=START + datetime.timedelta(days=1),
                          form="home", notes="独居，腿脚不便")
    return enrollment


@pytest.fixture
def with_legal_basis(staff, patient):
    return enroll(staff, patient, consent=True, start_date=START)


def withdraw(staff, enrollment, **kwargs):
    return services.enrollment_withdraw_consent(
        actor=kwargs.pop("actor", staff["officer"]), enrollment=enrollment,
        withdrawn_on=kwargs.pop("withdrawn_on", TODAY), channel=kwargs.pop("channel", "in_writing"), **kwargs)


def test_consent_alone_withdrawn_ends_the_enrollment(staff, consent_only):
    # The reason is stored in the language of the request; fix it so the test does not
    # depend on which language an earlier test left active.
    with translation.override("en"):
        withdrawal = withdraw(staff, consent_only, note="本人书面撤回")
    enrollment = Enrollment.objects.get(pk=consent_only.pk)
    assert withdrawal.outcome == ConsentWithdrawal.Outcome.EXITED
    assert enrollment.status == Enrollment.Status.EXITED and enrollment.exit_code == "consent_withdrawn"
    with translation.override("en"):  # kept as a code, read in the reader's language
        assert selectors.exit_reason_text(enrollment) == "Consent withdrawn"
    assert enrollment.next_due_date is None  # no more schedule
    assert enrollment.retention_until == TODAY  # the nightly run anonymises it after today
    entry = AuditEntry.objects.get(action=AuditAction.CONSENT_WITHDRAW)
    assert entry.person_id == enrollment.person_id
    assert json.loads(entry.changes)["outcome"] == "exited" and "本人" not in entry.changes


def test_a_withdrawn_case_leaves_the_map_and_workbenches_and_alerts_nobody(staff, consent_only):
    withdraw(staff, consent_only)
    assert not selectors.care_today_queryset(staff["officer"]).filter(pk=consent_only.pk).exists()
    assert not selectors.enrollments_visible_to(staff["gw"]).filter(pk=consent_only.pk).exists()
    assert not selectors.overdue_enrollments(staff["officer"], TODAY + datetime.timedelta(days=400)).filter(
        pk=consent_only.pk).exists()
    before = Notification.objects.count()
    daily.overdue_alert(TODAY + datetime.timedelta(days=400))
    with pytest.raises(DomainError) as raised:
        services.crisis_report(actor=staff["gw"], enrollment=Enrollment.objects.get(pk=consent_only.pk),
                               description="摔倒", reported_by="family")
    assert raised.value.code == ErrorCode.CONFLICT
    assert Notification.objects.count() == before


def test_the_team_is_told_once_that_the_case_ended(staff, consent_only):
    withdraw(staff, consent_only)
    assert Notification.objects.filter(user=staff["gw"], kind="care_exit").count() == 1


def test_the_nightly_run_anonymises_it_after_the_withdrawal_date(staff, consent_only, capsys):
    withdraw(staff, consent_only)
    assert daily.anonymise_past_retention(TODAY)  == 0  # not on the day itself
    assert daily.anonymise_past_retention(TODAY + datetime.timedelta(days=1)) == 1
    enrollment = Enrollment.objects.get(pk=consent_only.pk)
    assert enrollment.anonymised_at is not None and enrollment.details == {}
    assert Visit.objects.get(enrollment=enrollment).notes == ""
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_with_a_legal_basis_the_enrollment_continues_on_that_basis(staff, with_legal_basis):
    due = with_legal_basis.next_due_date
    withdrawal = withdraw(staff, with_legal_basis, channel="guardian")
    enrollment = Enrollment.objects.get(pk=with_legal_basis.pk)
    assert withdrawal.outcome == ConsentWithdrawal.Outcome.LEGAL_BASIS
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.next_due_date == due
    assert enrollment.consent is False and enrollment.legal_basis
    assert enrollment.retention_until == with_legal_basis.retention_until


def test_withdrawing_twice_or_without_consent_is_a_conflict(staff, patient, with_legal_basis):
    withdraw(staff, with_legal_basis)
    with pytest.raises(DomainError) as raised:
        withdraw(staff, with_legal_basis)
    assert raised.value.code == ErrorCode.CONFLICT
    no_consent = enroll(staff, patient, program="reentry", details={}, consent=False, start_date=START)
    with pytest.raises(DomainError) as raised:
        withdraw(staff, no_consent)
    assert raised.value.code == ErrorCode.CONFLICT


def test_only_the_program_officer_of_the_area_records_it(staff, consent_only):
    for actor, code in ((staff["gw"], ErrorCode.PERMISSION_DENIED), (staff["doctor"], ErrorCode.PERMISSION_DENIED),
                        (staff["officer_b"], ErrorCode.NOT_FOUND)):
        with pytest.raises(DomainError) as raised:
            withdraw(staff, consent_only, actor=actor)
        assert raised.value.code == code
    assert Enrollment.objects.get(pk=consent_only.pk).status == Enrollment.Status.ACTIVE


def test_a_date_in_the_future_or_before_the_start_is_refused(staff, consent_only):
    for day in (TODAY + datetime.timedelta(days=1), START - datetime.timedelta(days=1)):
        with pytest.raises(DomainError) as raised:
            withdraw(staff, consent_only, withdrawn_on=day)
        assert "withdrawn_on" in raised.value.fields
    assert not ConsentWithdrawal.objects.exists()


def test_api_withdraw_consent(staff, consent_only):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(staff["doctor"])
    url = f"/api/v1/enrollments/{consent_only.pk}/withdraw-consent/"
    assert client.post(url, {"channel": "phone"}, format="json").status_code == 403
    client.force_authenticate(staff["officer"])
    bad = client.post(url, {"channel": "telepathy"}, format="json")
    assert bad.status_code == 400 and "channel" in bad.json()["fields"]
    response = client.post(url, {"channel": "phone", "note": "电话撤回"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"enrollment": consent_only.pk, "withdrawn_on": TODAY.isoformat(), "channel": "phone",
                               "outcome": "exited", "status": "exited", "retention_until": TODAY.isoformat()}
    assert client.post(url, {"channel": "phone"}, format="json").status_code == 409


def test_page_records_it_and_the_enrollment_page_shows_it(staff, consent_only):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff["officer"])
    client.post(reverse("care-enrollment-open", args=[consent_only.pk]), {"reason": "care_follow_up"})
    page = client.get(reverse("care-enrollment", args=[consent_only.pk]))
    assert reverse("care-withdraw-consent", args=[consent_only.pk]).encode() in page.content
    response = client.post(reverse("care-withdraw-consent", args=[consent_only.pk]),
                           {"consent-withdrawn_on": TODAY.isoformat(), "consent-channel": "in_person"})
    assert response.status_code == 302
    page = client.get(reverse("care-enrollment", args=[consent_only.pk]))
    assert b"data-consent-withdrawn" in page.content and b"In person" in page.content


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_record_one_and_the_rest_get_409(staff, patient):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs parallel transactions (PostgreSQL)")
    from tests.security.races import assert_error_shape, run_together

    enrollment = enroll(staff, patient, program="elderly", details={"living_alone": True}, legal_basis="",
                        consent=True, start_date=START)

    def attempt(_i):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(staff["officer"])
        return client.post(f"/api/v1/enrollments/{enrollment.pk}/withdraw-consent/", {"channel": "phone"},
                           format="json")

    responses = run_together(6, attempt)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 5
    for response in responses:
        if response.status_code == 409:
            assert_error_shape(response, 409)
    assert ConsentWithdrawal.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.CONSENT_WITHDRAW).count() == 1
