"""The auditor's search of the audit log."""

import datetime

from django.urls import reverse

from gridgov.core.models import AuditEntry, Role
from gridgov.core.services import person_open_record
from tests.factories import PersonFactory, Tree, make_user

FULL_ID = "11010519491231002X"


def test_auditor_finds_the_open_record_entry_by_resident_id_without_seeing_the_person(
    login, auditor, grid_worker, resident
):
    other = PersonFactory(name="李四")
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit", note="about the roof")
    person_open_record(actor=grid_worker, person=other, purpose="event_handling", note="verifying a report")

    response = login(auditor).get(reverse("audit-search"), {"resident_id": FULL_ID.lower()})

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["entry"].purpose for r in rows] == ["home_visit: about the roof"]
    content = response.content.decode()
    # The auditor reads the purpose's label and the note, never its code.
    assert "入户走访 — about the roof" in content and "home_visit" not in content and "gw" in content
    assert "王小明" not in content and FULL_ID not in content and "13912345678" not in content
    assert "王**" in content


def test_filters_by_actor_action_object_and_org(login, auditor, grid_worker, care_worker, resident):
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit")
    person_open_record(actor=care_worker, person=resident, purpose="care_follow_up")
    client = login(auditor)

    by_actor = client.get(reverse("audit-search"), {"actor": "doc"}).context["rows"]
    by_action = client.get(reverse("audit-search"), {"action": "person.open_record"}).context["rows"]
    by_object = client.get(reverse("audit-search"), {"object_type": "core.person",
                                                     "object_id": str(resident.pk)}).context["rows"]
    by_org = client.get(reverse("audit-search"), {"org_code": Tree.COUNTY_B}).context["rows"]

    assert [r["entry"].purpose for r in by_actor] == ["care_follow_up"]
    assert len(by_action) == 2 and len(by_object) == 2
    assert by_org == []


def test_date_range_is_in_shanghai_days(login, auditor, grid_worker, resident):
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit")
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    client = login(auditor)

    today_rows = client.get(reverse("audit-search"), {"since": today, "until": today}).context["rows"]
    yesterday_rows = client.get(reverse("audit-search"), {"until": today - datetime.timedelta(days=1)}).context["rows"]

    assert len(today_rows) == 1 and yesterday_rows == []


def test_an_end_before_the_start_is_a_400(login, auditor):
    response = login(auditor).get(reverse("audit-search"), {"since": "2026-03-02", "until": "2026-03-01"})

    assert response.status_code == 400
    assert "until" in response.context["form"].errors


def test_results_page_by_keyset(login, auditor, grid_worker, resident):
    for n in range(52):
        person_open_record(actor=grid_worker, person=resident, purpose="home_visit", note=f"visit number {n}")
    client = login(auditor)

    first = client.get(reverse("audit-search"), {"actor": "gw"})
    second = client.get(reverse("audit-search") + first.context["next_url"])

    assert len(first.context["rows"]) == 50
    assert "actor=gw" in first.context["next_url"]
    assert [r["entry"].purpose for r in second.context["rows"]] == ["home_visit: visit number 1", "home_visit: visit number 0"]
    assert second.context["next_url"] is None


def test_times_are_shown_in_shanghai(login, auditor, grid_worker, resident):
    entry = person_open_record(actor=grid_worker, person=resident, purpose="home_visit") and \
        AuditEntry.objects.get()
    shanghai = entry.at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))

    content = login(auditor).get(reverse("audit-search")).content.decode()

    assert shanghai.strftime("%Y-%m-%d %H:%M:%S") in content


def test_a_county_auditor_sees_only_their_county(login, tree, grid_worker, resident, county_b_worker,
                                                 other_county_resident):
    person_open_record(actor=grid_worker, person=resident, purpose="home_visit", note="A")
    person_open_record(actor=county_b_worker, person=other_county_resident, purpose="home_visit", note="B")
    auditor_b = make_user("audb", Role.AUDITOR, scope=Tree.COUNTY_B)

    rows = login(auditor_b).get(reverse("audit-search")).context["rows"]

    assert [r["entry"].purpose for r in rows] == ["home_visit: B"]


def test_other_roles_are_refused(login, grid_worker, city_admin, station_staff):
    for user in (grid_worker, city_admin, station_staff):
        response = login(user).get(reverse("audit-search"))

        assert response.status_code == 403
        assert 'class="site-header"' in response.content.decode()
