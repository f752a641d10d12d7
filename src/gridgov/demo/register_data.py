"""The demo's register: buildings, units, households and memberships consistent with the
generated people (each household of people lives in one building, at one address), and
the places of each village."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from gridgov.core.models import Person
from gridgov.register.models import (
    Building,
    BuildingUnit,
    BuildingUse,
    Household,
    Membership,
    Place,
    PlaceKind,
    ResidenceType,
    address_index,
)

INSERT_BATCH = 1000
_RESIDENCE = (ResidenceType.REGISTERED_HERE, ResidenceType.MOVED_IN, ResidenceType.REGISTERED_AWAY)
_RESIDENCE_WEIGHTS = (80, 15, 5)


@dataclass
class RegisterState:
    rng: random.Random
    buildings: dict[tuple[str, str], Building] = field(default_factory=dict)
    units: dict[tuple[int, str], BuildingUnit] = field(default_factory=dict)


def _save(model, objects: list) -> None:
    model.objects.bulk_create(objects, batch_size=INSERT_BATCH)
    if objects and objects[0].pk is None:  # a backend that returns no ids from bulk inserts
        raise RuntimeError(f"{model.__name__} ids were not returned by bulk_create")


def write_households(batch: list, state: RegisterState) -> Counter:
    """Buildings, units, households and memberships for whole households of saved people."""
    written: Counter = Counter()
    new_buildings: list[Building] = []
    for row, person in batch:
        key = (row.org_code, row.building)
        if key not in state.buildings:
            rented = state.rng.random() < 0.08
            # bulk_create encrypts the address (the field does) but skips save(): index it here.
            building = Building(
                org_code=row.org_code, address=row.building, address_index=address_index(row.building),
                lat=row.lat, lng=row.lng,
                use=BuildingUse.RESIDENTIAL if row.unit or state.rng.random() < 0.9 else BuildingUse.MIXED,
                floors=state.rng.randint(6, 18) if row.unit else state.rng.randint(1, 3),
                is_rental=rented, landlord=person if rented else None,
            )
            state.buildings[key] = building
            new_buildings.append(building)
    _save(Building, new_buildings)
    written["buildings"] += len(new_buildings)

    new_units: list[BuildingUnit] = []
    for row, _person in batch:
        if row.unit:
            building = state.buildings[(row.org_code, row.building)]
            if (building.pk, row.unit) not in state.units:
                unit = BuildingUnit(building=building, label=row.unit)
                state.units[(building.pk, row.unit)] = unit
                new_units.append(unit)
    _save(BuildingUnit, new_units)

    households: dict[int, Household] = {}
    for row, _person in batch:
        if row.household not in households:
            building = state.buildings[(row.org_code, row.building)]
            households[row.household] = Household(
                org_code=row.org_code, building=building,
                unit=state.units.get((building.pk, row.unit)) if row.unit else None, address=row.address,
                address_index=address_index(row.address),
            )
    _save(Household, list(households.values()))
    written["households"] += len(households)

    memberships = []
    for row, person in batch:
        residence = state.rng.choices(_RESIDENCE, _RESIDENCE_WEIGHTS)[0]
        memberships.append(Membership(
            household=households[row.household], person=person, relation=row.relation, residence_type=residence,
            org_code=row.org_code,
        ))
    Membership.objects.bulk_create(memberships, batch_size=INSERT_BATCH)
    return written


# A small shop in every cell; a restaurant and an elderly day-care centre per village; a
# school per township.
_VILLAGE_PLACES = (
    (PlaceKind.RESTAURANT, "小吃店", "06:30-20:30", 40),
    (PlaceKind.ELDERLY_DAYCARE, "颐养之家", "08:00-17:00", 30),
)


def write_places(city, rng: random.Random) -> int:
    """Places of every cell and village, each run by an adult who lives in that cell."""
    places = []
    for county in city.counties:
        for township in county.townships:
            for index, village in enumerate(township.villages):
                adults: dict[str, list] = {}
                for row in (Person.objects.filter(org_code__in=[c.code for c in village.cells],
                                                  birth_date__year__lte=2000)
                            .order_by("id").values_list("pk", "org_code", "lat", "lng")):
                    adults.setdefault(row[1], []).append(row)
                if not adults:
                    continue

                def place(kind, name, hours, capacity, cell_code=None):
                    pool = adults.get(cell_code) if cell_code else [r for rows in adults.values() for r in rows]
                    person_id, org_code, lat, lng = rng.choice(pool)
                    places.append(Place(org_code=org_code, name=name, kind=kind, lat=lat, lng=lng,
                                        responsible_person_id=person_id, opening_hours=hours, capacity=capacity,
                                        address=village.name))

                for number, cell in enumerate(village.cells, start=1):
                    if cell.code in adults:
                        place(PlaceKind.SHOP, f"{village.name}便民店{number}号", "08:00-21:00", None, cell.code)
                for kind, suffix, hours, capacity in _VILLAGE_PLACES:
                    place(kind, f"{village.name}{suffix}", hours, capacity)
                if index == 0:
                    place(PlaceKind.SCHOOL, f"{township.name}中心小学", "07:30-17:00", 900)
    Place.objects.bulk_create(places, batch_size=INSERT_BATCH)
    return len(places)
