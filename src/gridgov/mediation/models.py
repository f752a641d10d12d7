"""People's mediation (人民调解法, arts. 17–33): committees and their mediators, dispute cases
with their parties, and the sessions of mediation.

A case's matters and a session's record are what the parties told a mediator: encrypted at
rest, and read only by the committee's mediators and the township's justice officers
(selectors.py). Parties and sessions are read through their case. Parties are people of the register or outside parties; an outside party's
ID number and phone are encrypted and masked like everyone else's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import Person, PrefixIndex
from gridgov.core.querysets import AncestorScopedQuerySet, ScopedQuerySet
from gridgov.mediation.workflow import CaseStatus


class CommitteeKind(models.TextChoices):
    VILLAGE = "village", _("Village or community committee")
    TOWNSHIP = "township", _("Township or street committee")
    COUNTY = "county", _("County committee")
    MEDICAL = "medical", _("Medical disputes committee")  # 医调委
    CAMPUS = "campus", _("Campus disputes committee")  # 校调委
    LABOUR = "labour", _("Labour disputes committee")
    TRAFFIC = "traffic", _("Road traffic disputes committee")
    CONSUMER = "consumer", _("Consumer disputes committee")
    PROPERTY = "property", _("Property management disputes committee")
    TRADE = "trade", _("Other trade or professional committee")


class Committee(models.Model):
    """A people's mediation committee and the area it serves (a village, township or county)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CommitteeKind.choices)
    org_code = models.CharField(_("area"), max_length=15)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A village's users see the committees of their township and county too: where to refer.
    objects = AncestorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation committee")
        verbose_name_plural = _("mediation committees")
        indexes = [PrefixIndex(fields=["org_code"], name="mediation_committee_org_prefix")]
        constraints = [models.UniqueConstraint(fields=["org_code", "name"], name="mediation_committee_unique_name")]

    def __str__(self) -> str:
        return self.name


