"""A dispute settled, not only dispatched (issue 13's "done means"), in a real Chromium on the
town demo: the grid worker reports a neighbours' dispute from the phone, the dispatcher hands
it over to people's mediation from the event page, and the demo mediator names the parties,
accepts the case, declares no conflict of interest, holds two sessions, records a written
agreement, prints it (Chinese, the three statutory parts), uploads the signed pages, records
the judicial confirmation and the follow-up visit — all from the pages."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from gridgov.events.models import Event
from gridgov.mediation.models import Case
from tests.e2e.journeys import DESKTOP, ORG_CODE, PHONE, main_text, nothing_sideways, open_as, shot

pytestmark = pytest.mark.e2e


def _jpeg() -> dict:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 420), "white").save(buffer, format="JPEG")
    return {"name": "signed.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _step(page, action: str, fill: dict | None = None, *, check: tuple = (), select: dict | None = None,
          files: dict | None = None, radio: dict | None = None) -> None:
    """Open the step's form on the case page, fill it in, submit, and wait for the page again."""
    form = page.locator(f"details[data-action={action}]")
    form.locator("summary").click()
    for name, value in (fill or {}).items():
        form.locator(f"[name='{action}-{name}']").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"select[name='{action}-{name}']").select_option(value)
    for name, value in (radio or {}).items():
        form.locator(f"input[name='{action}-{name}'][value='{value}']").check()
    for name in check:
        form.locator(f"input[name='{action}-{name}']").check()
    for name, value in (files or {}).items():
        form.locator(f"input[name='{action}-{name}']").set_input_files(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_dispute_from_the_grid_is_mediated_to_a_confirmed_and_followed_up_agreement(browser, live_server, town_demo):
    from gridgov.core.models import User

    worker = User.objects.get(username="gridworker")
    cell = worker.grid_assignments.select_related("cell").first().cell
    point = {"latitude": (cell.min_lat + cell.max_lat) / 2, "longitude": (cell.min_lng + cell.max_lng) / 2}

    # The grid worker reports the dispute from the phone.
    context, page = open_as(browser, live_server, "gridworker", PHONE, geolocation=point,
                            permissions=["geolocation"])
    page.goto(f"{live_server.url}/events/mobile/")
    page.wait_for_function("document.querySelector('input[name=lat]').value !== ''")
    page.select_option("#id_domain", "dispute")
    page.select_option("#id_category", "dispute.neighbour")
    page.fill("#id_description", "两户因院墙滴水问题争吵多日，请求调解")
    page.click("form[data-report-form] button[type=submit]")
    page.wait_for_url("**/events/mobile/?tab=mine&sent=1")
    event = Event.objects.get(description="两户因院墙滴水问题争吵多日，请求调解")
    context.close()

    # The dispatcher hands it over to people's mediation from the event page.
    context, desk = open_as(browser, live_server, "dispatcher", DESKTOP)
    desk.goto(f"{live_server.url}/events/{event.pk}/")
    desk.locator("[data-event-links] a.button").click()
    desk.wait_for_url(f"**/mediation/from-event/{event.pk}/")
    shot(desk, "mediation-hand-over")
    with desk.expect_navigation():
        desk.locator("form.card button[type=submit]").click()
    case = Case.objects.get(event_id=event.pk)
    assert case.status == "requested"
    desk.locator("[data-event-links]").wait_for()
    assert case.code in desk.locator("[data-event-links]").inner_text()
    assert Event.objects.get(pk=event.pk).status == "closed"
    desk_errors = desk.js_errors
    context.close()

    # The mediator finds the request, names the parties, accepts it and takes it.
    context, page = open_as(browser, live_server, "mediator", PHONE)
    page.goto(f"{live_server.url}/mediation/?status=requested")
    page.locator(f"[data-case-code='{case.code}'] a.item-title").click()
    page.wait_for_url(f"**/mediation/cases/{case.pk}/")
    _step(page, "add_party", {"name": "黄丽华", "phone": "13800001234"}, select={"role": "applicant"})
    _step(page, "add_party", {"name": "郭建军"}, select={"role": "respondent"})
    _step(page, "accept")
    seat = case.committee.mediators.get(user__username="mediator")
    _step(page, "assign", select={"mediator": str(seat.pk)}, check=("no_conflict",))
    case.refresh_from_db()
    assert case.status == "accepted" and case.no_conflict_declared_at is not None and case.deadline

    # Two sessions, then the written agreement.
    today = case.accepted_on.isoformat()
    for n in (1, 2):
        _step(page, "record_session", {"held_on": today, "place": "村委会调解室", "attendees": "黄丽华、郭建军",
                                       "record": f"第{n}次调解：双方陈述滴水损害情况"})
    _step(page, "settle", {"responsibilities": "郭建军院墙排水管滴水至黄丽华院内，应负责修缮",
                           "terms": "郭建军于十日内改装排水管，并赔偿黄丽华清理费用三百元",
                           "performance_due": today}, radio={"form": "written"})
    case.refresh_from_db()
    assert case.status == "settled" and case.sessions.count() == 2
    shot(page, "mediation-case-settled")

    # The agreement prints in Chinese with its three parts, one copy per party and the file's.
    pdf = page.request.get(f"{live_server.url}/mediation/cases/{case.pk}/agreement.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.body()))
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in reader.pages))  # the title is letter-spaced
    assert "调解协议书" in text and "黄丽华" in text and "郭建军" in text
    assert "改装排水管" in text and "应负责修缮" in text
    assert "一、当事人基本情况" in text and "三、" in text and "司法确认" in text and "（盖章）" in text

    # The signed, sealed pages come back; the court confirms it; the follow-up finds it performed.
    _step(page, "sign", {"signed_on": today}, files={"pages": [_jpeg()]})
    _step(page, "apply_confirmation", {"court": "县人民法院", "applied_on": today})
    _step(page, "decide_confirmation", {"decided_on": today}, radio={"confirmed": "yes"})
    _step(page, "follow_up", {"done_on": today, "note": "排水管已改装，费用已付"}, radio={"finding": "performed"})
    case.refresh_from_db()
    assert (case.confirmation, case.performance) == ("confirmed", "performed")
    assert case.attachments.filter(kind="signed_agreement").count() == 1
    shot(page, "mediation-case-followed-up")
    assert nothing_sideways(page)
    words = main_text(page)
    # places by name; what stays in digits is the case's and the event's numbers and the phone
    # the mediator calls back on
    assert "黄丽华" in words and "13800001234" in words and event.code in words
    assert ORG_CODE.findall(re.sub(r"\d{6}-TJ\d{4}-\d{5}|\d{6}-\d{8}-\d{4}|13800001234", "", words)) == []
    case_file = page.request.get(f"{live_server.url}/mediation/cases/{case.pk}/file.pdf")
    assert case_file.status == 200 and case_file.headers["content-type"] == "application/pdf"
    assert page.js_errors == [] and desk_errors == []
    context.close()


ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


