"""Edges the fuzzer and the review found: CSRF failures answer in the right shape (JSON under
/api/, the 403 page elsewhere, never Django's English debugging page), and far dates in filters."""

import pytest
from django.test import Client

from gridgov.core.models import Role
from tests.factories import Tree, make_user


@pytest.fixture
def signed_in(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("gw-csrf", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1]))
    return client


def test_a_post_to_an_unknown_api_path_with_a_session_is_a_json_404(signed_in):
    response = signed_in.post("/api/v1/agreements/-2890/payments/", {"amount": "1"})

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"


def test_a_page_post_without_the_csrf_token_gets_the_403_page_in_chinese(signed_in):
    response = signed_in.post("/people/new/", {"name": "张三"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "表单已过期" in response.content.decode()
    assert "CSRF verification failed" not in response.content.decode()


def test_the_csrf_failure_view_answers_json_under_the_api(rf):
    from gridgov.core.csrf import csrf_failure

    response = csrf_failure(rf.post("/api/v1/people/"), reason="no cookie")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


def test_the_auditors_emergency_review_queue_takes_a_far_end_date(tree, client):
    """`until=9999-12-31` on the review queue is a bound at the calendar's edge, not a 500."""
    auditor = make_user("aud-far", Role.AUDITOR, scope="99")
    client.force_login(auditor)

    response = client.get("/emergency/reviews/", {"since": "0001-01-01", "until": "9999-12-31"})

    assert response.status_code == 200
