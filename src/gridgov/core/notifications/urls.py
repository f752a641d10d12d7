from django.urls import path

from gridgov.core.notifications import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
