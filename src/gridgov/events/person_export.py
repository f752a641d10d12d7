"""The events' section of a person's data export (`core.exports`).

An event does not name a resident: its reporter is a staff or resident *account* and its
reporter name and contact are free text (encrypted, not indexed), so they cannot be matched
to a person. What does link events to a person is a place: the events about the shops,
schools or centres the person is registered as responsible for.

The same link tells core which of the events' notifications speak of a person
(`person_event_subjects`, registered with `core.notifications`): when the register anonymises
the person, what those notifications said (a return's reason, a text naming the shop's
keeper) is forgotten with them."""

from __future__ import annotations

from gridgov.events.models import Event


def person_events_export(*, person) -> dict:
    events = (
        Event.objects.filter(place__responsible_person=person)
        .select_related("category", "place")
        .order_by("created_at", "id")
    )
    return {
        "about_places_responsible_for": [
            {
                "code": e.code,
                "category": e.category.name,
                "place": e.place.name,
                "status": e.get_status_display(),
                "description": e.description,
                "reported_at": e.created_at,
                "closed_at": e.closed_at,
            }
            for e in events
        ],
    }


def person_event_subjects(person_ids: list[int]) -> list[tuple[str, list[int]]]:
    """The notification subjects of the events about the places these people are (or were)
    responsible for (one query)."""
    ids = list(Event.objects.filter(place__responsible_person_id__in=person_ids).values_list("pk", flat=True))
    return [("events.event", ids)] if ids else []
