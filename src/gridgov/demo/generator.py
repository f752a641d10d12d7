"""The synthetic demo: a fictional province → city → counties → townships → villages → grid
cells, with county departments and township stations, their staff, one grid worker per cell,
the people living in each cell, and the demo accounts of CONTRACTS.md.

`plan_demo` decides everything that can be counted (codes, names, rectangles, how many
people live in each cell) without touching the database; `seed_demo` writes the plan in one
transaction, in batches, with one audit entry for the whole seed. Every random choice comes
from a `random.Random` seeded from `--seed`, so the same seed gives the same names,
resident ID numbers and phone numbers. No real person's data is ever used.
"""

from __future__ import annotations

import datetime
import math
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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
    Role,
    User,
    UserRole,
)
from gridgov.core.tokens import SystemActor
from gridgov.core.validators import resident_id_check_char
from gridgov.demo import names

SCALES = ("town", "city", "province")
DEFAULT_PASSWORD = "gridgov-demo"
DEFAULT_SEED = 1

# 39 is not a province in GB/T 2260, so a demo never shares codes with a real place while
# every code still has the real shape (2+2+2+3+3, plus 3 for the grid cell).
PROVINCE_CODE = "39"
PROVINCE_NAME = "示范省"
FIRST_CITY_NAME = "示范市"

# Rectangles are kept in integer micro-degrees so that neighbouring cells share exactly
# the same edge coordinates (no slivers, no overlaps from float rounding).
_MICRO = 1_000_000
Rect = tuple[int, int, int, int]  # west, south, east, north
# Around 30.5–31.2°N, 119.6–120.4°E: plain land in eastern China, away from the sea.
CITY_RECT: Rect = (119_650_000, 30_550_000, 120_350_000, 31_150_000)
TOWN_RECT: Rect = (119_980_000, 30_830_000, 120_040_000, 30_880_000)
PROVINCE_CITY_COLUMNS = 4

_EARLIEST_BIRTH = datetime.date(1930, 1, 1)
_LATEST_BIRTH = datetime.date(2024, 12, 31)
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
_HOUSEHOLD_WEIGHTS = (18, 30, 26, 16, 10)

PERSON_BATCH = 2000
EVENTS_BY_SCALE = {"town": 40, "city": 240, "province": 240}
CARE_BY_SCALE = {"town": 12, "city": 60, "province": 60}
INSERT_BATCH = 1000


@dataclass(frozen=True)
class ScaleSpec:
    """How big one city is. `None` counts mean the small, hand-shaped town layout."""

    cities: int
    counties: int | None
    townships: int | None
    villages: int | None
    cells: int | None
    people_per_city: int


SCALE_SPECS = {
    # DOMAIN.md's prefecture-level city: 7 / 54 / 841 / 2,701 and about 50,000 people.
    "city": ScaleSpec(cities=1, counties=7, townships=54, villages=841, cells=2701, people_per_city=50_000),
    "province": ScaleSpec(cities=12, counties=7, townships=54, villages=841, cells=2701, people_per_city=50_000),
    "town": ScaleSpec(cities=1, counties=None, townships=None, villages=None, cells=None, people_per_city=200),
}


# --- The plan --------------------------------------------------------------------------


@dataclass
class CellPlan:
    code: str
    name: str
    rect: Rect
    people: int = 0


@dataclass
class VillagePlan:
    code: str
    name: str
    community: bool
    rect: Rect
    cells: list[CellPlan] = field(default_factory=list)


@dataclass
class TownshipPlan:
    code: str
    name: str
    kind: str  # street (街道), town (镇) or xiang (乡)
    rect: Rect
    villages: list[VillagePlan] = field(default_factory=list)


@dataclass
class CountyPlan:
    code: str
    name: str
    rect: Rect
    townships: list[TownshipPlan] = field(default_factory=list)


@dataclass
class CityPlan:
    code: str
    name: str
    rect: Rect
    counties: list[CountyPlan] = field(default_factory=list)

    def townships(self) -> Iterator[TownshipPlan]:
        for county in self.counties:
            yield from county.townships

    def villages(self) -> Iterator[VillagePlan]:
        for township in self.townships():
            yield from township.villages

    def cells(self) -> Iterator[CellPlan]:
        for village in self.villages():
            yield from village.cells


