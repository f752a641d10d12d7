"""Finding 13, "purposes chosen from a list with an optional note" (issue 10): opening a
person's full record takes a purpose from the closed list in `core.purposes` (free text is
refused), "other" needs a note, the audit entry keeps the code and the note, and the
auditor reads the purpose's label, never the code."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridgov.core import purposes
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import AuditEntry
from gridgov.core.services import person_open_record
from tests.security.purposes_fixtures import _fresh_cache, api, page, resident, staff  # noqa: F401


def open_url(person) -> str:
    return f"/api/v1/people/{person.pk}/open/"


@pytest.mark.parametrize("body, field", [
    ({"purpose": "入户走访核实联系方式"}, "purpose"),  # the free text of before: not on the list
    ({"purpose": "curiosity"}, "purpose"),
    ({"purpose": "other", "note": "   "}, "note"),
    ({"purpose": "official_request"}, "note"),  # which request, from whom
    ({"purpose": "home_visit", "note": "长" * (purposes.MAX_NOTE_LENGTH + 1)}, "note"),
])
def test_only_a_listed_purpose_with_the_notes_it_needs_opens_the_record(api, resident, body, field):
    response = api["gw"].post(open_url(resident), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert resident.resident_id not in response.content.decode()
    assert not AuditEntry.objects.filter(action="person.open_record").exists()


def test_the_audit_entry_keeps_the_code_and_the_note_and_the_auditor_sees_the_label(api, page, resident):
    response = api["gw"].post(open_url(resident), {"purpose": "other", "note": "协助派出所核实走失老人身份"},
                              format="json")

    assert response.status_code == 200 and response.json()["resident_id"] == resident.resident_id
    entry = AuditEntry.objects.get(action="person.open_record")
    assert entry.purpose == "other: 协助派出所核实走失老人身份"
    listed = api["auditor"].get("/api/v1/audit/", {"action": "person.open_record"}).json()["results"]
    assert listed[0]["purpose_label"] == "Other (describe it in the note) — 协助派出所核实走失老人身份"
    audit_page = page["auditor"].get(reverse("audit-search"), {"action": "person.open_record"}).content.decode()
    assert "协助派出所核实走失老人身份" in audit_page
    assert "other: " not in audit_page


def test_the_page_offers_the_list_and_logs_the_choice(page, resident):
    client = page["gw"]
    form = client.get(reverse("person-detail", args=[resident.pk])).content.decode()
    for purpose in purposes.Purpose:
        assert f'value="{purpose.value}"' in form

    refused = client.post(reverse("person-open-record", args=[resident.pk]), {"reason": "other"},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "This purpose needs a note saying what it is." in refused.content.decode()

    opened = client.post(reverse("person-open-record", args=[resident.pk]),
                         {"reason": "crisis_response", "details": ""}, HTTP_HX_REQUEST="true")
    assert opened.status_code == 200 and resident.resident_id in opened.content.decode()
    assert "Opened for: Crisis response." in opened.content.decode()
    assert AuditEntry.objects.get(action="person.open_record").purpose == "crisis_response"


def test_the_service_refuses_free_text(staff, resident):
    with pytest.raises(DomainError) as error:
        person_open_record(actor=staff["gw"], person=resident, purpose="入户走访")

    assert error.value.code == ErrorCode.PURPOSE_REQUIRED
    assert not AuditEntry.objects.exists()


def test_entries_from_before_the_list_read_as_they_were_written():
    from django.utils import translation

    with translation.override("en"):
        assert purposes.label_of("入户走访 — 核实地址") == "入户走访 — 核实地址"
        assert purposes.label_of("home_visit: 核实地址") == "Home visit — 核实地址"
        assert purposes.label_of("") == ""
