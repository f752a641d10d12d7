"""The two documents of a mediation case as PDF: the written agreement (人民调解协议书,
People's Mediation Law art. 29), one copy for each party and one for the committee's file,
and the case file (卷宗) in the order of the Ministry of Justice's file.

Both are Django templates (`templates/mediation/pdf/`) printed by `core.pdf` in the active
language: callers render them with `DOCUMENT_LANGUAGE` active, since the documents go to the
parties and to a court. The file's images are embedded as data: URIs; the printer fetches
nothing else. Resident ID numbers and phones are masked (`core.masking`) in both documents.

The case is one the caller has read through `selectors.access_case`; these functions check
nothing about the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.masking import mask_phone, mask_resident_id
from gridgov.core.pdf import data_uri, render_pdf
from gridgov.mediation.models import AgreementForm, AttachmentKind, Case, PartyRole, SessionKind
from gridgov.mediation.workflow import CaseStatus


@dataclass(frozen=True)
class PartyLine:
    role: str
    name: str
    resident_id: str  # masked
    phone: str  # masked


@dataclass(frozen=True)
class Image:
    number: int
    uploaded_at: object
    data_uri: str  # "" when the file is missing from storage


def _parties(case: Case) -> list[PartyLine]:
    """The applicants, then the respondents, in the order they were named; a register
    person's ID number and phone are the register's."""
    parties = sorted(case.parties.select_related("person").defer("person__address"), key=lambda p: (p.role != PartyRole.APPLICANT, p.pk))
    lines = []
    for party in parties:
        holder = party.person if party.person_id else party
        lines.append(PartyLine(role=party.get_role_display(), name=party.display_name,
                               resident_id=mask_resident_id(holder.resident_id), phone=mask_phone(holder.phone)))
    return lines


def _images(attachments, kind: str) -> list[Image]:
    chosen = [a for a in attachments if a.kind == kind]
    return [Image(number=i, uploaded_at=a.uploaded_at, data_uri=data_uri(a.image, what=f"mediation attachment {a.pk}")) for i, a in enumerate(chosen, 1)]


# --- The agreement ------------------------------------------------------------------------------


def can_print_agreement(case: Case) -> bool:
    """Whether `agreement_pdf` prints this case's agreement (for the page's button)."""
    return case.status == CaseStatus.SETTLED and case.agreement_form != AgreementForm.ORAL


def check_agreement_printable(case: Case) -> None:
    """A written agreement is printed for a settled case only; an oral one is recorded in the
    file (art. 28), not printed for signing."""
    if case.status != CaseStatus.SETTLED:
        raise DomainError(_("Only a case settled by agreement has a written agreement to print."),
                          ErrorCode.ILLEGAL_TRANSITION)
    if case.agreement_form == AgreementForm.ORAL:
        raise DomainError(_("The parties agreed orally: the agreement is recorded in the case file, not printed "
                            "for signing."), ErrorCode.ILLEGAL_TRANSITION)


def agreement_pdf(case: Case) -> bytes:
    """The written agreement: one copy for each party and one for the committee's file, each
    on new pages headed by whose copy it is."""
    check_agreement_printable(case)
    parties = _parties(case)
    copies = [_("%(role)s %(name)s's copy") % {"role": p.role, "name": p.name} for p in parties]
    copies.append(_("The committee's file copy"))
    if len(parties) == 2:
        count = _("This agreement is made in %(count)d copies: each of the two parties holds one, and the "
                  "committee keeps one.") % {"count": len(copies)}
    else:
        count = _("This agreement is made in %(count)d copies: each party holds one, and the committee keeps "
                  "one.") % {"count": len(copies)}
    return render_pdf("mediation/pdf/agreement.html", {
        "case": case, "committee": case.committee, "mediator": case.mediator, "parties": parties,
        "copies": copies, "count_sentence": count,
    })


# --- The case file ------------------------------------------------------------------------------


def case_file_pdf(case: Case) -> bytes:
    """The case file: cover, contents, then the ten documents in the Ministry's order, each
    present (saying "none" when it holds nothing)."""
    sessions = list(case.sessions.order_by("held_on", "id"))
    attachments = list(case.attachments.order_by("id"))
    settled = case.status == CaseStatus.SETTLED
    sections = [
        ("request", _("Request and registration")),
        ("notice", _("Notice of the parties' rights and duties")),
        ("identity", _("Identity of the parties")),
        ("investigation", _("Investigation records")),
        ("evidence", _("Evidence submitted")),
        ("sessions", _("Records of the mediation sessions")),
        ("outcome", _("Mediation agreement") if settled else _("Outcome of the mediation")),
        ("performance", _("Proof of the agreement's performance")),
        ("follow_ups", _("Follow-up visits")),
        ("confirmation", _("Judicial confirmation papers")),
    ]
    return render_pdf("mediation/pdf/case_file.html", {
        "case": case, "committee": case.committee, "mediator": case.mediator, "parties": _parties(case),
        "sections": sections, "titles": dict(sections), "settled": settled,
        "oral": case.agreement_form == AgreementForm.ORAL,
        "investigations": [s for s in sessions if s.kind == SessionKind.INVESTIGATION],
        "mediation_sessions": [s for s in sessions if s.kind == SessionKind.MEDIATION],
        "evidence": _images(attachments, AttachmentKind.EVIDENCE),
        "signed": _images(attachments, AttachmentKind.SIGNED_AGREEMENT),
        "performance": _images(attachments, AttachmentKind.PERFORMANCE),
        "court_decisions": _images(attachments, AttachmentKind.COURT_DECISION),
        "follow_ups": list(case.follow_ups.order_by("due_on", "id")),
    })
