"""The zh_Hans catalog is complete, compiled, and matches the source code's strings."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

import gridgov

PACKAGE_DIR = Path(gridgov.__file__).resolve().parent
PO_FILE = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

needs_gettext = pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")


def _msgids(po_text: str) -> set[tuple[str, str]]:
    """(msgctxt, msgid) pairs of every entry of a .po file, header excluded."""
    entries = set()
    context, current, field = "", None, None
    for line in po_text.splitlines() + [""]:
        if line.startswith("msgctxt "):
            context, field = line[8:].strip('"'), "ctx"
        elif line.startswith("msgid "):
            current, field = line[6:].strip('"'), "id"
        elif line.startswith('"') and field == "id":
            current += line.strip('"')
        elif line.startswith('"') and field == "ctx":
            context += line.strip('"')
        elif line.startswith("msgstr") or line.startswith("msgid_plural"):
            if current:
                entries.add((context, current))
            current, field, context = None, None, "" if line.startswith("msgstr") else context
    return entries


def _untranslated(po_text: str) -> list[str]:
    problems = []
    blocks = po_text.split("\n\n")
    for block in blocks[1:]:
        if "#, fuzzy" in block:
            problems.append(block)
            continue
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if not lines:
            continue
        text = "\n".join(lines)
        for part in text.split("msgstr")[1:]:
            value = part.split(" ", 1)[1] if " " in part else ""
            if value.strip().strip('"') == "" and '\n"' not in value:
                problems.append(block)
                break
    return problems


def test_every_message_is_translated_and_none_is_fuzzy():
    po_text = PO_FILE.read_text(encoding="utf-8")

    assert _untranslated(po_text) == []


@needs_gettext
def test_compiled_catalog_matches_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO_FILE)], check=True)

    with open(fresh, "rb") as f1, open(MO_FILE, "rb") as f2:
        assert gettext.GNUTranslations(f1)._catalog == gettext.GNUTranslations(f2)._catalog


@needs_gettext
def test_catalog_holds_every_string_of_the_source(tmp_path, monkeypatch):
    copy = tmp_path / "gridgov"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    monkeypatch.chdir(copy)

    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)

    regenerated = _msgids((copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text("utf-8"))
    committed = _msgids(PO_FILE.read_text("utf-8"))
    assert sorted(regenerated - committed) == [], "run `make messages` and translate the new strings"
    assert sorted(committed - regenerated) == [], "run `make messages` to drop obsolete strings"
