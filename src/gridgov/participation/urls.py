"""The points bank's pages (`/points/`); volunteering is in volunteer_urls.py (`/volunteers/`)."""

from gridgov.participation.views import points

urlpatterns = [*points.urlpatterns]