@dataclass
class DemoPlan:
    scale: str
    seed: int
    province_code: str
    province_name: str
    cities: list[CityPlan]

    @property
    def root_code(self) -> str:
        return self.province_code

    @property
    def first_city(self) -> CityPlan:
        return self.cities[0]

    @property
    def first_county(self) -> CountyPlan:
        return self.cities[0].counties[0]

    @property
    def first_township(self) -> TownshipPlan:
        return self.first_county.townships[0]

    @property
    def first_village(self) -> VillagePlan:
        return self.first_township.villages[0]

    @property
    def first_cell(self) -> CellPlan:
        return self.first_village.cells[0]

    def counts(self) -> dict[str, int]:
        counties = sum(len(c.counties) for c in self.cities)
        townships = sum(1 for c in self.cities for _t in c.townships())
        cells = sum(1 for c in self.cities for _cell in c.cells())
        departments = counties * len(names.COUNTY_DEPARTMENTS)
        stations = townships * len(names.TOWNSHIP_STATIONS)
        # Three demo accounts stand in for generated staff (the first cell's grid worker and
        # the first market department's and station's staff); the other six are extra.
        extra_accounts = sum(1 for a in DEMO_ACCOUNTS if a.stands_in_for is None)
        return {
            "provinces": 1,
            "cities": len(self.cities),
            "counties": counties,
            "townships": townships,
            "villages": sum(1 for c in self.cities for _v in c.villages()),
            "grid_cells": cells,
            "departments": departments,
            "stations": stations,
            "users": cells + departments + stations + extra_accounts,
            "people": sum(cell.people for c in self.cities for cell in c.cells()),
        }


def _rng(seed: int, purpose: str) -> random.Random:
    # One stream per purpose, so that adding a use of randomness in one part (say, the
    # people) does not reshuffle another (the org-unit names).
    return random.Random(f"gridgov-demo:{seed}:{purpose}")


def _allocate(rng: random.Random, total: int, n: int, minimum: int, weights: list[float] | None = None) -> list[int]:
    """Split `total` into `n` random parts of at least `minimum` each."""
    counts = [minimum] * n
    remaining = total - minimum * n
    if remaining < 0:
        raise ValueError(f"cannot give {n} parts at least {minimum} from {total}")
    for index, k in Counter(rng.choices(range(n), weights=weights, k=remaining)).items():
        counts[index] += k
    return counts


