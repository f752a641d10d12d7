"""The life of an agreement after the case settled: it takes effect when signed and sealed
(the signed pages uploaded), the parties may have it confirmed by a court within 30 days,
and the committee follows up its performance (回访); a breach is mediated again or referred.
Also the pages attached to a case's file (evidence, proof of performance, a court's decision).

Each step goes through `workflow.TRANSITIONS` (`cases._may`, `cases._step`) and is audited
with its codes, never with what was said or written.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.audit import audit_record
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.images import CleanImage, store_on_commit
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.clock import one_month_after
from gridgov.mediation.models import (
    AgreementForm,
    Attachment,
    AttachmentKind,
    Case,
    Confirmation,
    FollowUp,
    Performance,
)
from gridgov.mediation.services.cases import _check_works, _may, _step, schedule_follow_up
from gridgov.mediation.services.common import clean_text, invalid
from gridgov.mediation.workflow import CONCLUDED_STATUSES, CaseAction, CaseStatus

CONFIRMATION_WINDOW_DAYS = 30  # 司法确认: applied for jointly within 30 days of the agreement's effect
MAX_PAGES = 12  # pages of one upload


def confirmation_window_closes(case: Case) -> datetime.date | None:
    """The last day the parties may apply for judicial confirmation."""
    if case.agreement_effective_on is None or case.agreement_form != AgreementForm.WRITTEN:
        return None
    return case.agreement_effective_on + datetime.timedelta(days=CONFIRMATION_WINDOW_DAYS)


def _past_or_today(day: datetime.date | None, *, field: str, not_before: datetime.date | None = None,
                   before_message: str = "") -> datetime.date:
    if day is None:
        raise invalid(field, _("Give the date."))
    if day > timezone.localdate():
        raise invalid(field, _("The date cannot be in the future."))
    if not_before is not None and day < not_before:
        raise invalid(field, before_message)
    return day


def _attach(*, actor, case: Case, kind: str, images: list[CleanImage]) -> list[Attachment]:
    """Rows now, files when the transaction commits (core.images.store_on_commit)."""
    attachments = []
    for image in images:
        attachment = Attachment(case=case, kind=kind, uploaded_by=actor)
        store_on_commit(attachment, "image", f"{case.code}{image.extension}", image.content)
        attachment.save()
        attachments.append(attachment)
    return attachments


def invalid_pages():
    return invalid("pages", _("At most %(n)d pages at once.") % {"n": MAX_PAGES})


def _check_pages(images: list[CleanImage], *, required: bool) -> None:
    if required and not images:
        raise invalid("pages", _("Upload the signed pages: a photo or scan of each."))
    if len(images) > MAX_PAGES:
        raise invalid_pages()


def agreement_sign(*, actor, case: Case, signed_on: datetime.date | None, pages: list[CleanImage]) -> Case:
    """The written agreement signed by the parties and the mediator and sealed by the
    committee (art. 29): it takes effect on `signed_on`; the signed pages are kept; the 30-day
    window of judicial confirmation opens and the follow-up visit is scheduled."""
    _may(actor, case, CaseAction.SIGN)
    if case.agreement_form != AgreementForm.WRITTEN:
        raise DomainError(_("An oral agreement took effect when it was reached: there is nothing to sign."),
                          ErrorCode.ILLEGAL_TRANSITION)
    if case.agreement_effective_on is not None:
        raise DomainError(_("The signed agreement was recorded already."), ErrorCode.CONFLICT)
    signed_on = _past_or_today(signed_on, field="signed_on", not_before=case.concluded_on,
                               before_message=_("The agreement is signed on or after the day it was reached."))
    _check_pages(pages, required=True)
    with transaction.atomic():
        case = _step(actor=actor, case=case, action=CaseAction.SIGN, agreement_effective_on=signed_on,
                     guard={"agreement_effective_on__isnull": True},
                     changes={"signed_on": str(signed_on), "pages": len(pages)})
        _attach(actor=actor, case=case, kind=AttachmentKind.SIGNED_AGREEMENT, images=pages)
        schedule_follow_up(case, from_day=signed_on)
    return case


def confirmation_apply(*, actor, case: Case, court: str, applied_on: datetime.date | None) -> Case:
    """The parties applied jointly to a court for judicial confirmation, within 30 days of the
    agreement's effect (a later application is not accepted by the court: refused here too)."""
    _may(actor, case, CaseAction.APPLY_CONFIRMATION)
    closes = confirmation_window_closes(case)
    if closes is None:
        raise DomainError(_("Only a written agreement in effect is confirmed by a court."),
                          ErrorCode.ILLEGAL_TRANSITION)
    if case.confirmation:
        raise DomainError(_("The application for judicial confirmation was recorded already."), ErrorCode.CONFLICT)
    applied_on = _past_or_today(applied_on, field="applied_on", not_before=case.agreement_effective_on,
                                before_message=_("The application comes after the agreement took effect."))
    if applied_on > closes:
        raise invalid("applied_on", _("The 30 days for judicial confirmation ended on %(day)s.")
                      % {"day": closes.isoformat()})
    court = clean_text(court, field="court", limit=100)
    return _step(actor=actor, case=case, action=CaseAction.APPLY_CONFIRMATION, confirmation=Confirmation.APPLIED,
                 confirmation_court=court, confirmation_applied_on=applied_on, guard={"confirmation": ""},
                 changes={"applied_on": str(applied_on)})


