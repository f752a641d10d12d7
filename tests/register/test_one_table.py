
import pytest
from django.utils import translation
from openpyxl import load_workbook

from gridgov.core.models import Role
from gridgov.register import selectors, services
from gridgov.register.exports import one_table_workbook
from gridgov.register.models import Relation, ResidenceType
from gridgov.register.selectors import OneTableFilters, one_table_households, one_table_rows
from tests.factories import Tree, make_user
from tests.register.conftest import person


def _rows(user, **filters):
    households = list(one_table_households(user, village=Tree.VILLAGE_A, filters=OneTableFilters(**filters)))
    return one_table_rows(user, households)


@pytest.fixture
def elderly_alone(screener, building):
    return services.household_create(actor=screener, building=building, unit_label="1单元102", members=[
        services.MemberSpec(person(name="孤老人", birth="19400101", phone="13911112222"), Relation.HEAD,
                            ResidenceType.REGISTERED_HERE)])


def test_grid_worker_sees_names_and_masked_phones(grid_worker, household):
    [row] = _rows(grid_worker)

    assert [m.name for m in row.members] == ["张大山", "李小花"]
    assert all("****" in m.phone for m in row.members)
    assert row.members[0].relation == str(Relation.HEAD.label)


def test_station_staff_see_masked_names_and_addresses(tree, household):
    staff = make_user("st2", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)

    [row] = _rows(staff)

    assert [m.name for m in row.members] == ["张**", "李**"]
    assert row.address.endswith("****") and "1单元101" not in row.address


def test_elderly_living_alone_filter_and_flag(grid_worker, household, elderly_alone):
    with translation.override("en"):
        rows = _rows(grid_worker, elderly_alone=True)

    assert [r.household_id for r in rows] == [elderly_alone.pk]
    assert rows[0].flags == ["Elderly, living alone"]


def test_program_badges_come_only_from_providers_that_allow_the_role(grid_worker, household, monkeypatch):
    head_id = household.memberships.get(relation=Relation.HEAD).person_id

    def provider(user, person_ids):
        return {head_id: ["关爱对象"]} if user.has_role(Role.GRID_WORKER) else {}

    monkeypatch.setattr(selectors, "PERSON_BADGE_PROVIDERS", [provider])

    [row] = _rows(grid_worker)
    assert row.members[0].badges == ["关爱对象"]


def test_one_table_query_count_does_not_grow_with_households(grid_worker, screener, building,
                                                             django_assert_num_queries):
    def make(n):
        for i in range(n):
            services.household_create(actor=screener, building=building, unit_label=f"{len(building.units.all())}-{i}", members=[
                services.MemberSpec(person(), Relation.HEAD, ResidenceType.REGISTERED_HERE),
                services.MemberSpec(person(), Relation.SPOUSE, ResidenceType.MOVED_IN)])

    make(2)
    # Households with buildings; current members with their people; care program badges.
    with django_assert_num_queries(3):
        _rows(grid_worker)
    make(10)
    grid_worker = type(grid_worker).objects.get(pk=grid_worker.pk)
    with django_assert_num_queries(3):
        _rows(grid_worker)


def test_excel_download_lists_every_member(grid_worker, household, elderly_alone):
    data = one_table_workbook(_rows(grid_worker), title="村1 一张表")  # an open file (issue 12)

    sheet = load_workbook(data).active
    names = [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sheet["A1"].value == "村1 一张表"
    assert names == ["张大山", "李小花", "孤老人"]


def test_downloading_the_one_table_is_logged(grid_worker, household, client):
    from gridgov.core.models import AuditEntry

    client.force_login(grid_worker)
    response = client.get(f"/register/villages/{Tree.VILLAGE_A}/xlsx/")

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="register.one_table_export")
    assert entry.object_id == Tree.VILLAGE_A and '"households":1' in entry.changes
