"""The record of processing activities (PIPL arts. 51, 54–55; issue 10): a page and an API
for the data protection officer (auditors and city administrators, no one else), generated
from the code where it can be (roles from the capabilities, encrypted fields from the models,
the programs, the purposes), in names, never codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridgov.care.programs import SENSITIVE_PROGRAMS, Program
from gridgov.core import processing
from gridgov.core.models import Role
from gridgov.core.permissions import ROLE_CAPABILITIES, Capability
from gridgov.core.purposes import Purpose
from tests.security.purposes_fixtures import _fresh_cache, api, page, staff  # noqa: F401

API = "/api/v1/processing-record/"


@pytest.mark.parametrize("name", ["auditor", "city_admin"])
def test_auditors_and_the_city_admin_read_the_record(api, page, name):
    assert api[name].get(API).status_code == 200
    assert page[name].get(reverse("processing-record")).status_code == 200


@pytest.mark.parametrize("name", ["gw", "officer", "dispatcher", "doctor"])
def test_no_other_role_reads_it(api, page, name):
    assert api[name].get(API).status_code == 403
    assert page[name].get(reverse("processing-record")).status_code == 403


def test_every_program_is_listed_with_its_legal_basis_and_the_sensitive_ones_marked(api):
    care = next(a for a in api["auditor"].get(API).json()["activities"] if a["key"] == "care")

    assert [p["name"] for p in care["programs"]] == [str(p.label) for p in Program]
    assert all(p["legal_basis"] for p in care["programs"])
    assert {p["name"] for p in care["programs"] if p["sensitive"]} == {str(Program(p).label) for p in SENSITIVE_PROGRAMS}
    assert "5 years" in care["retention"]


def test_who_can_access_follows_the_capabilities(api):
    people = next(a for a in api["auditor"].get(API).json()["activities"] if a["key"] == "people")
    opening = next(a for a in people["access"] if a["can"] == str(processing.CAPABILITY_LABELS[
        Capability.OPEN_PERSON_RECORD]))

    holders = {str(Role(r).label) for r, caps in ROLE_CAPABILITIES.items() if Capability.OPEN_PERSON_RECORD in caps}
    assert set(opening["roles"]) == holders
    assert str(Role.DISPATCHER.label) not in opening["roles"]
    # the encrypted fields are read off the models
    fields = {f for e in people["encrypted"] for f in e["fields"]}
    assert {"resident ID number", "mobile phone", "address"} <= fields
    assert any(c["sensitive"] and "resident ID" in c["label"] for c in people["categories"])


def test_the_page_shows_names_never_codes(page):
    content = page["auditor"].get(reverse("processing-record")).content.decode()

    for code in ("community_corrections", "drug_rehab", "view_care_details", "open_person_record", "program_officer",
                 "own_request", "home_visit"):
        assert code not in content
    assert str(Program.COMMUNITY_CORRECTIONS.label) in content
    assert str(Role.PROGRAM_OFFICER.label) in content
    assert str(Purpose.OWN_REQUEST.label) in content.replace("&#x27;", "'")


def test_every_declared_capability_has_a_label_and_a_holder():
    for activity in processing.ACTIVITIES:
        for capability in activity.capabilities:
            assert capability in processing.CAPABILITY_LABELS, capability
            assert any(capability in caps for caps in ROLE_CAPABILITIES.values()), capability
    for code in Program.values:
        care = next(a for a in processing.ACTIVITIES if a.key == "care")
        assert code in care.legal_basis_by_program, f"program {code} has no declared legal basis"


def test_retention_follows_the_settings(api, settings):
    settings.GRIDGOV_REGISTER_RETENTION_YEARS = {"moved_out": 7, "died": 9, "dissolved": 4}

    register = next(a for a in api["city_admin"].get(API).json()["activities"] if a["key"] == "register")

    assert "7 years after the person last lived" in register["retention"] and "9 years" in register["retention"]
