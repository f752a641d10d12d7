"""The pages of the grid's dispute screening and the area's directory of mediation: a grid
worker's cells for a month and the form to record a cell's screening (phone first); the
area's coverage for mediators and justice officers; the one-stop dispute centres with the
week's duty roster; the legal advisers of the area's villages."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core.dates import shift_month
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import REFUSALS, add_domain_error
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.pagination import PAGE_SIZE, keyset_page, query_string
from gridgov.core.permissions import Capability, has_capability, require_page
from gridgov.core.views import domain_errors_as_http
from gridgov.mediation.models import AdviserKind, CaseType, DayPart, FindingRoute
from gridgov.mediation.selectors import cases as case_selectors
from gridgov.mediation.selectors import directory as selectors
from gridgov.mediation.selectors import screening as screening_selectors
from gridgov.mediation.services import directory as services
from gridgov.mediation.services import screening as screening_services

# The roster and the screening pages show these years (a week or month outside: this one, a 400).
FIRST_YEAR, LAST_YEAR = 1990, 2100

# --- Months -------------------------------------------------------------------------------------


def _month_param(value: str | None) -> tuple[datetime.date, bool]:
    """The first day of `YYYY-MM` (this month when absent), and whether the value was well formed
    and not in the future."""
    this_month = timezone.localdate().replace(day=1)
    if not value:
        return this_month, True
    try:
        month = datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return this_month, False
    if month.year < FIRST_YEAR:
        return this_month, False
    return (month, True) if month <= this_month else (this_month, False)


def _month_context(month: datetime.date) -> dict:
    later = shift_month(month, 1)
    return {"month": month, "month_value": month.strftime("%Y-%m"),
            "previous_month": shift_month(month, -1).strftime("%Y-%m"),
            "next_month": later.strftime("%Y-%m") if later <= timezone.localdate() else ""}


# --- Screening ----------------------------------------------------------------------------------


def _blank(choices) -> list:
    return [("", "—"), *choices]


class FindingForm(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Kind of dispute"), choices=_blank(CaseType.choices))
    summary = forms.CharField(label=gettext_lazy("What it is about"), max_length=screening_services.SUMMARY_LIMIT,
                              widget=forms.Textarea(attrs={"rows": 2}))
    party_count = forms.IntegerField(label=gettext_lazy("People involved"), min_value=1,
                                     max_value=screening_services.MAX_PARTY_COUNT, initial=2,
                                     widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    route = forms.ChoiceField(label=gettext_lazy("Where it went"), choices=_blank(FindingRoute.choices))
    event = forms.CharField(label=gettext_lazy("Event code"), required=False, max_length=40,
                            help_text=gettext_lazy("When you reported it as an event: the event's code."))

    def clean(self):
        data = super().clean()
        if data.get("route") == FindingRoute.EVENT and not data.get("event"):
            self.add_error("event", _("Give the code of the event you reported."))
        return data


FindingFormSet = forms.formset_factory(FindingForm, extra=3, max_num=screening_services.MAX_FINDINGS,
                                       absolute_max=screening_services.MAX_FINDINGS, validate_max=True)


def _finding_specs(formset) -> tuple[list, list[str]]:
    """The filled rows as FindingSpecs (events found by their code), and the rows' errors."""
    from gridgov.events.selectors import event_by_code

    specs, errors = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or not form.has_changed():
            continue
        event_id = None
        if data["route"] == FindingRoute.EVENT:
            event = event_by_code(data["event"])
            if event is None:
                errors.append(_("Name the event you reported in this grid cell."))
                continue
            event_id = event.pk
        specs.append(screening_services.FindingSpec(type=data["type"], summary=data["summary"],
                                                    party_count=data["party_count"], route=data["route"],
                                                    event_id=event_id))
    return specs, errors


