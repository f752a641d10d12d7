"""The care-only view of a person's data export (PIPL art. 45): the person's record and
everything the care programs hold about them, for a purpose from the list. A POST (a
GET is 405), logged once as `person.export` with the purpose, counted for bulk use
(`core.exports`). The export covering every app is `POST /people/{id}/export/`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers

from gridgov.care import export
from gridgov.care.api.common import CareApiView
from gridgov.core.api.common import errors
from gridgov.core.api.exports import PurposeInputSerializer, export_response
from gridgov.core.permissions import Capability


@extend_schema_serializer(component_name="CarePersonExport")
class PersonExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    purpose = serializers.DictField(help_text="`code`, `label` and `note` of the purpose given.")
    person = serializers.DictField(help_text="The person's record in full (name, resident ID, phone, address…).")
    enrollments = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each enrollment with its details, team, visits, crises, handovers and payments.")


class PersonCareExportApi(CareApiView):
    required_capabilities = {"POST": Capability.VIEW_CARE_DETAILS}

    @extend_schema(
        operation_id="care_person_export",
        summary="Export what the care programs hold about a person, for a stated purpose",
        tags=["care"],
        request=PurposeInputSerializer,
        responses={200: PersonExportSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request, person_id: int):
        return export_response(request, person_id, run=export.person_care_export, filename=export.filename)
