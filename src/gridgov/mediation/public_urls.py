"""A resident's mediation pages, without signing in (`/mediate/`)."""

from gridgov.mediation.views import public

urlpatterns = [*public.urlpatterns]
