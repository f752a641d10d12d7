"""A grid worker inspects a restaurant on a phone in an inspection round (issue 11 §C), from
the home page's "places to inspect", in a real Chromium: every question answered, one
problem with its note and a photo, completed; the problem then offers the event report form
filled in with the place."""

import datetime
import io

import pytest
from PIL import Image

from gridgov.core.models import Role
from gridgov.events.catalog import seed_categories
from gridgov.register import rounds, services
from gridgov.register.inspection_catalog import seed_inspection_questions
from gridgov.register.models import InspectionQuestion, PlaceInspection, RoundKind
from tests.e2e.test_core_pages import sign_in
from tests.factories import Tree, build_tree, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def inspection_round(transactional_db):
    build_tree()
    seed_inspection_questions()  # a transactional test starts from empty tables
    seed_categories()
    make_user("gw", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李网格")
    screener = make_user("screener", Role.SCREENER, scope=Tree.VILLAGE_A, display_name="周审核")
    place = services.place_create(actor=screener, name="老街面馆", kind="restaurant", lat=31.005, lng=120.005)
    today = datetime.date.today()
    update_round = rounds.round_open(actor=screener, org_code=Tree.VILLAGE_A, title="十二月消防食品检查",
                                     starts_on=today, due_on=today + datetime.timedelta(days=5), kind=RoundKind.PLACES)
    return {"round": update_round, "place": place}


def _photo(tmp_path):
    path = tmp_path / "extinguisher.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_grid_worker_records_an_inspection_on_a_phone(phone_page, live_server, inspection_round, tmp_path):
    page = phone_page
    update_round, place = inspection_round["round"], inspection_round["place"]
    inspection = update_round.inspections.get()
    questions = list(InspectionQuestion.objects.filter(place_kind="restaurant", is_active=True)
                     .order_by("position", "id"))
    extinguishers = next(q for q in questions if q.code == "extinguishers")

    # The home page says what waits: the places to inspect in this round.
    sign_in(page, live_server, "gw")
    page.get_by_role("link", name="十二月消防食品检查").first.click()
    page.wait_for_url(f"**/register/rounds/{update_round.pk}/inspections/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling

    # The place on the list, by name; its checklist.
    page.locator(f"#inspection-{inspection.pk} a").click()
    page.wait_for_url(f"**/register/inspections/{inspection.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for question in questions:
        value = "problem" if question == extinguishers else "ok"
        page.locator(f"input[name=q{question.pk}][value={value}]").check()
    problem = page.locator(f"fieldset[data-question={extinguishers.code}]")
    problem.locator("summary").click()
    problem.locator(f"input[name=q{extinguishers.pk}_note]").fill("两具灭火器已过期")
    problem.locator(f"input[name=q{extinguishers.pk}_photo]").set_input_files(str(_photo(tmp_path)))
    page.locator("button[name=complete]").click()

    # Back on the list, the place is inspected with one problem.
    page.wait_for_url(f"**/register/rounds/{update_round.pk}/inspections/**")
    page.locator(f"#inspection-{inspection.pk} .badge-danger").wait_for()
    inspection.refresh_from_db()
    assert inspection.status == PlaceInspection.Status.DONE and inspection.problems == 1
    answer = inspection.answers.get(question=extinguishers)
    assert answer.note == "两具灭火器已过期" and answer.photo

    # The problem can be reported as an event: the report form comes filled in with the place.
    page.locator(f"#inspection-{inspection.pk} a").click()
    page.locator("a.report-problem").click()
    page.wait_for_url("**/events/mobile/**")
    assert "老街面馆" in page.locator("textarea[name=description]").input_value()
    assert page.locator("input[name=place]").input_value() == str(place.pk)
    assert page.js_errors == []
