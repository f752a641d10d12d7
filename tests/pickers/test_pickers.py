"""The org-unit and user pickers: by name, by pinyin initials, by code, as a tree; always
within the user's scope; and the name paths that replace codes on the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.core import orgnames, pickers
from gridgov.core.models import OrgUnit, Role
from tests.factories import Tree, build_tree, make_user, org_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    t = build_tree()
    org_unit(Tree.TOWNSHIP_A[:6] + "002", "高资镇")
    org_unit(Tree.TOWNSHIP_A[:6] + "002001", "长江村")
    return t


def test_initials_of_chinese_names():
    assert pickers.initials("高资镇") == "gzz"
    assert pickers.initials("第3网格") == "d3wg"


def test_search_by_name_initials_and_code_stays_in_scope(tree):
    user = make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A)
    by_name = pickers.units_matching(user, "高资")
    assert [c.code for c in by_name] == ["990101002"]
    assert by_name[0].path == "县1 › 高资镇"
    assert [c.code for c in pickers.units_matching(user, "gzz")] == ["990101002"]
    assert [c.code for c in pickers.units_matching(user, "cjc")] == ["990101002001"]
    # County B's units share the names "网格1"… but lie outside the scope.
    assert {c.code for c in pickers.units_matching(user, "网格")} == {Tree.CELL_A1, Tree.CELL_A2}
    assert [c.code for c in pickers.units_matching(user, "9901010010")][:1] == [Tree.VILLAGE_A]
    assert pickers.units_matching(user, Tree.COUNTY_B) == []


def test_index_follows_a_renamed_unit(tree):
    user = make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A)
    assert pickers.units_matching(user, "gzz")
    unit = OrgUnit.objects.get(code="990101002")
    unit.name = "新丰镇"
    unit.save()
    assert pickers.units_matching(user, "gzz") == []
    assert [c.code for c in pickers.units_matching(user, "xfz")] == ["990101002"]


def test_tree_starts_at_the_scope_and_never_leaves_it(tree):
    user = make_user("station", Role.STATION_STAFF, scope=Tree.TOWNSHIP_A)
    root, children = pickers.unit_children(user, "")
    assert root.code == Tree.TOWNSHIP_A
    assert [c.code for c in children] == [Tree.VILLAGE_A]
    assert children[0].has_children
    assert pickers.unit_children(user, Tree.COUNTY_A) == (None, [])


def test_org_picker_view_answers_a_fragment(client, tree):
    client.force_login(make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A))
    page = client.get(reverse("core-picker-org"), {"q": "gzz", "for": "id_org"}).content.decode()
    assert 'data-pick-value="990101002"' in page and "县1 › 高资镇" in page
    assert "<html" not in page
    tree_page = client.get(reverse("core-picker-org"), {"parent": Tree.TOWNSHIP_A}).content.decode()
    assert f'data-pick-value="{Tree.VILLAGE_A}"' in tree_page
    assert f'"parent": "{Tree.COUNTY_A}"' in tree_page  # one level up, still in scope
    outside = client.get(reverse("core-picker-org"), {"parent": Tree.COUNTY_B}).content.decode()
    assert "data-pick-value" not in outside


def test_user_picker_finds_colleagues_of_the_scope_only(client, tree):
    officer = make_user("officer", Role.PROGRAM_OFFICER, scope=Tree.COUNTY_A)
    make_user("doc_a", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    make_user("doc_b", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B, display_name="李大夫")
    client.force_login(officer)
    page = client.get(reverse("core-picker-user"), {"q": "李"}).content.decode()
    assert 'data-pick-value="doc_a"' in page and "李医生" in page
    assert "doc_b" not in page
    auditor = make_user("auditor", Role.AUDITOR, scope="99")
    client.force_login(auditor)
    assert client.get(reverse("core-picker-user"), {"q": "李"}).status_code == 403


@pytest.mark.parametrize("role", [Role.MEDIATOR, Role.POLICE_LIAISON, Role.DEPARTMENT_STAFF, Role.GRID_WORKER])
def test_roles_that_assign_nobody_cannot_list_their_colleagues(client, tree, role):
    # review: a mediator could list every account of its township, police and auditors included
    make_user("doc_a", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    client.force_login(make_user("asker", role, scope=Tree.TOWNSHIP_A))

    response = client.get(reverse("core-picker-user"), {"q": "d"})

    assert response.status_code == 403 and "doc_a" not in response.content.decode()


def test_name_paths_of_a_list_in_one_query(tree):
    codes = [Tree.CELL_A1, Tree.CELL_A2, Tree.CELL_B1, Tree.TOWNSHIP_A, "99"]
    with CaptureQueriesContext(connection) as queries:
        paths = orgnames.org_name_paths(codes)
    assert len(queries) == 1
    assert paths[Tree.CELL_A1] == "县1 › 镇1 › 村1 › 网格1"
    assert paths[Tree.CELL_B1] == "县2 › 镇2 › 村2 › 网格1"
    assert paths["99"] == "示范省"
    assert orgnames.org_name_paths(["123456789012"]) == {"123456789012": "123456789012"}


def test_forms_with_an_area_offer_the_picker(client, tree):
    client.force_login(make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A))
    page = client.get(reverse("events-queue")).content.decode()
    assert 'data-picker-input="org"' in page and reverse("core-picker-org") in page
