"""Suggestions and projects as residents, the grid centre and a department live them: a
suggestion sent without an account, assigned, answered within working days, its author told
at every change; residents' reports hiding it for the moderators; adopted suggestions becoming
projects whose progress rolls up from their parts and by area; public pages and the API never
showing a contact."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from gridgov.core.exceptions import DomainError, NotFound
from gridgov.core.models import Delivery, Department, Notification, OrgUnit, Role
from gridgov.participation.models import Project, Suggestion, SuggestionStatus
from gridgov.participation.selectors import suggestions as selectors
from gridgov.participation.services import projects as project_services
from gridgov.participation.services import suggestions as services
from tests.factories import Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture
def department(tree):
    return Department.objects.create(code="990101-housing", name="县住建局", kind="department", function="housing",
                                     org_code=Tree.COUNTY_A)


@pytest.fixture
def dispatcher(tree):
    return make_user("dispatcher", Role.DISPATCHER, scope=Tree.COUNTY_A)


@pytest.fixture
def staff(department):
    return make_user("housing", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=department)


def point(code=Tree.CELL_A1):
    cell = OrgUnit.objects.get(code=code)
    return {"lat": (cell.min_lat + cell.max_lat) / 2, "lng": (cell.min_lng + cell.max_lng) / 2}


def suggest(**given):
    data = {"topic": "roads", "title": "村道坑洼", "text": "村口的路坑洼很多，下雨积水。", "contact": "13800001111",
            **point(), **given}
    return services.submit(**data)


# --- The loop -----------------------------------------------------------------------------------


def test_a_suggestion_is_assigned_answered_and_its_author_told_at_each_step(dispatcher, staff, department,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion, token = suggest()
        services.assign(actor=dispatcher, suggestion=suggestion, department=department)
        services.answer(actor=staff, suggestion=suggestion, outcome="adopted", text="已列入民生实事。")

    suggestion.refresh_from_db()
    assert suggestion.org_code == Tree.CELL_A1 and suggestion.tracking_code.startswith("JY")
    assert suggestion.status == SuggestionStatus.ANSWERED and suggestion.answer_due is not None
    told = Delivery.objects.filter(kind=services.FOR_AUTHOR, channel="sms")
    assert told.count() == 3 and {d.address_masked for d in told} == {"138******11"}
    assert Notification.objects.filter(user=staff, kind=services.TO_ANSWER).exists()
    assert [e.status for e in suggestion.events.all()] == ["submitted", "assigned", "answered"]
    assert selectors.by_follow_link(suggestion.tracking_code, token) == suggestion
    with pytest.raises(NotFound):
        selectors.by_follow_link(suggestion.tracking_code, token + "x")


def test_only_the_department_it_was_assigned_to_answers_it(dispatcher, staff, department, tree):
    other = Department.objects.create(code="990101-water", name="县水利局", kind="department", function="water",
                                      org_code=Tree.COUNTY_A)
    stranger = make_user("water", Role.DEPARTMENT_STAFF, scope=Tree.COUNTY_A, department=other)
    suggestion, _token = suggest()

    with pytest.raises(NotFound):  # not assigned yet
        services.answer(actor=staff, suggestion=suggestion, outcome="answered", text="x")
    services.assign(actor=dispatcher, suggestion=suggestion, department=department)
    with pytest.raises(NotFound):
        services.answer(actor=stranger, suggestion=suggestion, outcome="answered", text="x")
    with pytest.raises(DomainError):  # the grid centre assigns, it does not answer
        services.answer(actor=dispatcher, suggestion=suggestion, outcome="answered", text="x")
    services.send_back(actor=staff, suggestion=suggestion, reason="不属于住建局职责")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.SUBMITTED and suggestion.department is None


@pytest.mark.parametrize("given, field", [
    ({"topic": "politics"}, "topic"), ({"title": ""}, "title"), ({"text": "太短"}, "text"),
    ({"text": "长" * 2001}, "text"), ({"contact": "12345"}, "contact"), ({"contact": "a@b"}, "contact"),
    ({"lat": 31.0, "lng": None}, "lat"), ({"lat": 10.0, "lng": 10.0}, "lat"),
])
def test_a_bad_suggestion_is_refused_with_the_field_and_nothing_is_kept(tree, given, field):
    with pytest.raises(DomainError) as refused:
        suggest(**given)
    assert field in refused.value.fields and not Suggestion.objects.exists()


# --- Reports and moderation ---------------------------------------------------------------------


def test_reports_from_three_clients_hide_a_suggestion_and_alert_the_moderators(dispatcher):
    suggestion, _token = suggest()

    assert services.report(suggestion=suggestion, reason="spam", client="203.0.113.1") is False
    assert services.report(suggestion=suggestion, reason="spam", client="203.0.113.1") is False  # once per client
    assert services.report(suggestion=suggestion, reason="abusive", client="203.0.113.2") is False
    assert services.report(suggestion=suggestion, reason="personal", client="203.0.113.3") is True

    suggestion.refresh_from_db()
    assert suggestion.report_count == 3 and suggestion.hidden_at is not None
    assert suggestion not in selectors.published()
    assert Notification.objects.filter(user=dispatcher, kind=services.TO_MODERATE).count() == 1
    assert list(selectors.desk_suggestions(dispatcher, queue="moderate")) == [suggestion]

    services.moderate(actor=dispatcher, suggestion=suggestion, keep=True)
    suggestion.refresh_from_db()
    assert suggestion.hidden_at is None and suggestion in selectors.published()
    services.report(suggestion=suggestion, reason="spam", client="203.0.113.4")  # a moderator's word stands
    suggestion.refresh_from_db()
    assert suggestion.hidden_at is None


def test_a_removed_suggestion_needs_a_reason_and_leaves_every_public_page(dispatcher):
    suggestion, _token = suggest()
    with pytest.raises(DomainError):
        services.moderate(actor=dispatcher, suggestion=suggestion, keep=False, note="")
    services.moderate(actor=dispatcher, suggestion=suggestion, keep=False, note="内容涉及他人")

    with pytest.raises(NotFound):
        selectors.by_tracking_code(suggestion.tracking_code)
    assert not selectors.published().exists()


# --- Projects -----------------------------------------------------------------------------------


def test_a_parents_progress_rolls_up_from_its_parts_by_budget(staff, department):
    roads = project_services.project_create(actor=staff, owner=department, org_code=Tree.TOWNSHIP_A,
                                            title="村道硬化与路灯改造")
    road = project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, parent=roads,
                                           title="村道硬化", budget="120")
    lights = project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, parent=roads,
                                             title="路灯", budget="60")

    project_services.progress_update(actor=staff, project=road, progress=40, status="under_way", note="路基施工")
    project_services.progress_update(actor=staff, project=lights, progress=10, status="under_way", note="采购")
    assert Project.objects.get(pk=roads.pk).progress == 30  # (40×120 + 10×60) / 180
    with pytest.raises(DomainError):  # a parent's progress is its parts'
        project_services.progress_update(actor=staff, project=roads, progress=90, status="under_way", note="x")
    with pytest.raises(DomainError):
        project_services.progress_update(actor=staff, project=road, progress=90, status="completed", note="x")

    project_services.progress_update(actor=staff, project=road, progress=100, status="completed", note="完工")
    project_services.progress_update(actor=staff, project=lights, progress=100, status="completed", note="完工")
    parent = Project.objects.get(pk=roads.pk)
    assert (parent.progress, parent.status) == (100, "completed")


def test_without_budgets_parts_count_evenly_and_the_area_roll_up_counts_top_projects(staff, department):
    parent = project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, title="整治")
    a = project_services.project_create(actor=staff, owner=department, org_code=Tree.CELL_A1, parent=parent, title="a")
    project_services.project_create(actor=staff, owner=department, org_code=Tree.CELL_A2, parent=parent, title="b")
    project_services.progress_update(actor=staff, project=a, progress=50, status="under_way", note="一半")
    done = project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, title="卫生室",
                                           budget="35")
    project_services.progress_update(actor=staff, project=done, progress=100, status="completed", note="完工")

    assert Project.objects.get(pk=parent.pk).progress == 25
    rows = {r.code: r for r in selectors.progress_by_area(Tree.TOWNSHIP_A, len(Tree.VILLAGE_A))}
    assert (rows[Tree.VILLAGE_A].projects, rows[Tree.VILLAGE_A].completed) == (2, 1)
    assert rows[Tree.VILLAGE_A].progress == round((25 + 100) / 2)  # one without a budget: evenly


def test_an_adopted_suggestion_becomes_part_of_a_project_and_its_page_says_so(client, dispatcher, staff, department):
    suggestion, _token = suggest()
    services.assign(actor=dispatcher, suggestion=suggestion, department=department)
    project = project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, title="村道硬化")
    with pytest.raises(DomainError):  # not adopted yet
        services.link_project(actor=staff, suggestion=suggestion, project=project)
    services.answer(actor=staff, suggestion=suggestion, outcome="adopted", text="采纳")
    services.link_project(actor=staff, suggestion=suggestion, project=project)

    page = client.get(reverse("suggestions-page", args=[suggestion.tracking_code]))
    project_page = client.get(reverse("projects-page", args=[project.pk]))
    assert "村道硬化" in page.content.decode() and suggestion.tracking_code in project_page.content.decode()


# --- Public pages and the API -------------------------------------------------------------------


def test_no_public_page_or_api_answer_shows_the_contact_or_who_answered(client, dispatcher, staff, department):
    suggestion, token = suggest()
    services.assign(actor=dispatcher, suggestion=suggestion, department=department)
    services.answer(actor=staff, suggestion=suggestion, outcome="answered", text="正在研究")
    code = suggestion.tracking_code

    pages = [client.get(reverse("suggestions-page", args=[code])), client.get(reverse("suggestions-public")),
             client.get(reverse("suggestions-follow", args=[code, token])),
             APIClient().get(f"/api/v1/suggestions/{code}/")]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200 and "13800001111" not in body and "1111" not in body.replace(code, "")
        assert "housing" not in body
    assert APIClient().get(f"/api/v1/suggestions/{code}/").json()["answer"] == "正在研究"


def test_the_public_form_sends_a_suggestion_and_shows_the_code_and_follow_link_once(client, tree):
    data = {"topic": "safety", "title": "路灯太少", "text": "主路晚上太黑，老人容易摔倒。", **point()}
    sent = client.post(reverse("suggestions-suggest"), data)
    page = client.get(sent["Location"])
    again = client.get(reverse("suggestions-sent"))

    suggestion = Suggestion.objects.get()
    assert suggestion.tracking_code in page.content.decode() and "/suggest/follow/" in page.content.decode()
    assert again.status_code == 302  # shown once
    robot = client.post(reverse("suggestions-suggest"), {**data, "website": "http://spam"})
    assert robot.status_code == 302 and Suggestion.objects.count() == 1


def test_the_public_form_and_the_api_are_limited_per_address(client, tree):
    data = {"topic": "safety", "title": "路灯太少", "text": "主路晚上太黑，老人容易摔倒。", **point()}
    answers = [client.post(reverse("suggestions-suggest"), data).status_code for _i in range(6)]
    api = APIClient()
    api_answers = [api.post("/api/v1/suggestions/", data, format="json").status_code for _i in range(2)]

    assert answers == [302] * 5 + [429] and api_answers == [429, 429] and Suggestion.objects.count() == 5


def test_the_api_takes_a_suggestion_and_lists_projects_publicly(staff, department, tree):
    created = APIClient().post("/api/v1/suggestions/", {"title": "公交站遮雨棚", "text": "公交站没有遮雨棚，下雨不方便。",
                                                        "org_code": Tree.VILLAGE_A}, format="json")
    bad = APIClient().post("/api/v1/suggestions/", {"title": "", "text": "x"}, format="json")
    project_services.project_create(actor=staff, owner=department, org_code=Tree.VILLAGE_A, title="公交站改造")

    assert created.status_code == 201 and created.json()["tracking_code"].startswith("JY")
    assert created.json()["status"] == "submitted" and bad.status_code == 400 and "title" in bad.json()["fields"]
    rows = APIClient().get("/api/v1/projects/").json()["results"]
    assert [(r["title"], r["progress"], r["org_code"]) for r in rows] == [("公交站改造", 0, Tree.VILLAGE_A)]


def test_a_hidden_suggestion_shows_a_notice_not_its_text_except_to_its_author(client, dispatcher):
    suggestion, token = suggest(text="这里写了某人的名字和住址，不该公开。")
    for n in range(3):
        services.report(suggestion=suggestion, reason="personal", client=f"198.51.100.{n}")

    public = client.get(reverse("suggestions-page", args=[suggestion.tracking_code])).content.decode()
    author = client.get(reverse("suggestions-follow", args=[suggestion.tracking_code, token])).content.decode()
    listed = client.get(reverse("suggestions-public")).content.decode()
    assert "某人的名字" not in public and "某人的名字" in author and suggestion.tracking_code not in listed


def test_the_desk_shows_each_role_its_queue_only(client, dispatcher, staff, department):
    suggestion, _token = suggest()
    client.force_login(dispatcher)
    desk = client.get(reverse("suggestions-desk"))
    assert [r["suggestion"].pk for r in desk.context["rows"]] == [suggestion.pk]
    client.post(reverse("suggestions-assign", args=[suggestion.pk]), {"department": department.pk})

    client.force_login(staff)
    mine = client.get(reverse("suggestions-desk"))
    assert [r["suggestion"].pk for r in mine.context["rows"]] == [suggestion.pk]
    response = client.post(reverse("suggestions-answer", args=[suggestion.pk]),
                           {"outcome": "not_adopted", "text": "空地已规划为应急避难场所。"})
    assert response.status_code == 302
    assert client.post(reverse("suggestions-assign", args=[suggestion.pk]),
                       {"department": department.pk}).status_code == 403
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)
    client.force_login(keeper)
    assert client.get(reverse("suggestions-desk")).status_code == 403
