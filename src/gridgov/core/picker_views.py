"""The pickers' HTMX answers: org units of the user's scope (a level of the tree, or a
search by name, pinyin initials or code) and colleagues of the scope. Fragments only; the
page they serve keeps its plain text input without JavaScript."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from gridgov.core import orgcodes, pickers
from gridgov.core.permissions import Capability, require_page

_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _for_id(request) -> str:
    value = request.GET.get("for", "")[:100]
    return value if value and set(value) <= _ID_CHARS else ""


def _fragment(request, template, context):
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def org_picker(request):
    user = request.user
    query = request.GET.get("q", "").strip()
    context = {"for_id": _for_id(request), "query": query, "parent": None, "up": "", "tree": False, "choices": []}
    if query:
        context["choices"] = pickers.units_matching(user, query)
    else:
        parent, children = pickers.unit_children(user, request.GET.get("parent", ""))
        context.update({"parent": parent, "choices": children, "tree": True})
        if parent is not None and parent.code != user.scope_code:
            context["up"] = orgcodes.parent_code(parent.code) or ""
    return _fragment(request, "core/pickers/org_results.html", context)


@login_required
@require_GET
def user_picker(request):
    user = request.user
    # Only roles that put colleagues somewhere (care teams, accounts, mediation committees, volunteers)
    # look them up: for the others the list would only tell who works where (who the police
    # liaison is, say).
    require_page(user, {Capability.MANAGE_ENROLLMENTS, Capability.MANAGE_USERS, Capability.SUPERVISE_MEDIATION,
                        Capability.ORGANISE_VOLUNTEERS})
    query = request.GET.get("q", "").strip()
    context = {"for_id": _for_id(request), "query": query, "choices": pickers.users_matching(user, query)}
    return _fragment(request, "core/pickers/user_results.html", context)
