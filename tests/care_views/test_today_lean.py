"""The lean daily list (issue 12): only the shown columns are loaded, the rows mask as the
full presenter did, the links are the reversed ones, and 5 or 50 rows cost the same queries."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care import selectors
from gridgov.care.models import Enrollment
from gridgov.care.views.common import program_text, status_label
from tests.care_views.conftest import TODAY, Tree, enroll_due
from tests.factories import PersonFactory

BASE = 5  # session, user, the user's roles, the scope's name for the header, unread notifications


def _people(staff, n):
    for i in range(n):
        cell = Tree.CELL_A1 if i % 2 else Tree.CELL_A2
        person = PersonFactory(org_code=cell, lat=31.005, lng=120.005 + (i % 2) / 100,
                               address=f"幸福路 {i} 号", phone=f"1391234{i:04d}")
        enroll_due(staff, person, start_date=TODAY - datetime.timedelta(days=i % 20))


@pytest.mark.parametrize("n", [5, 50])
def test_the_daily_list_costs_the_same_queries_for_5_and_50_rows(login, staff, django_assert_num_queries, n):
    _people(staff, n)
    client = login(staff["doctor"])

    # the area (its check), the counts, the list page, its areas' names, the map's cells, the map's people
    with django_assert_num_queries(BASE + 6):
        response = client.get(reverse("care-today"), {"org": Tree.TOWNSHIP_A})

    assert len(response.context["rows"]) == n and len(response.context["map_data"]["people"]) == n


@pytest.mark.parametrize("who", ["doctor", "gw"])
def test_the_lean_rows_show_what_the_full_presenter_showed(login, staff, who):
    # given: people in care, seen by the doctor (details) and by the grid worker (masked)
    _people(staff, 6)
    user = staff[who]

    response = login(user).get(reverse("care-today"))

    rows = response.context["rows"]
    assert rows
    for row in rows:
        full = Enrollment.objects.select_related("person").get(pk=row["id"])  # every column
        details = selectors.with_details_visible(user, Enrollment.objects.filter(pk=full.pk)).get().details_visible
        state = selectors.day_status(full, TODAY, details_visible=details)
        assert row["name"] == selectors.masked_name(user, full)
        assert (row["status"], row["status_label"]) == (state, status_label(state))
        assert row["program"] == program_text(selectors.program_label(user, full, details_visible=details))
        assert row["url"] == reverse("care-enrollment", args=[full.pk])
        assert row["visit_url"] == reverse("care-visit-new", args=[full.pk])
        assert row["crisis_url"] == reverse("care-crisis-new", args=[full.pk])
    body = response.content.decode()
    assert "幸福路" not in body and "1391234" not in body


def test_the_lean_queryset_loads_no_encrypted_column(staff):
    _people(staff, 2)

    sql = str(selectors.lean_daily(selectors.care_today_queryset(staff["doctor"])).query)

    assert '"core_person"."name"' in sql
    assert not any(f'"core_person"."{column}"' in sql for column in ("resident_id", "phone", "address"))
