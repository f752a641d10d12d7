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
            building = Building(
                org_code=row.org_code, address=row.building, lat=row.lat, lng=row.lng,
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


# One of each per village (communities get a day-care centre, villages a shop and a clinic),
# and a school per township.
_VILLAGE_PLACES = (
    (PlaceKind.SHOP, "便利店", "08:00-21:00", None),
    (PlaceKind.RESTAURANT, "小吃店", "06:30-20:30", 40),
    (PlaceKind.ELDERLY_DAYCARE, "颐养之家", "08:00-17:00", 30),
)


def write_places(city, rng: random.Random) -> int:
    """Places of every village, each run by an adult who lives in that village."""
    places = []
    for county in city.counties:
        for township in county.townships:
            for index, village in enumerate(township.villages):
                cell_codes = [cell.code for cell in village.cells]
                residents = list(
                    Person.objects.filter(org_code__in=cell_codes, birth_date__year__lte=2000)
                    .order_by("id").values_list("pk", "org_code", "lat", "lng")[:40]
                )
                if not residents:
                    continue
                for kind, suffix, hours, capacity in _VILLAGE_PLACES:
                    person_id, org_code, lat, lng = rng.choice(residents)
                    places.append(Place(
                        org_code=org_code, name=f"{village.name}{suffix}", kind=kind, lat=lat, lng=lng,
                        responsible_person_id=person_id, opening_hours=hours, capacity=capacity,
                        address=f"{village.name}",
                    ))
                if index == 0:
                    person_id, org_code, lat, lng = rng.choice(residents)
                    places.append(Place(org_code=org_code, name=f"{township.name}中心小学", kind=PlaceKind.SCHOOL,
                                        lat=lat, lng=lng, responsible_person_id=person_id,
                                        opening_hours="07:30-17:00", capacity=900, address=township.name))
    Place.objects.bulk_create(places, batch_size=INSERT_BATCH)
    return len(places)
