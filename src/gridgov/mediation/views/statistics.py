"""The statistics of people's mediation (`/mediation/statistics/`) and the yearly figures a
justice bureau reports, as an Excel workbook (`/mediation/statistics.xlsx`, audited).

Thin: the filter form parses, `selectors.statistics` counts, the page or the workbook shows
names (committees, mediators, org units, types), never codes and never a party.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET
from openpyxl.styles import Font

from gridgov.core import orgnames, xlsx
from gridgov.core.links import id_url
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.pagination import query_string
from gridgov.core.views import domain_errors_as_http
from gridgov.mediation import services
from gridgov.mediation.audit_actions import MediationAction
from gridgov.mediation.selectors import statistics as selectors
from gridgov.mediation.selectors.statistics import Figures, Period, Report

# The audit action of a download of the figures.
STATISTICS_EXPORT = MediationAction.STATISTICS_EXPORT.value

# Records of people's mediation in gridgov start long after this; it bounds what a form takes.
FIRST_YEAR = 1990


def _date_field(label):
    # A date input takes ISO dates whatever the language's date format.
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class StatisticsFilterForm(forms.Form):
    """The area (one of the user's), a year or a period, and a committee."""

    area = org_code_form_field(gettext_lazy("Area"))
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False)
    since = _date_field(gettext_lazy("From"))
    until = _date_field(gettext_lazy("To (inclusive)"))
    committee = forms.TypedChoiceField(label=gettext_lazy("Committee"), required=False, coerce=int,
                                       empty_value=None)

    def __init__(self, data=None, *, user, committees):
        super().__init__(data)
        self.user = user
        self.by_pk = {c.pk: c for c in committees}
        self.fields["committee"].choices = [("", _("All committees"))] + [(c.pk, c.name) for c in committees]
        self.last_year = selectors.today().year + 1
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": self.last_year})
        if not self.is_bound:
            self.initial["year"] = selectors.today().year

    def _in_range(self, year: int) -> bool:
        return FIRST_YEAR <= year <= self.last_year

    def _range_message(self) -> str:
        return _("Choose a year from %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": self.last_year}

    def clean_area(self):
        code = self.cleaned_data.get("area") or ""
        if not code:
            return None
        unit = selectors.area_unit(self.user, code)
        if unit is None:
            raise forms.ValidationError(_("Choose an area within yours."))
        return unit

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not self._in_range(year):
            raise forms.ValidationError(self._range_message())
        return year

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day is not None and not self._in_range(day.year):
            raise forms.ValidationError(self._range_message())
        return day

    def clean_since(self):
        return self._clean_day("since")

    def clean_until(self):
        return self._clean_day("until")

    def clean_committee(self):
        pk = self.cleaned_data.get("committee")
        return None if pk is None else self.by_pk[pk]  # the choices are the user's committees

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    def period(self) -> Period:
        """The period asked for: the days given (a missing end is the end of that year), else
        the year, else the current calendar year."""
        data = self.cleaned_data if self.is_bound else {}
        since, until = data.get("since"), data.get("until")
        if since or until:
            return Period(since or datetime.date(until.year, 1, 1), until or datetime.date(since.year, 12, 31))
        return Period.year(data["year"]) if data.get("year") else Period.current_year()

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound else {}
        return {"area": data.get("area"), "committee": data.get("committee")}


def _form(request):
    committees = selectors.statistics_committees(request.user)  # 403 for other roles
    return StatisticsFilterForm(request.GET or None, user=request.user, committees=committees)


def _error_text(form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


def _title(report: Report) -> str:
    period = report.period
    when = (str(period.since.year) if period.is_calendar_year
            else f"{period.since.isoformat()} – {period.until.isoformat()}")
    what = report.committee.name if report.committee else report.area.name
    return _("People's mediation: %(what)s, %(when)s") % {"what": what, "when": when}


def _query(form, report: Report) -> dict:
    period = report.period
    params = {"area": report.area.code if form.is_bound and form.cleaned_data.get("area") else "",
              "committee": report.committee.pk if report.committee else ""}
    if period.is_calendar_year:
        params["year"] = period.since.year
    else:
        params.update({"since": period.since.isoformat(), "until": period.until.isoformat()})
    return params


@login_required
@require_GET
@domain_errors_as_http
def statistics_page(request):
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "mediation/statistics.html", {"form": form, "report": None}, status=400)
    filters = form.filters()
    report = selectors.mediation_statistics(request.user, period=form.period(), **filters)
    escalating = selectors.escalating_cases(request.user, area=report.area.code, committee=filters["committee"])
    case_url = id_url("mediation-case")
    context = {
        "form": form,
        "report": report,
        "title": _title(report),
        "escalating": [{"case": case, "url": case_url(case.pk)} for case in escalating],
        "escalating_limited": len(escalating) >= selectors.ESCALATION_LIMIT,
        "failure_labels": [share.label for share in report.failure_reasons],
        "download_url": reverse("mediation-statistics-xlsx") + "?" + query_string(_query(form, report)),
    }
    return render(request, "mediation/statistics.html", context)