def _tile(rect: Rect, weights: list[float]) -> list[Rect]:
    """Cut a rectangle into len(weights) rectangles with areas ∝ weights, in rows of
    roughly square pieces, north-west first. Shared edges have identical coordinates."""
    west, south, east, north = rect
    n = len(weights)
    # Compare ground distances, not degrees: a degree of longitude is shorter here.
    width = (east - west) * math.cos(math.radians((south + north) / 2 / _MICRO))
    height = north - south
    rows = max(1, min(n, round(math.sqrt(n * height / width))))
    per_row = [n // rows + (1 if r < n % rows else 0) for r in range(rows)]
    groups, start = [], 0
    for size in per_row:
        groups.append(list(range(start, start + size)))
        start += size
    total = sum(weights)
    result: list[Rect] = [None] * n  # type: ignore[list-item]
    cumulative = 0.0
    top = north
    for group in groups:
        cumulative += sum(weights[i] for i in group)
        bottom = south + round((north - south) * (1 - cumulative / total)) if group is not groups[-1] else south
        row_total = sum(weights[i] for i in group)
        left, running = west, 0.0
        for i in group:
            running += weights[i]
            right = west + round((east - west) * running / row_total) if i != group[-1] else east
            result[i] = (left, bottom, right, top)
            left = right
        top = bottom
    return result


class _PlaceNames:
    """Two-syllable invented place names, unique within one city."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, suffix: str, *, surname_style: bool = False) -> str:
        for _attempt in range(200):
            if surname_style:
                stem = self.rng.choice(_SURNAME_CHARS) + self.rng.choice(("家", "庄", "村", "塘", "湾"))
                stem = stem if not stem.endswith("村") else stem[:-1] + "家"
            else:
                stem = self.rng.choice(names.PLACE_FIRST) + self.rng.choice(names.PLACE_SECOND)
            if stem not in self.used:
                self.used.add(stem)
                return stem + suffix
        # A city has far fewer places than the 1,800 syllable pairs; this is a safety net.
        stem = f"{self.rng.choice(names.PLACE_FIRST)}{len(self.used)}"
        self.used.add(stem)
        return stem + suffix


_SURNAME_CHARS = tuple(s for s, _w in names.SURNAMES if len(s) == 1)

_COUNTY_KINDS = {"district": ("区", 2), "county": ("县", 21), "city": ("市", 81)}
_TOWNSHIP_KINDS = {"street": ("街道", 1), "town": ("镇", 101), "xiang": ("乡", 201)}


def _county_kinds(n: int) -> list[str]:
    """Districts first, then counties, then county-level cities (the order of real codes)."""
    if n == 1:
        return ["district"]
    districts = max(1, round(n * 0.43))
    cities = round(n * 0.29)
    return ["district"] * districts + ["county"] * (n - districts - cities) + ["city"] * cities


def _township_kinds(county_kind: str, m: int) -> list[str]:
    if county_kind == "district":
        towns = max(m // 4, 1 if m >= 2 else 0)
        return ["street"] * (m - towns) + ["town"] * towns
    if county_kind == "county":
        towns = math.ceil(m * 2 / 3)
        return ["town"] * towns + ["xiang"] * (m - towns)
    streets = 2 if m > 2 else 1
    return ["street"] * streets + ["town"] * (m - streets)


def _village_is_community(township_kind: str, index: int, p: int) -> bool:
    if township_kind == "street":
        return True
    if township_kind == "town":
        return index < (1 if p <= 4 else 2)
    return False


def _shape(spec: ScaleSpec, rng: random.Random) -> list[list[int]]:
    """Counties → townships → number of villages in each township."""
    if spec.counties is None:
        return [[rng.randint(2, 3) for _t in range(2)]]
    per_county = _allocate(rng, spec.townships, spec.counties, 4)
    per_township = _allocate(rng, spec.villages, spec.townships, 6)
    shape, start = [], 0
    for count in per_county:
        shape.append(per_township[start:start + count])
        start += count
    return shape


def _plan_city(spec: ScaleSpec, rng: random.Random, code: str, name: str, rect: Rect) -> CityPlan:
    place = _PlaceNames(rng)
    city = CityPlan(code=code, name=name, rect=rect)
    shape = _shape(spec, rng)
    county_kinds = _county_kinds(len(shape))
    kind_seen: Counter = Counter()
    for village_counts, county_kind in zip(shape, county_kinds):
        suffix, first = _COUNTY_KINDS[county_kind]
        county = CountyPlan(code=f"{code}{first + kind_seen[county_kind]:02d}", name=place.draw(suffix), rect=rect)
        kind_seen[county_kind] += 1
        city.counties.append(county)
        township_seen: Counter = Counter()
        for township_kind, n_villages in zip(_township_kinds(county_kind, len(village_counts)), village_counts):
            suffix, first = _TOWNSHIP_KINDS[township_kind]
            township = TownshipPlan(
                code=f"{county.code}{first + township_seen[township_kind]:03d}",
                name=place.draw(suffix), kind=township_kind, rect=rect,
            )
            township_seen[township_kind] += 1
            county.townships.append(township)
            communities = villages = 0
            for index in range(n_villages):
                community = _village_is_community(township_kind, index, n_villages)
                if community:
                    number, communities = 1 + communities, communities + 1
                    village_name = place.draw("社区")
                else:
                    number, villages = 201 + villages, villages + 1
                    village_name = place.draw("村", surname_style=rng.random() < 0.35)
                township.villages.append(VillagePlan(
                    code=f"{township.code}{number:03d}", name=village_name, community=community, rect=rect,
                ))
    villages = list(city.villages())
    if spec.cells is None:
        cell_counts = [rng.randint(2, 3) for _v in villages]
    else:
        # Town communities are denser than rural villages, so they get more grid cells.
        cell_counts = _allocate(rng, spec.cells, len(villages), 1, [2.5 if v.community else 1.0 for v in villages])
    for village, n_cells in zip(villages, cell_counts):
        village.cells = [
            CellPlan(code=f"{village.code}{i + 1:03d}", name=f"{village.name}第{i + 1}网格", rect=rect)
            for i in range(n_cells)
        ]
    cells = list(city.cells())
    community_cells = {c.code for v in villages if v.community for c in v.cells}
    people = _allocate(rng, spec.people_per_city, len(cells), 6,
                       [1.4 if c.code in community_cells else 1.0 for c in cells])
    for cell, count in zip(cells, people):
        cell.people = count
    _lay_out(city)
    return city


def _lay_out(city: CityPlan) -> None:
    """Give every unit a rectangle inside its parent's, sized by its number of cells."""
    def weight_county(c: CountyPlan) -> int:
        return sum(len(v.cells) for t in c.townships for v in t.villages)

    for county, rect in zip(city.counties, _tile(city.rect, [weight_county(c) for c in city.counties])):
        county.rect = rect
        township_weights = [sum(len(v.cells) for v in t.villages) for t in county.townships]
        for township, t_rect in zip(county.townships, _tile(rect, township_weights)):
            township.rect = t_rect
            for village, v_rect in zip(township.villages, _tile(t_rect, [len(v.cells) for v in township.villages])):
                village.rect = v_rect
                for cell, c_rect in zip(village.cells, _tile(v_rect, [1] * len(village.cells))):
                    cell.rect = c_rect


def plan_demo(*, scale: str, seed: int = DEFAULT_SEED) -> DemoPlan:
    """Everything the seed will create, decided but not written. Cheap: no database."""
    if scale not in SCALE_SPECS:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    spec = SCALE_SPECS[scale]
    rng = _rng(seed, "plan")
    if scale == "town":
        rects = [TOWN_RECT]
    elif spec.cities == 1:
        rects = [CITY_RECT]
    else:
        w, s, e, n = CITY_RECT
        rows = math.ceil(spec.cities / PROVINCE_CITY_COLUMNS)
        # The cities sit side by side south-west of the city-scale position.
        province = (w - (PROVINCE_CITY_COLUMNS - 1) * (e - w), n - rows * (n - s), e, n)
        rects = _tile(province, [1] * spec.cities)
    city_names = _PlaceNames(rng)
    city_names.used.add(FIRST_CITY_NAME[:2])
    cities = []
    for index, rect in enumerate(rects):
        name = FIRST_CITY_NAME if index == 0 else city_names.draw("市")
        cities.append(_plan_city(spec, rng, f"{PROVINCE_CODE}{index + 1:02d}", name, rect))
    return DemoPlan(scale=scale, seed=seed, province_code=PROVINCE_CODE, province_name=PROVINCE_NAME, cities=cities)


# --- Geometry --------------------------------------------------------------------------


def rect_polygon(rect: Rect) -> dict:
    """A GeoJSON Polygon (counter-clockwise exterior ring) for a micro-degree rectangle."""
    w, s, e, n = (v / _MICRO for v in rect)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _point_in(rng: random.Random, rect: Rect) -> tuple[float, float]:
    """A random (lng, lat) well inside the rectangle, rounded to about 0.1 m."""
    w, s, e, n = rect
    margin_x, margin_y = (e - w) // 20, (n - s) // 20
    return (
        round(rng.randint(w + margin_x, e - margin_x) / _MICRO, 6),
        round(rng.randint(s + margin_y, n - margin_y) / _MICRO, 6),
    )


# --- People ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    name: str
    gender: str
    birth_date: datetime.date
    resident_id: str
    phone: str
    address: str
    org_code: str
    lat: float
    lng: float
    # The register: which household (numbered through the run), the member's relation to
    # its head, and the building and unit the household lives in.
    household: int = 0
    relation: str = "head"
    building: str = ""
    unit: str = ""


class _PeopleMaker:
    """Households of synthetic people; resident IDs unique per county (the region code
    differs between counties), phone numbers unique in the whole run."""

    def __init__(self, seed: int):
        self.rng = _rng(seed, "people")
        self.phones: set[int] = set()
        self.ids_by_county: dict[str, set[str]] = {}
        self._surnames = [s for s, _w in names.SURNAMES]
        self._surname_weights = [w for _s, w in names.SURNAMES]
        self.households = 0

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._surname_weights)[0]

    def given(self, gender: str) -> str:
        pool = names.GIVEN_MALE if gender == "M" else names.GIVEN_FEMALE
        if self.rng.random() < 0.25:
            return self.rng.choice(pool)
        return self.rng.choice(pool) + self.rng.choice(pool)

    def birth(self, first_year: int, last_year: int) -> datetime.date:
        start = max(datetime.date(max(first_year, 1930), 1, 1), _EARLIEST_BIRTH)
        end = min(datetime.date(min(last_year, 2024), 12, 31), _LATEST_BIRTH)
        if start > end:
            start = end
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def resident_id(self, region: str, birth: datetime.date, gender: str) -> str:
        seen = self.ids_by_county.setdefault(region, set())
        while True:
            # Digits 15–17: an order code whose last digit is odd for men, even for women.
            order = self.rng.randrange(1000)
            if (order % 2 == 1) != (gender == "M"):
                order ^= 1
            first17 = f"{region}{birth:%Y%m%d}{order:03d}"
            if first17 not in seen:
                seen.add(first17)
                return first17 + resident_id_check_char(first17)

    def phone(self) -> str:
        while True:
            number = int(self.rng.choice(names.MOBILE_PREFIXES)) * 100_000_000 + self.rng.randrange(100_000_000)
            if number not in self.phones:
                self.phones.add(number)
                return str(number)

    def household(self, size: int) -> list[tuple[str, str, datetime.date, str]]:
        """(name, gender, birth date, relation to the head) of each member: a head, a
        spouse, then children or an elderly parent, with ages that fit together."""
        head_gender = self.rng.choice("MF")
        head_year = self.rng.randint(1935, 2000)
        head_surname = self.surname()
        members = [(head_surname, head_gender, self.birth(head_year, head_year), "head")]
        family_surname = head_surname
        if size >= 2:
            spouse_gender = "F" if head_gender == "M" else "M"
            spouse_year = min(max(head_year + self.rng.randint(-5, 5), 1930), 2004)
            spouse_surname = self.surname()
            members.append((spouse_surname, spouse_gender, self.birth(spouse_year, spouse_year), "spouse"))
            if spouse_gender == "M":
                family_surname = spouse_surname
        for _i in range(size - len(members)):
            can_have_child = head_year + 20 <= 2024
            if can_have_child and (head_year - 20 < 1930 or self.rng.random() < 0.8):
                gender = self.rng.choice("MF")
                members.append((family_surname, gender, self.birth(head_year + 20, head_year + 42), "child"))
            else:
                gender = self.rng.choice("MF")
                members.append((head_surname if gender == "M" else self.surname(), gender,
                                self.birth(head_year - 38, head_year - 20), "parent"))
        return [(surname + self.given(gender), gender, birth, relation) for surname, gender, birth, relation in members]

    def people_of_cell(self, cell: CellPlan, village: VillagePlan, county_code: str, roads: list[str],
                       house_numbers: dict[str, int]) -> Iterator[PersonRow]:
        remaining = cell.people
        while remaining > 0:
            size = min(remaining, self.rng.choices(_HOUSEHOLD_SIZES, _HOUSEHOLD_WEIGHTS)[0])
            remaining -= size
            road = self.rng.choice(roads)
            house_numbers[road] = house_numbers.get(road, 0) + self.rng.randint(1, 4)
            building = f"{village.name}{road}{house_numbers[road]}号"
            unit = ""
            if village.community:
                building += f"{self.rng.randint(1, 24)}幢"
                unit = f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 18)}{self.rng.randint(1, 4):02d}室"
            lng, lat = _point_in(self.rng, cell.rect)
            self.households += 1
            for name, gender, birth, relation in self.household(size):
                yield PersonRow(
                    name=name, gender=gender, birth_date=birth,
                    resident_id=self.resident_id(county_code, birth, gender), phone=self.phone(),
                    address=building + unit, org_code=cell.code, lat=lat, lng=lng,
                    household=self.households, relation=relation, building=building, unit=unit,
                )

    def people_of_city(self, city: CityPlan) -> Iterator[PersonRow]:
        for county in city.counties:
            for township in county.townships:
                for village in township.villages:
                    roads = self.rng.sample(names.ROADS, 3)
                    numbers: dict[str, int] = {}
                    for cell in village.cells:
                        yield from self.people_of_cell(cell, village, county.code, roads, numbers)
            # IDs start with the county's code, so they cannot collide with another county's.
            self.ids_by_county.pop(county.code, None)


