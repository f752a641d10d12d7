from django.urls import path

from gridgov.participation.api import meetings, suggestions, volunteers
from gridgov.participation.api import points as api

urlpatterns = [
    path("points/accounts/", api.AccountListApi.as_view(), name="api-points-accounts"),
    path("points/accounts/<int:account_id>/", api.AccountDetailApi.as_view(), name="api-points-account"),
    path("points/accounts/<int:account_id>/earn/", api.EarnApi.as_view(), name="api-points-earn"),
    path("points/accounts/<int:account_id>/redeem/", api.RedeemApi.as_view(), name="api-points-redeem"),
    path("suggestions/", suggestions.SuggestionCreateApi.as_view(), name="api-suggestions"),
    path("suggestions/<str:tracking_code>/", suggestions.SuggestionDetailApi.as_view(), name="api-suggestion"),
    path("projects/", suggestions.ProjectListApi.as_view(), name="api-projects"),
    path("meetings/", meetings.MeetingListApi.as_view(), name="api-meetings"),
    path("volunteers/shifts/", volunteers.ShiftListApi.as_view(), name="api-volunteer-shifts"),
    path("volunteers/shifts/<int:shift_id>/signup/", volunteers.SignUpApi.as_view(), name="api-volunteer-sign-up"),
]
