"""The programs' settings in the admin (docs/care.md): numbers with bounds, audited, read by
the schedules; never a new program, never a deleted one."""

import datetime

import pytest
from django.urls import reverse

from gridgov.care.models import ProgramConfig
from gridgov.core.models import AuditEntry, Role
from tests.care.conftest import START, enroll
from tests.factories import make_user


@pytest.fixture
def admin_client(client, tree):
    client.force_login(make_user("sysadmin", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True))
    return client


def _add_program(admin_client, program: str) -> ProgramConfig:
    response = admin_client.post(reverse("admin:care_programconfig_add"), {"program": program})
    config = ProgramConfig.objects.get(program=program)
    # the numbers come on the next page
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:care_programconfig_change", args=[config.pk])
    return config


def test_an_administrator_sets_the_stable_interval_and_new_enrollments_follow_it(admin_client, staff, patient):
    config = _add_program(admin_client, "smd")
    page = admin_client.get(reverse("admin:care_programconfig_change", args=[config.pk]))
    assert page.status_code == 200
    assert set(page.context["adminform"].form.fields) == {
        "unstable_days", "basically_stable_days", "stable_months", "min_per_year", "high_risk_level"}

    response = admin_client.post(reverse("admin:care_programconfig_change", args=[config.pk]), {
        "unstable_days": 14, "basically_stable_days": 14, "stable_months": 2, "min_per_year": 4,
        "high_risk_level": 3})

    assert response.status_code == 302
    config.refresh_from_db()
    assert config.settings == {"stable_months": 2}  # only what differs from the defaults
    enrollment = enroll(staff, patient)
    assert START == datetime.date(2026, 11, 2)
    assert enrollment.next_due_date == datetime.date(2027, 1, 2)  # two calendar months, not three
    entry = AuditEntry.objects.filter(action="care.program_config").latest("id")
    assert entry.actor.username == "sysadmin"
    assert '"after":{"stable_months":2}' in entry.changes


def test_a_value_out_of_bounds_is_refused_on_the_page_and_nothing_changes(admin_client):
    config = _add_program(admin_client, "child")

    response = admin_client.post(reverse("admin:care_programconfig_change", args=[config.pk]), {
        "key_child_days": 0, "other_days": 90, "exit_age": 18})

    assert response.status_code == 200
    assert "key_child_days" in response.context["adminform"].form.errors
    config.refresh_from_db()
    assert config.settings == {}


def test_programs_cannot_be_deleted_nor_added_twice(admin_client):
    config = _add_program(admin_client, "elderly")

    assert admin_client.post(reverse("admin:care_programconfig_delete", args=[config.pk])).status_code == 403
    page = admin_client.get(reverse("admin:care_programconfig_add"))
    offered = [value for value, _label in page.context["adminform"].form.fields["program"].choices]
    assert "elderly" not in offered and "smd" in offered


def test_other_roles_do_not_see_the_program_settings(client, tree):
    client.force_login(make_user("disp", Role.DISPATCHER, scope="9901", is_staff=True))

    assert client.get(reverse("admin:care_programconfig_changelist")).status_code == 403


def test_a_county_administrator_may_not_change_the_city_wide_program_settings(client, tree):
    from gridgov.care.program_config import program_config_update
    from gridgov.core.exceptions import Forbidden

    county_admin = make_user("county_admin", Role.CITY_ADMIN, scope="990101", is_staff=True)
    client.force_login(county_admin)
    assert client.get(reverse("admin:care_programconfig_changelist")).status_code == 403
    assert client.post(reverse("admin:care_programconfig_add"), {"program": "smd"}).status_code == 403

    with pytest.raises(Forbidden):
        program_config_update(program="smd", values={"min_per_year": 6}, actor=county_admin)
    assert not ProgramConfig.objects.exists()
    assert not AuditEntry.objects.filter(action="care.program_config").exists()
