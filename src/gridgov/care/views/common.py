"""What the care pages share: the area of a page, opened records, labels and rows."""

from __future__ import annotations

import datetime
import functools
import time

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.care import selectors
from gridgov.care.forms import STATUS_LABELS
from gridgov.care.models import Need
from gridgov.care.programs import Program
from gridgov.core import images
from gridgov.core import selectors as core_selectors
from gridgov.core.exceptions import NotFound
from gridgov.core.pagination import query_string  # the care views link pages with it
from gridgov.core.permissions import Capability, in_scope
from gridgov.core.permissions import require_page as require
from gridgov.core.validators import ORG_CODE_PATTERN
from gridgov.core.views import domain_errors_as_http

# After a full record is opened with a purpose, the same session sees it for this long
# (the actions on the page need no new purpose each time); then the purpose is asked again.
OPEN_WINDOW_SECONDS = 15 * 60
SESSION_KEY = "care_opened"
MAX_OPENED = 20


def today() -> datetime.date:
    return timezone.localdate()


def access_record(request, pk, capability=Capability.VIEW_CARE):
    """The enrollment of a care page, for a user of the care pages holding `capability`
    (403 otherwise; 404 outside the user's area)."""
    require(request.user, Capability.VIEW_CARE)
    require(request.user, capability)
    return selectors.access_enrollment(request.user, pk)


def record_action(capability=Capability.VIEW_CARE):
    """A POST from an enrollment's page, written once: signed in, POST only, a refusal as the
    403 or 404 page, and the enrollment fetched (`access_record`) before the view runs as
    `view(request, enrollment, **the URL's other parts)`."""

    def decorate(view):
        @login_required
        @require_POST
        @domain_errors_as_http
        @functools.wraps(view)
        def wrapper(request, pk: int, **kwargs):
            return view(request, access_record(request, pk, capability), **kwargs)

        return wrapper

    return decorate


def area(user, code: str | None):
    """The org unit a page is about: `code`, or the user's own area; 404 outside it."""
    code = code or user.scope_code
    if not in_scope(user, code):
        raise NotFound(_("No such org unit in your area."))
    return core_selectors.access_org_unit(user, code)


def safe_org(user, code: str) -> str:
    """A code to return to (a hidden field): kept only when it is a code in the user's area."""
    code = (code or "").strip()
    if ORG_CODE_PATTERN.match(code) and in_scope(user, code):
        return code
    return ""


def today_url(org: str = "", **params) -> str:
    query = query_string({"org": org, **params})
    return reverse("care-today") + (f"?{query}" if query else "")


def org_names(user, codes) -> dict[str, str]:
    """Each code of the user's area as its name path (县 › 镇 › 村 › 网格), in one query."""
    from gridgov.core.orgnames import org_name_paths_for

    return org_name_paths_for(user, codes)


def program_text(label: str) -> str:
    """A program as selectors.program_label gives it: its name, or nothing where masked."""
    try:
        return str(Program(label).label)
    except ValueError:
        return ""


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def need_labels(values) -> list[str]:
    labels = dict(Need.choices)
    return [str(labels.get(v, v)) for v in values or []]


# --- Opened records -------------------------------------------------------------------------------


def opened_purpose(request, enrollment) -> str | None:
    """The purpose the full record was opened for in this session, while the window lasts."""
    opened = request.session.get(SESSION_KEY) or {}
    entry = opened.get(str(enrollment.pk))
    if not entry or entry.get("until", 0) < time.time() or entry.get("user") != request.user.pk:
        return None
    return entry.get("purpose") or ""


def remember_opened(request, enrollment, purpose: str) -> None:
    now = time.time()
    opened = {k: v for k, v in (request.session.get(SESSION_KEY) or {}).items() if v.get("until", 0) >= now}
    opened[str(enrollment.pk)] = {"until": now + OPEN_WINDOW_SECONDS, "purpose": purpose, "user": request.user.pk}
    if len(opened) > MAX_OPENED:
        opened = dict(sorted(opened.items(), key=lambda item: item[1]["until"])[-MAX_OPENED:])
    request.session[SESSION_KEY] = opened


# --- Values of the records --------------------------------------------------------------------------


def detail_items(details: dict, labels: dict, values: dict) -> list[tuple[str, str]]:
    """A program's or a follow-up's facts as (label, text) pairs, in the order of `labels`;
    `values` names the coded values per field ({field: {value: label}})."""
    items = []
    order = list(labels) + sorted(k for k in details if k not in labels)
    for key in order:
        if key not in details:
            continue
        value, names = details[key], values.get(key, {})
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, dict):
            text = "、".join(f"{names.get(k, k)} {n}" for k, n in value.items()) or _("None")
        elif isinstance(value, list):
            text = "、".join(str(names.get(str(v), v)) for v in value)
        else:
            text = str(names.get(str(value), value))
        items.append((str(labels.get(key, key)), text))
    return items


def photo_response(file_field) -> FileResponse:
    return images.photo_response(file_field, cache_control="private, no-store")
