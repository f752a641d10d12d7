"""The audit log over the API: auditors only, filters, newest first."""

import datetime

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from gridgov.core import request_context
from gridgov.core.actors import SystemActor
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.models import AuditEntry
from tests.factories import Tree, make_user

URL = "/api/v1/audit/"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def record(actor, action="person.update", org_code=Tree.CELL_A1, **extra):
    return audit_record(actor=actor, action=AuditAction(action), org_code=org_code, **extra)


def backdate(entry, at: datetime.datetime) -> None:
    """Move an entry in time (tests only: the log's own queryset refuses updates)."""
    QuerySet.update(AuditEntry.objects.filter(pk=entry.pk), at=at)


def results(response):
    assert response.status_code == 200, response.json()
    return response.json()["results"]


@pytest.mark.parametrize("role_fixture", ["grid_worker", "station_staff", "city_admin"])
def test_only_auditors_may_read_the_log(request, client_for, role_fixture):
    response = client_for(request.getfixturevalue(role_fixture)).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_rows_are_newest_first_with_every_field(client_for, auditor, grid_worker):
    token = request_context.set_ip("10.1.2.3")
    try:
        older = record(grid_worker, object_type="core.person", object_id="7", object_repr="张*",
                       changes={"fields": ["phone"]})
        newer = record(grid_worker, action="person.open_record", purpose="入户走访")
    finally:
        request_context.reset_ip(token)

    rows = results(client_for(auditor).get(URL))

    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    row = rows[1]
    assert row == {
        "id": older.pk,
        "chain": Tree.COUNTY_A,
        "seq": older.seq,
        "at": row["at"],
        "actor": "gw",
        "action": "person.update",
        "object_type": "core.person",
        "object_id": "7",
        "object_repr": "张*",
        "org_code": Tree.CELL_A1,
        "ip": "10.1.2.3",
        "purpose": "",
        "changes": {"fields": ["phone"]},
        "hash": older.hash,
        "purpose_label": "",
        # emergency (issue 10): the codes in words, and the person the entry is about
        "action_label": "Person changed",
        "object_type_label": "person",
        "person": None,
        # issue 11: who and where in words
        "actor_label": "gw",
        "org_name": "县1 › 镇1 › 村1 › 网格1",
    }
    assert datetime.datetime.fromisoformat(row["at"]).utcoffset() == datetime.timedelta(hours=8)
    assert rows[0]["purpose"] == "入户走访"


def test_filters_narrow_the_log(client_for, auditor, grid_worker, station_staff):
    a = record(grid_worker, action="person.update", object_type="core.person", object_id="1")
    b = record(station_staff, action="person.open_record", object_type="core.person", object_id="2")
    c = record(grid_worker, action="department.create", org_code=Tree.COUNTY_B)
    client = client_for(auditor)

    def ids(**params):
        return [row["id"] for row in results(client.get(URL, params))]

    assert ids(actor="gw") == [c.pk, a.pk]
    assert ids(action="person.") == [b.pk, a.pk]
    assert ids(object_type="core.person", object_id="2") == [b.pk]
    assert ids(org=Tree.COUNTY_B) == [c.pk]


def test_since_and_until_take_dates_or_times_in_server_time(client_for, auditor, grid_worker):
    may_1 = record(grid_worker)
    may_2 = record(grid_worker)
    backdate(may_1, datetime.datetime(2026, 5, 1, 23, 30, tzinfo=SHANGHAI))
    backdate(may_2, datetime.datetime(2026, 5, 2, 0, 30, tzinfo=SHANGHAI))
    client = client_for(auditor)

    def ids(**params):
        return [row["id"] for row in results(client.get(URL, params))]

    assert ids(since="2026-05-02") == [may_2.pk]
    assert ids(until="2026-05-01") == [may_1.pk]  # through the end of that day
    assert ids(since="2026-05-01T23:00:00", until="2026-05-02T00:00:00+08:00") == [may_1.pk]
    assert ids(since="2026-05-01T16:00:00Z") == [may_2.pk]


@pytest.mark.parametrize(
    "params, field",
    [({"since": "yesterday"}, "since"), ({"until": "2026-13-01"}, "until"),
     ({"since": "2026-05-02", "until": "2026-05-01"}, "until")],
)
def test_bad_times_are_400(client_for, auditor, params, field):
    response = client_for(auditor).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_county_auditor_sees_only_their_county(client_for, grid_worker, tree):
    county_auditor = make_user("aud-a", "auditor", scope=Tree.COUNTY_A)
    mine = record(grid_worker)
    record(grid_worker, org_code=Tree.COUNTY_B)
    record(grid_worker, org_code="")

    assert [row["id"] for row in results(client_for(county_auditor).get(URL))] == [mine.pk]


def test_pages_run_newest_first_without_gaps(client_for, auditor, grid_worker):
    entries = [record(grid_worker) for _ in range(5)]
    now = timezone.now()
    for offset, entry in enumerate(entries):  # two share a time: ties break by id
        backdate(entry, now - datetime.timedelta(minutes=min(offset, 3)))
    client = client_for(auditor)

    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert third["next"] is None
    assert sorted(seen) == sorted(e.pk for e in entries) and len(seen) == 5
    assert seen[:3] == [entries[0].pk, entries[1].pk, entries[2].pk]


@pytest.mark.parametrize("count", [3, 30])
def test_listing_the_log_costs_the_same_queries_whatever_its_length(
    client_for, auditor, grid_worker, django_assert_num_queries, count
):
    for _ in range(count):
        record(grid_worker)
    client = client_for(auditor)

    # token, the auditor's roles, one page of entries, the actors' names, the places
    with django_assert_num_queries(5):
        response = client.get(URL)

    assert len(response.json()["results"]) == count


def test_names_in_object_labels_come_masked_to_auditors(db):
    from rest_framework.test import APIClient

    from gridgov.core.audit import audit_record
    from gridgov.core.models import Role
    from tests.factories import PersonFactory, build_tree, make_user

    build_tree()
    person = PersonFactory(name="王小明")
    audit_record(actor=SystemActor("test"), action=AuditAction.PERSON_UPDATE, obj=person, person_id=person.pk, org_code=person.org_code,
                 object_repr="王小明")
    client = APIClient()
    client.force_authenticate(make_user("aud2", Role.AUDITOR, scope="99"))

    [row] = client.get("/api/v1/audit/").json()["results"]

    assert row["object_repr"] == "王**"


def test_an_auditor_looking_up_a_person_is_logged_with_the_number_masked(db):
    from rest_framework.test import APIClient

    from gridgov.core.models import AuditEntry, Role
    from tests.factories import build_tree, make_user

    build_tree()
    client = APIClient()
    client.force_authenticate(make_user("aud3", Role.AUDITOR, scope="99"))

    client.get("/api/v1/audit/", {"person_resident_id": "11010519491231002X"})

    entry = AuditEntry.objects.get(action="audit.search")
    assert entry.object_repr == "1101*************X" and "11010519491231002X" not in entry.changes
