"""Imports of buildings, households, places and grid workers from spreadsheet rows.

Every row goes through the same services as a manual entry, each in its own savepoint, so
that the dry run reports exactly what a commit would do, with row numbers. The whole import
is one transaction: any error, or a dry run, rolls everything back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from gridgov.core import crypto
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError
from gridgov.core.models import Person, Role
from gridgov.core.permissions import Capability, require
from gridgov.core.selectors import may_search_identifiers
from gridgov.core.services import person_create, person_identifier_search_record, user_create
from gridgov.core.validators import normalize_resident_id
from gridgov.register import services
from gridgov.register.models import (
    Building,
    BuildingUse,
    ChangeSource,
    PlaceKind,
    Relation,
    ResidenceType,
    address_index,
)
from gridgov.register.selectors import may_see_full_address
from gridgov.register.services import RegisterAction

# The columns of each kind of import: canonical key → accepted headers (English, Chinese).
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "buildings": {
        "address": ("address", "地址", "楼栋地址"),
        "lat": ("lat", "纬度"),
        "lng": ("lng", "经度"),
        "use": ("use", "用途", "房屋用途"),
        "name": ("name", "名称", "楼栋名称"),
        "floors": ("floors", "层数"),
        "is_rental": ("is_rental", "出租", "是否出租"),
        "landlord_resident_id": ("landlord_resident_id", "房东身份证号"),
        "units": ("units", "单元", "房间"),
    },
    "households": {
        "household": ("household", "户编号", "户号"),
        "building_address": ("building_address", "楼栋地址"),
        "unit": ("unit", "单元", "房间"),
        "grid_code": ("grid_code", "网格编码"),
        "address": ("address", "住址", "地址"),
        "name": ("name", "姓名"),
        "resident_id": ("resident_id", "身份证号", "公民身份号码"),
        "phone": ("phone", "手机", "联系电话"),
        "relation": ("relation", "与户主关系"),
        "residence_type": ("residence_type", "居住类型", "人户状态"),
        "moved_in_on": ("moved_in_on", "迁入日期"),
    },
    "places": {
        "name": ("name", "名称", "场所名称"),
        "kind": ("kind", "类型", "场所类型"),
        "lat": ("lat", "纬度"),
        "lng": ("lng", "经度"),
        "address": ("address", "地址"),
        "responsible_resident_id": ("responsible_resident_id", "负责人身份证号"),
        "contact_phone": ("contact_phone", "联系电话"),
        "opening_hours": ("opening_hours", "营业时间"),
        "capacity": ("capacity", "容量", "床位数"),
    },
    "grid_workers": {
        "username": ("username", "用户名", "账号"),
        "display_name": ("display_name", "姓名"),
        "cells": ("cells", "网格编码", "负责网格"),
    },
}

REQUIRED: dict[str, set[str]] = {
    "buildings": {"address", "lat", "lng", "use"},
    "households": {"household", "name", "resident_id", "relation", "residence_type"},
    "places": {"name", "kind", "lat", "lng"},
    "grid_workers": {"username", "cells"},
}


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run


def map_headers(kind: str, headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Column index of each canonical key: explicit mapping first, then known headers."""
    normalized = [str(h or "").strip() for h in headers]
    found: dict[str, int] = {}
    for key, header in (mapping or {}).items():
        if header in normalized:
            found[key] = normalized.index(header)
    for key, names in COLUMNS[kind].items():
        if key in found:
            continue
        for index, header in enumerate(normalized):
            if header.lower() in {n.lower() for n in names}:
                found[key] = index
                break
    missing = REQUIRED[kind] - set(found)
    if missing:
        names = ", ".join(f"{k} ({COLUMNS[kind][k][1]})" for k in sorted(missing))
        raise DomainError(_("Missing columns: %(columns)s") % {"columns": names})
    return found


# Terms used in Chinese registers that differ from our labels.
ALIASES = {
    "户籍人口": ResidenceType.REGISTERED_HERE,
    "人户一致": ResidenceType.REGISTERED_HERE,
    "人户分离": ResidenceType.REGISTERED_AWAY,
    "户在人不在": ResidenceType.REGISTERED_AWAY,
    "流入人口": ResidenceType.MOVED_IN,
    "外来人口": ResidenceType.MOVED_IN,
    "流动人口": ResidenceType.MOVED_IN,
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "租户": Relation.NON_RELATIVE,
    "住宅": BuildingUse.RESIDENTIAL,
    "商铺": BuildingUse.SHOP,
    "商住": BuildingUse.MIXED,
    "公共建筑": BuildingUse.PUBLIC,
    "颐养之家": PlaceKind.ELDERLY_DAYCARE,
    "餐饮": PlaceKind.RESTAURANT,
    "商店": PlaceKind.SHOP,
    "学校": PlaceKind.SCHOOL,
    "诊所": PlaceKind.CLINIC,
}


