"""Money over the API: treatment subsidies within the cap, guardian agreements and their
payments against conditions, and a period's payments with totals per kind."""

import pytest

from gridgov.care.models import GuardianAgreement, Payment
from tests.care_api.conftest import enroll, enrollment_url
from tests.factories import PersonFactory, Tree

PAYMENTS_URL = "/api/v1/care/payments/"


def subsidy(**overrides) -> dict:
    return {"kind": "with_guardian", "period_start": "2026-10-01", "period_end": "2026-10-30", **overrides}


def test_a_treatment_subsidy_is_paid_per_day_within_the_cap(clients, staff, patient):
    enrollment = enroll(staff, patient)
    url = enrollment_url(enrollment, "subsidies/")

    first = clients["officer"].post(url, subsidy(), format="json")
    over_cap = clients["officer"].post(url, subsidy(kind="homeless", period_start="2026-11-01",
                                                    period_end="2026-12-05"), format="json")

    assert first.status_code == 201
    body = first.json()
    assert (body["kind"], body["days"], body["daily_rate"], body["amount"], body["paid_on"]) == (
        "treatment_subsidy", 30, "100.00", "3000.00", "2026-11-24")
    assert over_cap.status_code == 409
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "vip"}, "kind"),
    ({"period_end": "2026-09-30"}, "period_end"),
    ({"period_start": "yesterday"}, "period_start"),
])
def test_an_invalid_subsidy_is_400(clients, staff, patient, overrides, field):
    response = clients["officer"].post(enrollment_url(enroll(staff, patient), "subsidies/"), subsidy(**overrides),
                                       format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Payment.objects.count() == 0


def test_a_guardian_agreement_and_its_payments_against_conditions(clients, staff, patient):
    enrollment = enroll(staff, patient)
    client = clients["officer"]

    signed = client.post(enrollment_url(enrollment, "agreements/"), {
        "guardian_name": "陈母", "year": 2026, "annual_amount": "3600", "conditions": "按时服药、无肇事肇祸",
        "signed_on": "2026-11-02"}, format="json")
    agreement_url = f"/api/v1/agreements/{signed.json()['id']}/payments/"
    paid = client.post(agreement_url, {"amount": "900", "period_start": "2026-07-01", "period_end": "2026-09-30",
                                       "conditions_met": True}, format="json")
    unmet = client.post(agreement_url, {"amount": "900", "period_start": "2026-10-01", "period_end": "2026-12-31",
                                        "conditions_met": False}, format="json")
    too_much = client.post(agreement_url, {"amount": "3000", "period_start": "2026-10-01",
                                           "period_end": "2026-12-31", "conditions_met": True}, format="json")

    assert signed.status_code == 201
    assert (signed.json()["year"], signed.json()["annual_amount"]) == (2026, "3600.00")
    assert paid.status_code == 201
    assert (paid.json()["kind"], paid.json()["amount"], paid.json()["agreement"]) == (
        "guardian_reward", "900.00", signed.json()["id"])
    assert (unmet.status_code, too_much.status_code) == (409, 409)
    assert client.post(enrollment_url(enrollment, "agreements/"), {
        "guardian_name": "陈母", "year": 2026, "annual_amount": "3600"}, format="json").status_code == 409
    assert GuardianAgreement.objects.count() == 1 and Payment.objects.count() == 1


def test_payments_outside_the_area_are_404(clients, staff, patient):
    enrollment = enroll(staff, patient)
    agreement_id = clients["officer"].post(enrollment_url(enrollment, "agreements/"), {
        "guardian_name": "陈母", "year": 2026, "annual_amount": "3600"}, format="json").json()["id"]

    assert clients["officer_b"].post(enrollment_url(enrollment, "subsidies/"), subsidy(),
                                     format="json").status_code == 404
    assert clients["officer_b"].post(f"/api/v1/agreements/{agreement_id}/payments/", {
        "amount": "1", "period_start": "2026-07-01", "period_end": "2026-09-30", "conditions_met": True},
        format="json").status_code == 404
    assert clients["doctor"].post(enrollment_url(enrollment, "subsidies/"), subsidy(),
                                  format="json").status_code == 403


def test_the_payments_of_a_period_with_totals_per_kind(clients, staff, patient):
    enrollment = enroll(staff, patient)
    client = clients["officer"]
    client.post(enrollment_url(enrollment, "subsidies/"), subsidy(), format="json")
    client.post(enrollment_url(enrollment, "subsidies/"), subsidy(period_start="2026-11-01", period_end="2026-11-10",
                                                                  paid_on="2025-12-01"), format="json")
    agreement_id = client.post(enrollment_url(enrollment, "agreements/"), {
        "guardian_name": "陈母", "year": 2026, "annual_amount": "3600"}, format="json").json()["id"]
    client.post(f"/api/v1/agreements/{agreement_id}/payments/", {
        "amount": "900", "period_start": "2026-07-01", "period_end": "2026-09-30", "conditions_met": True},
        format="json")

    body = client.get(PAYMENTS_URL).json()

    assert (body["since"], body["until"]) == ("2026-01-01", "2026-11-24")
    assert body["totals"] == {"guardian_reward": "900.00", "treatment_subsidy": "3000.00"}
    assert [(r["kind"], r["amount"], r["person"]["name"]) for r in body["results"]] == [
        ("guardian_reward", "900.00", "陈明"), ("treatment_subsidy", "3000.00", "陈明")]
    last_year = client.get(PAYMENTS_URL, {"since": "2025-01-01", "until": "2025-12-31"}).json()
    assert last_year["totals"] == {"guardian_reward": "0.00", "treatment_subsidy": "1000.00"}
    city = clients["city_officer"].get(PAYMENTS_URL).json()
    assert (city["results"], city["totals"]["treatment_subsidy"]) == ([], "3000.00")
    assert clients["officer_b"].get(PAYMENTS_URL).json()["totals"]["treatment_subsidy"] == "0.00"
    assert client.get(PAYMENTS_URL, {"since": "2026-12-01", "until": "2026-11-01"}).status_code == 400


@pytest.mark.parametrize("count", [3, 30])
def test_listing_payments_costs_the_same_queries_whatever_their_number(
    clients, staff, tree, django_assert_num_queries, count
):
    from gridgov.care import services
    from tests.care_api.conftest import TODAY

    for _ in range(count):
        enrollment = enroll(staff, PersonFactory(org_code=Tree.CELL_A1))
        services.treatment_subsidy_record(actor=staff["officer"], enrollment=enrollment, kind="homeless",
                                          period_start=TODAY, period_end=TODAY, paid_on=TODAY)
    client = clients["officer"]

    with django_assert_num_queries(4):  # token, roles, the totals, one page with the people
        response = client.get(PAYMENTS_URL)

    assert len(response.json()["results"]) == count
    assert response.json()["totals"]["treatment_subsidy"] == f"{200 * count}.00"
