"""`visible_to(user)` (core.querysets): one scoping rule for every table that carries an org code.

For each scoped model: a user of a village sees the village's row and not the sibling
village's; a user without a scope sees none. And one `access_*` per app answers the same 404
for a missing row and one out of scope.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from gridgov.core.exceptions import NotFound
from gridgov.core.models import Role
from gridgov.core.querysets import ScopedQuerySet
from tests.factories import DepartmentFactory, EventFactory, PersonFactory, Tree, make_user, org_unit

VILLAGE = Tree.VILLAGE_A  # 990101001001
SIBLING = "990101001002"  # the next village of the same township
CELL, SIBLING_CELL = Tree.CELL_A1, SIBLING + "001"
TODAY = datetime.date(2026, 11, 24)
_n = itertools.count(1)

# Rows that belong to one person rather than to an area: scoped by recipient, not by code.
NOT_AREA_SCOPED = {"core.notification", "core.delivery", "core.exportjob"}  # each user's own
SCOPED_APPS = {"core", "events", "care", "register"}


@pytest.fixture
def places(tree):
    tree.units[SIBLING] = org_unit(SIBLING, "邻村")
    tree.units[SIBLING_CELL] = org_unit(SIBLING_CELL, "邻村网格")
    return tree


def _enrollment(org):
    from gridgov.care.models import Enrollment

    return Enrollment.objects.create(person=PersonFactory(org_code=org), program="smd", org_code=org, consent=True,
                                     start_date=TODAY, retention_until=TODAY + datetime.timedelta(days=3650))


def _household(org):
    from gridgov.register.models import Household

    return Household.objects.create(org_code=org, address=f"幸福路 {next(_n)} 号")


def _round_item(org):
    from gridgov.register.models import ChecklistItem, UpdateRound

    update_round = UpdateRound.objects.create(org_code=org, title="半月更新", starts_on=TODAY, due_on=TODAY)
    return ChecklistItem.objects.create(round=update_round, household=_household(org), org_code=org)


def _schedule(org):
    from gridgov.care.models import CareSchedule

    return CareSchedule.objects.create(enrollment=_enrollment(org), org_code=org, kind="call", interval_days=7,
                                       starts_on=TODAY)


def _campaign(org):
    from gridgov.care.models import Campaign

    return Campaign.objects.create(org_code=org, kind="minors", title="摸排", starts_on=TODAY, due_on=TODAY)


def _routing_rule(org):
    from gridgov.events.models import Category, RoutingRule

    return RoutingRule.objects.create(category=Category.objects.get(code="fire.lane"), org_prefix=org,
                                      department=DepartmentFactory(org_code=org))


def _m(label):
    return apps.get_model(label)


def _now():
    return timezone.now()


# label → (the role that sees that table by area, a function creating one row under `org`)
BUILDERS = {
    "core.department": (Role.DISPATCHER, lambda org: DepartmentFactory(org_code=org)),
    "core.person": (Role.DISPATCHER, lambda org: PersonFactory(org_code=org)),
    "core.auditentry": (Role.AUDITOR, lambda org: _m("core.AuditEntry").objects.create(
        chain=org[:6], seq=next(_n), prev_hash="0" * 64, hash=f"{next(_n):064d}", at=_now(), action="test",
        org_code=org)),
    "core.workschedule": (Role.CITY_ADMIN, lambda org: _m("core.WorkSchedule").objects.create(
        org_code=org, morning_start=datetime.time(8), morning_end=datetime.time(12),
        afternoon_start=datetime.time(13), afternoon_end=datetime.time(17))),
    "core.correctionrequest": (Role.GRID_WORKER, lambda org: _m("core.CorrectionRequest").objects.create(
        person=PersonFactory(org_code=org), org_code=org, target="person", target_id=1, current_values="{}",
        requested_values="{}", evidence="id_card", reason="改名", due_on=TODAY)),
    "core.emergencygrant": (Role.AUDITOR, lambda org: _m("core.EmergencyGrant").objects.create(
        user=make_user(f"u{next(_n)}", scope=org), person=PersonFactory(org_code=org), org_code=org,
        reason="danger_to_life", note="急", granted_at=_now(), expires_at=_now())),
    "core.rolegrantrequest": (Role.CITY_ADMIN, lambda org: _m("core.RoleGrantRequest").objects.create(
        user=make_user(f"u{next(_n)}", scope=org), reason="新任", org_code=org)),
    "events.event": (Role.DISPATCHER, lambda org: EventFactory(org_code=org)),
    "events.routingrule": (Role.CITY_ADMIN, _routing_rule),
    "events.intakekey": (Role.CITY_ADMIN, lambda org: _m("events.IntakeKey").objects.create(
        name="传感器", kind="sensor", key_hash=f"{next(_n):064d}", prefix="abcd", org_code=org)),
    "care.enrollment": (Role.PROGRAM_OFFICER, _enrollment),
    "care.visit": (Role.PROGRAM_OFFICER, lambda org: _m("care.Visit").objects.create(
        enrollment=_enrollment(org), org_code=org, date=TODAY, form="phone", next_due_date=TODAY)),
    "care.crisis": (Role.PROGRAM_OFFICER, lambda org: _m("care.Crisis").objects.create(
        enrollment=_enrollment(org), org_code=org, description="情绪激动", reported_by="family", occurred_at=_now())),
    "care.handover": (Role.PROGRAM_OFFICER, lambda org: _m("care.Handover").objects.create(
        enrollment=_enrollment(org), from_org_code=org, to_org_code=org, reason="move", due_date=TODAY)),
    "care.payment": (Role.PROGRAM_OFFICER, lambda org: _m("care.Payment").objects.create(
        enrollment=_enrollment(org), kind="guardian_reward", period_start=TODAY, period_end=TODAY,
        amount=Decimal("100.00"), paid_on=TODAY, org_code=org)),
    "care.campaign": (Role.PROGRAM_OFFICER, _campaign),
    "care.campaignitem": (Role.PROGRAM_OFFICER, lambda org: _m("care.CampaignItem").objects.create(
        campaign=_campaign(org), household_id=_household(org).pk, org_code=org)),
    "care.consentwithdrawal": (Role.PROGRAM_OFFICER, lambda org: _m("care.ConsentWithdrawal").objects.create(
        enrollment=_enrollment(org), org_code=org, withdrawn_on=TODAY, channel="in_person", outcome="exited")),
    "care.familyfile": (Role.PROGRAM_OFFICER, lambda org: _m("care.FamilyFile").objects.create(
        household_id=_household(org).pk, org_code=org, opened_on=TODAY)),
    "care.mentor": (Role.PROGRAM_OFFICER, lambda org: _m("care.Mentor").objects.create(
        enrollment=_enrollment(org), org_code=org, name="李老师", since=TODAY)),
    "care.careschedule": (Role.PROGRAM_OFFICER, _schedule),
    "care.schedulerecord": (Role.PROGRAM_OFFICER, lambda org: _m("care.ScheduleRecord").objects.create(
        schedule=_schedule(org), org_code=org, done_on=TODAY)),
    "register.building": (Role.SCREENER, lambda org: _m("register.Building").objects.create(
        org_code=org, address=f"楼 {next(_n)}", lat=31.0, lng=120.0, use="residential")),
    "register.household": (Role.SCREENER, _household),
    "register.membership": (Role.SCREENER, lambda org: _m("register.Membership").objects.create(
        household=_household(org), person=PersonFactory(org_code=org), relation="head",
        residence_type="registered_here", org_code=org)),
    "register.place": (Role.SCREENER, lambda org: _m("register.Place").objects.create(
        org_code=org, name="小卖部", kind="shop", lat=31.0, lng=120.0)),
    "register.fieldchange": (Role.SCREENER, lambda org: _m("register.FieldChange").objects.create(
        object_type="register.household", object_id=1, field="address", source="edit", org_code=org)),
    "register.updateround": (Role.SCREENER, lambda org: _round_item(org).round),
    "register.roundschedule": (Role.SCREENER, lambda org: _m("register.RoundSchedule").objects.create(org_code=org)),
    "register.checklistitem": (Role.SCREENER, _round_item),
    "register.placeinspection": (Role.SCREENER, lambda org: _m("register.PlaceInspection").objects.create(
        round=_round_item(org).round, org_code=org, place=_m("register.Place").objects.create(
            org_code=org, name="饭店", kind="restaurant", lat=31.0, lng=120.0))),
    "register.proposededit": (Role.SCREENER, lambda org: _m("register.ProposedEdit").objects.create(
        item=_round_item(org), kind="household_update", payload="{}")),
}


def _scoped_labels() -> list[str]:
    labels = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if model._meta.app_label in SCOPED_APPS and names & {"org_code", "org_prefix", "to_org_code"}:
            labels.append(model._meta.label_lower)
    return sorted(set(labels) - NOT_AREA_SCOPED)


def test_every_scoped_model_has_visible_to_and_a_case_here():
    labels = _scoped_labels()

    missing = [label for label in labels if not isinstance(apps.get_model(label)._default_manager.all(),
                                                           ScopedQuerySet)]
    assert missing == [], "give these a manager built from core.querysets.ScopedQuerySet"
    assert sorted(set(labels) - set(BUILDERS)) == [], "add a row builder for the new scoped tables"


@pytest.mark.parametrize("label", sorted(BUILDERS))
def test_a_village_sees_its_rows_and_not_the_sibling_village(places, label):
    role, build = BUILDERS[label]
    model = apps.get_model(label)
    org = {12: (VILLAGE, SIBLING), 15: (CELL, SIBLING_CELL)}
    # Tables of grid cells get rows in a cell of each village; the others at the villages.
    ours, theirs = org[15] if label.startswith(("register.", "events.event")) else org[12]
    mine, other = build(ours), build(theirs)
    user = make_user(f"v-{label}", role, scope=VILLAGE)
    nobody = make_user(f"n-{label}", role, scope="")

    visible = set(model.objects.visible_to(user).values_list("pk", flat=True))

    assert mine.pk in visible
    assert other.pk not in visible
    assert not model.objects.visible_to(nobody).exists()  # an empty scope means nothing
    assert not model.objects.in_area_of(nobody).exists()
    assert not model.objects.in_subtree("").exists()


def test_statistics_only_above_the_county_but_counts_still_cover_the_area(places):
    from gridgov.care.models import Enrollment

    enrollment = _enrollment(CELL)
    city_officer = make_user("city-officer", Role.PROGRAM_OFFICER, scope="9901")

    assert not Enrollment.objects.visible_to(city_officer).exists()
    assert list(Enrollment.objects.in_area_of(city_officer)) == [enrollment]


def test_a_grid_worker_sees_the_cases_of_their_cells_and_teams_only(places):
    from gridgov.care.models import Enrollment, TeamMember

    gw = make_user("gw-care", Role.GRID_WORKER, scope=VILLAGE, cells=[CELL])
    in_cell, on_team, elsewhere = _enrollment(CELL), _enrollment(Tree.CELL_A2), _enrollment(Tree.CELL_A2)
    TeamMember.objects.create(enrollment=on_team, user=gw, role="grid_worker")

    assert set(Enrollment.objects.visible_to(gw)) == {in_cell, on_team}  # not `elsewhere`
    assert elsewhere in Enrollment.objects.in_area_of(gw)  # though the area's counts include it


def test_a_team_only_role_sees_the_cases_of_its_teams_and_nothing_of_the_area(places):
    from gridgov.care.models import Enrollment, TeamMember

    liaison = make_user("liaison", Role.POLICE_LIAISON, scope=VILLAGE)
    on_team, _next_door = _enrollment(SIBLING_CELL), _enrollment(CELL)
    TeamMember.objects.create(enrollment=on_team, user=liaison, role="police_liaison")

    assert list(Enrollment.objects.visible_to(liaison)) == [on_team]


def test_events_a_reporter_sees_their_own_report_and_a_station_its_inbox(places):
    from gridgov.events.models import Event

    resident = make_user("resident", scope="")
    station = DepartmentFactory(org_code=Tree.TOWNSHIP_A, kind="station", parent=DepartmentFactory())
    staff = make_user("station-staff", Role.STATION_STAFF, scope=SIBLING, department=station)
    own = EventFactory(org_code=SIBLING_CELL, reporter=resident)
    sent = EventFactory(org_code=SIBLING_CELL, department=station)
    EventFactory(org_code=CELL)

    assert list(Event.objects.visible_to(resident)) == [own]
    assert list(Event.objects.visible_to(staff)) == [sent]


# --- access_*: the same 404 for missing and out of scope, one per app --------------------


def _same_404(access, user, outside_pk):
    with pytest.raises(NotFound) as missing:
        access(user, 10**9)
    with pytest.raises(NotFound) as elsewhere:
        access(user, outside_pk)
    assert (missing.value.message, missing.value.code) == (elsewhere.value.message, elsewhere.value.code)


def test_access_person_core(places):
    from gridgov.core.selectors import access_person

    user = make_user("gw-core", Role.GRID_WORKER, scope=VILLAGE, cells=[CELL])
    assert access_person(user, PersonFactory(org_code=CELL).pk)
    _same_404(access_person, user, PersonFactory(org_code=SIBLING_CELL).pk)


def test_access_event_events(places):
    from gridgov.events.selectors import access_event

    user = make_user("dispatcher", Role.DISPATCHER, scope=VILLAGE)
    assert access_event(user, EventFactory(org_code=CELL).pk)
    _same_404(access_event, user, EventFactory(org_code=SIBLING_CELL).pk)


def test_access_enrollment_care(places):
    from gridgov.care.selectors import access_enrollment

    user = make_user("officer", Role.PROGRAM_OFFICER, scope=VILLAGE)
    assert access_enrollment(user, _enrollment(CELL).pk)
    _same_404(access_enrollment, user, _enrollment(SIBLING_CELL).pk)


def test_access_household_register(places):
    from gridgov.register.selectors import access_household

    user = make_user("screener", Role.SCREENER, scope=VILLAGE)
    assert access_household(user, _household(CELL).pk)
    _same_404(access_household, user, _household(SIBLING_CELL).pk)
