"""Metrics per program (statistics: every level, sensitive programs folded together for
roles without details) and payments: agreements, subsidies and the totals of a period."""

from decimal import Decimal

from django.urls import reverse

from gridgov.care import services
from gridgov.care.models import Payment
from tests.care_views.conftest import TODAY, Tree, enroll_due
from tests.factories import PersonFactory


def test_metrics_per_program_for_the_county(login, staff, due_case):
    elderly = PersonFactory(org_code=Tree.CELL_A1)
    enroll_due(staff, elderly, program="elderly", details={})

    response = login(staff["officer"]).get(reverse("care-metrics"), {"org": Tree.COUNTY_A})

    assert response.status_code == 200
    rows = {r["program"]: r for r in response.context["rows"]}
    assert rows["smd"]["enrolled"] == 1 and rows["smd"]["overdue"] == 1
    assert rows["smd"]["management_rate_text"] == "0.0%"
    assert "Severe mental disorder" in response.content.decode()


def test_a_city_level_officer_sees_the_numbers(login, staff, due_case):
    response = login(staff["city_officer"]).get(reverse("care-metrics"))

    assert response.status_code == 200
    assert [r["enrolled"] for r in response.context["rows"]] == ["<5"]  # suppressed above the county (issue 10)
    assert "陈明" not in response.content.decode()


def test_a_grid_worker_sees_sensitive_programs_folded_together(login, staff, due_case):
    response = login(staff["gw"]).get(reverse("care-metrics"))

    body = response.content.decode()
    assert [r["program"] for r in response.context["rows"]] == ["***"]
    assert "Severe mental disorder" not in body and "Programs not shown by name" in body


def test_the_payments_page_needs_the_record_opened(login, staff, due_case):
    client = login(staff["officer"])
    url = reverse("care-enrollment-payments", args=[due_case.pk])

    assert client.get(url)["Location"] == reverse("care-enrollment", args=[due_case.pk])
    client.post(reverse("care-enrollment-open", args=[due_case.pk]), {"reason": "care_follow_up"})
    assert client.get(url).status_code == 200


def test_agreements_subsidies_and_totals(login, staff, due_case):
    client = login(staff["officer"])
    client.post(reverse("care-enrollment-open", args=[due_case.pk]), {"reason": "care_follow_up"})
    url = reverse("care-enrollment-payments", args=[due_case.pk])
    day = TODAY.isoformat()

    subsidy = client.post(url, {"action": "subsidy", "subsidy-kind": "with_guardian", "subsidy-period_start": day,
                                "subsidy-period_end": day, "subsidy-paid_on": day})
    agreement = client.post(url, {"action": "agreement", "agreement-guardian_name": "陈母", "agreement-year": TODAY.year,
                                  "agreement-annual_amount": "1200", "agreement-conditions": "按时服药",
                                  "agreement-signed_on": day})
    agreement_id = due_case.agreements.get().pk
    too_much = client.post(url, {"action": "payment", "payment-agreement": agreement_id, "payment-amount": "5000",
                                 "payment-period_start": day, "payment-period_end": day,
                                 "payment-conditions_met": "on", "payment-paid_on": day})
    paid = client.post(url, {"action": "payment", "payment-agreement": agreement_id, "payment-amount": "300",
                             "payment-period_start": day, "payment-period_end": day,
                             "payment-conditions_met": "on", "payment-paid_on": day})

    assert [subsidy.status_code, agreement.status_code, too_much.status_code, paid.status_code] == [302, 302, 409, 302]
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("100.00"), Decimal("300.00")]
    totals = client.get(reverse("care-payments"), {"org": Tree.COUNTY_A})
    assert dict(totals.context["totals"]) == {"Guardian reward": "300.00", "Treatment subsidy": "100.00"}
    assert [r["person"] for r in totals.context["rows"]] == ["陈明", "陈明"]
    city = login(staff["city_officer"]).get(reverse("care-payments"))
    assert dict(city.context["totals"])["Treatment subsidy"] == "100.00" and city.context["rows"] == []
    assert "陈明" not in city.content.decode()


def test_payments_are_for_officers(login, staff, due_case):
    services.treatment_subsidy_record(actor=staff["officer"], enrollment=due_case, kind="homeless",
                                      period_start=TODAY, period_end=TODAY, paid_on=TODAY)

    assert login(staff["doctor"]).get(reverse("care-payments")).status_code == 403
    assert login(staff["officer_b"]).get(reverse("care-enrollment-payments", args=[due_case.pk])).status_code == 404


def test_the_city_administrator_sees_counts_only(login, staff, due_case, city_admin):
    response = login(city_admin).get(reverse("care-metrics"))

    assert response.status_code == 200
    body = response.content.decode()
    assert [r["program"] for r in response.context["rows"]] == ["***"]  # no care details: folded
    assert [r["enrolled"] for r in response.context["rows"]] == ["<5"]  # suppressed above the county
    assert "陈明" not in body and "Severe mental disorder" not in body
