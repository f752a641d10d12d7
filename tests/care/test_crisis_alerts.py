"""notify (issue 11): a crisis reaches the team's accounts in the app (the person named as each
may see them, with a link that opens the case) and, by SMS, the family members without an
account whose consent to SMS was recorded — never those without it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from gridgov.care import services
from gridgov.care.models import TeamMember
from gridgov.care.services import TeamSpec
from gridgov.core.exceptions import DomainError
from gridgov.core.models import Delivery, Notification
from tests.care.conftest import enroll

CONSENTING, NOT_CONSENTING = "13800001111", "13800002222"


def _team(staff):
    return [TeamSpec(role="grid_worker", user=staff["gw"]), TeamSpec(role="doctor", user=staff["doctor"]),
            TeamSpec(role="family", name="陈母", contact=CONSENTING, sms_consent=True),
            TeamSpec(role="guardian", name="陈父", contact=NOT_CONSENTING)]


def test_a_crisis_texts_the_consenting_family_member_only(staff, patient, django_capture_on_commit_callbacks,
                                                          capsys):
    enrollment = enroll(staff, patient, team=_team(staff))
    mother = TeamMember.objects.get(enrollment=enrollment, role="family")
    assert mother.sms_consent_at is not None and mother.sms_consent_by == staff["officer"]

    with django_capture_on_commit_callbacks(execute=True):
        crisis = services.crisis_report(actor=staff["gw"], enrollment=enrollment, description="情绪激动",
                                        reported_by="family")

    # the accounts on the team, in the app (CONTRACTS: "alerted" lists usernames)
    assert crisis.alerted == ["doctor", "gw"]
    # one SMS, to the mother who agreed; the demo's console adapter printed it
    sms = Delivery.objects.filter(channel="sms", notification=None).get()
    assert (sms.address, sms.status, sms.kind) == (CONSENTING, "sent", "care_crisis")
    assert sms.text == ""  # sent: the words live with the receiver, not in the delivery row
    printed = capsys.readouterr().out
    assert "陈*" in printed and "陈明" not in printed  # no account, no right to open the record
    assert f"[SMS to {CONSENTING[:3]}******{CONSENTING[-2:]}]" in printed and NOT_CONSENTING not in printed
    assert not Delivery.objects.filter(address_masked="138******22").exists()


def test_the_alert_names_the_person_for_the_team_and_its_link_opens_the_case(staff, patient):
    enrollment = enroll(staff, patient, team=_team(staff))

    with translation.override("en"):
        services.crisis_report(actor=staff["gw"], enrollment=enrollment, description="x", reported_by="family")

    for username in ("gw", "doctor"):
        note = Notification.objects.get(kind="care_crisis", user__username=username)
        assert "陈明" in note.text and "act now" in note.text
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(note.user)
        assert client.get(note.link).status_code == 200


def test_sms_consent_needs_a_mobile_number(staff, patient):
    with translation.override("en"), pytest.raises(DomainError) as error:
        enroll(staff, patient, team=[TeamSpec(role="family", name="陈母", contact="住在隔壁", sms_consent=True)])

    assert "SMS alerts need a mobile number" in error.value.message
