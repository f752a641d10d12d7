"""Public pages under /track/: no sign-in, nothing personal."""

from django.urls import path

from gridgov.events.views import public

urlpatterns = [
    path("", public.track_lookup, name="events-track-lookup"),
    path("report/", public.report, name="events-report-public"),
    path("cells/", public.public_cells, name="events-public-cells"),
    path("photos/<str:code>/<int:photo_id>/", public.public_photo, name="events-public-photo"),
    path("<str:token>/", public.track, name="events-track"),
    path("<str:token>/rate/", public.track_rate, name="events-track-rate"),
    path("<str:token>/dispute/", public.track_dispute, name="events-track-dispute"),
    path("<str:token>/photos/<int:photo_id>/", public.track_photo, name="events-track-photo"),
]