def generate_people(plan: DemoPlan) -> Iterator[PersonRow]:
    """Every person of the plan, in order; the same plan and seed give the same people."""
    maker = _PeopleMaker(plan.seed)
    for city in plan.cities:
        yield from maker.people_of_city(city)


# --- Demo accounts ---------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # printed by its label in both languages, as the pages name it (core.models.Role)
    scope: str  # province, county, township or cell: the first one generated
    display_name: str
    # The generated staff member this account replaces: the first cell's grid worker or
    # the first market department's / station's staff, so those keep exactly one each.
    stands_in_for: str | None = None


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.CITY_ADMIN, "province", "系统管理员 林海"),
    DemoAccount("dispatcher", Role.DISPATCHER, "county", "派遣员 周敏"),
    DemoAccount("gridworker", Role.GRID_WORKER, "cell", "网格员 李娜", "grid_worker"),
    DemoAccount("department", Role.DEPARTMENT_STAFF, "county", "市场监管局 王强", "market_department"),
    DemoAccount("station", Role.STATION_STAFF, "township", "市场监管所 赵磊", "market_station"),
    DemoAccount("doctor", Role.CARE_WORKER, "township", "社区医生 孙丽"),
    DemoAccount("officer", Role.PROGRAM_OFFICER, "county", "专干 吴刚"),
    DemoAccount("mediator", Role.MEDIATOR, "township", "调解员 郑芳"),
    DemoAccount("auditor", Role.AUDITOR, "province", "审计员 冯涛"),
    # CONTRACTS.md "Demo accounts": signs off the register updates of the first village.
    DemoAccount("screener", Role.SCREENER, "village", "网格长 何静"),
    # care (issue 11): on the care teams of the first township's high-risk cases
    DemoAccount("police", Role.POLICE_LIAISON, "township", "社区民警 周强"),
)
DEMO_USERNAMES = tuple(a.username for a in DEMO_ACCOUNTS)


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
        self.staff_rng = _rng(plan.seed, "staff")
        self.people = _PeopleMaker(plan.seed)
        self.written: Counter = Counter()
        from gridgov.demo.register_data import RegisterState

        self.register = RegisterState(rng=_rng(plan.seed, "register"))

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


