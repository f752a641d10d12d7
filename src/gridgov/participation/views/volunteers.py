"""The volunteer pages (`/volunteers/`). A volunteer, on the phone: its next shifts, the shifts
it can take, checking in with the shift's code, its hours and its certificate. The organiser:
activities and duty posts with their shifts and rosters, the registry, and the hours waiting
for approval. Writes are service calls (services/volunteers.py), reads selectors."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.core import ratelimit
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.models import OrgLevel, User
from gridgov.core.pagination import PAGE_SIZE, keyset_page
from gridgov.core.pdf import pdf_response
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.participation import forms
from gridgov.participation.models import HoursStatus, VolunteerKind
from gridgov.participation.selectors import volunteers as selectors
from gridgov.participation.services import volunteers as services

ORGANISE = Capability.ORGANISE_VOLUNTEERS
# A shift's code is six digits: ten tries an hour per address cannot find it in its window.
CODE_SCOPE, CODE_TRIES_AN_HOUR = "shift_code", 10
ALL_VOLUNTEER_ROLES = selectors.VOLUNTEER_ROLES
LIST = 20


def _back(request, default: str, *args):
    """Back to the page the form was on (`next` names one of ours), else `default`."""
    target = request.POST.get("next", "")
    if target.startswith("/volunteers/") and "//" not in target:
        return redirect(target)
    return redirect(default, *args)


def _done(request, message: str, error: DomainError | None = None) -> None:
    if error is None:
        messages.success(request, message)
    else:
        messages.error(request, error.message)


# --- A volunteer's own page ---------------------------------------------------------------------


def _home_render(request, volunteer, *, status=200, hours_form=None, code_form=None):
    now = timezone.now()
    signups = list(selectors.signups_of(volunteer)[:LIST])
    coming = [s for s in signups if s.shift.ends_at >= now]
    can_take = list(selectors.shifts_i_can_take(volunteer)[:LIST])
    free = set(volunteer.availability)
    activities = list(selectors.activities_near(volunteer))
    return render(request, "participation/volunteer_home.html", {
        "volunteer": volunteer, "coming": coming, "past": [s for s in signups if s.shift.ends_at < now][:5],
        "can_take": [{"shift": s, "fits": not free or selectors.half_day(s.starts_at) in free} for s in can_take],
        "hours": list(selectors.hours_of(volunteer)[:LIST]), "totals": selectors.hours_totals(volunteer),
        "hours_form": hours_form or forms.HoursForm(activities=activities,
                                                    initial={"served_on": timezone.localdate()}),
        "code_form": code_form or forms.CodeForm(),
        "kinds": [dict(VolunteerKind.choices).get(k, k) for k in volunteer.kinds],
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ALL_VOLUNTEER_ROLES)
def home(request):
    if has_capability(request.user, ORGANISE):
        return redirect("volunteers-organise")
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return render(request, "participation/volunteer_none.html")
    return _home_render(request, volunteer)


def _own(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied(_("Your account is not in the registry of volunteers yet: ask your organiser."))
    return volunteer


@login_required
@require_POST
@capability_required(Capability.TAKE_SHIFTS)
@domain_errors_as_http
def check_in_code(request):
    volunteer = _own(request)
    form = forms.CodeForm(request.POST)
    if not ratelimit.spend(CODE_SCOPE, request, limit=CODE_TRIES_AN_HOUR, window=3600):
        form.is_valid()
        form.add_error(None, _("Too many tries: ask the organiser to check you in."))
        return _home_render(request, volunteer, status=429, code_form=form)
    if not form.is_valid():
        return _home_render(request, volunteer, status=400, code_form=form)
    try:
        signup = services.check_in_with_code(actor=request.user, code=form.cleaned_data["code"])
    except DomainError as error:
        return _home_render(request, volunteer, status=add_domain_error(form, error), code_form=form)
    messages.success(request, _("Checked in: %(activity)s.") % {"activity": signup.shift.activity.title})
    return redirect("volunteers-home")


@login_required
@require_POST
@capability_required(Capability.TAKE_SHIFTS)
@domain_errors_as_http
def hours_add(request):
    volunteer = _own(request)
    activities = list(selectors.activities_near(volunteer))
    form = forms.HoursForm(request.POST, activities=activities)
    if not form.is_valid():
        return _home_render(request, volunteer, status=400, hours_form=form)
    data = form.cleaned_data
    try:
        services.hours_record(actor=request.user, volunteer=volunteer, activity=data["activity"],
                              served_on=data["served_on"], minutes=data["total_minutes"], note=data["note"])
    except DomainError as error:
        return _home_render(request, volunteer, status=add_domain_error(form, error), hours_form=form)
    messages.success(request, _("Recorded: your organiser approves the hours."))
    return redirect("volunteers-home")


@login_required
@require_GET
@capability_required(Capability.TAKE_SHIFTS)
@domain_errors_as_http
def own_certificate(request):
    volunteer = _own(request)
    return pdf_response(services.certificate_pdf(actor=request.user, volunteer=volunteer),
                        f"volunteer-{volunteer.pk}.pdf")


# --- Shifts: sign up, cancel, check in and out --------------------------------------------------


@login_required
@require_POST
@capability_required(ALL_VOLUNTEER_ROLES)
@domain_errors_as_http
def shift_sign_up(request, pk: int):
    """The volunteer takes a place; the organiser signs up a volunteer of its area."""
    shift = selectors.access_shift(request.user, pk)
    if has_capability(request.user, ORGANISE):
        if not request.POST.get("volunteer"):
            messages.error(request, _("Name the volunteer to sign up."))
            return _back(request, "volunteers-shift", shift.pk)
        volunteer = selectors.access_volunteer(request.user, request.POST.get("volunteer"))
    else:
        volunteer = _own(request)
    try:
        services.sign_up(actor=request.user, shift=shift, volunteer=volunteer)
        _done(request, _("Signed up: %(activity)s, %(moment)s.") % {
            "activity": shift.activity.title, "moment": timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")})
    except DomainError as error:
        if error.code in ("not_found", "permission_denied"):
            raise
        _done(request, "", error)
    return _back(request, "volunteers-home")


def _signup_step(action, done_message):
    @login_required
    @require_POST
    @capability_required(ALL_VOLUNTEER_ROLES)
    @domain_errors_as_http
    def view(request, pk: int):
        signup = selectors.access_signup(request.user, pk)
        try:
            action(actor=request.user, signup=signup)
            _done(request, done_message)
        except DomainError as error:
            if error.code in ("not_found", "permission_denied"):
                raise
            _done(request, "", error)
        return _back(request, "volunteers-home")

    return view


signup_cancel = _signup_step(services.cancel_signup, _("Cancelled: the place is free for someone else."))
signup_check_in = _signup_step(services.check_in, _("Checked in."))
signup_check_out = _signup_step(services.check_out, _("Checked out: the hours are recorded."))
signup_no_show = _signup_step(services.mark_no_show, _("Recorded: did not come."))


# --- The organiser's pages ----------------------------------------------------------------------


def _areas(user):
    return selectors.areas_for_forms(user)


def _rules(user):
    return selectors.rules_for_activities(user)


def _organise_render(request, *, status=200, activity_form=None):
    user = request.user
    return render(request, "participation/organise.html", {
        "activities": list(selectors.activities_for(user)[:PAGE_SIZE]),
        "pending": list(selectors.pending_hours(user)[:PAGE_SIZE]),
        "activity_form": activity_form or forms.ActivityForm(areas=_areas(user), rules=_rules(user)),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ORGANISE)
def organise(request):
    return _organise_render(request)


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def activity_add(request):
    form = forms.ActivityForm(request.POST, areas=_areas(request.user), rules=_rules(request.user))
    if not form.is_valid():
        return _organise_render(request, status=400, activity_form=form)
    try:
        activity = services.activity_create(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _organise_render(request, status=add_domain_error(form, error), activity_form=form)
    messages.success(request, _("Created: %(title)s. Add its shifts.") % {"title": activity.title})
    return redirect("volunteers-activity", activity.pk)


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def hours_decide(request, pk: int):
    hours = selectors.access_hours(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    try:
        decided = services.hours_decide(actor=request.user, hours=hours, approve=approve,
                                        reason=request.POST.get("reason", ""))
        _done(request, (_("Approved: %(name)s, %(minutes)d minutes.") if decided.status == HoursStatus.APPROVED
                        else _("Declined: %(name)s, %(minutes)d minutes.")) % {"name": hours.volunteer.name,
                                                                                "minutes": hours.minutes})
    except DomainError as error:
        if error.code in ("not_found", "permission_denied"):
            raise
        _done(request, "", error)
    return redirect("volunteers-organise")


def _activity_render(request, activity, *, status=200, shift_form=None):
    shifts = list(selectors.shifts_of(activity)[:PAGE_SIZE])
    return render(request, "participation/activity.html", {
        "activity": activity, "shifts": shifts, "now": timezone.now(),
        "shift_form": shift_form or forms.ShiftForm(initial={"day": timezone.localdate() + datetime.timedelta(days=1),
                                                              "weeks": 1}),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ORGANISE)
@domain_errors_as_http
def activity(request, pk: int):
    return _activity_render(request, selectors.access_activity(request.user, pk))


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def shift_add(request, pk: int):
    activity = selectors.access_activity(request.user, pk)
    form = forms.ShiftForm(request.POST)
    if not form.is_valid():
        return _activity_render(request, activity, status=400, shift_form=form)
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    added = 0
    try:
        for week in range(data["weeks"]):
            day = data["day"] + datetime.timedelta(weeks=week)
            starts = datetime.datetime.combine(day, data["starts"], tzinfo=tz)
            ends = datetime.datetime.combine(day, data["ends"], tzinfo=tz)
            services.shift_add(actor=request.user, activity=activity, starts_at=starts, ends_at=ends,
                               capacity=data["capacity"])
            added += 1
    except DomainError as error:
        status = add_domain_error(form, error, field_names={"starts_at": "starts", "ends_at": "ends"})
        if added:
            messages.warning(request, _("%(n)d shifts were added before this one was refused.") % {"n": added})
        return _activity_render(request, activity, status=status, shift_form=form)
    messages.success(request, _("%(n)d shifts added.") % {"n": added})
    return redirect("volunteers-activity", activity.pk)


@never_cache
@login_required
@require_GET
@capability_required(ALL_VOLUNTEER_ROLES)
@domain_errors_as_http
def shift(request, pk: int):
    """The organiser's roster of a shift (its code, who came); a volunteer sees the shift."""
    shift = selectors.access_shift(request.user, pk)
    organises = selectors.organises(request.user, shift.activity.org_code)
    context = {"shift": shift, "activity": shift.activity, "organises": organises, "now": timezone.now()}
    if organises:
        roster = list(selectors.roster(shift))
        on_roster = {s.volunteer_id for s in roster}
        context.update({"roster": roster, "others": [v for v in selectors.volunteers_for(request.user).filter(
            is_active=True)[:200] if v.pk not in on_roster]})
    else:
        volunteer = _own(request)
        context["mine"] = shift.signups.filter(volunteer=volunteer).exclude(status="cancelled").first()
    return render(request, "participation/shift.html", context)


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def shift_cancel(request, pk: int):
    shift = selectors.access_shift(request.user, pk)
    if not selectors.organises(request.user, shift.activity.org_code):
        raise PermissionDenied(_("Only the organiser cancels a shift."))
    try:
        services.shift_cancel(actor=request.user, shift=shift)
        _done(request, _("Cancelled: the volunteers who signed up are told."))
    except DomainError as error:
        _done(request, "", error)
    return redirect("volunteers-activity", shift.activity_id)


