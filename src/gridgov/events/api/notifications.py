"""The signed-in user's own notifications: unread first, newest first within each group."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.core.api.common import errors, paginated_response
from gridgov.core.api_pagination import KeysetPagination
from gridgov.events import selectors, services
from gridgov.events.api.common import EventsApiView


@extend_schema_serializer(component_name="Notification")
class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="E.g. `dispatched`, `verify`, `returned`, `closed`.")
    text = serializers.CharField()
    event = serializers.IntegerField(source="event_id", allow_null=True)
    event_code = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    read = serializers.SerializerMethodField()

    def get_event_code(self, notification) -> str | None:
        return notification.event.code if notification.event_id else None

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class UnreadFirstPagination(KeysetPagination):
    # One integer that sorts unread before read and newest first (see notifications_for).
    ordering = "-unread_first"


class NotificationListApi(EventsApiView):
    pagination_class = UnreadFirstPagination

    @extend_schema(
        operation_id="notifications_list",
        summary="My notifications, unread first",
        tags=["notifications"],
        responses={200: NotificationSerializer(many=True), **errors(401)},
    )
    def get(self, request):
        return paginated_response(
            request=request, view=self, queryset=selectors.notifications_for(request.user),
            serializer_class=NotificationSerializer,
        )


class NotificationReadApi(EventsApiView):
    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one of my notifications read",
        tags=["notifications"],
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
    )
    def post(self, request, notification_id: int):
        notification = selectors.access_notification(request.user, notification_id)
        notification = services.notification_mark_read(user=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)
