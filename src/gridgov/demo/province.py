"""A real province for the demo on PostgreSQL (issue 12): >= 20,000 grid cells, >= 5 million
residents in households, >= 3 million events over two years and >= 300,000 care enrollments
with visits, written through COPY.

`province_plan(seed, fraction)` is the plan (`fraction` shrinks every count alike, for tests
and quick benches). The org tree, departments and staff are written through the ORM as in
the other scales; then every county's people, register, events and care rows are made in
worker processes (`county_rows`, one task per county, deterministic per seed and county) and
streamed by `copy_rows.CopyLoader` into the tables, each county's tables in dependency
order; then sequences are moved past the ids written, the small hand-made parts (the
demo's working day in the first township) go through the services as in every scale, and
the tables are ANALYZEd.

Encryption: every sensitive value is encrypted with Fernet one by one, with its own random
IV, exactly as the model field does (no ciphertext is cached or reused: equal values must
not give equal ciphertexts). Only the keyed HMAC blind indexes of name pieces, which are
deterministic by design, are cached per distinct name. The cost is spread over processes.
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import os
import random
import secrets
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from gridgov.demo.copy_rows import TableSpec, copy_line
from gridgov.demo.plan import (
    CITY_RECT,
    FIRST_CITY_NAME,
    PROVINCE_CITY_COLUMNS,
    PROVINCE_CODE,
    PROVINCE_NAME,
    DemoPlan,
    ScaleSpec,
    _PlaceNames,
    _plan_city,
    _tile,
    point_in,
    rng_for,
)

# 12 cities of DOMAIN.md's prefecture-level shape: 32,412 grid cells, 5.1 million people.
PROVINCE_CITIES = 12
PROVINCE_CITY = ScaleSpec(cities=PROVINCE_CITIES, counties=7, townships=54, villages=841, cells=2701,
                          people_per_city=425_000)
EVENTS_PER_PERSON = 0.6  # 3.06 million events over two years
ENROLLMENTS_PER_PERSON = 0.06  # 306,000 enrollments
EVENT_DAYS = 730
VISIT_WINDOW_DAYS = 120  # visits are written for the last four months of each enrollment
MIN_WORKER_PEOPLE = 50_000  # below this, one process: starting workers costs more than it saves

SPECS = {
    "person": TableSpec("core.Person", (
        "id", "name", "gender", "birth_date", "resident_id", "resident_id_index", "phone", "phone_index", "address",
        "org_code", "lat", "lng", "created_at", "updated_at")),
    "building": TableSpec("register.Building", (
        "id", "org_code", "name", "address", "address_index", "lat", "lng", "use", "floors", "is_rental",
        "landlord_id", "created_at", "updated_at")),
    "unit": TableSpec("register.BuildingUnit", ("id", "building_id", "label")),
    "household": TableSpec("register.Household", (
        "id", "org_code", "building_id", "unit_id", "address", "address_index", "created_at", "updated_at")),
    "membership": TableSpec("register.Membership", (
        "household_id", "person_id", "relation", "residence_type", "leave_reason", "is_current", "org_code")),
    "name_token": TableSpec("core.PersonNameToken", ("person_id", "token")),
    "event": TableSpec("events.Event", (
        "id", "code", "category_id", "urgency", "description", "channel", "status", "org_code", "lat", "lng",
        "address", "reporter_id", "reporter_name", "reporter_contact", "public_token", "department_id",
        "owner_department_id", "created_at", "updated_at", "step", "step_started_at", "step_deadline", "deadlines",
        "handle_deadline", "closed_at", "closed_on_time", "rework_count", "extension_count", "return_count",
        "supervision_level", "rating", "accept_hours_used", "handle_hours_used", "resolved_on_site")),
    "timeline": TableSpec("events.TimelineEntry", (
        "event_id", "action", "from_status", "to_status", "actor_id", "actor_label", "at", "note", "extra")),
    "enrollment": TableSpec("care.Enrollment", (
        "id", "person_id", "program", "org_code", "status", "legal_basis", "consent", "start_date", "exit_code",
        "exit_reason", "retention_until", "details", "high_risk", "key_case", "next_due_date", "last_visit_date",
        "created_by_id", "created_at", "updated_at")),
    "visit": TableSpec("care.Visit", (
        "enrollment_id", "org_code", "date", "form", "visited_by_id", "missed", "notes", "details", "needs",
        "help_given", "next_due_date", "photo", "created_at")),
    "supervision": TableSpec("events.Supervision", ("event_id", "level_code", "step", "reason", "created_at")),
    "team": TableSpec("care.TeamMember", (
        "enrollment_id", "user_id", "name", "contact", "role", "acknowledged_how", "added_at")),
}


# --- The plan --------------------------------------------------------------------------------


def _fraction_spec(fraction: float) -> ScaleSpec:
    if fraction >= 1:
        return PROVINCE_CITY
    cities = max(1, round(PROVINCE_CITIES * fraction))
    per_city = fraction * PROVINCE_CITIES / cities
    counties = max(1, round(7 * per_city))
    townships = max(4 * counties, round(54 * per_city))
    villages = max(6 * townships, round(841 * per_city))
    cells = max(villages, round(2701 * per_city))
    return ScaleSpec(cities=cities, counties=counties, townships=townships, villages=villages, cells=cells,
                     people_per_city=max(6 * cells, round(PROVINCE_CITY.people_per_city * per_city)))


def province_plan(*, seed: int, fraction: float = 1.0) -> DemoPlan:
    """The province of `seed_demo --scale province` on PostgreSQL; `fraction` < 1 keeps its
    proportions (cells per village, people per cell, events and enrollments per person)."""
    spec = _fraction_spec(fraction)
    rng = rng_for(seed, "plan")
    w, s, e, n = CITY_RECT
    if spec.cities == 1:
        rects = [CITY_RECT]
    else:
        rows = math.ceil(spec.cities / PROVINCE_CITY_COLUMNS)
        province = (w - (PROVINCE_CITY_COLUMNS - 1) * (e - w), n - rows * (n - s), e, n)
        rects = _tile(province, [1] * spec.cities)
    city_names = _PlaceNames(rng)
    city_names.used.add(FIRST_CITY_NAME[:2])
    cities = []
    for index, rect in enumerate(rects):
        name = FIRST_CITY_NAME if index == 0 else city_names.draw("市")
        cities.append(_plan_city(spec, rng, f"{PROVINCE_CODE}{index + 1:02d}", name, rect))
    return DemoPlan(scale="province", seed=seed, province_code=PROVINCE_CODE, province_name=PROVINCE_NAME,
                    cities=cities)


def planned_bulk_counts(plan: DemoPlan) -> dict[str, int]:
    people = sum(cell.people for city in plan.cities for cell in city.cells())
    return {"people": people, "events": round(people * EVENTS_PER_PERSON),
            "enrollments": round(people * ENROLLMENTS_PER_PERSON)}


# --- What the workers need from the database -----------------------------------------------


@dataclass
class Context:
    """Ids and settings read once in the main process and handed to every county task."""

    seed: int
    now: datetime.datetime
    id_base: int  # people, buildings, units and households take ids from here
    event_base: int
    enrollment_base: int
    county_offsets: dict[str, int]  # county code -> its first person number
    event_offsets: dict[str, int]
    enrollment_offsets: dict[str, int]
    workers: dict[str, tuple[int, str]]  # cell code -> (grid worker id, label)
    departments: dict[tuple[str, str], tuple[int, str, int]]  # (org, function) -> (id, code, owner id)
    staff: dict[int, tuple[int, str]]  # department id -> (user id, label)
    categories: list[tuple[int, str, str | None]]  # (id, code, function routed to, or None)
    to_station: dict[str, bool]
    limits: dict[tuple[str, str, str], float]  # (category, urgency, step) -> hours
    dispatcher: tuple[int, str] | None
    doctor: tuple[int, str] | None
    officer_id: int | None
    program_settings: dict[str, dict]
    existing_counters: dict[tuple[str, str], int]
    skip_care_prefix: str  # the first township keeps its hand-made care
    system_label: str


# --- One county's rows -----------------------------------------------------------------------


class _Out:
    def __init__(self):
        self.lines: dict[str, list[str]] = {name: [] for name in SPECS}

    def add(self, name: str, values) -> None:
        self.lines[name].append(copy_line(values))

    def add_tokens(self, person_id: int, suffixes: tuple[str, ...]) -> None:
        pid = str(person_id)
        self.lines["name_token"].extend([pid + suffix for suffix in suffixes])

    def result(self) -> dict[str, tuple[str, int]]:
        return {name: ("".join(lines), len(lines)) for name, lines in self.lines.items()}


@lru_cache(maxsize=200_000)
def _name_token_lines(name: str) -> tuple[str, ...]:
    """The tail of each name-index row of a person called `name` (a keyed HMAC of each
    piece: deterministic by design, so cached per distinct name)."""
    from gridgov.core.person_search import _tokens, name_pieces

    return tuple(f"\t{token}\n" for token in _tokens(name_pieces(name)))


def county_rows(task) -> tuple[str, dict[str, tuple[str, int]], dict[tuple[str, str], int]]:
    """Every bulk row of one county, as COPY text per table, and its event code counters."""
    county, city_code, ctx = task
    from gridgov.core import crypto
    from gridgov.demo import names
    from gridgov.demo.people import PeopleMaker
    from gridgov.register.models import ResidenceType, address_index

    enc = crypto.encrypt
    out = _Out()
    now = ctx.now.isoformat()  # written as text: the same instant in every row of the seed
    maker = PeopleMaker(ctx.seed)
    maker.rng = rng = rng_for(ctx.seed, f"province-people-{county.code}")
    next_person = [ctx.id_base + ctx.county_offsets[county.code]]

    def phone_for(number: int) -> str:
        # Unique in the run: the last eight digits are a bijection of the person's number.
        return f"{rng.choice(names.MOBILE_PREFIXES)}{(number * 7_919_3 + 12_345_678) % 100_000_000:08d}"

    residence = (ResidenceType.REGISTERED_HERE, ResidenceType.MOVED_IN, ResidenceType.REGISTERED_AWAY)
    buildings: dict[tuple[str, str], int] = {}
    units: dict[tuple[int, str], int] = {}
    adults_by_cell: dict[str, list[tuple[int, datetime.date]]] = {}
    people_rows: list[tuple[int, str, datetime.date, str]] = []
    for township in county.townships:
        for village in township.villages:
            roads = rng.sample(names.ROADS, 3)
            numbers: dict[str, int] = {}
            for cell in village.cells:
                household_id = None
                last_household = None
                for row in maker.people_of_cell(cell, village, county.code, roads, numbers):
                    pid = next_person[0]
                    next_person[0] += 1
                    phone = phone_for(pid)
                    out.add("person", (pid, row.name, row.gender, row.birth_date, enc(row.resident_id),
                                       crypto.blind_index("resident_id", row.resident_id), enc(phone),
                                       crypto.blind_index("phone", phone), enc(row.address), row.org_code,
                                       row.lat, row.lng, now, now))
                    out.add_tokens(pid, _name_token_lines(row.name))
                    if row.household != last_household:
                        last_household = row.household
                        household_id = pid
                        key = (row.org_code, row.building)
                        if key not in buildings:
                            buildings[key] = pid
                            rented = rng.random() < 0.08
                            out.add("building", (
                                pid, row.org_code, "", enc(row.building), address_index(row.building), row.lat,
                                row.lng, "residential" if row.unit or rng.random() < 0.9 else "mixed",
                                rng.randint(6, 18) if row.unit else rng.randint(1, 3), rented,
                                pid if rented else None, now, now))
                        unit_id = None
                        if row.unit:
                            ukey = (buildings[key], row.unit)
                            if ukey not in units:
                                units[ukey] = pid
                                out.add("unit", (pid, buildings[key], row.unit))
                            unit_id = units[ukey]
                        out.add("household", (pid, row.org_code, buildings[key], unit_id, enc(row.address),
                                              address_index(row.address), now, now))
                    out.add("membership", (household_id, pid, row.relation,
                                           rng.choices(residence, (80, 15, 5))[0], "", True, row.org_code))
                    people_rows.append((pid, row.org_code, row.birth_date, row.name))
                    if row.birth_date.year <= 2000:
                        adults_by_cell.setdefault(row.org_code, []).append((pid, row.birth_date))
    counters = _county_events(county, ctx, out)
    _county_care(county, ctx, out, people_rows)
    return county.code, out.result(), counters


# Domain of a category (or the category) -> the county department function routed to.
_JOURNEYS_OLD = (("closed", 40), ("evaluated", 48), ("cancelled", 4), ("suspended", 2), ("returned", 1),
                 ("handled", 1), ("accepted", 1), ("dispatched", 1), ("verified", 2))
_JOURNEYS_RECENT = (("dispatched", 3), ("accepted", 3), ("handled", 2), ("verified", 1), ("closed", 4),
                    ("evaluated", 4), ("returned", 1), ("registered", 1), ("suspended", 1), ("cancelled", 1))
_OPEN = frozenset({"registered", "dispatched", "accepted", "handled", "verified", "returned", "suspended"})
_URGENCIES = (("ordinary", 90), ("urgent", 9), ("critical", 1))
_CHANNELS = (("grid_worker", 80), ("resident", 12), ("hotline", 8))


def _pick(rng: random.Random, weighted):
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def _county_events(county, ctx: Context, out: _Out) -> dict[tuple[str, str], int]:
    from django.utils.translation import gettext as _

    from gridgov.core.orgcodes import parent_code
    from gridgov.demo.events_data import _DELAYS, DESCRIPTIONS, LATE_SHARE
    from gridgov.events.models import Step

    supervise_reason = _("The %(step)s step is past its deadline.")

    rng = rng_for(ctx.seed, f"province-events-{county.code}")
    cells = [(cell, township) for township in county.townships for v in township.villages for cell in v.cells]
    total_people = sum(cell.people for cell, _t in cells)
    count = round(total_people * EVENTS_PER_PERSON)
    weights = [cell.people for cell, _t in cells]
    now = ctx.now
    # Two years of reports in office hours, up to yesterday (today is the hand-made demo's).
    first_day = (now - datetime.timedelta(days=EVENT_DAYS)).date()
    reports = sorted(
        datetime.datetime.combine(first_day + datetime.timedelta(days=rng.randrange(EVENT_DAYS)),
                                  datetime.time(rng.randint(0, 8), rng.randint(0, 59)), datetime.UTC)
        for _n in range(count))
    counters: dict[tuple[str, str], int] = {}
    event_id = ctx.event_base + ctx.event_offsets[county.code]
    dispatcher = ctx.dispatcher or (None, ctx.system_label)
    for reported in reports:
        cell, township = rng.choices(cells, weights)[0]
        cat_id, cat_code, function = rng.choice(ctx.categories)
        urgency = _pick(rng, _URGENCIES)
        channel = _pick(rng, _CHANNELS)
        day = reported.strftime("%Y%m%d")
        key = (county.code, reported.date().isoformat())
        counters[key] = counters.get(key, ctx.existing_counters.get(key, 0)) + 1
        code = f"{county.code}-{day}-{counters[key]:04d}"
        lng, lat = point_in(rng, cell.rect)
        worker = ctx.workers.get(cell.code)
        reporter = worker if channel == "grid_worker" and worker else None
        age_days = (now - reported).days
        target = _pick(rng, _JOURNEYS_OLD if age_days > 30 else _JOURNEYS_RECENT)
        routed = function is not None
        dept_function = function or "urban_management"
        owner = ctx.departments.get((county.code, dept_function))
        unit = owner
        if routed and ctx.to_station.get(cat_code) and (township.code, dept_function) in ctx.departments:
            unit = ctx.departments[(township.code, dept_function)]
        ev = {"status": "registered", "department_id": None, "owner_department_id": None, "deadlines": {},
              "step": "", "step_started_at": None, "step_deadline": None, "handle_deadline": None,
              "closed_at": None, "closed_on_time": None, "rating": None, "accept_hours_used": None,
              "handle_hours_used": None, "return_count": 0}
        entries = []
        t = reported

        def start_step(step, at):
            hours = ctx.limits.get((cat_code, urgency, step), 24.0)
            # Calendar hours stand in for working hours here (weekends are not skipped).
            deadline = at + datetime.timedelta(hours=hours)
            ev["step"], ev["step_started_at"], ev["step_deadline"] = step, at, deadline
            ev["deadlines"] = {**ev["deadlines"], step: deadline.isoformat()}
            if step == "handle" and ev["handle_deadline"] is None:
                ev["handle_deadline"] = deadline

        def stop_step():
            ev["step"], ev["step_started_at"], ev["step_deadline"] = "", None, None

        def move(action, to, actor, at, extra=None, note=""):
            entries.append((action, ev["status"], to, actor[0] if actor else None,
                            actor[1] if actor else ctx.system_label, at, note, extra or {}))
            ev["status"] = to

        def later(step):
            low, high, late = _DELAYS[step]
            hours = late * rng.uniform(0.8, 1.5) if rng.random() < LATE_SHARE else rng.uniform(low, high)
            return t + datetime.timedelta(hours=hours)

        move("register", "registered", reporter, t, {"channel": channel})
        start_step("dispatch", t)
        staff = None
        while True:
            if routed and unit:
                ev["department_id"], ev["owner_department_id"] = unit[0], unit[2]
                move("dispatch", "dispatched", None, t, {"department": unit[1]}, "")
            else:
                if target == "registered" or unit is None:
                    break
                t = later("dispatch")
                if t >= now:
                    break
                if target == "cancelled":
                    move("cancel", "cancelled", dispatcher, t, note="重复上报，已有同一问题的事件在办理")
                    stop_step()
                    break
                ev["department_id"], ev["owner_department_id"] = unit[0], unit[2]
                move("dispatch", "dispatched", dispatcher, t, {"department": unit[1]})
            start_step("accept", t)
            staff = ctx.staff.get(unit[0])
            if target in ("dispatched", "cancelled", "registered") or staff is None:
                break
            started = t
            t = later("accept")
            if t >= now:
                break
            if target == "returned":
                move("return", "returned", staff, t, note="不属于本单位职责范围，建议转城管部门")
                ev["return_count"] = 1
                start_step("dispatch", t)
                break
            move("accept", "accepted", staff, t)
            ev["accept_hours_used"] = round((t - started).total_seconds() / 3600, 2)
            start_step("handle", t)
            if target == "accepted":
                break
            if target == "suspended":
                move("suspend", "suspended", dispatcher, t, note="需纳入年度改造计划，待资金到位后处置")
                stop_step()
                break
            started = t
            t = later("handle")
            if t >= now:
                break
            move("handle", "handled", staff, t, note="已到现场处置完毕")
            ev["handle_hours_used"] = round((t - started).total_seconds() / 3600, 2)
            handled_at = t
            start_step("verify", t)
            if target == "handled":
                break
            t = later("verify")
            if t >= now:
                break
            move("verify", "verified", worker or dispatcher, t, {"passed": True}, "现场核查已整改")
            stop_step()
            if target == "verified":
                break
            t = later("close")
            if t >= now:
                break
            move("close", "closed", dispatcher, t)
            ev["closed_at"] = t
            ev["closed_on_time"] = handled_at <= ev["handle_deadline"]
            if target == "evaluated":
                t = later("evaluate")
                if t < now:
                    ev["rating"] = rng.choice((3, 4, 5, 5))
                    move("evaluate", "evaluated", dispatcher, t, {"rating": ev["rating"]})
            break
        supervision_level = ""
        if ev["step_deadline"] is not None and ev["step_deadline"] < now and ev["status"] in _OPEN:
            # Overdue and still open: under supervision, as the periodic escalation leaves it.
            late = ev["department_id"] and unit[1].split("-")[0] or county.code
            supervision_level = parent_code(late) or late
            overdue_at = ev["step_deadline"] + datetime.timedelta(minutes=5)
            out.add("supervision", (event_id, supervision_level, ev["step"], supervise_reason % {
                "step": Step(ev["step"]).label}, overdue_at))
            entries.append(("supervise", ev["status"], ev["status"], None, ctx.system_label, overdue_at, "",
                            {"level": supervision_level, "step": ev["step"]}))
        out.add("event", (
            event_id, code, cat_id, urgency, rng.choice(DESCRIPTIONS.get(cat_code, ("现场发现问题，请处置",))),
            channel, ev["status"], cell.code, lat, lng, "", reporter[0] if reporter else None, "", "",
            secrets.token_urlsafe(24), ev["department_id"], ev["owner_department_id"], reported,
            entries[-1][5], ev["step"], ev["step_started_at"], ev["step_deadline"], ev["deadlines"],
            ev["handle_deadline"], ev["closed_at"], ev["closed_on_time"], 0, 0, ev["return_count"],
            supervision_level, ev["rating"], ev["accept_hours_used"], ev["handle_hours_used"], False))
        for action, from_status, to_status, actor_id, label, at, note, extra in entries:
            out.add("timeline", (event_id, action, from_status, to_status, actor_id, label, at, note, extra))
        event_id += 1
    return counters


_CASES = (
    ("smd", {"risk_level": 0, "classification": "stable"}, 4),
    ("smd", {"risk_level": 1, "classification": "basically_stable"}, 2),
    ("smd", {"risk_level": 3, "classification": "unstable"}, 1),
    ("reentry", {"resettled": True}, 1),
)


def _county_care(county, ctx: Context, out: _Out, people_rows) -> None:
    from django.apps import apps

    from gridgov.care.programs import ScheduleInput, next_due
    from gridgov.care.services.common import DEFAULT_RETENTION_YEARS, _derived_flags
    from gridgov.core import crypto
    from gridgov.demo.care_data import _LEGAL_BASIS

    details_field = apps.get_model("care.Enrollment")._meta.get_field("details")
    rng = rng_for(ctx.seed, f"province-care-{county.code}")
    candidates = [p for p in people_rows if not p[1].startswith(ctx.skip_care_prefix)]
    count = min(len(candidates), round(len(people_rows) * ENROLLMENTS_PER_PERSON))
    chosen = sorted(rng.sample(candidates, count))
    today = ctx.now.date()
    enrollment_id = ctx.enrollment_base + ctx.enrollment_offsets[county.code]
    cases = [(program, details) for program, details, share in _CASES for _i in range(share)]
    enc = crypto.encrypt
    for pid, org_code, birth, _name in chosen:
        age = (today - birth).days // 365
        if age >= 60 and rng.random() < 0.6:
            program, details = "elderly", {"living_alone": True}
        elif age < 18:
            program, details = "child", {"key_child": True, "situation": "left_behind"}
        else:
            program, details = rng.choice(cases)
        settings = ctx.program_settings[program]
        start = today - datetime.timedelta(days=rng.randint(20, EVENT_DAYS))
        at = datetime.datetime.combine(start, datetime.time(2, 0), datetime.UTC)
        flags = _derived_flags(program, details, settings)
        worker = ctx.workers.get(org_code)
        visits = []
        day = max(start, today - datetime.timedelta(days=VISIT_WINDOW_DAYS))
        due = next_due(ScheduleInput(program, start, details, settings))
        last = None
        while True:
            day = max(day, due - datetime.timedelta(days=rng.randint(0, 5)))
            if day >= today:
                break
            visit_details = dict(details) if program == "smd" else {}
            due = next_due(ScheduleInput(program, day, visit_details or details, settings))
            form = rng.choice(("home", "phone", "home"))
            by = worker if (worker and program != "smd") else (ctx.doctor or worker)
            visits.append((enrollment_id, org_code, day, form, by[0] if by else None, False,
                           enc("情况稳定，按时服药" if program == "smd" else "生活情况良好"),
                           details_field.get_prep_value(visit_details), [], [], due, "",
                           datetime.datetime.combine(day, datetime.time(3, 0), datetime.UTC)))
            last = day
            day = day + datetime.timedelta(days=1)
        out.add("enrollment", (
            enrollment_id, pid, program, org_code, "active", _LEGAL_BASIS[program], program == "elderly", start, "",
            "", start.replace(year=start.year + DEFAULT_RETENTION_YEARS) if not (start.month == 2 and start.day == 29)
            else start.replace(year=start.year + DEFAULT_RETENTION_YEARS, day=28),
            details_field.get_prep_value(details), flags["high_risk"], flags["key_case"], due, last,
            ctx.officer_id, at, at))
        for visit in visits:
            out.add("visit", visit)
        team = []
        if worker:
            team.append((worker[0], "", "", "grid_worker"))
        if ctx.doctor:
            team.append((ctx.doctor[0], "", "", "doctor"))
        team.append((None, enc("家属"), "", "family"))
        for user_id, name, contact, role in team:
            out.add("team", (enrollment_id, user_id, name, contact, role, "", at))
        enrollment_id += 1


# --- Writing it all ----------------------------------------------------------------------------


def _context(plan: DemoPlan, seed: int, now: datetime.datetime) -> Context:
    from django.db.models import Max
    from django.utils.translation import gettext as _

    from gridgov.care.models import Enrollment
    from gridgov.care.programs import Program
    from gridgov.care.services.common import program_settings
    from gridgov.core.models import Department, Person, User
    from gridgov.demo.events_data import DESCRIPTIONS, ROUTES
    from gridgov.events.deadlines import limit_hours
    from gridgov.events.models import Category, Event, EventCodeCounter
    from gridgov.register.models import Building, BuildingUnit, Household

    def base(*models):
        return max((m.objects.aggregate(m=Max("id"))["m"] or 0) for m in models) + 1

    county_offsets, event_offsets, enrollment_offsets = {}, {}, {}
    people = events = enrollments = 0
    for city in plan.cities:
        for county in city.counties:
            n = sum(c.people for t in county.townships for v in t.villages for c in v.cells)
            county_offsets[county.code], event_offsets[county.code] = people, events
            enrollment_offsets[county.code] = enrollments
            people += n
            events += round(n * EVENTS_PER_PERSON)
            enrollments += round(n * ENROLLMENTS_PER_PERSON)
    workers = {}
    for user in User.objects.filter(grid_assignments__isnull=False).prefetch_related("grid_assignments"):
        for assignment in user.grid_assignments.all():
            workers.setdefault(assignment.cell_id, (user.pk, user.label))
    departments = {}
    for d in Department.objects.all():
        departments[(d.org_code, d.function)] = (d.pk, d.code, d.parent_id or d.pk)
    staff = {}
    for user in User.objects.filter(department__isnull=False).order_by("id"):
        staff.setdefault(user.department_id, (user.pk, user.label))
    route_of = {code: (function, station) for code, function, station in ROUTES}
    categories, to_station, limits = [], {}, {}
    for category in Category.objects.filter(code__in=list(DESCRIPTIONS)).order_by("code"):
        route = route_of.get(category.code) or route_of.get(category.code.split(".")[0])
        categories.append((category.pk, category.code, route[0] if route else None))
        to_station[category.code] = bool(route and route[1])
        for urgency, _w in _URGENCIES:
            for step in ("dispatch", "accept", "handle", "verify"):
                limits[(category.code, urgency, step)] = float(limit_hours(category=category, urgency=urgency,
                                                                           step=step))
    by_name = {u.username: (u.pk, u.label) for u in User.objects.filter(username__in=["dispatcher", "doctor",
                                                                                        "officer"])}
    return Context(
        seed=seed, now=now, id_base=base(Person, Building, BuildingUnit, Household), event_base=base(Event),
        enrollment_base=base(Enrollment), county_offsets=county_offsets, event_offsets=event_offsets,
        enrollment_offsets=enrollment_offsets, workers=workers, departments=departments, staff=staff,
        categories=categories, to_station=to_station, limits=limits, dispatcher=by_name.get("dispatcher"),
        doctor=by_name.get("doctor"), officer_id=by_name.get("officer", (None,))[0],
        program_settings={p: program_settings(p) for p in Program.values},
        existing_counters={(c.county, c.day.isoformat()): c.last for c in EventCodeCounter.objects.all()},
        skip_care_prefix=plan.first_township.code, system_label=str(_("System")),
    )


def _processes(people: int) -> int:
    if people < MIN_WORKER_PEOPLE:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def copy_bulk(plan: DemoPlan, *, seed: int, say, processes: int | None = None):
    """Write every county's people, register, events and care rows through COPY (in the
    caller's transaction), then the event code counters, sequences and statistics."""
    from django.conf import settings
    from django.core.management.color import no_style
    from django.db import connection
    from django.utils import timezone

    from gridgov.core import partitions
    from gridgov.demo.copy_rows import CopyLoader
    from gridgov.events.models import EventCodeCounter

    now = timezone.now().replace(microsecond=0)
    ctx = _context(plan, seed, now)
    # The monthly partitions of the whole seeded range, before the first row: otherwise two
    # years of timeline rows would all land in the DEFAULT partition (only months ahead of
    # now are made by `gridgov partitions`).
    made = partitions.ensure_partitions(now=now, since=now - datetime.timedelta(days=EVENT_DAYS + 1))
    say(f"  partitions: {len(made)} monthly partition(s) made for the seeded range")
    loader = CopyLoader(SPECS, say)
    counties = [(county, city.code, ctx) for city in plan.cities for county in city.counties]
    people = planned_bulk_counts(plan)["people"]
    processes = processes or _processes(people)
    say(f"  COPY: {len(counties)} counties in {processes} process(es)")
    counters: Counter = Counter()

    def take(results):
        for done, (_code, tables, county_counters) in enumerate(results, start=1):
            for name in SPECS:  # dependency order: people first, visits last
                data, rows = tables[name]
                loader.write(name, data, rows)
            counters.update(county_counters)
            loader.progress(done=done, of=len(counties))

    if processes == 1:
        take(county_rows(task) for task in counties)
    else:
        from gridgov.demo import province_worker

        with multiprocessing.get_context("spawn").Pool(processes, initializer=province_worker.init,
                                                       initargs=(list(settings.FIELD_KEYS),)) as pool:
            take(pool.imap(province_worker.run, counties))
    loader.progress(force=True, done=len(counties), of=len(counties))
    # Event codes go on from the numbers written; a new event of the same day takes the next.
    known = {(c.county, c.day.isoformat()): c for c in EventCodeCounter.objects.all()}
    fresh = []
    for (county, day), last in counters.items():
        if (county, day) in known:
            known[(county, day)].last = max(known[(county, day)].last, last)
            known[(county, day)].save(update_fields=["last"])
        else:
            fresh.append(EventCodeCounter(county=county, day=datetime.date.fromisoformat(day), last=last))
    EventCodeCounter.objects.bulk_create(fresh, batch_size=2000)
    # Today's live numbers come from the sequence (events.codes): it goes on past the seed's.
    from gridgov.events.codes import sync_sequence

    sync_sequence(timezone.localdate(now))
    models = [spec.model() for spec in SPECS.values()] + [EventCodeCounter]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    analyze(models)
    in_default = {table: n for table, n in partitions.default_rows().items() if n}
    say(f"  rows in DEFAULT partitions: {in_default or 0}")
    return dict(loader.rows), loader.summary()


