import pytest

from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import DomainError, Forbidden
from gridgov.events.models import Channel, RoutingRule
from gridgov.events.routing import find_route
from gridgov.events.services import (
    Submission,
    access_event_by_token,
    event_reporter_dispute,
    event_reporter_rate,
    event_submit,
    routing_rule_end,
    routing_rule_save,
)
from gridgov.events.workflow import Status
from tests.events.conftest import jpeg
from tests.events.test_loop import act
from tests.factories import Tree


@pytest.fixture
def closed_event(people, food_rule):
    event = event_submit(actor=SystemActor("public_page"), submission=Submission(
        category_code="food.unlicensed", description="楼下有无证烧烤摊", channel=Channel.RESIDENT,
        lat=31.005, lng=120.005, reporter_name="陈先生", reporter_contact="13812345678"))
    act(people["station"], event, "accept")
    act(people["station"], event, "handle", note="已取缔", photos=[jpeg()])
    act(people["gw"], event, "verify", passed=True)
    return act(people["dispatcher"], event, "close")


def test_resident_is_told_by_sms_when_the_event_closes(people, food_rule, django_capture_on_commit_callbacks,
                                                       capsys):
    from gridgov.core.models import Delivery

    with django_capture_on_commit_callbacks(execute=True):
        event = event_submit(actor=SystemActor("public_page"), submission=Submission(
            category_code="food.unlicensed", description="无证摊贩", channel=Channel.RESIDENT,
            lat=31.005, lng=120.005, reporter_contact="13812345678"))
        act(people["station"], event, "accept")
        act(people["station"], event, "handle", note="已取缔", photos=[jpeg()])
        act(people["gw"], event, "verify", passed=True)
        act(people["dispatcher"], event, "close")

    # the console SMS of the demo prints it, and the delivery is recorded as sent
    sms = Delivery.objects.get(channel="sms")
    assert (sms.address, sms.status, sms.attempts) == ("13812345678", "sent", 1)
    assert sms.status == "sent" and sms.text == ""  # sent: the words are with the resident
    printed = capsys.readouterr().out
    assert "[SMS to 138******78]" in printed and event.code in printed


def test_the_reporter_rates_through_the_public_link(closed_event):
    event = access_event_by_token(closed_event.public_token)

    event = event_reporter_rate(event=event, rating=4, comment="处理及时")

    assert event.reporter_rating == 4
    assert event.timeline.last().actor_label


def test_a_dispute_sends_the_closed_event_back_to_verification(people, closed_event):
    event = event_reporter_dispute(event=closed_event, reason="摊位晚上又来了")

    assert event.status == Status.HANDLED and event.step == "verify"
    assert event.timeline.last().action == "dispute"
    # And the loop continues: the grid worker verifies again.
    assert act(people["gw"], event, "verify", passed=False, note="确认仍在经营").status == Status.ACCEPTED


def test_an_open_event_cannot_be_disputed_or_rated(people, food_rule):
    event = event_submit(actor=people["gw"], submission=Submission(
        category_code="food.unlicensed", description="x", channel=Channel.GRID_WORKER, lat=31.005, lng=120.005))

    with pytest.raises(DomainError):
        event_reporter_dispute(event=event, reason="还没处理")
    with pytest.raises(DomainError):
        event_reporter_rate(event=event, rating=5)


def test_a_wrong_link_finds_nothing(db):
    with pytest.raises(DomainError):
        access_event_by_token("not-a-token")


def test_changing_a_rule_keeps_the_old_one_in_history(city_admin, food_rule, departments, categories):
    new = routing_rule_save(actor=city_admin, category=categories["food.unlicensed"], org_prefix=Tree.COUNTY_A,
                            department=departments["housing"], to_local_station=False)

    food_rule.refresh_from_db()
    assert not food_rule.is_active and food_rule.ended_at is not None
    assert new.replaces == food_rule
    assert find_route(category=categories["food.unlicensed"], org_code=Tree.CELL_A1).unit == departments["housing"]
    routing_rule_end(actor=city_admin, rule=new)
    assert find_route(category=categories["food.unlicensed"], org_code=Tree.CELL_A1) is None
    assert RoutingRule.objects.count() == 2


def test_a_rule_for_a_department_outside_the_area_is_refused(city_admin, departments, categories):
    with pytest.raises(DomainError) as error:
        routing_rule_save(actor=city_admin, category=categories["food"], org_prefix=Tree.COUNTY_B,
                          department=departments["market"])

    assert "department" in error.value.fields


def test_only_admins_edit_rules(people, departments, categories):
    with pytest.raises(Forbidden):
        routing_rule_save(actor=people["dispatcher"], category=categories["food"], org_prefix=Tree.COUNTY_A,
                          department=departments["market"])
