"""Names, not codes, on every page: places as their name path (县 › 镇 › 村 › 网格).

A list loads the paths of all its rows in one query before its loop, then each row reads
its own:

    {% load gridgov_names %}
    {% org_paths_for rows "p.org_code" %}
    {% for row in rows %} … {% org_path row.p.org_code %} … {% endfor %}

Without the preload, `{% org_path code %}` looks the code up itself (one query per distinct
code on the page, remembered for the rest of the page): right for a detail page, not a list.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from gridgov.core import orgnames

register = template.Library()

_CACHE_KEY = "_gridgov_org_paths"


def _cache(context) -> dict[str, str]:
    # The first dict of a Context lives as long as the whole render, includes too.
    return context.dicts[0].setdefault(_CACHE_KEY, {})


def _resolve(item, path: str):
    value = item
    for part in path.split("."):
        if value is None:
            return None
        if isinstance(value, dict):
            value = value.get(part)
        else:
            value = getattr(value, part, None)
    return value


def _official(code: str) -> str:
    return f"{code[:12]}-{code[12:]}" if len(code) > 12 else code.ljust(12, "0")


@register.simple_tag(takes_context=True)
def org_paths_for(context, items, *attrs) -> str:
    """Load the name paths of `items`' codes (each attr a dotted path; the items themselves
    when none is given) in one query. Renders nothing."""
    cache = _cache(context)
    codes = set()
    for item in items or ():
        for attr in attrs or (None,):
            code = item if attr is None else _resolve(item, attr)
            if isinstance(code, str) and code and code not in cache:
                codes.add(code)
    if codes:
        cache.update(orgnames.org_name_paths(codes))
    return ""


@register.simple_tag(takes_context=True)
def org_path_text(context, code) -> str:
    """The name path of `code` as plain text (for a title, an option, a sentence)."""
    code = str(code or "")
    if not code:
        return ""
    cache = _cache(context)
    if code not in cache:
        cache.update(orgnames.org_name_paths([code]))
    return cache.get(code, code)


@register.simple_tag(takes_context=True)
def org_path(context, code) -> str:
    """The name path of `code`, its official code in the tooltip."""
    code = str(code or "")
    if not code:
        return ""
    return format_html('<span class="org-path" title="{}">{}</span>', _official(code),
                       org_path_text(context, code))
