"""`core.admin.CapabilityAdmin`: an app's settings in the admin are shown, added and changed
only by holders of the admin's capability, whatever Django permissions the account has, and
never deleted there. The events' configuration and the care programs' settings both use it."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from gridgov.care.models import ProgramConfig
from gridgov.core.admin import CapabilityAdmin
from gridgov.core.models import HolidayOverride, Role
from gridgov.core.permissions import Capability
from gridgov.events.models import Category, ScoreRule
from tests.factories import make_user

# (model, the capability its admin asks for, the page that lists it)
ADMINS = [
    (Category, Capability.MANAGE_EVENT_CONFIG, "admin:events_category_changelist"),
    (ScoreRule, Capability.MANAGE_EVENT_CONFIG, "admin:events_scorerule_changelist"),
    (HolidayOverride, Capability.MANAGE_EVENT_CONFIG, "admin:core_holidayoverride_changelist"),
    (ProgramConfig, Capability.MANAGE_CARE_CONFIG, "admin:care_programconfig_changelist"),
]


@pytest.fixture
def holder(tree):
    # The city administrator holds both capabilities (core.permissions.ROLE_CAPABILITIES).
    return make_user("cfg_admin", Role.CITY_ADMIN, scope="99", is_staff=True)


@pytest.fixture
def outsider(tree):
    # A staff account with every Django permission but neither capability.
    return make_user("cfg_outsider", Role.DISPATCHER, scope="99", is_staff=True, is_superuser=True)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize(("model", "capability", "_page"), ADMINS)
def test_each_settings_admin_is_a_capability_admin_for_its_capability(model, capability, _page):
    model_admin = admin.site._registry[model]

    assert isinstance(model_admin, CapabilityAdmin)
    assert model_admin.capability == capability


@pytest.mark.parametrize(("model", "_capability", "_page"), ADMINS)
def test_without_the_capability_nothing_is_shown_or_changed(outsider, model, _capability, _page):
    model_admin = admin.site._registry[model]
    request = _request(outsider)

    assert not model_admin.has_module_permission(request)
    assert not model_admin.has_view_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize(("model", "_capability", "_page"), ADMINS)
def test_with_the_capability_it_is_shown_and_changed(holder, model, _capability, _page):
    model_admin = admin.site._registry[model]
    request = _request(holder)

    assert model_admin.has_module_permission(request)
    assert model_admin.has_view_permission(request)
    assert model_admin.has_change_permission(request)


def test_a_plain_capability_admin_adds_with_the_capability_and_never_deletes(holder, outsider):
    class Settings(CapabilityAdmin):
        capability = Capability.MANAGE_EVENT_CONFIG

    model_admin = Settings(HolidayOverride, admin.site)

    assert model_admin.has_add_permission(_request(holder))
    assert not model_admin.has_add_permission(_request(outsider))
    assert not model_admin.has_delete_permission(_request(holder))


@pytest.mark.parametrize(("_model", "_capability", "page"), ADMINS)
def test_the_list_page_answers_the_holder_and_refuses_the_outsider(client, holder, outsider, _model, _capability,
                                                                   page):
    client.force_login(holder)
    assert client.get(reverse(page)).status_code == 200

    client.force_login(outsider)
    assert client.get(reverse(page)).status_code == 403


def test_the_audit_log_is_read_only_for_its_readers_and_closed_to_the_others(tree):
    from gridgov.core.admin import ReadOnlyCapabilityAdmin
    from gridgov.core.models import AuditEntry

    model_admin = admin.site._registry[AuditEntry]
    auditor = _request(make_user("cfg_auditor", Role.AUDITOR, scope="99", is_staff=True))
    dispatcher = _request(make_user("cfg_dispatcher", Role.DISPATCHER, scope="99", is_staff=True))

    assert isinstance(model_admin, ReadOnlyCapabilityAdmin)
    assert model_admin.has_module_permission(auditor) and model_admin.has_view_permission(auditor)
    assert not (model_admin.has_add_permission(auditor) or model_admin.has_change_permission(auditor)
                or model_admin.has_delete_permission(auditor))
    assert model_admin.get_actions(auditor) == {}
    assert not (model_admin.has_module_permission(dispatcher) or model_admin.has_view_permission(dispatcher))
