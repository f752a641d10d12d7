"""Evaluation (ranking with an Excel download), the routing-rule editor."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import selectors as core_selectors
from gridgov.core import xlsx
from gridgov.core.db_router import reads_from_replica
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import add_domain_error
from gridgov.core.pagination import keyset_page
from gridgov.core.permissions import Capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.events import scoring, selectors, services
from gridgov.events.forms import PAGE_SIZE, AfterForm, RankingForm, RoutingRuleForm
from gridgov.events.models import Category
from gridgov.events.views.common import QUEUE, query_string, require_capability

# --- Evaluation -------------------------------------------------------------------------------

AREA_LEVELS = scoring.AREA_LEVELS


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _row(rank: int, item) -> dict:
    return {
        "rank": rank, "item": item,
        "registration_rate": _percent(item.registration_rate),
        "dispatch_rate": _percent(item.dispatch_rate),
        "closure_rate": _percent(item.closure_rate),
        "on_time_rate": _percent(item.on_time_rate),
        "rework_rate": _percent(item.rework_rate),
        "extension_rate": _percent(item.extension_rate),
        "valid_report_rate": _percent(item.valid_report_rate),
        "on_time_verification_rate": _percent(item.on_time_verification_rate),
        "score": "—" if item.score is None else f"{item.score:.2f}",
    }


@login_required
@require_GET
@domain_errors_as_http
@reads_from_replica()  # a report: the replica's, where there is one (issue 12)
def ranking(request):
    user = request.user
    require_capability(user, QUEUE)
    form = RankingForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    tab = (form.cleaned_data.get("tab") if form.is_bound and valid else "") or "department"
    start, end = form.period()
    # ranking cache (issue 12): the figures of the last two minutes, or of the area's last closure
    items, as_of = scoring.ranking_indicators(tab=tab, start=start, end=end, scope=user.scope_code or "")
    tab_label = str(dict(RankingForm.TABS)[tab])
    if request.GET.get("format") == "xlsx" and valid:
        title = _("%(what)s ranking, %(month)s") % {"what": tab_label, "month": start.strftime("%Y-%m")}
        # issue 12: written to a temporary file and streamed from it, not built in memory
        return xlsx.workbook_response(scoring.ranking_workbook(items, title=title),
                                      filename=f"ranking-{tab}-{start:%Y-%m}.xlsx")
    month = start.strftime("%Y-%m")
    if not form.is_bound:
        form.initial["month"] = month
    context = {
        "form": form,
        "tab": tab,
        "tabs": [(key, label, "?" + query_string({"month": month, "tab": key})) for key, label in RankingForm.TABS],
        "rows": [_row(rank, item) for rank, item in enumerate(items, start=1)],
        "month": month,
        "as_of": as_of,
        "kind": "grid_worker" if tab == "grid_worker" else ("area" if tab in AREA_LEVELS else "unit"),
        "download_url": "?" + query_string({"month": month, "tab": tab, "format": "xlsx"}),
    }
    return render(request, "events/ranking.html", context, status=200 if valid else 400)


# --- Routing rules ------------------------------------------------------------------------------


def _rule_form(user, data=None):
    categories = list(Category.objects.filter(is_active=True).order_by("code"))
    departments = list(core_selectors.departments_visible_to(user).filter(is_active=True).order_by("org_code", "code"))
    form = RoutingRuleForm(data, categories=categories, departments=departments)
    if data is None and user.scope_code:
        form.initial["org_prefix"] = user.scope_code
    return form, {c.code: c for c in categories}, {d.code: d for d in departments}


def _rules_page(request, form, *, status=200):
    user = request.user
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    page = keyset_page(selectors.routing_rules_for(user).filter(is_active=True), after=after, order=("-pk",),
                       size=PAGE_SIZE)
    rules, next_url = page.rows, page.next_url()
    histories = selectors.routing_rule_histories(rules)
    ended = list(selectors.routing_rules_for(user).filter(is_active=False).order_by("-ended_at", "-pk")[:20])
    context = {
        "form": form,
        "rows": [{"rule": rule, "history": histories.get(rule.pk, [])} for rule in rules],
        "ended": ended,
        "next_url": next_url,
    }
    return render(request, "events/rules.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def rules(request):
    """Active routing rules of the area with the rules each one replaced; set a rule."""
    user = request.user
    _require(user, Capability.MANAGE_EVENT_CONFIG)
    if request.method == "GET":
        return _rules_page(request, _rule_form(user)[0])
    form, categories, departments = _rule_form(user, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule = services.routing_rule_save(
                actor=user, category=categories[data["category"]], org_prefix=data["org_prefix"],
                department=departments[data["department"]], to_local_station=data["to_local_station"],
            )
        except DomainError as error:
            if error.code == ErrorCode.NOT_FOUND:
                raise
            if error.code == ErrorCode.PERMISSION_DENIED:
                add_domain_error(form, error)
                return _rules_page(request, form, status=403)
            add_domain_error(form, error)
            status = error.http_status
        else:
            if rule.replaces_id:
                messages.success(request, _("The rule was changed; the old one is kept in its history."))
            else:
                messages.success(request, _("The rule was set."))
            return redirect("events-rules")
    return _rules_page(request, form, status=status)


@login_required
@require_POST
@domain_errors_as_http
def rule_end(request, pk: int):
    user = request.user
    _require(user, Capability.MANAGE_EVENT_CONFIG)
    rule = selectors.routing_rules_for(user).filter(pk=pk).first()
    if rule is None:
        raise Http404(_("No such rule in your area."))
    try:
        services.routing_rule_end(actor=user, rule=rule)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        messages.error(request, error.message)
        form = _rule_form(user)[0]
        return _rules_page(request, form, status=error.http_status)
    messages.success(request, _("The rule was ended. Events of this kind now go to the dispatcher."))
    return redirect("events-rules")


# Notifications are core's pages now (gridgov.core.notifications.views, notify issue 11).
