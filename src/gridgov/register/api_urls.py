from django.urls import path

from gridgov.register import api

urlpatterns = [
    path("buildings/", api.BuildingListApi.as_view(), name="api-buildings"),
    path("households/", api.HouseholdListApi.as_view(), name="api-households"),
    path("places/", api.PlaceListApi.as_view(), name="api-places"),
]
