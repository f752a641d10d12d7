"""The people registry: masked lists, registration, and opening a full record with a purpose.

Fields a role may not see come back masked ("张*", "9901*************X"), never omitted.
A full record is shown only by `POST /people/{id}/open/`, which logs the stated purpose.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import selectors, services
from gridgov.core.api.common import (
    API_PERMISSIONS,
    errors,
    latitude_field,
    longitude_field,
    no_store,
    paginated_response,
)
from gridgov.core.api.idempotency import BODY_FIELD, IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.models import Gender
from gridgov.core.permissions import Capability
from gridgov.core.purposes import MAX_NOTE_LENGTH, Purpose


@extend_schema_serializer(component_name="Person")
class PersonSerializer(serializers.Serializer):
    """A person as the requesting user may see them (reads a `selectors.PersonView`)."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked (`张*`) for roles that may not see names.")
    gender = serializers.CharField(help_text="`M`, `F`, or empty.")
    birth_date = serializers.CharField(help_text="`YYYY-MM-DD`; `YYYY-**-**` when masked.")
    resident_id = serializers.CharField(help_text="Masked (`3205*************X`) unless opened.")
    phone = serializers.CharField(help_text="Masked (`138******78`) unless opened.")
    address = serializers.CharField(help_text="Masked after the first characters unless opened.")
    org_code = serializers.CharField()
    lat = serializers.FloatField(allow_null=True, help_text="WGS-84; null for roles without precise locations.")
    lng = serializers.FloatField(allow_null=True, help_text="WGS-84; null for roles without precise locations.")
    masked = serializers.BooleanField(help_text="True unless this is an opened full record.")


def _masked_row(user):
    return lambda person: selectors.person_view(user, person)


class PeopleApi(APIView):
    """`GET`: people in the user's area, masked for the role. `POST`: register a person."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.VIEW_PEOPLE, "POST": Capability.EDIT_PEOPLE}
    pagination_class = KeysetPagination
    OutputSerializer = PersonSerializer

    class FilterSerializer(serializers.Serializer):
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)
        q = serializers.CharField(required=False, allow_blank=True, max_length=100)

    @extend_schema_serializer(component_name="PersonCreate")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=50)
        resident_id = serializers.CharField(max_length=32, help_text="GB 11643, check digit verified.")
        phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
        address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
        org_code = serializers.CharField(max_length=15)
        lat = latitude_field(required=False, allow_null=True, default=None)
        lng = longitude_field(required=False, allow_null=True, default=None)
        birth_date = serializers.DateField(
            required=False, allow_null=True, default=None, help_text="Defaults from the resident ID."
        )
        gender = serializers.ChoiceField(
            choices=Gender.choices, required=False, allow_blank=True, default="",
            help_text="Defaults from the resident ID.",
        )
        idempotency_key = serializers.CharField(
            required=False, max_length=200, write_only=True,
            help_text="Same as the `Idempotency-Key` header.",
        )

    @extend_schema(
        operation_id="people_list",
        summary="People in the area, masked for the role",
        tags=["people"],
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, description="Only people in this org unit's subtree."),
            OpenApiParameter(
                "q", OpenApiTypes.STR,
                description=(
                    "A name fragment (roles that see names), or an exact resident ID or phone number "
                    "(only roles that may open full records: each such search is audited and limited "
                    "per hour, 429 `rate_limited` past the limit; for other roles it matches nobody)."
                ),
            ),
        ],
        responses={200: PersonSerializer(many=True), **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        org = filters.validated_data.get("org") or None
        if org:
            selectors.access_org_unit(request.user, org)
        people = services.check_people_search(
            actor=request.user, query=filters.validated_data.get("q", ""), org=org, where="people_api"
        )
        return no_store(
            paginated_response(
                request=request, view=self, queryset=people,
                serializer_class=self.OutputSerializer, to_row=_masked_row(request.user),
            )
        )

    @extend_schema(
        operation_id="people_create",
        summary="Register a person",
        tags=["people"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={201: PersonSerializer, **errors(400, 401, 403, 409)},
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != BODY_FIELD}
        person = services.person_create(actor=request.user, **fields)
        row = selectors.person_view(request.user, person)
        return no_store(Response(self.OutputSerializer(row).data, status=201))


class PersonDetailApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.VIEW_PEOPLE}
    OutputSerializer = PersonSerializer

    @extend_schema(
        operation_id="people_retrieve",
        summary="One person, masked for the role",
        tags=["people"],
        responses={200: PersonSerializer, **errors(401, 403, 404)},
    )
    def get(self, request, person_id: int):
        person = selectors.access_person(request.user, person_id)
        return no_store(Response(self.OutputSerializer(selectors.person_view(request.user, person)).data))


class PersonOpenRecordApi(APIView):
    """Show a person's full record for a purpose chosen from the list (with an optional note);
    both are written to the audit log."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.OPEN_PERSON_RECORD}
    OutputSerializer = PersonSerializer

    @extend_schema_serializer(component_name="PersonOpenRecord")
    class InputSerializer(serializers.Serializer):
        # Checked by the service (`core.purposes`), which answers 400 `purpose_required`
        # with Chinese field errors when the purpose is missing, unknown or needs a note.
        purpose = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=500,
            help_text="A purpose code from `core.purposes`: " + ", ".join(f"`{c}`" for c in Purpose.values)
            + "; kept in the audit log.",
        )
        note = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=2000,
            help_text=f"Optional detail (which visit, which request), at most {MAX_NOTE_LENGTH} characters; "
            "required for `other` and `official_request`.",
        )

    @extend_schema(
        operation_id="people_open_record",
        summary="Open the full record, stating a purpose",
        tags=["people"],
        request=InputSerializer,
        responses={200: PersonSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, person_id: int):
        person = selectors.access_person(request.user, person_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        full = services.person_open_record(
            actor=request.user, person=person,
            purpose=data.validated_data["purpose"], note=data.validated_data["note"],
        )
        return no_store(Response(self.OutputSerializer(full).data))
