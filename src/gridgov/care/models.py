"""Care programs: enrollments with their legal basis and retention, care teams with
two-way confirmation, visits, crises, hospital stays and absences, handovers between
places, agreements and subsidies, screening campaigns.

Health and criminal-record facts live only here, encrypted (`details`, notes); they are
shown only to roles and scopes that need them (selectors.py).
"""

from __future__ import annotations

import json

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.care.programs import Program
from gridgov.care.querysets import (
    CampaignItemQuerySet,
    CampaignQuerySet,
    EnrollmentQuerySet,
    EnrollmentRecordQuerySet,
    HandoverQuerySet,
    PaymentQuerySet,
)
from gridgov.core import crypto
from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import Person, PrefixIndex, User


class EncryptedJSONField(EncryptedTextField):
    """A dict stored as encrypted JSON text."""

    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return json.loads(text) if text else {}

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""
        return crypto.encrypt(value)


class ProgramConfig(models.Model):
    """A deployment's intervals and ages for one program (defaults: programs.DEFAULTS)."""

    program = models.CharField(_("program"), max_length=24, choices=Program.choices, unique=True)
    settings = models.JSONField(_("settings"), default=dict)

    class Meta:
        verbose_name = _("program settings")
        verbose_name_plural = _("program settings")

    def __str__(self) -> str:
        return str(self.get_program_display())


class EnrollmentEnd(models.TextChoices):
    """The ways an enrollment ends (`care.workflow.EnrollmentAction`, each through
    `services.enrollment_exit`), kept on the ended enrollment as `exit_code` and read in the
    reader's language. Only the officer's exit carries words of its own (`exit_reason`)."""

    EXIT = "exit", _("Leaves the program")  # the officer, with a reason
    AGE_LIMIT = "age_limit", _("Reached the program's age limit")  # care_daily
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")  # an enrollment on consent alone
    DUPLICATE_MERGED = "duplicate_merged", _("Duplicate record merged")  # two person records made one
    DIED = "died", _("Died")  # a death recorded in the register


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXITED = "exited", _("Exited")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    program = models.CharField(_("program"), max_length=24, choices=Program.choices)
    org_code = models.CharField(_("area"), max_length=15)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    consent = models.BooleanField(_("consent recorded"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    exit_code = models.CharField(pgettext_lazy("leaving a program", "way of leaving"), max_length=24,
                                 choices=EnrollmentEnd.choices, blank=True)
    # The officer's own words for an exit (`EnrollmentEnd.EXIT`); empty for the other ways.
    exit_reason = models.CharField(pgettext_lazy("leaving a program", "reason for leaving"), max_length=200,
                                   blank=True)
    retention_until = models.DateField(_("keep records until"))
    details = EncryptedJSONField(_("program details"), blank=True)
    # Derived from details, kept in the clear only because lists must filter on them.
    high_risk = models.BooleanField(default=False)
    key_case = models.BooleanField(default=False)  # a key child, a high-risk person…
    next_due_date = models.DateField(_("next visit due"), null=True, blank=True)
    last_visit_date = models.DateField(_("last visit"), null=True, blank=True)
    # Mirrors of the open StatusPeriod rows, so the daily map needs no extra query.
    hospitalized_since = models.DateField(null=True, blank=True)
    away_since = models.DateField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["id"]
        indexes = [
            PrefixIndex(fields=["org_code"], name="care_enrollment_org_prefix"),
            models.Index(fields=["status", "next_due_date"], name="care_enrollment_due"),
            models.Index(fields=["program", "status"], name="care_enrollment_program"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "program"], condition=Q(status="active"),
                                    name="care_one_active_enrollment_per_program"),
            models.CheckConstraint(condition=~Q(legal_basis="") | Q(consent=True),
                                   name="care_enrollment_has_basis_or_consent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} #{self.pk}"


class TeamRole(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    DOCTOR = "doctor", _("Community doctor")
    PSYCHIATRIST = "psychiatrist", _("Psychiatric doctor")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    POLICE_LIAISON = "police_liaison", _("Police liaison")
    OFFICER = "officer", _("Program officer")
    MENTOR = "mentor", _("Mentor")
    GUARDIAN = "guardian", _("Guardian")
    FAMILY = "family", _("Family member")


class TeamMember(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="care_teams")
    # Family members and guardians usually have no account.
    name = EncryptedTextField(blank=True)
    contact = EncryptedTextField(blank=True)
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # care (issue 11): a member without an account (family, guardian) confirms through a team
    # member, who records it on their behalf and how it was given; empty for one's own.
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                        verbose_name=_("confirmation recorded by"))
    acknowledged_how = models.CharField(_("how it was confirmed"), max_length=12, blank=True,
                                        choices=[("in_person", _("Face to face")), ("phone", _("By phone")),
                                                 ("video", _("By video call")), ("in_writing", _("In writing"))])
    # notify (issue 11): a member without an account agreed to crisis alerts by SMS to `contact`
    # (a mobile number); when, and who recorded it. Without it, no SMS is sent to them.
    sms_consent_at = models.DateTimeField(_("agreed to SMS alerts"), null=True, blank=True)
    sms_consent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("SMS consent recorded by"))
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("care team member")
        verbose_name_plural = _("care team members")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "user"], condition=Q(removed_at__isnull=True, user__isnull=False),
                                    name="care_team_member_once"),
        ]


