"""URLs of `/api/v1/` for the core app.

Unknown paths under /api/ should answer in the JSON error shape too: the project's urls.py
ends with `re_path(r"^api/", gridgov.core.api_errors.api_not_found)` after every app's API
include (not here, where it would hide the apps included after this module).
"""

from django.urls import path, re_path

from gridgov.core.api import audit, auth, departments, org_units, people, role_grants, workbench

ORG_CODE = r"(?P<code>[0-9]{2,15})"

urlpatterns = [
    path("auth/token/", auth.TokenObtainApi.as_view(), name="api-token"),
    path("me/", auth.MeApi.as_view(), name="api-me"),
    path("me/workbench/", workbench.MeWorkbenchApi.as_view(), name="api-me-workbench"),  # issue 11
    path("role-grants/", role_grants.RoleGrantListApi.as_view(), name="api-role-grants"),
    path("role-grants/<int:grant_id>/approve/", role_grants.RoleGrantApproveApi.as_view(), name="api-role-grant-approve"),
    path("role-grants/<int:grant_id>/refuse/", role_grants.RoleGrantRefuseApi.as_view(), name="api-role-grant-refuse"),
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

# rights (issue 10): correction requests (PIPL art. 46)
from gridgov.core.api import corrections  # noqa: E402

urlpatterns += [
    path("people/<int:person_id>/corrections/", corrections.PersonCorrectionCreateApi.as_view(),
         name="api-person-corrections"),
    path("corrections/", corrections.CorrectionListApi.as_view(), name="api-corrections"),
    path("corrections/<int:correction_id>/", corrections.CorrectionDetailApi.as_view(), name="api-correction"),
    path("corrections/<int:correction_id>/approve/", corrections.CorrectionApproveApi.as_view(),
         name="api-correction-approve"),
    path("corrections/<int:correction_id>/refuse/", corrections.CorrectionRefuseApi.as_view(),
         name="api-correction-refuse"),
]

# emergency (issue 10): emergency access ("break the glass") and a person's access log
from gridgov.core.api import emergency  # noqa: E402

urlpatterns += [
    path("emergency-access/", emergency.EmergencyAccessApi.as_view(), name="api-emergency-access"),
    path("emergency-access/reviews/", emergency.EmergencyReviewQueueApi.as_view(), name="api-emergency-reviews"),
    path("emergency-access/<int:grant_id>/review/", emergency.EmergencyReviewApi.as_view(),
         name="api-emergency-review"),
    path("people/<int:person_id>/access-log/", audit.PersonAccessLogApi.as_view(), name="api-person-access-log"),
]

# purposes (issue 10): a person's data export covering every app (PIPL art. 45), the hold on
# bulk exports, the record of processing activities
from gridgov.core.api import export_jobs as export_jobs_api
from gridgov.core.api import exports as export_api  # noqa: E402
from gridgov.core.api import processing as processing_api

urlpatterns += [
    path("people/<int:person_id>/export/", export_api.PersonExportApi.as_view(), name="api-person-export"),
    path("export-holds/<str:username>/clear/", export_api.ExportHoldClearApi.as_view(),
         name="api-export-hold-clear"),
    path("exports/", export_jobs_api.ExportJobListApi.as_view(), name="api-exports"),
    path("exports/<int:job_id>/", export_jobs_api.ExportJobDetailApi.as_view(), name="api-export"),
    path("exports/<int:job_id>/file/", export_jobs_api.ExportJobFileApi.as_view(), name="api-export-file"),
    path("processing-record/", processing_api.ProcessingRecordApi.as_view(), name="api-processing-record"),
]

# notify (issue 11): my notifications (the shape events had), mark all read, my settings
from django.urls import include  # noqa: E402

urlpatterns += [path("", include("gridgov.core.notifications.api_urls"))]
