"""Pages for residents, without signing in: report a problem, follow it by its private
link (rate the result, dispute a closure), or look up an event's status by its code.

Nothing here ever shows who reported an event, their contact, the names of staff, or
internal notes; photos are the EXIF-stripped public copies."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core import ratelimit
from gridgov.core import selectors as core_selectors
from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.forms import add_domain_error
from gridgov.events import selectors, services
from gridgov.events.forms import DisputeForm, PublicReportForm, ReporterRatingForm, TrackLookupForm
from gridgov.events.models import Channel
from gridgov.events.views.common import PUBLIC_STATUS, cells_geojson, photo_response, public_timeline
from gridgov.events.workflow import Status

REPORTS_PER_HOUR = 10
LOOKUPS_PER_HOUR = 60
# The report page asks for the cells in view each time its map is moved: generous for a
# person panning around, far short of scraping the city's polygons box by box.
CELL_REQUESTS_PER_MINUTE = 120
HOUR = 3600
MINUTE = 60


def _client_ip(request) -> str:
    # the client behind the deployment's trusted proxies, IPv6 by its /64 (core.ratelimit)
    return ratelimit.client_key(request)


def _limited(request, kind: str, limit: int, *, count: bool, window: int = HOUR) -> bool:
    """True when this address used up its `limit` for the `window` (seconds, an hour unless
    told). `count` spends one."""
    key = f"gridgov:events:{kind}:{_client_ip(request)}"
    if count:
        cache.add(key, 0, window)
        try:
            return cache.incr(key) > limit
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            return False
    return (cache.get(key) or 0) >= limit


def _public_map():
    """No cells at first: the page asks for the cells around the reporter once it knows where
    they are (or where the map was moved), a few dozen instead of the whole city's."""
    centre = core_selectors.grid_centre()
    return {"cells": cells_geojson([]), "cells_url": reverse("events-public-cells"),
            "centre": list(centre) if centre else None}


def _bbox(text: str) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        return None
    inside = -180 <= west < east <= 180 and -90 <= south < north <= 90
    span = core_selectors.PUBLIC_MAP_MAX_SPAN
    return (west, south, east, north) if inside and east - west <= span and north - south <= span else None


@require_GET
def public_cells(request):
    """The grid cells in a small box (`?bbox=west,south,east,north`, WGS-84) as GeoJSON:
    at most PUBLIC_MAP_MAX_SPAN degrees each way (400 beyond), CELL_REQUESTS_PER_MINUTE
    requests a minute from one address (429 beyond)."""
    if _limited(request, "cells", CELL_REQUESTS_PER_MINUTE, count=True, window=MINUTE):
        message = _("Too many map requests from this connection. Please wait a minute.")
        response = JsonResponse({"code": "rate_limited", "message": message, "fields": {}}, status=429)
        response["Retry-After"] = str(MINUTE)
        return response
    box = _bbox(request.GET.get("bbox", ""))
    if box is None:
        message = _("Give bbox=west,south,east,north in degrees, at most %(span)s degrees wide and high.") % {
            "span": core_selectors.PUBLIC_MAP_MAX_SPAN}
        return JsonResponse({"code": "invalid", "message": message, "fields": {"bbox": [message]}}, status=400)
    west, south, east, north = box
    cells = core_selectors.grid_cells_in_box(min_lng=west, min_lat=south, max_lng=east, max_lat=north)
    return JsonResponse(cells_geojson(cells))


@never_cache
@require_http_methods(["GET", "POST"])
def report(request):
    leaves = selectors.leaf_categories(public_only=True)
    form = PublicReportForm(request.POST or None, request.FILES or None, leaves=leaves)
    status = 200
    limited_message = _("You have sent %(n)d reports in the last hour from this connection. "
                        "Please wait an hour, or call the hotline if it is urgent.") % {"n": REPORTS_PER_HOUR}
    if request.method == "POST":
        status = 400
        if _limited(request, "report", REPORTS_PER_HOUR, count=False):
            form.is_valid()
            form.add_error(None, limited_message)
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                event = services.event_submit(actor=SystemActor("public_page"), actor_label=_("Resident"), submission=services.Submission(
                    category_code=data["category"], description=data["description"], channel=Channel.RESIDENT,
                    lat=data["lat"], lng=data["lng"], address=data["address"], photos=data["photos"],
                    reporter_contact=data["contact"] if data["notify"] else "",
                ))
            except DomainError as error:
                if error.code == ErrorCode.NOT_FOUND:
                    raise Http404(error.message) from error
                add_domain_error(form, error)
                status = error.http_status
            else:
                _limited(request, "report", REPORTS_PER_HOUR, count=True)
                return redirect(reverse("events-track", args=[event.public_token]) + "?new=1")
    context = {"form": form, "map_data": _public_map()}
    return render(request, "events/public_report.html", context, status=status)


