"""The volunteer pages (`/volunteers/`)."""

from gridgov.participation.views import volunteers

urlpatterns = [*volunteers.urlpatterns]
