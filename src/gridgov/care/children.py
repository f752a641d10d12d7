"""Children and youth (issue 11): their needs, never a forecast of conduct (DESIGN.md, Scope).

- A child's `situation` is one of the closed choices (left-behind, in distress, without
  adequate care); a young person's `group` lists what they face (`YouthGroup`), nothing else.
- A family file (一户一档) belongs to one household of the register and links the children of
  that household who are in the child or youth program; opening it again links newly
  enrolled children and updates the family's needs (school, guardianship, health, money).
- A mentor register: each child has at most one current mentor (name and contact encrypted,
  organisation, since); naming a new one ends the previous.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.care.audit_actions import CareAudit
from gridgov.care.children_models import ChildNeed, ChildSituation, FamilyFile, FamilyFileChild, Mentor, YouthGroup
from gridgov.care.models import Enrollment
from gridgov.care.programs import Program
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, has_capability, in_scope, require

CHILD_PROGRAMS = (Program.CHILD, Program.YOUTH)


def check_child_details(program: str, details: dict, errors: dict) -> None:
    """Called by services.check_details: the situations and groups are closed choices."""
    situation = details.get("situation")
    if program == Program.CHILD and situation not in (None, "") and situation not in ChildSituation.values:
        errors["details.situation"] = [_("Choose the child's situation: left-behind, in distress or without "
                                         "adequate care.")]
    if program == Program.YOUTH and "group" in details:
        groups = details["group"]
        groups = [groups] if isinstance(groups, str) else groups
        if not isinstance(groups, list) or any(g not in YouthGroup.values for g in groups):
            errors["details.group"] = [_("Choose the young person's groups from the list.")]
        else:
            details["group"] = sorted(set(groups))


# --- Family files ----------------------------------------------------------------------------------


def _children_of_household(user, household) -> QuerySet[Enrollment]:
    """The household's children in care that the user sees (`Enrollment.objects.visible_to`)."""
    person_ids = household.memberships.filter(is_current=True).values("person_id")
    return Enrollment.objects.visible_to(user).filter(person_id__in=person_ids, program__in=CHILD_PROGRAMS,
                                                      status=Enrollment.Status.ACTIVE)


def family_file_update(*, actor, household_id, needs: list[str] | None = None, note: str | None = None
                       ) -> FamilyFile:
    """Open the household's family file (or update it), linking its children in care."""
    from gridgov.register.selectors import access_household

    require(actor, Capability.MANAGE_ENROLLMENTS)
    household = access_household(actor, household_id)  # 404 outside the area
    if not FamilyFile.objects.would_show(actor, household.org_code):
        raise NotFound()  # none above the county, as `access_family_file`
    needs = sorted(set(needs or []))
    if any(n not in ChildNeed.values for n in needs):
        message = _("Unknown kind of need.")
        raise DomainError(message, ErrorCode.INVALID, {"needs": [message]})
    children = list(_children_of_household(actor, household))
    with transaction.atomic():
        file, created = FamilyFile.objects.select_for_update().get_or_create(
            household_id=household.pk,
            defaults={"org_code": household.org_code, "opened_on": timezone.localdate(), "created_by": actor})
        if not children and created:
            raise DomainError(_("No child of this household is in the child or youth program."), ErrorCode.CONFLICT)
        file.needs = needs if needs or created else file.needs
        if note is not None:
            file.note = note.strip()
        file.org_code = household.org_code
        file.save()
        linked = set(FamilyFileChild.objects.filter(enrollment__in=children).values_list("enrollment_id", flat=True))
        FamilyFileChild.objects.bulk_create(FamilyFileChild(family_file=file, enrollment=e)
                                            for e in children if e.pk not in linked)
        audit_record(actor=actor, action=CareAudit.FAMILY_FILE, obj=file, object_repr=f"#{file.pk}",
                     org_code=file.org_code,
                     changes={"opened": created, "children": len(children), "needs": needs})
    return file


def access_family_file(user, file_id) -> FamilyFile:
    require(user, Capability.VIEW_CARE_DETAILS)
    try:
        pk = int(file_id)
    except (TypeError, ValueError):
        pk = -1
    file = family_files_visible_to(user).filter(pk=pk).first()
    if file is None:
        raise NotFound(_("No such family file in your area."))
    return file


def family_files_visible_to(user) -> QuerySet[FamilyFile]:
    """The family files of the user's area (officers, doctors and social workers), newest
    first; none above the county."""
    if not has_capability(user, Capability.VIEW_CARE_DETAILS):
        return FamilyFile.objects.none()
    return FamilyFile.objects.visible_to(user).order_by("-opened_on", "-id")  # care.querysets.CareAreaQuerySet


def family_file_children(file: FamilyFile) -> list[Enrollment]:
    return [link.enrollment for link in file.children.select_related("enrollment__person").order_by("id")]


def family_file_of(enrollment: Enrollment) -> FamilyFile | None:
    link = FamilyFileChild.objects.filter(enrollment=enrollment).select_related("family_file").first()
    return link.family_file if link else None


# --- Mentors ----------------------------------------------------------------------------------------


def mentor_record(*, actor, enrollment: Enrollment, name: str, contact: str = "", organisation: str = "",
                  since: datetime.date | None = None) -> Mentor:
    """Name a child's mentor; the previous one (if any) ends the day before."""
    require(actor, Capability.MANAGE_ENROLLMENTS)
    if not in_scope(actor, enrollment.org_code):
        raise NotFound()
    errors: dict[str, list[str]] = {}
    if enrollment.program not in CHILD_PROGRAMS:
        errors["enrollment"] = [_("Mentors are for children and young people.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the mentor's name.")]
    since = since or timezone.localdate()
    if since > timezone.localdate():
        errors["since"] = [_("The date cannot be in the future.")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], ErrorCode.INVALID, errors)
    with transaction.atomic():
        Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
        Mentor.objects.filter(enrollment=enrollment, until__isnull=True).update(
            until=max(since - datetime.timedelta(days=1), enrollment.start_date))
        mentor = Mentor.objects.create(enrollment=enrollment, org_code=enrollment.org_code, name=name.strip(),
                                       contact=(contact or "").strip(), organisation=(organisation or "").strip(),
                                       since=since, recorded_by=actor)
        audit_record(actor=actor, action=CareAudit.MENTOR, obj=enrollment, object_repr=f"#{enrollment.pk}",
                     org_code=enrollment.org_code, person_id=enrollment.person_id,
                     changes={"mentor": mentor.pk, "since": since.isoformat()})
    return mentor


def mentors_of(enrollment: Enrollment) -> list[Mentor]:
    return list(Mentor.objects.filter(enrollment=enrollment).order_by("-since", "-id"))