def _choice(value: str, choices) -> str | None:
    """A choice from its code, its label (English or Chinese) or a common Chinese term."""
    value = str(value or "").strip()
    if value in choices.values:
        return value
    alias = ALIASES.get(value)
    if alias is not None and alias in choices.values:
        return str(alias)
    for code, label in choices.choices:
        if value == str(label):
            return code
        with translation.override("zh-hans"):
            if value == str(label):
                return code
        with translation.override("en"):
            if value.lower() == str(label).lower():
                return code
    return None


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_date(str(value or "").strip().replace("/", "-"))


def _yes(value) -> bool:
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "是", "出租"}


# masking (issue 10): columns by which an import links a row to a registered person.
IDENTIFIER_COLUMNS = ("resident_id", "landlord_resident_id", "responsible_resident_id")


def _person_by_id(actor, column: str, resident_id: str) -> Person | None:
    """The live person in the actor's area with this resident ID, or None.

    Whether a row finds its person would confirm a number, so only roles that may see full
    numbers link people by them (others get the same refusal for every row, found or not),
    and only inside their own area; `register_import` logs the file's lookups first.
    """
    if not may_search_identifiers(actor):
        _fail(column, _("Your role may not link people by resident ID number; ask a screener to import this file."))
    index = crypto.blind_index("resident_id", normalize_resident_id(resident_id))
    return (
        Person.objects.visible_to(actor)
        .filter(resident_id_index=index, merged_into__isnull=True).order_by("id").first()
    )


