from unittest import mock

from django.db.utils import OperationalError


def test_healthz_answers_ok_after_asking_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_says_so_when_the_database_is_down(client, db):
    with mock.patch("gridgov.core.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
