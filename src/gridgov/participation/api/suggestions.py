"""The public API of suggestions and projects (CONTRACTS "Participation"), without signing in:
a suggestion sent (limited per client address, as the form is), one followed by its tracking
code (never its contact), and the projects with their progress."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import errors, paginated_response
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.ratelimit import AddressThrottle
from gridgov.participation.models import SuggestionTopic
from gridgov.participation.selectors import suggestions as selectors
from gridgov.participation.services import suggestions as services
from gridgov.participation.services.suggestions import (
    HOUR,
    LOOKUP_SCOPE,
    LOOKUPS_AN_HOUR,
    SUGGEST_SCOPE,
    SUGGESTIONS_AN_HOUR,
)


class SuggestionThrottle(AddressThrottle):
    scope, limit, window = SUGGEST_SCOPE, SUGGESTIONS_AN_HOUR, HOUR


class LookupThrottle(AddressThrottle):
    scope, limit, window = LOOKUP_SCOPE, LOOKUPS_AN_HOUR, HOUR


@extend_schema_serializer(component_name="SuggestionPublic")
class SuggestionSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    title = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(allow_blank=True)
    org_code = serializers.CharField()
    project = serializers.IntegerField(source="project_id", allow_null=True)


class SuggestionCreateApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SuggestionThrottle]

    @extend_schema_serializer(component_name="SuggestionInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=services.TITLE_LIMIT)
        text = serializers.CharField(max_length=services.TEXT_LIMIT)
        topic = serializers.ChoiceField(choices=SuggestionTopic.choices, default=SuggestionTopic.OTHER)
        org_code = serializers.RegexField(r"^[0-9]{2,15}$", required=False)
        lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
        lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
        contact = serializers.CharField(max_length=254, required=False, allow_blank=True)

    @extend_schema(operation_id="suggestions_create", summary="Send a suggestion (no sign-in)", tags=["suggestions"],
                   request=InputSerializer, responses={201: SuggestionSerializer, **errors(400, 429)})
    def post(self, request):
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        suggestion, token = services.submit(topic=data["topic"], title=data["title"], text=data["text"],
                                            org_code=data.get("org_code", ""), lat=data.get("lat"),
                                            lng=data.get("lng"), contact=data.get("contact", ""))
        body = {"tracking_code": suggestion.tracking_code, "status": suggestion.status,
                "follow_token": token}
        return Response(body, status=201)


class SuggestionDetailApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]

    @extend_schema(operation_id="suggestions_retrieve", summary="A suggestion by its tracking code (no sign-in)",
                   tags=["suggestions"], responses={200: SuggestionSerializer, **errors(404, 429)})
    def get(self, request, tracking_code: str):
        suggestion = selectors.by_tracking_code(tracking_code)
        data = SuggestionSerializer(suggestion).data
        if not suggestion.is_public:
            data["title"] = ""  # hidden by residents' reports until a moderator looks at it
        return Response(data)


@extend_schema_serializer(component_name="ProjectPublic")
class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    org_code = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    owner = serializers.CharField(source="owner.name")
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class ProjectListApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="ProjectFilter")
    class FilterSerializer(serializers.Serializer):
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False)
        status = serializers.CharField(required=False, max_length=12)

    @extend_schema(operation_id="projects_list", summary="Projects for the people, with their progress (public)",
                   tags=["suggestions"], responses={200: ProjectSerializer(many=True), **errors(400)})
    def get(self, request):
        given = self.FilterSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        queryset = selectors.public_projects(status=given.validated_data.get("status", ""),
                                             org=given.validated_data.get("org", ""))
        return paginated_response(request=request, view=self, queryset=queryset, serializer_class=ProjectSerializer)
