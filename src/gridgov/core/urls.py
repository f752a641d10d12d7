from django.contrib.auth import views as auth_views
from django.urls import path

from gridgov.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", views.org_unit_root, name="org-unit-root"),
    path("units/<str:code>/", views.org_unit_detail, name="org-unit-detail"),
    path("people/", views.people_list, name="people-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/open/", views.person_open_record, name="person-open-record"),
    path("audit/", views.audit_search, name="audit-search"),
]
