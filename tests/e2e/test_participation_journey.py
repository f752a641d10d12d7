"""Points earned for a civic act and spent at the village shop, and a volunteer's shift taken
and its hours approved (issue 14), in a real Chromium on the town demo, as the people who do
it: the grid worker on the phone, the bank's keeper at the desk, the volunteer on the phone and
its organiser at the desk. Every page in Chinese, names not codes, nothing sideways."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from gridgov.participation.models import HoursStatus, Movement, PointsAccount, Redemption, ServiceHours, SignUp
from tests.e2e.journeys import DESKTOP, ORG_CODE, PHONE, main_text, nothing_sideways, open_as, shot

pytestmark = pytest.mark.e2e


def _jpeg() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 160, 80)).save(buffer, format="JPEG")
    return {"name": "clean-up.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _reads_well(page, name: str, *, allow: str = "") -> str:
    text = main_text(page)
    shot(page, name)
    text = text.replace(allow, "") if allow else text
    assert not ORG_CODE.search(text), f"{name}: a code where a name belongs: {ORG_CODE.search(text).group()}"
    assert page.js_errors == [], page.js_errors
    return text


def test_a_grid_worker_records_points_and_the_keeper_hands_over_at_the_shop(browser, live_server, town_demo):
    from gridgov.core.models import User

    worker = User.objects.get(username="gridworker")
    account = PointsAccount.objects.filter(kind="household", org_code__startswith=worker.scope_code).order_by("id")[0]
    before = account.balance

    # The grid worker, on the phone: the bank of its village, a household of its cell, the act.
    context, page = open_as(browser, live_server, "gridworker", PHONE)
    page.goto(f"{live_server.url}/points/")
    page.wait_for_url("**/points/banks/*/")
    page.locator(f"[data-account='{account.pk}'] a").click()
    page.locator("#earn summary").click()
    page.select_option("#id_rule", label="参加环境卫生整治 · 10 分")
    page.fill("#id_reason", "清理村口垃圾")
    page.set_input_files("#id_photo", _jpeg())
    with page.expect_navigation():
        page.locator("#earn button[type=submit]").click()
    text = _reads_well(page, "points-1-grid-worker-earned")
    assert "获得 10 分：清理村口垃圾。" in text and nothing_sideways(page)
    assert page.locator("[data-balance]").first.inner_text() == str(before + 10)
    context.close()

    # The keeper, at the desk: the household's account, an item reserved, handed over at the desk.
    context, page = open_as(browser, live_server, "bank", DESKTOP)
    page.goto(f"{live_server.url}/points/accounts/{account.pk}/")
    soap = page.locator("#id_item option", has_text="洗衣液").get_attribute("value")
    page.select_option("#id_item", soap)
    with page.expect_navigation():
        page.get_by_role("button", name="预留物品").click()
    shot(page, "points-2-reserved")
    reserved = Redemption.objects.filter(account=account, status="reserved").latest("id")
    page.goto(f"{live_server.url}/points/banks/{account.bank_id}/")
    _reads_well(page, "points-2-keeper-desk")
    with page.expect_navigation():
        page.locator(f"[data-redemption='{reserved.pk}'] button", has_text="已发放").click()
    assert "已交付：积分已记入超市。" in main_text(page)
    reserved.refresh_from_db()
    assert reserved.status == "handed_over"

    # The monthly statement the household takes home, and the village's leaderboard.
    pdf = page.request.get(f"{live_server.url}/points/accounts/{account.pk}/statement/"
                           f"{Movement.objects.latest('id').created_at:%Y-%m}.pdf")
    statement = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).replace(" ", "")
    assert "积分对账单" in statement and "清理村口垃圾" in statement
    page.goto(f"{live_server.url}/points/banks/{account.bank_id}/leaderboard/")
    board = _reads_well(page, "points-3-leaderboard")
    assert "一户居民（未公示户名）" in board
    page.goto(f"{live_server.url}/points/banks/{account.bank_id}/setup/")
    setup = _reads_well(page, "points-4-setup")
    assert "镇综治办" in setup and "12" in setup
    context.close()


def test_a_volunteer_takes_a_shift_and_its_organiser_approves_its_hours(browser, live_server, town_demo):
    # The volunteer, on the phone: the shifts it can take; it takes one.
    context, page = open_as(browser, live_server, "volunteer", PHONE)
    page.goto(f"{live_server.url}/volunteers/")
    text = _reads_well(page, "volunteers-1-phone")
    assert "我可报名的班次" in text and "实验小学东门护学岗" in text and nothing_sideways(page)
    first = page.locator("[data-shift]").first
    shift_id = int(first.get_attribute("data-shift"))
    with page.expect_navigation():
        first.get_by_role("button", name="报名").click()
    assert "报名成功" in main_text(page)
    assert SignUp.objects.filter(shift_id=shift_id, volunteer__user__username="volunteer").exists()
    context.close()

    # The organiser, at the desk: the roster with the shift's code, and the hours waiting.
    context, page = open_as(browser, live_server, "organiser", DESKTOP)
    page.goto(f"{live_server.url}/volunteers/shifts/{shift_id}/")
    code = page.locator("[data-shift-code]").inner_text()
    roster = _reads_well(page, "volunteers-2-roster", allow=code)  # the shift's code is six digits
    assert "陈晓" in roster and code.isdigit()
    page.goto(f"{live_server.url}/volunteers/organise/")
    _reads_well(page, "volunteers-3-organise")
    waiting = ServiceHours.objects.filter(status=HoursStatus.PENDING, volunteer__user__username="volunteer").first()
    with page.expect_navigation():
        page.locator(f"[data-hours='{waiting.pk}']").get_by_role("button", name="批准", exact=True).click()
    waiting.refresh_from_db()
    assert waiting.status == HoursStatus.APPROVED
    page.goto(f"{live_server.url}/volunteers/registry/")
    _reads_well(page, "volunteers-4-registry")
    context.close()

    # The volunteer sees it approved, and prints its certificate.
    context, page = open_as(browser, live_server, "volunteer", PHONE)
    page.goto(f"{live_server.url}/volunteers/")
    assert page.locator(f"[data-hours='{waiting.pk}']").get_attribute("data-status") == "approved"
    pdf = page.request.get(f"{live_server.url}/volunteers/certificate.pdf")
    certificate = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).replace(" ", "")
    assert "志愿服务记录证明" in certificate and "陈晓" in certificate
    context.close()
