import pytest
from django.urls import reverse

from gridgov.core.models import AuditEntry, HolidayOverride, Role
from gridgov.events.models import CategoryLimit
from tests.factories import make_user


@pytest.fixture
def admin_client(client, tree):
    admin_user = make_user("sysadmin", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    return client


def test_an_admin_edits_a_categorys_limits_and_it_is_audited(admin_client):
    limit = CategoryLimit.objects.get(category__code="food", urgency="ordinary")
    url = reverse("admin:events_category_change", args=[limit.category_id])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, dict))}
    data.update({"name": "食品药品安全", "is_active": "on", "is_public": "on"})
    inline = page.context["inline_admin_formsets"][0].formset
    data.update({f"{inline.prefix}-TOTAL_FORMS": str(inline.total_form_count()),
                 f"{inline.prefix}-INITIAL_FORMS": str(inline.initial_form_count()),
                 f"{inline.prefix}-MIN_NUM_FORMS": "0", f"{inline.prefix}-MAX_NUM_FORMS": "1000"})
    for index, sub in enumerate(inline.forms):
        for name, field in sub.fields.items():
            value = sub.initial.get(name)
            if value is not None:
                data[f"{inline.prefix}-{index}-{name}"] = getattr(value, "pk", value)
        data[f"{inline.prefix}-{index}-id"] = sub.instance.pk
        data[f"{inline.prefix}-{index}-category"] = limit.category_id
        if sub.instance.pk == limit.pk:
            data[f"{inline.prefix}-{index}-handle_hours"] = "12"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    limit.refresh_from_db()
    assert str(limit.handle_hours) == "12.00"
    assert AuditEntry.objects.filter(action="event.config").exists()


def test_an_admin_enters_next_years_holidays(admin_client):
    response = admin_client.post(reverse("admin:core_holidayoverride_add"),
                                 {"date": "2027-01-01", "is_workday": "", "name": "元旦"})

    assert response.status_code == 302
    assert HolidayOverride.objects.get().name == "元旦"


def test_other_roles_do_not_see_the_configuration(client, tree):
    dispatcher = make_user("disp", Role.DISPATCHER, scope="9901", is_staff=True)
    client.force_login(dispatcher)

    assert client.get(reverse("admin:events_category_changelist")).status_code == 403
