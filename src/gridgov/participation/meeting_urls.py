"""The village meeting pages (`/meetings/`)."""

from gridgov.participation.views import meetings

urlpatterns = [*meetings.urlpatterns]