class VisitForm(models.TextChoices):
    HOME = "home", _("Home visit")
    CLINIC = "clinic", _("At the clinic")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class Need(models.TextChoices):
    HOUSING = "housing", _("Housing")
    INCOME = "income", _("Income support")
    STUDY = "study", _("Study")
    JOB = "job", _("Job")
    TREATMENT = "treatment", _("Treatment")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    CARE = "care", _("Daily care")
    OTHER = "other", _("Other")


class Visit(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="visits")
    org_code = models.CharField(max_length=15)
    date = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=8, choices=VisitForm.choices)
    visited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    missed = models.BooleanField(_("could not be seen"), default=False)
    notes = EncryptedTextField(_("notes"), blank=True)
    details = EncryptedJSONField(_("follow-up record"), blank=True)
    needs = models.JSONField(_("needs found"), default=list, blank=True)
    help_given = models.JSONField(_("help given"), default=list, blank=True)
    next_due_date = models.DateField(_("next visit due"))
    photo = models.ImageField(upload_to="care/%Y/%m/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EnrollmentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["enrollment", "date"], name="care_visit_enrollment_date"),
                   PrefixIndex(fields=["org_code"], name="care_visit_org_prefix")]


class StatusPeriod(models.Model):
    """A hospital stay or an absence from home; an open one (no end) sets the map icon."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("In hospital")
        AWAY = "away", _("Away from home")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="status_periods")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind"], condition=Q(end__isnull=True),
                                    name="care_one_open_period_per_kind"),
        ]


class Crisis(models.Model):
    class ReportedBy(models.TextChoices):
        GRID_WORKER = "grid_worker", _("Grid worker")
        FAMILY = "family", _("Family")
        DOCTOR = "doctor", _("Doctor")
        POLICE = "police", _("Police")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        CALMED_AT_HOME = "calmed_at_home", _("Calmed at home")
        TAKEN_TO_HOSPITAL = "taken_to_hospital", _("Taken to hospital")
        ADMITTED = "admitted", _("Admitted to hospital")
        UNLOCKED = "unlocked", _("Released from confinement at home, treated free")
        OTHER = "other", _("Other")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="crises")
    org_code = models.CharField(max_length=15)
    description = EncryptedTextField()
    reported_by = models.CharField(max_length=12, choices=ReportedBy.choices)
    reporter = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField()
    reported_at = models.DateTimeField(auto_now_add=True)
    alerted = models.JSONField(default=list)  # usernames alerted at once
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-occurred_at"]


class CrisisAction(models.Model):
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="actions")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    note = EncryptedTextField()

    class Meta:
        ordering = ["at", "id"]


class Handover(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving side")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", pgettext_lazy("handover status", "Rejected")
        CANCELLED = "cancelled", pgettext_lazy("handover status", "Cancelled")

    class Reason(models.TextChoices):
        PRISON_RELEASE = "prison_release", _("Release from prison")
        HOSPITAL_DISCHARGE = "hospital_discharge", _("Discharge from hospital")
        MOVE = "move", _("Moving house")
        OTHER = "other", _("Other")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="handovers")
    from_org_code = models.CharField(max_length=15)
    to_org_code = models.CharField(max_length=15)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    note = models.TextField(blank=True)
    due_date = models.DateField(_("must be received by"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(blank=True)
    missed_alerted_at = models.DateTimeField(null=True, blank=True)

    objects = HandoverQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment"], condition=Q(status="pending"),
                                    name="care_one_pending_handover"),
        ]
        indexes = [PrefixIndex(fields=["to_org_code"], name="care_handover_to_prefix"),
                   PrefixIndex(fields=["from_org_code"], name="care_handover_from_prefix")]


class GuardianAgreement(models.Model):
    """监护人以奖代补: a guardian's reward agreement, paid against conditions."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="agreements")
    guardian_name = EncryptedTextField()
    year = models.PositiveSmallIntegerField()
    annual_amount = models.DecimalField(max_digits=10, decimal_places=2)
    conditions = models.TextField(blank=True)
    signed_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "year"], name="care_one_agreement_a_year")]