def _finding_rows(findings) -> list[dict]:
    types, routes = dict(CaseType.choices), dict(FindingRoute.choices)
    return [{"finding": f, "type": types.get(f.type, f.type), "route": routes.get(f.route, f.route)} for f in findings]


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def screening_overview(request):
    """A grid worker's cells for the month, screened or not; the area's coverage and findings
    for mediators and justice officers."""
    user = request.user
    require_page(user, screening_selectors.SCREENING_ROLES)
    month, valid = _month_param(request.GET.get("month"))
    context = {**_month_context(month), "month_invalid": not valid}
    if has_capability(user, Capability.SCREEN_DISPUTES):
        context["cells"] = [{"org_code": row.org_code, "screening": row.screening,
                             "findings": _finding_rows(row.screening.findings.all()) if row.screening else []}
                            for row in screening_selectors.cells_for_month(user, month)]
    if screening_selectors.sees_area_coverage(user):
        coverage = screening_selectors.screening_coverage(user, month)
        context.update({
            "coverage": coverage,
            "coverage_cells": sum(r.cells for r in coverage),
            "coverage_screened": sum(r.screened for r in coverage),
            "counts": screening_selectors.finding_counts(user, month),
            "route_labels": [label for _value, label in FindingRoute.choices],
        })
    if screening_selectors.sees_area_summaries(user):
        after = request.GET.get("after", "")
        page = keyset_page(screening_selectors.area_findings(user, month),
                           after=int(after) if after.isdigit() else None, order=("-pk",), size=PAGE_SIZE)
        context["area_findings"] = _finding_rows(page.rows)
        context["findings_next_url"] = page.next_url({"month": context["month_value"]})
    # every place the page names, for one lookup of their name paths
    context["places"] = [row.org_code for row in context.get("coverage", ())] + [
        row["finding"].screening.org_code for row in context.get("area_findings", ())]
    return render(request, "mediation/screening.html", context, status=200 if valid else 400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def screening_cell(request, code: str):
    """A cell's screening of a month: recorded with its findings, or findings added to it."""
    user = request.user
    require_page(user, Capability.SCREEN_DISPUTES)
    org_code = screening_selectors.access_screening_cell(user, code)
    month, valid = _month_param(request.POST.get("month") if request.method == "POST" else request.GET.get("month"))
    screening = screening_selectors.cell_screening(org_code, month)
    formset = FindingFormSet(request.POST if request.method == "POST" else None, prefix="finding")
    errors: list[str] = [] if valid else [_("Choose a month that has begun.")]
    status = 200 if valid else 400
    if request.method == "POST" and valid:
        status = 400
        if formset.is_valid():
            specs, errors = _finding_specs(formset)
            if not errors:
                try:
                    if screening is None:
                        screening_services.screening_record(actor=user, org_code=org_code, month=month, findings=specs)
                        message = _("The screening is recorded.")
                    else:
                        screening_services.finding_add(actor=user, screening=screening, findings=specs)
                        message = _("The findings are added to the screening.")
                except DomainError as error:
                    if error.code in REFUSALS:
                        raise
                    errors, status = [error.message], error.http_status
                else:
                    messages.success(request, message)
                    return redirect(reverse("mediation-screening") + "?" + query_string({"month": month.strftime("%Y-%m")}))
        errors += [str(e) for e in formset.non_form_errors()]
    context = {**_month_context(month), "org_code": org_code, "screening": screening, "formset": formset,
               "findings": _finding_rows(screening.findings.all()) if screening else [], "errors": errors}
    return render(request, "mediation/screening_cell.html", context, status=status)


# --- Centres and their roster -------------------------------------------------------------------


class CentreForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    org_code = org_code_form_field(gettext_lazy("Area served"), required=True)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)


