"""The core pages: accounts, org units, people (with a person's corrections, access log and
export), my background exports, correction requests, emergency access, privacy (the hold on bulk exports, the record
of processing), pickers and notifications."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from gridgov.core import (
    account_views,
    corrections_views,
    emergency_views,
    export_job_views,
    export_views,
    picker_views,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/second-factor/", account_views.otp_setup, name="otp-setup"),
    path("account/role-grants/", account_views.role_grants, name="role-grants"),
    path("account/role-grants/<int:pk>/approve/", account_views.role_grant_decide, {"decision": "approve"},
         name="role-grant-approve"),
    path("account/role-grants/<int:pk>/refuse/", account_views.role_grant_decide, {"decision": "refuse"},
         name="role-grant-refuse"),
    path("units/", views.org_unit_root, name="org-unit-root"),
    path("units/<str:code>/", views.org_unit_detail, name="org-unit-detail"),
    path("people/", views.people_list, name="people-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/open/", views.person_open_record, name="person-open-record"),
    path("audit/", views.audit_search, name="audit-search"),
    # pickers (issue 11): org units and colleagues of the user's scope, as HTMX fragments
    path("pick/org-units/", picker_views.org_picker, name="core-picker-org"),
    path("pick/users/", picker_views.user_picker, name="core-picker-user"),
    # rights (issue 10): correction requests (PIPL art. 46)
    path("people/<int:person_id>/corrections/new/", corrections_views.correction_new, name="correction-new"),
    path("corrections/", corrections_views.correction_queue, name="corrections"),
    path("corrections/<int:pk>/", corrections_views.correction_detail, name="correction-detail"),
    path("corrections/<int:pk>/decide/", corrections_views.correction_decide, name="correction-decide"),
    # emergency (issue 10): emergency access ("break the glass") and a person's access log
    path("emergency/", emergency_views.emergency_access, name="emergency-access"),
    path("emergency/<int:pk>/end/", emergency_views.emergency_access_end, name="emergency-access-end"),
    path("emergency/reviews/", emergency_views.emergency_reviews, name="emergency-reviews"),
    path("emergency/reviews/<int:pk>/", emergency_views.emergency_review, name="emergency-review"),
    path("people/<int:pk>/access-log/", views.person_access_log, name="person-access-log"),
    # purposes (issue 10): a person's data export covering every app, the hold on bulk exports,
    # the record of processing activities for the data protection officer
    path("people/<int:pk>/export/", export_views.person_export, name="person-export"),
    path("privacy/export-holds/", export_views.export_holds, name="export-holds"),
    path("privacy/export-holds/<str:username>/clear/", export_views.export_hold_clear, name="export-hold-clear"),
    path("exports/", export_job_views.export_job_list, name="export-jobs"),
    path("exports/<int:pk>/file/", export_job_views.export_job_file, name="export-job-file"),
    path("exports/<int:pk>/remove/", export_job_views.export_job_remove, name="export-job-remove"),
    path("privacy/processing/", export_views.processing_record, name="processing-record"),
    # notify (issue 11): my notifications, mark read, mark all read, my notification settings
    path("", include("gridgov.core.notifications.urls")),
]
