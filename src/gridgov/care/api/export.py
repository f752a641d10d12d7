"""The care-only view of a person's data export (PIPL art. 45): the person's record and
everything the care programs hold about them, for a purpose from the list. A POST (a
GET is 405), logged once as `person.export` with the purpose, counted for bulk use
(`core.exports`). The export covering every app is `POST /people/{id}/export/`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import export
from gridgov.care.api.common import CareApiView
from gridgov.core import selectors as core_selectors
from gridgov.core.api.common import errors, no_store
from gridgov.core.api.exports import PurposeInputSerializer
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
        person = core_selectors.access_person(request.user, person_id)
        data = PurposeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = export.person_care_export(
            actor=request.user, person=person,
            purpose=data.validated_data["purpose"], note=data.validated_data["note"],
        )
        response = no_store(Response(export.as_data(document)))
        response["Content-Disposition"] = f'inline; filename="{export.filename(person)}"'
        return response
