"""A crisis: danger reported from the enrollment page or the daily list alerts the whole
team at once; the team records what it did and the outcome."""

from django.urls import reverse

from gridgov.care.models import Crisis
from gridgov.core.models import Notification
from tests.care_views.conftest import TODAY


def test_a_reported_crisis_lists_the_alerted_team(login, staff, due_case):
    client = login(staff["gw"])
    form = client.get(reverse("care-crisis-new", args=[due_case.pk]))
    assert form.status_code == 200

    response = client.post(reverse("care-crisis-new", args=[due_case.pk]), {
        "description": "在家中砸东西，情绪激动", "reported_by": "family"}, follow=True)

    crisis = Crisis.objects.get(enrollment=due_case)
    assert response.redirect_chain[-1][0] == reverse("care-crisis", args=[crisis.pk])
    # issue 10: a grid worker is not told that a doctor was alerted
    assert response.context["alerted"] == ["A member of the care team", "gw"]
    body = response.content.decode()
    assert "Alerted at once" in body and "<li>A member of the care team</li>" in body and "<li>gw</li>" in body
    assert Notification.objects.filter(kind="care_crisis").count() == 2


def test_a_crisis_needs_a_description(login, staff, due_case):
    response = login(staff["gw"]).post(reverse("care-crisis-new", args=[due_case.pk]), {
        "description": "", "reported_by": "family"})

    assert response.status_code == 400
    assert not Crisis.objects.exists()


def test_the_team_records_what_was_done_and_the_admission(login, staff, due_case):
    from gridgov.care import services

    crisis = services.crisis_report(actor=staff["gw"], enrollment=due_case, description="持刀威胁家人",
                                    reported_by="family")
    client = login(staff["doctor"])

    response = client.post(reverse("care-crisis-action", args=[crisis.pk]), {
        "note": "出诊评估后送医", "outcome": "admitted"}, follow=True)

    assert response.status_code == 200
    crisis.refresh_from_db()
    assert crisis.outcome == "admitted"
    assert "出诊评估后送医" in response.content.decode()
    due_case.refresh_from_db()
    assert due_case.hospitalized_since == TODAY
    page = client.get(reverse("care-today"))
    assert [r["status"] for r in page.context["rows"]] == ["hospitalized"]


def test_someone_outside_the_team_cannot_record_actions(login, staff, due_case):
    from gridgov.care import services

    crisis = services.crisis_report(actor=staff["gw"], enrollment=due_case, description="x", reported_by="family")

    assert login(staff["gw_other"]).get(reverse("care-crisis", args=[crisis.pk])).status_code == 404
    assert login(staff["officer_b"]).post(reverse("care-crisis-action", args=[crisis.pk]),
                                          {"note": "x"}).status_code == 404
