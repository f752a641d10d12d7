"""The admin site: scoped lists, masked people, a read-only audit log, audited writes."""

import re

import pytest
from django.urls import reverse

from gridgov.core.models import AuditEntry, OrgUnit, Role
from gridgov.core.services import person_open_record
from tests.factories import Tree, make_user

FULL_ID = "11010519491231002X"


@pytest.fixture
def county_admin(tree):
    return make_user("countyadmin", Role.CITY_ADMIN, scope=Tree.COUNTY_A, is_staff=True, is_superuser=True)


def test_person_changelist_never_shows_the_raw_resident_id_or_phone(login, county_admin, resident):
    response = login(county_admin).get(reverse("admin:core_person_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert FULL_ID not in content and "13912345678" not in content
    assert "1101*************X" in content and "139******78" in content


def test_person_page_in_admin_is_read_only_and_masked(login, county_admin, resident):
    client = login(county_admin)

    page = client.get(reverse("admin:core_person_change", args=[resident.pk]))
    post = client.post(reverse("admin:core_person_change", args=[resident.pk]), {"name": "改名"})

    content = page.content.decode()
    assert page.status_code == 200
    assert FULL_ID not in content and "13912345678" not in content and "幸福路 8 号" not in content
    assert post.status_code == 403
    assert client.get(reverse("admin:core_person_add")).status_code == 403
    resident.refresh_from_db()
    assert resident.name == "王小明"


def test_admin_lists_are_scoped_to_the_users_area(login, county_admin, resident, other_county_resident):
    client = login(county_admin)

    people = client.get(reverse("admin:core_person_changelist")).context["cl"].result_list
    units = client.get(reverse("admin:core_orgunit_changelist")).context["cl"].result_list

    assert [p.pk for p in people] == [resident.pk]
    assert all(u.code.startswith(Tree.COUNTY_A) for u in units) and len(units) == 5
    other = OrgUnit.objects.get(code=Tree.COUNTY_B)
    assert client.get(reverse("admin:core_orgunit_change", args=[other.pk])).status_code == 302  # not found


def test_a_superuser_with_no_scope_sees_nothing(login, tree, resident):
    root = make_user("root", scope="", is_staff=True, is_superuser=True)

    response = login(root).get(reverse("admin:core_person_changelist"))

    assert list(response.context["cl"].result_list) == []


def test_renaming_an_org_unit_in_admin_is_audited(login, county_admin):
    unit = OrgUnit.objects.get(code=Tree.VILLAGE_A)

    response = login(county_admin).post(reverse("admin:core_orgunit_change", args=[unit.pk]), {"name": "幸福村"})

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "幸福村"
    entry = AuditEntry.objects.get(action="org_unit.update")
    assert entry.actor_username == "countyadmin" and '"via":"admin"' in entry.changes


def test_a_user_cannot_be_given_a_scope_outside_the_admins_area(login, county_admin):
    response = login(county_admin).post(reverse("admin:core_user_add"), {
        "username": "intruder", "display_name": "x", "scope_code": Tree.COUNTY_B,
        "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1",
        "role_rows-TOTAL_FORMS": "0", "role_rows-INITIAL_FORMS": "0",
        "grid_assignments-TOTAL_FORMS": "0", "grid_assignments-INITIAL_FORMS": "0",
    })

    assert response.status_code == 200
    assert "scope_code" in response.context["adminform"].form.errors
    assert not AuditEntry.objects.exists()


def test_audit_log_in_admin_is_read_only_for_auditors(login, tree, grid_worker, resident):
    staff_auditor = make_user("staffaud", Role.AUDITOR, scope="99", is_staff=True)
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit")
    entry = AuditEntry.objects.get()
    client = login(staff_auditor)

    listing = client.get(reverse("admin:core_auditentry_changelist"))
    detail = client.get(reverse("admin:core_auditentry_change", args=[entry.pk]))
    delete = client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"})

    assert listing.status_code == 200 and "入户走访" in listing.content.decode()
    assert "王小明" not in listing.content.decode()
    assert detail.status_code == 200
    assert delete.status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    assert AuditEntry.objects.count() == 1


def test_staff_without_the_auditor_role_cannot_see_the_audit_log_in_admin(login, tree):
    staff = make_user("staffer", Role.CITY_ADMIN, scope="99", is_staff=True)

    assert login(staff).get(reverse("admin:core_auditentry_changelist")).status_code == 403


def test_the_admin_audit_list_names_actors_and_places_at_a_fixed_query_cost(login, tree, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.core import orgnames

    staff_auditor = make_user("staffaud", Role.AUDITOR, scope="99", is_staff=True)
    client = login(staff_auditor)
    workers = [make_user(f"gw{i}", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1],
                         display_name=f"网格员{i}号") for i in range(2)]
    person_open_record(actor=workers[0], person=resident, purpose="home_visit")
    url = reverse("admin:core_auditentry_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        body = client.get(url).content.decode()
    for worker in workers * 3:
        person_open_record(actor=worker, person=resident, purpose="home_visit")
    with CaptureQueriesContext(connection) as seven:
        many = client.get(url).content.decode()

    assert "网格员0号" in body and "网格员1号" in many
    assert orgnames.org_name_paths([resident.org_code])[resident.org_code] in body
    assert ">gw0<" not in body and f">{resident.org_code}<" not in body
    assert len(seven) == len(one)


def test_the_admin_people_search_goes_through_the_name_index(login, county_admin, resident, other_county_resident):
    # people search (issue 12): a keyed token lookup, never a scan of the name column
    from contextlib import ExitStack

    from django.db import connections

    from tests.factories import PersonFactory

    PersonFactory(name="李四")
    client = login(county_admin)

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with ExitStack() as stack:  # every alias: the admin's reads may go to the replica's
        for c in connections.all():
            stack.enter_context(c.execute_wrapper(record))
        found = list(client.get(reverse("admin:core_person_changelist"), {"q": "小明"}).context["cl"].result_list)
    elsewhere = client.get(reverse("admin:core_person_changelist"), {"q": "赵外"}).context["cl"].result_list
    by_number = client.get(reverse("admin:core_person_changelist"), {"q": FULL_ID}).context["cl"].result_list

    assert [p.pk for p in found] == [resident.pk]
    assert list(elsewhere) == [] and list(by_number) == []  # another county's; a number confirms nothing
    people_queries = [sql for sql in statements if 'FROM "core_person"' in sql]
    assert people_queries and all("core_personnametoken" in sql for sql in people_queries)
    scan = re.compile(r'"core_person"\."name"(::text)?\)? LIKE', re.IGNORECASE)  # name__icontains, both backends
    assert not any(scan.search(sql) for sql in people_queries)
