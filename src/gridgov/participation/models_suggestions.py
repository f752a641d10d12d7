"""Suggestions ("My City") and the projects they become (民生实事).

Anyone suggests, without an account: a topic, a title and a text, an area (or a place on the
map), and a contact if they want to be told; they get a public tracking code and a private
follow link. The grid centre assigns the suggestion to a department, which answers officially
within a number of working days: adopted, answered (explained), or not adopted, with the
reason. Residents may report a published suggestion; after a few reports it is hidden at once
and waits in the moderators' queue. An adopted suggestion becomes, or joins, a project: an
owner, a budget, milestones, progress (a parent's rolled up from its children), public.

Public pages show a suggestion's topic, title, text, area, status and answer, never its
contact; a project's public page shows no person at all (its owner is a department).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class SuggestionTopic(models.TextChoices):
    ENVIRONMENT = "environment", _("Environment and sanitation")
    ROADS = "roads", _("Roads and transport")
    SAFETY = "safety", _("Public safety")
    SERVICES = "services", _("Public services")
    ELDERLY = "elderly", _("Elderly people and children")
    CULTURE = "culture", _("Culture and sport")
    ECONOMY = "economy", _("Work and the local economy")
    OTHER = "other", _("Other")


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Received, to be assigned")
    ASSIGNED = "assigned", _("With a department, to be answered")
    ANSWERED = "answered", _("Answered")
    REMOVED = "removed", _("Removed by a moderator")


class SuggestionOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    ANSWERED = "answered", _("Answered")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


class Suggestion(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=12, unique=True)
    # the private follow link's secret: only its digest is kept
    follow_digest = models.CharField(max_length=64)
    topic = models.CharField(_("topic"), max_length=12, choices=SuggestionTopic.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("suggestion"))
    org_code = models.CharField(_("area"), max_length=15)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    # a mobile or an e-mail address to be told at each change; never shown on a public page
    contact = EncryptedTextField(_("contact"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.SUBMITTED)
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("department"))
    assigned_at = models.DateTimeField(null=True, blank=True)
    answer_due = models.DateField(_("to be answered by"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=SuggestionOutcome.choices, blank=True)
    answer = models.TextField(_("official answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    project = models.ForeignKey("participation.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="suggestions", verbose_name=_("project"))
    # moderation: hidden at once after enough reports, until a moderator restores or removes it
    report_count = models.PositiveSmallIntegerField(default=0)
    hidden_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [PrefixIndex(fields=["org_code"], name="suggestion_org_prefix"),
                   models.Index(fields=["status", "id"], name="suggestion_status")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="answered") | ~Q(outcome=""), name="suggestion_answer_outcome"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_public(self) -> bool:
        return self.hidden_at is None and self.status != SuggestionStatus.REMOVED


class SuggestionEvent(models.Model):
    """What happened to a suggestion, in order: the public timeline, and what its author is told."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=SuggestionStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ReportReason(models.TextChoices):
    ABUSIVE = "abusive", _("Abusive or insulting")
    PERSONAL = "personal", _("Names or exposes a person")
    SPAM = "spam", _("Advertising or spam")
    OFF_TOPIC = "off_topic", _("Not a suggestion for the area")


class SuggestionReport(models.Model):
    """A resident reports a published suggestion; one report per client address and suggestion."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    client_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["suggestion", "client_digest"], name="suggestion_report_once")]


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class Project(models.Model):
    """A project for the people (民生实事): its parts are projects too, whose progress makes its own."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what it does"), blank=True)
    org_code = models.CharField(_("area"), max_length=15)
    owner = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("responsible department"))
    budget = models.DecimalField(_("budget (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("part of"))
    status = models.CharField(_("status"), max_length=10, choices=ProjectStatus.choices,
                              default=ProjectStatus.PLANNED)
    # a project without parts: the owner's figure; with parts: rolled up from them (services)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    due_on = models.DateField(_("to be completed by"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [PrefixIndex(fields=["org_code"], name="project_org_prefix")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_percent"),
                       models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gte=0),
                                              name="project_budget_not_negative")]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=120)
    due_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]


class ProjectUpdate(models.Model):
    """What the owner reported: the progress and what was done (the public timeline)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=ProjectStatus.choices)
    note = models.CharField(_("what was done"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
