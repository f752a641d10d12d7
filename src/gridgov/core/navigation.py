"""The main navigation: each app adds its entries in its AppConfig.ready(), so that the
layout needs no edit when an app arrives. An entry shows only to users with its capability
(or role)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: object  # a lazy translation
    order: int
    capability: str | None = None
    roles: frozenset[str] = frozenset()
    # URL names (besides url_name) under which this entry is the current page.
    also_current: frozenset[str] = field(default_factory=frozenset)
    # phone (issue 11): the entry's place in the bottom tab bar of narrow screens (1 first;
    # 0: menu only). The bar shows Home and the user's first TAB_BAR_SIZE entries.
    tab: int = 0


TAB_BAR_SIZE = 4


NAV_ITEMS: list[NavItem] = []


def add_nav_item(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)
        NAV_ITEMS.sort(key=lambda i: i.order)


def nav_items_for(user, capabilities: set[str]) -> list[NavItem]:
    if user is None or not user.is_authenticated:
        return []
    roles = user.roles
    return [
        item for item in NAV_ITEMS
        if (item.capability is None or item.capability in capabilities) and (not item.roles or item.roles & roles)
    ]


def tab_items(items: list[NavItem]) -> list[NavItem]:
    """The entries of the phone's bottom tab bar, out of a user's entries (`nav_items_for`)."""
    return sorted((i for i in items if i.tab), key=lambda i: (i.tab, i.order))[:TAB_BAR_SIZE]