class Payment(models.Model):
    class Kind(models.TextChoices):
        GUARDIAN_REWARD = "guardian_reward", _("Guardian reward")
        TREATMENT_SUBSIDY = "treatment_subsidy", _("Treatment subsidy")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="payments")
    agreement = models.ForeignKey(GuardianAgreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="payments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    daily_rate = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    conditions_met = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    paid_on = models.DateField()
    org_code = models.CharField(max_length=15)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="care_payment_not_negative")]


class Campaign(models.Model):
    """A screening campaign over an area: every household gets a checklist item."""

    class Kind(models.TextChoices):
        MINORS = "minors", _("Home visits to all minors")
        SMD_SCREENING = "smd_screening", _("Half-yearly mental-health screening")
        ELDERLY = "elderly", _("Elderly people living alone")

    org_code = models.CharField(_("org unit"), max_length=15)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("created by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("screening campaign")
        verbose_name_plural = _("screening campaigns")

    def __str__(self) -> str:
        return self.title or str(self.get_kind_display())


class CampaignItem(models.Model):
    class Result(models.TextChoices):
        PENDING = "pending", _("To visit")
        NOTHING_FOUND = "nothing_found", _("Visited, no need found")
        NEEDS_FOUND = "needs_found", _("Needs found")
        REFERRED = "referred", _("Referred for enrollment")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    household_id = models.BigIntegerField()
    org_code = models.CharField(max_length=15)
    assignee = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(max_length=14, choices=Result.choices, default=Result.PENDING)
    note = EncryptedTextField(blank=True)
    visited_on = models.DateField(null=True, blank=True)
    referred_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = CampaignItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign household")
        verbose_name_plural = _("campaign households")
        constraints = [models.UniqueConstraint(fields=["campaign", "household_id"], name="care_campaign_item_once")]
        indexes = [PrefixIndex(fields=["org_code"], name="care_campaign_item_org")]

    def __str__(self) -> str:
        return _("Household #%(id)s of %(campaign)s") % {"id": self.household_id, "campaign": self.campaign}


# --- rights (issue 10): consent withdrawal (PIPL art. 15) --------------------------------


class ConsentWithdrawal(models.Model):
    """The person (or guardian) withdrew the consent an enrollment recorded. Processing that
    rested on consent alone ends (the enrollment exits and is anonymised on its retention
    date, set to the withdrawal); with a legal basis too, it continues on that basis only."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        IN_WRITING = "in_writing", _("In writing")
        PHONE = "phone", _("By phone")
        GUARDIAN = "guardian", _("By the guardian or legal representative")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        EXITED = "exited", _("Enrollment ended: it rested on consent alone")
        LEGAL_BASIS = "legal_basis", _("Continues on its legal basis only")

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="consent_withdrawal")
    org_code = models.CharField(max_length=15)
    withdrawn_on = models.DateField(_("consent withdrawn on"))
    channel = models.CharField(_("how it was expressed"), max_length=12, choices=Channel.choices)
    note = EncryptedTextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")


# --- care (issue 11): schedules per person, children and youth (own modules, same app) -------

from gridgov.care.children_models import FamilyFile, FamilyFileChild, Mentor  # noqa: E402, F401
from gridgov.care.schedule_models import CareSchedule, ScheduleRecord  # noqa: E402, F401
