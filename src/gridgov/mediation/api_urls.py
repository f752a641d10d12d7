from django.urls import path

from gridgov.mediation import api

urlpatterns = [
    path("mediation/committees/", api.CommitteeListApi.as_view(), name="api-mediation-committees"),
    path("mediation/cases/", api.CaseListApi.as_view(), name="api-mediation-cases"),
    path("mediation/cases/<int:case_id>/", api.CaseDetailApi.as_view(), name="api-mediation-case"),
    path("mediation/cases/<int:case_id>/sessions/", api.SessionListApi.as_view(), name="api-mediation-sessions"),
    path("mediation/cases/<int:case_id>/outcome/", api.OutcomeApi.as_view(), name="api-mediation-outcome"),
    path("mediation/cases/<int:case_id>/actions/", api.ActionApi.as_view(), name="api-mediation-actions"),
    path("mediation/cases/<int:case_id>/agreement.pdf", api.AgreementPdfApi.as_view(),
         name="api-mediation-agreement"),
    path("mediation/requests/", api.RequestApi.as_view(), name="api-mediation-requests"),
]
