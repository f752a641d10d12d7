"""Children and youth (issue 11): the situations and youth groups as closed choices (their
needs, never a forecast or a label of conduct), a family file linking the children of one
household of the register, and a mentor register (one current mentor per child).

Imported by `care.models`, so Django registers these tables with the care app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.care.querysets import CareAreaQuerySet, EnrollmentRecordQuerySet
from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import PrefixIndex, User


class ChildSituation(models.TextChoices):
    LEFT_BEHIND = "left_behind", _("Left-behind child")
    IN_DISTRESS = "in_distress", _("Child in distress")
    WITHOUT_ADEQUATE_CARE = "without_care", _("Child without adequate care")


class YouthGroup(models.TextChoices):
    """What a young person lacks or faces, as the youth services name their groups."""

    OUT_OF_SCHOOL_AND_WORK = "out_of_school_work", _("Neither in school nor at work")
    WITHOUT_HOME = "without_home", _("Without a stable home")
    PARENT_IN_PRISON = "parent_in_prison", _("A parent in prison")
    LEFT_BEHIND = "left_behind", _("Left behind by parents working away")
    DISABILITY = "disability", _("Living with a disability")


class ChildNeed(models.TextChoices):
    SCHOOL = "school", _("School")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    HEALTH = "health", _("Health")
    MONEY = "money", _("Money")


class FamilyFile(models.Model):
    """一户一档: one file per household of the register, linking its children in care."""

    household_id = models.BigIntegerField(_("household"), unique=True)
    org_code = models.CharField(max_length=15)
    opened_on = models.DateField(_("opened on"))
    needs = models.JSONField(_("needs"), default=list, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CareAreaQuerySet.as_manager()  # scope (issue 11): visible_to, none above the county

    class Meta:
        verbose_name = _("family file")
        verbose_name_plural = _("family files")
        ordering = ["-opened_on", "-id"]
        indexes = [PrefixIndex(fields=["org_code"], name="care_family_file_org_prefix")]


class FamilyFileChild(models.Model):
    family_file = models.ForeignKey(FamilyFile, on_delete=models.CASCADE, related_name="children")
    enrollment = models.OneToOneField("care.Enrollment", on_delete=models.CASCADE, related_name="family_link")

    class Meta:
        verbose_name = _("child of a family file")
        verbose_name_plural = _("children of a family file")
        ordering = ["id"]


class Mentor(models.Model):
    """A child's mentor (帮扶人/代理家长): name and contact encrypted, the organisation, since when."""

    enrollment = models.ForeignKey("care.Enrollment", on_delete=models.CASCADE, related_name="mentors")
    org_code = models.CharField(max_length=15)
    name = EncryptedTextField(_("name"))
    contact = EncryptedTextField(_("contact"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = EnrollmentRecordQuerySet.as_manager()  # scope (issue 11): visible with its enrollment

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["-since", "-id"]
        indexes = [PrefixIndex(fields=["org_code"], name="care_mentor_org_prefix")]
        constraints = [
            models.UniqueConstraint(fields=["enrollment"], condition=Q(until__isnull=True),
                                    name="care_one_current_mentor"),
        ]
