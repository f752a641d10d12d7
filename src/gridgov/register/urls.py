"""Pages of the register (mounted at /register/)."""

from django.urls import path

from gridgov.register import views

urlpatterns = [
    path("", views.register_home, name="register-home"),
    path("villages/<str:code>/", views.one_table, name="register-one-table"),
    path("villages/<str:code>/xlsx/", views.one_table_xlsx, name="register-one-table-xlsx"),
    path("households/<int:pk>/", views.household_detail, name="register-household"),
    path("households/<int:pk>/leave/", views.household_member_leave, name="register-member-leave"),
    path("households/<int:pk>/death/", views.household_death, name="register-death"),
    path("households/<int:pk>/add/", views.household_member_add, name="register-member-add"),
    path("households/<int:pk>/update/", views.household_member_update, name="register-member-update"),
    path("rounds/", views.rounds_list, name="register-rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="register-round"),
    path("rounds/<int:pk>/close/", views.round_close, name="register-round-close"),
    path("rounds/<int:pk>/checklist/", views.checklist, name="register-checklist"),
    path("rounds/<int:pk>/inspections/", views.inspection_list, name="register-inspections"),
    path("inspections/<int:pk>/", views.inspection_detail, name="register-inspection"),
    path("inspections/<int:pk>/unable/", views.inspection_unable, name="register-inspection-unable"),
    path("inspections/<int:pk>/reopen/", views.inspection_reopen, name="register-inspection-reopen"),
    path("inspections/photos/<int:pk>/", views.inspection_photo, name="register-inspection-photo"),
    path("inspections/checklists/", views.inspection_settings, name="register-inspection-settings"),
    path("inspections/checklists/<int:pk>/", views.inspection_question, name="register-inspection-question"),
    path("items/<int:pk>/", views.item_detail, name="register-item"),
    path("items/<int:pk>/unchanged/", views.item_unchanged, name="register-item-unchanged"),
    path("items/<int:pk>/propose/", views.item_propose, name="register-item-propose"),
    path("signoff/", views.signoff, name="register-signoff"),
    path("signoff/<int:pk>/", views.edit_decide, name="register-edit-decide"),
    path("buildings/", views.buildings_list, name="register-buildings"),
    path("buildings/new/", views.building_create, name="register-building-create"),
    path("buildings/<int:pk>/", views.building_detail, name="register-building"),
    path("places/", views.places_list, name="register-places"),
    path("places/new/", views.place_create, name="register-place-create"),
    path("places/<int:pk>/", views.place_detail, name="register-place"),
    path("import/", views.register_import, name="register-import"),
    path("import/templates/<str:kind>.csv", views.import_template, name="register-import-template"),
]
