"""Writes of the core app. One function per use case; each checks permission, validates,
writes, and appends its audit entry in the same transaction.

Org units, departments, users and API sign-in are here; the writes about people (register,
change, open a record, exact searches, merging) are in `person_services.py`, imported below.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.core import masking, orgcodes
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.geo import polygon_from_geojson, polygon_summary
from gridgov.core.models import (
    LEVEL_BY_CODE_LENGTH,
    Department,
    DepartmentFunction,
    DepartmentKind,
    GridAssignment,
    OrgLevel,
    OrgUnit,
    Role,
    User,
    UserRole,
)
from gridgov.core.org_cache import org_tree_changed
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.person_services import (  # noqa: F401 (the writes about people, importable from here)
    check_people_search,
    check_person_fields,
    people_merge,
    person_create,
    person_identifier_search_record,
    person_open_record,
    person_update,
    register_person_merge_hook,
)
from gridgov.core.validators import (
    validate_org_code_shape,
)

# --- Org units ----------------------------------------------------------------------


def check_org_unit_fields(*, code: str, name: str, parent_code: str | None, polygon: dict | None) -> dict:
    """Validate an org unit's fields; return the derived values (level, bbox, centroid)."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    try:
        validate_org_code_shape(code)
    except ValidationError as exc:
        errors["code"] = exc.messages
    if not name:
        errors["name"] = [_("A name is required.")]
    elif len(name) > 100:
        errors["name"] = [_("A name has at most 100 characters.")]
    level = LEVEL_BY_CODE_LENGTH.get(len(code))
    expected_parent = None
    if level and level != OrgLevel.PROVINCE:
        expected_parent = orgcodes.parent_code(code)
        if parent_code and parent_code != expected_parent:
            errors.setdefault("parent", []).append(
                _("The parent of %(code)s must be %(parent)s.") % {"code": code, "parent": expected_parent}
            )
    derived: dict = {"code": code, "name": name, "level": level, "parent_code": expected_parent}
    if polygon is not None:
        if level != OrgLevel.GRID:
            errors.setdefault("polygon", []).append(_("Only grid cells carry a boundary."))
        else:
            try:
                derived.update(polygon_summary(polygon_from_geojson(polygon)))
                derived["polygon"] = polygon
            except ValidationError as exc:
                errors.setdefault("polygon", []).extend(exc.messages)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    return derived


def org_unit_create(*, actor, code: str, name: str, polygon: dict | None = None) -> OrgUnit:
    require(actor, Capability.MANAGE_ORG_UNITS)
    fields = check_org_unit_fields(code=code, name=name, parent_code=None, polygon=polygon)
    if fields["parent_code"] and not in_scope(actor, fields["parent_code"]):
        raise Forbidden(_("You may only add org units inside your own area."))
    if not fields["parent_code"] and actor.scope_code:
        raise Forbidden(_("Only an operator without a scope may add a province."))
    with transaction.atomic():
        if fields["parent_code"] and not OrgUnit.objects.filter(code=fields["parent_code"]).exists():
            raise DomainError(
                _("The parent org unit %(code)s does not exist.") % {"code": fields["parent_code"]},
                ErrorCode.INVALID,
                {"code": [_("No parent org unit with this code prefix.")]},
            )
        if OrgUnit.objects.filter(code=fields["code"]).exists():
            raise DomainError(
                _("An org unit with code %(code)s already exists.") % {"code": fields["code"]},
                ErrorCode.DUPLICATE,
                {"code": [_("This code is taken.")]},
            )
        unit = OrgUnit.objects.create(
            code=fields["code"],
            name=fields["name"],
            level=fields["level"],
            parent_id=fields["parent_code"],
            **{k: fields[k] for k in _GEOMETRY_FIELDS if k in fields},
        )
        audit_record(
            actor=actor,
            action=AuditAction.ORG_UNIT_CREATE,
            obj=unit,
            org_code=unit.code,
            changes={"after": {"code": unit.code, "name": unit.name, "has_polygon": bool(polygon)}},
        )
    return unit


_GEOMETRY_FIELDS = (
    "polygon", "min_lng", "min_lat", "max_lng", "max_lat", "centroid_lng", "centroid_lat",
)


def org_unit_update(*, actor, unit: OrgUnit, name: str | None = None, polygon: dict | None = None) -> OrgUnit:
    require(actor, Capability.MANAGE_ORG_UNITS)
    if not in_scope(actor, unit.code):
        raise NotFound(_("No such org unit in your area."))
    fields = check_org_unit_fields(
        code=unit.code, name=unit.name if name is None else name, parent_code=unit.parent_id, polygon=polygon
    )
    with transaction.atomic():
        before = {"name": unit.name, "has_polygon": bool(unit.polygon)}
        unit.name = fields["name"]
        update_fields = ["name", "updated_at"]
        if polygon is not None:
            for key in _GEOMETRY_FIELDS:
                setattr(unit, key, fields[key])
            update_fields += list(_GEOMETRY_FIELDS)
        unit.save(update_fields=update_fields)
        audit_record(
            actor=actor,
            action=AuditAction.ORG_UNIT_UPDATE,
            obj=unit,
            org_code=unit.code,
            changes={"before": before, "after": {"name": unit.name, "has_polygon": bool(unit.polygon)},
                     "polygon_changed": polygon is not None},
        )
    return unit


