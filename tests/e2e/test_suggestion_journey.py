"""A resident's suggestion becomes a project (issue 14), in a real Chromium on the town demo: the
resident suggests from the phone with its location and gets a tracking code and its follow
link; the dispatcher assigns it; the `department` account adopts it and makes it part of a
project, reports progress; the public sees the answer, the project and the progress by area,
and no page shows the contact."""

from __future__ import annotations

import pytest

from gridgov.participation.models import Project, Suggestion
from tests.e2e.journeys import DESKTOP, ORG_CODE, PHONE, main_text, nothing_sideways, open_as, shot

pytestmark = pytest.mark.e2e


def _reads_well(page, name: str, *, allow: tuple = ()) -> str:
    text = main_text(page)
    shot(page, name)
    for part in allow:
        text = text.replace(part, "")
    assert not ORG_CODE.search(text), f"{name}: a code where a name belongs: {ORG_CODE.search(text).group()}"
    return text


def test_a_residents_suggestion_is_answered_and_becomes_part_of_a_project(browser, live_server, town_demo):
    from gridgov.core.models import User

    worker = User.objects.get(username="gridworker")
    cell = worker.grid_assignments.select_related("cell").first().cell
    here = {"latitude": (cell.min_lat + cell.max_lat) / 2, "longitude": (cell.min_lng + cell.max_lng) / 2}

    # The resident, on the phone, without an account.
    context, page = open_as(browser, live_server, None, PHONE, geolocation=here, permissions=["geolocation"])
    page.goto(f"{live_server.url}/suggest/")
    page.select_option("#id_topic", "safety")
    page.fill("#id_title", "小学门口缺少减速带")
    page.fill("#id_text", "小学门口车速太快，接送孩子很危险，建议设置减速带和提示牌。")
    page.click("[data-locate]")
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    page.fill("#id_contact", "13800009999")
    _reads_well(page, "suggestion-1-form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交建议").click()
    code = page.locator("[data-tracking-code]").inner_text()
    follow = page.locator("[data-follow-link]").inner_text()
    _reads_well(page, "suggestion-2-sent", allow=(code, follow))
    assert nothing_sideways(page) and code.startswith("JY")
    suggestion = Suggestion.objects.get(tracking_code=code)
    assert suggestion.org_code == cell.code
    context.close()

    # The dispatcher assigns it to the department.
    context, page = open_as(browser, live_server, "dispatcher", DESKTOP)
    page.goto(f"{live_server.url}/suggestions/")
    page.locator(f"[data-suggestion='{suggestion.pk}'] a").click()
    staff = User.objects.get(username="department")
    page.select_option("#id_department", str(staff.department_id))
    with page.expect_navigation():
        page.locator("form[action$='/assign/'] button[type=submit]").click()
    assert "已交办" in main_text(page)
    context.close()

    # The department adopts it and makes it part of a project; reports progress on the project.
    context, page = open_as(browser, live_server, "department", DESKTOP)
    page.goto(f"{live_server.url}/")
    assert "待答复的建议" in main_text(page)
    page.goto(f"{live_server.url}/suggestions/{suggestion.pk}/")
    page.locator("input[name=outcome][value=adopted]").check()
    page.fill("#id_text", "建议采纳，纳入校园周边交通安全整治项目。")
    with page.expect_navigation():
        page.locator("form[action$='/answer/'] button[type=submit]").click()
    project = Project.objects.filter(children__isnull=True, status="under_way").first()
    page.select_option("#id_project", str(project.pk))
    with page.expect_navigation():
        page.locator("form[action$='/project/'] button[type=submit]").click()
    _reads_well(page, "suggestion-3-desk", allow=(code,))
    page.goto(f"{live_server.url}/suggestions/projects/{project.pk}/")
    page.fill("#id_progress", "60")
    page.fill("#id_note", "施工过半。")
    with page.expect_navigation():
        page.locator("form[action$='/progress/'] button[type=submit]").click()
    context.close()

    # The public: the answer, the project, the progress by area, never the contact.
    context, page = open_as(browser, live_server, None, PHONE)
    page.goto(f"{live_server.url}/suggest/s/{code}/")
    text = _reads_well(page, "suggestion-4-public", allow=(code,))
    assert "建议采纳" in text and project.title in text and "9999" not in page.content()
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    assert "60%" in _reads_well(page, "suggestion-5-project", allow=(code,))
    page.goto(f"{live_server.url}/projects/")
    _reads_well(page, "suggestion-6-projects")
    assert page.locator("[data-area-progress] tbody tr").count() >= 1 and nothing_sideways(page)
    page.goto(follow)
    assert "小学门口车速太快" in main_text(page)
    assert page.js_errors == [], page.js_errors
    context.close()
