"""Security review of issue 11: a family file (一户一档) is part of the children's care records.

Opening a child's full record asks for a purpose and writes an access-log row (DESIGN,
People); the family file shows the children by name, the family's needs and the note, so it
is opened the same way: on the page, once a child's record was opened with a purpose in this
session (else the child's page asks for one); over the API with `?purpose=`, logged for each
child it names.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.care import children, services
from gridgov.care.audit_actions import CareAudit
from gridgov.core.models import AuditEntry, Role
from tests.factories import PersonFactory, Tree, make_api_token, make_resident_id, make_user

pytestmark = pytest.mark.django_db

NOTE = "父母在外务工，祖母年迈多病"


@pytest.fixture
def family(tree):
    from gridgov.register import services as register_services
    from gridgov.register.models import Relation, ResidenceType

    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    doctor = make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A)
    screener = make_user("scr", Role.SCREENER, scope=Tree.VILLAGE_A)
    building = register_services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                                  use="residential")
    kid = PersonFactory(name="陈小明", org_code=Tree.CELL_A1, resident_id=make_resident_id(birth="20150101", seq=43))
    household = register_services.household_create(actor=screener, building=building, members=[
        register_services.MemberSpec(kid, Relation.HEAD, ResidenceType.REGISTERED_HERE)])
    enrollment = services.enrollment_create(
        actor=officer, person=kid, program="child", org_code=Tree.CELL_A1,
        start_date=timezone.localdate() - datetime.timedelta(days=5), legal_basis="《未成年人保护法》",
        details={"key_child": True, "situation": "left_behind"})
    family_file = children.family_file_update(actor=officer, household_id=household.pk, needs=["health"], note=NOTE)
    return {"doctor": doctor, "enrollment": enrollment, "file": family_file}


def test_the_family_file_page_asks_for_a_purpose_first(family):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(family["doctor"])
    url = reverse("care-family-file", args=[family["file"].pk])

    first = client.get(url)
    assert NOTE not in first.content.decode() and "陈小明" not in first.content.decode()
    assert first.status_code == 302
    assert first["Location"] == reverse("care-enrollment", args=[family["enrollment"].pk])

    client.post(reverse("care-enrollment-open", args=[family["enrollment"].pk]), {"reason": "care_follow_up"})
    assert NOTE in client.get(url).content.decode()


def test_the_family_file_api_needs_a_purpose_and_logs_the_opening(family):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(family['doctor'])}")
    url = f"/api/v1/family-files/{family['file'].pk}/"

    refused = api.get(url)
    assert refused.status_code == 400 and NOTE not in refused.content.decode()

    opened = api.get(url, {"purpose": "care_follow_up"})
    assert opened.status_code == 200 and opened.json()["note"] == NOTE
    assert AuditEntry.objects.filter(action=CareAudit.OPEN_RECORD, actor_username="doctor",
                                     object_id=str(family["enrollment"].pk)).exists()