def confirmation_decide(*, actor, case: Case, confirmed: bool, decided_on: datetime.date | None,
                        pages: list[CleanImage] = ()) -> Case:
    """The court's decision: confirmed (the agreement can be enforced by the court) or not
    (the parties may mediate again, change the agreement, or sue)."""
    _may(actor, case, CaseAction.DECIDE_CONFIRMATION)
    if case.confirmation != Confirmation.APPLIED:
        raise DomainError(_("No application for judicial confirmation is waiting for the court."),
                          ErrorCode.ILLEGAL_TRANSITION)
    decided_on = _past_or_today(decided_on, field="decided_on", not_before=case.confirmation_applied_on,
                                before_message=_("The court decides after the application."))
    _check_pages(list(pages), required=False)
    decision = Confirmation.CONFIRMED if confirmed else Confirmation.NOT_CONFIRMED
    with transaction.atomic():
        case = _step(actor=actor, case=case, action=CaseAction.DECIDE_CONFIRMATION, confirmation=decision,
                     confirmation_decided_on=decided_on, guard={"confirmation": Confirmation.APPLIED},
                     changes={"decision": decision})
        _attach(actor=actor, case=case, kind=AttachmentKind.COURT_DECISION, images=list(pages))
    return case


def follow_up_record(*, actor, case: Case, follow_up: FollowUp, done_on: datetime.date | None, finding: str,
                     note: str = "", next_due: datetime.date | None = None) -> FollowUp:
    """A follow-up visit on the agreement's performance: performed, being performed (the next
    visit is scheduled), breached (the page offers mediation again or a referral), or the
    parties not reached (the next visit is scheduled)."""
    _may(actor, case, CaseAction.FOLLOW_UP)
    if follow_up.case_id != case.pk:
        raise invalid("follow_up", _("No such follow-up visit of this case."))
    if finding not in Performance.values:
        raise invalid("finding", _("Say what the visit found."))
    done_on = _past_or_today(done_on, field="done_on", not_before=case.agreement_effective_on,
                             before_message=_("The visit comes after the agreement took effect."))
    note = clean_text(note, field="note", required=False, limit=1000)
    again = finding in (Performance.IN_PROGRESS, Performance.UNREACHABLE)
    if again and (next_due is None or next_due <= done_on or next_due > done_on + datetime.timedelta(days=366)):
        raise invalid("next_due", _("Choose the day of the next visit, after this one and within a year."))
    with transaction.atomic():
        visited = FollowUp.objects.filter(pk=follow_up.pk, done_on__isnull=True).update(
            done_on=done_on, finding=finding, note=note, done_by=actor)
        if not visited:
            raise DomainError(_("This visit was recorded already."), ErrorCode.CONFLICT)
        case = _step(actor=actor, case=case, action=CaseAction.FOLLOW_UP, performance=finding,
                     changes={"finding": finding, "follow_up": follow_up.pk})
        if again:
            FollowUp.objects.create(case=case, due_on=next_due)
    follow_up.refresh_from_db()
    return follow_up


