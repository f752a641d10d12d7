"""The Django admin in Chinese throughout (issue 11): a city administrator reading it in
zh-hans finds no English word on any page of any registered model — not in Django's own
strings, the third-party apps' tables (sign-in protection, background tasks), our field
labels, nor values shown as codes.

Data the page shows as data (codes, usernames, paths, hashes, a task's module path) is not
a word of the interface: the cells and read-only values of those fields are skipped.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from gridgov.care.models import ProgramConfig
from gridgov.care.programs import Program
from gridgov.core import audit_labels
from gridgov.core.models import AuditEntry, HolidayOverride, OrgUnit, Role, WorkSchedule
from gridgov.events.models import IntakeKey, ScoreRule
from tests.factories import DepartmentFactory, PersonFactory, Tree, make_user

# Proper names and acronyms that stay as they are in Chinese text.
ALLOWED = {"Django", "TOTP", "HTTP", "HTTPS", "GeoJSON", "JSON", "Open311", "English", "SHA", "POST", "URL",
           "API", "IP"}
# Fields whose values are data, not words: codes, login names, paths, hashes, key prefixes.
DATA_FIELDS = {"code", "username", "actor_username", "password", "hash", "prev_hash", "path_info", "http_accept",
               "user_agent", "prefix", "task_label", "task_path", "queue_name", "backend_name", "args_kwargs",
               "worker_ids", "return_value", "exception_class_path", "formatted_traceback", "id", "ip",
               "ip_address", "session_hash", "get_data", "post_data", "object_id"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


class _Words(HTMLParser):
    """The visible text of a page, without scripts, styles and the values of DATA_FIELDS."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, set((dict(attrs).get("class") or "").split())))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def _skipped(self) -> bool:
        tags = [tag for tag, _ in self.stack]
        if "script" in tags or "style" in tags:
            return True
        in_data = any(f"field-{name}" in classes for _, classes in self.stack for name in DATA_FIELDS)
        return in_data and "label" not in tags

    def handle_data(self, data):
        if not self._skipped():
            self.text.append(data)


def visible_text(html: str) -> str:
    parser = _Words()
    parser.feed(html)
    return " ".join(parser.text)


def english_words(html: str) -> set[str]:
    words = set()
    for word in WORD.findall(visible_text(html)):
        letters = re.sub(r"[0-9]", "", word)
        if len(letters) >= 4 and word not in ALLOWED:
            words.add(word)
    return words


@pytest.fixture
def city_admin_client(client, tree):
    user = make_user("u01", Role.CITY_ADMIN, scope="99", is_staff=True, is_superuser=True, display_name="林海")
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


@pytest.fixture
def a_row_of_every_model(tree, city_admin_client):
    """At least one row for every registered admin model, as a working deployment has them."""
    DepartmentFactory(code="990101-01", name="县市场监管局")
    PersonFactory(name="王小明")
    make_user("u02", Role.GRID_WORKER, scope=Tree.CELL_A1, cells=[Tree.CELL_A1], display_name="李娜")
    ScoreRule.objects.get_or_create()
    HolidayOverride.objects.create(date=datetime.date(2026, 10, 1), is_workday=False, name="国庆节")
    WorkSchedule.objects.create(org_code=Tree.COUNTY_A, morning_start=datetime.time(8, 30),
                                morning_end=datetime.time(12), afternoon_start=datetime.time(13, 30),
                                afternoon_end=datetime.time(17, 30))
    IntakeKey.objects.create(name="河道水位传感器", kind=IntakeKey.Kind.SENSOR, key_hash="0" * 64, prefix="1234",
                             org_code=Tree.CELL_A1)
    ProgramConfig.objects.get_or_create(program=Program.choices[0][0])
    common = {"user_agent": "浏览器", "ip_address": "10.0.0.1", "username": "u01", "http_accept": "*/*",
              "path_info": "/accounts/login/"}
    AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=3, **common)
    AccessLog.objects.create(**common)
    AccessFailureLog.objects.create(locked_out=True, **common)
    DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="gridgov.events.tasks."
                                "escalate_overdue_events", backend_name="default", run_after=get_date_max(),
                                status="FAILED", exception_class_path="builtins.ValueError", traceback="—")
    # An audited change made here, so that the audit log has an entry to open.
    unit = OrgUnit.objects.get(code=Tree.VILLAGE_A)
    response = city_admin_client.post(reverse("admin:core_orgunit_change", args=[unit.pk]), {"name": "幸福村"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(object_type="core.orgunit").exists()


def admin_pages():
    """(url name, args, model) of every registered model's list, first row and add page."""
    pages = []
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append((f"{info}_changelist", model, False))
        pages.append((f"{info}_change", model, True))
        pages.append((f"{info}_add", model, False))
    return pages


def test_every_admin_page_reads_in_chinese(city_admin_client, a_row_of_every_model):
    found = {}
    for name, model, needs_row in admin_pages():
        args = []
        if needs_row:
            row = admin.site._registry[model].get_queryset(_request(city_admin_client)).first()
            if row is None:
                continue
            args = [row.pk]
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        response = city_admin_client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        words = english_words(response.content.decode())
        if words:
            found[url] = sorted(words)

    assert found == {}, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_the_admin_index_names_the_third_party_apps_in_words(city_admin_client, a_row_of_every_model):
    page = city_admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Sign-in protection" in page and "Background tasks" in page
    assert "Axes" not in page and "Tasks Database Backend" not in page


def test_django_groups_and_permissions_are_not_in_the_admin(city_admin_client):
    user = make_user("u03", Role.DISPATCHER, scope=Tree.COUNTY_A)

    page = city_admin_client.get(reverse("admin:core_user_change", args=[user.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert Group not in admin.site._registry
    form = page.context["adminform"].form
    assert "groups" not in form.fields and "user_permissions" not in form.fields
    assert "is_superuser" not in form.fields  # still read-only, as before


def test_the_audit_entry_shows_its_action_and_details_in_words(city_admin_client, a_row_of_every_model):
    entry = AuditEntry.objects.filter(object_type="core.orgunit").latest("id")

    listing = city_admin_client.get(reverse("admin:core_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    page = city_admin_client.get(reverse("admin:core_auditentry_change", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="en")

    text = visible_text(listing.content.decode())
    assert audit_labels.action_label(entry.action) in text
    assert entry.action not in text  # the code stays in the filter's links only
    details = page.content.decode()
    assert "made through: the administration site" in details
    assert "fields changed: name" in details
    assert '{"via"' not in details


def _request(client):
    """A request of the signed-in admin, to ask a ModelAdmin for its (scoped) rows."""
    from django.test import RequestFactory

    from gridgov.core.models import User

    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request
