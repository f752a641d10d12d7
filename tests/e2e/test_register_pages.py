"""A grid worker's update round on a phone, signed off by a screener, in a real Chromium."""

import datetime

import pytest

from gridgov.core.models import Role
from gridgov.register import rounds, services
from gridgov.register.models import ChecklistItem, Relation, ResidenceType, UpdateRound
from tests.e2e.test_core_pages import sign_in
from tests.factories import PersonFactory, Tree, build_tree, make_resident_id, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def round_with_a_household(transactional_db):
    build_tree()
    make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="周审核")
    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential")
    head = PersonFactory(name="张大山", phone="13912345678", resident_id=make_resident_id(birth="19700101"))
    household = services.household_create(actor=screener, building=building, unit_label="1单元101", members=[
        services.MemberSpec(head, Relation.HEAD, ResidenceType.REGISTERED_HERE)])
    today = datetime.date.today()
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="十一月下半月",
                                     starts_on=today, due_on=today + datetime.timedelta(days=10))
    return {"round": update_round, "head": head, "household": household}


def test_grid_worker_proposes_a_phone_change_on_a_phone_and_a_screener_signs_it_off(
        phone_page, browser, live_server, round_with_a_household):
    page = phone_page
    update_round, head = round_with_a_household["round"], round_with_a_household["head"]
    item = update_round.items.get()

    # The grid worker opens the checklist and the household in it.
    sign_in(page, live_server, "gw")
    page.goto(f"{live_server.url}/register/rounds/{update_round.pk}/checklist/")
    page.locator(f"#item-{item.pk} summary").click()
    page.locator(f"#item-{item.pk} .item-body .members").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    # ... and proposes the new phone number of the head of household.
    proposal = page.locator(f"#item-{item.pk} details.proposal[data-kind=person_contact]")
    proposal.locator("summary").click()
    proposal.locator("select").select_option(str(head.pk))
    proposal.locator("input[type=tel]").fill("13700001234")
    proposal.locator("button[type=submit]").click()
    page.locator(f"#item-{item.pk} .message-success").wait_for()
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistItem.Status.PROPOSED
    head.refresh_from_db()
    assert head.phone == "13912345678"  # nothing applied before the sign-off
    assert page.js_errors == []

    # A screener signs it off from the queue; the row is swapped in place.
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    context.set_default_timeout(10_000)
    screener_page = context.new_page()
    try:
        sign_in(screener_page, live_server, "screener")
        screener_page.goto(f"{live_server.url}/register/signoff/")
        row = screener_page.locator(".signoff-row").first
        assert "13700001234" in row.inner_text()
        row.locator("button[value=approve]").click()
        screener_page.locator(".signoff-row.edit-approved").wait_for()
    finally:
        context.close()

    head.refresh_from_db()
    assert head.phone == "13700001234"
    assert ChecklistItem.objects.get(pk=item.pk).status == ChecklistItem.Status.SIGNED_OFF


def test_a_screener_opens_an_update_round_with_the_dates_already_filled_in(phone_page, live_server, transactional_db):
    # given: a village with one household, and its screener (the grid leader)
    build_tree()
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="周审核")
    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential")
    services.household_create(actor=screener, building=building, unit_label="1单元101", members=[
        services.MemberSpec(PersonFactory(name="张大山", resident_id=make_resident_id(birth="19700101")),
                            Relation.HEAD, ResidenceType.REGISTERED_HERE)])
    page = phone_page
    sign_in(page, live_server, "screener")

    # when: the screener opens the form to open a round
    page.goto(f"{live_server.url}/register/rounds/")
    page.locator("#open-round summary").click()

    # then: the area, the title and both dates are already there (today, and ten days on)
    today = datetime.date.today()
    assert page.input_value("#id_starts_on") == today.isoformat()
    assert page.input_value("#id_due_on") == (today + datetime.timedelta(days=10)).isoformat()
    assert page.input_value("#id_org_code") == Tree.VILLAGE_A
    assert page.input_value("#id_title")
    page.screenshot(path="/tmp/plumbing-round-form.png", full_page=True)

    # when: they open it as it stands
    page.locator("#open-round button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/register/rounds/*/")

    # then: the round is open with the village's household on its checklist
    update_round = UpdateRound.objects.get()
    assert update_round.org_code == Tree.VILLAGE_A and update_round.starts_on == today
    assert update_round.items.count() == 1
    assert page.locator(".message-success").count() == 1
    page.screenshot(path="/tmp/plumbing-round-opened.png", full_page=True)
    assert page.js_errors == []


def test_a_screener_prepares_a_large_village_in_the_background_and_downloads_it(
        phone_page, live_server, transactional_db, settings):
    # given: a village above the inline limit, and a task queue whose worker has not run yet
    from gridgov.core import export_jobs
    from gridgov.core.models import ExportJob

    settings.GRIDGOV_EXPORT_INLINE_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "exports"]}}
    build_tree()
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="周审核")
    building = services.building_create(actor=screener, address="幸福路 8 号", lat=31.005, lng=120.005,
                                        use="residential")
    for i in range(3):
        services.household_create(actor=screener, building=building, unit_label=f"{i + 1}01", members=[
            services.MemberSpec(PersonFactory(resident_id=make_resident_id(birth="19700101")), Relation.HEAD,
                                ResidenceType.REGISTERED_HERE)])
    page = phone_page
    sign_in(page, live_server, "screener")

    # The one table offers to prepare the file instead of a download that would time out.
    page.goto(f"{live_server.url}/register/villages/{Tree.VILLAGE_A}/")
    page.get_by_role("button", name="生成 Excel 文件").click()
    page.wait_for_url(f"{live_server.url}/exports/")
    assert "等待后台处理" in page.locator("#export-results").inner_text()
    page.screenshot(path="/tmp/exports-queued.png", full_page=True)

    # The worker prepares it; the page, asking every few seconds, shows it ready.
    export_jobs.export_job_run(job_id=ExportJob.objects.get().pk)
    page.get_by_role("link", name="下载").wait_for(timeout=8_000)
    assert "可以下载" in page.locator("#export-results").inner_text()
    page.screenshot(path="/tmp/exports-ready.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.startswith(f"one-table-{Tree.VILLAGE_A}-")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    assert page.js_errors == []