def case_reopen(*, actor, case: Case, reason: str) -> Case:
    """An agreement found breached, and not confirmed by a court (a confirmed one is enforced
    by the court: refer the parties there), is mediated again with a new month."""
    _may(actor, case, CaseAction.REOPEN)
    if case.performance != Performance.BREACHED:
        raise DomainError(_("A settled case is mediated again only when a follow-up visit found its agreement "
                            "breached."), ErrorCode.ILLEGAL_TRANSITION)
    if case.confirmation in (Confirmation.APPLIED, Confirmation.CONFIRMED):
        raise DomainError(_("The agreement is before a court or confirmed by it: the parties apply to the court "
                            "for enforcement (refer the case)."), ErrorCode.ILLEGAL_TRANSITION)
    reason = clean_text(reason, field="reason", limit=500)
    today = timezone.localdate()
    with transaction.atomic():
        FollowUp.objects.filter(case=case, done_on__isnull=True).delete()  # no more visits of the broken agreement
        case = _step(actor=actor, case=case, action=CaseAction.REOPEN,
                     deadline=one_month_after(today), extended_at=None, concluded_on=None, agreement_form="",
                     agreement_effective_on=None, performance_due=None, confirmation="", confirmation_court="",
                     confirmation_applied_on=None, confirmation_decided_on=None, performance="",
                     outcome_note=reason, reopened_count=case.reopened_count + 1, guard={"performance": "breached"},
                     changes={"reopened": case.reopened_count + 1})
    return case


def attachment_add(*, actor, case: Case, kind: str, pages: list[CleanImage]) -> list[Attachment]:
    """Pages of the case's file: evidence while it is open, proof of performance of a settled
    case's agreement."""
    _check_works(actor, case.committee)
    if kind == AttachmentKind.EVIDENCE:
        allowed = case.status not in CONCLUDED_STATUSES
    elif kind == AttachmentKind.PERFORMANCE:
        allowed = case.status == CaseStatus.SETTLED
    else:  # the signed agreement and the court's decision come with their own steps
        raise invalid("kind", _("Choose what the pages are."))
    if not allowed:
        raise DomainError(_("This case is %(status)s: these pages cannot be added now.")
                          % {"status": case.get_status_display()}, ErrorCode.ILLEGAL_TRANSITION)
    _check_pages(pages, required=True)
    with transaction.atomic():
        attachments = _attach(actor=actor, case=case, kind=kind, images=pages)
        audit_record(actor=actor, action=MediationAction.ATTACHMENT_ADD, obj=case, object_repr=case.code,
                     org_code=case.org_code, changes={"kind": kind, "pages": len(pages)})
    return attachments


AGREEMENT, CASE_FILE = "agreement", "case_file"


def document_pdf(*, actor, case: Case, kind: str) -> bytes:
    """The agreement (调解协议书) or the case file (卷宗) as a PDF, for who works the case;
    each print is audited once per person of the register it names, so that their access log
    shows it. The documents are the Chinese legal forms, in Chinese whatever the user's language."""
    from django.utils import translation

    from gridgov.core.pdf import DOCUMENT_LANGUAGE
    from gridgov.mediation import documents

    _check_works(actor, case.committee)
    if kind not in (AGREEMENT, CASE_FILE):
        raise invalid("kind", _("No such document."))
    if kind == AGREEMENT:
        documents.check_agreement_printable(case)  # refused in the user's language, not the document's
    with translation.override(DOCUMENT_LANGUAGE):
        content = documents.agreement_pdf(case) if kind == AGREEMENT else documents.case_file_pdf(case)
    people = sorted({p.person_id for p in case.parties.all() if p.person_id}) or [None]
    with transaction.atomic():
        for person_id in people:
            audit_record(actor=actor, action=MediationAction.DOCUMENT_DOWNLOAD, obj=case, object_repr=case.code,
                         org_code=case.org_code, person_id=person_id, changes={"document": kind})
    return content
