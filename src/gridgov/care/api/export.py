"""A person's data export (PIPL art. 45): the person's record and everything the care
programs hold about them. Logged once, as `person.export`."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import export
from gridgov.care.api.common import CareApiView
from gridgov.core import selectors as core_selectors
from gridgov.core.api.common import errors, no_store
from gridgov.core.permissions import Capability


@extend_schema_serializer(component_name="CarePersonExport")
class PersonExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    person = serializers.DictField(help_text="The person's record in full (name, resident ID, phone, address…).")
    enrollments = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each enrollment with its details, team, visits, crises, handovers and payments.")


class PersonCareExportApi(CareApiView):
    required_capabilities = {"GET": Capability.VIEW_CARE_DETAILS}

    @extend_schema(
        operation_id="care_person_export",
        summary="Export everything held about a person (their own request)",
        tags=["care"],
        responses={200: PersonExportSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, person_id: int):
        person = core_selectors.access_person(request.user, person_id)
        document = json.loads(export.as_json(export.person_export(actor=request.user, person=person)))
        response = no_store(Response(document))
        response["Content-Disposition"] = f'inline; filename="{export.filename(person)}"'
        return response
