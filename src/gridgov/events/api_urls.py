"""URLs of `/api/v1/` for the event loop: categories, events, sensors (notifications: core)."""

from django.urls import path

from gridgov.events.api import categories, events, sensors

urlpatterns = [
    path("categories/", categories.CategoryListApi.as_view(), name="api-event-categories"),
    path("events/", events.EventListApi.as_view(), name="api-events"),
    path("events/<int:event_id>/", events.EventDetailApi.as_view(), name="api-event"),
    path("events/<int:event_id>/actions/", events.EventActionApi.as_view(), name="api-event-actions"),
    path("events/<int:event_id>/merge/", events.EventMergeApi.as_view(), name="api-event-merge"),
    path("events/<int:event_id>/photos/<int:photo_id>/", events.EventPhotoApi.as_view(), name="api-event-photo"),
    path("sensors/events/", sensors.SensorEventApi.as_view(), name="api-sensor-events"),
]
