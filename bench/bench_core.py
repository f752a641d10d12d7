"""Benchmarks of the core paths: placing a point in a grid cell, a page of people, finding a
person by resident ID, subtree counts, the audit chain, field encryption, and seeding."""

from __future__ import annotations

import itertools
import random
import time

from django.db import transaction

from bench import Context, Result, benchmark, paired


def _cells(ctx: Context):
    return [cell for city in ctx.plan.cities for cell in city.cells()]


@benchmark("seed town", phase="empty")
def seed_town(ctx: Context) -> Result:
    from gridgov.core.models import Role, User, UserRole
    from gridgov.core.services import person_create
    from gridgov.demo.generator import _Writer, generate_people, plan_demo, seed_demo

    plan = plan_demo(scale="town", seed=1)
    rows = list(generate_people(plan))
    rounds = ctx.rounds(3, 1)

    def target() -> float:
        with transaction.atomic():
            start = time.perf_counter()
            seed_demo(scale="town", seed=1, password="bench-password")
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return elapsed

    def baseline() -> float:
        # The same people entered one at a time through the service a form would call.
        with transaction.atomic():
            writer = _Writer(plan, "!")
            writer.province()
            writer.org_units(plan.first_city)
            officer = User.objects.create(username="bench-officer", scope_code=plan.root_code)
            UserRole.objects.create(user=officer, role=Role.PROGRAM_OFFICER)
            officer = User.objects.get(pk=officer.pk)
            start = time.perf_counter()
            for row in rows:
                person_create(actor=officer, name=row.name, resident_id=row.resident_id, org_code=row.org_code,
                              phone=row.phone, address=row.address, lat=row.lat, lng=row.lng)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        return elapsed

    target_s = sorted(target() for _r in range(rounds))[rounds // 2]
    baseline_s = sorted(baseline() for _r in range(rounds))[rounds // 2]
    counts = plan.counts()
    return Result(
        "seed town",
        f"seed_demo town ({counts['grid_cells']} cells, {counts['users']} users, {counts['people']} people)",
        target_s,
        f"{len(rows)} × person_create (service path)",
        baseline_s,
    )


@benchmark("grid_cell_at")
def grid_cell_at(ctx: Context) -> Result:
    from gridgov.core.models import OrgUnit
    from gridgov.core.selectors import grid_cell_at as locate

    cells = _cells(ctx)
    rng = random.Random(7)
    west = min(c.rect[0] for c in cells)
    south = min(c.rect[1] for c in cells)
    east = max(c.rect[2] for c in cells)
    north = max(c.rect[3] for c in cells)
    points = itertools.cycle([(rng.uniform(west, east) / 1e6, rng.uniform(south, north) / 1e6) for _i in range(500)])
    codes = itertools.cycle([rng.choice(cells).code for _i in range(500)])

    def target():
        lng, lat = next(points)
        assert locate(lng=lng, lat=lat) is not None

    t, b = paired(target, lambda: OrgUnit.objects.filter(code=next(codes)).first(),
                  rounds=ctx.rounds(15, 5), number=20)
    return Result("grid_cell_at", f"grid_cell_at, random point, {len(cells):,} cells", t,
                  "one org unit by code (unique index)", b)


@benchmark("people page")
def people_page(ctx: Context) -> Result:
    from gridgov.core.models import Person
    from gridgov.core.selectors import people_visible_to, person_view

    admin = ctx.users["admin"]
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(8)
    cursors = itertools.cycle([ids[rng.randrange(max(1, len(ids) - 60))] for _i in range(200)])

    def target():
        page = list(people_visible_to(admin).filter(pk__gt=next(cursors)).order_by("pk")[:50])
        return [person_view(admin, p) for p in page]

    def baseline():
        return list(Person.objects.filter(pk__gt=next(cursors)).order_by("pk")
                    .values_list("pk", "name", "org_code", "lat", "lng")[:50])

    t, b = paired(target, baseline, rounds=ctx.rounds(15, 5), number=5)
    return Result("people page", "page of 50 people, scoped, decrypted, masked", t,
                  "same 50 rows, plain columns only", b)


@benchmark("find by resident ID")
def find_by_resident_id(ctx: Context) -> Result:
    from gridgov.core.models import Person
    from gridgov.core.selectors import people_by_identifier, people_visible_to

    # Exact lookups are for roles that may see full numbers (masking, issue 10): the officer,
    # over the people of their county. (The audit row and hourly limit of a real search come
    # on top, in `check_people_search`; this measures the lookup itself.)
    officer = ctx.users["officer"]
    rng = random.Random(9)
    ids = list(people_visible_to(officer).order_by("pk").values_list("pk", flat=True))
    sample = [ids[rng.randrange(len(ids))] for _i in range(100)]
    people = {p.pk: p.resident_id for p in Person.objects.filter(pk__in=sample)}
    resident_ids = itertools.cycle(people.values())
    pks = itertools.cycle(people.keys())

    def target():
        assert people_by_identifier(officer, kind="resident_id", value=next(resident_ids)).first() is not None

    t, b = paired(target, lambda: Person.objects.filter(pk=next(pks)).first(), rounds=ctx.rounds(15, 5), number=20)
    return Result("find by resident ID", "people_by_identifier by resident ID (blind index)", t,
                  "one person by primary key", b)


@benchmark("subtree count")
def subtree_count(ctx: Context) -> Result:
    from gridgov.core.models import Person

    townships = [t for city in ctx.plan.cities for t in city.townships()]
    rng = random.Random(10)
    picked = [rng.choice(townships) for _i in range(50)]
    codes = itertools.cycle([t.code for t in picked])
    cell_lists = itertools.cycle([[c.code for v in t.villages for c in v.cells] for t in picked])

    t, b = paired(lambda: Person.objects.in_subtree(next(codes)).count(),
                  lambda: Person.objects.filter(org_code__in=next(cell_lists)).count(),
                  rounds=ctx.rounds(15, 5), number=5)
    return Result("subtree count", "people in a township (org_code prefix)", t,
                  "same people by org_code IN (its cells)", b)


@benchmark("audit append")
def audit_append(ctx: Context) -> Result:
    from django.utils import timezone

    from gridgov.core.audit import audit_record
    from gridgov.core.audit_actions import AuditAction
    from gridgov.core.models import AuditEntry

    admin = ctx.users["admin"]
    county = ctx.plan.first_county.code
    seq = itertools.count(1)

    def target():
        with transaction.atomic():
            # any registered action: the benchmark's throwaway database keeps nothing
            audit_record(actor=admin, action=AuditAction.DEMO_SEED, org_code=county, changes={"n": 1})

    def baseline():
        # The same row without the chain: no head lock, no hash over the previous entry.
        n = next(seq)
        with transaction.atomic():
            AuditEntry(chain="bench", seq=n, prev_hash="", hash=f"bench-{n}", at=timezone.now(), actor=admin,
                       actor_username=admin.username, action=AuditAction.DEMO_SEED.value, org_code=county,
                       changes='{"n":1}').save(force_insert=True)

    t, b = paired(target, baseline, rounds=ctx.rounds(10, 3), number=20)
    return Result("audit append", "audit_record (hash chain, locked head)", t, "plain INSERT of the same row", b)


@benchmark("field encryption")
def field_encryption(ctx: Context) -> Result:
    from gridgov.core import crypto

    value = "11010519491231002X"
    t, b = paired(lambda: crypto.encrypt(value), lambda: crypto.blind_index("resident_id", value),
                  rounds=ctx.rounds(15, 5), number=200)
    return Result("field encryption", "Fernet encrypt of a resident ID", t, "HMAC blind index of it", b)
