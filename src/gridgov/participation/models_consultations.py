"""Public consultation on major decisions (重大决策社会稳定风险评估, 听取公众意见): a department
publishes a proposal with its documents and a comment period; residents comment on the web, and
comments raised at village meetings are entered too; the office groups the comments into themes
and answers each theme; at the end it publishes the decision and its reasons.

Public pages show the proposal, its documents, how many comments came, the themes with the
office's answers and the decision — never a comment's author (none is asked) nor, one by one,
the comments' texts, which the office reads and groups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import PrefixIndex
from gridgov.core.querysets import ScopedQuerySet


class Consultation(models.Model):
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("the proposal"))
    org_code = models.CharField(_("area"), max_length=15)
    owner = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("responsible department"))
    opens_on = models.DateField(_("comments from"))
    closes_on = models.DateField(_("comments until"))
    published_at = models.DateTimeField(null=True, blank=True)  # empty: a draft, not public
    decision = models.TextField(_("decision"), blank=True)
    reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")
        ordering = ["-opens_on", "-id"]
        indexes = [PrefixIndex(fields=["org_code"], name="consultation_org_prefix")]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")),
                                              name="consultation_period_in_order")]

    def __str__(self) -> str:
        return self.title


class ConsultationDocument(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("document"), max_length=120)
    file = models.FileField(upload_to="consultations/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Theme(models.Model):
    """Comments grouped by what they say, with the office's answer."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    title = models.CharField(_("theme"), max_length=120)
    answer = models.TextField(_("the office's answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class CommentSource(models.TextChoices):
    WEB = "web", _("On the web")
    MEETING = "meeting", _("At a village meeting")


class ConsultationComment(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("comment"))
    source = models.CharField(max_length=10, choices=CommentSource.choices)
    meeting = models.ForeignKey("participation.VillageMeeting", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(source="meeting") | Q(meeting__isnull=False),
                                              name="consultation_comment_meeting_named")]
