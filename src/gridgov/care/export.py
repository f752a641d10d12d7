"""A person's data export (PIPL art. 45): the core person fields and everything the care
programs hold about them, as one JSON document. The care service writes the audit entry."""

from __future__ import annotations

import dataclasses
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from gridgov.care import services
from gridgov.core import selectors as core_selectors


def person_export(*, actor, person) -> dict:
    care = services.person_care_export(actor=actor, person=person)
    view = dataclasses.asdict(core_selectors.person_view(actor, person, full=True))
    view.pop("masked", None)
    return {"exported_at": timezone.now(), "person": view, **care}


def as_json(document: dict) -> str:
    """The document as JSON text (dates as ISO 8601), as the API renders it too."""
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def filename(person) -> str:
    return f"person-{person.pk}-care-export.json"
