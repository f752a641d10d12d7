"""The synthetic demo: a consistent grid, valid synthetic people, working demo accounts."""

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import RequestFactory
from django.utils import translation
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from gridgov.core import crypto
from gridgov.core.audit import AuditAction, verify_all
from gridgov.core.models import (
    AuditEntry,
    Department,
    DepartmentKind,
    GridAssignment,
    OrgLevel,
    OrgUnit,
    Person,
    Role,
    User,
)
from gridgov.core.selectors import grid_cell_at
from gridgov.core.validators import (
    MOBILE_PATTERN,
    is_valid_resident_id,
    resident_id_birth_date,
    resident_id_gender,
)
from gridgov.demo.generator import DEMO_ACCOUNTS, generate_people, plan_demo, seed_demo

PASSWORD = "demo-pass-123"


@pytest.fixture
def town(db):
    return seed_demo(scale="town", password=PASSWORD, seed=11)


def _run_command(**options):
    """The command's output in English, whatever the catalog translates."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _sign_in(username, password):
    return authenticate(request=RequestFactory().post("/"), username=username, password=password)


def _people_snapshot():
    return [(p.name, p.resident_id, p.phone, p.address, p.org_code, p.lat, p.lng)
            for p in Person.objects.order_by("id")]


def _seed_and_roll_back(seed):
    with transaction.atomic():
        seed_demo(scale="town", password=PASSWORD, seed=seed)
        people = _people_snapshot()
        units = list(OrgUnit.objects.order_by("code").values_list("code", "name"))
        transaction.set_rollback(True)
    return people, units


# --- The tree ---------------------------------------------------------------------------


def test_town_builds_one_county_two_townships_of_small_villages(town):
    levels = {level: list(OrgUnit.objects.filter(level=level).order_by("code")) for level in OrgLevel.values}

    assert [len(levels[lv]) for lv in ("province", "city", "county", "township")] == [1, 1, 1, 2]
    for township in levels["township"]:
        villages = [v for v in levels["village"] if v.parent_id == township.code]
        assert 2 <= len(villages) <= 3
        for village in villages:
            assert 2 <= sum(1 for c in levels["grid"] if c.parent_id == village.code) <= 3
    assert town.counts["grid_cells"] == len(levels["grid"])


def test_every_code_extends_its_parents_code_and_first_units_have_the_lowest_codes(town):
    units = list(OrgUnit.objects.all())
    lengths = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12, "grid": 15}

    for unit in units:
        assert len(unit.code) == lengths[unit.level] and unit.code.isdigit()
        if unit.parent_id:
            assert unit.code.startswith(unit.parent_id)
            assert len(unit.parent_id) == {4: 2, 6: 4, 9: 6, 12: 9, 15: 12}[len(unit.code)]
    plan = town.plan
    for level, first in (("county", plan.first_county), ("township", plan.first_township),
                         ("village", plan.first_village), ("grid", plan.first_cell)):
        assert first.code == min(u.code for u in units if u.level == level)


def test_grid_cells_tile_the_area_without_overlap_and_locate_back(town):
    cells = list(OrgUnit.objects.filter(level=OrgLevel.GRID))
    polygons = {c.code: shape(c.polygon) for c in cells}

    for i, a in enumerate(cells):
        for b in cells[i + 1:]:
            assert polygons[a.code].intersection(polygons[b.code]).area == pytest.approx(0, abs=1e-15)
    union = unary_union(list(polygons.values()))
    assert union.area == pytest.approx(union.envelope.area)  # no gaps: together they fill a rectangle
    for cell in cells:
        assert (cell.min_lng, cell.min_lat, cell.max_lng, cell.max_lat) == pytest.approx(polygons[cell.code].bounds)
        assert grid_cell_at(lng=cell.centroid_lng, lat=cell.centroid_lat).code == cell.code
        # Eastern China, WGS-84.
        assert 118 < cell.centroid_lng < 122 and 29 < cell.centroid_lat < 33


# --- Departments and staff ------------------------------------------------------------------


def test_each_county_has_its_departments_and_each_township_its_stations(town):
    county = town.plan.first_county

    departments = Department.objects.filter(kind=DepartmentKind.DEPARTMENT, org_code=county.code)
    assert {d.code for d in departments} == {
        f"{county.code}-{f}" for f in ("market", "housing", "fire", "health", "civil_affairs",
                                       "public_security", "justice", "urban_management")
    }
    for township in county.townships:
        stations = Department.objects.filter(kind=DepartmentKind.STATION, org_code=township.code)
        assert {s.code: s.parent.code for s in stations} == {
            f"{township.code}-{f}": f"{county.code}-{f}" for f in ("market", "public_security", "justice", "health")
        }
    assert Department.objects.get(code=f"{town.plan.first_township.code}-market").name.endswith("市场监管所")
    assert all(d.staff.exists() for d in Department.objects.all())


def test_every_grid_cell_has_exactly_one_grid_worker_scoped_to_it(town):
    for cell in OrgUnit.objects.filter(level=OrgLevel.GRID):
        assignments = list(GridAssignment.objects.filter(cell=cell).select_related("user"))
        assert len(assignments) == 1
        worker = User.objects.get(pk=assignments[0].user_id)
        assert worker.roles == {Role.GRID_WORKER} and worker.scope_code == cell.code


# --- People -----------------------------------------------------------------------------


def test_people_have_valid_unique_ids_matching_birth_date_and_gender(town):
    people = list(Person.objects.all())

    assert len(people) == town.counts["people"] == town.plan.counts()["people"]
    assert 180 <= len(people) <= 220
    assert len({p.resident_id for p in people}) == len(people)
    for person in people:
        assert is_valid_resident_id(person.resident_id), person.resident_id
        assert person.resident_id[:6] == person.org_code[:6]  # the county's region code
        assert resident_id_birth_date(person.resident_id) == person.birth_date
        assert resident_id_gender(person.resident_id) == person.gender
        assert 1930 <= person.birth_date.year <= 2024
        assert MOBILE_PATTERN.match(person.phone)
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", person.name)


def test_people_live_inside_their_cell_with_an_address_in_their_village(town):
    cells = {c.code: c for c in OrgUnit.objects.filter(level=OrgLevel.GRID)}
    villages = dict(OrgUnit.objects.filter(level=OrgLevel.VILLAGE).values_list("code", "name"))

    for person in Person.objects.all():
        cell = cells[person.org_code]
        assert shape(cell.polygon).contains(Point(person.lng, person.lat))
        assert grid_cell_at(lng=person.lng, lat=person.lat).code == cell.code
        assert person.address.startswith(villages[cell.parent_id])
        assert re.search(r"路\d+号", person.address)


def test_sensitive_fields_are_encrypted_with_findable_blind_indexes(town):
    person = Person.objects.order_by("id").first()

    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, phone, address FROM core_person WHERE id = %s", [person.pk])
        stored_id, stored_phone, stored_address = cursor.fetchone()

    assert person.resident_id not in stored_id and person.phone not in stored_phone
    assert [crypto.decrypt(v) for v in (stored_id, stored_phone, stored_address)] == [
        person.resident_id, person.phone, person.address]
    assert person.resident_id_index == crypto.blind_index("resident_id", person.resident_id)
    assert person.phone_index == crypto.blind_index("phone", person.phone)


# --- Demo accounts ----------------------------------------------------------------------


EXPECTED_ACCOUNTS = {
    "admin": (Role.CITY_ADMIN, "province"),
    "dispatcher": (Role.DISPATCHER, "county"),
    "gridworker": (Role.GRID_WORKER, "cell"),
    "department": (Role.DEPARTMENT_STAFF, "county"),
    "station": (Role.STATION_STAFF, "township"),
    "doctor": (Role.CARE_WORKER, "township"),
    "officer": (Role.PROGRAM_OFFICER, "county"),
    "mediator": (Role.MEDIATOR, "township"),
    "auditor": (Role.AUDITOR, "province"),
    "screener": (Role.SCREENER, "village"),
    "police": (Role.POLICE_LIAISON, "township"),  # care (issue 11)
    "justice": (Role.JUSTICE_OFFICER, "township"),  # mediation (issue 13)
    "bank": (Role.BANK_KEEPER, "village"),  # participation (issue 14)
    "volunteer": (Role.VOLUNTEER, "village"),
    "organiser": (Role.VOLUNTEER_ORGANISER, "village"),
}


def test_demo_accounts_have_the_contract_roles_and_scopes_and_sign_in(town):
    plan = town.plan
    scope_codes = {"province": plan.province_code, "county": plan.first_county.code,
                   "township": plan.first_township.code, "village": plan.first_village.code,
                   "cell": plan.first_cell.code}

    assert [a.username for a in DEMO_ACCOUNTS] == list(EXPECTED_ACCOUNTS)
    for username, (role, scope) in EXPECTED_ACCOUNTS.items():
        user = _sign_in(username, PASSWORD)
        assert user is not None, username
        assert user.roles == {role}
        assert user.scope_code == scope_codes[scope]
        assert re.search(r"[\u4e00-\u9fff]", user.display_name)
        assert user.is_superuser == (username == "admin") and user.is_staff == (username == "admin")
    assert _sign_in("admin", "wrong-password") is None


def test_demo_accounts_sit_on_the_first_cell_and_market_units(town):
    plan = town.plan

    assert list(User.objects.get(username="gridworker").grid_assignments.values_list("cell_id", flat=True)) == [
        plan.first_cell.code]
    assert User.objects.get(username="department").department.code == f"{plan.first_county.code}-market"
    assert User.objects.get(username="station").department.code == f"{plan.first_township.code}-market"


def test_generated_staff_can_sign_in_with_the_demo_password_too(town):
    worker = User.objects.filter(username__startswith="gw-").order_by("username").first()

    assert _sign_in(worker.username, PASSWORD) == worker


# --- Reproducibility --------------------------------------------------------------------


def test_the_same_seed_gives_the_same_data(db):
    first = _seed_and_roll_back(5)
    second = _seed_and_roll_back(5)

    assert first == second
    assert len(first[0]) > 150


def test_a_different_seed_gives_different_people(db):
    people_5, _units = _seed_and_roll_back(5)
    people_6, _units = _seed_and_roll_back(6)

    assert {p[1] for p in people_5}.isdisjoint({p[1] for p in people_6})
    assert [p[0] for p in people_5] != [p[0] for p in people_6]


# --- The command ------------------------------------------------------------------------


def test_command_seeds_and_prints_the_accounts_and_password(db):
    text = _run_command(scale="town", password=PASSWORD, seed=3)

    for username in EXPECTED_ACCOUNTS:
        assert re.search(rf"^{username}\s", text, re.MULTILINE)
    assert PASSWORD in text
    assert "示范省" in text and re.search(r"Done in \d+\.\d s", text)


def test_command_refuses_when_data_exists(town):
    people = Person.objects.count()

    with pytest.raises(CommandError, match="already"), translation.override("en"):
        call_command("seed_demo", scale="town", stdout=io.StringIO())

    assert Person.objects.count() == people


def test_command_refuses_when_a_demo_username_is_taken(db):
    User.objects.create(username="admin")

    with pytest.raises(CommandError, match="admin"):
        _run_command(scale="town")

    assert not OrgUnit.objects.exists() and not Person.objects.exists()


def test_skip_if_exists_generates_nothing_and_reprints_the_accounts(town):
    counts = (OrgUnit.objects.count(), Person.objects.count(), User.objects.count(), AuditEntry.objects.count())

    text = _run_command(scale="town", password=PASSWORD, skip_if_exists=True)

    assert (OrgUnit.objects.count(), Person.objects.count(), User.objects.count(),
            AuditEntry.objects.count()) == counts
    assert "already exists" in text
    assert re.search(r"^gridworker\s", text, re.MULTILINE) and PASSWORD in text


def test_skip_if_exists_does_not_claim_a_password_it_cannot_confirm(town):
    text = _run_command(scale="town", password="not-the-password", skip_if_exists=True)

    assert "not-the-password" not in text
    assert re.search(r"^admin\s", text, re.MULTILINE)


# --- Audit ------------------------------------------------------------------------------


def test_one_audit_entry_records_the_bulk_seed_and_the_chain_verifies(town):
    # The bulk rows (org units, people, register) have one entry; the demo events, care, the
    # inspection round under way, mediation, the points bank and volunteering went through the
    # services, which audit each write.
    entries = list(AuditEntry.objects.exclude(action__startswith="event.").exclude(action__startswith="care.")
                   .exclude(action=AuditAction.USER_ROLES_SET).exclude(action__startswith="register.round_")
                   .exclude(action__startswith="register.inspection_").exclude(action__startswith="mediation.")
                   .exclude(action__startswith="points.").exclude(action__startswith="volunteers.")
                   .exclude(action__startswith="suggestions.").exclude(action__startswith="projects.")
                   .exclude(action__startswith="meetings.").exclude(action__startswith="consultations."))

    assert [e.action for e in entries] == [AuditAction.DEMO_SEED]
    # the demo's roles are given by the system, without a second administrator (issue 10)
    roles = AuditEntry.objects.get(action=AuditAction.USER_ROLES_SET)
    assert roles.actor_username == "system" and '"system":"seed_demo"' in roles.changes
    entry = entries[0]
    assert entry.org_code == town.plan.first_city.code and entry.actor_username == "system"
    assert '"scale":"town"' in entry.changes and '"seed":11' in entry.changes
    assert f'"people":{town.counts["people"]}' in entry.changes
    checked, problems = verify_all()
    assert (checked, problems) == (AuditEntry.objects.count(), [])


# --- Plans at scale (not built here: too slow for a unit test) ---------------------------------


def test_an_inspection_round_is_under_way_in_the_first_village(town):
    from gridgov.register.models import PlaceInspection, RoundKind, UpdateRound

    update_round = UpdateRound.objects.get(kind=RoundKind.PLACES)
    statuses = sorted(update_round.inspections.exclude(status=PlaceInspection.Status.PENDING)
                      .values_list("status", flat=True))
    assert update_round.org_code == town.plan.first_village.code and update_round.status == "open"
    assert statuses == ["done", "done", "not_possible"]
    assert update_round.inspections.filter(problems__gt=0).count() == 1


def test_city_plan_has_the_published_city_counts():
    counts = plan_demo(scale="city", seed=1).counts()

    assert (counts["counties"], counts["townships"], counts["villages"], counts["grid_cells"]) == (7, 54, 841, 2701)
    assert counts["people"] == 50_000
    assert counts["departments"] == 7 * 8 and counts["stations"] == 54 * 4
    assert counts["users"] == 2701 + 56 + 216 + 12  # 12 demo accounts that replace no generated staff


def test_city_plan_codes_are_unique_well_formed_and_tile_the_city():
    plan = plan_demo(scale="city", seed=1)
    city = plan.first_city
    cells = list(city.cells())

    codes = [c.code for c in city.counties] + [t.code for t in city.townships()] + \
        [v.code for v in city.villages()] + [c.code for c in cells]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"39\d{2}(\d{2}(\d{3}(\d{3}(\d{3})?)?)?)?", c) for c in codes)
    assert sum((c.rect[2] - c.rect[0]) * (c.rect[3] - c.rect[1]) for c in cells) == \
        (city.rect[2] - city.rect[0]) * (city.rect[3] - city.rect[1])
    assert all(c.rect[0] < c.rect[2] and c.rect[1] < c.rect[3] for c in cells)


def test_city_people_have_unique_resident_ids_and_phones():
    plan = plan_demo(scale="city", seed=1)

    rows = list(generate_people(plan))

    assert len(rows) == 50_000
    assert len({r.resident_id for r in rows}) == len(rows)
    assert len({r.phone for r in rows}) == len(rows)


def test_plans_depend_only_on_the_seed():
    assert plan_demo(scale="city", seed=4) == plan_demo(scale="city", seed=4)
    assert plan_demo(scale="city", seed=4) != plan_demo(scale="city", seed=5)


def test_province_plan_has_twelve_cities_side_by_side():
    plan = plan_demo(scale="province", seed=1)

    assert len(plan.cities) == 12
    assert [c.code for c in plan.cities] == [f"39{i:02d}" for i in range(1, 13)]
    polygons = [shape({"type": "Polygon", "coordinates": [[
        [c.rect[0], c.rect[1]], [c.rect[2], c.rect[1]], [c.rect[2], c.rect[3]], [c.rect[0], c.rect[3]],
        [c.rect[0], c.rect[1]]]]}) for c in plan.cities]
    assert unary_union(polygons).area == sum(p.area for p in polygons)
    assert plan.counts()["grid_cells"] == 12 * 2701


def test_every_person_lives_in_exactly_one_household_with_one_head(town):
    from django.db.models import Count, F, Q

    from gridgov.register.models import Household, Membership, Place

    assert Membership.objects.filter(is_current=True).count() == Person.objects.count()
    heads = Household.objects.annotate(heads=Count("memberships", filter=Q(memberships__relation="head")))
    assert not heads.exclude(heads=1).exists()
    assert not Household.objects.exclude(org_code=F("building__org_code")).exists()
    assert Place.objects.filter(kind="elderly_daycare").count() == len(list(town.plan.first_city.villages()))
    cells = {cell.code for cell in town.plan.first_city.cells()}
    assert set(Place.objects.values_list("org_code", flat=True)) == cells  # a place in every cell
    assert set(Household.objects.values_list("org_code", flat=True)) == cells



def test_the_police_liaison_is_on_the_teams_of_the_first_townships_high_risk_cases(town):
    # care (issue 11): the demo's police account sees the high-risk cases of its township, nothing else
    from gridgov.care.models import Enrollment
    from gridgov.care.selectors import enrollments_visible_to

    police = User.objects.get(username="police")
    high_risk = set(Enrollment.objects.filter(high_risk=True, status="active",
                                              org_code__startswith=town.plan.first_township.code)
                    .values_list("pk", flat=True))
    assert high_risk
    assert set(enrollments_visible_to(police).values_list("pk", flat=True)) == high_risk


# --- A working day (issue 11) ------------------------------------------------------------------


def test_the_demo_opens_on_a_working_day_of_events_reported_over_past_weeks(town):
    from django.utils import timezone

    from gridgov.events.models import Event, Supervision

    events = list(Event.objects.all())
    now = timezone.now()
    days = {timezone.localtime(e.created_at).date() for e in events}
    statuses = {e.status for e in events}
    # reported over weeks, each code dated on its day, in most states of the loop
    assert len(days) >= 7 and min(days) <= (now - timezone.timedelta(days=14)).date()
    assert all(e.code.split("-")[1] == timezone.localtime(e.created_at).strftime("%Y%m%d") for e in events)
    assert {"dispatched", "accepted", "closed", "evaluated"} <= statuses and len(statuses) >= 6
    # open steps past their deadline, escalated for supervision as the periodic task does
    overdue = [e for e in events if e.step_deadline and e.step_deadline < now]
    assert overdue and Supervision.objects.filter(event__in=overdue).exists()
    # units that took over a working day to accept: the scores will have cards to show
    assert any(e.accept_hours_used and e.accept_hours_used > 8 for e in events)


def test_the_demo_has_care_work_under_way(town):
    from gridgov.care.models import Campaign, CampaignItem, Crisis, GuardianAgreement, Handover, Payment

    assert GuardianAgreement.objects.exists() and Payment.objects.count() >= 3
    assert Crisis.objects.filter(outcome="").exists() and Crisis.objects.exclude(outcome="").exists()
    pending = Handover.objects.filter(status="pending")
    first_township = town.plan.first_township.code
    assert pending.filter(from_org_code__startswith=first_township).exists()  # moving out
    assert pending.filter(to_org_code__startswith=first_township).exists()  # moving in
    campaign = Campaign.objects.get()
    items = CampaignItem.objects.filter(campaign=campaign)
    assert 0 < items.exclude(result="pending").count() < items.count()  # half done


def test_the_demo_mediator_works_cases_in_every_state(town):
    # mediation (issue 13): the first township's and first village's committees, the demo
    # mediator on both, and cases in every state of the flow and of an agreement's life
    from gridgov.events.models import Event
    from gridgov.mediation.selectors import cases_for

    mediator, justice = User.objects.get(username="mediator"), User.objects.get(username="justice")

    cases = cases_for(mediator)
    statuses = set(cases.values_list("status", flat=True))
    assert statuses == {"requested", "declined", "accepted", "mediating", "settled", "failed", "referred"}
    settled = cases.filter(status="settled")
    assert settled.filter(agreement_form="written", agreement_effective_on__isnull=True).exists()  # to be signed
    assert settled.filter(confirmation="confirmed", performance="performed").exists()
    assert settled.filter(agreement_form="oral", follow_ups__done_on__isnull=True).exists()
    assert cases.filter(status="mediating", reopened_count=1).exists()  # breached, mediated again
    handed = cases.get(source="event")
    assert handed.status == "accepted" and Event.objects.get(pk=handed.event_id).status == "closed"
    # another dispute waits on the desk, to be handed over in the walk-through
    assert Event.objects.filter(category__code__startswith="dispute", status__in=["registered", "dispatched"]).exists()
    # the township's one-stop centre has a roster, the village its advisers, the grid its screenings
    from gridgov.mediation.models import Centre, Finding, LegalAdviser, Screening

    assert Centre.objects.get().shifts.filter(unit="县人民法院驻镇法官工作室").exists()
    assert set(LegalAdviser.objects.values_list("kind", flat=True)) == {"lawyer", "legal_literate"}
    assert Screening.objects.count() >= 2 and Finding.objects.filter(route="mediation", case__isnull=False).exists()
    assert cases.filter(source="initiative", channel="grid", status="requested").exists()
    assert set(cases_for(justice).values_list("pk", flat=True)) == set(cases_for(mediator).values_list("pk", flat=True))


def test_the_demo_points_bank_has_earnings_a_shop_and_redemptions_in_every_state(town):
    # participation (issue 14): the first village's bank, kept by the demo `bank` account
    from gridgov.participation.models import Movement, PointsAccount, Redemption, ShopItem
    from gridgov.participation.selectors.points import accounts_for

    keeper = User.objects.get(username="bank")
    accounts = accounts_for(keeper)
    assert accounts.count() >= 4 and accounts.filter(balance__gt=0).exists()
    bank = accounts.first().bank
    assert sum(PointsAccount.objects.filter(bank=bank).values_list("balance", flat=True)) == 0  # double entry
    assert set(Redemption.objects.filter(bank=bank).values_list("status", flat=True)) == {
        "reserved", "handed_over", "voided"}
    assert Movement.objects.filter(bank=bank, kind="reversal").count() == 1
    assert ShopItem.objects.filter(bank=bank, stock=0).exists()  # something sold out
    assert Movement.objects.filter(bank=bank, kind="expiry").exists() and bank.expiry_months == 12
    assert accounts.filter(named_on_leaderboard_since__isnull=False).count() == 2
    assert Movement.objects.filter(bank=bank, kind="earn").exclude(evidence="").exists()
    assert Movement.objects.filter(bank=bank, source_key__startswith="volunteer-hours:").exists()


def test_the_demo_suggestions_and_projects_are_in_every_state(town):
    from gridgov.participation.models import Project, Suggestion

    assert {(s.status, s.outcome) for s in Suggestion.objects.all()} >= {
        ("submitted", ""), ("assigned", ""), ("answered", "adopted"), ("answered", "answered"),
        ("answered", "not_adopted"), ("removed", "")}
    assert Suggestion.objects.filter(hidden_at__isnull=False).exclude(status="removed").exists()
    assert Suggestion.objects.filter(project__isnull=False).count() == 2
    parent = Project.objects.get(parent__isnull=True, title="村道硬化与路灯改造")
    assert parent.children.count() == 2
    assert parent.progress == 30 and {p.status for p in Project.objects.all()} == {"planned", "under_way",
                                                                                   "completed"}


def test_the_demo_village_meetings_track_concerns_every_way(town):
    from gridgov.participation.models import Concern, MeetingAttendance, Movement, ServiceDay, VillageMeeting

    assert VillageMeeting.objects.count() == 3 and MeetingAttendance.objects.exists()
    assert {c.route for c in Concern.objects.all()} == {"on_the_spot", "owner", "event", "project"}
    assert Concern.objects.filter(route="owner", status="open").exists()
    assert Concern.objects.filter(route="owner", status="resolved").exists()
    assert Movement.objects.filter(source_key__startswith="meeting:").count() == MeetingAttendance.objects.count()
    assert ServiceDay.objects.count() == 4


def test_the_demo_consultations_are_drafted_open_and_decided(town):
    from gridgov.participation.models import Consultation

    stages = {(c.published_at is not None, c.decided_at is not None) for c in Consultation.objects.all()}
    assert stages == {(False, False), (True, False), (True, True)}
    decided = Consultation.objects.get(decided_at__isnull=False)
    assert decided.themes.exclude(answer="").count() == 2 and decided.documents.exists()
    assert Consultation.objects.filter(comments__source="meeting").exists()


def test_the_demo_volunteers_have_shifts_and_hours_in_every_state(town):
    from gridgov.participation.models import ServiceHours, Shift, SignUp

    assert set(SignUp.objects.values_list("status", flat=True)) == {"signed_up", "cancelled", "done", "no_show"}
    assert {(h.source, h.status) for h in ServiceHours.objects.all()} == {
        ("organiser", "approved"), ("self", "pending"), ("self", "declined")}
    shifts = Shift.objects.all()
    assert shifts.filter(is_cancelled=True).exists() and any(s.taken == s.capacity for s in shifts)
    volunteer = User.objects.get(username="volunteer").volunteer
    assert volunteer.qualifications.exists() and volunteer.points_account is not None
