from django.urls import path

from gridgov.events.views import admin_pages, detail, intake, lists, mobile

urlpatterns = [
    path("", lists.queue, name="events-queue"),
    path("map/", lists.events_map, name="events-map"),
    path("inbox/", lists.inbox, name="events-inbox"),
    path("mobile/", mobile.mobile, name="events-mobile"),
    path("mobile/verify/<int:pk>/", mobile.mobile_verify, name="events-mobile-verify"),
    path("hotline/", intake.hotline, name="events-hotline"),
    path("ranking/", admin_pages.ranking, name="events-ranking"),
    path("rules/", admin_pages.rules, name="events-rules"),
    path("rules/<int:pk>/end/", admin_pages.rule_end, name="events-rule-end"),
    path("<int:pk>/", detail.event_detail, name="events-detail"),
    path("<int:pk>/act/", detail.event_act, name="events-act"),
    path("<int:pk>/merge/", detail.event_merge, name="events-merge"),
    path("<int:pk>/photos/<int:photo_id>/<str:variant>/", detail.event_photo, name="events-photo"),
]
