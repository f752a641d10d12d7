"""Security review of issue 11: what core.notifications tells whom.

- Above the county, users see statistics about people in care, never named people: the
  emergency-access notice that issue 11 now words with the person's name (as each receiver
  may see them) goes to every program officer whose area covers the person, the city's too;
  the city's officer must read the name masked.
- A sentence already worded by the caller (no params) may carry what a user typed (a return
  reason, an auditor's note): it is sent as it is, never read as a format string.
"""

import pytest

from gridgov.core.emergency import emergency_access_open
from gridgov.core.models import Notification, Role
from gridgov.core.notifications import notify
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

pytestmark = pytest.mark.django_db

PATIENT_ID = make_resident_id(birth="19800505", seq=431)


@pytest.fixture
def people(tree):
    return {
        "patient": PersonFactory(name="陈明", resident_id=PATIENT_ID, org_code=Tree.CELL_A1),
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "city_officer": make_user("city_officer", Role.PROGRAM_OFFICER, scope="9901"),
        "doctor_b": make_user("doctor_b", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B),
    }


def test_the_emergency_notice_names_the_person_masked_above_the_county(people):
    emergency_access_open(actor=people["doctor_b"], resident_id=PATIENT_ID, reason="medical_emergency",
                          note="病人在外地街头发病，需要联系其家属和主治医生")

    county = Notification.objects.get(user=people["officer"], kind="emergency_access")
    city = Notification.objects.get(user=people["city_officer"], kind="emergency_access")
    assert "陈明" in county.text
    assert "陈明" not in city.text and "陈*" in city.text


def test_a_worded_sentence_with_what_a_user_typed_is_sent_as_it_is(people):
    text = "Event 990101-20261201-0001 was returned by 市场监管所: %(person)s 已处理 100% d"

    notify(recipients=[people["officer"]], kind="returned", text=text, person_name="陈明",
           org_code=Tree.CELL_A1)

    assert Notification.objects.get(user=people["officer"]).text == text


def test_the_needs_a_visit_found_are_told_only_to_those_who_see_the_details(tree):
    """A visit's needs are masked for a grid worker (`needs: null` in the API): the team's
    alert names them only to members who see the details."""
    import datetime

    from gridgov.care import services
    from tests.care.conftest import enroll

    staff = {"officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
             "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
             "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])}
    enrollment = enroll(staff, PersonFactory(org_code=Tree.CELL_A1), start_date=datetime.date.today()
                        - datetime.timedelta(days=20))

    services.visit_record(actor=staff["doctor"], enrollment=enrollment, date=datetime.date.today(), form="home",
                          needs=["treatment"], details={"risk_level": 0, "classification": "stable"})

    told = {n.user.username: n.text for n in Notification.objects.filter(kind="care_needs")}
    assert set(told) == {"doctor", "gw"}
    assert "Treatment" in told["doctor"] or "治疗" in told["doctor"]
    assert "Treatment" not in told["gw"] and "治疗" not in told["gw"]
