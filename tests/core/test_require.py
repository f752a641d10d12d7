"""One `require` for capabilities (core.permissions): services, pages and the API agree."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from gridgov.core.exceptions import ErrorCode, Forbidden
from gridgov.core.models import Role
from gridgov.core.permissions import (
    Capability,
    allows,
    capability_required,
    require,
    require_page,
)
from tests.factories import Tree, make_user

ran = []


@capability_required(Capability.MANAGE_USERS)
def admin_page(request):
    ran.append(request.user.username)
    return HttpResponse("ok")


@pytest.fixture
def people(tree):
    return {"admin": make_user("admin", Role.CITY_ADMIN, scope="99"),
            "gw": make_user("gw-req", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1])}


def test_a_page_answers_403_before_its_view_runs(people):
    request = RequestFactory().get("/")
    request.user = people["gw"]
    ran.clear()

    with pytest.raises(PermissionDenied):
        admin_page(request)
    assert ran == []

    request.user = people["admin"]
    assert admin_page(request).status_code == 200
    assert ran == ["admin"]


def test_services_get_a_forbidden_domain_error_with_its_message(people):
    with pytest.raises(Forbidden) as error:
        require(people["gw"], Capability.EDIT_REGISTER, message="Propose it in a round.")
    assert (error.value.code, error.value.message, error.value.http_status) == (
        ErrorCode.PERMISSION_DENIED, "Propose it in a round.", 403)
    require(people["admin"], Capability.EDIT_REGISTER)  # allowed: no error


def test_a_set_means_any_one_of_them_everywhere(people):
    either = frozenset({Capability.MANAGE_USERS, Capability.RECORD_VISITS})
    assert allows(people["gw"], either) and allows(people["admin"], either)
    assert not allows(people["gw"], frozenset({Capability.MANAGE_USERS, Capability.VIEW_AUDIT}))
    require_page(people["gw"], either)
    with pytest.raises(PermissionDenied):
        require_page(people["gw"], Capability.MANAGE_USERS)


def test_the_api_permission_reads_the_same_rule(people):
    from gridgov.core.api.common import HasCapability

    class View:
        required_capabilities = {"GET": frozenset({Capability.MANAGE_USERS, Capability.RECORD_VISITS}),
                                 "POST": Capability.MANAGE_USERS}

    def allowed(user, method):
        request = RequestFactory().generic(method, "/")
        request.user = user
        return HasCapability().has_permission(request, View())

    assert allowed(people["gw"], "GET") and not allowed(people["gw"], "POST")
    assert allowed(people["admin"], "POST")
    assert allowed(people["gw"], "DELETE")  # not declared: signed in is enough
