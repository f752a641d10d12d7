"""The permission matrix (issue 10, "Permission matrix"): every named URL of the project is
called as every role of CONTRACTS' demo accounts and anonymously, with an object inside the
caller's area and one outside it, and the answers are held against the policy declared in
`tests.security.permission_rules`. A new URL without a rule fails here.

POSTs carry an empty body, so nothing really changes: an allowed role gets past the
permission check and then fails validation (400) or a state check (409), which is fine.
The objects are built once per module (inside a transaction rolled back at the end)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.security import permission_rules as rules
from tests.security.permission_objects import World, build_world

ANONYMOUS = rules.ANONYMOUS


def named_patterns() -> dict[str, str]:
    """Every named pattern reachable from the root URL conf, name -> route (for messages)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}{entry.namespace}:"
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                found.setdefault(namespace + entry.name, prefix + str(entry.pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


PATTERNS = named_patterns()
COVERED = {name: route for name, route in PATTERNS.items() if not rules.is_excluded(name)}


def test_every_named_pattern_has_a_rule():
    missing = sorted(set(COVERED) - set(rules.RULES))
    assert not missing, f"URL patterns without a permission rule in tests/security/permission_rules.py: {missing}"


def test_every_rule_names_an_existing_pattern():
    stale = sorted(set(rules.RULES) - set(COVERED))
    assert not stale, f"permission rules for URL patterns that no longer exist: {stale}"


# --- the objects --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _obj_kwargs(name: str, route: str, world: World, role: str, inside: bool) -> dict | None:
    """The URL kwargs of `name` for an object inside (or outside) the caller's area."""
    side = world.inside if inside else world.outside
    kind = rules.RULES[name].obj
    values = {
        "person": side.person, "enrollment": side.enrollment, "crisis": side.crisis, "handover": side.handover,
        "campaign": side.campaign, "campaign_item": side.campaign_item, "agreement": side.agreement,
        "household": side.household, "building": side.building, "place": side.place, "event": side.event,
        "rule": side.rule, "update_round": side.update_round, "round_item": side.round_item,
        "proposed_edit": side.proposed_edit, "correction": side.correction,
        "emergency_grant": side.emergency_grant, "role_grant": side.role_grant, "visit": side.visit,
        # inspections (issue 11 §C)
        **{k: side.extra.get(k) for k in ("inspection_round", "inspection", "inspection_answer",
                                          "inspection_question")},
    }
    notification = (world.notifications.get(role, world.outside.extra["notification"]) if inside
                    else world.outside.extra["notification"])
    values["notification"] = notification
    values["mediation_case"] = side.extra.get("mediation_case")
    for points_kind in ("points_account", "points_bank", "points_movement", "points_redemption", "volunteer",
                        "volunteer_activity", "volunteer_shift", "volunteer_signup", "volunteer_hours", "suggestion",
                        "project", "meeting", "concern", "liaison", "consultation"):
        values[points_kind] = side.extra.get(points_kind)
    values["mediation_centre"] = side.extra.get("mediation_centre")
    values["mediation_adviser"] = side.extra.get("mediation_adviser")
    values["export_job"] = (world.export_jobs.get(role, world.outside.extra["export_job"]) if inside
                            else world.outside.extra["export_job"])
    kwargs = {}
    for key in _route_kwargs(name):
        if key in ("pk", "person_id", "enrollment_id", "crisis_id", "handover_id", "campaign_id", "agreement_id",
                   "event_id", "grant_id", "correction_id", "notification_id", "job_id", "case_id",
                   "account_id") or (key == "shift_id" and kind == "volunteer_shift") or (key == "item_id" and kind):
            kwargs[key] = values[kind].pk
        elif key == "shift_id":  # mediation (issue 13): a shift of the centre's roster
            kwargs[key] = side.extra["mediation_shift"].pk
        elif key == "attachment_id":  # mediation (issue 13): a page of the case's file
            kwargs[key] = side.extra["mediation_attachment"].pk
        elif key == "photo_id" and kind == "meeting":  # participation (issue 14): a meeting's photo
            kwargs[key] = side.extra["meeting_photo"].pk
        elif key == "photo_id":
            kwargs[key] = world.inside.photo.pk if inside else world.outside.photo.pk
        elif key == "visit_id":
            kwargs[key] = side.visit.pk
        elif key == "member_id":
            kwargs[key] = side.team_member.pk
        elif key == "schedule_id":  # care (issue 11)
            kwargs[key] = side.extra["schedule"].pk
        elif key == "file_id" and kind == "family_file":
            kwargs[key] = side.extra["family_file"].pk
        elif key == "token" and name == "suggestions-follow":  # participation (issue 14): the author's link
            kwargs[key] = side.extra["follow_token"]
        elif key in ("code", "tracking_code") and kind == "suggestion":
            kwargs[key] = side.extra["suggestion"].tracking_code
        elif key == "document_id":  # participation (issue 14): a consultation's PDF
            kwargs[key] = side.extra["consultation_document"].pk
        elif key == "theme_id":
            kwargs[key] = side.extra["theme"].pk
        elif key == "milestone_id":
            kwargs[key] = side.extra["milestone"].pk
        elif key == "month":  # participation (issue 14): a statement's month
            kwargs[key] = timezone.localdate().strftime("%Y-%m")
        elif key == "variant":
            kwargs[key] = "thumb"
        elif key == "fmt":
            kwargs[key] = "json"
        elif key == "username":
            kwargs[key] = side.held_user
        elif key == "kind":
            kwargs[key] = "households"
        elif key in ("token",) and name.startswith("events-"):
            kwargs[key] = side.event.public_token
        elif key in ("token", "request_id"):
            kwargs[key] = side.event.code
        elif key == "code":
            if kind == "department":
                kwargs[key] = side.department
            elif kind == "village":
                kwargs[key] = side.village
            elif kind == "event":
                kwargs[key] = side.event.code
            elif kind == "category":
                kwargs[key] = "food.unlicensed"
            else:
                kwargs[key] = side.org_code
        else:  # pragma: no cover - a new kind of kwarg needs a value here
            raise AssertionError(f"{name}: no test value for URL kwarg {key!r}")
    return kwargs


def _route_kwargs(name: str) -> list[str]:
    possibilities = get_resolver().reverse_dict.getlist(name)
    params = set()
    for possibility in possibilities:
        for _result, p in possibility[0]:
            params.update(p)
    defaults = {}
    for possibility in possibilities:
        defaults.update(possibility[2])
    return sorted(params - set(defaults))


def url_of(name: str, world: World, role: str, inside: bool) -> str:
    return reverse(name, kwargs=_obj_kwargs(name, COVERED[name], world, role, inside))


_CLIENTS: dict = {}


def client_of(world: World, role: str, api: bool):
    """One client per role and kind for the module (signing in once, not per call)."""
    key = (id(world), role, api)
    if key not in _CLIENTS:
        _CLIENTS[key] = _new_client(world, role, api)
    return _CLIENTS[key]


def _new_client(world: World, role: str, api: bool):
    if api:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if role != ANONYMOUS:
            client.force_authenticate(world.users[role])
        return client
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def call(world: World, name: str, method: str, role: str, inside: bool):
    rule = rules.RULES[name]
    # Signing out ends the session: that call gets a client of its own.
    client = _new_client(world, role, rule.api) if name == "logout" else client_of(world, role, rule.api)
    if not rule.api and role != ANONYMOUS and name != "logout":
        client.force_login(world.users[role])  # some calls end or rotate the session
    url = url_of(name, world, role, inside)
    cache.clear()  # rate limits and sign-in lockouts would count the matrix's own calls
    if method == "GET":
        return client.get(url)
    if rule.api:
        return getattr(client, method.lower())(url, {}, format="json")
    return getattr(client, method.lower())(url, {})


# --- the checks -----------------------------------------------------------------------------

def _is_login_redirect(response) -> bool:
    from django.conf import settings

    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL)
                                                                            if not settings.LOGIN_URL.startswith("/")
                                                                            else settings.LOGIN_URL)


