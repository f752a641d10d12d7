"""The demo's plan: the fictional province → city → counties → townships → villages → grid
cells, with their codes, invented names and rectangles, and how many people live in each
cell, decided without touching the database (`plan_demo`). Cheap and deterministic: every
random choice comes from `rng_for(seed, purpose)`.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from gridgov.demo import names
from gridgov.demo.accounts import DEMO_ACCOUNTS

SCALES = ("town", "city", "province")
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


def rng_for(seed: int, purpose: str) -> random.Random:
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
    rng = rng_for(seed, "plan")
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


def point_in(rng: random.Random, rect: Rect) -> tuple[float, float]:
    """A random (lng, lat) well inside the rectangle, rounded to about 0.1 m."""
    w, s, e, n = rect
    margin_x, margin_y = (e - w) // 20, (n - s) // 20
    return (
        round(rng.randint(w + margin_x, e - margin_x) / _MICRO, 6),
        round(rng.randint(s + margin_y, n - margin_y) / _MICRO, 6),
    )
