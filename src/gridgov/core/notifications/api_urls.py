from django.urls import path

from gridgov.core.notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", api.NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/settings/", api.NotificationPreferencesApi.as_view(), name="api-notification-settings"),
    path("notifications/<int:notification_id>/read/", api.NotificationReadApi.as_view(),
         name="api-notification-read"),
]
