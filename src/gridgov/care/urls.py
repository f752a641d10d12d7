from django.urls import path

from gridgov.care import views
from gridgov.care.views import campaigns, consent, export, reports, teams

urlpatterns = [
    path("", views.officer, name="care-officer"),
    path("today/", views.today_map, name="care-today"),
    path("today/people/", views.today_people, name="care-today-people"),
    path("enroll/", views.enroll, name="care-enroll"),
    path("metrics/", views.metrics, name="care-metrics"),
    path("payments/", views.payments, name="care-payments"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="care-enrollment"),
    path("enrollments/<int:pk>/open/", views.enrollment_open, name="care-enrollment-open"),
    path("enrollments/<int:pk>/acknowledge/", views.enrollment_acknowledge, name="care-acknowledge"),
    path("enrollments/<int:pk>/status/", views.enrollment_status, name="care-status"),
    path("enrollments/<int:pk>/team/", views.team_add, name="care-team-add"),
    path("enrollments/<int:pk>/team/<int:member_id>/remove/", views.team_remove, name="care-team-remove"),
    path("enrollments/<int:pk>/exit/", views.enrollment_exit, name="care-exit"),
    path("enrollments/<int:pk>/withdraw-consent/", consent.enrollment_withdraw_consent,
         name="care-withdraw-consent"),  # rights (issue 10)
    path("enrollments/<int:pk>/handover/", views.handover_create, name="care-handover-new"),
    path("enrollments/<int:pk>/payments/", views.enrollment_payments, name="care-enrollment-payments"),
    path("enrollments/<int:pk>/visit/", views.visit_new, name="care-visit-new"),
    path("enrollments/<int:pk>/visits/<int:visit_id>/photo/", views.visit_photo, name="care-visit-photo"),
    path("enrollments/<int:pk>/crisis/", views.crisis_new, name="care-crisis-new"),
    path("crises/<int:pk>/", views.crisis_detail, name="care-crisis"),
    path("crises/<int:pk>/actions/", views.crisis_action, name="care-crisis-action"),
    path("handovers/report.xlsx", reports.handover_report, name="care-handover-report"),
    path("handovers/<int:pk>/accept/", views.handover_accept, name="care-handover-accept"),
    path("handovers/<int:pk>/reject/", views.handover_reject, name="care-handover-reject"),
    path("campaigns/", campaigns.campaign_list, name="care-campaigns"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="care-campaign"),
    path("campaigns/<int:pk>/checklist/", campaigns.campaign_checklist, name="care-campaign-checklist"),
    path("campaign-items/<int:item_id>/", campaigns.campaign_item_record, name="care-campaign-item"),
    path("people/<int:person_id>/export/", export.person_export, name="care-person-export"),
    # care (issue 11): teams, schedules per person, children
    path("my-cases/", teams.team_cases, name="care-team-cases"),
    path("enrollments/<int:pk>/team/<int:member_id>/confirm/", teams.team_confirm_family,
         name="care-team-confirm-family"),
    path("enrollments/<int:pk>/schedules/", teams.schedule_add, name="care-schedule-add"),
    path("enrollments/<int:pk>/schedules/<int:schedule_id>/record/", teams.schedule_record,
         name="care-schedule-record"),
    path("enrollments/<int:pk>/mentor/", teams.mentor_add, name="care-mentor-add"),
    path("enrollments/<int:pk>/family-file/", teams.family_file_update, name="care-family-file-update"),
    path("family-files/<int:file_id>/", teams.family_file_detail, name="care-family-file"),
]
