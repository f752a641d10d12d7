"""The mediation pages (`/mediation/`); a resident's pages are in public_urls.py (`/mediate/`)."""

from gridgov.mediation.views import cases, committees, directory, statistics

urlpatterns = [*cases.urlpatterns, *committees.urlpatterns, *statistics.urlpatterns, *directory.urlpatterns]
