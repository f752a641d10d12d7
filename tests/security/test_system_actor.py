"""No actor is no permission: a service given `actor=None` raises, it never skips its checks.
System work names itself with `core.actors.SystemActor`, and its audit entry reads "system"."""

import datetime

import pytest

from gridgov.care import daily
from gridgov.care import services as care
from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import Forbidden
from gridgov.core.models import AuditEntry
from gridgov.events import intake_keys
from gridgov.events.models import Channel, Event, IntakeKey
from gridgov.events.services import Submission, event_submit
from gridgov.register import rounds
from tests.care.conftest import enroll, patient, staff  # noqa: F401
from tests.events.conftest import categories, departments, food_rule, people  # noqa: F401
from tests.factories import Tree


def _report(channel=Channel.RESIDENT):
    return Submission(category_code="food.unlicensed", description="路边无证摊点", channel=channel,
                      lat=31.005, lng=120.005)


def test_an_event_reported_without_an_actor_is_refused(people, food_rule):
    with pytest.raises(TypeError):
        event_submit(actor=None, submission=_report())
    assert not Event.objects.exists()


def test_a_system_actor_holds_no_staff_channel(people, food_rule):
    # Before issue 11 an absent actor skipped the channel check and reported as a grid worker.
    for channel in (Channel.GRID_WORKER, Channel.HOTLINE):
        with pytest.raises(Forbidden):
            event_submit(actor=SystemActor("public_page"), submission=_report(channel))
    assert not Event.objects.exists()


def test_a_resident_report_through_the_public_page_is_audited_as_the_system(people, food_rule):
    event = event_submit(actor=SystemActor("public_page"), submission=_report())
    entry = AuditEntry.objects.get(action="event.submit", object_id=str(event.pk))
    assert (entry.actor_id, entry.actor_username) == (None, "system")


def test_intake_keys_are_made_on_the_command_line_or_by_the_events_settings_role(tree, people):
    with pytest.raises(Forbidden):
        intake_keys.intake_key_create(actor=None, kind=IntakeKey.Kind.OPEN311, name="App")
    with pytest.raises(Forbidden):
        intake_keys.intake_key_create(actor=people["gw"], kind=IntakeKey.Kind.OPEN311, name="App")
    new = intake_keys.intake_key_create(actor=SystemActor("open311_key"), kind=IntakeKey.Kind.OPEN311, name="App")
    with pytest.raises(Forbidden):
        intake_keys.intake_key_revoke(actor=people["gw"], prefix=new.key.prefix)
    assert IntakeKey.objects.get().is_active


def test_care_services_refuse_an_absent_actor(staff, patient):
    enrollment = enroll(staff, patient)
    with pytest.raises(TypeError):
        care.enrollment_exit(actor=None, enrollment=enrollment, on=datetime.date(2026, 12, 1), reason="迁出")
    with pytest.raises(TypeError):
        care.crisis_report(actor=None, enrollment=enrollment, description="x", reported_by="family")
    with pytest.raises(Forbidden):
        care.crisis_report(actor=SystemActor("care_daily"), enrollment=enrollment, description="x",
                           reported_by="family")
    enrollment.refresh_from_db()
    assert enrollment.status == enrollment.Status.ACTIVE


def test_the_nightly_care_job_audits_as_the_system(staff, tree):
    from tests.factories import PersonFactory, make_resident_id

    child = PersonFactory(name="小明", resident_id=make_resident_id(birth="20081201", seq=3), org_code=Tree.CELL_A1,
                          birth_date=datetime.date(2008, 12, 1))
    enrollment = enroll(staff, child, program="child", details={})
    assert daily.exits_by_age(datetime.date(2026, 12, 1)) == 1
    entry = AuditEntry.objects.get(action="care.exit", object_id=str(enrollment.pk))
    assert entry.actor_username == "system"


def test_a_round_is_never_opened_without_an_actor(tree):
    with pytest.raises(TypeError):
        rounds._create_round(actor=None, org_code=Tree.CELL_A1, title="x", starts_on=datetime.date(2026, 12, 1),
                             due_on=datetime.date(2026, 12, 8))


def test_events_escalate_runs_as_the_system(people, food_rule):
    from django.core.management import call_command
    from django.utils import timezone

    event = event_submit(actor=SystemActor("public_page"), submission=_report())
    Event.objects.filter(pk=event.pk).update(step_deadline=timezone.now() - datetime.timedelta(hours=1))
    call_command("events_escalate", stdout=open("/dev/null", "w"))
    entry = AuditEntry.objects.get(action="event.escalate", object_id=str(event.pk))
    assert (entry.actor_id, entry.actor_username) == (None, "system")


def test_care_daily_runs_as_the_system(staff, patient):
    import io

    from django.core.management import call_command

    enroll(staff, patient)
    out = io.StringIO()
    call_command("care_daily", stdout=out)
    assert "exits_by_age: 0" in out.getvalue() and "anonymised: 0" in out.getvalue()