# --- Departments --------------------------------------------------------------------


def department_create(
    *, actor, code: str, name: str, function: str, org_code: str, parent: Department | None = None,
    phone: str = "",
) -> Department:
    require(actor, Capability.MANAGE_DEPARTMENTS)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code or len(code) > 40:
        errors["code"] = [_("A department code is required (at most 40 characters).")]
    if not (name or "").strip():
        errors["name"] = [_("A name is required.")]
    if function not in DepartmentFunction.values:
        errors["function"] = [_("Unknown department function.")]
    if not OrgUnit.objects.filter(code=org_code).exists():
        errors["org_code"] = [_("No org unit with this code.")]
    elif not in_scope(actor, org_code):
        raise Forbidden(_("You may only add departments inside your own area."))
    if parent is not None and not org_code.startswith(parent.org_code):
        errors["parent"] = [_("A station must serve a place inside its department's area.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        if Department.objects.filter(code=code).exists():
            raise DomainError(
                _("A department with code %(code)s already exists.") % {"code": code},
                ErrorCode.DUPLICATE, {"code": [_("This code is taken.")]},
            )
        dept = Department.objects.create(
            code=code,
            name=name.strip(),
            kind=DepartmentKind.STATION if parent else DepartmentKind.DEPARTMENT,
            function=function,
            org_code=org_code,
            parent=parent,
            phone=phone,
        )
        audit_record(
            actor=actor, action=AuditAction.DEPARTMENT_CREATE, obj=dept, org_code=org_code,
            changes={"after": {"code": code, "name": dept.name, "kind": dept.kind,
                               "parent": parent.code if parent else None}},
        )
    return dept


# --- Users --------------------------------------------------------------------------


def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    display_name: str,
    roles: list[str],
    scope_code: str,
    department: Department | None = None,
    grid_cells: list[str] | None = None,
    reason: str = "",
) -> User:
    """A new account. Roles that see sensitive data are not given here but asked for: they
    wait in a grant request for a second administrator (accounts, issue 10)."""
    require(actor, Capability.MANAGE_USERS)
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if not username:
        errors["username"] = [_("A username is required.")]
    unknown = [r for r in roles if r not in Role.values]
    if unknown or not roles:
        errors["roles"] = [_("Choose one or more of the known roles.")]
    if not OrgUnit.objects.filter(code=scope_code).exists():
        errors["scope_code"] = [_("No org unit with this code.")]
    elif not in_scope(actor, scope_code):
        raise Forbidden(_("You may only create users inside your own area."))
    cells = list(OrgUnit.objects.filter(code__in=grid_cells or [], level=OrgLevel.GRID))
    if len(cells) != len(set(grid_cells or [])):
        errors["grid_cells"] = [_("Every grid cell must be an existing grid cell code.")]
    elif any(not c.code.startswith(scope_code) for c in cells):
        errors["grid_cells"] = [_("A grid worker's cells must lie inside their scope.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DomainError(_("This username is taken."), ErrorCode.DUPLICATE,
                              {"username": [_("This username is taken.")]})
        user = User(username=username, display_name=display_name, scope_code=scope_code,
                    department=department)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        from gridgov.core import account_services

        sensitive, plain = account_services.split_roles(roles)
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in plain])
        GridAssignment.objects.bulk_create([GridAssignment(user=user, cell=c) for c in cells])
        if cells:
            org_tree_changed()  # the cells' workers are part of the cached tree (core.org_cache)
        audit_record(
            actor=actor, action=AuditAction.USER_CREATE, obj=user, org_code=scope_code,
            changes={"after": {"username": username, "roles": plain, "roles_requested": sensitive,
                               "scope": scope_code,
                               "department": department.code if department else None,
                               "grid_cells": sorted(c.code for c in cells)}},
        )
        if sensitive:
            account_services.role_grant_request(
                actor=actor, user=user, roles=sensitive, reason=reason or _("A new account."),
            )
    return User.objects.get(pk=user.pk)


# --- Signing in to the API -----------------------------------------------------------------


def api_token_issue(*, user, device: str = "") -> str:
    """A new API token for `user` (one per sign-in and device), stored hashed, expiring after
    GRIDGOV_API_TOKEN_DAYS; audited. Returns the token text, which exists only now."""
    from gridgov.core import tokens

    _token, text = tokens.api_token_issue(user=user, device=device)
    return text


def audit_person_search_record(*, actor, filters) -> None:
    """An auditor looking up one person's entries is itself a sensitive read: log it, with the
    ID number masked (the log must not become a list of numbers people were searched by)."""
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.AUDIT_SEARCH, object_type="core.person",
                     object_repr=masking.mask_resident_id(filters.person_resident_id),
                     org_code=actor.scope_code,
                     changes={"actor": filters.actor, "action": filters.action, "org": filters.org_code})
