"""The workbench: what waits for a user now, counted and linked, shown on the home page and
given to the phone app (`GET /api/v1/me/workbench/`).

Core imports no app. Each app registers its sections (and big buttons) in its
AppConfig.ready(), as it does its menu entries with `core.navigation.add_nav_item`:

    add_section(WorkSection("care.visits", _("Care visits"), 30, care_workbench.visit_items,
                            capability=Capability.VIEW_CARE))

A section's provider is called with the user (only when the user holds the section's
capability or one of its roles) and returns its `WorkItem`s, counted in the database in a
constant number of queries whatever the numbers; an item names the page where the user
opens the rows it counts (a filtered list the user may open), and how urgent they are.
A provider reads through its app's selectors, never writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.urls import reverse

from gridgov.core.permissions import has_capability


class Urgency(StrEnum):
    NORMAL = "normal"
    SOON = "soon"  # due today or soon, or waiting on a deadline
    OVERDUE = "overdue"  # past its deadline


@dataclass(frozen=True)
class WorkItem:
    key: str  # "<app>.<what>", stable for the API
    label: object  # a lazy translation (or one formatted with format_lazy)
    count: int | None  # None: a statistic suppressed as fewer than 5 ("<5")
    url: str
    urgency: Urgency = Urgency.NORMAL
    capability: str | None = None  # the capability the linked page needs, re-checked here

    @property
    def shown(self) -> str | int:
        return "<5" if self.count is None else self.count

    @property
    def waiting(self) -> bool:
        return self.count is None or self.count > 0


@dataclass(frozen=True)
class WorkSection:
    key: str
    title: object  # a lazy translation
    order: int
    items: Callable[..., list[WorkItem]]  # provider(user) -> items
    capability: str | None = None
    roles: frozenset[str] = frozenset()  # any of these roles (with capability, both must hold)


@dataclass(frozen=True)
class WorkAction:
    """A big button on the home page (the grid worker's "Report an event")."""

    key: str
    label: object
    url_name: str
    order: int
    query: str = ""  # appended to the URL, e.g. "tab=report"
    capability: str | None = None
    roles: frozenset[str] = frozenset()


SECTIONS: list[WorkSection] = []
ACTIONS: list[WorkAction] = []


def add_section(section: WorkSection) -> None:
    if all(existing.key != section.key for existing in SECTIONS):
        SECTIONS.append(section)
        SECTIONS.sort(key=lambda s: (s.order, s.key))


def add_action(action: WorkAction) -> None:
    if all(existing.key != action.key for existing in ACTIONS):
        ACTIONS.append(action)
        ACTIONS.sort(key=lambda a: (a.order, a.key))


def _applies(entry, user) -> bool:
    if entry.capability is not None and not has_capability(user, entry.capability):
        return False
    return not entry.roles or bool(entry.roles & user.roles)


@dataclass(frozen=True)
class SectionView:
    section: WorkSection
    items: list[WorkItem]

    @property
    def waiting(self) -> bool:
        return any(item.waiting for item in self.items)


@dataclass(frozen=True)
class ActionView:
    action: WorkAction
    url: str


@dataclass
class Workbench:
    actions: list[ActionView] = field(default_factory=list)
    sections: list[SectionView] = field(default_factory=list)

    @property
    def items(self) -> list[WorkItem]:
        return [item for view in self.sections for item in view.items]

    @property
    def is_empty(self) -> bool:
        """Nothing waits for the user (a kind message instead of a page of zeros)."""
        return not any(item.waiting for item in self.items)


def workbench_for(user) -> Workbench:
    """The sections and big buttons that apply to `user`, with their items counted now."""
    bench = Workbench()
    if user is None or not user.is_authenticated:
        return bench
    for action in ACTIONS:
        if _applies(action, user):
            url = reverse(action.url_name)
            bench.actions.append(ActionView(action, f"{url}?{action.query}" if action.query else url))
    for section in SECTIONS:
        if not _applies(section, user):
            continue
        items = [item for item in section.items(user)
                 if item.capability is None or has_capability(user, item.capability)]
        if items:
            bench.sections.append(SectionView(section, items))
    return bench


def url_with(url_name: str, *args, anchor: str = "", **params) -> str:
    """`reverse(url_name, args)` with a query string of the non-empty `params` and an anchor."""
    from django.utils.http import urlencode

    url = reverse(url_name, args=args or None)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")