# A rating at or below this says the reporter is not satisfied: the page no longer reads "solved".
POOR_RATING = 2


def _public_status(event, *, reporter: bool = False) -> str:
    """The status in words; a closure the reporter rated poorly is not called "solved"
    (`reporter`: the page of the private link, which speaks to the reporter)."""
    closed = event.status in {Status.CLOSED, Status.EVALUATED}
    if closed and event.reporter_rating is not None and event.reporter_rating <= POOR_RATING:
        if reporter:
            return _("Closed, but you are not satisfied with the result")
        return _("Closed, but the reporter is not satisfied with the result")
    return str(PUBLIC_STATUS[event.status])


def _track_context(request, event, *, rating_form=None, dispute_form=None, error: str = "") -> dict:
    closed = event.status in {Status.CLOSED, Status.EVALUATED}
    rating = event.reporter_rating if closed else None
    personal = selectors.is_personal_category(event.category.code)
    photos = [] if personal else list(event.photos.all())
    return {
        # Only what the public may read is handed to the template.
        "event": {"code": event.code, "created_at": event.created_at, "token": event.public_token},
        "category_name": event.category.name,
        "public_status": _public_status(event, reporter=True),
        "closed": closed,
        # The rating already given stays on the page (and in the form, to change it).
        "rating": rating,
        "poor_rating": rating is not None and rating <= POOR_RATING,
        "steps": public_timeline(event.timeline.order_by("at", "id").only("action", "to_status", "at")),
        "photos": [reverse("events-track-photo", args=[event.public_token, p.pk]) for p in photos],
        "rating_form": rating_form or ReporterRatingForm(initial={"rating": rating} if rating else None),
        "dispute_form": dispute_form or DisputeForm(),
        "is_new": request.GET.get("new") == "1",
        "follow_url": request.build_absolute_uri(reverse("events-track", args=[event.public_token])),
        "error": error,
    }


def _access(token: str):
    try:
        return services.access_event_by_token(token)
    except DomainError as error:
        raise Http404(error.message) from error


@never_cache
@require_GET
def track(request, token: str):
    event = _access(token)
    response = render(request, "events/track.html", _track_context(request, event))
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_POST
def track_rate(request, token: str):
    event = _access(token)
    form = ReporterRatingForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.event_reporter_rate(event=event, rating=form.cleaned_data["rating"],
                                         comment=form.cleaned_data["comment"])
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
        else:
            return redirect(reverse("events-track", args=[token]) + "?rated=1")
    return render(request, "events/track.html", _track_context(request, event, rating_form=form), status=status)


@never_cache
@require_POST
def track_dispute(request, token: str):
    event = _access(token)
    form = DisputeForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.event_reporter_dispute(event=event, reason=form.cleaned_data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
            status = error.http_status
        else:
            return redirect(reverse("events-track", args=[token]) + "?disputed=1")
    return render(request, "events/track.html", _track_context(request, event, dispute_form=form), status=status)


@require_GET
def track_photo(request, token: str, photo_id: int):
    event = _access(token)
    if selectors.is_personal_category(event.category.code):
        raise Http404(_("No such photo."))
    photo = event.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404(_("No such photo."))
    return photo_response(photo.public_image)


@require_GET
def public_photo(request, code: str, photo_id: int):
    """The EXIF-stripped copy of a photo of a public event, by the event's code: what
    Open311's media_url points at (the private follow link is never published)."""
    event = selectors.event_by_code(code)
    if event is None or selectors.is_personal_category(event.category.code) or not event.category.is_public:
        raise Http404(_("No such photo."))
    photo = event.photos.filter(pk=photo_id).first()
    if photo is None or not selectors.photo_is_published(event, photo):
        raise Http404(_("No such photo."))
    return photo_response(photo.public_image)


@never_cache
@require_GET
def track_lookup(request):
    """An event's public status by its code: status and steps only. Rating and disputing
    need the private link."""
    form = TrackLookupForm(request.GET or None)
    context: dict = {"form": form, "event": None}
    status = 200
    if form.is_bound:
        if _limited(request, "lookup", LOOKUPS_PER_HOUR, count=True):
            form.is_valid()
            form.add_error(None, _("Too many look-ups from this connection. Please try again in an hour."))
            return render(request, "events/track_lookup.html", context, status=429)
        if form.is_valid():
            event = selectors.event_by_code(form.cleaned_data["code"])
            if event is None:
                form.add_error("code", _("No event has this code."))
                status = 404
            else:
                personal = selectors.is_personal_category(event.category.code)
                context.update({
                    "event": {"code": event.code, "created_at": event.created_at},
                    "category_name": _("A personal matter") if personal else event.category.name,
                    "public_status": _public_status(event),
                    "steps": public_timeline(event.timeline.order_by("at", "id").only("action", "to_status", "at")),
                })
        else:
            status = 400
    return render(request, "events/track_lookup.html", context, status=status)