class ShiftForm(forms.Form):
    on_date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    part = forms.ChoiceField(label=gettext_lazy("Time"), choices=DayPart.choices, initial=DayPart.DAY)
    committee = forms.ModelChoiceField(label=gettext_lazy("Mediation committee"), queryset=None, required=False,
                                       empty_label=gettext_lazy("Choose…"))
    unit = forms.CharField(label=gettext_lazy("Or another unit"), max_length=100, required=False,
                           help_text=gettext_lazy("A court, the labour inspectorate, the police station…"))
    staff = forms.CharField(label=gettext_lazy("On duty"), max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = case_selectors.committees_for(user)


def _week_param(value: str | None) -> tuple[datetime.date, bool]:
    try:
        day = datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return selectors.week_of(timezone.localdate()), False
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return selectors.week_of(timezone.localdate()), False
    return selectors.week_of(day), True


def _roster(shifts, monday: datetime.date) -> list[dict]:
    """Monday to Sunday, each day's shifts by part of the day."""
    parts = list(DayPart.values)
    days = [{"date": monday + datetime.timedelta(days=i), "parts": [[] for _p in parts]} for i in range(7)]
    for shift in shifts:
        days[(shift.on_date - monday).days]["parts"][parts.index(shift.part)].append(shift)
    labels = [label for _value, label in DayPart.choices]
    for day in days:  # each cell with its part's name: on a phone the rows stack and say it
        day["labelled"] = list(zip(labels, day["parts"], strict=True))
    return days


def _keeper_creates(request, form, create):
    """A justice officer's form posted to `create` (a service): the row made and 200, or None
    and the status to show the form again with its errors."""
    require_page(request.user, Capability.SUPERVISE_MEDIATION)
    if not form.is_valid():
        return None, 400
    try:
        return create(actor=request.user, **form.cleaned_data), 200
    except DomainError as error:
        return None, add_domain_error(form, error)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def centre_list(request):
    user = request.user
    require_page(user, selectors.DIRECTORY_ROLES)
    may_create = has_capability(user, Capability.SUPERVISE_MEDIATION)
    form = CentreForm(request.POST if request.method == "POST" else None,
                      initial={"org_code": user.scope_code}) if may_create else None
    status = 200
    if request.method == "POST":
        centre, status = _keeper_creates(request, form, services.centre_create)
        if centre is not None:
            messages.success(request, _("The centre is added: now put its shifts on the roster."))
            return redirect("mediation-centre", pk=centre.pk)
    after = request.GET.get("after", "")
    page = keyset_page(selectors.centres_for(user), after=int(after) if after.isdigit() else None,
                       order=("org_code", "id"), size=PAGE_SIZE)
    return render(request, "mediation/centres.html",
                  {"centres": page.rows, "next_url": page.next_url(), "form": form}, status=status)


def _centre_page(request, centre, *, shift_form=None, status=200, errors=()):
    user = request.user
    monday, valid = _week_param(request.GET.get("week"))
    may_keep = selectors.keeps_directory(user, centre.org_code)
    context = {
        "centre": centre, "monday": monday, "sunday": monday + datetime.timedelta(days=6),
        "previous_week": (monday - datetime.timedelta(days=7)).isoformat(),
        "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
        "this_week": selectors.week_of(timezone.localdate()).isoformat(),
        "today": timezone.localdate(),
        "days": _roster(selectors.centre_week(centre, monday), monday),
        "part_labels": [label for _value, label in DayPart.choices],
        "may_keep": may_keep,
        "shift_form": (shift_form or ShiftForm(user=user, initial={"on_date": max(monday, timezone.localdate())}))
        if may_keep else None,
        "errors": list(errors),
    }
    return render(request, "mediation/centre.html", context, status=status if valid else 400)


@never_cache
@login_required
@require_GET
@domain_errors_as_http
def centre_detail(request, pk: int):
    """The centre's roster of one week (Monday to Sunday), read-only but to its justice officers."""
    require_page(request.user, selectors.DIRECTORY_ROLES)
    return _centre_page(request, selectors.access_centre(request.user, pk))


def _back_to_week(centre, day: datetime.date):
    return redirect(reverse("mediation-centre", args=[centre.pk]) + "?" + query_string(
        {"week": selectors.week_of(day).isoformat()}))


@login_required
@require_POST
@domain_errors_as_http
def centre_shift_add(request, pk: int):
    user = request.user
    require_page(user, Capability.SUPERVISE_MEDIATION)
    centre = selectors.access_centre(user, pk)
    form = ShiftForm(request.POST, user=user)
    status = 400
    if form.is_valid():
        try:
            shift = services.shift_add(actor=user, centre=centre, **form.cleaned_data)
        except DomainError as error:
            status = add_domain_error(form, error, raise_codes=REFUSALS)
        else:
            messages.success(request, _("The shift is on the roster."))
            return _back_to_week(centre, shift.on_date)
    return _centre_page(request, centre, shift_form=form, status=status)


@login_required
@require_POST
@domain_errors_as_http
def centre_shift_remove(request, pk: int, shift_id: int):
    user = request.user
    require_page(user, Capability.SUPERVISE_MEDIATION)
    centre = selectors.access_centre(user, pk)
    shift = selectors.access_shift(centre, shift_id)
    try:
        services.shift_remove(actor=user, shift=shift)
    except DomainError as error:
        if error.code in REFUSALS:
            raise
        return _centre_page(request, centre, status=error.http_status, errors=[error.message])
    messages.success(request, _("The shift is off the roster."))
    return _back_to_week(centre, shift.on_date)


# --- Legal advisers -----------------------------------------------------------------------------


class AdviserFilterForm(forms.Form):
    org = org_code_form_field(gettext_lazy("Area"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", gettext_lazy("All")), *AdviserKind.choices],
                             required=False)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class AdviserForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    firm = forms.CharField(label=gettext_lazy("Law firm or unit"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    specialities = forms.MultipleChoiceField(label=gettext_lazy("Kinds of dispute they know best"),
                                             choices=CaseType.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)


class AdviserAddForm(AdviserForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=AdviserKind.choices)
    org_code = org_code_form_field(gettext_lazy("Village or community served"), required=True)

    field_order = ["kind", "name", "org_code", "firm", "phone", "specialities"]


def _adviser_rows(user, advisers) -> list[dict]:
    kinds, types = dict(AdviserKind.choices), dict(CaseType.choices)
    return [{"adviser": a, "village": a.org_code[:12], "kind": kinds.get(a.kind, a.kind),
             "phone": selectors.adviser_phone(user, a), "specialities": [types.get(s, s) for s in a.specialities],
             "may_edit": selectors.keeps_directory(user, a.org_code)} for a in advisers]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def adviser_list(request):
    """The legal advisers of the area, village by village; the justice officer's form to add one."""
    user = request.user
    require_page(user, selectors.DIRECTORY_ROLES)
    may_add = has_capability(user, Capability.SUPERVISE_MEDIATION)
    form = AdviserAddForm(request.POST if request.method == "POST" else None) if may_add else None
    status = 200
    if request.method == "POST":
        adviser, status = _keeper_creates(request, form, services.adviser_add)
        if adviser is not None:
            messages.success(request, _("%(name)s is in the directory.") % {"name": adviser.name})
            return redirect("mediation-advisers")
    filters = AdviserFilterForm(request.GET or None)
    valid = filters.is_valid() if filters.is_bound else True
    data = filters.cleaned_data if filters.is_bound and valid else {}
    org, kind = data.get("org") or "", data.get("kind") or ""
    page = keyset_page(selectors.advisers_for(user, org=org, kind=kind), after=data.get("after"),
                       order=("org_code", "id"), size=PAGE_SIZE)
    context = {"filters": filters, "rows": _adviser_rows(user, page.rows),
               "next_url": page.next_url({"org": org, "kind": kind}), "form": form}
    return render(request, "mediation/advisers.html", context, status=status if valid else 400)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def adviser_edit(request, pk: int):
    """An adviser's entry corrected, or taken out of the directory, by the area's justice officer."""
    user = request.user
    require_page(user, Capability.SUPERVISE_MEDIATION)
    adviser = selectors.access_adviser(user, pk)
    if not selectors.keeps_directory(user, adviser.org_code):
        raise PermissionDenied(_("Only the justice officers of its own area change this."))
    form = None
    status = 200
    if request.method == "POST":
        form, status = AdviserForm(request.POST), 400
        if form.is_valid():
            try:
                services.adviser_update(actor=user, adviser=adviser, **form.cleaned_data)
            except DomainError as error:
                status = add_domain_error(form, error, raise_codes=REFUSALS)
            else:
                messages.success(request, _("Saved."))
                return redirect("mediation-advisers")
    return _adviser_page(request, adviser, form, status=status)


def _adviser_page(request, adviser, form=None, *, status=200, errors=()):
    initial = {"name": adviser.name, "firm": adviser.firm, "phone": adviser.phone,
               "specialities": adviser.specialities}
    return render(request, "mediation/advisers_edit.html",
                  {"adviser": adviser, "kind": adviser.get_kind_display(), "errors": list(errors),
                   "form": form or AdviserForm(initial=initial)}, status=status)


@login_required
@require_POST
@domain_errors_as_http
def adviser_deactivate(request, pk: int):
    user = request.user
    require_page(user, Capability.SUPERVISE_MEDIATION)
    adviser = selectors.access_adviser(user, pk)
    try:
        services.adviser_deactivate(actor=user, adviser=adviser)
    except DomainError as error:
        if error.code in REFUSALS:
            raise
        return _adviser_page(request, adviser, status=error.http_status, errors=[error.message])
    messages.success(request, _("%(name)s is out of the directory.") % {"name": adviser.name})
    return redirect("mediation-advisers")


urlpatterns = [
    path("screening/", screening_overview, name="mediation-screening"),
    path("screening/<str:code>/", screening_cell, name="mediation-screening-cell"),
    path("centres/", centre_list, name="mediation-centres"),
    path("centres/<int:pk>/", centre_detail, name="mediation-centre"),
    path("centres/<int:pk>/shifts/", centre_shift_add, name="mediation-centre-shift-add"),
    path("centres/<int:pk>/shifts/<int:shift_id>/remove/", centre_shift_remove, name="mediation-centre-shift-remove"),
    path("advisers/", adviser_list, name="mediation-advisers"),
    path("advisers/<int:pk>/", adviser_edit, name="mediation-adviser"),
    path("advisers/<int:pk>/deactivate/", adviser_deactivate, name="mediation-adviser-deactivate"),
]
