"""Writes of public consultations: a department's proposal (a draft until published) with its
documents, residents' comments during the period (on the web, or entered from a village
meeting), the themes the office groups them into with its answers, and the decision.

A document is a PDF, checked by its content (it must start as a PDF and stay under the size
limit), stored under a random name and served as an attachment. Comments are taken only while
the consultation is open; themes may be answered as they form, and the decision is published only
after it closes.
Each write is audited in its transaction.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.actors import SystemActor
from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability, in_scope, require
from gridgov.core.service_input import clean_text, invalid
from gridgov.participation.audit_actions import ConsultationAction
from gridgov.participation.models import (
    CommentSource,
    Consultation,
    ConsultationComment,
    ConsultationDocument,
    Theme,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
COMMENT_LIMIT = 2000
MAX_PERIOD_DAYS = 180


def _runs(actor, consultation: Consultation) -> None:
    require(actor, Capability.RUN_CONSULTATIONS)
    if not in_scope(actor, consultation.org_code) or consultation.owner_id != actor.department_id:
        raise NotFound(_("No such consultation of your department."))


def is_open(consultation: Consultation, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return consultation.published_at is not None and consultation.opens_on <= today <= consultation.closes_on


def _closed(consultation: Consultation) -> None:
    if consultation.published_at is None or timezone.localdate() <= consultation.closes_on:
        raise DomainError(_("The comment period has not ended yet."), ErrorCode.ILLEGAL_TRANSITION)


def consultation_create(*, actor, title: str, summary: str, org_code: str, opens_on: datetime.date,
                        closes_on: datetime.date) -> Consultation:
    from gridgov.core.models import OrgUnit

    require(actor, Capability.RUN_CONSULTATIONS)
    if actor.department_id is None:
        raise invalid("title", _("Only a department's staff start its consultations."))
    if not in_scope(actor, org_code) or not OrgUnit.objects.filter(code=org_code).exists():
        raise NotFound(_("No such area in your scope."))
    if not isinstance(opens_on, datetime.date) or not isinstance(closes_on, datetime.date) or closes_on < opens_on:
        raise invalid("closes_on", _("The period ends after it begins."))
    if (closes_on - opens_on).days > MAX_PERIOD_DAYS:
        raise invalid("closes_on", _("A comment period of at most %(n)d days.") % {"n": MAX_PERIOD_DAYS})
    with transaction.atomic():
        consultation = Consultation.objects.create(
            title=clean_text(title, field="title", limit=120), summary=clean_text(summary, field="summary", limit=20_000),
            org_code=org_code, owner=actor.department, opens_on=opens_on, closes_on=closes_on, created_by=actor)
        audit_record(actor=actor, action=ConsultationAction.CREATE, obj=consultation, object_repr=consultation.title,
                     org_code=org_code)
    return consultation


def document_add(*, actor, consultation: Consultation, title: str, upload) -> ConsultationDocument:
    """A PDF of the proposal (the full text, a risk assessment, a map)."""
    _runs(actor, consultation)
    title = clean_text(title, field="title", limit=120)
    if upload is None or upload.size > MAX_DOCUMENT_BYTES:
        raise invalid("file", _("A PDF of at most 20 MB."))
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise invalid("file", _("Only PDF documents are published."))
    content = upload.read()
    with transaction.atomic():
        document = ConsultationDocument(consultation=consultation, title=title, uploaded_by=actor)
        document.file.save(f"{secrets.token_hex(12)}.pdf", ContentFile(content), save=False)
        document.save()
        audit_record(actor=actor, action=ConsultationAction.DOCUMENT, obj=consultation,
                     object_repr=consultation.title, org_code=consultation.org_code, changes={"document": title})
    return document


def publish(*, actor, consultation: Consultation) -> Consultation:
    _runs(actor, consultation)
    if consultation.closes_on < timezone.localdate():
        raise invalid("closes_on", _("The period has passed already: change it first."))
    with transaction.atomic():
        if not Consultation.objects.filter(pk=consultation.pk, published_at__isnull=True).update(
                published_at=timezone.now()):
            raise DomainError(_("This consultation is published already."), ErrorCode.ILLEGAL_TRANSITION)
        consultation.refresh_from_db()
        audit_record(actor=actor, action=ConsultationAction.PUBLISH, obj=consultation, object_repr=consultation.title,
                     org_code=consultation.org_code)
    return consultation


def comment(*, consultation: Consultation, text: str, actor=None, meeting=None) -> ConsultationComment:
    """A comment during the period: a resident's on the web (no account, no name), or one
    raised at a village meeting of the area, entered by who recorded the meeting."""
    if not is_open(consultation):
        raise DomainError(_("Comments are taken only during the comment period."), ErrorCode.ILLEGAL_TRANSITION)
    text = clean_text(text, field="text", limit=COMMENT_LIMIT)
    if meeting is not None:
        require(actor, Capability.RECORD_MEETINGS)
        if not (meeting.org_code.startswith(consultation.org_code) or consultation.org_code.startswith(
                meeting.org_code)):
            raise invalid("meeting", _("Choose a village meeting of the consultation's area."))
    with transaction.atomic():
        row = ConsultationComment.objects.create(consultation=consultation, text=text, meeting=meeting,
                                                 source=CommentSource.MEETING if meeting else CommentSource.WEB)
        audit_record(actor=actor or SystemActor("consultation_form"), action=ConsultationAction.COMMENT,
                     obj=consultation, object_repr=consultation.title, org_code=consultation.org_code,
                     changes={"source": row.source})
    return row


def theme_create(*, actor, consultation: Consultation, title: str, comment_ids=()) -> Theme:
    """A theme, with the comments that say it."""
    _runs(actor, consultation)
    with transaction.atomic():
        theme = Theme.objects.create(consultation=consultation, title=clean_text(title, field="title", limit=120))
        moved = ConsultationComment.objects.filter(consultation=consultation, pk__in=list(comment_ids)).update(
            theme=theme)
        audit_record(actor=actor, action=ConsultationAction.THEME, obj=consultation, object_repr=consultation.title,
                     org_code=consultation.org_code, changes={"theme": theme.title, "comments": moved})
    return theme


def group(*, actor, consultation: Consultation, theme: Theme, comment_ids) -> int:
    _runs(actor, consultation)
    if theme.consultation_id != consultation.pk:
        raise NotFound(_("No such theme of this consultation."))
    with transaction.atomic():
        moved = ConsultationComment.objects.filter(consultation=consultation, pk__in=list(comment_ids)).update(
            theme=theme)
        audit_record(actor=actor, action=ConsultationAction.THEME, obj=consultation, object_repr=consultation.title,
                     org_code=consultation.org_code, changes={"theme": theme.title, "comments": moved})
    return moved


def theme_answer(*, actor, theme: Theme, answer: str) -> Theme:
    consultation = theme.consultation
    _runs(actor, consultation)
    answer = clean_text(answer, field="answer", limit=5000)
    with transaction.atomic():
        Theme.objects.filter(pk=theme.pk).update(answer=answer, answered_at=timezone.now())
        theme.refresh_from_db()
        audit_record(actor=actor, action=ConsultationAction.ANSWER, obj=consultation, object_repr=consultation.title,
                     org_code=consultation.org_code, changes={"theme": theme.title})
    return theme


def decide(*, actor, consultation: Consultation, decision: str, reasons: str) -> Consultation:
    """The decision and its reasons, published once the comment period has ended."""
    _runs(actor, consultation)
    _closed(consultation)
    decision = clean_text(decision, field="decision", limit=5000)
    reasons = clean_text(reasons, field="reasons", limit=10_000)
    with transaction.atomic():
        if not Consultation.objects.filter(pk=consultation.pk, decided_at__isnull=True).update(
                decision=decision, reasons=reasons, decided_at=timezone.now()):
            raise DomainError(_("The decision is published already."), ErrorCode.ILLEGAL_TRANSITION)
        consultation.refresh_from_db()
        audit_record(actor=actor, action=ConsultationAction.DECIDE, obj=consultation, object_repr=consultation.title,
                     org_code=consultation.org_code)
    return consultation
