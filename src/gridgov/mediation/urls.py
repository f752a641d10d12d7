"""The mediation pages (`/mediation/`); a resident's pages are in public_urls.py (`/mediate/`)."""

from gridgov.mediation.views import cases, directory, statistics

urlpatterns = [*cases.urlpatterns, *statistics.urlpatterns, *directory.urlpatterns]