def analyze(models) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def seed_province(*, password: str, seed: int, fraction: float = 1.0, stdout=None, processes: int | None = None):
    """`seed_demo --scale province` on PostgreSQL: the org tree, staff and the hand-made
    working day through the ORM as in every scale, the bulk through COPY; one transaction."""
    import time

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils.translation import gettext as _

    from gridgov.core.audit import AuditAction, audit_record
    from gridgov.core.models import User
    from gridgov.core.notifications.services import external_deliveries_off
    from gridgov.core.tokens import SystemActor
    from gridgov.demo import generator
    from gridgov.demo.care_data import write_care
    from gridgov.demo.care_underway import write_care_under_way
    from gridgov.demo.events_data import write_events, write_routing_rules
    from gridgov.demo.register_data import write_places
    from gridgov.demo.register_underway import write_register_under_way

    say = generator._say_to(stdout)
    started = time.perf_counter()
    plan = province_plan(seed=seed, fraction=fraction)
    planned = {**plan.counts(), **planned_bulk_counts(plan)}
    say(_("Generating a synthetic province on PostgreSQL through COPY (seed %(seed)s, fraction %(fraction)s): "
          "%(cells)s grid cells, %(people)s people, %(events)s events, %(enrollments)s enrollments.")
        % {"seed": seed, "fraction": fraction, "cells": f"{planned['grid_cells']:,}",
           "people": f"{planned['people']:,}", "events": f"{planned['events']:,}",
           "enrollments": f"{planned['enrollments']:,}"})
    writer = generator._Writer(plan, make_password(password))
    with transaction.atomic(), external_deliveries_off():
        if generator.demo_exists():
            raise generator.DemoExists()
        taken = sorted(User.objects.filter(username__in=generator.DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise generator.DemoExists(", ".join(taken))
        step = time.perf_counter()
        writer.province()
        for index, city in enumerate(plan.cities):
            writer.org_units(city)
            writer.users(city, writer.departments(city), with_demo=index == 0)
        say("  " + _("org units, departments and %(users)s users: %(seconds).1f s")
            % {"users": f"{writer.written['users']:,}", "seconds": time.perf_counter() - step})
        rows, summary = copy_bulk(plan, seed=seed, say=say, processes=processes)
        written = writer.written
        for key, name in (("people", "person"), ("households", "household"), ("buildings", "building"),
                          ("events", "event"), ("enrollments", "enrollment")):
            written[key] += rows.get(name, 0)
        step = time.perf_counter()
        # The hand-made working day of the first township, through the services.
        written["places"] += write_places(plan.first_city, rng_for(seed, f"places-{plan.first_city.code}"))
        for city in plan.cities:
            written["routing_rules"] += write_routing_rules(city.code)
        written["events"] += write_events(county_code=plan.first_county.code, count=generator.EVENTS_BY_SCALE["city"],
                                          rng=rng_for(seed, "events"))
        written["enrollments"] += write_care(township_code=plan.first_township.code,
                                             count=generator.CARE_BY_SCALE["city"], rng=rng_for(seed, "care"))
        for key, n in write_register_under_way(village_code=plan.first_village.code).items():
            written[f"register_{key}"] += n
        for key, n in write_care_under_way(township_code=plan.first_township.code,
                                           rng=rng_for(seed, "care-under-way")).items():
            written[f"care_{key}"] += n
        say("  " + _("the demo's working day through the services: %(seconds).1f s")
            % {"seconds": time.perf_counter() - step})
        counts = dict(sorted(written.items()))
        entry = audit_record(
            actor=SystemActor("seed_demo"), action=AuditAction.DEMO_SEED, object_type="demo",
            object_repr="province demo", org_code=plan.root_code,
            changes={"scale": "province", "seed": seed, "fraction": fraction, "counts": counts},
        )
    seconds = time.perf_counter() - started
    say(_("COPY per table (rows, seconds from the start of the bulk to its last row, rows/s, seconds in COPY):"))
    for table, n, span, rate, copy_seconds in summary:
        say(f"  {table:<24} {n:>12,} {span:>9.1f} s {rate:>12,.0f}/s {copy_seconds:>9.1f} s")
    total = sum(n for _t, n, *_rest in summary)
    say(_("Bulk rows: %(rows)s in %(seconds).1f s in all (%(rate)s rows/s).")
        % {"rows": f"{total:,}", "seconds": seconds, "rate": f"{total / max(seconds, 1e-9):,.0f}"})
    return generator.SeedResult(plan=plan, counts=counts, seconds=seconds, audit_entry_id=entry.pk)
