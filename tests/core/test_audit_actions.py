"""One audit vocabulary: every action is a member of a registered `AuditActions` enum, with a
translated label; `audit_record` refuses anything else, and system work names itself."""

import ast
import importlib
import pathlib

import pytest
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from gridgov.core import audit_actions, audit_labels
from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.audit_actions import AuditAction, AuditActions, register_audit_actions
from gridgov.core.models import AuditEntry
from tests.factories import make_user

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "gridgov"


def _declared_enums() -> list[type[AuditActions]]:
    """Every AuditActions subclass declared in gridgov's source."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)
                 and any(ast.unparse(base).endswith("AuditActions") for base in node.bases)]
        if names:
            module = importlib.import_module(".".join(path.relative_to(SRC.parent).with_suffix("").parts))
            found += [getattr(module, name) for name in names]
    return found


def test_every_declared_enum_is_registered_and_every_member_labelled():
    enums = _declared_enums()
    assert {e.__name__ for e in enums} >= {"AuditAction", "EventAudit", "CareAudit", "RegisterAction"}
    registered = audit_actions.registered_actions()
    for enum in enums:
        for member in enum:
            assert registered.get(member.value) is member, f"{enum.__name__}.{member.name} is not registered"
            assert isinstance(member.label, Promise), f"{enum.__name__}.{member.name} has no translated label"


def test_every_audit_record_call_passes_a_member_never_a_string():
    strings = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "audit_record":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        values = [keyword.value.body, keyword.value.orelse] if isinstance(keyword.value, ast.IfExp) else [keyword.value]
                        strings += [f"{path.relative_to(SRC)}:{node.lineno}" for v in values
                                    if isinstance(v, (ast.Constant, ast.JoinedStr, ast.BinOp))]
    assert strings == []


def test_a_member_without_a_label_cannot_be_registered():
    class Unlabelled(AuditActions):
        THING = "test.unlabelled"

    with pytest.raises(Exception, match="no translated label"):
        register_audit_actions(Unlabelled)


def test_one_code_belongs_to_one_member():
    class Twice(AuditActions):
        AGAIN = "care.visit", gettext_lazy("Visit recorded again")

    with pytest.raises(Exception, match="declared twice"):
        register_audit_actions(Twice)


@pytest.mark.django_db
def test_audit_record_refuses_a_plain_string():
    user = make_user("auditee", "admin")
    with pytest.raises(TypeError):
        audit_record(actor=user, action="person.update", object_type="core.person")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_audit_record_refuses_an_unregistered_enum_and_other_choices():
    class NotRegistered(AuditActions):
        THING = "test.not_registered", gettext_lazy("Not registered")

    class Plain(models.TextChoices):
        THING = "person.update", "Person changed"

    user = make_user("auditee", "admin")
    for action in (NotRegistered.THING, Plain.THING):
        with pytest.raises(TypeError):
            audit_record(actor=user, action=action, object_type="core.person")
    assert AuditEntry.objects.count() == 0


@pytest.mark.django_db
def test_audit_record_refuses_a_missing_actor_and_names_the_system():
    with pytest.raises(TypeError):
        audit_record(actor=None, action=AuditAction.DEMO_SEED, object_type="demo")
    entry = audit_record(actor=SystemActor("test"), action=AuditAction.DEMO_SEED, object_type="demo")
    assert (entry.actor_id, entry.actor_username, entry.action) == (None, "system", "demo.seed")


def test_a_retired_code_reads_other_action_and_labels_come_from_the_members():
    with translation.override("en"):
        assert audit_labels.action_label("care.retired_long_ago") == "Other action"
        assert audit_labels.action_label("care.visit") == "Visit recorded"
        assert dict(audit_labels.action_choices())["event.config"] == "Event settings changed"


@pytest.mark.django_db
def test_the_audit_page_shows_an_apps_action_in_words_never_its_code(tree):
    from django.test import Client
    from django.urls import reverse

    from gridgov.core.models import Role
    from gridgov.events.audit_actions import EventAudit

    audit_record(actor=SystemActor("test"), action=EventAudit.CONFIG, object_type="events.category")
    client = Client()
    client.force_login(make_user("aud", Role.AUDITOR, scope="99"))
    with translation.override("zh-hans"):
        page = client.get(reverse("audit-search"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # the filter's option and the entry's row; the code only as the option's value, never as text
    assert page.count("修改事件配置") >= 2 and ">event.config<" not in page
    assert page.replace('value="event.config"', "").count("event.config") == 0
