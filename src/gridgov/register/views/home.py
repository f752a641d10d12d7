"""The register's start page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from gridgov.core import selectors as core_selectors
from gridgov.core.models import OrgLevel
from gridgov.core.orgcodes import VILLAGE_LENGTH
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import selectors
from gridgov.register.views.common import page
from gridgov.register.views.imports import import_kinds

VILLAGE_PAGE_SIZE = 100


@login_required
@require_GET
@domain_errors_as_http
def register_home(request):
    """The villages of the user's area with their household counts; a grid worker's own
    village and open checklists; a screener's sign-off queue."""
    user = request.user
    _require(user, Capability.VIEW_REGISTER)
    scope = user.scope_code or ""
    after = request.GET.get("after", "")
    villages_qs = (
        core_selectors.org_units_visible_to(user)
        .filter(level=OrgLevel.VILLAGE)
        .filter(Q(code__startswith=scope) | Q(code=scope[:VILLAGE_LENGTH]))
    )
    villages = page(villages_qs, after if after.isdigit() else None, ("code",), size=VILLAGE_PAGE_SIZE)
    counts = selectors.household_counts_by_village(user, [v.code for v in villages.rows])
    context = {
        "villages": [{"unit": v, "households": counts.get(v.code, 0)} for v in villages.rows],
        "next_url": villages.next_url(),
        "can_sign_off": has_capability(user, Capability.SIGN_OFF_REGISTER),
        "can_import": bool(import_kinds(user)),
    }
    cells = core_selectors.grid_cells_of(user) if has_capability(user, Capability.PROPOSE_REGISTER_EDITS) else []
    if cells:
        context["my_villages"] = sorted({c[:VILLAGE_LENGTH] for c in cells})
        context["open_rounds"] = selectors.open_rounds_with_todo(user, cells)
    if context["can_sign_off"]:
        context["awaiting_sign_off"] = selectors.sign_off_queue(user).count()
    return render(request, "register/home.html", context)
