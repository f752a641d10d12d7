"""The shared mechanisms of core: the HTML keyset paginator, org-code helpers, the upload stager."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from gridgov.core import orgcodes
from gridgov.core.models import OrgUnit
from gridgov.core.pagination import keyset_page, moment_cursor, parse_moment_cursor, query_string
from gridgov.core.uploads import UploadStager
from tests.factories import Tree, build_tree, make_user

# --- Keyset pages ---------------------------------------------------------------------------------


def _all_pages(queryset, order, size):
    seen, after, pages = [], None, 0
    while True:
        page = keyset_page(queryset, after=after, order=order, size=size)
        seen += page.rows
        pages += 1
        if page.last is None:
            return seen, pages
        after = page.next_after


@pytest.mark.django_db
@pytest.mark.parametrize("order", [("code",), ("-code",), ("level", "code"), ("-level", "name", "pk")])
def test_pages_cover_every_row_once_in_the_order_asked(order):
    build_tree()
    units = OrgUnit.objects.all()

    seen, pages = _all_pages(units, order, size=3)

    assert seen == list(units.order_by(*order))
    assert pages == -(-units.count() // 3)  # no empty last page


@pytest.mark.django_db
def test_a_page_is_one_query_also_after_a_position(django_assert_num_queries):
    build_tree()
    first = keyset_page(OrgUnit.objects.all(), order=("level", "pk"), size=2)

    with django_assert_num_queries(1):
        second = keyset_page(OrgUnit.objects.all(), after=first.next_after, order=("level", "pk"), size=2)

    assert not set(first.rows) & set(second.rows)


@pytest.mark.django_db
def test_a_tuple_position_and_the_next_link_keep_the_filters():
    build_tree()
    units = list(OrgUnit.objects.order_by("level", "code"))
    page = keyset_page(OrgUnit.objects.all(), after=(units[0].level, units[0].code), order=("level", "code"), size=2)

    assert page.rows == units[1:3]
    assert page.next_url({"org": "99", "empty": ""}) == f"?org=99&after={units[2].code}"
    assert keyset_page(OrgUnit.objects.all(), order=("code",), size=100).next_url({"org": "99"}) is None


def test_query_strings_leave_out_what_is_not_given_and_moments_round_trip():
    moment = datetime.datetime(2026, 12, 2, 8, 30, 15, 123456, tzinfo=datetime.UTC)

    assert query_string({"a": 1, "b": "", "c": None, "d": False, "e": "x y"}) == "a=1&e=x+y"
    assert parse_moment_cursor(moment_cursor(moment, 42)) == (moment, 42)
    assert parse_moment_cursor("not-a-cursor") is None


# --- Org codes --------------------------------------------------------------------------------------


def test_org_codes_know_their_levels_parents_and_ancestors():
    cell = "320583102001003"

    assert orgcodes.level_of(cell) == "grid" and orgcodes.level_of("3205") == "city"
    assert orgcodes.level_of("32058") is None and orgcodes.level_of("abcd") is None
    assert orgcodes.parent_code(cell) == "320583102001" and orgcodes.parent_code("32") is None
    assert orgcodes.ancestor_codes(cell) == ["32", "3205", "320583", "320583102", "320583102001"]
    assert orgcodes.ancestor_codes("320583", include_self=True) == ["32", "3205", "320583"]


def test_a_malformed_org_code_is_refused_with_the_one_message():
    orgcodes.validate_org_code("320583102")
    with pytest.raises(ValidationError) as refused:
        orgcodes.validate_org_code("3205831")

    assert refused.value.messages == [str(orgcodes.ORG_CODE_MESSAGE)]


# --- The upload stager -------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().post("/")
    request.user, request.session = user, SessionStore()
    return request


@pytest.mark.django_db
def test_a_staged_upload_comes_back_only_to_its_session_and_once(tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    build_tree()
    owner, other = make_user("u1", scope=Tree.VILLAGE_A), make_user("u2", scope=Tree.VILLAGE_A)
    stager = UploadStager(session_key="test_pending", directory="private/test")
    request = _request(owner)

    token = stager.stage(request, data=b"a,b\n1,2\n", name="list.csv", kind="households")

    staged = stager.load(request, token)
    assert staged.read() == b"a,b\n1,2\n" and staged.name == "list.csv" and staged.meta == {"kind": "households"}
    assert stager.load(request, "forged") is None
    foreign = _request(other)
    foreign.session[stager.session_key] = request.session[stager.session_key]
    assert stager.load(foreign, token) is None  # another user's session never gets the file
    stager.discard(request)
    assert stager.load(request, token) is None and not [f for f in tmp_path.rglob("*") if f.is_file()]
