"""Tables of people's rights and emergencies: correction requests (PIPL art. 46) and
emergency access to a record outside the user's area ("break the glass").

Imported by `core/models.py`, so the tables belong to the `core` app and
`from gridgov.core.models import ...` finds them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.fields import EncryptedTextField
from gridgov.core.indexes import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet

# --- rights (issue 10): correction requests (PIPL art. 46) ------------------------------


class CorrectionTarget(models.TextChoices):
    PERSON = "person", _("Personal details")
    HOUSEHOLD = "household", _("Household")
    MEMBERSHIP = "membership", _("Household membership")


class CorrectionEvidence(models.TextChoices):
    ID_CARD = "id_card", _("Resident identity card")
    HOUSEHOLD_BOOKLET = "household_booklet", _("Household registration booklet")
    CERTIFICATE = "certificate", _("Certificate or official document")
    STATEMENT = "statement", _("The person's own statement")
    OTHER = "other", _("Other")


class CorrectionRequest(models.Model):
    """A person's request to correct their data, recorded by staff, decided by a second
    person with the right to edit, and applied through the ordinary services.

    The current and requested values and the reason may hold an ID number, a phone or an
    address: they are encrypted. The field names are kept in the clear for the queue.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("correction request status", "Pending")
        APPROVED = "approved", pgettext_lazy("correction request status", "Approved and applied")
        REFUSED = "refused", pgettext_lazy("correction request status", "Refused")

    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="correction_requests",
                               verbose_name=_("person"))
    org_code = models.CharField(_("org unit"), max_length=15)
    target = models.CharField(_("what is corrected"), max_length=12, choices=CorrectionTarget.choices)
    target_id = models.BigIntegerField(_("record"))
    fields = models.JSONField(_("fields"), default=list)
    current_values = EncryptedTextField(_("values when requested"))
    requested_values = EncryptedTextField(_("requested values"))
    evidence = models.CharField(_("evidence"), max_length=20, choices=CorrectionEvidence.choices)
    reason = EncryptedTextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    due_on = models.DateField(_("answer due by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("recorded by"))
    requested_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = EncryptedTextField(_("reason for the decision"), blank=True)
    applied_fields = models.JSONField(default=list, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["due_on", "id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="core_correction_org_prefix"),
            models.Index(fields=["status", "due_on", "id"], name="core_correction_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_at__isnull=False)),
                name="core_correction_decided_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


# --- emergency (issue 10): emergency access, "break the glass" ------------------------------


class EmergencyReason(models.TextChoices):
    """Why a record outside the user's area is needed now. A closed list: the note says the rest."""

    DANGER_TO_LIFE = "danger_to_life", _("Danger to the person's life or safety")
    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    CRISIS_AWAY_FROM_HOME = "crisis_away_from_home", _("Crisis while away from their home area")
    MISSING_PERSON = "missing_person", _("Missing person")
    DISASTER_OR_ACCIDENT = "disaster_or_accident", _("Disaster or accident response")


class EmergencyGrant(models.Model):
    """Time-boxed access of one user to one person's record outside the user's area.

    `org_code` is the person's place when the glass was broken: the grant belongs to that
    county's auditors and officers. The grant is live while `now < expires_at` and it has
    not been ended; every read through it is audited with its id. It waits in the
    auditors' queue until reviewed, whether or not it is still live.
    """

    class Review(models.TextChoices):
        PENDING = "pending", pgettext_lazy("emergency access review", "Waiting for review")
        JUSTIFIED = "justified", pgettext_lazy("emergency access review", "Justified")
        NOT_JUSTIFIED = "not_justified", pgettext_lazy("emergency access review", "Not justified")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_grants",
                             verbose_name=_("user"))
    person = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    org_code = models.CharField(_("org unit"), max_length=15)
    reason = models.CharField(_("reason"), max_length=30, choices=EmergencyReason.choices)
    # Free text that may describe someone's health or situation: encrypted like the identity fields.
    note = EncryptedTextField(_("note"))
    care_details = models.BooleanField(_("includes care records"), default=False)
    granted_at = models.DateTimeField(_("granted at"))
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    review = models.CharField(_("review"), max_length=15, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = EncryptedTextField(_("review note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-granted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "person", "expires_at"], name="core_emergency_live"),
            models.Index(fields=["review", "granted_at", "id"], name="core_emergency_queue"),
            PrefixIndex(fields=["org_code"], name="core_emergency_org_prefix"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")),
                                   name="core_emergency_expires_after_grant"),
            models.CheckConstraint(
                condition=models.Q(review="pending", reviewed_at__isnull=True, reviewed_by__isnull=True)
                | (~models.Q(review="pending") & models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False)),
                name="core_emergency_reviewed_iff_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

