"""The demo accounts of CONTRACTS.md, and the table of them that `seed_demo` and `make demo`
print (each role by the label the pages show, in both languages)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gridgov.core.models import OrgUnit, Role, User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # printed by its label in both languages, as the pages name it (core.models.Role)
    scope: str  # province, county, township or cell: the first one generated
    display_name: str
    # The generated staff member this account replaces: the first cell's grid worker or
    # the first market department's / station's staff, so those keep exactly one each.
    stands_in_for: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.CITY_ADMIN, "province", "系统管理员 林海"),
    DemoAccount("dispatcher", Role.DISPATCHER, "county", "派遣员 周敏"),
    DemoAccount("gridworker", Role.GRID_WORKER, "cell", "网格员 李娜", "grid_worker"),
    DemoAccount("department", Role.DEPARTMENT_STAFF, "county", "市场监管局 王强", "market_department"),
    DemoAccount("station", Role.STATION_STAFF, "township", "市场监管所 赵磊", "market_station"),
    DemoAccount("doctor", Role.CARE_WORKER, "township", "社区医生 孙丽"),
    DemoAccount("officer", Role.PROGRAM_OFFICER, "county", "专干 吴刚"),
    DemoAccount("mediator", Role.MEDIATOR, "township", "调解员 郑芳"),
    DemoAccount("auditor", Role.AUDITOR, "province", "审计员 冯涛"),
    # CONTRACTS.md "Demo accounts": signs off the register updates of the first village.
    DemoAccount("screener", Role.SCREENER, "village", "网格长 何静"),
    # care (issue 11): on the care teams of the first township's high-risk cases
    DemoAccount("police", Role.POLICE_LIAISON, "township", "社区民警 周强"),
    # mediation (issue 13): the first township's justice office (司法所)
    DemoAccount("justice", Role.JUSTICE_OFFICER, "township", "司法所 王明"),
    # participation (issue 14): keeps the first village's points bank (综治银行)
    DemoAccount("bank", Role.BANK_KEEPER, "village", "积分银行 刘芳"),
    DemoAccount("volunteer", Role.VOLUNTEER, "village", "志愿者 陈晓"),
    DemoAccount("organiser", Role.VOLUNTEER_ORGANISER, "village", "志愿服务站 周敏"),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


@dataclass(frozen=True)
class AccountRow:
    username: str
    role_zh: str
    role_en: str
    scope_code: str
    scope_name: str


def demo_account_rows() -> list[AccountRow]:
    """The demo accounts found in the database, in the order of CONTRACTS.md."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    scopes = dict(OrgUnit.objects.filter(code__in=[u.scope_code for u in users.values()]).values_list("code", "name"))
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        # phone (issue 11): the role by the very label the pages show, in both languages
        with translation.override("zh-hans"):
            role_zh = str(Role(account.role).label)
        with translation.override("en"):
            role_en = str(Role(account.role).label)
        rows.append(AccountRow(
            username=account.username, role_zh=role_zh, role_en=role_en,
            scope_code=user.scope_code, scope_name=scopes.get(user.scope_code, ""),
        ))
    return rows


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def format_accounts(rows: list[AccountRow], password: str | None) -> str:
    """The accounts as an aligned text table (Chinese characters count double)."""
    header = (_("account"), _("role"), _("scope"), pgettext("demo accounts table", "area"))
    body = [(r.username, f"{r.role_zh} / {r.role_en}", r.scope_code, r.scope_name) for r in rows]
    widths = [max(_display_width(line[i]) for line in [header, *body]) for i in range(4)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if password is not None:
        lines.append(_("Password of every demo account: %(password)s") % {"password": password})
    return "\n".join(lines)
