"""Factories for core data. `build_tree` makes a small, consistent grid for a test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import factory
from django.contrib.auth.hashers import make_password

from gridgov.core import crypto
from gridgov.core.models import (
    Department,
    DepartmentKind,
    GridAssignment,
    OrgUnit,
    Person,
    User,
    UserRole,
)
from gridgov.core.validators import resident_id_birth_date, resident_id_check_char, resident_id_gender

TEST_PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = None


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON Polygon: the square whose south-west corner is (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


def org_unit(code: str, name: str | None = None, polygon: dict | None = None) -> OrgUnit:
    from gridgov.core.geo import polygon_from_geojson, polygon_summary
    from gridgov.core.models import LEVEL_BY_CODE_LENGTH

    level = LEVEL_BY_CODE_LENGTH[len(code)]
    parent = {4: 2, 6: 4, 9: 6, 12: 9, 15: 12}.get(len(code))
    extra = polygon_summary(polygon_from_geojson(polygon)) if polygon else {}
    return OrgUnit.objects.create(
        code=code, name=name or f"{level}-{code}", level=level,
        parent_id=code[:parent] if parent else None, polygon=polygon, **extra,
    )


@dataclass
class Tree:
    """Province 99, city 9901, counties 990101 and 990102, each with one township,
    one village and two 0.01° grid cells side by side."""

    units: dict[str, OrgUnit] = field(default_factory=dict)

    def __getitem__(self, code: str) -> OrgUnit:
        return self.units[code]

    COUNTY_A = "990101"
    TOWNSHIP_A = "990101001"
    VILLAGE_A = "990101001001"
    CELL_A1 = "990101001001001"
    CELL_A2 = "990101001001002"
    COUNTY_B = "990102"
    TOWNSHIP_B = "990102001"
    VILLAGE_B = "990102001001"
    CELL_B1 = "990102001001001"
    CELL_B2 = "990102001001002"


def build_tree() -> Tree:
    tree = Tree()
    tree.units["99"] = org_unit("99", "示范省")
    tree.units["9901"] = org_unit("9901", "示范市")
    for county_index, county in enumerate([Tree.COUNTY_A, Tree.COUNTY_B]):
        base_lng = 120.0 + county_index * 0.1
        tree.units[county] = org_unit(county, f"县{county_index + 1}")
        township = county + "001"
        village = township + "001"
        tree.units[township] = org_unit(township, f"镇{county_index + 1}")
        tree.units[village] = org_unit(village, f"村{county_index + 1}")
        for cell_index in range(2):
            code = village + f"{cell_index + 1:03d}"
            tree.units[code] = org_unit(code, f"网格{cell_index + 1}", square(base_lng + cell_index * 0.01, 31.0))
    return tree


_id_sequence = itertools.count(1)


def make_resident_id(region: str = "990101", birth: str | None = None, seq: int | None = None) -> str:
    """A valid synthetic resident ID number (GB 11643 check digit).

    Without `seq`, a new number each time: sequence 500–999 (tests choose smaller ones) on a
    day of January 1980, so that a test's own numbers never meet the generated ones, which
    the constraint of one live person per resident ID would refuse."""
    if seq is None:
        n = next(_id_sequence)
        seq, day = 500 + n % 500, 1 + (n // 500) % 28
        birth = birth or f"198001{day:02d}"
    birth = birth or "19800101"
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def make_user(username: str, *roles: str, scope: str = "99", department: Department | None = None,
              cells: list[str] | None = None, **extra) -> User:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(TEST_PASSWORD)
    user = User.objects.create(username=username, scope_code=scope, department=department,
                               password=_PASSWORD_HASH, **extra)
    UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in roles])
    GridAssignment.objects.bulk_create([GridAssignment(user=user, cell_id=c) for c in cells or []])
    return User.objects.get(pk=user.pk)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"990101-dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.DEPARTMENT
    function = "market"
    org_code = Tree.COUNTY_A


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"张{'三四五六七八九'[n % 7]}{n}")
    resident_id = factory.LazyFunction(make_resident_id)
    resident_id_index = factory.LazyAttribute(lambda o: crypto.blind_index("resident_id", o.resident_id))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    phone_index = factory.LazyAttribute(lambda o: crypto.blind_index("phone", o.phone))
    address = "示范市县1镇1村1 幸福路 8 号"
    org_code = Tree.CELL_A1
    lat = 31.005
    lng = 120.005
    birth_date = factory.LazyAttribute(lambda o: resident_id_birth_date(o.resident_id))
    gender = factory.LazyAttribute(lambda o: resident_id_gender(o.resident_id))

    @factory.post_generation
    def name_index(obj, create, extracted, **kwargs):
        # people search (issue 12): the keyed name index that person_create writes beside the row
        if create:
            from gridgov.core.person_search import person_name_index_refresh

            person_name_index_refresh(people=[obj])


def make_api_token(user, *, days: int = 30) -> str:
    """A live API token for `user`, as sign-in issues one (stored hashed), without the sign-in
    audit entry; returns the token text for `Authorization: Token …`."""
    import datetime
    import hashlib
    import secrets

    from django.utils import timezone

    from gridgov.core.models import ApiToken

    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    now = timezone.now()
    ApiToken.objects.create(user=user, prefix=prefix, digest=hashlib.sha256(secret.encode()).hexdigest(),
                            created_at=now, last_used_at=now, expires_at=now + datetime.timedelta(days=days))
    return f"gg_{prefix}_{secret}"


def _event_category(code: str):
    from gridgov.events.models import Category

    return Category.objects.get(code=code)


class EventFactory(factory.django.DjangoModelFactory):
    """An event of the grid in any status (workflow, issue 11): pass `status`, and for a status
    past dispatch the `department` (and `owner_department`) it was sent to. Its category is the
    seeded `fire.lane` (fixable on site: handling needs no photo)."""

    class Meta:
        model = "events.Event"

    code = factory.Sequence(lambda n: f"990101-20261201-{n + 1:04d}")
    category = factory.LazyFunction(lambda: _event_category("fire.lane"))
    description = "消防通道被电动车堵住"
    channel = "grid_worker"
    org_code = Tree.CELL_A1
    lat = 31.005
    lng = 120.005
    public_token = factory.Sequence(lambda n: f"walk-token-{n}")