@pytest.mark.parametrize("username, paths", [
    ("justice", ["/mediation/", "/mediation/committees/", "/mediation/statistics/", "/mediation/centres/",
                 "/mediation/advisers/", "/mediation/screening/"]),
    ("gridworker", ["/mediation/screening/", "/mediation/advisers/", "/mediation/centres/"]),
])
def test_the_mediation_pages_read_well_on_a_phone(browser, live_server, town_demo, username, paths):
    from gridgov.mediation.models import Centre

    context, page = open_as(browser, live_server, username, PHONE)
    paths = paths + [f"/mediation/centres/{Centre.objects.get().pk}/"]
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        name = f"mediation-{username}-{path.strip('/').replace('/', '-')}"
        shot(page, name)
        words = main_text(page)
        assert nothing_sideways(page), path
        # names, not codes (the case and event numbers, dates and phones aside); Chinese, not English
        digits = re.sub(r"\d{6}-TJ\d{4}-\d{5}|\d{6}-\d{8}-\d{4}|\d{4}-\d{2}-\d{2}|1[3-9]\d{9}|0\d{2,3}-\d{7,8}", "",
                        words)
        assert ORG_CODE.findall(digits) == [], (path, ORG_CODE.findall(digits))
        assert [w for w in ENGLISH_WORD.findall(words) if w not in {"PDF", "Excel"}] == [], path
    assert page.js_errors == []
    context.close()
