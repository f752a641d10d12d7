"""Pages of the correction requests (PIPL art. 46): request one from a person's page, the
queue of requests (earliest due, so overdue, first; keyset pages), one request with its
trail and the decision form. Thin: parse, call core/corrections.py, render."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import corrections, selectors
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import PAGE_SIZE, REFUSALS, add_domain_error
from gridgov.core.models import CorrectionEvidence, CorrectionRequest, CorrectionTarget
from gridgov.core.pagination import keyset_page
from gridgov.core.views import domain_errors_as_http

_AFTER = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,18})$")


def _field_name(target: str, field: str) -> str:
    return f"{target}__{field}"


class CorrectionRequestForm(forms.Form):
    """One field per correctable value of the person's records; leave blank what stays."""

    evidence = forms.ChoiceField(label=gettext_lazy("Evidence shown"), choices=CorrectionEvidence.choices)
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the person asked and what they showed."),
    )

    def __init__(self, *args, targets: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        adapters = corrections.correction_targets()
        for target, _target_id in targets.items():
            adapter = adapters[target]
            for field in adapter.form_fields:
                label = f"{CorrectionTarget(target).label} · {corrections.FIELD_LABELS.get(field, field)}"
                choices = (adapter.choices or {}).get(field)
                if choices:
                    self.fields[_field_name(target, field)] = forms.ChoiceField(
                        label=label, required=False, choices=[("", "—"), *choices])
                else:
                    self.fields[_field_name(target, field)] = forms.CharField(
                        label=label, required=False, max_length=corrections.MAX_VALUE_LENGTH)
        self.order_fields([k for k in self.fields if "__" in k] + ["evidence", "reason"])
        if "person__resident_id" in self.fields:
            self.fields["person__resident_id"].help_text = _("The birth date and gender follow the corrected number.")

    def requested(self) -> tuple[str, int, dict]:
        """The one target whose fields were filled, its id and the requested values."""
        filled: dict[str, dict] = {}
        for key, value in self.cleaned_data.items():
            if "__" in key and (value or "").strip():
                target, field = key.split("__", 1)
                filled.setdefault(target, {})[field] = value.strip()
        if len(filled) != 1:
            message = (_("Fill in the corrected values of one record at a time.") if filled
                       else _("Fill in at least one corrected value."))
            raise DomainError(message, ErrorCode.INVALID)
        target, values = next(iter(filled.items()))
        return target, self.targets[target], values


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve and apply")),
                                          ("refuse", gettext_lazy("Refuse"))], widget=forms.RadioSelect,
                                 label=gettext_lazy("Decision"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class QueueForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", gettext_lazy("Waiting for my decision")),
                                                        *CorrectionRequest.Status.choices])
    after = forms.RegexField(regex=_AFTER, required=False)


def _require_editor(user) -> None:
    if not corrections.may_work_corrections(user):
        raise PermissionDenied(_("You do not have permission to do this."))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def correction_new(request, person_id: int):
    user = request.user
    person = selectors.access_person(user, person_id)
    if not corrections.may_request(user, person):
        raise PermissionDenied(_("Your role may not record correction requests for this person."))
    targets = {}
    for target, adapter in corrections.correction_targets().items():
        target_id = adapter.default_target(person)
        if target_id is not None:
            targets[target] = target_id
    form = CorrectionRequestForm(request.POST or None, targets=targets)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = CorrectionTarget.PERSON
            try:
                target, target_id, values = form.requested()
                correction = corrections.correction_request_create(
                    actor=user, person=person, target=target, target_id=target_id, values=values,
                    evidence=form.cleaned_data["evidence"], reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
                    raise
                add_domain_error(form, _prefixed(error, target))
                status = error.http_status
            else:
                messages.success(request, _("The correction request was recorded. It is due for an answer by %(date)s.")
                                 % {"date": correction.due_on.isoformat()})
                return redirect("correction-detail", pk=correction.pk)
    context = {"form": form, "person": selectors.person_view(user, person)}
    return render(request, "core/correction_new.html", context, status=status)


def _prefixed(error: DomainError, target: str) -> DomainError:
    """Field errors of the service named as the form's fields (`address` → `person__address`)."""
    fields = {(_field_name(target, k) if k not in {"evidence", "reason"} and "__" not in k else k): v
              for k, v in error.fields.items()}
    return DomainError(error.message, error.code, fields)


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def correction_queue(request):
    user = request.user
    _require_editor(user)
    form = QueueForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    rows, next_url, status = [], None, ""
    if valid:
        data = form.cleaned_data if form.is_bound else {}
        status = data.get("status") or ""
        qs = corrections.corrections_visible_to(user, status=status) if status else corrections.corrections_to_decide(user)
        match = _AFTER.match(data.get("after") or "")
        after = (datetime.date.fromisoformat(match.group(1)), int(match.group(2))) if match else None
        found = keyset_page(qs, after=after, order=("due_on", "pk"), size=PAGE_SIZE)
        page = found.rows
        next_url = found.next_url({"status": status}, cursor=lambda r: f"{r.due_on.isoformat()}.{r.pk}")
        rows = [{"request": r, "person": corrections.person_label(user, r.person),
                 "fields": [str(corrections.FIELD_LABELS.get(f, f)) for f in r.fields],
                 "overdue": corrections.is_overdue(r)} for r in page]
    context = {"form": form, "rows": rows, "next_url": next_url, "status": status}
    return render(request, "core/correction_queue.html", context, status=200 if valid else 400)


def _detail_context(user, correction: CorrectionRequest, decision_form=None) -> dict:
    rows, full = corrections.correction_rows(user, correction)
    if full:
        corrections.correction_values_shown(actor=user, request=correction)
    can_decide = correction.status == CorrectionRequest.Status.PENDING and corrections.may_decide(user, correction)
    return {
        "correction": correction, "rows": rows, "full": full,
        "person": corrections.person_label(user, correction.person),
        "overdue": corrections.is_overdue(correction), "can_decide": can_decide,
        "decision_form": decision_form or (DecisionForm() if can_decide else None),
    }


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def correction_detail(request, pk: int):
    _require_editor(request.user)
    correction = corrections.access_correction(request.user, pk)
    return render(request, "core/correction_detail.html", _detail_context(request.user, correction))


@never_cache
@login_required
@require_POST
@domain_errors_as_http
def correction_decide(request, pk: int):
    user = request.user
    _require_editor(user)
    correction = corrections.access_correction(user, pk)
    form = DecisionForm(request.POST)
    status = 400
    if form.is_valid():
        decide = (corrections.correction_approve if form.cleaned_data["decision"] == "approve"
                  else corrections.correction_refuse)
        try:
            correction = decide(actor=user, request=correction, reason=form.cleaned_data["reason"])
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            messages.success(request, _("The decision was recorded and the requester notified."))
            return redirect("correction-detail", pk=correction.pk)
    correction = corrections.access_correction(user, pk)
    return render(request, "core/correction_detail.html", _detail_context(user, correction, form), status=status)