class CaseType(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbours")
    FAMILY = "family", _("Marriage and family")
    LAND = "land", _("Land contracting")
    HOUSING = "housing", _("Housing and homestead")
    LABOUR = "labour", _("Labour and wages")
    MEDICAL = "medical", _("Medical")
    CAMPUS = "campus", _("Campus")
    TRAFFIC = "traffic", _("Road traffic accident")
    CONSUMER = "consumer", _("Consumer")
    PROPERTY = "property", _("Property management")
    DEBT = "debt", _("Debt")
    DAMAGE = "damage", _("Compensation for damage")
    OTHER = "other", _("Other")


class Mediator(models.Model):
    """A mediator of one committee: an account of the app, or a member without one."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="mediators",
                                  verbose_name=_("committee"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="mediator_seats", verbose_name=_("account"))
    name = models.CharField(_("name"), max_length=50)
    specialities = models.JSONField(_("specialities"), default=list, blank=True)  # CaseType values
    org_code = models.CharField(max_length=15)  # the committee's, for scope
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        constraints = [models.UniqueConstraint(fields=["committee", "user"], name="mediation_one_seat_per_user",
                                               condition=Q(user__isnull=False))]

    def __str__(self) -> str:
        return self.name

    def get_speciality_labels(self) -> list[str]:
        labels = dict(CaseType.choices)
        return [str(labels[s]) for s in self.specialities if s in labels]


class CaseSource(models.TextChoices):
    REQUEST = "request", _("A party's request")
    INITIATIVE = "initiative", _("The committee's own initiative")
    EVENT = "event", _("A reported event")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("At the office")
    PHONE = "phone", _("By phone")
    ONLINE = "online", _("Online request")
    GRID = "grid", _("Reported by the grid")


class Diversion(models.TextChoices):
    """Where a dispute not taken up by people's mediation is pointed to."""

    OTHER_COMMITTEE = "other_committee", _("Another mediation committee")
    COURT = "court", _("A court")
    ARBITRATION = "arbitration", _("Arbitration")
    ADMINISTRATIVE = "administrative", _("An administrative authority")
    LETTERS_AND_VISITS = "letters_visits", _("Letters and visits")
    NONE = "none", _("Nowhere: no dispute, or the request was not genuine")


class FailureReason(models.TextChoices):
    WITHDREW = "withdrew", _("A party withdrew")
    UNREACHABLE = "unreachable", _("A party could not be reached")
    NO_AGREEMENT = "no_agreement", _("No agreement after the sessions")
    OUTSIDE_COMPETENCE = "outside_competence", _("Outside the committee's competence")
    TIME_RAN_OUT = "time_ran_out", _("The time ran out without consent to extend")


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("Written agreement")
    ORAL = "oral", _("Oral agreement")


class Confirmation(models.TextChoices):
    APPLIED = "applied", _("Applied for, awaiting the court")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    NOT_CONFIRMED = "not_confirmed", _("Not confirmed by the court")


class Performance(models.TextChoices):
    PERFORMED = "performed", _("Performed")
    IN_PROGRESS = "in_progress", _("Being performed")
    BREACHED = "breached", _("Not performed (breach)")
    UNREACHABLE = "unreachable", _("Parties not reached")


class CaseQuerySet(ScopedQuerySet):
    def visibility(self, user):
        """A mediator's cases are their committees'; a justice officer's, those of the
        committees serving the area (the township's). Nobody else sees named cases."""
        from gridgov.core.permissions import Capability, has_capability

        if has_capability(user, Capability.SUPERVISE_MEDIATION):
            # the cases of the committees they keep (those serving their area), not a county's
            # specialised committee's case that happens to be placed in it
            area = super().visibility(user)
            return None if area is None else area & Q(committee__org_code__startswith=user.scope_code)
        if has_capability(user, Capability.MEDIATE_DISPUTES):
            return Q(committee__mediators__user=user, committee__mediators__is_active=True)
        return None


class Case(models.Model):
    code = models.CharField(_("case number"), max_length=24, unique=True)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name=_("committee"))
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
                                 verbose_name=_("mediator"))
    # The mediator's declaration that they are no party or relative of one, nor otherwise interested.
    no_conflict_declared_at = models.DateTimeField(null=True, blank=True)
    org_code = models.CharField(_("place"), max_length=15)
    type = models.CharField(_("type"), max_length=16, choices=CaseType.choices)
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    matters = EncryptedTextField(_("matters in dispute"))
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices)
    # A resident's online request is followed by this code (CONTRACTS: `tracking_code`).
    tracking_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)  # events.Event, read through its selectors
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    deadline = models.DateField(_("to be concluded by"), null=True, blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    diversion = models.CharField(max_length=16, choices=Diversion.choices, blank=True)
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    agreement_form = models.CharField(max_length=8, choices=AgreementForm.choices, blank=True)
    # The agreement's second part: the facts and each side's responsibility; its third: the terms.
    responsibilities = EncryptedTextField(_("facts and responsibilities"), blank=True)
    terms = EncryptedTextField(_("terms of the agreement"), blank=True)
    outcome_note = EncryptedTextField(blank=True)  # the reason of a decline, failure or referral
    concluded_on = models.DateField(null=True, blank=True)
    # The written agreement: by when its terms are performed, and the day it took effect (the
    # parties and the mediator signed, the committee sealed: its signed scan is uploaded).
    performance_due = models.DateField(_("to be performed by"), null=True, blank=True)
    agreement_effective_on = models.DateField(_("agreement in effect since"), null=True, blank=True)
    # Judicial confirmation (司法确认): the parties apply jointly within 30 days of the effect.
    confirmation = models.CharField(_("judicial confirmation"), max_length=14, choices=Confirmation.choices,
                                    blank=True)
    confirmation_court = models.CharField(_("court"), max_length=100, blank=True)
    confirmation_applied_on = models.DateField(null=True, blank=True)
    confirmation_decided_on = models.DateField(null=True, blank=True)
    # What the follow-up visits found of the agreement's performance (the latest visit's finding).
    performance = models.CharField(_("performance"), max_length=12, choices=Performance.choices, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)  # reopened after a breach
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        indexes = [
            PrefixIndex(fields=["org_code"], name="mediation_case_org_prefix"),
            models.Index(fields=["committee", "status", "-id"], name="mediation_case_committee"),
        ]
        # one case per event: the event page names it, the desk's hand-over is refused after it
        constraints = [models.UniqueConstraint(fields=["event_id"], name="mediation_one_case_per_event",
                                               condition=Q(event_id__isnull=False))]

    def __str__(self) -> str:
        return self.code


class CaseCodeCounter(models.Model):
    """The last number used for a county in a year (`<county>-TJ<yyyy>-<seq>`)."""

    county = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="mediation_counter_unique")]


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")