def seed_demo(*, scale: str, password: str = DEFAULT_PASSWORD, seed: int = DEFAULT_SEED, stdout=None) -> SeedResult:
    """Generate the whole demo in one transaction. Raises DemoExists if any org unit exists."""
    say = _say_to(stdout)
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

            writer.written["places"] += write_places(city, _rng(seed, f"places-{city.code}"))
            say("  " + _("%(city)s (%(code)s): %(people)s people, %(seconds).1f s")
                % {"city": city.name, "code": city.code, "people": f"{sum(c.people for c in city.cells()):,}",
                   "seconds": time.perf_counter() - step})
        from gridgov.demo.events_data import write_events, write_routing_rules

        for city in plan.cities:
            writer.written["routing_rules"] += write_routing_rules(city.code)
        step = time.perf_counter()
        writer.written["events"] += write_events(
            county_code=plan.first_county.code, count=EVENTS_BY_SCALE[scale], rng=_rng(seed, "events"))
        say("  " + _("events through the loop: %(seconds).1f s") % {"seconds": time.perf_counter() - step})
        from gridgov.demo.care_data import write_care

        writer.written["enrollments"] += write_care(
            township_code=plan.first_township.code, count=CARE_BY_SCALE[scale], rng=_rng(seed, "care"))
        from gridgov.demo.care_underway import write_care_under_way

        for key, n in write_care_under_way(township_code=plan.first_township.code,
                                           rng=_rng(seed, "care-under-way")).items():
            writer.written[f"care_{key}"] += n
        counts = dict(sorted(writer.written.items()))
        entry = audit_record(
            actor=SystemActor("seed_demo"), action=AuditAction.DEMO_SEED, object_type="demo", object_repr=f"{scale} demo",
            org_code=plan.root_code if scale == "province" else plan.first_city.code,
            changes={"scale": scale, "seed": seed, "counts": counts},
        )
    return SeedResult(plan=plan, counts=counts, seconds=time.perf_counter() - started, audit_entry_id=entry.pk)


