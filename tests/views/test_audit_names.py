"""Names, not codes (issue 11): an auditor reads the audit log and the emergency-access
reviews in words — the actor's display name, the action's label, the place's name path, the
record's kind and its masked name — and never an internal code on the page."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.core import audit_actions
from gridgov.core.actors import SystemActor
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.models import EmergencyGrant, Role
from gridgov.core.services import person_open_record, person_update
from tests.factories import Tree, make_user


class _Text(HTMLParser):
    """The text a person reads on the page: no tags, no attributes, no scripts."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "select", "template"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "select", "template"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def shown_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


@pytest.fixture
def client_for(db):
    from rest_framework.test import APIClient

    from tests.factories import make_api_token

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
        return client

    return make


@pytest.fixture
def worker(tree):
    return make_user("gw_li", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格员")


@pytest.fixture
def entries(worker, resident):
    person_open_record(actor=worker, person=resident, purpose="home_visit")
    person_update(actor=worker, person=resident, phone="13800001111")
    audit_record(actor=SystemActor("nightly"), action=AuditAction.PERSON_CREATE, org_code=Tree.TOWNSHIP_A,
                 object_type="core.orgunit", object_id=Tree.TOWNSHIP_A, object_repr="镇1")
    return resident


def _codes_in(text: str) -> list[str]:
    """Internal codes that must not be read: action codes, model labels, org-unit codes."""
    found = [code for code in audit_actions.registered_actions() if code in text]
    found += re.findall(r"\b(?:core|events|care|register)\.[a-z_]+\b", text)
    found += re.findall(r"(?<![0-9])99[0-9]{2,13}(?![0-9])", text)
    return found


def test_the_audit_log_names_actor_action_record_and_place(login, auditor, entries):
    response = login(auditor).get(reverse("audit-search"))

    text = shown_text(response)
    assert response.status_code == 200
    assert "李网格员" in text  # the actor by display name
    assert "县1 › 镇1 › 村1 › 网格1" in text and "县1 › 镇1" in text  # places by name path
    assert "王**" in text and "王小明" not in text  # the person named, masked
    assert str(audit_actions.label_of("person.open_record")) in text
    assert _codes_in(text) == []
    assert "gw_li" not in text


def test_the_auditors_home_page_names_the_latest_entries(login, auditor, entries):
    text = shown_text(login(auditor).get(reverse("home")))

    assert "李网格员" in text and "县1 › 镇1 › 村1 › 网格1" in text
    assert _codes_in(text) == []


def test_the_emergency_reviews_name_the_user_and_the_place(login, auditor, resident, tree):
    doctor = make_user("doc_zhang", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B, display_name="张医生")
    now = timezone.now()
    EmergencyGrant.objects.create(user=doctor, person=resident, org_code=resident.org_code,
                                  reason="medical_emergency", note="昏倒在路边", granted_at=now,
                                  expires_at=now + datetime.timedelta(hours=2))

    text = shown_text(login(auditor).get(reverse("emergency-reviews")))

    assert "张医生" in text and "县1 › 镇1 › 村1 › 网格1" in text and "王**" in text
    assert "doc_zhang" not in text and _codes_in(text) == []


def test_the_api_keeps_the_codes_and_adds_the_words(client_for, auditor, entries):
    rows = client_for(auditor).get("/api/v1/audit/").json()["results"]

    by_action = {row["action"]: row for row in rows}
    opened = by_action["person.open_record"]
    assert opened["actor"] == "gw_li" and opened["actor_label"] == "李网格员"
    assert opened["org_code"] == Tree.CELL_A1 and opened["org_name"] == "县1 › 镇1 › 村1 › 网格1"
    system = next(row for row in rows if row["actor"] == "system")
    assert system["actor_label"] == "System" and system["org_name"] == "县1 › 镇1"
