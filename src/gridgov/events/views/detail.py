"""The event page: what happened, where, by when, the timeline with photos, and one small
form for each action the user may take now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import orgnames
from gridgov.core import selectors as core_selectors
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.forms import add_domain_error
from gridgov.core.models import Department
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.events import selectors, services
from gridgov.events.forms import ACTION_FORMS, MergeForm
from gridgov.events.models import Step
from gridgov.events.views.common import (
    LIGHT_LABELS,
    STEP_LABELS,
    cells_geojson,
    event_access,
    grid_cells,
    light_of,
    photo_links,
    photo_response,
)
from gridgov.events.workflow import Action, SideAction, Status, state_allows, user_may


def allowed_actions(user, event) -> list[str]:
    """The actions `user` may take on `event` now (the service's own check, per action)."""
    allowed = []
    for action in ACTION_FORMS:
        if not (state_allows(event.status, action) and user_may(user, action)):
            continue
        try:
            services.check_action_allowed(user, event, action)
        except DomainError:
            continue
        allowed.append(action)
    return allowed


def can_act(user, event, action: str) -> bool:
    return action in allowed_actions(user, event)


def _department_choices(user, event) -> dict:
    """Departments serving the event's area (for dispatch: a department passes it only to
    its own stations) and every department the user knows of (a return's suggestion)."""
    codes = core_selectors.ancestor_codes(event.org_code) + [event.org_code]
    serving = list(core_selectors.departments_visible_to(user).filter(is_active=True, org_code__in=codes)
                   .order_by("org_code", "code"))
    if not has_capability(user, Capability.DISPATCH_EVENTS):
        dispatch = [d for d in serving if d.parent_id and d.parent_id == user.department_id]
    else:
        dispatch = serving
    area = list(core_selectors.departments_visible_to(user).filter(is_active=True).order_by("org_code", "code"))
    return {
        "departments": [(d.code, d.name) for d in dispatch],  # names, not codes (issue 11)
        "all_departments": [(d.code, d.name) for d in area],
    }


def _timeline_rows(event, entries) -> list[dict]:
    """Each step with the facts a reader needs: who returned it, why, and where it belongs."""
    codes = set()
    for entry in entries:
        for key in ("returned_by", "suggested_department", "department"):
            if entry.extra.get(key):
                codes.add(entry.extra[key])
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    levels = {entry.extra["level"] for entry in entries if entry.action == "supervise" and entry.extra.get("level")}
    level_names = orgnames.org_name_paths(levels) if levels else {}  # 县 › 镇, one query
    rows = []
    for entry in entries:
        extra = entry.extra or {}
        details: list[tuple[str, str]] = []
        if entry.action == Action.RETURN:
            details.append((_("Returned by"), names.get(extra.get("returned_by"), extra.get("returned_by") or "—")))
            details.append((_("Reason"), extra.get("reason", "")))
            suggested = extra.get("suggested_department")
            details.append((_("Should go to"), names.get(suggested, suggested) if suggested else _("not named")))
        elif entry.action == Action.DISPATCH and extra.get("department"):
            details.append((_("Sent to"), names.get(extra["department"], extra["department"])))
        elif entry.action == Action.VERIFY:
            details.append((_("Result"), _("Passed") if extra.get("passed") else _("Not passed: rework")))
        elif entry.action == Action.EXTEND:
            details.append((_("Extra working hours"), extra.get("hours", "")))
            details.append((_("Reason"), extra.get("reason", "")))
        elif entry.action == Action.APPROVE_EXTENSION:
            details.append((_("Decision"), _("Approved") if extra.get("approved") else _("Refused")))
        elif entry.action in (Action.EVALUATE, "reporter_rating") and extra.get("rating"):
            details.append((_("Rating"), f"{extra['rating']} / 5"))
        elif entry.action == "supervise" and extra.get("level"):
            details.append((_("Supervised by"), level_names.get(extra["level"], extra["level"])))
        elif entry.action == "merge" and extra.get("original"):
            details.append((_("Original event"), extra["original"]))
        elif entry.action == "to_mediation" and extra.get("mediation_case"):
            details.append((_("Mediation case"), extra["mediation_case"]))
        elif extra.get("reason"):
            details.append((_("Reason"), extra["reason"]))
        if entry.action == "register" and extra.get("channel"):
            from gridgov.events.models import Channel

            details.append((_("Channel"), str(dict(Channel.choices).get(extra["channel"], extra["channel"]))))
        try:
            label = Action(entry.action).label
        except ValueError:
            label = STEP_LABELS.get(entry.action, entry.action)
        rows.append({"entry": entry, "label": str(label), "details": details,
                     "photos": photo_links(event, entry.photos.all())})
    return rows


def _deadline_rows(event) -> list[dict]:
    from django.utils.dateparse import parse_datetime

    rows = []
    for step, label in Step.choices:
        value = event.deadlines.get(step)
        if value:
            rows.append({"label": label, "at": parse_datetime(value), "current": step == event.step})
    return rows


def event_context(request, event, *, bound_form=None, panel_error: str = "", panel_message: str = "") -> dict:
    """Everything the event page (and its HTMX panel) shows."""
    user = request.user
    now = timezone.now()
    is_staff = has_capability(user, Capability.TAKE_PART_IN_EVENTS)
    entries = selectors.event_timeline(event)
    timeline = _timeline_rows(event, entries)
    calendars = {}
    if event.step_deadline and event.status in selectors.OPEN_STATUSES:
        calendars = {event.org_code: core_selectors.work_calendar_for(event.org_code)}
    light = light_of(event, calendars, now)
    actions = allowed_actions(user, event)
    pending = selectors.pending_extension(event) if event.status == Status.ACCEPTED else None
    if pending is None and Action.APPROVE_EXTENSION in actions:
        actions.remove(Action.APPROVE_EXTENSION)
    if pending is not None and Action.EXTEND in actions:
        actions.remove(Action.EXTEND)
    choices = _department_choices(user, event) if {Action.DISPATCH, Action.RETURN} & set(actions) else {}
    forms = []
    for action in actions:
        if bound_form is not None and bound_form.action == action:
            forms.append(bound_form)
        else:
            forms.append(ACTION_FORMS[action](event=event, choices=choices))
    duplicates = selectors.possible_duplicates(event, user=request.user) if is_staff else []
    can_merge = user_may(user, SideAction.MERGE) and state_allows(event.status, SideAction.MERGE)
    last_return = next((row for row in reversed(timeline) if row["entry"].action == Action.RETURN), None)
    return {
        "event": event,
        "status_label": Status(event.status).label,
        "light": light,
        "light_label": LIGHT_LABELS.get(light, ""),
        "deadlines": _deadline_rows(event),
        "timeline": timeline,
        "forms": forms,
        "pending_extension": pending,
        "duplicates": duplicates,
        "can_merge": can_merge,
        "last_return": last_return if event.status == Status.RETURNED else None,
        "has_caller_contact": bool(event.reporter_contact) and has_capability(user, Capability.REGISTER_EVENTS),
        "panel_error": panel_error,
        "panel_message": panel_message,
        "place_map": _place_map(event),
        "links": selectors.event_links(user, event),
    }


def _place_map(event) -> dict | None:
    if event.lat is None or event.lng is None:
        return None
    return {"cells": cells_geojson(grid_cells(codes=[event.org_code])),
            "point": {"lat": event.lat, "lng": event.lng}, "status": event.status}


def _render(request, event, *, status=200, **kwargs):
    context = event_context(request, event, **kwargs)
    template = "events/detail.html"
    if request.htmx and request.htmx.target == "event-panel":
        template += "#panel"
    return render(request, template, context, status=status)


@login_required
@require_GET
@domain_errors_as_http
@event_access(selectors.require_event_loop)
def event_detail(request, pk: int):
    try:
        event = selectors.access_event(request.user, pk)
    except NotFound:
        # A unit that returned the event no longer sees it: its links lead to what it may read.
        entry = selectors.returned_by_my_unit(request.user, pk)
        if entry is None:
            raise
        return render(request, "events/returned.html", {"entry": entry, "event": entry.event})
    return _render(request, event)


def _gone(request, message: str):
    """After an action that takes the event out of the user's sight (a return)."""
    messages.success(request, message)
    url = reverse("events-inbox") if has_capability(request.user, Capability.HANDLE_EVENTS) else reverse("home")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_POST
@domain_errors_as_http
@event_access(selectors.require_event_loop)
def event_act(request, pk: int):
    """Take one workflow action. 403 when the role may never take it, 409 when the status
    does not allow it, 400 for bad input; each changes nothing."""
    user = request.user
    event = selectors.access_event(user, pk)
    action = request.POST.get("action", "")
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return _render(request, event, status=400, panel_error=_("Unknown action."))
    try:
        services.check_action_allowed(user, event, action)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _render(request, event, status=error.http_status, panel_error=error.message)
    choices = _department_choices(user, event) if action in (Action.DISPATCH, Action.RETURN) else {}
    form = form_class(request.POST, request.FILES, event=event, choices=choices)
    if not form.is_valid():
        return _render(request, event, status=400, bound_form=form)
    try:
        event = services.event_act(actor=user, event=event,
                                   request=services.ActionRequest(action=action, **form.request_kwargs()))
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        add_domain_error(form, error)
        return _render(request, event, status=error.http_status, bound_form=form)
    message = _("%(action)s: done. The event is now “%(status)s”.") % {
        "action": Action(action).label, "status": Status(event.status).label}
    try:
        event = selectors.access_event(user, event.pk)
    except DomainError:
        return _gone(request, message)
    if request.htmx:
        return _render(request, event, panel_message=message)
    messages.success(request, message)
    return redirect("events-detail", pk=event.pk)


@login_required
@require_POST
@domain_errors_as_http
@event_access(selectors.require_event_desk)
def event_merge(request, pk: int):
    """A dispatcher cancels a duplicate report, pointing it at the earlier one."""
    user = request.user
    duplicate = selectors.access_event(user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _render(request, duplicate, status=400, panel_error=_("Choose the event to merge into."))
    original = selectors.access_event(user, form.cleaned_data["original"])
    try:
        services.event_merge(actor=user, duplicate=duplicate, original=original)
    except DomainError as error:
        if error.code in (ErrorCode.NOT_FOUND, ErrorCode.PERMISSION_DENIED):
            raise
        return _render(request, duplicate, status=error.http_status, panel_error=error.message)
    messages.success(request, _("%(dup)s was merged into %(orig)s.") % {"dup": duplicate.code, "orig": original.code})
    next_url = request.POST.get("next", "")
    if next_url == "queue":
        return redirect("events-queue")
    return redirect("events-detail", pk=original.pk)


@login_required
@require_GET
@domain_errors_as_http
@event_access(selectors.require_event_loop)
def event_photo(request, pk: int, photo_id: int, variant: str):
    """A photo of an event the user may see: the thumbnail or the large copy (EXIF stripped)."""
    event = selectors.access_event(request.user, pk)
    photo = event.photos.filter(pk=photo_id).first()
    if photo is None or variant not in ("thumb", "large"):
        raise Http404(_("No such photo."))
    return photo_response(photo.thumbnail if variant == "thumb" else photo.public_image)
