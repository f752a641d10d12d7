"""A person's data export covering every app (PIPL art. 45), and an auditor lifting the
hold that bulk use of exports puts on a user. See `core.exports` for who may export and how
bulk use is flagged."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import exports, selectors
from gridgov.core.api.common import API_PERMISSIONS, errors, no_store
from gridgov.core.permissions import Capability
from gridgov.core.purposes import MAX_NOTE_LENGTH, Purpose


@extend_schema_serializer(component_name="StatedPurpose")
class PurposeInputSerializer(serializers.Serializer):
    # Judged by `core.purposes.check_purpose`, which answers 400 `purpose_required` with
    # Chinese field errors (missing, not on the list, a note needed).
    purpose = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500,
        help_text="A purpose code: " + ", ".join(f"`{c}`" for c in Purpose.values) + ".",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000,
        help_text=f"Optional detail, at most {MAX_NOTE_LENGTH} characters; required for `other` and "
        "`official_request`.",
    )


@extend_schema_serializer(component_name="PersonDataExport")
class PersonDataExportSerializer(serializers.Serializer):
    exported_at = serializers.DateTimeField()
    purpose = serializers.DictField(help_text="`code`, `label` and `note` of the purpose given.")
    person = serializers.DictField(help_text="The person's record in full.")
    register = serializers.DictField(
        required=False, help_text="Households and moves, buildings let, places responsible for, field history.")
    events = serializers.DictField(required=False, help_text="Events about the places the person is responsible for.")
    care = serializers.DictField(
        required=False, help_text="Enrollments with their details, team, visits, crises, handovers and payments "
        "(only for roles that see care details).")
    not_included = serializers.ListField(
        child=serializers.DictField(), help_text="Sections this role may not export: `section` and `label`.")


def export_response(request, person_id: int, *, run, filename) -> Response:
    """Answer a person's data export: the person as the user may reach them (404 otherwise),
    the stated purpose (`PurposeInputSerializer`), then `run(actor=, person=, purpose=, note=)`
    (`core.exports.person_export`, or an app's view of it, which logs and counts it), as JSON
    that is not stored, named `filename(person)`. The API's twin of `export_views.export_page`."""
    person = selectors.access_person(request.user, person_id)
    data = PurposeInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    document = run(actor=request.user, person=person,
                   purpose=data.validated_data["purpose"], note=data.validated_data["note"])
    response = no_store(Response(exports.as_data(document)))
    response["Content-Disposition"] = f'inline; filename="{filename(person)}"'
    return response


class PersonExportApi(APIView):
    """`POST`: everything every app holds about the person, as JSON, for a listed purpose."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.OPEN_PERSON_RECORD}

    @extend_schema(
        operation_id="people_export",
        summary="Export everything held about a person, for a stated purpose",
        tags=["people"],
        request=PurposeInputSerializer,
        responses={200: PersonDataExportSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request, person_id: int):
        return export_response(request, person_id, run=exports.person_export, filename=exports.filename)


class ExportHoldClearApi(APIView):
    """`POST`: an auditor lets a user whose bulk exports were flagged export again."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.REVIEW_BULK_EXPORTS}

    @extend_schema_serializer(component_name="ExportHoldClear")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=400,
                                     help_text="What the review found; kept in the audit log.")

    @extend_schema_serializer(component_name="ExportHold")
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        on_hold = serializers.BooleanField()

    @extend_schema(
        operation_id="export_holds_clear",
        summary="Lift the hold on a user's personal data exports",
        tags=["audit"],
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, username: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = exports.export_hold_clear(actor=request.user, username=username, note=data.validated_data["note"])
        return Response(self.OutputSerializer({"username": user.get_username(), "on_hold": False}).data)
