"""Sensors (a smart e-bike shed detecting a battery fire, a smoke detector) raise events
with `Authorization: Sensor <key>`; the key says where the device stands and what it
reports by default. Keys are made with `gridgov sensor_key create`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from gridgov.core.api.common import errors
from gridgov.events import intake_keys
from gridgov.events.api.common import EventCreatedSerializer, created_body
from gridgov.events.models import IntakeKey, Urgency

KEYWORD = "Sensor"


class SensorKeyAuthentication(BaseAuthentication):
    """`Authorization: Sensor <key>`: the request is the device's, not a user's."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Sensor <key>”."))
        key = intake_keys.intake_key_check(secret=header[1].decode("latin-1"), kind=IntakeKey.Kind.SENSOR)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked sensor key."))
        return AnonymousUser(), key

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class SensorKeyScheme(OpenApiAuthenticationExtension):
    target_class = SensorKeyAuthentication
    name = "sensorKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Sensor <key>`, the key printed by `gridgov sensor_key create`.",
        }


class HasSensorKey(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, IntakeKey)


class SensorKeyThrottle(SimpleRateThrottle):
    """Per device; `GRIDGOV_SENSOR_RATE` (default 120/minute)."""

    scope = "sensor"

    def get_rate(self):
        return getattr(settings, "GRIDGOV_SENSOR_RATE", "120/minute")

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, IntakeKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_hash}


class SensorEventApi(APIView):
    authentication_classes = [SensorKeyAuthentication]
    permission_classes = [HasSensorKey]
    throttle_classes = [SensorKeyThrottle]

    @extend_schema_serializer(component_name="SensorAlert")
    class InputSerializer(serializers.Serializer):
        category = serializers.CharField(required=False, allow_blank=True, default="", max_length=60,
                                         help_text="Defaults to the key's category.")
        description = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.URGENT)
        occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
        readings = serializers.DictField(required=False, default=dict,
                                         help_text="The device's measurements, kept with the event.")

        def validate_readings(self, value):
            import json

            if len(json.dumps(value, default=str)) > 4000:
                raise serializers.ValidationError(_("Readings take at most 4000 characters."))
            return value

    @extend_schema(
        operation_id="sensor_events_create",
        summary="A sensor raises an event (a repeat within 10 minutes is noted on the open event)",
        tags=["sensors"],
        auth=[{"sensorKey": []}],
        request=InputSerializer,
        responses={
            201: EventCreatedSerializer,
            200: EventCreatedSerializer,
            **errors(400, 401, 429),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        event, created = intake_keys.sensor_alert_submit(key=request.auth, alert=intake_keys.SensorAlert(
            category_code=fields["category"], description=fields["description"], urgency=fields["urgency"],
            occurred_at=fields["occurred_at"], readings=fields["readings"],
        ))
        return Response(created_body(event, user=None), status=201 if created else 200)
