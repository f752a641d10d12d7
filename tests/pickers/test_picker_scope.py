"""The pickers reveal nothing outside the user's scope: not by name, by pinyin initials or by
code prefix, not as a tree, and not the units or accounts above the scope (core.pickers reads
through `visible_to`)."""

import pytest
from django.urls import reverse

from gridgov.core import pickers
from gridgov.core.models import Role, User
from tests.factories import Tree, build_tree, make_user, org_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    t = build_tree()
    org_unit(Tree.COUNTY_B + "007", "秘密镇")  # only in county B
    org_unit(Tree.COUNTY_B + "007001", "隐山村")
    return t


@pytest.fixture
def township_user():
    return make_user("officer_a", Role.PROGRAM_OFFICER, scope=Tree.TOWNSHIP_A)


@pytest.mark.parametrize("query", ["秘密", "隐山", "mmz", "ysc", "mm", Tree.COUNTY_B, Tree.COUNTY_B[:5] + "2",
                                   Tree.CELL_B1, "990102007"])
def test_the_org_picker_finds_nothing_of_another_county(tree, township_user, query):
    assert pickers.units_matching(township_user, query) == []


@pytest.mark.parametrize("query", ["县1", "x1", "9901", "990101", "99"])
def test_the_org_picker_offers_no_unit_above_the_scope(tree, township_user, query):
    # visible_to shows the units above the scope (for breadcrumbs); a picker never offers them
    assert all(c.code.startswith(Tree.TOWNSHIP_A) for c in pickers.units_matching(township_user, query))


def test_the_org_picker_in_scope_still_finds_by_name_initials_and_code(tree, township_user):
    assert [c.code for c in pickers.units_matching(township_user, "村1")] == [Tree.VILLAGE_A]
    assert [c.code for c in pickers.units_matching(township_user, "c1")][:1] == [Tree.VILLAGE_A]
    assert {c.code for c in pickers.units_matching(township_user, Tree.VILLAGE_A)} == {
        Tree.VILLAGE_A, Tree.CELL_A1, Tree.CELL_A2}


@pytest.mark.parametrize("parent", [Tree.COUNTY_B, "990102007", Tree.COUNTY_A, "99", "9901"])
def test_the_tree_opens_no_level_outside_the_scope(tree, township_user, parent):
    assert pickers.unit_children(township_user, parent) == (None, [])


def test_the_org_picker_page_shows_nothing_of_another_county(client, tree, township_user):
    client.force_login(township_user)
    for params in ({"q": "秘密"}, {"q": "mmz"}, {"q": "990102"}, {"parent": "990102007"}):
        page = client.get(reverse("core-picker-org"), params).content.decode()
        assert "秘密" not in page and "隐山" not in page and "990102" not in page


def test_a_user_without_a_scope_picks_nothing(tree):
    nobody = make_user("noscope", Role.DISPATCHER, scope="")
    assert pickers.units_matching(nobody, "网格") == []
    assert pickers.unit_children(nobody, "") == (None, [])
    make_user("doc_a", Role.CARE_WORKER, scope=Tree.TOWNSHIP_A, display_name="李医生")
    assert pickers.users_matching(nobody, "李") == []


@pytest.fixture
def colleagues(tree):
    make_user("li_a", Role.CARE_WORKER, scope=Tree.VILLAGE_A, display_name="李医生")
    make_user("li_b", Role.CARE_WORKER, scope=Tree.TOWNSHIP_B, display_name="李秘书")
    make_user("li_county", Role.CITY_ADMIN, scope=Tree.COUNTY_A, display_name="李县长")
    make_user("li_gone", Role.CARE_WORKER, scope=Tree.VILLAGE_A, display_name="李离职", is_active=False)


@pytest.mark.parametrize("query", ["李", "li", "li_", "l", "秘书", "li_b", "县长", Tree.TOWNSHIP_B, "9901"])
def test_the_user_picker_finds_only_active_colleagues_of_the_scope(colleagues, township_user, query):
    found = {c.username for c in pickers.users_matching(township_user, query)}
    assert found <= {"li_a"}


def test_the_user_picker_page_names_nobody_outside(client, colleagues, township_user):
    client.force_login(township_user)
    page = client.get(reverse("core-picker-user"), {"q": "李"}).content.decode()
    assert "li_a" in page
    for hidden in ("li_b", "李秘书", "li_county", "李县长", "li_gone"):
        assert hidden not in page


def test_users_visible_to_is_the_scope_of_the_account(colleagues, township_user):
    assert set(User.objects.visible_to(township_user).values_list("username", flat=True)) == {
        "officer_a", "li_a", "li_gone"}
