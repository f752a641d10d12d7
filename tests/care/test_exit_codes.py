"""How an enrollment ended is kept as a code (`care.models.EnrollmentEnd`) and read in the
reader's language; only the officer's exit keeps words of its own. The data migration turns the
texts stored before (English or Chinese) into those codes."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from gridgov.care import selectors, services
from gridgov.care.models import Enrollment, EnrollmentEnd
from gridgov.care.workflow import EnrollmentAction
from gridgov.core.actors import SystemActor
from tests.care.conftest import enroll
from tests.factories import PersonFactory, Tree, make_resident_id

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 11, 20)


def _person(seq: int):
    return PersonFactory(org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="19800505", seq=seq))


def test_the_officers_exit_keeps_its_words_and_its_code(staff, patient):
    enrollment = services.enrollment_exit(actor=staff["officer"], enrollment=enroll(staff, patient), on=ON,
                                          reason="迁出本市")

    assert (enrollment.exit_code, enrollment.exit_reason) == (EnrollmentEnd.EXIT, "迁出本市")
    assert selectors.exit_reason_text(enrollment) == "迁出本市"


def test_the_other_ways_of_leaving_are_codes_read_in_the_readers_language(staff, patient):
    # given an enrollment ended by a merge of duplicate records, whatever language was active
    with translation.override("zh-hans"):
        services.enrollment_exit(actor=SystemActor("merge"), enrollment=enroll(staff, patient), on=ON,
                                 action=EnrollmentAction.DUPLICATE_MERGED)
    enrollment = Enrollment.objects.get(person=patient)

    # then it stores the code and no text, and each reader reads it in their own language
    assert (enrollment.exit_code, enrollment.exit_reason) == ("duplicate_merged", "")
    with translation.override("en"):
        assert selectors.exit_reason_text(enrollment) == "Duplicate record merged"
    with translation.override("zh-hans"):
        assert selectors.exit_reason_text(enrollment) == "重复记录已合并"


def test_an_exit_without_words_is_refused_only_for_the_officer(staff, patient):
    from gridgov.core.exceptions import DomainError

    enrollment = enroll(staff, patient)
    with pytest.raises(DomainError) as error:
        services.enrollment_exit(actor=staff["officer"], enrollment=enrollment, on=ON, reason="  ")
    assert "reason" in error.value.fields
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.ACTIVE


def test_the_migration_turns_the_old_texts_into_codes_in_either_language(staff, patient):
    migration = importlib.import_module("gridgov.care.migrations.0006_enrollment_exit_code")
    old = {
        "Consent withdrawn": ("consent_withdrawn", ""), "撤回同意": ("consent_withdrawn", ""),
        "Duplicate record merged": ("duplicate_merged", ""), "重复记录已合并": ("duplicate_merged", ""),
        "Died": ("died", ""), "死亡": ("died", ""),
        "Reached the age of 18.": ("age_limit", ""), "已满25周岁。": ("age_limit", ""),
        "迁出本市": ("exit", "迁出本市"),
    }
    ended = {}
    for seq, text in enumerate(old, start=31):
        enrollment = enroll(staff, _person(seq))
        Enrollment.objects.filter(pk=enrollment.pk).update(status="exited", end_date=ON, exit_reason=text,
                                                           exit_code="")
        ended[text] = enrollment.pk
    active = enroll(staff, patient)

    migration.texts_to_codes(apps, None)

    for text, expected in old.items():
        row = Enrollment.objects.get(pk=ended[text])
        assert (row.exit_code, row.exit_reason) == expected, text
    assert Enrollment.objects.get(pk=active.pk).exit_code == ""

    migration.codes_to_texts(apps, None)
    assert Enrollment.objects.get(pk=ended["撤回同意"]).exit_reason == "Consent withdrawn"
    assert Enrollment.objects.get(pk=ended["迁出本市"]).exit_reason == "迁出本市"


def test_the_page_and_the_api_read_the_code_in_the_readers_language(staff, patient):
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from tests.factories import make_api_token

    enrollment = enroll(staff, patient)
    services.enrollment_exit(actor=SystemActor("merge"), enrollment=enrollment, on=ON,
                             action=EnrollmentAction.DUPLICATE_MERGED)

    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(staff['officer'])}")
    assert api.get(f"/api/v1/enrollments/{enrollment.pk}/?purpose=home_visit").json()["exit_reason"] == "重复记录已合并"

    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff["officer"])
    response = page.get(reverse("care-enrollment", args=[enrollment.pk]))
    assert response.status_code == 200 and response.context["exit_reason"] == "Duplicate record merged"
