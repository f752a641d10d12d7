"""Emergency access ("break the glass", as DHIS2 does for records outside a user's search
scope).

A user whose role may open a person's full record in their own area (OPEN_PERSON_RECORD)
may, in an emergency, open the record of one person outside it: they find the person by
the exact resident ID number (never by browsing another area), choose the reason from a
closed list and write a note, and get access to that one person for a limited time
(`GRIDGOV_EMERGENCY_ACCESS_HOURS`, 3 by default); roles with VIEW_CARE_DETAILS get that
person's care records too.

- The grant is a row (`EmergencyGrant`) and an audit entry; the person's program officers
  (those whose area covers the person, and the officer on their care team) are notified.
- It is checked on every read, at the root: `core.selectors.access_person` and the care
  `access_enrollment` let a live grant through for that one person (and write an
  `emergency.read` entry with the grant's id); lists never include them. After
  `expires_at` the access ends by itself, with no task to run.
- Every grant waits in the auditors' queue (`review_queue`) until an auditor marks it
  justified or not; a not-justified one notifies the user's administrator.

Services (writes) and selectors (reads) of this one feature live together here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import crypto, masking
from gridgov.core.audit import AuditAction, audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden, NotFound
from gridgov.core.models import EmergencyGrant, EmergencyReason, Person, Role, User
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import Capability, has_capability, in_scope, require
from gridgov.core.validators import normalize_resident_id, resident_id_error

MIN_NOTE_LENGTH = 5
MAX_NOTE_LENGTH = 500
NOTIFICATION_KIND = "emergency_access"
COUNTY_CODE_LENGTH = 6


def grant_duration() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.GRIDGOV_EMERGENCY_ACCESS_HOURS)


def _ancestors_and_self(code: str) -> list[str]:
    return ancestor_codes(code, include_self=True)


def may_break_glass(user) -> bool:
    """Roles that could open such a record in their own area (and see people at all)."""
    return has_capability(user, Capability.OPEN_PERSON_RECORD) and has_capability(user, Capability.VIEW_PEOPLE)


def _covers_care(user) -> bool:
    # Above the county care data is statistics only, for everyone (DESIGN "People").
    return (has_capability(user, Capability.VIEW_CARE_DETAILS) and has_capability(user, Capability.VIEW_CARE)
            and len(user.scope_code or "") >= COUNTY_CODE_LENGTH)


# --- Selectors ------------------------------------------------------------------------------


def live_grants(user, *, now: datetime.datetime | None = None) -> QuerySet[EmergencyGrant]:
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        return EmergencyGrant.objects.none()
    return EmergencyGrant.objects.filter(user=user, granted_at__lte=now, expires_at__gt=now, ended_at__isnull=True)


def live_grant(user, person_id: int, *, care: bool = False,
               now: datetime.datetime | None = None) -> EmergencyGrant | None:
    """The user's live grant for this person (one that covers care records, with `care`).
    The role is checked again: a user who lost the role loses the access with it."""
    if not may_break_glass(user) or (care and not _covers_care(user)):
        return None
    qs = live_grants(user, now=now).filter(person_id=person_id)
    if care:
        qs = qs.filter(care_details=True)
    return qs.order_by("-expires_at").first()


def _record_read(*, user, grant: EmergencyGrant, obj, person_id: int, org_code: str) -> None:
    with transaction.atomic():
        audit_record(actor=user, action=AuditAction.EMERGENCY_READ, obj=obj, person_id=person_id,
                     object_repr=masking.mask_name(grant.person.name) if isinstance(obj, Person) else f"#{obj.pk}",
                     org_code=org_code, changes={"emergency_grant": grant.pk, "reason": grant.reason})


def person_under_grant(user, person_id: int, *, now: datetime.datetime | None = None) -> Person | None:
    """The person, when the user holds a live grant for them (the read is audited with the
    grant's id; `person.emergency_grant` carries it for the page), else None."""
    grant = live_grant(user, person_id, now=now)
    if grant is None:
        return None
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        return None
    grant.person = person
    _record_read(user=user, grant=grant, obj=person, person_id=person.pk, org_code=person.org_code)
    person.emergency_grant = grant
    return person


def enrollment_under_grant(user, enrollment, *, now: datetime.datetime | None = None):
    """The grant through which the user may read this care record (audited), else None."""
    grant = live_grant(user, enrollment.person_id, care=True, now=now)
    if grant is None:
        return None
    grant.person = enrollment.person
    _record_read(user=user, grant=grant, obj=enrollment, person_id=enrollment.person_id, org_code=enrollment.org_code)
    return grant


def grants_of(user, *, active: bool | None = None, now: datetime.datetime | None = None) -> QuerySet[EmergencyGrant]:
    """The user's own grants, newest first; `active=True` only the live ones."""
    now = now or timezone.now()
    qs = EmergencyGrant.objects.filter(user=user).select_related("person")
    live = Q(granted_at__lte=now, expires_at__gt=now, ended_at__isnull=True)
    if active is True:
        qs = qs.filter(live)
    elif active is False:
        qs = qs.exclude(live)
    return qs.order_by("-granted_at", "-id")


def access_own_grant(user, grant_id) -> EmergencyGrant:
    try:
        pk = int(grant_id)
    except (TypeError, ValueError):
        pk = -1
    grant = EmergencyGrant.objects.filter(pk=pk, user=user).select_related("person").first()
    if grant is None:
        raise NotFound(_("No such emergency access."))
    return grant


@dataclass(frozen=True)
class ReviewFilters:
    review: str = EmergencyGrant.Review.PENDING  # "" for every grant
    actor: str = ""
    reason: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def _reviewable(user) -> QuerySet[EmergencyGrant]:
    require(user, Capability.REVIEW_EMERGENCY_ACCESS)
    return EmergencyGrant.objects.visible_to(user)


def review_queue(user, filters: ReviewFilters | None = None) -> QuerySet[EmergencyGrant]:
    """Grants about people in the auditor's area, oldest first (the queue is worked from
    the front)."""
    f = filters or ReviewFilters()
    qs = _reviewable(user).select_related("user", "person", "reviewed_by")
    if f.review:
        qs = qs.filter(review=f.review)
    if f.actor:
        qs = qs.filter(user__username=f.actor)
    if f.reason:
        qs = qs.filter(reason=f.reason)
    if f.since:
        qs = qs.filter(granted_at__gte=f.since)
    if f.until:
        qs = qs.filter(granted_at__lt=f.until)
    return qs.order_by("granted_at", "id")


def access_grant_for_review(user, grant_id) -> EmergencyGrant:
    try:
        pk = int(grant_id)
    except (TypeError, ValueError):
        pk = -1
    grant = _reviewable(user).filter(pk=pk).select_related("user", "person").first()
    if grant is None:
        raise NotFound(_("No such emergency access in your area."))
    return grant


def is_live(grant: EmergencyGrant, *, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return grant.ended_at is None and grant.granted_at <= now < grant.expires_at


def open_enrollments(grants, *, now: datetime.datetime | None = None) -> dict[int, list]:
    """For each live grant that covers care records, the ids of the person's enrollments
    it opens (one query for the whole page)."""
    care_grants = [g for g in grants if g.care_details and is_live(g, now=now)]
    if not care_grants:
        return {}
    from gridgov.core.person_programs import enrollments_of_people

    by_person: dict[int, list] = {}
    for enrollment in enrollments_of_people({g.person_id for g in care_grants}):
        by_person.setdefault(enrollment.person_id, []).append(enrollment.pk)
    return {g.pk: by_person.get(g.person_id, []) for g in care_grants}


# --- Who is told --------------------------------------------------------------------------


def officers_of_person(person: Person) -> list[User]:
    """The program officers whose area covers the person, and the officer on the person's
    care team (who may work from another office)."""
    users = {u.pk: u for u in User.objects.filter(
        is_active=True, role_rows__role=Role.PROGRAM_OFFICER, scope_code__in=_ancestors_and_self(person.org_code),
    ).distinct()}
    from gridgov.core.person_programs import team_officers_of_person

    users.update({u.pk: u for u in team_officers_of_person(person.pk)})
    return [users[pk] for pk in sorted(users)]


def administrators_of(user: User) -> list[User]:
    """The administrators whose area covers the user's own."""
    return list(User.objects.filter(
        is_active=True, role_rows__role=Role.CITY_ADMIN, scope_code__in=_ancestors_and_self(user.scope_code or ""),
    ).exclude(pk=user.pk).distinct().order_by("pk"))


def _notify(users, text: str, **context) -> None:
    from gridgov.core.notifications import notify

    notify(recipients=users, kind=NOTIFICATION_KIND, text=text, **context)


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- Services -------------------------------------------------------------------------------


def check_reason(reason: str, note: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    note = " ".join((note or "").split())
    if reason not in EmergencyReason.values:
        errors["reason"] = [_("Choose the emergency from the list.")]
    if len(note) < MIN_NOTE_LENGTH:
        errors["note"] = [_("Describe the emergency (at least %(n)d characters).") % {"n": MIN_NOTE_LENGTH}]
    elif len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("A note has at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH}]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    return reason, note


def emergency_access_open(*, actor, resident_id: str, reason: str, note: str,
                          now: datetime.datetime | None = None) -> tuple[EmergencyGrant, bool]:
    """Break the glass: find one person by the exact resident ID number and open their
    record for a stated emergency. Returns the grant and whether it is new (a live grant
    for the same person is returned as it is, without a second notification).

    The lookup is an identifier search: logged with the number masked and counted against
    the user's hourly limit (`person_identifier_search_record`), whether or not it matches.
    """
    from gridgov.core.services import person_identifier_search_record

    if not may_break_glass(actor):
        raise Forbidden(_("Your role may not open personal records, so it cannot use emergency access."))
    errors: dict[str, list[str]] = {}
    value = normalize_resident_id(resident_id)
    id_error = resident_id_error(value)
    if id_error:
        errors["resident_id"] = [id_error]
    try:
        reason, note = check_reason(reason, note)
    except DomainError as error:
        errors.update(error.fields)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    now = now or timezone.now()
    index = crypto.blind_index("resident_id", value)
    person = Person.objects.filter(resident_id_index=index, merged_into__isnull=True).first()
    person_identifier_search_record(actor=actor, kind="resident_id", value=value, where="emergency_access",
                                    matched=1 if person else 0)
    if person is None:
        raise NotFound(_("No person with this resident ID number is registered."))
    if in_scope(actor, person.org_code):
        raise DomainError(_("This person lives in your own area: open their record as usual."), ErrorCode.INVALID,
                          {"resident_id": [_("This person lives in your own area.")]})
    with transaction.atomic():
        # One live grant per user and person: concurrent requests wait here.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        existing = live_grant(actor, person.pk, now=now)
        if existing is not None:
            existing.person = person
            return existing, False
        grant = EmergencyGrant.objects.create(
            user=actor, person=person, org_code=person.org_code, reason=reason, note=note,
            care_details=_covers_care(actor), granted_at=now, expires_at=now + grant_duration(),
        )
        officers = officers_of_person(person)
        audit_record(
            actor=actor, action=AuditAction.EMERGENCY_GRANT, obj=grant, person_id=person.pk,
            object_repr=masking.mask_name(person.name), org_code=person.org_code,
            changes={"emergency_grant": grant.pk, "reason": reason, "expires_at": grant.expires_at.isoformat(),
                     "care_records": grant.care_details, "notified": sorted(u.username for u in officers)},
        )
        # The person is named as each officer may see them (core.notifications masks the rest).
        from django.urls import reverse

        from gridgov.core.notifications import PERSON_SUBJECT, Subject

        _notify(officers, _(
            "Emergency access: %(user)s opened the record of %(person)s (#%(id)s) in your area for "
            "“%(reason)s”, until %(until)s. An auditor will review it."),
            params={"user": actor.label, "id": person.pk, "reason": EmergencyReason(reason).label,
                    "until": _local(grant.expires_at)},
            person_name=person.name, org_code=person.org_code,
            # above the county an officer sees statistics, never a named person (security review)
            may_see_person=lambda user: len(user.scope_code or "") >= 6 and in_scope(user, person.org_code)
            and has_capability(user, Capability.OPEN_PERSON_RECORD),
            link=reverse("person-access-log", args=[person.pk]),
            subject=Subject(PERSON_SUBJECT, person.pk))  # forgotten with the person
    return grant, True


def emergency_access_end(*, actor, grant: EmergencyGrant, now: datetime.datetime | None = None) -> EmergencyGrant:
    """The user closes their access before it expires (it still waits for review)."""
    now = now or timezone.now()
    if grant.user_id != actor.pk:
        raise NotFound(_("No such emergency access."))
    with transaction.atomic():
        grant = EmergencyGrant.objects.select_for_update().select_related("person").get(pk=grant.pk)
        if not is_live(grant, now=now):
            raise DomainError(_("This emergency access has already ended."), ErrorCode.CONFLICT)
        grant.ended_at = now
        grant.save(update_fields=["ended_at"])
        audit_record(actor=actor, action=AuditAction.EMERGENCY_END, obj=grant, person_id=grant.person_id,
                     object_repr=masking.mask_name(grant.person.name), org_code=grant.org_code,
                     changes={"emergency_grant": grant.pk, "reason": grant.reason})
    return grant


def emergency_access_review(*, actor, grant: EmergencyGrant, justified: bool, note: str,
                            now: datetime.datetime | None = None) -> EmergencyGrant:
    """An auditor's verdict on one emergency access. Not justified: the user's
    administrators are told, so that they can take it up with the user."""
    require(actor, Capability.REVIEW_EMERGENCY_ACCESS)
    if not in_scope(actor, grant.org_code):
        raise NotFound(_("No such emergency access in your area."))
    if grant.review != EmergencyGrant.Review.PENDING:
        raise DomainError(_("This emergency access has already been reviewed."), ErrorCode.CONFLICT)
    note = " ".join((note or "").split())
    if not justified and len(note) < MIN_NOTE_LENGTH:
        raise DomainError(_("Say why the access was not justified."), ErrorCode.INVALID,
                          {"note": [_("Say why the access was not justified (at least %(n)d characters).")
                                    % {"n": MIN_NOTE_LENGTH}]})
    if len(note) > MAX_NOTE_LENGTH:
        raise DomainError(_("The note is too long."), ErrorCode.INVALID,
                          {"note": [_("A note has at most %(n)d characters.") % {"n": MAX_NOTE_LENGTH}]})
    now = now or timezone.now()
    with transaction.atomic():
        grant = EmergencyGrant.objects.select_for_update().select_related("person", "user").get(pk=grant.pk)
        if grant.review != EmergencyGrant.Review.PENDING:
            raise DomainError(_("This emergency access has already been reviewed."), ErrorCode.CONFLICT)
        grant.review = EmergencyGrant.Review.JUSTIFIED if justified else EmergencyGrant.Review.NOT_JUSTIFIED
        grant.reviewed_by, grant.reviewed_at, grant.review_note = actor, now, note
        grant.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
        admins = [] if justified else administrators_of(grant.user)
        audit_record(actor=actor, action=AuditAction.EMERGENCY_REVIEW, obj=grant, person_id=grant.person_id,
                     object_repr=masking.mask_name(grant.person.name), org_code=grant.org_code,
                     changes={"emergency_grant": grant.pk, "reason": grant.reason, "review": grant.review,
                              "user": grant.user.username, "notified": [u.username for u in admins]})
        if admins:
            _notify(admins, _(
                "An auditor found that %(user)s's emergency access #%(id)s (%(when)s) was not justified: "
                "%(note)s") % {"user": grant.user.label, "id": grant.pk, "when": _local(grant.granted_at),
                               "note": note})
    return grant
