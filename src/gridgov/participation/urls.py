"""The participation pages: the points bank (`/points/`)."""

from gridgov.participation.views import points

urlpatterns = [*points.urlpatterns]
