"""A resident's mediation pages, without signing in (`/mediate/`): ask for mediation online,
then follow the request by its tracking code and the last four digits of the mobile given.

The place is chosen as on the events' public report page: the resident's location or a tap
on the map, placed in its grid cell; the committee that serves the cell's village (else its
township, else its county) takes the request. Nothing here ever shows the matters, the other
parties, a mediator's account or a note written by the committee: only the status, the
committee's name, the dates and the outcome in words.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.core import ratelimit
from gridgov.core import selectors as core_selectors
from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.validators import normalize_mobile, validate_mobile
from gridgov.core.views import public_map_context
from gridgov.mediation import services
from gridgov.mediation.models import CaseType, Diversion, FailureReason
from gridgov.mediation.selectors.public import TRACKING_CODE, normalize_tracking_code, request_by_tracking
from gridgov.mediation.services.common import MAX_TEXT
from gridgov.mediation.workflow import CLOCK_STATUSES, CONCLUDED_STATUSES, CaseStatus

SENT_KEY = "mediation_request_sent"

# --- Limits per client (core.ratelimit) -----------------------------------------------------------

REQUEST_SCOPE, REQUESTS_AN_HOUR = "mediation_request", 10  # shared with api.RequestThrottle
# Every look-up counts, right or wrong: 20 an hour cannot find a code among 31¹⁰ and its 10⁴ endings.
TRACK_SCOPE, LOOKUPS_AN_HOUR = "mediation_track", 20
HOUR = 3600


# --- Forms ---------------------------------------------------------------------------------------


class RequestForm(forms.Form):
    type = forms.ChoiceField(label=gettext_lazy("Kind of dispute"),
                             choices=[("", gettext_lazy("Choose…")), *CaseType.choices])
    matters = forms.CharField(
        label=gettext_lazy("What is the dispute about?"), max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What happened, since when, and what you hope to agree on. Only the committee "
                               "reads it."))
    # The point of the dispute, filled by the browser's location or a tap on the map (events.js).
    lat = forms.FloatField(required=False, min_value=-90, max_value=90,
                           widget=forms.HiddenInput(attrs={"data-lat": True}))
    lng = forms.FloatField(required=False, min_value=-180, max_value=180,
                           widget=forms.HiddenInput(attrs={"data-lng": True}))
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=gettext_lazy("Your mobile number"), max_length=20,
        help_text=gettext_lazy("The committee calls you back on it. You need its last four digits to follow the "
                               "request."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    respondent_name = forms.CharField(label=gettext_lazy("The other party's name (optional)"), required=False,
                                      max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def clean_phone(self):
        # checked here, before the request spends one of the hour's: a typo costs nothing
        phone = normalize_mobile(self.cleaned_data["phone"])
        validate_mobile(phone)
        return phone

    def clean(self):
        data = super().clean()
        if "lat" in self.errors or "lng" in self.errors:
            return data
        if data.get("lat") is None or data.get("lng") is None:
            self.add_error("lat", _("Use your location or tap the map where the dispute is."))
            return data
        cell = core_selectors.grid_cell_at(lng=data["lng"], lat=data["lat"])
        if cell is None:
            self.add_error("lat", _("This point is outside the city's grid. Tap the map inside your village or "
                                    "community."))
        else:
            data["org_code"] = cell.code
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Tracking code"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}))
    phone_last4 = forms.RegexField(
        label=gettext_lazy("Last four digits of the mobile number you gave"), regex=r"^[0-9]{4}$", max_length=4,
        error_messages={"invalid": gettext_lazy("Enter four digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}))

    def clean_code(self):
        code = normalize_tracking_code(self.cleaned_data["code"])
        if not TRACKING_CODE.match(code):
            raise forms.ValidationError(_("A tracking code is TJ and ten letters and digits, like TJ7KM2QX9RWA."))
        return code


# --- Asking for mediation ------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def request_form(request):
    form = RequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if ratelimit.used_up(REQUEST_SCOPE, request, limit=REQUESTS_AN_HOUR):
            form.is_valid()
            form.add_error(None, _("%(n)d requests were sent from this connection in the last hour. Please try "
                                   "again in an hour, or call the township's justice office.")
                           % {"n": REQUESTS_AN_HOUR})
            status = 429
        elif form.is_valid() and not ratelimit.spend(REQUEST_SCOPE, request, limit=REQUESTS_AN_HOUR, window=HOUR):
            # spent before the request is written: requests sent at once cannot share the last one
            form.add_error(None, _("%(n)d requests were sent from this connection in the last hour. Please try "
                                   "again in an hour, or call the township's justice office.")
                           % {"n": REQUESTS_AN_HOUR})
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_request_online(type=data["type"], org_code=data["org_code"],
                                                    matters=data["matters"], name=data["name"], phone=data["phone"],
                                                    respondent_name=data["respondent_name"])
            except DomainError as error:
                status = add_domain_error(form, error, field_names={"org_code": "lat"})
            else:
                # Shown on the next page (and again on reload) in this browser only: never in a URL.
                request.session[SENT_KEY] = {"code": case.tracking_code, "committee": case.committee.name,
                                             "org_code": case.org_code}
                return redirect("mediation-request-sent")
    return render(request, "mediation/public_request.html", {"form": form, "map_data": public_map_context()}, status=status)


@never_cache
@require_GET
def request_sent(request):
    sent = request.session.get(SENT_KEY)
    if not sent:
        return redirect("mediation-request")
    response = render(request, "mediation/public_request_sent.html", {"sent": sent})
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Following a request -------------------------------------------------------------------------


def _outcome(case) -> str:
    """How the request ended, in words: never the committee's note nor the terms."""
    if case.status == CaseStatus.SETTLED:
        return _("The dispute was settled by agreement.")
    if case.status == CaseStatus.FAILED:
        if case.failure_reason:
            return _("Mediation ended without agreement: %(reason)s.") % {
                "reason": FailureReason(case.failure_reason).label}
        return _("Mediation ended without agreement.")
    if case.status in {CaseStatus.DECLINED, CaseStatus.REFERRED}:
        if case.diversion == Diversion.NONE:
            return _("The committee did not take the request up: it found no dispute for mediation.")
        where = Diversion(case.diversion).label if case.diversion else ""
        if case.status == CaseStatus.DECLINED:
            return (_("The committee did not take the request up. The dispute belongs with: %(where)s.")
                    % {"where": where}) if where else _("The committee did not take the request up.")
        return (_("The dispute was referred to: %(where)s.") % {"where": where}) if where else _(
            "The dispute was referred elsewhere.")
    return ""


