"""Small display helpers for the HTML pages: role labels, the user's scope, codes."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from gridgov.core.models import OrgLevel, Role
from gridgov.core.selectors import org_units_visible_to

register = template.Library()


@register.filter
def role_labels(user) -> list[str]:
    """The display labels of a user's roles, in the order of the Role choices."""
    roles = getattr(user, "roles", None) or set()
    return [str(label) for value, label in Role.choices if value in roles]


@register.simple_tag
def scope_unit(user):
    """The org unit at the root of the user's scope (memoised on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.scope_code:
        return None
    cached = getattr(user, "_gridgov_scope_unit", False)
    if cached is False:
        from gridgov.core.org_cache import org_tree_cached

        # org tree cache (issue 12): the header's unit costs no query while the tree is unchanged
        cached = org_tree_cached(user.scope_code, "scope-unit", lambda: (
            org_units_visible_to(user).filter(code=user.scope_code).first(),))[0]
        user._gridgov_scope_unit = cached
    return cached


@register.filter
def level_label(level: str) -> str:
    try:
        return str(OrgLevel(level).label)
    except ValueError:
        return level or ""


@register.filter
def official_code(code: str) -> str:
    """The 12-digit statistical code padded with zeros (grid cells keep their 3-digit suffix)."""
    code = code or ""
    if len(code) > 12:
        return f"{code[:12]}-{code[12:]}"
    return code.ljust(12, "0")


@register.filter
def gender_label(value: str) -> str:
    return {"M": _("Male"), "F": _("Female")}.get(value or "", "")


@register.filter
def duration_text(value) -> str:
    """A timedelta as "1 hour 30 minutes" (whole minutes, at least one)."""
    from django.utils.translation import ngettext

    try:
        minutes = max(int(value.total_seconds() // 60), 1)
    except AttributeError:
        return ""
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@register.filter
def action_label(action: str) -> str:
    """A readable name for an audit action, of any app (`core.audit_labels`), never its code."""
    from gridgov.core.audit_labels import action_label as label_of

    return label_of(action)
