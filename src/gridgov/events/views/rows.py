"""The rows of the event lists (the dispatcher's queue, a unit's inbox, the worker's own
reports), made ready in Python before the template runs (issue 12).

A row is a plain dict (`Row`) of what it shows, every word, time and address already
worked out: the template reads values only — no `{% url %}`, no filter chain, no include,
no query per row. Addresses come from one `reverse()` a page (`core.links.id_url`); the
traffic lights from one working clock per calendar (`events.deadlines.PageLights`); the
labels are translated once a page. A row names at most `HINTS_SHOWN` possible duplicates,
then links to the event's page for the rest ("and 4 more").
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.core import orgnames
from gridgov.core.links import id_url
from gridgov.events import selectors
from gridgov.events.deadlines import PageLights
from gridgov.events.models import Event
from gridgov.events.views.common import LIGHT_LABELS
from gridgov.events.workflow import TRANSITIONS, SideAction, Status

HINTS_SHOWN = 3  # possible duplicates named on a row; the rest are on the event's page
DESCRIPTION_CHARS = 120
LIST_ZONE = ZoneInfo("Asia/Shanghai")  # the zone the lists show times in
DUPLICATES_ANCHOR = "#duplicates-heading"  # the "Possible duplicates" card of the event's page


class Row(dict):
    """One list row: a dict, which the template reads at a dict's speed, whose keys also
    read as attributes in Python code and tests (`row.event`, `row.light`)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _format(message: str, **values) -> SafeString:
    """`{% blocktranslate %}` in Python: the translated text with each value escaped."""
    return mark_safe(message % {key: conditional_escape(value) for key, value in values.items()})


def _return_text(note: dict | None) -> tuple[dict | None, str]:
    if not note:
        return None, ""
    returned = {"by": note.get("by_name") or note.get("by") or "", "who": note.get("who") or "",
                "reason": note.get("reason") or "", "suggested": note.get("suggested_name") or ""}
    text = _format(_("Returned by %(unit)s (%(who)s): %(reason)s"), unit=returned["by"], who=returned["who"],
                   reason=returned["reason"])
    if returned["suggested"]:
        text = mark_safe(text + " · " + _format(_("Should go to %(dept)s"), dept=returned["suggested"]))
    return returned, text


def event_rows(events: list[Event], *, now: datetime.datetime | None = None, hints: dict | None = None,
               merging: bool = False) -> list[Row]:
    """Rows for a page of events: the lights from two queries (the calendars), the places'
    names from one, whatever the rows (none for an empty page); with `hints`
    (`selectors.duplicate_hints`), each row's possible duplicates, and with `merging` a
    "Merge into" button for each earlier one while the row may still be merged.

    The events carry `return_note` (`selectors.with_return_notes`) and `rework_note`
    (`selectors.with_rework_notes`) where the page reads them."""
    if not events:
        return []
    now = now or timezone.now()
    # Every row's calendar, not only those of open rows: the page's queries do not depend on
    # what its rows hold.
    lights = PageLights(selectors.work_calendars_for(e.org_code for e in events), now=now)
    places = orgnames.org_name_paths({e.org_code for e in events})
    detail_url, merge_url = id_url("events-detail"), id_url("events-merge")
    status_labels = {value: str(label) for value, label in Status.choices}
    light_labels = {light: str(label) for light, label in LIGHT_LABELS.items()}
    mergeable = TRANSITIONS[SideAction.MERGE].sources  # the table's: not yet accepted
    hints = hints or {}
    rows = []
    for e in events:
        light = lights.light(status=e.status, org_code=e.org_code, started=e.step_started_at,
                             deadline=e.step_deadline)
        created = e.created_at
        due = e.step_deadline if (e.step_deadline and light) else None
        url = detail_url(e.pk)
        returned, returned_text = _return_text(getattr(e, "return_note", None))
        rework_note = getattr(e, "rework_note", "") or ""
        found = hints.get(e.pk, ())
        may_merge = merging and e.status in mergeable
        shown = [
            {"code": h.code, "url": detail_url(h.pk), "pk": h.pk,
             "merge": _format(_("Merge into %(code)s"), code=h.code)
             if may_merge and (h.created_at, h.pk) < (created, e.pk) else ""}
            for h in found[:HINTS_SHOWN]
        ]
        more = len(found) - len(shown)
        rows.append(Row(
            event=e, pk=e.pk, code=e.code, url=url, status=e.status,
            status_label=status_labels.get(e.status, e.status),
            category=e.category.name, light=light, light_label=light_labels.get(light, ""),
            created_iso=created.astimezone(datetime.UTC).isoformat(),
            created_text=created.astimezone(LIST_ZONE).strftime("%Y-%m-%d %H:%M"),
            org_code=e.org_code, place=places.get(e.org_code, e.org_code),
            department=e.department.name if e.department_id else "",
            due_iso=due.astimezone(datetime.UTC).isoformat() if due else "",
            due_text=due.astimezone(LIST_ZONE).strftime("%m-%d %H:%M") if due else "",
            description=Truncator(e.description).chars(DESCRIPTION_CHARS),
            returned=returned, returned_text=returned_text,
            rework_note=rework_note,
            rework_text=_format(_("Verification failed: %(note)s"), note=rework_note) if rework_note else "",
            hints=shown, merge_url=merge_url(e.pk) if any(h["merge"] for h in shown) else "",
            more_hints=more, more_url=url + DUPLICATES_ANCHOR if more else "",
            more_text=ngettext("and %(count)s more", "and %(count)s more", more) % {"count": more} if more else "",
        ))
    return rows