def _next_step(case) -> str:
    if case.status == CaseStatus.REQUESTED:
        return _("The committee will call you back on the number you gave to hear you and arrange a first talk.")
    if case.status in CLOCK_STATUSES:
        return _("A mediator of the committee hears both sides and looks for an agreement with you. Mediation "
                 "normally ends within one month.")
    if case.status == CaseStatus.FAILED:
        return _("You may still take the dispute to a court, or to arbitration where the law provides for it.")
    return ""


def track_view(case) -> dict:
    """What the tracking page may show of a case, and nothing else."""
    concluded = case.status in CONCLUDED_STATUSES
    return {
        "code": case.tracking_code,
        "status": case.get_status_display(),
        "committee": case.committee.name,
        "requested_on": case.created_at,
        "accepted_on": case.accepted_on,
        "deadline": case.deadline if case.status in CLOCK_STATUSES else None,
        "concluded_on": case.concluded_on if concluded else None,
        "outcome": _outcome(case),
        "next_step": _next_step(case),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """A POST, so that the code and the digits stay out of addresses, logs and history."""
    form = TrackForm(request.POST or None)
    context: dict = {"form": form, "request_view": None}
    status = 200
    if request.method == "POST":
        if not ratelimit.spend(TRACK_SCOPE, request, limit=LOOKUPS_AN_HOUR, window=HOUR):
            form.is_valid()
            form.add_error(None, _("Too many look-ups from this connection. Please try again in an hour."))
            status = 429
        elif not form.is_valid():
            status = 400
        else:
            case = request_by_tracking(code=form.cleaned_data["code"], phone_last4=form.cleaned_data["phone_last4"])
            if case is None:
                # One message for a wrong code and for wrong digits: a guess learns nothing.
                form.add_error(None, _("No request matches this code and these digits."))
                status = 404
            else:
                context["request_view"] = track_view(case)
    response = render(request, "mediation/public_track.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("", request_form, name="mediation-request"),
    path("sent/", request_sent, name="mediation-request-sent"),
    path("track/", track, name="mediation-track"),
]
