"""Inspection rounds of places (issue 11 §C): fire safety, food and venues, with a checklist
per place kind, like the household update rounds.

An inspection round is an `UpdateRound` of kind `places`: opening one puts every open place
of the area on its grid cell's grid worker's list (`PlaceInspection`). The grid worker answers
each question of the place kind's checklist (`InspectionQuestion`, configured by the city
administrator) as OK, a problem (with a note and an optional photo) or not applicable
(`InspectionAnswer`), and completes the inspection. Each answer keeps the question's words as
they were asked, so an edit of the checklist later does not rewrite past inspections.

Imported by `register.models`, so Django registers these tables with the register app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.core.models import PrefixIndex, ScopedQuerySet, User
from gridgov.register.models import Place, PlaceKind, UpdateRound


class InspectionQuestion(models.Model):
    """One question of a place kind's inspection checklist. Its words are data in the
    deployment's language (like event category names); the administrator edits them, orders
    them and switches them off, never deletes one that was answered."""

    place_kind = models.CharField(_("kind of place"), max_length=20, choices=PlaceKind.choices)
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("question"), max_length=200)
    event_category = models.CharField(
        _("event category for a problem"), max_length=60, blank=True,
        help_text=_("The category an event report of a problem found here starts with, e.g. fire.lane."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("inspection question")
        verbose_name_plural = _("inspection questions")
        ordering = ["place_kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place_kind", "code"], name="register_question_code_per_kind"),
        ]

    def __str__(self) -> str:
        return self.text


class PlaceInspection(models.Model):
    """One place on a grid worker's list in an inspection round."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("inspection status", "To inspect")
        STARTED = "started", pgettext_lazy("inspection status", "Started")
        DONE = "done", pgettext_lazy("inspection status", "Inspected")
        NOT_POSSIBLE = "not_possible", pgettext_lazy("inspection status", "Could not inspect")

    round = models.ForeignKey(UpdateRound, on_delete=models.CASCADE, related_name="inspections")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="inspections")
    assignee = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="place_inspections"
    )
    org_code = models.CharField(max_length=15)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    problems = models.PositiveSmallIntegerField(default=0)  # answers marked as a problem
    checked_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("place inspection")
        verbose_name_plural = _("place inspections")
        ordering = ["round_id", "org_code", "place_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="register_inspection_once_per_round"),
        ]
        indexes = [
            PrefixIndex(fields=["org_code"], name="register_inspection_org_prefix"),
            models.Index(fields=["assignee", "status"], name="register_inspection_assignee"),
        ]


class AnswerResult(models.TextChoices):
    OK = "ok", pgettext_lazy("inspection answer", "OK")
    PROBLEM = "problem", pgettext_lazy("inspection answer", "Problem")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("inspection answer", "Not applicable")


class InspectionAnswer(models.Model):
    """The answer to one question at one place in a round."""

    inspection = models.ForeignKey(PlaceInspection, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(InspectionQuestion, on_delete=models.PROTECT, related_name="+")
    question_text = models.CharField(max_length=200)  # the words as they were asked
    result = models.CharField(max_length=16, choices=AnswerResult.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.ImageField(upload_to="register/inspections/%Y/%m/", blank=True)
    answered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        ordering = ["inspection_id", "question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "question"], name="register_answer_once_per_question"),
            models.CheckConstraint(
                condition=~Q(result="problem") | ~Q(note=""), name="register_problem_answer_has_note",
            ),
        ]
