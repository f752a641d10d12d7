"""Each page opens for the roles that should see it and refuses the others."""

import pytest
from django.urls import reverse

from gridgov.core.models import Role
from tests.factories import Tree, make_user

ROLES = {
    "grid_worker": (Role.GRID_WORKER, Tree.CELL_A1),
    "station_staff": (Role.STATION_STAFF, Tree.TOWNSHIP_A),
    "dispatcher": (Role.DISPATCHER, Tree.COUNTY_A),
    "care_worker": (Role.CARE_WORKER, Tree.TOWNSHIP_A),
    "mediator": (Role.MEDIATOR, Tree.TOWNSHIP_A),
    "program_officer": (Role.PROGRAM_OFFICER, Tree.COUNTY_A),
    "city_admin": (Role.CITY_ADMIN, "99"),
    "auditor": (Role.AUDITOR, "99"),
}

# page -> roles that get 200 (everyone else gets 403)
ALLOWED = {
    "home": set(ROLES),
    "unit": set(ROLES),
    "people": set(ROLES) - {"auditor"},
    "person": set(ROLES) - {"auditor"},
    "create": {"grid_worker", "care_worker", "program_officer"},
    "audit": {"auditor"},
}


def _url(page, resident):
    return {
        "home": reverse("home"),
        "unit": reverse("org-unit-detail", args=[Tree.CELL_A1]),
        "people": reverse("people-list"),
        "person": reverse("person-detail", args=[resident.pk]),
        "create": reverse("person-create"),
        "audit": reverse("audit-search"),
    }[page]


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("page", sorted(ALLOWED))
def test_page_access_by_role(login, tree, resident, role, page):
    value, scope = ROLES[role]
    cells = [Tree.CELL_A1] if value == Role.GRID_WORKER else []
    user = make_user(f"u-{role}", value, scope=scope, cells=cells)

    response = login(user).get(_url(page, resident))

    assert response.status_code == (200 if role in ALLOWED[page] else 403)
