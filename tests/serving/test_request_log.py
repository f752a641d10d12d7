"""Issue 12: one JSON line per request (request id, user id, route, status, duration), and no
personal data in any log line: not the names or ID numbers typed into forms and searches,
not the tokens and usernames in paths, not the username typed at a failed sign-in."""

from django.test import Client
from django.urls import reverse

from tests.factories import Tree

NAME = "欧阳秀英"
RESIDENT_ID = "11010519491231002X"
PHONE = "13912345678"


def test_each_request_writes_one_json_line_with_its_id_route_status_and_duration(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "nginx-req-0001"})

    (line,) = log_lines.requests()
    assert response["X-Request-ID"] == "nginx-req-0001"
    assert line["request_id"] == "nginx-req-0001"
    assert (line["method"], line["path"], line["view"], line["status"]) == ("GET", "/healthz", "healthz", 200)
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "timestamp" in line


def test_an_ill_formed_request_id_is_replaced_by_a_new_one(client, log_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})

    (line,) = log_lines.requests()
    assert "<" not in response["X-Request-ID"] and len(response["X-Request-ID"]) == 32
    assert line["request_id"] == response["X-Request-ID"]


def test_a_signed_in_request_logs_the_user_id_and_never_the_username(grid_worker, log_lines):
    client = Client()
    client.force_login(grid_worker)

    client.get(reverse("people-list"))

    (line,) = log_lines.requests()
    assert line["user_id"] == grid_worker.pk
    assert line["path"] == "/people/" and line["status"] == 200
    assert grid_worker.username not in log_lines.text


def test_a_residents_name_and_id_in_a_form_or_a_search_are_not_logged(grid_worker, log_lines):
    # given a grid worker who registers a resident, then searches for her, by name and by ID
    client = Client()
    client.force_login(grid_worker)

    created = client.post(reverse("person-create"), {
        "name": NAME, "resident_id": RESIDENT_ID, "org_code": Tree.CELL_A1, "phone": PHONE,
        "address": "幸福路 8 号",
    })
    by_name = client.get(reverse("people-list"), {"q": NAME})
    by_id = client.get(reverse("people-list"), {"q": RESIDENT_ID})
    invalid = client.post(reverse("person-create"), {"name": NAME, "resident_id": "1101051949", "phone": PHONE})

    # then the requests are logged, and nothing of hers is
    assert created.status_code == 302 and NAME in by_name.content.decode()
    assert by_id.status_code == 200 and invalid.status_code == 400  # the form again, with its errors
    lines = log_lines.requests()
    assert [(line["method"], line["path"]) for line in lines] == [
        ("POST", "/people/new/"), ("GET", "/people/"), ("GET", "/people/"), ("POST", "/people/new/"),
    ]
    for secret in (NAME, RESIDENT_ID, PHONE, "幸福路", RESIDENT_ID[-6:]):
        assert secret not in log_lines.text


def test_tokens_and_usernames_in_paths_are_logged_as_the_url_pattern(client, db, log_lines):
    response = client.get("/track/SECRET-TRACKING-TOKEN-123/")
    unknown = client.get("/no/such/page/ouyangxiuying/")

    assert response.status_code == 404 and unknown.status_code == 404
    paths = [line["path"] for line in log_lines.requests()]
    assert paths == ["/track/<str:token>/", "<unmatched>"]
    # Django's own "Not Found: ..." warnings too, and with the request's id
    not_found = [r for r in log_lines.records() if r["logger"] == "django.request"]
    assert [r["message"] for r in not_found] == ["Not Found: /track/<str:token>/", "Not Found: <unmatched>"]
    assert not_found[0]["request_id"] == response["X-Request-ID"]
    assert "SECRET-TRACKING-TOKEN" not in log_lines.text and "ouyangxiuying" not in log_lines.text


def test_a_failed_sign_in_does_not_log_the_typed_username(client, db, log_lines):
    response = client.post(reverse("login"), {"username": NAME, "password": "not-the-password"})

    assert response.status_code == 200  # the form again, with its error
    assert any(r["logger"].startswith("axes") for r in log_lines.records())  # axes did log the failure
    assert NAME not in log_lines.text
    assert "not-the-password" not in log_lines.text
