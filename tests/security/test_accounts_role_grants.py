"""Finding 3 (roles): the superuser could give itself care roles in one step. A role that sees
sensitive data now takes effect only when a second administrator approves the request; the
admin's user form goes through the same request, superusers included."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gridgov.core.account_services import (
    role_grant_approve,
    role_grant_refuse,
    role_grant_request,
    roles_seed,
    user_roles_set,
)
from gridgov.core.audit import AuditAction, verify_all
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.models import AuditEntry, Role, RoleGrantRequest, RoleGrantStatus, User, UserRole
from gridgov.core.tokens import SystemActor
from tests.factories import Tree, make_api_token, make_user


@pytest.fixture
def admins(tree):
    """Two city administrators (the first also a superuser) and one of the other county."""
    first = make_user("admin1", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True)
    second = make_user("admin2", Role.CITY_ADMIN, scope="99", is_staff=True)
    other_county = make_user("admin3", Role.CITY_ADMIN, scope=Tree.COUNTY_B, is_staff=True)
    return first, second, other_county


@pytest.fixture
def newcomer(tree):
    return make_user("newbie", Role.DISPATCHER, scope=Tree.COUNTY_A)


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


# --- The service ---------------------------------------------------------------------------------


def test_a_sensitive_role_waits_for_a_second_administrator(admins, newcomer):
    first, second, _ = admins

    grant = user_roles_set(actor=first, user=newcomer, roles=[Role.DISPATCHER, Role.CARE_WORKER],
                           reason="接替王医生的随访工作")

    assert fresh(newcomer).roles == {"dispatcher"}
    role_grant_approve(actor=second, grant=grant)
    assert fresh(newcomer).roles == {"dispatcher", "care_worker"}


def test_nobody_approves_their_own_request(admins, newcomer):
    first, _second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.PROGRAM_OFFICER], reason="新任项目专员")

    with pytest.raises(Forbidden):
        role_grant_approve(actor=first, grant=grant)
    assert fresh(newcomer).roles == {"dispatcher"}


def test_nobody_approves_a_grant_to_themselves(admins):
    first, second, _ = admins
    grant = role_grant_request(actor=first, user=second, roles=[Role.AUDITOR], reason="兼任审计")

    with pytest.raises(Forbidden):
        role_grant_approve(actor=second, grant=grant)
    assert "auditor" not in fresh(second).roles


def test_the_superuser_grants_itself_care_roles_only_with_a_second_administrator(admins):
    # the attack of the issue: the superuser asks for care roles for itself
    first, second, _ = admins
    grant = user_roles_set(actor=first, user=first, roles=[Role.CITY_ADMIN, Role.CARE_WORKER], reason="我要看病历")

    assert "care_worker" not in fresh(first).roles
    with pytest.raises(Forbidden):
        role_grant_approve(actor=first, grant=grant)
    role_grant_refuse(actor=second, grant=grant, note="没有理由")
    assert "care_worker" not in fresh(first).roles


def test_the_database_refuses_a_self_decided_grant_too(admins, newcomer):
    first, _second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrantRequest.objects.filter(pk=grant.pk).update(
            status=RoleGrantStatus.APPROVED, decided_by=first, decided_at=timezone.now())


def test_an_approver_must_cover_the_users_area(admins, newcomer):
    first, _second, other_county = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")

    with pytest.raises(DomainError) as error:
        role_grant_approve(actor=other_county, grant=grant)
    assert error.value.code == ErrorCode.NOT_FOUND


def test_a_role_without_manage_users_cannot_approve(admins, newcomer, care_worker):
    first, _second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")

    with pytest.raises(Forbidden):
        role_grant_approve(actor=care_worker, grant=grant)


def test_a_decided_request_cannot_be_decided_again(admins, newcomer):
    first, second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")
    role_grant_refuse(actor=second, grant=grant)

    with pytest.raises(DomainError) as error:
        role_grant_approve(actor=second, grant=grant)
    assert error.value.code == ErrorCode.CONFLICT
    assert "auditor" not in fresh(newcomer).roles


def test_plain_roles_and_removals_take_effect_at_once(admins, tree):
    first, _second, _ = admins
    user = make_user("mixed", Role.GRID_WORKER, scope=Tree.COUNTY_A)

    grant = user_roles_set(actor=first, user=user, roles=[Role.STATION_STAFF], reason="")

    assert grant is None and fresh(user).roles == {"station_staff"}


def test_a_sensitive_role_needs_a_reason(admins, newcomer):
    first, _second, _ = admins

    with pytest.raises(DomainError) as error:
        user_roles_set(actor=first, user=newcomer, roles=[Role.MEDIATOR], reason="")
    assert "reason" in error.value.fields
    assert not RoleGrantRequest.objects.exists()


def test_every_grant_event_is_in_the_chained_audit_log(admins, newcomer):
    first, second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")
    role_grant_approve(actor=second, grant=grant)

    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_username"))
    assert actions == [(AuditAction.ROLE_GRANT_REQUEST, "admin1"), (AuditAction.ROLE_GRANT_APPROVE, "admin2"),
                       (AuditAction.USER_ROLES_SET, "admin2")]
    assert verify_all()[1] == []


def test_only_the_system_seeds_roles_without_approval(admins, newcomer):
    first, _second, _ = admins

    with pytest.raises(Forbidden):
        roles_seed(actor=first, rows=[UserRole(user=newcomer, role=Role.AUDITOR)], source="hand")

    roles_seed(actor=SystemActor("seed_demo"), rows=[UserRole(user=newcomer, role=Role.AUDITOR)], source="seed_demo")
    assert "auditor" in fresh(newcomer).roles
    entry = AuditEntry.objects.get(action=AuditAction.USER_ROLES_SET)
    assert entry.actor_username == "system" and '"system":"seed_demo"' in entry.changes


# --- The Django admin --------------------------------------------------------------------------


def _admin_change(client, user, roles, reason=""):
    return client.post(reverse("admin:core_user_change", args=[user.pk]), {
        "username": user.username, "display_name": user.display_name, "scope_code": user.scope_code,
        "roles": roles, "role_reason": reason, "is_active": "on", "is_staff": "",
        "grid_assignments-TOTAL_FORMS": "0", "grid_assignments-INITIAL_FORMS": "0",
    })


def test_the_admin_user_form_cannot_write_a_sensitive_role(admins, newcomer):
    first, _second, _ = admins
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(first)

    response = _admin_change(client, newcomer, [Role.DISPATCHER, Role.CARE_WORKER], reason="接替随访")

    assert response.status_code == 302
    assert fresh(newcomer).roles == {"dispatcher"}
    assert RoleGrantRequest.objects.get().roles == ["care_worker"]


def test_the_admin_cannot_grant_itself_superuser_or_permissions(admins, newcomer):
    first, _second, _ = admins
    client = Client()
    client.force_login(first)

    response = client.post(reverse("admin:core_user_change", args=[newcomer.pk]), {
        "username": newcomer.username, "scope_code": newcomer.scope_code, "roles": [Role.DISPATCHER],
        "is_active": "on", "is_superuser": "on",
        "grid_assignments-TOTAL_FORMS": "0", "grid_assignments-INITIAL_FORMS": "0",
    })

    assert response.status_code == 302
    assert not fresh(newcomer).is_superuser


def test_the_admin_has_no_role_rows_inline(admins, newcomer):
    first, _second, _ = admins
    client = Client()
    client.force_login(first)

    page = client.get(reverse("admin:core_user_change", args=[newcomer.pk])).content.decode()

    assert "role_rows-TOTAL_FORMS" not in page
    assert client.get("/admin/core/userrole/").status_code == 404


# --- The page ------------------------------------------------------------------------------------


def test_the_page_lists_pending_requests_with_names_and_approves(admins, newcomer):
    first, second, _ = admins
    role_grant_request(actor=first, user=newcomer, roles=[Role.CARE_WORKER], reason="接替随访")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(second)

    page = client.get(reverse("role-grants")).content.decode()

    assert "Community doctor / social worker" in page and "care_worker" not in page
    assert "接替随访" in page
    grant = RoleGrantRequest.objects.get()
    response = client.post(reverse("role-grant-approve", args=[grant.pk]))
    assert response.status_code == 302
    assert "care_worker" in fresh(newcomer).roles
    assert "No requests are waiting" in client.get(reverse("role-grants")).content.decode()


def test_the_requester_sees_no_approve_button_on_their_own_request(admins, newcomer):
    first, _second, _ = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.CARE_WORKER], reason="接替随访")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(first)

    page = client.get(reverse("role-grants")).content.decode()

    assert reverse("role-grant-approve", args=[grant.pk]) not in page
    assert "Waiting for another administrator" in page
    client.post(reverse("role-grant-approve", args=[grant.pk]))
    assert "care_worker" not in fresh(newcomer).roles


def test_the_page_is_for_user_managers_only(care_worker):
    client = Client()
    client.force_login(care_worker)

    assert client.get(reverse("role-grants")).status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_query_count(admins, tree, django_assert_num_queries, n):
    first, second, _ = admins
    users = [make_user(f"u{i}", Role.DISPATCHER, scope=Tree.COUNTY_A) for i in range(n)]
    RoleGrantRequest.objects.bulk_create([
        RoleGrantRequest(user=u, roles=["care_worker"], reason="接替随访", org_code=u.scope_code, requested_by=first)
        for u in users
    ])
    client = Client()
    client.force_login(second)

    # session, user, roles, the scope's name in the header, the unread badge; the requests with
    # their users
    with django_assert_num_queries(6):
        response = client.get(reverse("role-grants"))
    assert response.status_code == 200


# --- The API -------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def test_the_api_requests_lists_and_approves(admins, newcomer):
    first, second, _ = admins

    created = api(first).post("/api/v1/role-grants/", {"username": "newbie", "roles": ["auditor"],
                                                       "reason": "兼任审计"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "pending"
    grant_id = created.json()["id"]

    own = api(first).post(f"/api/v1/role-grants/{grant_id}/approve/", {}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "permission_denied"

    listing = api(second).get("/api/v1/role-grants/").json()
    assert [row["id"] for row in listing["results"]] == [grant_id] and listing["results"][0]["user"] == "newbie"
    approved = api(second).post(f"/api/v1/role-grants/{grant_id}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api(second).post(f"/api/v1/role-grants/{grant_id}/refuse/", {}, format="json")
    assert again.status_code == 409
    assert "auditor" in fresh(newcomer).roles


def test_the_api_hides_requests_outside_the_area(admins, newcomer):
    first, _second, other_county = admins
    grant = role_grant_request(actor=first, user=newcomer, roles=[Role.AUDITOR], reason="兼任审计")

    assert api(other_county).get("/api/v1/role-grants/").json()["results"] == []
    assert api(other_county).post(f"/api/v1/role-grants/{grant.pk}/approve/", {}, format="json").status_code == 404


def test_the_api_refuses_other_roles(care_worker, newcomer):
    assert api(care_worker).post("/api/v1/role-grants/", {"username": "newbie", "roles": ["auditor"],
                                                          "reason": "兼任审计"}, format="json").status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_the_api_list_query_count(admins, tree, django_assert_num_queries, n):
    first, second, _ = admins
    users = [make_user(f"u{i}", Role.DISPATCHER, scope=Tree.COUNTY_A) for i in range(n)]
    RoleGrantRequest.objects.bulk_create([
        RoleGrantRequest(user=u, roles=["care_worker"], reason="接替随访", org_code=u.scope_code, requested_by=first)
        for u in users
    ])
    client = api(second)

    # the token with its user, the user's roles, one page of requests with their users
    with django_assert_num_queries(3):
        response = client.get("/api/v1/role-grants/")
    assert len(response.json()["results"]) == n
