"""A resident asks for mediation online without an account, gets a tracking code, and follows
the request with the code and the last four digits of the mobile given; the pages never show
the matters, the other party or a mediator's account, and limit requests and guesses per
connection address (never per forwarded header)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.mediation import services
from gridgov.mediation.clock import one_month_after
from gridgov.mediation.models import Case, Channel
from gridgov.mediation.selectors.public import request_by_tracking
from gridgov.mediation.workflow import CaseStatus
from tests.factories import Tree
from tests.mediation.conftest import (  # noqa: F401
    api,
    case,
    committee,
    justice,
    mediator_user,
    seat,
    township_committee,
)

pytestmark = pytest.mark.django_db

POINT_A1 = {"lat": "31.005", "lng": "120.005"}  # inside grid cell 990101001001001 (village A)
POINT_B1 = {"lat": "31.005", "lng": "120.105"}  # county B: no committee serves it
POINT_OUTSIDE = {"lat": "30.5", "lng": "119.5"}  # no grid cell
PHONE = "13812345678"
MATTERS = "楼上卫生间漏水三个月，多次协商无果"
RESPONDENT = "赵楼上"


@pytest.fixture
def anon():
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")


def ask(client, **fields):
    body = {"type": "neighbour", **POINT_A1, "matters": MATTERS, "name": "王小明", "phone": PHONE,
            "respondent_name": RESPONDENT, **fields}
    return client.post(reverse("mediation-request"), body)


def look_up(client, code, digits):
    return client.post(reverse("mediation-track"), {"code": code, "phone_last4": digits})


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def requested(anon, committee, seat):
    """A request sent through the page; the case and the client that sent it."""
    assert ask(anon).status_code == 302
    return Case.objects.get()


# --- Asking ------------------------------------------------------------------------------------


def test_the_form_offers_the_kinds_of_dispute_and_the_map(anon, committee):
    body = anon.get(reverse("mediation-request")).content.decode()

    assert 'value="neighbour"' in body and "Marriage and family" in body
    assert "data-pointpicker" in body and reverse("events-public-cells") in body
    assert "csrfmiddlewaretoken" in body


def test_a_request_goes_to_the_village_committee_and_shows_its_tracking_code(anon, committee, seat):
    # when
    response = ask(anon)

    # then: a requested case of the village's committee, the place its grid cell
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("mediation-request-sent")
    assert (case.status, case.channel, case.org_code, case.committee) == (
        CaseStatus.REQUESTED, Channel.ONLINE, Tree.CELL_A1, committee)
    assert re.fullmatch(r"TJ[2-9A-HJKMNP-Z]{10}", case.tracking_code)
    # and a page with the code, the committee and what happens next
    body = anon.get(response.url).content.decode()
    assert f'data-tracking-code>{case.tracking_code}<' in body
    assert "幸福村人民调解委员会" in body and "will call you back" in body
    assert reverse("mediation-track") in body
    assert PHONE not in body and MATTERS not in body and RESPONDENT not in body
    # the page can be reloaded; the code never travels in a URL
    assert anon.get(response.url).status_code == 200
    assert case.tracking_code not in response.url


def test_the_sent_page_without_a_request_goes_back_to_the_form(anon):
    response = anon.get(reverse("mediation-request-sent"))

    assert response.status_code == 302 and response.url == reverse("mediation-request")


def test_the_township_committee_takes_it_where_the_village_has_none(anon, township_committee):
    assert ask(anon).status_code == 302

    assert Case.objects.get().committee == township_committee


@pytest.mark.parametrize("fields, field", [
    ({"phone": "12345"}, "phone"),
    ({"phone": ""}, "phone"),
    ({"name": ""}, "name"),
    ({"matters": "   "}, "matters"),
    ({"type": "petition"}, "type"),
    ({"lat": "", "lng": ""}, "lat"),
    (POINT_OUTSIDE, "lat"),
])
def test_bad_input_is_shown_next_to_its_field_and_writes_nothing(anon, committee, fields, field):
    response = ask(anon, **fields)

    assert response.status_code == 400
    assert Case.objects.count() == 0
    html = response.content.decode()
    if field == "lat":  # under the map
        assert re.search(r'data-location.*?<ul class="field-errors"><li>', html, re.S)
    else:
        assert re.search(rf'<ul class="field-errors" id="id_{field}_error"><li>', html)


def test_a_place_no_committee_serves_says_so_under_the_map(anon, committee):
    response = ask(anon, **POINT_B1)

    assert response.status_code == 400
    assert "No mediation committee serves this place yet" in response.content.decode()
    assert Case.objects.count() == 0


def test_errors_are_in_chinese(committee):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR="203.0.113.7")

    response = ask(client, name="")

    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()


def test_the_form_needs_its_csrf_token(committee):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")

    response = ask(client)

    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_ten_requests_an_hour_per_address_never_per_forwarded_header(anon, committee):
    # given: ten requests from one address, each claiming another forwarded address
    for n in range(10):
        assert ask(anon, matters=f"第{n}件纠纷", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 302

    # when
    response = ask(anon, matters="第十一件", HTTP_X_FORWARDED_FOR="198.51.100.99")

    # then
    assert response.status_code == 429
    assert "Please try again in an hour" in response.content.decode()
    assert Case.objects.count() == 10
    # another address still may
    assert ask(Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.8")).status_code == 302


def test_an_invalid_request_spends_nothing(anon, committee):
    for _n in range(12):
        assert ask(anon, phone="12345").status_code == 400

    assert ask(anon).status_code == 302


def test_the_page_and_the_api_share_one_budget(anon, committee):
    # given: ten requests through the API from the page's address
    body = {"type": "neighbour", "org_code": Tree.CELL_A1, "matters": MATTERS, "name": "王小明", "phone": PHONE}
    client = api()
    for _n in range(10):
        assert client.post(reverse("api-mediation-requests"), body, format="json",
                           REMOTE_ADDR="203.0.113.7").status_code == 201

    # when / then
    assert ask(anon).status_code == 429
    assert Case.objects.count() == 10


# --- Following ---------------------------------------------------------------------------------


def test_the_applicant_follows_the_request_by_code_and_last_four_digits(anon, requested):
    response = look_up(anon, requested.tracking_code, PHONE[-4:])

    assert response.status_code == 200
    html = response.content.decode()
    assert "Requested, awaiting acceptance" in html
    assert "幸福村人民调解委员会" in html
    assert "will call you back" in html
    for secret in (MATTERS, RESPONDENT, PHONE, "王小明", "郑芳", "mediator", "调解员"):
        assert secret not in html


def test_the_code_may_be_typed_in_lower_case_with_spaces(anon, requested):
    code = requested.tracking_code.lower()
    spaced = f"{code[:2]} {code[2:7]}-{code[7:]}"

    assert look_up(anon, spaced, PHONE[-4:]).status_code == 200


def test_a_wrong_code_and_wrong_digits_get_the_same_answer(anon, requested):
    other = "TJ" + ("A" if requested.tracking_code[2] != "A" else "B") + requested.tracking_code[3:]

    wrong_digits = look_up(anon, requested.tracking_code, "0000")
    wrong_code = look_up(anon, other, PHONE[-4:])

    assert wrong_digits.status_code == wrong_code.status_code == 404
    assert "No request matches this code and these digits." in wrong_digits.content.decode()
    # the same page, but for the values typed echoed in the form
    echoed = without_csrf(wrong_digits.content.decode()).replace(requested.tracking_code, other).replace(
        'value="0000"', f'value="{PHONE[-4:]}"')
    assert echoed == without_csrf(wrong_code.content.decode())
    assert "Requested, awaiting acceptance" not in wrong_digits.content.decode()


def test_a_malformed_code_or_digits_are_a_clear_400(anon, requested):
    assert look_up(anon, "320583-TJ2026-00001", "5678").status_code == 400
    response = look_up(anon, requested.tracking_code, "56a8")
    assert response.status_code == 400 and "Enter four digits." in response.content.decode()


def test_guesses_are_limited_per_address(anon, requested):
    for n in range(20):
        assert look_up(anon, requested.tracking_code, f"{n:04d}", ).status_code == 404

    # even the right digits now wait an hour, whatever header is sent
    response = anon.post(reverse("mediation-track"), {"code": requested.tracking_code, "phone_last4": PHONE[-4:]},
                         HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 429
    assert "Requested, awaiting acceptance" not in response.content.decode()
    # from another address the applicant still finds it
    other = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    assert look_up(other, requested.tracking_code, PHONE[-4:]).status_code == 200


def test_the_tracking_page_is_a_form_without_results_at_first(anon):
    response = anon.get(reverse("mediation-track"))

    assert response.status_code == 200
    assert 'name="phone_last4"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_accepted_shows_the_dates(anon, requested, mediator_user):
    services.case_accept(actor=mediator_user, case=requested)
    today = timezone.localdate()

    html = look_up(anon, requested.tracking_code, PHONE[-4:]).content.decode()

    assert "Accepted" in html and today.isoformat() in html
    assert f'data-deadline>{one_month_after(today).isoformat()}<' in html


def test_a_declined_request_says_where_it_belongs_but_not_the_committees_note(anon, requested, mediator_user):
    services.case_decline(actor=mediator_user, case=requested, diversion="court", reason="对方已向法院起诉，案号保密")

    html = look_up(anon, requested.tracking_code, PHONE[-4:]).content.decode()

    assert "Not accepted" in html
    assert "The dispute belongs with: A court." in html
    assert "案号保密" not in html


def test_a_failed_mediation_says_why_in_words(anon, requested, mediator_user):
    services.case_accept(actor=mediator_user, case=requested)
    services.case_conclude(actor=mediator_user, case=requested, result="failed", reason="withdrew",
                           note="赵楼上拒绝再谈")

    html = look_up(anon, requested.tracking_code, PHONE[-4:]).content.decode()

    assert "Mediation failed" in html and "A party withdrew" in html
    assert "拒绝再谈" not in html and "You may still take the dispute to a court" in html


def test_a_settled_request_never_shows_the_terms(anon, requested, mediator_user, seat):
    case = services.case_accept(actor=mediator_user, case=requested)
    case = services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=case, held_on=timezone.localdate(), place="村调解室",
                            record="双方到场")
    services.case_conclude(actor=mediator_user, case=case, result="agreement", terms="赵楼上十日内修好防水层")

    html = look_up(anon, requested.tracking_code, PHONE[-4:]).content.decode()

    assert "Settled by agreement" in html and "The dispute was settled by agreement." in html
    assert "防水层" not in html and "郑芳" not in html


def test_a_transferred_request_names_the_committee_that_has_it_now(anon, requested, justice, township_committee):
    services.case_transfer(actor=justice, case=requested, committee=township_committee, reason="涉及两村")

    html = look_up(anon, requested.tracking_code, PHONE[-4:]).content.decode()

    assert "一镇人民调解委员会" in html and "幸福村人民调解委员会" not in html


def test_a_case_opened_by_the_committee_has_no_code_to_follow(case, django_assert_num_queries):
    assert case.tracking_code is None
    with django_assert_num_queries(0):  # a malformed code is refused before the database
        assert request_by_tracking(code="", phone_last4="5678") is None


def test_the_look_up_is_one_query(requested, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = request_by_tracking(code=requested.tracking_code, phone_last4=PHONE[-4:])
        assert found.committee.name == "幸福村人民调解委员会"
    with django_assert_num_queries(1):
        assert request_by_tracking(code=requested.tracking_code, phone_last4="0000") is None
