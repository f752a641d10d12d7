"""Every audit action written anywhere in gridgov has a label (no internal code on screen).

The actions are found in the source: each `audit_record(..., action=...)` call (a member
such as `CareAudit.VISIT`, resolved by importing its module) and every registered member of
the apps' `AuditActions` enums (`core.audit_actions`). An action whose enum is not
registered, or a member without a translated label, fails.
"""

import ast
import importlib
import pathlib
import re

from django.utils import translation

from gridgov.core import audit_labels
from gridgov.core.audit_actions import registered_actions

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "gridgov"
ACTION_CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _resolve(module, node, imports: dict[str, str]):
    """The value of `Name.ATTR…` in `module`, or imported inside a function of it."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    obj = getattr(module, node.id, None)
    if obj is None and node.id in imports:
        obj = getattr(importlib.import_module(imports[node.id]), node.id, None)
    for name in reversed(parts):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return str(obj)


def _imports(tree) -> dict[str, str]:
    return {alias.asname or alias.name: node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}


def _values(node):
    if isinstance(node, ast.IfExp):
        return [node.body, node.orelse]
    return [node]


def written_actions() -> dict[str, str]:
    found: dict[str, str] = {code: type(member).__module__ for code, member in registered_actions().items()}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_name = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
        module = None
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and (node.name.endswith("Audit") or node.name.endswith("Action")):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
                            and isinstance(stmt.value.value, str) and ACTION_CODE.match(stmt.value.value)):
                        found[stmt.value.value] = module_name
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                    == "audit_record"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                for value in _values(keyword.value):
                    if isinstance(value, ast.Constant):
                        found[value.value] = module_name
                    elif isinstance(value, ast.Attribute):
                        module = module or importlib.import_module(module_name)
                        code = _resolve(module, value, _imports(tree))
                        assert code is not None, f"cannot resolve the action in {module_name}: {ast.unparse(value)}"
                        found[code] = module_name
    return found


def test_the_scan_finds_the_actions_of_every_app():
    actions = written_actions()
    assert {"care.visit", "event.submit", "register.import", "emergency.grant", "person.open_record"} <= set(actions)


def test_every_action_has_a_label():
    missing = {code: where for code, where in written_actions().items() if audit_labels.known_label(code) is None}
    assert missing == {}


def test_labels_are_translated_and_never_show_a_code():
    with translation.override("zh-hans"):
        shown = {code: audit_labels.action_label(code) for code in written_actions()}
    assert all(label and label != code and "." not in label for code, label in shown.items())


def test_an_unlabelled_action_reads_other_action_not_its_code():
    with translation.override("en"):
        assert audit_labels.action_label("nobody.labelled_this") == "Other action"


def test_object_types_read_as_names():
    with translation.override("en"):
        assert audit_labels.object_type_label("core.person") == "person"
        assert audit_labels.object_type_label("care.enrollment") != "care.enrollment"
        assert audit_labels.object_type_label("care.report") == "care report"
        assert audit_labels.object_type_label("no.such") == "Other record"
