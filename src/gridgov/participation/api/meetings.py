"""The village meetings' API (CONTRACTS "Participation"): the meetings of my area with their
concerns raised and resolved, and a meeting recorded."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.permissions import Capability
from gridgov.participation.selectors import meetings as selectors
from gridgov.participation.services import meetings as services


@extend_schema_serializer(component_name="VillageMeeting")
class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org_code = serializers.CharField()
    held_on = serializers.DateField()
    place = serializers.CharField()
    convenor = serializers.CharField()
    attendance = serializers.IntegerField()
    concerns_raised = serializers.IntegerField(source="raised")
    concerns_resolved = serializers.IntegerField(source="resolved")


class MeetingListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": selectors.MEETING_ROLES, "POST": {Capability.RECORD_MEETINGS}}
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="VillageMeetingInput")
    class InputSerializer(serializers.Serializer):
        org_code = serializers.RegexField(r"^[0-9]{12}$")
        held_on = serializers.DateField()
        place = serializers.CharField(max_length=100)
        convenor = serializers.CharField(max_length=50)
        attendance = serializers.IntegerField(min_value=0, max_value=10_000)
        minutes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
        officials = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=30)

    @extend_schema(operation_id="meetings_list", summary="Village meetings of my area", tags=["meetings"],
                   responses={200: MeetingSerializer(many=True), **errors(401, 403)})
    def get(self, request):
        return paginated_response(request=request, view=self, queryset=selectors.meetings_for(request.user),
                                  serializer_class=MeetingSerializer)

    @extend_schema(operation_id="meetings_create", summary="Record a village meeting", tags=["meetings"],
                   request=InputSerializer, responses={201: MeetingSerializer, **errors(400, 401, 403, 404)})
    def post(self, request):
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        meeting = services.meeting_record(actor=request.user, org_code=data["org_code"], held_on=data["held_on"],
                                          place=data["place"], convenor=data["convenor"],
                                          attendance=data["attendance"], minutes=data.get("minutes", ""),
                                          officials=[(name, "") for name in data.get("officials", [])])
        return Response(MeetingSerializer(selectors.access_meeting(request.user, meeting.pk)).data, status=201)
