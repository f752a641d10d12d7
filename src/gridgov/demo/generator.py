"""The synthetic demo: a fictional province → city → counties → townships → villages → grid
cells, with county departments and township stations, their staff, one grid worker per cell,
the people living in each cell, and the demo accounts of CONTRACTS.md.

`plan_demo` decides everything that can be counted (codes, names, rectangles, how many
people live in each cell) without touching the database; `seed_demo` writes the plan in one
transaction, in batches, with one audit entry for the whole seed. Every random choice comes
from a `random.Random` seeded from `--seed`, so the same seed gives the same names,
resident ID numbers and phone numbers. No real person's data is ever used.

The plan lives in `demo.plan`, the people in `demo.people`, the accounts in `demo.accounts`;
this module writes them (and keeps their names importable from here).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gridgov.core import account_services, crypto
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.geo import polygon_from_geojson, polygon_summary
from gridgov.core.models import (
    Department,
    DepartmentKind,
    GridAssignment,
    OrgLevel,
    OrgUnit,
    Person,
    PersonNameToken,
    Role,
    User,
    UserRole,
)
from gridgov.core.org_cache import org_tree_changed
from gridgov.core.person_search import person_name_index_rows
from gridgov.core.tokens import SystemActor
from gridgov.demo import names
from gridgov.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_USERNAMES,
    AccountRow,
    DemoAccount,
    demo_account_rows,
    format_accounts,
)
from gridgov.demo.people import PeopleMaker, PersonRow, generate_people
from gridgov.demo.plan import (
    DEFAULT_SEED,
    SCALE_SPECS,
    SCALES,
    CellPlan,
    CityPlan,
    CountyPlan,
    DemoPlan,
    ScaleSpec,
    TownshipPlan,
    VillagePlan,
    plan_demo,
    rect_polygon,
    rng_for,
)

__all__ = [
    "CARE_BY_SCALE", "DEFAULT_PASSWORD", "DEFAULT_SEED", "DEMO_ACCOUNTS", "DEMO_USERNAMES", "EVENTS_BY_SCALE",
    "SCALES", "SCALE_SPECS", "AccountRow", "CellPlan", "CityPlan", "CountyPlan", "DemoAccount", "DemoExists",
    "DemoPlan", "PersonRow", "ScaleSpec", "SeedResult", "TownshipPlan", "VillagePlan", "demo_account_rows",
    "demo_exists", "format_accounts", "generate_people", "plan_demo", "rect_polygon", "seed_demo",
]

DEFAULT_PASSWORD = "gridgov-demo"
PERSON_BATCH = 2000
EVENTS_BY_SCALE = {"town": 40, "city": 240, "province": 240}
CARE_BY_SCALE = {"town": 12, "city": 60, "province": 60}
INSERT_BATCH = 1000


def _scope_code(plan: DemoPlan, scope: str) -> str:
    return {
        "province": plan.province_code,
        "county": plan.first_county.code,
        "township": plan.first_township.code,
        "village": plan.first_village.code,
        "cell": plan.first_cell.code,
    }[scope]


# --- Writing ---------------------------------------------------------------------------


class DemoExists(Exception):
    """Org units are already present; a demo is only generated into an empty database."""


@dataclass
class SeedResult:
    plan: DemoPlan
    counts: dict[str, int]
    seconds: float
    audit_entry_id: int


def demo_exists() -> bool:
    return OrgUnit.objects.exists()


class _Writer:
    def __init__(self, plan: DemoPlan, password_hash: str):
        self.plan = plan
        self.password_hash = password_hash
        self.staff_rng = rng_for(plan.seed, "staff")
        self.people = PeopleMaker(plan.seed)
        self.written: Counter = Counter()
        from gridgov.demo.register_data import RegisterState

        self.register = RegisterState(rng=rng_for(plan.seed, "register"))

    def province(self) -> None:
        OrgUnit.objects.create(code=self.plan.province_code, name=self.plan.province_name,
                               level=OrgLevel.PROVINCE)
        self.written["provinces"] += 1

    def org_units(self, city: CityPlan) -> None:
        units = [OrgUnit(code=city.code, name=city.name, level=OrgLevel.CITY, parent_id=self.plan.province_code)]
        for county in city.counties:
            units.append(OrgUnit(code=county.code, name=county.name, level=OrgLevel.COUNTY, parent_id=city.code))
        for county in city.counties:
            for township in county.townships:
                units.append(OrgUnit(code=township.code, name=township.name, level=OrgLevel.TOWNSHIP,
                                     parent_id=county.code))
        for village in city.villages():
            units.append(OrgUnit(code=village.code, name=village.name, level=OrgLevel.VILLAGE,
                                 parent_id=village.code[:9]))
        for cell in city.cells():
            polygon = rect_polygon(cell.rect)
            units.append(OrgUnit(code=cell.code, name=cell.name, level=OrgLevel.GRID, parent_id=cell.code[:12],
                                 polygon=polygon, **polygon_summary(polygon_from_geojson(polygon))))
        OrgUnit.objects.bulk_create(units, batch_size=INSERT_BATCH)
        org_tree_changed()
        for unit in units:
            self.written[{"city": "cities", "county": "counties", "township": "townships", "village": "villages",
                          "grid": "grid_cells"}[unit.level]] += 1

    def departments(self, city: CityPlan) -> dict[tuple[str, str], Department]:
        """County departments and township stations, by (org code, function)."""
        departments = [
            Department(code=f"{county.code}-{function}", name=county.name + suffix, kind=DepartmentKind.DEPARTMENT,
                       function=function, org_code=county.code)
            for county in city.counties
            for function, suffix in names.COUNTY_DEPARTMENTS
        ]
        _bulk_create_with_pks(Department, departments)
        by_key = {(d.org_code, d.function): d for d in departments}
        stations = []
        for county in city.counties:
            for township in county.townships:
                for function, suffix in names.TOWNSHIP_STATIONS:
                    if function == "health" and township.kind == "street":
                        suffix = "社区卫生服务中心"
                    stations.append(Department(
                        code=f"{township.code}-{function}", name=township.name + suffix,
                        kind=DepartmentKind.STATION, function=function, org_code=township.code,
                        parent=by_key[(county.code, function)],
                    ))
        _bulk_create_with_pks(Department, stations)
        by_key.update({(s.org_code, s.function): s for s in stations})
        self.written["departments"] += len(departments)
        self.written["stations"] += len(stations)
        return by_key

    def _staff_name(self) -> str:
        surname = self.staff_rng.choices([s for s, _w in names.SURNAMES], [w for _s, w in names.SURNAMES])[0]
        pool = self.staff_rng.choice((names.GIVEN_MALE, names.GIVEN_FEMALE))
        return surname + self.staff_rng.choice(pool) + self.staff_rng.choice(pool)

    def users(self, city: CityPlan, departments: dict[tuple[str, str], Department], *, with_demo: bool) -> None:
        stand_ins = {a.stands_in_for: a for a in DEMO_ACCOUNTS if a.stands_in_for} if with_demo else {}
        first_county = city.counties[0]
        first_township = first_county.townships[0]
        first_cell = first_township.villages[0].cells[0]
        rows: list[tuple[User, list[str], list[str]]] = []

        def add(username, display_name, role, scope, department=None, cells=(), **extra):
            user = User(username=username, display_name=display_name, scope_code=scope, department=department,
                        password=self.password_hash, **extra)
            rows.append((user, [role], list(cells)))

        if with_demo:
            for account in DEMO_ACCOUNTS:
                if account.stands_in_for:
                    continue
                superuser = account.role == Role.CITY_ADMIN
                add(account.username, account.display_name, account.role, _scope_code(self.plan, account.scope),
                    is_staff=superuser, is_superuser=superuser)
        for county in city.counties:
            for function, _suffix in names.COUNTY_DEPARTMENTS:
                dept = departments[(county.code, function)]
                account = stand_ins.get("market_department") if (county is first_county and function == "market") else None
                add(account.username if account else f"staff-{dept.code}",
                    account.display_name if account else self._staff_name(),
                    Role.DEPARTMENT_STAFF, county.code, department=dept)
            for township in county.townships:
                for function, _suffix in names.TOWNSHIP_STATIONS:
                    station = departments[(township.code, function)]
                    account = stand_ins.get("market_station") if (
                        township is first_township and function == "market") else None
                    add(account.username if account else f"staff-{station.code}",
                        account.display_name if account else self._staff_name(),
                        Role.STATION_STAFF, township.code, department=station)
        for cell in city.cells():
            account = stand_ins.get("grid_worker") if cell is first_cell else None
            add(account.username if account else f"gw-{cell.code}",
                account.display_name if account else self._staff_name(),
                Role.GRID_WORKER, cell.code, cells=[cell.code])
        users = [u for u, _r, _c in rows]
        _bulk_create_with_pks(User, users, key="username")
        # accounts (issue 10): the demo's roles are given by the system, without the second
        # administrator's approval that people need; audited as the system.
        account_services.roles_seed(
            actor=SystemActor("seed_demo"), source="seed_demo",
            rows=[UserRole(user_id=u.pk, role=r) for u, roles, _c in rows for r in roles], batch_size=INSERT_BATCH,
        )
        GridAssignment.objects.bulk_create(
            [GridAssignment(user_id=u.pk, cell_id=c) for u, _r, cells in rows for c in cells], batch_size=INSERT_BATCH
        )
        org_tree_changed()  # bulk writes send no signals (core.org_cache)
        self.written["users"] += len(users)

    def persons(self, city: CityPlan) -> None:
        batch: list[tuple[PersonRow, Person]] = []
        for row in self.people.people_of_city(city):
            # Flush only between households, so that each household is written whole.
            if len(batch) >= PERSON_BATCH and batch[-1][0].household != row.household:
                self._flush(batch)
                batch = []
            batch.append((row, Person(
                name=row.name, gender=row.gender, birth_date=row.birth_date,
                resident_id=row.resident_id, resident_id_index=crypto.blind_index("resident_id", row.resident_id),
                phone=row.phone, phone_index=crypto.blind_index("phone", row.phone),
                address=row.address, org_code=row.org_code, lat=row.lat, lng=row.lng,
            )))
        if batch:
            self._flush(batch)

    def _flush(self, batch: list[tuple[PersonRow, Person]]) -> None:
        from gridgov.demo.register_data import write_households

        people = [person for _row, person in batch]
        _bulk_create_with_pks(Person, people, key="resident_id_index")
        PersonNameToken.objects.bulk_create(person_name_index_rows(people), batch_size=INSERT_BATCH)
        self.written["people"] += len(people)
        self.written.update(write_households(batch, self.register))
        # Under DEBUG, Django keeps the SQL of the last 9,000 statements; bulk inserts of
        # encrypted rows would make that hundreds of megabytes at province scale. (A caller
        # counting queries sets force_debug_cursor; its log is left alone.)
        if not connection.force_debug_cursor:
            connection.queries_log.clear()


def _bulk_create_with_pks(model, objs: list, *, key: str = "code") -> None:
    """bulk_create, then make sure every object knows its primary key (databases that
    cannot return ids from a bulk insert get them in one query)."""
    model.objects.bulk_create(objs, batch_size=INSERT_BATCH)
    missing = [o for o in objs if o.pk is None]
    if missing:
        ids = dict(model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in missing]})
                   .values_list(key, "pk"))
        for obj in missing:
            obj.pk = ids[getattr(obj, key)]


def _say_to(stdout):
    def say(text: str = "") -> None:
        if stdout is not None:
            stdout.write(text + "\n")
            flush = getattr(stdout, "flush", None)
            if flush:
                flush()
    return say


def seed_demo(*, scale: str, password: str = DEFAULT_PASSWORD, seed: int = DEFAULT_SEED, stdout=None,
              fraction: float = 1.0) -> SeedResult:
    """Generate the whole demo in one transaction. Raises DemoExists if any org unit exists.
    The province on PostgreSQL is the real one, written through COPY (`demo.province`)."""
    if scale == "province" and connection.vendor == "postgresql":
        from gridgov.demo.province import seed_province

        return seed_province(password=password, seed=seed, fraction=fraction, stdout=stdout)
    say = _say_to(stdout)
    if scale == "province":
        say(_("The full province (5 million residents) is written through COPY on PostgreSQL only; this "
              "database gets the small province of 12 cities through the ORM."))
    started = time.perf_counter()
    plan = plan_demo(scale=scale, seed=seed)
    planned = plan.counts()
    say(_("Generating a synthetic %(scale)s demo (seed %(seed)s): %(cells)s grid cells, %(people)s people.")
        % {"scale": scale, "seed": seed, "cells": f"{planned['grid_cells']:,}", "people": f"{planned['people']:,}"})
    # Hashing is deliberately slow; every generated account shares one hash of the password.
    writer = _Writer(plan, make_password(password))
    from gridgov.core.notifications.services import external_deliveries_off

    with transaction.atomic(), external_deliveries_off():
        if demo_exists():
            raise DemoExists()
        taken = sorted(User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True))
        if taken:
            raise DemoExists(", ".join(taken))
        writer.province()
        for index, city in enumerate(plan.cities):
            step = time.perf_counter()
            writer.org_units(city)
            departments = writer.departments(city)
            writer.users(city, departments, with_demo=index == 0)
            units_done = time.perf_counter()
            if len(plan.cities) == 1:
                say("  " + _("org units, departments and %(users)s users: %(seconds).1f s")
                    % {"users": f"{writer.written['users']:,}", "seconds": units_done - step})
            writer.persons(city)
            from gridgov.demo.register_data import write_places

            writer.written["places"] += write_places(city, rng_for(seed, f"places-{city.code}"))
            say("  " + _("%(city)s (%(code)s): %(people)s people, %(seconds).1f s")
                % {"city": city.name, "code": city.code, "people": f"{sum(c.people for c in city.cells()):,}",
                   "seconds": time.perf_counter() - step})
        from gridgov.demo.events_data import write_events, write_routing_rules

        for city in plan.cities:
            writer.written["routing_rules"] += write_routing_rules(city.code)
        step = time.perf_counter()
        writer.written["events"] += write_events(
            county_code=plan.first_county.code, count=EVENTS_BY_SCALE[scale], rng=rng_for(seed, "events"))
        say("  " + _("events through the loop: %(seconds).1f s") % {"seconds": time.perf_counter() - step})
        from gridgov.demo.care_data import write_care

        writer.written["enrollments"] += write_care(
            township_code=plan.first_township.code, count=CARE_BY_SCALE[scale], rng=rng_for(seed, "care"))
        from gridgov.demo.register_underway import write_register_under_way

        for key, n in write_register_under_way(village_code=plan.first_village.code).items():
            writer.written[f"register_{key}"] += n
        from gridgov.demo.care_underway import write_care_under_way

        for key, n in write_care_under_way(township_code=plan.first_township.code,
                                           rng=rng_for(seed, "care-under-way")).items():
            writer.written[f"care_{key}"] += n
        from gridgov.demo.mediation_data import write_mediation

        for key, n in write_mediation(township_code=plan.first_township.code,
                                      village_code=plan.first_village.code).items():
            writer.written[f"mediation_{key}"] += n
        from gridgov.demo.participation_data import write_points

        for key, n in write_points(village_code=plan.first_village.code).items():
            writer.written[f"points_{key}"] += n
        from gridgov.demo.volunteers_data import write_volunteers

        for key, n in write_volunteers(village_code=plan.first_village.code).items():
            writer.written[f"volunteers_{key}"] += n
        from gridgov.demo.suggestions_data import write_suggestions

        for key, n in write_suggestions(township_code=plan.first_township.code).items():
            writer.written[f"suggestions_{key}"] += n
        from gridgov.demo.meetings_data import write_meetings

        for key, n in write_meetings(village_code=plan.first_village.code).items():
            writer.written[f"meetings_{key}"] += n
        from gridgov.demo.consultations_data import write_consultations

        for key, n in write_consultations(township_code=plan.first_township.code).items():
            writer.written[f"consultations_{key}"] += n
        counts = dict(sorted(writer.written.items()))
        entry = audit_record(
            actor=SystemActor("seed_demo"), action=AuditAction.DEMO_SEED, object_type="demo", object_repr=f"{scale} demo",
            org_code=plan.root_code if scale == "province" else plan.first_city.code,
            changes={"scale": scale, "seed": seed, "counts": counts},
        )
    return SeedResult(plan=plan, counts=counts, seconds=time.perf_counter() - started, audit_entry_id=entry.pk)
