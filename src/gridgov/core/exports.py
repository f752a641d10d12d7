"""A person's data export (PIPL art. 45): one document with what every app holds about a
person, for a purpose chosen from `core.purposes`, logged, and watched for bulk use.

Each app registers a section (`register_person_export_hook`), as it registers its merge
hook: `hook(*, person) -> dict` returns that app's data about the person, read in full
(the export shows the person everything; it is not a masked view). A section may need a
capability beyond opening the record (care needs `VIEW_CARE_DETAILS`); a user without it
gets the rest, and the document says which sections were left out.

Who may export: a user who may open the person's full record (`OPEN_PERSON_RECORD`) and
whose own scope covers the person. An emergency grant ("break the glass") lets its holder
read a record, never export it.

Bulk use: when one user has exported the data of more than `GRIDGOV_EXPORT_BULK_LIMIT`
different people within `GRIDGOV_EXPORT_BULK_WINDOW_HOURS`, the export that crosses the
line is served but flagged (`person.export_bulk_flag` in the audit log) and the auditors
whose scope covers the person are notified; every later export by that user is refused
(429 `export_on_hold`) until an auditor lifts the hold (`export_hold_clear`), after which
the count starts again. The hold is read from the audit log itself, so it holds across
processes and servers.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import AuditEntry, OrgUnit, Person, Role, User
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.purposes import StatedPurpose, check_purpose
from gridgov.core.selectors import person_view

NOTIFY_KIND = "export_bulk"


@dataclass(frozen=True)
class ExportSection:
    name: str
    label: object  # a lazy translation
    hook: Callable[..., dict]
    capability: Capability | None = None


_SECTIONS: dict[str, ExportSection] = {}


def register_person_export_hook(name: str, hook, *, label, capability: Capability | None = None) -> None:
    """An app adds its section `name` to every person's export: `hook(*, person) -> dict`
    (JSON-serialisable with Django's encoder: dates and decimals are fine)."""
    _SECTIONS[name] = ExportSection(name=name, label=label, hook=hook, capability=capability)


def export_sections() -> list[ExportSection]:
    return list(_SECTIONS.values())


def _person_section(*, person: Person) -> dict:
    view = dataclasses.asdict(person_view(None, person, full=True))
    view.pop("masked", None)
    unit = OrgUnit.objects.filter(code=person.org_code).values_list("name", flat=True).first()
    return {
        **view,
        "org_name": unit or "",
        "died_on": person.died_on,
        "registered_at": person.created_at,
        "updated_at": person.updated_at,
    }


register_person_export_hook("person", _person_section, label=gettext_lazy("Personal details"))


# --- Who may export, and the bulk-use hold ----------------------------------------------


def bulk_limit() -> int:
    return int(getattr(settings, "GRIDGOV_EXPORT_BULK_LIMIT", 10))


def bulk_window() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "GRIDGOV_EXPORT_BULK_WINDOW_HOURS", 24)))


@dataclass(frozen=True)
class ExportUse:
    """One user's recent exports: the people counted and whether a hold is on."""

    people: frozenset[int]
    on_hold: bool
    flagged_at: datetime.datetime | None


def export_use_of(user, *, now: datetime.datetime | None = None) -> ExportUse:
    now = now or timezone.now()
    # Entry ids, not times, order a flag and its clearing (two entries may share a moment).
    last_clear = (
        AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORT_HOLD_CLEAR, object_type="core.user",
                                  object_id=str(user.pk))
        .order_by("-id").values_list("id", flat=True).first()
    ) or 0
    flag = (
        AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORT_BULK_FLAG, actor=user, id__gt=last_clear)
        .order_by("id").values_list("at", flat=True).first()
    )
    people = (
        AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORT, actor=user, id__gt=last_clear,
                                  at__gte=now - bulk_window())
        .order_by().values_list("person_id", flat=True).distinct()
    )
    return ExportUse(people=frozenset(p for p in people if p is not None), on_hold=flag is not None,
                     flagged_at=flag)


def _check_may_export(actor, person: Person, sections: list[ExportSection]) -> None:
    if not in_scope(actor, person.org_code):
        raise NotFound(_("No such person in your area."))
    require(actor, Capability.OPEN_PERSON_RECORD, message=_("Your role may not export personal data."))
    for section in sections:
        if section.capability and not has_capability(actor, section.capability):
            raise Forbidden(_("Your role may not export this data."))


def _alert_auditors(*, actor, person: Person, count: int) -> None:
    from django.urls import reverse

    from gridgov.core.notifications import notify

    codes = ancestor_codes(person.org_code, include_self=True)
    auditors = User.objects.filter(is_active=True, role_rows__role=Role.AUDITOR, scope_code__in=codes).distinct()
    text = _(
        "%(user)s exported the personal data of %(count)d people within %(hours)s hours. "
        "Their further exports wait until an auditor lifts the hold."
    ) % {"user": actor.get_username(), "count": count, "hours": f"{bulk_window().total_seconds() / 3600:g}"}
    notify(recipients=auditors, kind=NOTIFY_KIND, text=text, link=reverse("export-holds"),
           org_code=person.org_code)


