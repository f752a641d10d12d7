"""The signed-in user's own notifications (unread first), marking read, and their settings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.models_notifications import OPTIONAL_CHANNELS
from gridgov.core.notifications import selectors, services

EVENT_SUBJECT = "events.event"


@extend_schema_serializer(component_name="Notification")
class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="E.g. `dispatched`, `verify`, `returned`, `closed`, `care_crisis`.")
    text = serializers.CharField(help_text="What happened, in words, naming people as the receiver may see them.")
    link = serializers.CharField(help_text="The path of the record in the web app (empty when there is none).")
    event = serializers.SerializerMethodField()
    event_code = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    read = serializers.SerializerMethodField()

    def get_event(self, notification) -> int | None:
        return notification.subject_id if notification.subject_type == EVENT_SUBJECT else None

    def get_event_code(self, notification) -> str | None:
        return notification.subject_label or None if notification.subject_type == EVENT_SUBJECT else None

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadFirstPagination(KeysetPagination):
    # One integer that sorts unread before read and newest first (see notifications_for).
    ordering = "-unread_first"


class NotificationListApi(APIView):
    permission_classes = API_PERMISSIONS
    pagination_class = UnreadFirstPagination

    @extend_schema(operation_id="notifications_list", summary="My notifications, unread first",
                   tags=["notifications"], responses={200: NotificationSerializer(many=True), **errors(401)})
    def get(self, request):
        return paginated_response(request=request, view=self, queryset=selectors.notifications_for(request.user),
                                  serializer_class=NotificationSerializer)


class NotificationReadApi(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(operation_id="notifications_read", summary="Mark one of my notifications read",
                   tags=["notifications"], request=None, responses={200: NotificationSerializer, **errors(401, 404)})
    def post(self, request, notification_id: int):
        notification = selectors.access_notification(request.user, notification_id)
        notification = services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)


class ReadAllOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread.")


class NotificationReadAllApi(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(operation_id="notifications_read_all", summary="Mark all my notifications read",
                   tags=["notifications"], request=None, responses={200: ReadAllOutputSerializer, **errors(401)})
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class ChannelsSerializer(serializers.Serializer):
    email = serializers.BooleanField()
    sms = serializers.BooleanField()


class KindPreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField(read_only=True)
    channels = ChannelsSerializer(help_text="E-mail and SMS; the app always shows every notification.")


@extend_schema_serializer(component_name="NotificationPreferences")
class PreferencesSerializer(serializers.Serializer):
    kinds = KindPreferenceSerializer(many=True)
    sms_phone = serializers.CharField(allow_blank=True, help_text="The mobile number SMS go to (empty: none).")
    email = serializers.CharField(read_only=True, help_text="The account's e-mail address.")


class PreferencesInputSerializer(serializers.Serializer):
    kinds = KindPreferenceSerializer(many=True, required=False)
    sms_phone = serializers.CharField(allow_blank=True, required=False, max_length=20)


class NotificationPreferencesApi(APIView):
    permission_classes = API_PERMISSIONS

    @extend_schema(operation_id="notification_preferences", summary="My notification settings",
                   tags=["notifications"], responses={200: PreferencesSerializer, **errors(401)})
    def get(self, request):
        return Response(PreferencesSerializer(selectors.notification_preferences_of(request.user)).data)

    @extend_schema(operation_id="notification_preferences_update", summary="Change my notification settings",
                   tags=["notifications"], request=PreferencesInputSerializer,
                   responses={200: PreferencesSerializer, **errors(400, 401)})
    def put(self, request):
        data = PreferencesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choices = {(row["kind"], str(channel)): row["channels"][str(channel)]
                   for row in data.validated_data.get("kinds", []) for channel in OPTIONAL_CHANNELS}
        services.notification_preferences_update(user=request.user, choices=choices,
                                                 sms_phone=data.validated_data.get("sms_phone"))
        return Response(PreferencesSerializer(selectors.notification_preferences_of(request.user)).data)
