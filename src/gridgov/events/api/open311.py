"""Open311 GeoReport v2 at `/open311/v2/`, in JSON and XML (http://wiki.open311.org/GeoReport_v2).

Reading is public; posting a request needs an `api_key` made with `gridgov open311_key
create` (no session, no CSRF). The public sees events of public categories only, never
who reported them, who handled them or any text typed by staff: `status_notes` is a fixed
sentence per status; description, address and photo only of reports the public sent (see
`request_json`). Personal matters (a family dispute, a child, an old person asking for help)
are listed without description, place or photo.

Errors are the spec's list of `{code, description}` with HTTP 400, 403, 404 (and 429 when a
key posts faster than `GRIDGOV_OPEN311_POST_RATE`, 60/minute by default, or a client reads
faster than `GRIDGOV_OPEN311_READ_RATE`, 300/minute per address by default).

The request list (issue 12) holds the newest `page_size` requests of its window: 50 unless
the client asks for more, and at most 1000, the spec's limit. A client reads further back by
asking again with `end_date` set to the oldest `requested_datetime` it has (the spec's
windows), so that every request is one index range of the event table; or, for the first
10,000 requests of a window, with `page=2, 3, …` (a common extension of the spec).

The list is the same for everyone who asks the same question, so its answer is kept in the
cache for `GRIDGOV_OPEN311_LIST_CACHE_SECONDS` (5 by default) under the normalised question
(format, language, host, the parsed filters): a request changed in the meantime shows its
change at most that many seconds late. The read throttle still counts every read.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import EmailValidator
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from gridgov.core import dates
from gridgov.core.exceptions import DomainError
from gridgov.events import intake_keys, selectors
from gridgov.events.models import Channel, IntakeKey
from gridgov.events.workflow import FINISHED_STATUSES, OPEN_STATUSES, Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-01-01T00:00:00+08:00"  # when this endpoint's behaviour last changed
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_REQUESTS = 1000  # the spec's limit of one answer
DEFAULT_PAGE_SIZE = 50  # CONTRACTS' page size of a list
MAX_PAGED = 10_000  # `page` reaches this many requests of a window at most (an offset costs its rows)
MAX_DESCRIPTION = 4000
ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]{1,100})\]$")
# The spec's field names for our validation errors' fields.
SPEC_FIELD = {"category": "service_code", "lng": "long", "lat": "lat", "address": "address_string",
              "description": "description", "urgency": "service_code", "photos": "media_url"}
# XML: the element of each item of a list.
XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
             "formats": "format", "attributes": "attribute", "values": "value"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = str(description)


# --- Rendering --------------------------------------------------------------------------


def _xml_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(tag: str, value) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list):
        for item in value:
            element.append(_xml_element(XML_ITEMS.get(tag, "item"), item))
    else:
        element.text = _xml_text(value)
    return element


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under the root element `root` (UTF-8, with the declaration)."""
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
            _xml_element(root, data), encoding="unicode")
    else:
        body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status=status)


def _iso(value: datetime.datetime | None, tz) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


# --- The base view ----------------------------------------------------------------------


