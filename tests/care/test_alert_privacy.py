"""What care alerts may carry and to whom (review of issue 11): never one person's case to an
officer above the county; e-mail and SMS name the person masked; what notifications said
about a case goes when the case is anonymised; the demo's generator texts nobody."""

import datetime

from django.core import mail
from django.utils import timezone

from gridgov.care import services
from gridgov.care.daily import anonymise_past_retention
from gridgov.core.models_notifications import Delivery, Notification, NotificationPreference
from tests.care.conftest import enroll
from tests.factories import Tree


def test_an_officer_above_the_county_hears_of_no_single_case(staff, patient):
    enrollment = enroll(staff, patient)

    services.handover_create(actor=staff["officer"], enrollment=enrollment, to_org_code=Tree.CELL_A2,
                             due_date=timezone.localdate() + datetime.timedelta(days=3), reason="move")

    told = set(Notification.objects.filter(kind="care_handover").values_list("user__username", flat=True))
    assert "officer" in told and "city_officer" not in told


def test_the_e_mail_names_the_person_masked_while_the_app_names_them_in_full(staff, patient,
                                                                             django_capture_on_commit_callbacks):
    doctor = staff["doctor"]
    doctor.email = "doctor@example.org"
    doctor.save(update_fields=["email"])
    NotificationPreference.objects.create(user=doctor, kind="care_crisis", channel="email", enabled=True)
    enrollment = enroll(staff, patient)

    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_report(actor=staff["gw"], enrollment=enrollment, description="x", reported_by="family")

    assert "陈明" in Notification.objects.get(kind="care_crisis", user=doctor).text
    sent = [m for m in mail.outbox if "doctor@example.org" in m.to]
    assert sent and all("陈明" not in m.body and "陈*" in m.body for m in sent)


def test_an_anonymised_case_takes_what_the_notifications_said_with_it(staff, patient):
    enrollment = enroll(staff, patient)
    services.crisis_report(actor=staff["gw"], enrollment=enrollment, description="x", reported_by="family")
    assert Notification.objects.filter(subject_type="care.enrollment", subject_id=enrollment.pk,
                                       text__contains="陈明").exists()
    services.enrollment_exit(actor=staff["officer"], enrollment=enrollment, on=timezone.localdate(), reason="moved")
    type(enrollment).objects.filter(pk=enrollment.pk).update(retention_until=timezone.localdate()
                                                             - datetime.timedelta(days=1))

    assert anonymise_past_retention(timezone.localdate()) == 1

    texts = Notification.objects.filter(subject_type="care.enrollment", subject_id=enrollment.pk)
    assert texts.exists() and not texts.filter(text__contains="陈").exists()
    assert not Delivery.objects.filter(notification__in=texts).exclude(text="").exists()


def test_the_demo_generator_sends_no_sms_or_e_mail(db, django_capture_on_commit_callbacks):
    from gridgov.demo.generator import seed_demo

    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(scale="town", password="demo-pass-123", seed=3)

    # the demo's crises alert the teams in the app; the made-up family numbers get nothing
    assert Notification.objects.filter(kind="care_crisis").exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []
