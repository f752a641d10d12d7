"""URLs of `/api/v1/` for the event loop: categories, events, notifications, sensors."""

from django.urls import path

from gridgov.events.api import categories, events, notifications, sensors

urlpatterns = [
    path("categories/", categories.CategoryListApi.as_view(), name="api-event-categories"),
    path("events/", events.EventListApi.as_view(), name="api-events"),
    path("events/<int:event_id>/", events.EventDetailApi.as_view(), name="api-event"),
    path("events/<int:event_id>/actions/", events.EventActionApi.as_view(), name="api-event-actions"),
    path("events/<int:event_id>/merge/", events.EventMergeApi.as_view(), name="api-event-merge"),
    path("events/<int:event_id>/photos/<int:photo_id>/", events.EventPhotoApi.as_view(), name="api-event-photo"),
    path("notifications/", notifications.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/<int:notification_id>/read/", notifications.NotificationReadApi.as_view(),
         name="api-notification-read"),
    path("sensors/events/", sensors.SensorEventApi.as_view(), name="api-sensor-events"),
]