class AnyAccept(BaseContentNegotiation):
    """The format is the path's suffix (`.json`, `.xml`), whatever the Accept header says."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if parser.media_type.split(";")[0] == (request.content_type or "").split(";")[0]:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class Open311PostThrottle(SimpleRateThrottle):
    """POSTs per api_key (per client address without one): `GRIDGOV_OPEN311_POST_RATE`."""

    scope = "open311_post"

    def get_rate(self):
        return getattr(settings, "GRIDGOV_OPEN311_POST_RATE", "60/minute")

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        secret = (request.data.get("api_key") or "") if hasattr(request.data, "get") else ""
        ident = intake_keys.hash_key(str(secret)) if secret else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class Open311ReadThrottle(SimpleRateThrottle):
    """Reads (GET, HEAD) per client address: `GRIDGOV_OPEN311_READ_RATE`. The feed is public
    and served without a key, so one client cannot take the server's whole capacity."""

    scope = "open311_read"

    def get_rate(self):
        return getattr(settings, "GRIDGOV_OPEN311_READ_RATE", "300/minute")

    def get_cache_key(self, request, view):
        if request.method not in ("GET", "HEAD"):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class Open311View(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = [Open311ReadThrottle]
    content_negotiation_class = AnyAccept
    schema = None  # not part of the OpenAPI document of /api/v1/

    @property
    def fmt(self) -> str:
        return self.kwargs.get("fmt") if self.kwargs.get("fmt") in CONTENT_TYPES else "json"

    def handle_exception(self, exc):
        if isinstance(exc, Open311Error):
            return render_errors(self.fmt, exc.status, [exc.description])
        if isinstance(exc, exceptions.Throttled):
            response = render_errors(self.fmt, 429, [_("Too many requests; try again in %(n)d seconds.") % {
                "n": int(exc.wait or 60)}])
            response["Retry-After"] = str(int(exc.wait or 60))
            return response
        if isinstance(exc, DomainError):
            status = exc.http_status
            if exc.fields:
                descriptions = [f"{SPEC_FIELD.get(field, field)}: {message}"
                                for field, messages in exc.fields.items() for message in messages]
            else:
                descriptions = [exc.message]
            return render_errors(self.fmt, status if status in {400, 403, 404} else 400, descriptions)
        if isinstance(exc, Http404 | exceptions.NotFound):
            return render_errors(self.fmt, 404, [_("Not found.")])
        if isinstance(exc, exceptions.MethodNotAllowed):
            return render_errors(self.fmt, 405, [_("Method not allowed.")])
        if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            return render_errors(self.fmt, 400, [_("Send the fields form-encoded (application/x-www-form-urlencoded).")])
        return super().handle_exception(exc)


def _base_url(request) -> str:
    return request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")


# --- Discovery and services -------------------------------------------------------------


class DiscoveryApi(Open311View):
    def get(self, request, fmt):
        return render(fmt, "discovery", {
            "changeset": CHANGESET,
            "contact": getattr(settings, "GRIDGOV_OPEN311_CONTACT", ""),
            "key_service": getattr(settings, "GRIDGOV_OPEN311_KEY_SERVICE", ""),
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": _base_url(request).rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        })


def _service_row(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(category.ancestor_names),
        "group": category.domain_name,
    }


def _public_service(code: str):
    for category in selectors.public_services():
        if category.code == code:
            return category
    return None


class ServiceListApi(Open311View):
    def get(self, request, fmt):
        return render(fmt, "services", [_service_row(c) for c in selectors.public_services()])


class ServiceDefinitionApi(Open311View):
    def get(self, request, fmt, code):
        if _public_service(code) is None:
            raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
        return render(fmt, "service_definition", {"service_code": code, "attributes": []})


# --- Requests ---------------------------------------------------------------------------


# hostile (issue 10): the public feed never carries text typed by staff, which may name
# people or give their phone: `status_notes` is a fixed sentence per status, and the
# description, address and photo are published only where the reporter sent them through a
# public channel for publication (the resident's web form, an Open311 app).
PUBLIC_CHANNELS = frozenset({Channel.RESIDENT, Channel.OPEN311})


def _status_note(status: str) -> str:
    if status in {Status.REGISTERED, Status.DISPATCHED, Status.RETURNED}:
        return _("Received; being passed to the unit responsible.")
    if status == Status.ACCEPTED:
        return _("Accepted by the unit responsible; being dealt with.")
    if status in {Status.HANDLED, Status.VERIFIED}:
        return _("Dealt with; the result is being checked on site.")
    if status in {Status.CLOSED, Status.EVALUATED}:
        return _("Dealt with and closed.")
    if status == Status.SUSPENDED:
        return _("On hold: this needs long-term work.")
    return _("Cancelled.")


def request_rows(rows: list[dict], request) -> list[dict]:
    """A page of requests from rows of `selectors.public_event_rows`, serialised by hand
    (issue 12). What every row of a status or a category shares is worked out once for the
    page (the status sentence, whether the category is personal), the zone is read once, and
    the published photos come from one query (`selectors.published_photos`)."""
    notes: dict[str, str] = {}
    personal: dict[str, bool] = {}
    photos = selectors.published_photos(rows)
    tz = timezone.get_current_timezone()
    out = []
    for row in rows:
        status, code = row["status"], row["category__code"]
        if status not in notes:
            notes[status] = _status_note(status)
        if code not in personal:
            personal[code] = selectors.is_personal_category(code)
        out.append(request_json(row, request, tz=tz, status_note=notes[status], personal=personal[code],
                                photo_id=photos.get(row["id"])))
    return out


def request_json(row: dict, request, *, tz, status_note: str, personal: bool, photo_id: int | None) -> dict:
    """One service request as the public may see it (no reporter, no staff, no staff-typed text)."""
    published = row["channel"] in PUBLIC_CHANNELS and not personal
    agency = row["department__name"] if row["department__name"] is not None else row["owner_department__name"]
    name = row["category__name"]
    return {
        "service_request_id": row["code"],
        "status": "closed" if row["status"] in FINISHED_STATUSES else "open",
        "status_notes": status_note,
        "service_name": name,
        "service_code": row["category__code"],
        "description": row["description"] if published else ("" if personal else name),
        "agency_responsible": agency if agency is not None else "",
        "service_notice": "",
        "requested_datetime": _iso(row["created_at"], tz),
        "updated_datetime": _iso(row["updated_at"], tz),
        "expected_datetime": _iso(row["handle_deadline"], tz),
        "address": row["address"] if published else "",
        "address_id": "",
        "zipcode": "",
        "lat": None if personal else row["lat"],
        "long": None if personal else row["lng"],
        "media_url": request.build_absolute_uri(reverse("events-public-photo", args=[row["code"], photo_id]))
        if published and photo_id is not None else "",
    }


def _moment(value: str, field: str, *, end: bool = False) -> datetime.datetime:
    """A w3c date-time (with an offset or Z), or a date (its start, or the next day's for an end)."""
    invalid = Open311Error(400, _("%(field)s is not an ISO 8601 date and time.") % {"field": field})
    try:
        moment = parse_datetime(value)
        day = None if moment is not None else parse_date(value)
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        raise invalid from None
    if moment is None:
        if day is None:
            raise invalid
        return dates.end_of_day(day) if end else dates.start_of_day(day)
    return dates.clamp_moment(moment)  # a day at the calendar's edge cannot overflow


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _float(value, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(field)s must be a number.") % {"field": field})
    return number


def _page_size(value: str | None) -> int:
    if not value:
        return DEFAULT_PAGE_SIZE
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, _("page_size is a whole number from 1 to %(max)d.") % {"max": MAX_REQUESTS})
    return min(int(value), MAX_REQUESTS)


def _page(value: str | None, size: int) -> int:
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, _("page is a whole number from 1."))
    if int(value) * size > MAX_PAGED:
        raise Open311Error(400, _("page reaches past the %(max)d newest requests of the window; narrow it with "
                                  "end_date.") % {"max": MAX_PAGED})
    return int(value)


@dataclass(frozen=True)
class RequestQuery:
    """The request list's question, parsed and normalised: equal questions are equal values
    (the order of codes in a list, a default spelled out or left out), whatever the spelling."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    status: str = ""  # open | closed | "" (both)
    size: int = DEFAULT_PAGE_SIZE
    page: int = 1

    @classmethod
    def parse(cls, params) -> RequestQuery:
        ids = _split(params.get("service_request_id"))
        if ids:  # the spec: this overrides every other filter
            return cls(ids=tuple(sorted(set(ids[:MAX_REQUESTS]))), size=MAX_REQUESTS)
        start = _moment(params["start_date"], "start_date") if params.get("start_date") else None
        end = _moment(params["end_date"], "end_date", end=True) if params.get("end_date") else None
        statuses = _split(params.get("status"))
        if set(statuses) - {"open", "closed"}:
            raise Open311Error(400, _("status is open or closed."))
        size = _page_size(params.get("page_size"))
        return cls(codes=tuple(sorted(set(_split(params.get("service_code"))))), start=start, end=end,
                   status=statuses[0] if statuses and set(statuses) != {"open", "closed"} else "",
                   size=size, page=_page(params.get("page"), size))

    def rows(self) -> list[dict]:
        events = selectors.public_event_rows()
        if self.ids:
            events = events.filter(code__in=self.ids)
        else:
            if self.codes:
                events = events.filter(category__code__in=self.codes)
            start = self.start if self.start is not None else (self.end or timezone.now()) - DEFAULT_WINDOW
            events = events.filter(created_at__gte=start)
            if self.end is not None:
                events = events.filter(created_at__lt=self.end)
            if self.status:
                events = events.filter(status__in=OPEN_STATUSES if self.status == "open" else FINISHED_STATUSES)
        offset = (self.page - 1) * self.size
        return list(events.order_by("-created_at", "-id")[offset:offset + self.size])

    def cache_key(self, fmt: str, request) -> str:
        """The question with what else the answer depends on: the format, the language (the
        status sentences) and the address the photo links start with."""
        question = repr((fmt, translation.get_language(), request.build_absolute_uri("/"), self.ids, self.codes,
                         self.start and self.start.isoformat(), self.end and self.end.isoformat(), self.status,
                         self.size, self.page))
        return "gridgov:open311:requests:" + hashlib.sha256(question.encode()).hexdigest()


class RequestListApi(Open311View):
    throttle_classes = [Open311ReadThrottle, Open311PostThrottle]

    def get(self, request, fmt):
        query = RequestQuery.parse(request.query_params)
        seconds = getattr(settings, "GRIDGOV_OPEN311_LIST_CACHE_SECONDS", 5)
        key = query.cache_key(fmt, request) if seconds > 0 else None
        body = cache.get(key) if key else None
        if body is not None:
            return HttpResponse(body, content_type=CONTENT_TYPES[fmt])
        response = render(fmt, "service_requests", request_rows(query.rows(), request))
        if key:
            cache.set(key, response.content, seconds)
        return response

    def post(self, request, fmt):
        data = request.data
        key = intake_keys.intake_key_check(secret=data.get("api_key"), kind=IntakeKey.Kind.OPEN311)
        if key is None:
            raise Open311Error(403, _("api_key is missing or invalid."))
        service_code = (data.get("service_code") or "").strip()
        if not service_code:
            raise Open311Error(400, _("service_code was not provided."))
        if _public_service(service_code) is None:
            raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": service_code})
        lat, lng = data.get("lat"), data.get("long")
        address = (data.get("address_string") or "").strip()
        if (lat in (None, "")) != (lng in (None, "")):
            raise Open311Error(400, _("Send both lat and long."))
        has_point = lat not in (None, "")
        if not has_point and not address:
            if data.get("address_id"):
                raise Open311Error(400, _("address_id is not supported: send lat and long, or address_string."))
            raise Open311Error(400, _("lat and long, or address_string, were not provided."))
        description = data.get("description") or ""
        if len(description) > MAX_DESCRIPTION:
            raise Open311Error(400, _("description has at most 4000 characters."))
        email = (data.get("email") or "").strip()
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                raise Open311Error(400, _("email is not a valid e-mail address.")) from None
        event = intake_keys.open311_request_submit(key=key, request=intake_keys.Open311Request(
            service_code=service_code,
            lat=_float(lat, "lat") if has_point else None,
            lng=_float(lng, "long") if has_point else None,
            address=address[:300], description=description,
            first_name=(data.get("first_name") or "")[:50], last_name=(data.get("last_name") or "")[:50],
            phone=(data.get("phone") or "")[:30], email=email[:200], media_url=data.get("media_url") or "",
            attributes={m["code"]: data.get(name) for name in data if (m := ATTRIBUTE.match(name))},
        ))
        return render(fmt, "service_requests", [{
            "service_request_id": event.code,
            "service_notice": "",
            "account_id": (data.get("account_id") or None),
        }], status=201)


class RequestDetailApi(Open311View):
    def get(self, request, fmt, request_id):
        rows = list(selectors.public_event_rows().filter(code=request_id))
        if not rows:
            raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": request_id})
        return render(fmt, "service_requests", request_rows(rows, request))


class TokenApi(Open311View):
    """Requests are registered at once, so a POST answers with the service_request_id and
    no token; a token here is that id, and answers with itself."""

    def get(self, request, fmt, token):
        if not selectors.public_events().filter(code=token).exists():
            raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
        return render(fmt, "service_requests", [{"service_request_id": token, "token": token}])


@csrf_exempt
def not_found(request, rest: str = ""):
    """Any other path under /open311/v2/ answers in the spec's error shape."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    return render_errors(fmt, 404, [_("There is no such address in the Open311 API.")])
