"""Emergency access ("break the glass"): open one person's record outside your area for a
stated emergency, for a limited time; the auditors' review queue. See `core.emergency`.

Reading the record itself goes through the ordinary endpoints (`GET /people/{id}/`,
`POST /people/{id}/open/`, the care records), which let a live grant through.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import emergency, masking, orgnames, selectors
from gridgov.core.api.audit import PeriodFilter
from gridgov.core.api.common import API_PERMISSIONS, errors, no_store
from gridgov.core.api_pagination import keyset_pagination
from gridgov.core.models import EmergencyGrant, EmergencyReason
from gridgov.core.permissions import Capability

NewestGrantFirstPagination = keyset_pagination("-granted_at", "-id")
OldestGrantFirstPagination = keyset_pagination("granted_at", "id")


@extend_schema_serializer(component_name="EmergencyGrant")
class GrantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.SerializerMethodField()
    reason = serializers.CharField(help_text="One of the emergency reasons: " + ", ".join(EmergencyReason.values))
    reason_label = serializers.CharField(source="get_reason_display")
    note = serializers.CharField()
    care_records = serializers.BooleanField(source="care_details",
                                            help_text="The person's care records are open too.")
    enrollments = serializers.SerializerMethodField(help_text="Ids of the care records open through this grant.")
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    active = serializers.SerializerMethodField()
    review = serializers.CharField(help_text="`pending`, `justified` or `not_justified`.")
    review_label = serializers.CharField(source="get_review_display")

    def get_person(self, grant) -> dict:
        user = self.context["request"].user
        return {"id": grant.person_id, "name": selectors.person_view(user, grant.person).name}

    def get_active(self, grant) -> bool:
        return emergency.is_live(grant)

    def get_enrollments(self, grant) -> list[int]:
        return self.context.get("enrollments", {}).get(grant.pk, [])


@extend_schema_serializer(component_name="EmergencyGrantForReview")
class ReviewRowSerializer(GrantSerializer):
    user = serializers.CharField(source="user.username")
    user_label = serializers.CharField(source="user.label", help_text="Who opened the record, by name.")
    org_code = serializers.CharField()
    org_path = serializers.SerializerMethodField(help_text="The person's area as its name path (县 › 镇 › 村 › 网格).")
    reviewed_by = serializers.CharField(source="reviewed_by.username", allow_null=True, default=None)
    reviewed_by_label = serializers.CharField(source="reviewed_by.label", allow_null=True, default=None)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField()

    def get_org_path(self, grant) -> str:
        return self.context.get("places", {}).get(grant.org_code, grant.org_code)

    def get_person(self, grant) -> dict:
        # Auditors check who looked at whom, not the person: the name masked.
        return {"id": grant.person_id, "name": masking.mask_name(grant.person.name)}

    def get_enrollments(self, grant) -> list[int]:
        return []


class EmergencyAccessApi(APIView):
    """`POST`: break the glass. `GET`: the caller's own grants, newest first."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.OPEN_PERSON_RECORD}
    pagination_class = NewestGrantFirstPagination

    @extend_schema_serializer(component_name="EmergencyAccessOpen")
    class InputSerializer(serializers.Serializer):
        resident_id = serializers.CharField(max_length=32, help_text="The person's exact resident ID number.")
        reason = serializers.ChoiceField(choices=EmergencyReason.choices)
        note = serializers.CharField(max_length=emergency.MAX_NOTE_LENGTH,
                                     help_text="What the emergency is (at least 5 characters).")

    class FilterSerializer(serializers.Serializer):
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="emergency_access_open",
        summary="Open one person's record outside your area for an emergency (time-boxed, reviewed)",
        tags=["emergency access"],
        request=InputSerializer,
        responses={201: GrantSerializer, 200: GrantSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant, created = emergency.emergency_access_open(actor=request.user, **data.validated_data)
        context = {"request": request, "enrollments": emergency.open_enrollments([grant])}
        body = GrantSerializer(grant, context=context).data
        return no_store(Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK))

    @extend_schema(
        operation_id="emergency_access_list",
        summary="Your own emergency accesses, newest first",
        tags=["emergency access"],
        parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="Only live (true) or ended (false).")],
        responses={200: GrantSerializer(many=True), **errors(400, 401)},
    )
    def get(self, request):
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        grants = emergency.grants_of(request.user, active=params.validated_data.get("active"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(grants, request, view=self)
        context = {"request": request, "enrollments": emergency.open_enrollments(page)}
        body = GrantSerializer(page, many=True, context=context).data
        return no_store(paginator.get_paginated_response(body))


class EmergencyReviewQueueApi(APIView):
    """The auditors' queue: emergency accesses about people in their area, oldest first."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": Capability.REVIEW_EMERGENCY_ACCESS}
    pagination_class = OldestGrantFirstPagination

    class FilterSerializer(PeriodFilter):
        review = serializers.ChoiceField(choices=[("all", "all"), *EmergencyGrant.Review.choices], required=False,
                                         default=EmergencyGrant.Review.PENDING)
        user = serializers.CharField(required=False, allow_blank=True, max_length=150)
        reason = serializers.ChoiceField(choices=EmergencyReason.choices, required=False, allow_blank=True)

    @extend_schema(
        operation_id="emergency_access_review_queue",
        summary="Emergency accesses waiting for review (auditors)",
        tags=["emergency access"],
        parameters=[
            OpenApiParameter("review", OpenApiTypes.STR,
                             description="`pending` (default), `justified`, `not_justified` or `all`."),
            OpenApiParameter("user", OpenApiTypes.STR, description="Username of the user who broke the glass."),
            OpenApiParameter("reason", OpenApiTypes.STR),
            OpenApiParameter("since", OpenApiTypes.STR, description="Granted from this date or date-time."),
            OpenApiParameter("until", OpenApiTypes.STR, description="Granted before the end of this date."),
        ],
        responses={200: ReviewRowSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        f = params.validated_data
        filters = emergency.ReviewFilters(
            review="" if f.get("review") == "all" else f.get("review", EmergencyGrant.Review.PENDING),
            actor=f.get("user", ""), reason=f.get("reason", ""), since=f.get("since"), until=f.get("until"),
        )
        queue = emergency.review_queue(request.user, filters)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queue, request, view=self)
        places = orgnames.org_name_paths({grant.org_code for grant in page})  # names, not codes: one query
        body = ReviewRowSerializer(page, many=True, context={"request": request, "places": places}).data
        return no_store(paginator.get_paginated_response(body))


class EmergencyReviewApi(APIView):
    """An auditor's verdict on one emergency access (once)."""

    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": Capability.REVIEW_EMERGENCY_ACCESS}

    @extend_schema_serializer(component_name="EmergencyAccessReview")
    class InputSerializer(serializers.Serializer):
        justified = serializers.BooleanField()
        note = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=emergency.MAX_NOTE_LENGTH,
                                     help_text="Required (at least 5 characters) when not justified.")

    @extend_schema(
        operation_id="emergency_access_review",
        summary="Review one emergency access: justified or not (auditors)",
        tags=["emergency access"],
        request=InputSerializer,
        responses={200: ReviewRowSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, grant_id: int):
        grant = emergency.access_grant_for_review(request.user, grant_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = emergency.emergency_access_review(actor=request.user, grant=grant, **data.validated_data)
        return no_store(Response(ReviewRowSerializer(grant, context={"request": request}).data))
