from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gridgov.core import health
from gridgov.core.api_errors import api_not_found
from gridgov.participation import consultation_urls, suggestion_urls

# The admin signs in through the product's sign-in page and asks for the second factor
# as GRIDGOV_OTP and GRIDGOV_ADMIN_OTP say (gridgov.core.admin, accounts issue 10).

urlpatterns = [
    # issue 12: liveness (no database) and readiness (database, cache, migrations, task queue)
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("gridgov.core.api_urls")),
    path("api/v1/", include("gridgov.register.api_urls")),
    path("api/v1/", include("gridgov.events.api_urls")),
    path("api/v1/", include("gridgov.care.api_urls")),
    path("api/v1/", include("gridgov.mediation.api_urls")),
    path("api/v1/", include("gridgov.participation.api_urls")),
    # Last of the API routes: unknown API paths answer JSON, not an HTML page.
    re_path(r"^api/", api_not_found),
    path("open311/v2/", include("gridgov.events.open311_urls")),
    path("org/", include("gridgov.core.org_urls")),
    path("events/", include("gridgov.events.urls")),
    path("track/", include("gridgov.events.public_urls")),
    path("register/", include("gridgov.register.urls")),
    path("care/", include("gridgov.care.urls")),
    path("mediation/", include("gridgov.mediation.urls")),
    path("mediate/", include("gridgov.mediation.public_urls")),
    path("points/", include("gridgov.participation.urls")),
    path("volunteers/", include("gridgov.participation.volunteer_urls")),
    path("suggest/", include(suggestion_urls.suggest_urlpatterns)),
    path("projects/", include(suggestion_urls.project_urlpatterns)),
    path("suggestions/", include(suggestion_urls.desk_urlpatterns)),
    path("meetings/", include("gridgov.participation.meeting_urls")),
    path("consult/", include(consultation_urls.public_urlpatterns)),
    path("consultations/", include(consultation_urls.desk_urlpatterns)),
    path("", include("gridgov.core.urls")),
]
