"""The demo's people: households of synthetic residents of each grid cell, with valid but
invented resident ID numbers (unique per county) and phone numbers (unique in the run).
No real person's data is ever used; the same plan and seed give the same people.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from gridgov.core.validators import resident_id_check_char
from gridgov.demo import names
from gridgov.demo.plan import CellPlan, CityPlan, DemoPlan, VillagePlan, point_in, rng_for

_EARLIEST_BIRTH = datetime.date(1930, 1, 1)
_LATEST_BIRTH = datetime.date(2024, 12, 31)
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
_HOUSEHOLD_WEIGHTS = (18, 30, 26, 16, 10)


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


class PeopleMaker:
    """Households of synthetic people; resident IDs unique per county (the region code
    differs between counties), phone numbers unique in the whole run."""

    def __init__(self, seed: int):
        self.rng = rng_for(seed, "people")
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
            lng, lat = point_in(self.rng, cell.rect)
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
    maker = PeopleMaker(plan.seed)
    for city in plan.cities:
        yield from maker.people_of_city(city)