class Party(models.Model):
    """A party to a case: a person of the register (named there, so that the register's
    merges and anonymisation reach the case too), or an outside party named here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=12, choices=PartyRole.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=50, blank=True)  # an outside party's only
    resident_id = EncryptedTextField(_("resident ID number"), blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id else self.name


class SessionKind(models.TextChoices):
    MEDIATION = "mediation", _("Mediation session")
    INVESTIGATION = "investigation", _("Investigation")  # 调查: a visit, a witness heard


class Session(models.Model):
    """One session of mediation (调解笔录: who came, where, what was said and agreed), or an
    investigation (调查笔录)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=14, choices=SessionKind.choices, default=SessionKind.MEDIATION)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    attendees = models.CharField(_("present"), max_length=300, blank=True)
    record = EncryptedTextField(_("record"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class AttachmentKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    SIGNED_AGREEMENT = "signed_agreement", _("Signed and sealed agreement")
    PERFORMANCE = "performance", _("Proof of performance")
    COURT_DECISION = "court_decision", _("Court's decision")


class Attachment(models.Model):
    """A page of the case's file photographed or scanned (evidence, the signed and sealed
    agreement, proof of performance, the court's decision): re-encoded without metadata by
    `core.images`, read through its case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    image = models.ImageField(upload_to="mediation/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]


class FollowUp(models.Model):
    """A follow-up visit (回访) on the performance of an agreement: scheduled when it takes
    effect, recorded with what was found."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("visited on"), null=True, blank=True)
    finding = models.CharField(_("finding"), max_length=12, choices=Performance.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on"], name="mediation_followup_due",
                                condition=Q(done_on__isnull=True))]


class Screening(models.Model):
    """A grid worker's dispute screening (矛盾纠纷排查) of one cell for one month: done even
    when nothing was found, so that the cells not screened show."""

    org_code = models.CharField(_("grid cell"), max_length=15)
    month = models.DateField(_("month"))  # its first day
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    screened_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute screening")
        verbose_name_plural = _("dispute screenings")
        indexes = [PrefixIndex(fields=["org_code"], name="mediation_screening_org_prefix")]
        constraints = [models.UniqueConstraint(fields=["org_code", "month"], name="mediation_screening_once")]


class FindingRoute(models.TextChoices):
    MEDIATION = "mediation", _("To the mediation committee")
    EVENT = "event", _("Reported as an event")
    SETTLED_ON_SITE = "settled", _("Talked out on the spot")


class Finding(models.Model):
    """A dispute found in a screening, and where it went: a case asked of the committee
    serving the place, an event of the loop, or settled there and then."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="findings")
    type = models.CharField(_("type"), max_length=16, choices=CaseType.choices)
    summary = EncryptedTextField(_("what it is about"))
    party_count = models.PositiveSmallIntegerField(_("people involved"), default=2)
    route = models.CharField(_("where it went"), max_length=10, choices=FindingRoute.choices)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("screening finding")
        verbose_name_plural = _("screening findings")


class Centre(models.Model):
    """A one-stop dispute centre (矛盾纠纷多元化解中心, "只进一扇门"): one place where several
    committees and departments take turns on duty."""

    name = models.CharField(_("name"), max_length=100)
    org_code = models.CharField(_("area"), max_length=15)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = AncestorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute centre")
        verbose_name_plural = _("dispute centres")
        constraints = [models.UniqueConstraint(fields=["org_code", "name"], name="mediation_centre_unique_name")]

    def __str__(self) -> str:
        return self.name


class DayPart(models.TextChoices):
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    DAY = "day", _("All day")


class DutyShift(models.Model):
    """Who is on duty at a centre: a committee's mediator, or a department's staff (a court's
    mediator, the labour bureau, the police station) named as they sign in."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="shifts")
    on_date = models.DateField(_("date"))
    part = models.CharField(_("time"), max_length=10, choices=DayPart.choices, default=DayPart.DAY)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("committee"))
    unit = models.CharField(_("unit"), max_length=100, blank=True)  # a department when no committee
    staff = models.CharField(_("on duty"), max_length=100)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["on_date", "part", "id"]
        indexes = [models.Index(fields=["centre", "on_date"], name="mediation_shift_day")]


class AdviserKind(models.TextChoices):
    LEGAL_LITERATE = "legal_literate", _("Legal-literate resident (法律明白人)")
    LAWYER = "lawyer", _("Paired lawyer")


class LegalAdviser(models.Model):
    """The directory of an area's legal-literate residents and the lawyers paired with its
    villages (一村一法律顾问). A lawyer's phone is the firm's and shown in full; a resident's
    phone is theirs: encrypted and masked outside mediation."""

    kind = models.CharField(_("kind"), max_length=16, choices=AdviserKind.choices)
    name = models.CharField(_("name"), max_length=50)
    org_code = models.CharField(_("serves"), max_length=15)
    firm = models.CharField(_("law firm or unit"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    specialities = models.JSONField(_("specialities"), default=list, blank=True)  # CaseType values
    is_active = models.BooleanField(_("active"), default=True)

    objects = AncestorScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal adviser")
        verbose_name_plural = _("legal advisers")
        indexes = [PrefixIndex(fields=["org_code"], name="mediation_adviser_org_prefix")]

    def __str__(self) -> str:
        return self.name