# --- The registry -------------------------------------------------------------------------------


def _registry_render(request, *, status=200, volunteer_form=None):
    user = request.user
    name = (request.GET.get("q") or "").strip()[:50]
    after = request.GET.get("after")
    page = keyset_page(selectors.volunteers_for(user, name=name).order_by("id"),
                       after=int(after) if str(after).isdigit() else None, order=("id",), size=PAGE_SIZE)
    villages = [a for a in _areas(user) if a.level == OrgLevel.VILLAGE]
    return render(request, "participation/registry.html", {
        "volunteers": page.rows, "next_url": page.next_url({"q": name}), "name": name,
        "volunteer_form": volunteer_form or forms.VolunteerForm(villages=villages),
        "kinds": dict(VolunteerKind.choices),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ORGANISE)
def registry(request):
    return _registry_render(request)


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def registry_add(request):
    villages = [a for a in _areas(request.user) if a.level == OrgLevel.VILLAGE]
    form = forms.VolunteerForm(request.POST, villages=villages)
    if not form.is_valid():
        return _registry_render(request, status=400, volunteer_form=form)
    data = dict(form.cleaned_data)
    username = data.pop("username")
    account = None
    if username:
        account = User.objects.visible_to(request.user).filter(username=username, is_active=True).first()
        if account is None:
            form.add_error("username", _("No such active account in your area."))
            return _registry_render(request, status=400, volunteer_form=form)
    try:
        volunteer = services.volunteer_register(actor=request.user, user=account, **data)
    except DomainError as error:
        return _registry_render(request, status=add_domain_error(form, error, field_names={"user": "username"}),
                                volunteer_form=form)
    messages.success(request, _("%(name)s is in the registry.") % {"name": volunteer.name})
    return redirect("volunteers-person", volunteer.pk)


def _person_render(request, volunteer, *, status=200, qualification_form=None):
    return render(request, "participation/volunteer.html", {
        "volunteer": volunteer, "kinds": [dict(VolunteerKind.choices).get(k, k) for k in volunteer.kinds],
        "availability": [label for code, label in forms._availability_choices() if code in set(volunteer.availability)],
        "qualifications": list(volunteer.qualifications.all()), "today": timezone.localdate(),
        "signups": list(selectors.signups_of(volunteer)[:LIST]), "hours": list(selectors.hours_of(volunteer)[:LIST]),
        "totals": selectors.hours_totals(volunteer),
        "qualification_form": qualification_form or forms.QualificationForm(),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ORGANISE)
@domain_errors_as_http
def person(request, pk: int):
    return _person_render(request, selectors.access_volunteer(request.user, pk))


@login_required
@require_POST
@capability_required(ORGANISE)
@domain_errors_as_http
def qualification_add(request, pk: int):
    volunteer = selectors.access_volunteer(request.user, pk)
    form = forms.QualificationForm(request.POST)
    if not form.is_valid():
        return _person_render(request, volunteer, status=400, qualification_form=form)
    try:
        services.qualification_add(actor=request.user, volunteer=volunteer, **form.cleaned_data)
    except DomainError as error:
        return _person_render(request, volunteer, status=add_domain_error(form, error), qualification_form=form)
    messages.success(request, _("Qualification recorded."))
    return redirect("volunteers-person", volunteer.pk)


@login_required
@require_GET
@capability_required(ORGANISE)
@domain_errors_as_http
def person_certificate(request, pk: int):
    volunteer = selectors.access_volunteer(request.user, pk)
    return pdf_response(services.certificate_pdf(actor=request.user, volunteer=volunteer),
                        f"volunteer-{volunteer.pk}.pdf")


urlpatterns = [
    path("", home, name="volunteers-home"),
    path("check-in/", check_in_code, name="volunteers-check-in-code"),
    path("hours/", hours_add, name="volunteers-hours-add"),
    path("certificate.pdf", own_certificate, name="volunteers-own-certificate"),
    path("shifts/<int:pk>/", shift, name="volunteers-shift"),
    path("shifts/<int:pk>/sign-up/", shift_sign_up, name="volunteers-shift-sign-up"),
    path("shifts/<int:pk>/cancel/", shift_cancel, name="volunteers-shift-cancel"),
    path("signups/<int:pk>/cancel/", signup_cancel, name="volunteers-signup-cancel"),
    path("signups/<int:pk>/check-in/", signup_check_in, name="volunteers-signup-check-in"),
    path("signups/<int:pk>/check-out/", signup_check_out, name="volunteers-signup-check-out"),
    path("signups/<int:pk>/no-show/", signup_no_show, name="volunteers-signup-no-show"),
    path("organise/", organise, name="volunteers-organise"),
    path("organise/activities/", activity_add, name="volunteers-activity-add"),
    path("organise/hours/<int:pk>/", hours_decide, name="volunteers-hours-decide"),
    path("activities/<int:pk>/", activity, name="volunteers-activity"),
    path("activities/<int:pk>/shifts/", shift_add, name="volunteers-shift-add"),
    path("registry/", registry, name="volunteers-registry"),
    path("registry/add/", registry_add, name="volunteers-registry-add"),
    path("registry/<int:pk>/", person, name="volunteers-person"),
    path("registry/<int:pk>/qualifications/", qualification_add, name="volunteers-qualification-add"),
    path("registry/<int:pk>/certificate.pdf", person_certificate, name="volunteers-person-certificate"),
]
