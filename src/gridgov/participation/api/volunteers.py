"""The volunteers' API (CONTRACTS "Participation"): the shifts a volunteer can take (an
organiser: the shifts of its area), and taking a place, which holds the shift's capacity as
the pages do (a full shift: 409 `full`)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.service_input import invalid
from gridgov.participation.models import Shift
from gridgov.participation.selectors import volunteers as selectors
from gridgov.participation.services import volunteers as services


@extend_schema_serializer(component_name="VolunteerShift")
class ShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    activity = serializers.IntegerField(source="activity_id")
    title = serializers.CharField(source="activity.title")
    place = serializers.CharField(source="activity.place")
    org_code = serializers.CharField(source="activity.org_code")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    taken = serializers.IntegerField()
    required_qualification = serializers.CharField(source="activity.required_qualification")


class ShiftListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": selectors.VOLUNTEER_ROLES}
    pagination_class = NewestIdFirstPagination

    @extend_schema(operation_id="volunteer_shifts_list", summary="Shifts I can take (an organiser: my area's)",
                   tags=["volunteers"], responses={200: ShiftSerializer(many=True), **errors(401, 403)})
    def get(self, request):
        user = request.user
        if has_capability(user, Capability.ORGANISE_VOLUNTEERS):
            queryset = Shift.objects.filter(activity__in=selectors.activities_for(user), is_cancelled=False,
                                            ends_at__gte=timezone.now()).select_related("activity")
        else:
            volunteer = selectors.volunteer_of(user)
            queryset = selectors.shifts_i_can_take(volunteer) if volunteer else Shift.objects.none()
        return paginated_response(request=request, view=self, queryset=queryset, serializer_class=ShiftSerializer)


@extend_schema_serializer(component_name="VolunteerSignUp")
class SignUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shift = serializers.IntegerField(source="shift_id")
    volunteer = serializers.IntegerField(source="volunteer_id")
    status = serializers.CharField()


class SignUpApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": selectors.VOLUNTEER_ROLES}

    @extend_schema_serializer(component_name="VolunteerSignUpInput")
    class InputSerializer(serializers.Serializer):
        volunteer = serializers.IntegerField(required=False, min_value=1, max_value=2**62,
                                             help_text="An organiser signs up a volunteer of its area.")

    @extend_schema(operation_id="volunteer_shifts_sign_up", summary="Take a place on a shift", tags=["volunteers"],
                   request=InputSerializer, responses={201: SignUpSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, shift_id: int):
        shift = selectors.access_shift(request.user, shift_id)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if has_capability(request.user, Capability.ORGANISE_VOLUNTEERS):
            if not given.validated_data.get("volunteer"):
                raise invalid("volunteer", _("Name the volunteer to sign up."))
            volunteer = selectors.access_volunteer(request.user, given.validated_data["volunteer"])
        else:
            volunteer = selectors.volunteer_of(request.user)
            if volunteer is None:
                raise invalid("volunteer", _("Your account is not in the registry of volunteers yet: ask your "
                                             "organiser."))
        signup = services.sign_up(actor=request.user, shift=shift, volunteer=volunteer)
        return Response(SignUpSerializer(signup).data, status=201)
