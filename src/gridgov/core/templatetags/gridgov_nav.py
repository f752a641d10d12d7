"""The phone's bottom tab bar (issue 11): `{{ app_nav_items|tab_items }}` picks the entries
of `core.navigation` that have a tab place, in order, at most TAB_BAR_SIZE."""

from django import template

from gridgov.core.navigation import tab_items as _tab_items

register = template.Library()


@register.filter
def tab_items(items):
    return _tab_items(list(items or []))