# --- The export -------------------------------------------------------------------------


def person_export(
    *, actor, person: Person, purpose: str, note: str = "", sections: tuple[str, ...] | None = None
) -> dict:
    """What the apps hold about `person` (every section, or only `sections`), for a
    listed purpose; logged as `person.export` with the purpose's code and the note.

    Sections the actor's role may not see are left out of a full export (and named under
    `not_included`); asking for one of them explicitly is a 403."""
    if sections is None:
        wanted = export_sections()
        allowed = [s for s in wanted if not s.capability or has_capability(actor, s.capability)]
    else:
        wanted = allowed = [_SECTIONS[name] for name in ("person", *sections) if name in _SECTIONS]
    _check_may_export(actor, person, allowed)
    stated = check_purpose(purpose, note)
    with transaction.atomic():
        # One user's exports queue behind each other, so that parallel requests cannot all
        # slip under the bulk limit.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        use = export_use_of(actor)
        if use.on_hold:
            raise DomainError(
                _("You have exported the data of many people recently. An auditor must review "
                  "this before you can export more."),
                ErrorCode.EXPORT_ON_HOLD,
            )
        counted = use.people | {person.pk}
        flagged = len(counted) > bulk_limit()
        document = {
            "exported_at": timezone.now(),
            "purpose": stated.as_dict(),
            **{section.name: section.hook(person=person) for section in allowed},
            "not_included": [
                {"section": s.name, "label": str(s.label)} for s in wanted if s not in allowed
            ],
        }
        _log(actor=actor, person=person, stated=stated, sections=[s.name for s in allowed],
             flagged=flagged, count=len(counted))
    return document


def _log(*, actor, person: Person, stated: StatedPurpose, sections: list[str], flagged: bool, count: int) -> None:
    audit_record(
        actor=actor, action=AuditAction.PERSON_EXPORT, obj=person, object_repr=masking.mask_name(person.name),
        org_code=person.org_code, person_id=person.pk, purpose=stated.stored,
        changes={"sections": sections, "bulk_flag": flagged},
    )
    if flagged:
        audit_record(
            actor=actor, action=AuditAction.PERSON_EXPORT_BULK_FLAG, obj=person,
            object_repr=masking.mask_name(person.name), org_code=person.org_code, person_id=person.pk,
            purpose=stated.stored,
            changes={"people": count, "limit": bulk_limit(), "window_hours": bulk_window().total_seconds() / 3600},
        )
        _alert_auditors(actor=actor, person=person, count=count)


def export_hold_clear(*, actor, username: str, note: str = "") -> User:
    """An auditor has looked at a user's bulk exports and lets them export again."""
    require(actor, Capability.REVIEW_BULK_EXPORTS)
    user = User.objects.filter(username=username).first()
    if user is None or not in_scope(actor, user.scope_code or ""):
        raise NotFound(_("No such user in your area."))
    note = " ".join((note or "").split())[:400]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if not export_use_of(user).on_hold:
            raise DomainError(_("This user's exports are not on hold."), ErrorCode.CONFLICT)
        audit_record(
            actor=actor, action=AuditAction.PERSON_EXPORT_HOLD_CLEAR, obj=user, object_repr=user.get_username(),
            org_code=user.scope_code, changes={"note": note},
        )
    return user


MAX_HOLDS_LISTED = 500


def export_holds_for(user) -> list[dict]:
    """The users whose exports are on hold, flagged about people in `user`'s scope, newest
    flag first, with the flagging entry (a constant number of queries whatever the history;
    at most MAX_HOLDS_LISTED rows: holds are few, and each is lifted by an auditor)."""
    from django.db.models import Max

    require(user, Capability.REVIEW_BULK_EXPORTS)
    if not user.scope_code:
        return []
    flags = dict(
        AuditEntry.objects.in_subtree(user.scope_code).filter(action=AuditAction.PERSON_EXPORT_BULK_FLAG,
                                                              actor__isnull=False)
        .order_by().values_list("actor_id").annotate(last=Max("id"))
    )
    clears = dict(
        AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORT_HOLD_CLEAR, object_type="core.user",
                                  object_id__in=[str(pk) for pk in flags])
        .order_by().values_list("object_id").annotate(last=Max("id"))
    ) if flags else {}
    held = sorted(((last, pk) for pk, last in flags.items() if last > clears.get(str(pk), 0)), reverse=True)
    held = held[:MAX_HOLDS_LISTED]
    users = User.objects.in_bulk([pk for _last, pk in held])
    entries = AuditEntry.objects.in_bulk([last for last, _pk in held])
    return [{"user": users[pk], "flag": entries[last]} for last, pk in held if pk in users and last in entries]


def as_json(document: dict) -> str:
    """The document as JSON text (dates as ISO 8601), as the API renders it too."""
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def as_data(document: dict) -> dict:
    return json.loads(as_json(document))


def filename(person, kind: str = "data") -> str:
    return f"person-{person.pk}-{kind}-export.json"
