"""One name per role: the pages (core.models.Role labels), README's demo-account table, the
list `make demo` prints and docs/glossary.md say the same (issue 11 §B "Phone")."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from gridgov.core.models import Role
from gridgov.demo.generator import DEMO_ACCOUNTS, demo_account_rows, format_accounts
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def _label(role, language):
    with translation.override(language):
        return str(Role(role).label)


def _readme_rows() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z]+)` \| ([^|]+) \|", readme, re.M)}


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_readme_lists_every_demo_account_by_its_role_label(account):
    rows = _readme_rows()

    assert account.username in rows, f"README's demo-account table misses `{account.username}`"
    assert rows[account.username].startswith(_label(account.role, "en"))


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_glossary_names_every_role_as_the_pages_do(role):
    glossary = (ROOT / "docs/glossary.md").read_text()

    assert f"| `{role.value}` | {_label(role, 'en')} |" in glossary


def test_the_printed_account_list_names_the_roles_as_the_pages_do(tree):
    for account in DEMO_ACCOUNTS:
        make_user(account.username, account.role, scope="99")

    printed = format_accounts(demo_account_rows(), "pw")

    for account in DEMO_ACCOUNTS:
        assert f"{_label(account.role, 'zh-hans')} / {_label(account.role, 'en')}" in printed
