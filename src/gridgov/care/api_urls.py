"""URLs of `/api/v1/` for the care programs (included by the project's urls.py before the
JSON 404 catch-all)."""

from django.urls import path

from gridgov.care.api import campaigns, consent, enrollments, export, handovers, payments, teams, today, visits

urlpatterns = [
    path("enrollments/", enrollments.EnrollmentListApi.as_view(), name="api-care-enrollments"),
    path("enrollments/<int:enrollment_id>/", enrollments.EnrollmentDetailApi.as_view(), name="api-care-enrollment"),
    path("enrollments/<int:enrollment_id>/acknowledge/", enrollments.EnrollmentAcknowledgeApi.as_view(),
         name="api-care-acknowledge"),
    path("enrollments/<int:enrollment_id>/exit/", enrollments.EnrollmentExitApi.as_view(), name="api-care-exit"),
    path("enrollments/<int:enrollment_id>/withdraw-consent/", consent.EnrollmentWithdrawConsentApi.as_view(),
         name="api-care-withdraw-consent"),  # rights (issue 10)
    path("enrollments/<int:enrollment_id>/visits/", visits.VisitCreateApi.as_view(), name="api-care-visits"),
    path("enrollments/<int:enrollment_id>/status/", visits.StatusBeginApi.as_view(), name="api-care-status"),
    path("enrollments/<int:enrollment_id>/status/end/", visits.StatusEndApi.as_view(), name="api-care-status-end"),
    path("enrollments/<int:enrollment_id>/crises/", visits.CrisisCreateApi.as_view(), name="api-care-crises"),
    path("crises/<int:crisis_id>/actions/", visits.CrisisActionApi.as_view(), name="api-care-crisis-actions"),
    path("enrollments/<int:enrollment_id>/subsidies/", payments.SubsidyCreateApi.as_view(),
         name="api-care-subsidies"),
    path("enrollments/<int:enrollment_id>/agreements/", payments.AgreementCreateApi.as_view(),
         name="api-care-agreements"),
    path("agreements/<int:agreement_id>/payments/", payments.AgreementPaymentCreateApi.as_view(),
         name="api-care-agreement-payments"),
    path("care/payments/", payments.PaymentListApi.as_view(), name="api-care-payments"),
    path("care/today/", today.CareTodayApi.as_view(), name="api-care-today"),
    path("care/metrics/", today.CareMetricsApi.as_view(), name="api-care-metrics"),
    path("handovers/", handovers.HandoverListApi.as_view(), name="api-care-handovers"),
    path("handovers/<int:handover_id>/accept/", handovers.HandoverAcceptApi.as_view(),
         name="api-care-handover-accept"),
    path("handovers/<int:handover_id>/reject/", handovers.HandoverRejectApi.as_view(),
         name="api-care-handover-reject"),
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="api-care-campaigns"),
    path("campaigns/<int:campaign_id>/progress/", campaigns.CampaignProgressApi.as_view(),
         name="api-care-campaign-progress"),
    path("campaigns/<int:campaign_id>/items/", campaigns.CampaignItemListApi.as_view(),
         name="api-care-campaign-items"),
    path("campaign-items/<int:item_id>/", campaigns.CampaignItemRecordApi.as_view(), name="api-care-campaign-item"),
    path("people/<int:person_id>/care-export/", export.PersonCareExportApi.as_view(), name="api-care-person-export"),
    # care (issue 11): teams, schedules per person, children
    path("enrollments/<int:enrollment_id>/team/<int:member_id>/confirm/", teams.TeamConfirmOnBehalfApi.as_view(),
         name="api-care-team-confirm"),
    path("care/high-risk-unconfirmed/", teams.HighRiskUnconfirmedListApi.as_view(),
         name="api-care-high-risk-unconfirmed"),
    path("enrollments/<int:enrollment_id>/schedules/", teams.ScheduleCreateApi.as_view(), name="api-care-schedules"),
    path("care/schedules/due/", teams.SchedulesDueListApi.as_view(), name="api-care-schedules-due"),
    path("schedules/<int:schedule_id>/records/", teams.ScheduleRecordCreateApi.as_view(),
         name="api-care-schedule-records"),
    path("enrollments/<int:enrollment_id>/mentors/", teams.MentorCreateApi.as_view(), name="api-care-mentors"),
    path("family-files/", teams.FamilyFileCreateApi.as_view(), name="api-care-family-files"),
    path("family-files/<int:file_id>/", teams.FamilyFileDetailApi.as_view(), name="api-care-family-file"),
]