def check_one(world: World, name: str, method: str, role: str) -> list[str]:
    """The problems of one (pattern, method, role); empty when the answers follow the rule."""
    rule = rules.RULES[name]
    allowed = role in rule.methods[method]
    problems = []
    response = call(world, name, method, role, inside=True)
    status = response.status_code
    where = f"{method} {name} as {role}"
    if not allowed:
        if role == ANONYMOUS:
            ok = status == 401 if rule.api else (_is_login_redirect(response) or status == 403)
            expected = "401" if rule.api else "a redirect to sign-in or 403"
        else:
            ok = status == 403
            expected = "403"
        if ok and rule.api and status in (401, 403):
            body = response.json()
            if not {"code", "message", "fields"} <= set(body):
                problems.append(f"{where}: {status} without the error shape: {body}")
        if not ok:
            problems.append(f"{where}: not allowed by the rule, so {expected}; got {status}")
        return problems
    expected_status = rule.status.get(method)
    if expected_status is not None:
        if status != expected_status:
            problems.append(f"{where}: allowed, expected {expected_status}; got {status}")
    elif status in (401, 403, 404, 405) or status >= 500 or (status == 302 and _is_login_redirect(response)):
        problems.append(f"{where}: allowed in scope, so not 401/403/404/405; got {status}")
    if rule.scoped and role not in rules.CITY_WIDE:
        status_out = call(world, name, method, role, inside=False).status_code
        if status_out != 404:
            problems.append(f"{where}: an object outside the area must answer 404; got {status_out}")
    return problems


CASES = [(name, method) for name in sorted(rules.RULES) if name in COVERED for method in rules.RULES[name].methods]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_permission_matrix(world, name, method):
    problems = []
    for role in rules.ALL_CALLERS:
        key = (name, method, role)
        found = check_one(world, name, method, role)
        if key in rules.DISAGREEMENTS:
            # Declared: the code disagrees with the policy (reported, to be fixed). Fails
            # loudly once the code follows the policy, so the entry is then removed.
            assert found, f"{key} now follows the policy: remove it from DISAGREEMENTS"
            continue
        problems += found
    assert not problems, "\n".join(problems)