# --- The workbook -------------------------------------------------------------------------------


def _figure_columns(*, screening: bool) -> list[tuple[str, object]]:
    columns = [
        (pgettext("mediation statistics", "Accepted"), lambda f: f.accepted),
        (_("In progress now"), lambda f: f.in_progress),
        (pgettext("mediation statistics", "Settled"), lambda f: f.settled),
        (pgettext("mediation statistics", "Failed"), lambda f: f.failed),
        (pgettext("mediation statistics", "Referred"), lambda f: f.referred),
        (pgettext("mediation statistics", "Declined"), lambda f: f.declined),
        (_("Success rate (%)"), lambda f: "—" if f.success_rate is None else f.success_rate),
        (_("Agreements performed"), lambda f: f.performed),
        (_("Judicial confirmation applied for"), lambda f: f.confirmation_applied),
        (_("Judicially confirmed"), lambda f: f.confirmed),
        (_("Average days to conclude"),
         lambda f: "—" if f.average_days is None else round(f.average_days, 1)),
    ]
    if screening:
        columns += [
            (_("Disputes screened"), lambda f: f.screened or 0),
            (_("Resolution rate (%)"), lambda f: "—" if f.resolution_rate is None else f.resolution_rate),
        ]
    return columns


def _sheet(workbook, name: str, title: str, first: list[str], rows: list[tuple[list, Figures]], total: Figures,
           *, screening: bool) -> None:
    sheet = workbook.create_sheet(name[:31])
    bold = Font(bold=True)
    columns = _figure_columns(screening=screening)
    xlsx.append_row(sheet, [xlsx.cell(sheet, title, font=Font(bold=True, size=14))])
    xlsx.append_row(sheet, [xlsx.cell(sheet, header, font=bold) for header in first + [c[0] for c in columns]])
    for leading, figures in rows:
        xlsx.append_row(sheet, leading + [get(figures) for _label, get in columns])
    blanks = [""] * (len(first) - 1)
    xlsx.append_row(sheet, [xlsx.cell(sheet, _("Total"), font=bold), *blanks]
                    + [get(total) for _label, get in columns])


def statistics_workbook(report: Report):
    """The yearly figures as a workbook (by committee, mediator, type and area, failure reasons),
    written in write-only mode to a temporary file returned open at its start."""
    title = _title(report)
    paths = orgnames.org_name_paths({f.org_code for f in report.committees if f.org_code})
    workbook = xlsx.new_workbook(write_only=True)
    _sheet(workbook, _("By committee"), title, [_("Committee"), _("Area served")],
           [([f.label, paths.get(f.org_code, f.org_code)], f) for f in report.committees], report.total,
           screening=False)
    _sheet(workbook, _("By mediator"), title, [_("Mediator")], [([f.label], f) for f in report.mediators],
           report.total, screening=False)
    _sheet(workbook, _("By type"), title, [_("Type of dispute")], [([f.label], f) for f in report.types],
           report.total, screening=True)
    _sheet(workbook, _("By area"), title, [_("Area")], [([f.label], f) for f in report.areas], report.total,
           screening=True)
    sheet = workbook.create_sheet(_("Failure reasons")[:31])
    bold = Font(bold=True)
    xlsx.append_row(sheet, [xlsx.cell(sheet, title, font=Font(bold=True, size=14))])
    xlsx.append_row(sheet, [xlsx.cell(sheet, h, font=bold) for h in (_("Reason"), _("Cases"), _("Share (%)"))])
    for share in report.failure_reasons:
        xlsx.append_row(sheet, [share.label, share.count, "—" if share.share is None else share.share])
    xlsx.append_row(sheet, [xlsx.cell(sheet, _("Total"), font=bold), report.total.failed,
                            "—" if not report.total.failed else 100.0])
    return xlsx.workbook_file(workbook)


@login_required
@require_GET
@domain_errors_as_http
def statistics_xlsx(request):
    form = _form(request)
    if form.is_bound and not form.is_valid():
        return render(request, "400.html", {"message": _error_text(form)}, status=400)
    report = selectors.mediation_statistics(request.user, period=form.period(), **form.filters())
    handle = statistics_workbook(report)
    try:
        services.statistics_export_record(actor=request.user, report=report, title=_title(report))
    except BaseException:
        handle.close()
        raise
    period = report.period
    return xlsx.workbook_response(handle, filename=f"mediation-statistics-{period.since:%Y%m%d}-{period.until:%Y%m%d}.xlsx")


urlpatterns = [
    path("statistics/", statistics_page, name="mediation-statistics"),
    path("statistics.xlsx", statistics_xlsx, name="mediation-statistics-xlsx"),
]
