"""Rules that check themselves (issue 11): the linters and the layer contracts run with the
suite, so `make test` and CI fail on a broken rule.

- `ruff check` with the rules of pyproject.toml (`[tool.ruff]`);
- `lint-imports` with the contracts of pyproject.toml (`[tool.importlinter]`): core imports no
  app, events and care never import each other, product code never imports the demo, views
  and APIs above services and selectors above models;
- views and APIs never write the ORM (an AST scan below): they parse, call a service or a
  selector, and render. What must stay is named in `ALLOWED` with its reason.
"""

from __future__ import annotations

import ast
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "gridgov"


def _tool(name: str) -> str:
    path = pathlib.Path(sys.executable).parent / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' (pinned in pyproject.toml)")
    return found


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_passes():
    result = _run(_tool("ruff"), "check", "--no-cache", "--output-format", "concise", "src", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_are_kept():
    result = _run(_tool("lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_import_of_a_gridgov_name_resolves():
    """Also the imports inside functions, which no module import runs: a name one module
    re-exports for another must not vanish (e.g. by `ruff check --fix` removing an import
    it thinks unused; mark such a re-export `# noqa: F401` with its reason)."""
    import importlib

    missing = []
    for path in sorted([*SRC.rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    and node.module.split(".")[0] in {"gridgov", "tests"}):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                if alias.name == "*" or hasattr(module, alias.name):
                    continue
                try:
                    importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}")
    assert missing == []


# --- views and APIs never write the ORM -------------------------------------------------------

# Method names that only the ORM (or a raw cursor) writes with, whatever the receiver.
ORM_WRITES = {"save", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "select_for_update",
              "raw", "execute", "executemany"}
# Method names that write when called on a manager or a queryset (`X.objects…`, `….filter(…)…`),
# or, for `delete()` without arguments, on a model instance.
QUERYSET_WRITES = {"create", "update", "delete"}
QUERYSET_HINTS = (".objects", ".filter(", ".exclude(", ".all(", "_set.", ".select_related(", ".prefetch_related(")

# (module relative to src/gridgov, the call as written) -> why it stays. Nothing else passes.
ALLOWED = {
    ("core/api/idempotency.py", "IdempotencyRecord.objects.create"):
        "the API's replay store (idempotency keys): a response kept with the service's write in one "
        "transaction, so a retried submission is answered, not repeated; no domain data",
    ("core/api/idempotency.py", "transaction.atomic"):
        "the same replay store: the service call and its stored response commit together",
    ("core/api/idempotency.py", "store.save"): "the replay store's own method (above), not a model's",
    ("events/views/common.py", "store.save"): "the replay store (core/api/idempotency.py) for HTML submissions",
    ("events/views/common.py", "transaction.atomic"):
        "the replay store for HTML submissions: the event and its stored response commit together",
}


def interface_modules() -> list[pathlib.Path]:
    """Every view and API module: `<app>/views*`, `<app>/api*` (modules and packages) and
    `*_views.py`."""
    found = []
    for app in sorted(p for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        for path in sorted(app.rglob("*.py")):
            top = path.relative_to(app).parts[0]
            if top.startswith(("views", "api")) or path.name.endswith("_views.py"):
                found.append(path)
    return found


def orm_writes(path: pathlib.Path) -> list[tuple[int, str]]:
    writes = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, ast.unparse(node.func.value)
        writes_orm = (
            method in ORM_WRITES
            or (method in QUERYSET_WRITES and any(hint in f".{receiver}." or hint in f".{receiver}("
                                                  for hint in QUERYSET_HINTS))
            or (method == "delete" and not node.args and not node.keywords)
            or (method == "atomic" and receiver.endswith("transaction"))
        )
        if writes_orm:
            writes.append((node.lineno, f"{receiver}.{method}"))
    return writes


def test_the_scan_sees_the_views_and_apis_of_every_app():
    names = {str(p.relative_to(SRC)) for p in interface_modules()}
    assert {"core/views.py", "core/account_views.py", "care/api/payments.py"} <= names
    assert any(n.startswith("events/views") for n in names) and any(n.startswith("register/") for n in names)


def test_the_scan_finds_a_write(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("def v(request, e):\n    Event.objects.filter(pk=1).update(x=1)\n    e.delete()\n"
                      "    form.save()\n    with transaction.atomic():\n        pass\n    context.update(a=1)\n")
    assert [call for _line, call in orm_writes(sample)] == [
        "Event.objects.filter(pk=1).update", "e.delete", "form.save", "transaction.atomic"]


def test_views_and_apis_never_write_the_orm():
    found = {}
    for path in interface_modules():
        rel = str(path.relative_to(SRC))
        for line, call in orm_writes(path):
            if (rel, call) not in ALLOWED:
                found[f"{rel}:{line}"] = call
    assert found == {}, "views and APIs call a service for every write (or name the exception in ALLOWED)"


def test_every_allowed_exception_is_still_needed():
    present = {(str(p.relative_to(SRC)), call) for p in interface_modules() for _line, call in orm_writes(p)}
    assert set(ALLOWED) - present == set()
