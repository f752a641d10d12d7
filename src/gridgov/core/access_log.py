"""A person's access log (Primero's "access log"): who read or changed one person's record,
when and why, for the person's own program officer (auditors use the audit search).

The officer whose area covers the person and who manages one of their enrollments
(MANAGE_ENROLLMENTS) may read it: every entry that names the person (`person_id`), in any
county's chain, since a person who moved keeps their history. Reading it is itself
logged (`person.access_log`), so that the log shows who read the log.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gridgov.core import masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import Forbidden
from gridgov.core.models import AuditEntry, Person
from gridgov.core.permissions import Capability, has_capability, in_scope


@dataclass(frozen=True)
class AccessLogFilters:
    actor: str = ""
    action: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def is_persons_officer(user, person: Person) -> bool:
    if not has_capability(user, Capability.MANAGE_ENROLLMENTS) or not in_scope(user, person.org_code):
        return False
    from gridgov.core import person_programs

    return person_programs.officer_of_person(user, person.pk)


def person_access_log(user, person: Person, filters: AccessLogFilters | None = None) -> QuerySet[AuditEntry]:
    """Entries about `person`, newest first, for their officer (403 for anyone else: the
    person was already found in the user's area by `access_person`)."""
    if not is_persons_officer(user, person):
        raise Forbidden(_("Only the person's own program officer may read their access log."))
    f = filters or AccessLogFilters()
    qs = AuditEntry.objects.filter(person_id=person.pk)
    if f.actor:
        qs = qs.filter(actor_username=f.actor)
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.since:
        qs = qs.filter(at__gte=f.since)
    if f.until:
        qs = qs.filter(at__lt=f.until)
    return qs.order_by("-at", "-id")


def person_access_log_record(*, actor, person: Person, filters: AccessLogFilters) -> None:
    """Log that the officer read the person's access log (the first page of a search)."""
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.PERSON_ACCESS_LOG, obj=person, person_id=person.pk,
                     object_repr=masking.mask_name(person.name), org_code=person.org_code,
                     changes={"actor": filters.actor, "action": filters.action,
                              "since": filters.since.isoformat() if filters.since else "",
                              "until": filters.until.isoformat() if filters.until else ""})