# --- The accounts table ----------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    username: str
    role_zh: str
    role_en: str
    scope_code: str
    scope_name: str


def demo_account_rows() -> list[AccountRow]:
    """The demo accounts found in the database, in the order of CONTRACTS.md."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    scopes = dict(OrgUnit.objects.filter(code__in=[u.scope_code for u in users.values()]).values_list("code", "name"))
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        # phone (issue 11): the role by the very label the pages show, in both languages
        with translation.override("zh-hans"):
            role_zh = str(Role(account.role).label)
        with translation.override("en"):
            role_en = str(Role(account.role).label)
        rows.append(AccountRow(
            username=account.username, role_zh=role_zh, role_en=role_en,
            scope_code=user.scope_code, scope_name=scopes.get(user.scope_code, ""),
        ))
    return rows


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def format_accounts(rows: list[AccountRow], password: str | None) -> str:
    """The accounts as an aligned text table (Chinese characters count double)."""
    header = (_("account"), _("role"), _("scope"), pgettext("demo accounts table", "area"))
    body = [(r.username, f"{r.role_zh} / {r.role_en}", r.scope_code, r.scope_name) for r in rows]
    widths = [max(_display_width(line[i]) for line in [header, *body]) for i in range(4)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip() for line in [header, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if password is not None:
        lines.append(_("Password of every demo account: %(password)s") % {"password": password})
    return "\n".join(lines)