class _RowFailed(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors


def _fail(field_name: str, message) -> None:
    raise _RowFailed([(field_name, str(message))])


def _from_domain(error: DomainError) -> _RowFailed:
    if error.fields:
        return _RowFailed([(k, m) for k, messages in error.fields.items() for m in messages])
    return _RowFailed([("", error.message)])


# --- one function per kind: takes the actor and a row dict, writes through services ---


def _import_building(actor, row: dict) -> int:
    use = _choice(row.get("use"), BuildingUse)
    if use is None:
        _fail("use", _("Unknown building use."))
    landlord = None
    if row.get("landlord_resident_id"):
        landlord = _person_by_id(actor, "landlord_resident_id", row["landlord_resident_id"])
        if landlord is None:
            _fail("landlord_resident_id", _("Nobody in your area is registered with this resident ID number."))
    units = [u for u in str(row.get("units") or "").replace("；", ",").replace("，", ",").replace(";", ",").split(",")]
    services.building_create(
        actor=actor, address=str(row.get("address") or ""), lat=_float(row.get("lat")), lng=_float(row.get("lng")),
        use=use, name=str(row.get("name") or ""), floors=_int(row.get("floors")),
        is_rental=_yes(row.get("is_rental")), landlord=landlord, units=units, source=ChangeSource.IMPORT,
    )
    return 1


def _import_place(actor, row: dict) -> int:
    kind = _choice(row.get("kind"), PlaceKind)
    if kind is None:
        _fail("kind", _("Unknown kind of place."))
    responsible = None
    if row.get("responsible_resident_id"):
        responsible = _person_by_id(actor, "responsible_resident_id", row["responsible_resident_id"])
        if responsible is None:
            _fail("responsible_resident_id", _("Nobody in your area is registered with this resident ID number."))
    services.place_create(
        actor=actor, name=str(row.get("name") or ""), kind=kind, lat=_float(row.get("lat")), lng=_float(row.get("lng")),
        address=str(row.get("address") or ""), responsible_person=responsible,
        contact_phone=str(row.get("contact_phone") or ""), opening_hours=str(row.get("opening_hours") or ""),
        capacity=_int(row.get("capacity")), source=ChangeSource.IMPORT,
    )
    return 1


def _import_grid_worker(actor, row: dict) -> int:
    cells = [c.strip() for c in str(row.get("cells") or "").replace("，", ",").split(",") if c.strip()]
    if not cells:
        _fail("cells", _("List the grid cells this worker is responsible for."))
    scope = cells[0] if len(cells) == 1 else _common_prefix(cells)
    user_create(
        actor=actor, username=str(row.get("username") or "").strip(), password=None,
        display_name=str(row.get("display_name") or "").strip(), roles=[Role.GRID_WORKER], scope_code=scope,
        grid_cells=cells,
    )
    return 1


def _common_prefix(codes: list[str]) -> str:
    """The nearest org unit containing all the cells (a village, township…)."""
    for length in (12, 9, 6, 4, 2):
        if len({c[:length] for c in codes}) == 1:
            return codes[0][:length]
    return ""


def _household_members(actor, rows: list[tuple[int, dict]], org_code: str, errors: list[RowError]):
    specs = []
    for number, row in rows:
        try:
            relation = _choice(row.get("relation"), Relation)
            residence = _choice(row.get("residence_type"), ResidenceType)
            if relation is None:
                _fail("relation", _("Unknown relation to the head of household."))
            if residence is None:
                _fail("residence_type", _("Unknown residence type."))
            person = _person_by_id(actor, "resident_id", str(row.get("resident_id") or ""))
            if person is None:
                with transaction.atomic():
                    person = person_create(
                        actor=actor, name=str(row.get("name") or ""), resident_id=str(row.get("resident_id") or ""),
                        phone=str(row.get("phone") or ""), org_code=org_code,
                    )
            specs.append(services.MemberSpec(person, relation, residence, _date(row.get("moved_in_on"))))
        except _RowFailed as failed:
            errors.extend(RowError(number, f, m) for f, m in failed.errors)
        except DomainError as error:
            errors.extend(RowError(number, f, m) for f, m in _from_domain(error).errors)
    return specs


def _import_households(actor, numbered_rows: list[tuple[int, dict]], report: ImportReport) -> None:
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, row in numbered_rows:
        groups.setdefault(str(row.get("household") or "").strip(), []).append((number, row))
    for key, rows in groups.items():
        first_number, first = rows[0]
        if not key:
            report.errors.append(RowError(first_number, "household", _("Give each row its household number.")))
            continue
        building = None
        if first.get("building_address"):
            # Addresses are encrypted: found by their blind index, and only by roles that see
            # them in full (for others a match would confirm a masked address).
            building = None
            if may_see_full_address(actor):
                building = Building.objects.visible_to(actor).filter(
                    address_index=address_index(str(first["building_address"]))).order_by("id").first()
            if building is None:
                report.errors.append(RowError(first_number, "building_address", _("No building with this address in your area.")))
                continue
        org_code = building.org_code if building else str(first.get("grid_code") or "").strip()
        if not org_code:
            report.errors.append(RowError(first_number, "grid_code", _("Give the building address or the grid cell code.")))
            continue
        before = len(report.errors)
        try:
            with transaction.atomic():
                specs = _household_members(actor, rows, org_code, report.errors)
                if len(report.errors) > before:
                    continue
                services.household_create(
                    actor=actor, members=specs, building=building, unit_label=str(first.get("unit") or ""),
                    address=str(first.get("address") or ""), org_code=org_code, source=ChangeSource.IMPORT,
                )
                report.created += 1
        except DomainError as error:
            report.errors.extend(RowError(first_number, f, m) for f, m in _from_domain(error).errors)


ROW_IMPORTERS: dict[str, Callable] = {
    "buildings": _import_building,
    "places": _import_place,
    "grid_workers": _import_grid_worker,
}


def register_import(
    *, actor, kind: str, headers: list[str], rows: Iterable[list], mapping: dict[str, str] | None = None,
    dry_run: bool, first_row_number: int = 2,
) -> ImportReport:
    """Import spreadsheet rows (header at row 1, data from row 2, as the user sees them)."""
    if kind == "grid_workers":
        require(actor, Capability.MANAGE_USERS)
    else:
        require(actor, Capability.EDIT_REGISTER)
    columns = map_headers(kind, headers, mapping)
    numbered = []
    for offset, values in enumerate(rows):
        if all(v in (None, "") for v in values):
            continue
        numbered.append((first_row_number + offset, {k: (values[i] if i < len(values) else None) for k, i in columns.items()}))
    report = ImportReport(kind=kind, dry_run=dry_run, rows=len(numbered))
    if not numbered:
        report.errors.append(RowError(first_row_number, "", _("The file has no data rows.")))
        return report
    lookups = sum(1 for _number, row in numbered for column in IDENTIFIER_COLUMNS if row.get(column))
    if lookups and may_search_identifiers(actor):
        # A dry run is a search too: logged (outside its rolled-back transaction) and counted.
        person_identifier_search_record(actor=actor, kind="resident_id", value="", where=f"register_import:{kind}",
                                        matched=None, lookups=lookups)
    with transaction.atomic():
        if kind == "households":
            _import_households(actor, numbered, report)
        else:
            importer = ROW_IMPORTERS[kind]
            for number, row in numbered:
                try:
                    with transaction.atomic():
                        report.created += importer(actor, row)
                except _RowFailed as failed:
                    report.errors.extend(RowError(number, f, m) for f, m in failed.errors)
                except DomainError as error:
                    report.errors.extend(RowError(number, f, m) for f, m in _from_domain(error).errors)
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(actor=actor, action=RegisterAction.IMPORT, org_code=actor.scope_code,
                         object_type="register.import", object_repr=kind,
                         changes={"kind": kind, "rows": report.rows, "created": report.created})
    return report
