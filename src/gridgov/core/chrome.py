"""What the layout around every signed-in page shows (issue 12): the main menu, the phone's
tab bar and the header's roles, worked out once a request in Python, so that `base.html`
reads plain values — no `{% url %}`, filter or membership test per menu entry.

The menu's addresses take no arguments, so each is reversed once per process and URL
prefix (`reverse` walks the URL patterns every time otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from gridgov.core.navigation import NavItem, tab_items

_URLS: dict[tuple, str] = {}


def plain_url(name: str) -> str:
    """`reverse(name)` for a pattern without arguments, remembered per prefix and URLconf;
    "" for a name no pattern has (as `{% url … as %}` gives)."""
    key = (name, get_script_prefix(), get_urlconf())
    found = _URLS.get(key)
    if found is None:
        try:
            found = reverse(name)
        except NoReverseMatch:
            found = ""
        _URLS[key] = found
    return found


@dataclass(frozen=True)
class Entry:
    url: str
    label: object
    current: bool
    in_tab_bar: bool


class Chrome:
    """The menu of `items` (`navigation.nav_items_for`) on the page `url_name`."""

    def __init__(self, items: list[NavItem], url_name: str):
        self.items, self.url_name = items, url_name

    @cached_property
    def _tabs(self) -> list[NavItem]:
        return tab_items(self.items)

    def _entry(self, item: NavItem) -> Entry:
        current = self.url_name == item.url_name or self.url_name in item.also_current
        return Entry(url=plain_url(item.url_name), label=item.label, current=current,
                     in_tab_bar=item in self._tabs)

    @cached_property
    def menu(self) -> list[Entry]:
        return [self._entry(item) for item in self.items]

    @cached_property
    def tab_bar(self) -> list[Entry]:
        return [self._entry(item) for item in self._tabs]

    @cached_property
    def home_url(self) -> str:
        return plain_url("home")

    @property
    def home_current(self) -> bool:
        return self.url_name == "home"
