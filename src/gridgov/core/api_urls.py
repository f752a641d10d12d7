"""URLs of `/api/v1/` for the core app.

Unknown paths under /api/ should answer in the JSON error shape too: the project's urls.py
ends with `re_path(r"^api/", gridgov.core.api_errors.api_not_found)` after every app's API
include (not here, where it would hide the apps included after this module).
"""

from django.urls import path, re_path

from gridgov.core.api import audit, auth, departments, org_units, people

ORG_CODE = r"(?P<code>[0-9]{2,15})"

urlpatterns = [
    path("auth/token/", auth.TokenObtainApi.as_view(), name="api-token"),
    path("me/", auth.MeApi.as_view(), name="api-me"),
    path("org-units/", org_units.OrgUnitListApi.as_view(), name="api-org-units"),
    path("org-units/locate/", org_units.OrgUnitLocateApi.as_view(), name="api-org-unit-locate"),
    re_path(rf"^org-units/{ORG_CODE}/$", org_units.OrgUnitDetailApi.as_view(), name="api-org-unit"),
    path("departments/", departments.DepartmentListApi.as_view(), name="api-departments"),
    path("departments/<str:code>/", departments.DepartmentDetailApi.as_view(), name="api-department"),
    path("people/", people.PeopleApi.as_view(), name="api-people"),
    path("people/<int:person_id>/", people.PersonDetailApi.as_view(), name="api-person"),
    path("people/<int:person_id>/open/", people.PersonOpenRecordApi.as_view(), name="api-person-open"),
    path("audit/", audit.AuditEntryListApi.as_view(), name="api-audit"),
]
