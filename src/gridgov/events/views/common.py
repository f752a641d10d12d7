"""What the event pages share: role checks, traffic lights, keyset pages,
maps' data, photos, and idempotent submissions."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Subquery
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import images
from gridgov.core.models import OrgLevel, OrgUnit
from gridgov.core.pagination import keyset_page, query_string  # noqa: F401 (query_string: re-exported for the events views)
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.workcal import Light
from gridgov.events.deadlines import step_light
from gridgov.events.models import Event
from gridgov.events.workflow import Status

QUEUE = Capability.WORK_EVENT_DESK  # the centre's queue, map and ranking
INBOX = Capability.HANDLE_EVENTS  # a department's or station's inbox
MAX_MAP_CELLS = 1500
MAX_MAP_EVENTS = 2000

LIGHT_LABELS = {
    Light.GREEN: gettext_lazy("On time"),
    Light.YELLOW: gettext_lazy("Due soon"),
    Light.RED: gettext_lazy("Overdue"),
}


def require_capability(user, capability: Capability) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied(_("You do not have permission to do this."))


def event_access(check):
    """The page's declared "who may use this at all": `check(user)` raises `Forbidden` (a
    403 page through `domain_errors_as_http`, placed outside this) before the form or the
    event is read, so a role that may never use the page gets 403, not 400 or 404."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            check(request.user)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# --- Traffic lights and keyset pages (the list rows: events.views.rows) ---------------------------------------------------------------


light_of = step_light  # the same light as the API (events.deadlines)


def keyset_rows(queryset, after: int | None, size: int, *, order=("-pk",)) -> tuple[list, int | None]:
    """A page of events newest first (by id, or in `order`, which ends in the id) after the
    event `after` (`core.pagination`), and the id to continue from.

    In a two-column order the position's leading value is also a plain bound (`created_at <=
    that of the event `after``, read in the same statement), so that the page is one range of
    the index that gives the order, however deep (issue 12)."""
    if after and len(order) > 1:
        leading = order[0].lstrip("-")
        position = Subquery(Event._base_manager.filter(pk=after).values(leading)[:1])
        queryset = queryset.filter(**{f"{leading}__{'lte' if order[0].startswith('-') else 'gte'}": position})
    page = keyset_page(queryset, after=after, order=order, size=size)
    return page.rows, page.next_after


# --- Maps -----------------------------------------------------------------------------------


def cells_geojson(cells) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": cell.polygon, "properties": {"code": cell.code, "name": cell.name}}
            for cell in cells if cell.polygon
        ],
    }


def grid_cells(*, prefix: str = "", codes: list[str] | None = None, limit: int = MAX_MAP_CELLS) -> list[OrgUnit]:
    """Grid cells with their polygons: those under `prefix`, or the listed ones (at most `limit`)."""
    cells = OrgUnit.objects.filter(level=OrgLevel.GRID, polygon__isnull=False)
    if codes is not None:
        cells = cells.filter(code__in=codes)
    elif prefix:
        cells = cells.filter(code__startswith=prefix)
    return list(cells.only("code", "name", "polygon").order_by("code")[:limit])


# --- Photos ---------------------------------------------------------------------------------


def photo_response(file_field) -> FileResponse:
    return images.photo_response(file_field, cache_control="private, max-age=3600")


def photo_links(event: Event, photos) -> list[dict]:
    return [
        {
            "thumb": reverse("events-photo", args=[event.pk, photo.pk, "thumb"]),
            "large": reverse("events-photo", args=[event.pk, photo.pk, "large"]),
        }
        for photo in photos
    ]


# --- Idempotent submissions -------------------------------------------------------------------


class _Replay(Exception):
    """Another request stored an event under this key first: roll this one back."""


def submit_once(request, key: str, submit) -> tuple[Event | None, bool]:
    """Run `submit()` (which returns the new event) once per (user, key).

    The same key from the same user again returns the first event and creates nothing new
    (a resubmission after a network failure). The key and the event commit together, so
    two racing retries create one event. Returns (event, replayed); event is None when the
    key was used for a different form."""
    from gridgov.core.api.idempotency import KeyTaken, StoredResponse, get_store

    user = request.user
    if not key:
        return submit(), False
    store = get_store()
    stored = store.get(user=user, key=key)
    if stored is None:
        try:
            with transaction.atomic():
                event = submit()
                try:
                    store.save(user=user, key=key,
                               response=StoredResponse("POST", request.path[:300], 201, {"event": event.pk}))
                except KeyTaken:
                    raise _Replay() from None
            return event, False
        except _Replay:
            stored = store.get(user=user, key=key)
            if stored is None:
                return None, True
    if stored.path != request.path[:300] or not isinstance(stored.body, dict) or "event" not in stored.body:
        return None, True
    return Event.objects.filter(pk=stored.body["event"]).first(), True


# --- Words for people -----------------------------------------------------------------------

# The status as a resident reads it on the public page.
PUBLIC_STATUS = {
    Status.REGISTERED: gettext_lazy("Received, waiting to be sent to the responsible department"),
    Status.DISPATCHED: gettext_lazy("Sent to the responsible department"),
    Status.ACCEPTED: gettext_lazy("Being handled"),
    Status.HANDLED: gettext_lazy("Handled, being checked on site"),
    Status.VERIFIED: gettext_lazy("Checked on site, about to be closed"),
    Status.CLOSED: gettext_lazy("Closed: the problem was solved"),
    Status.EVALUATED: gettext_lazy("Closed: the problem was solved"),
    Status.RETURNED: gettext_lazy("Being passed to the right department"),
    Status.SUSPENDED: gettext_lazy("Long-term work in progress"),
    Status.CANCELLED: gettext_lazy("Not taken up (invalid or repeated report)"),
}

# Timeline steps the public sees (time and step name only); others are internal.
PUBLIC_STEPS = {
    "register": gettext_lazy("Report received"),
    "dispatch": gettext_lazy("Sent to the responsible department"),
    "accept": gettext_lazy("Accepted by the department"),
    "return": gettext_lazy("Being passed to the right department"),
    "handle": gettext_lazy("Handled"),
    "extend": gettext_lazy("More time requested"),
    "suspend": gettext_lazy("Put on long-term work"),
    "resume": gettext_lazy("Work resumed"),
    "cancel": gettext_lazy("Not taken up"),
    "close": gettext_lazy("Closed"),
    "reopen": gettext_lazy("Reopened"),
    "merge": gettext_lazy("Joined to an earlier report of the same problem"),
    "resolve_on_site": gettext_lazy("Fixed on the spot and closed"),
    "reporter_rating": gettext_lazy("The reporter rated the result"),
    "dispute": gettext_lazy("The reporter said the problem is not solved"),
}

# Timeline entries as staff read them.
STEP_LABELS = {
    "register": gettext_lazy("Reported"),
    "merge": gettext_lazy("Merged as a duplicate"),
    "reporter_rating": gettext_lazy("Rated by the reporter"),
    "dispute": gettext_lazy("Disputed by the reporter"),
    "to_mediation": gettext_lazy("Handed over to people's mediation"),
    "supervise": gettext_lazy("Supervision by the level above"),
}


def public_timeline(entries) -> list[dict]:
    """Time and step name only: no names, notes or reasons."""
    steps = []
    for entry in entries:
        label = PUBLIC_STEPS.get(entry.action)
        if entry.action == "verify":
            label = (gettext_lazy("Checked on site") if entry.to_status == Status.VERIFIED
                     else gettext_lazy("Checked on site: more work needed"))
        if label is not None:
            steps.append({"at": entry.at, "label": str(label)})
    return steps
