import datetime

import pytest

from gridgov.care import services
from gridgov.care.services import TeamSpec
from gridgov.core.models import Role
from tests.factories import PersonFactory, Tree, make_resident_id, make_user

START = datetime.date(2026, 11, 2)


@pytest.fixture
def staff(tree):
    return {
        "officer": make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A),
        "doctor": make_user("doctor", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A),
        "gw": make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
        "gw_other": make_user("gw2", Role.GRID_WORKER, scope=Tree.CELL_A2, cells=[Tree.CELL_A2]),
        "officer_b": make_user("officer_b", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_B),
        "city_officer": make_user("city_officer", Role.PROGRAM_OFFICER, scope="9901"),
        "station": make_user("station", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A),
    }


@pytest.fixture
def patient(tree):
    return PersonFactory(name="陈明", resident_id=make_resident_id(birth="19800505", seq=21), org_code=Tree.CELL_A1)


def enroll(staff, person, program="smd", details=None, **kwargs):
    team = kwargs.pop("team", [TeamSpec(role="grid_worker", user=staff["gw"]),
                               TeamSpec(role="doctor", user=staff["doctor"]),
                               TeamSpec(role="family", name="陈母", contact="13800001111")])
    return services.enrollment_create(
        actor=staff["officer"], person=person, program=program, org_code=person.org_code,
        start_date=kwargs.pop("start_date", START), legal_basis=kwargs.pop("legal_basis", "《精神卫生法》第二十四条"),
        team=team, details=details if details is not None else {"risk_level": 0, "classification": "stable"},
        **kwargs,
    )
