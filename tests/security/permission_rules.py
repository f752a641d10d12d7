"""Who may call each URL of gridgov: the policy of DESIGN.md, CONTRACTS.md and the issues,
written per URL name for a reviewer to read (not derived from `ROLE_CAPABILITIES`, which is
what is being checked). `tests/security/test_permission_matrix.py` calls every URL as every
role and anonymously and holds the answers against these rules.

A rule gives, per HTTP method the view answers, the callers allowed; `scoped` says that an
object (or org code) outside the caller's area answers 404 (CONTRACTS "Errors"); `status`
pins the answer of the allowed callers where it is not simply "got past the permission
check" (e.g. a page that redirects, a list whose rows are filtered)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgov.core.models import Role

ANONYMOUS = "anonymous"

# --- role groups (CONTRACTS "Demo accounts", DESIGN "People and sensitive data") ----------
CITY_ADMIN, DISPATCHER, GRID_WORKER = Role.CITY_ADMIN.value, Role.DISPATCHER.value, Role.GRID_WORKER.value
DEPARTMENT, STATION, CARE_WORKER = Role.DEPARTMENT_STAFF.value, Role.STATION_STAFF.value, Role.CARE_WORKER.value
MEDIATOR, OFFICER, SCREENER, AUDITOR = (Role.MEDIATOR.value, Role.PROGRAM_OFFICER.value, Role.SCREENER.value,
                                        Role.AUDITOR.value)
POLICE = Role.POLICE_LIAISON.value  # care (issue 11): sees only the cases of its own care teams
JUSTICE = Role.JUSTICE_OFFICER.value  # mediation (issue 13): the township's mediation
BANK = Role.BANK_KEEPER.value  # participation (issue 14): the village's points bank
VOLUNTEER, ORGANISER = Role.VOLUNTEER.value, Role.VOLUNTEER_ORGANISER.value  # participation (issue 14)

STAFF = frozenset(Role.values)  # every signed-in role
PUBLIC = STAFF | {ANONYMOUS}
ALL_CALLERS = sorted(STAFF) + [ANONYMOUS]
ADMINS = frozenset({CITY_ADMIN})
AUDITORS = frozenset({AUDITOR})
# The auditor reads the audit log and nothing else (CONTRACTS): every working page is closed to it.
WORKERS = STAFF - AUDITORS
# People lists (masked) for every working role but the police liaison, which sees only the
# care cases on whose team it is, never lists of the area's people (care, issue 11).
# Volunteers and their organiser never read the register's people (the registry holds what
# volunteering needs).
PEOPLE_VIEWERS = WORKERS - {POLICE, VOLUNTEER, ORGANISER}
# Opening a full record with a purpose: the roles that serve a person directly.
PERSON_OPENERS = frozenset({GRID_WORKER, CARE_WORKER, OFFICER, SCREENER})
PERSON_EDITORS = frozenset({GRID_WORKER, CARE_WORKER, OFFICER, SCREENER})
MEDIATION_STAFF = frozenset({MEDIATOR, JUSTICE})
# The points bank: its keeper runs it; a grid worker records what a household of its cells earned.
POINTS_STAFF = frozenset({BANK, GRID_WORKER})
# Volunteering: a volunteer takes shifts and records its own hours; the organiser runs the rest.
VOLUNTEER_PEOPLE = frozenset({VOLUNTEER, ORGANISER})
# Suggestions: the grid centre assigns and moderates; departments and stations answer.
SUGGESTION_DESK = frozenset({DISPATCHER, DEPARTMENT, STATION})
# Village meetings: recorded by the village's grid worker and grid leader, read by the administrator
# (who assigns officials to villages).
MEETING_RECORDERS = frozenset({GRID_WORKER, SCREENER})
MEETING_READERS = MEETING_RECORDERS | ADMINS
# The register (buildings, households, places): the staff who work in an area.
REGISTER_VIEWERS = frozenset({CITY_ADMIN, DISPATCHER, GRID_WORKER, DEPARTMENT, STATION, CARE_WORKER, OFFICER,
                              SCREENER})
REGISTER_EDITORS = frozenset({CITY_ADMIN, SCREENER})  # direct edits, imports, rounds
SIGN_OFF = frozenset({SCREENER})  # the grid leader signs off proposed changes
ROUND_WORKERS = frozenset({GRID_WORKER})  # the checklist of a round is the grid worker's
# Care: who needs a visit (grid workers, the team), the program's facts (team, officer), management.
CARE_STAFF = frozenset({GRID_WORKER, CARE_WORKER, OFFICER})
CARE_DETAIL_ROLES = frozenset({CARE_WORKER, OFFICER})
CARE_MANAGERS = frozenset({OFFICER})
CARE_STATISTICS = CARE_STAFF | ADMINS
# Events: everyone who works the loop; the configuration is the administrator's.
EVENT_STAFF = frozenset({CITY_ADMIN, DISPATCHER, GRID_WORKER, DEPARTMENT, STATION})
EVENT_CONFIG = ADMINS
EVENT_DESK = frozenset({CITY_ADMIN, DISPATCHER})  # the queue, map and ranking of the centre
EVENT_HANDLERS = frozenset({DEPARTMENT, STATION})  # the inbox of work sent to a unit
EVENT_REPORTERS = WORKERS  # anyone at work may report a problem they see (not the auditor)
# A screening campaign is the grid worker's checklist and the officer's follow-up (docs/care.md):
# other care roles never open one (403); the campaign list stays open to CARE_STAFF (empty for them).
CAMPAIGN_WORKERS = frozenset({GRID_WORKER, OFFICER})  # the grid worker records, the officer follows
# Only the case's own team: of the matrix's users, the police liaison alone is on the inside
# case's team (permission_objects), so it is the one team member the matrix calls as.
TEAM_ONLY = frozenset({POLICE})
CARE_TEAM = CARE_STAFF | TEAM_ONLY  # who needs a visit: the area's care staff, and the case's own team
# Audit: auditors everywhere; a person's own program officer for that person's access log.
AUDIT_READERS = AUDITORS
# Roles whose scope is the whole tree in the matrix: nothing is outside their area.
CITY_WIDE = frozenset({CITY_ADMIN, AUDITOR})


@dataclass(frozen=True)
class Rule:
    methods: dict[str, frozenset]
    obj: str | None = None  # the kind of object the URL kwargs name (permission_objects.Side)
    scoped: bool = False
    api: bool = False
    status: dict[str, int] = field(default_factory=dict)
    why: str = ""


def page(obj=None, scoped=None, status=None, why="", **methods) -> Rule:
    return Rule(methods={m.upper(): frozenset(r) for m, r in methods.items()}, obj=obj,
                scoped=bool(obj) if scoped is None else scoped, status=status or {}, why=why)


def api(obj=None, scoped=None, status=None, why="", **methods) -> Rule:
    rule = page(obj, scoped, status, why, **methods)
    return Rule(methods=rule.methods, obj=rule.obj, scoped=rule.scoped, api=True, status=rule.status, why=why)


# --- exclusions -------------------------------------------------------------------------------
# Not gridgov's own views: the Django admin (its own permission model, guarded by
# is_staff/superuser and the admin's second factor, tests/security/test_accounts_*) and the
# i18n language switch of django.conf.urls.i18n (no data behind it).
EXCLUDED_PREFIXES = ("admin:",)
EXCLUDED = frozenset({"set_language"})


def is_excluded(name: str) -> bool:
    return name in EXCLUDED or name.startswith(EXCLUDED_PREFIXES)


RULES: dict[str, Rule] = {
    # --- infrastructure and the API's documents (CONTRACTS: readable without signing in) ----
    "healthz": page(get=PUBLIC),
    "readyz": page(get=PUBLIC),
    "api-schema": page(get=PUBLIC),
    "api-docs": page(get=PUBLIC),
    # --- accounts -------------------------------------------------------------------------------
    "api-token": api(post=PUBLIC, status={"POST": 400}, why="sign-in: an empty body is invalid input"),
    "api-me": api(get=STAFF),
    "api-me-workbench": api(get=STAFF, why="workbench (issue 11): each role's own counts, never another's rows"),
    "login": page(get=PUBLIC),
    "logout": page(post=PUBLIC, status={"POST": 302}),
    "otp-setup": page(get=STAFF),
    "home": page(get=STAFF),
    # A grant of a sensitive role waits for a second administrator.
    "api-role-grants": api(get=ADMINS, post=ADMINS),
    "api-role-grant-approve": api(obj="role_grant", scoped=False, post=ADMINS),
    "api-role-grant-refuse": api(obj="role_grant", scoped=False, post=ADMINS),
    "role-grants": page(get=ADMINS),
    "role-grant-approve": page(obj="role_grant", scoped=False, post=ADMINS),
    "role-grant-refuse": page(obj="role_grant", scoped=False, post=ADMINS),
    # --- org units and departments: everyone who works sees the tree of their area ------------
    "api-org-units": api(get=STAFF),
    "api-org-unit-locate": api(get=STAFF, status={"GET": 400}),
    "api-org-unit": api(obj="org_code", get=STAFF),
    "api-departments": api(get=STAFF),
    "api-department": api(obj="department", get=STAFF),
    "org-unit-root": page(get=STAFF),
    "org-unit-detail": page(obj="org_code", get=STAFF),
    "org-import": page(get=ADMINS, post=ADMINS),
    "org-export": page(get=ADMINS),
    # Pickers (issue 11): the units of one's own scope for every form with an area; colleagues
    # of one's scope for the forms that name a person at work (never the auditor's).
    "core-picker-org": page(get=STAFF),
    "core-picker-user": page(get=CARE_MANAGERS | ADMINS | frozenset({JUSTICE, ORGANISER}),
                             why="only roles that put colleagues on teams, accounts or mediation committees"),
    # --- people ---------------------------------------------------------------------------------
    "api-people": api(get=PEOPLE_VIEWERS, post=PERSON_EDITORS),
    "api-person": api(obj="person", get=PEOPLE_VIEWERS),
    "api-person-open": api(obj="person", post=PERSON_OPENERS),
    "people-list": page(get=PEOPLE_VIEWERS),
    "person-create": page(get=PERSON_EDITORS, post=PERSON_EDITORS),
    "person-detail": page(obj="person", get=PEOPLE_VIEWERS),
    "person-open-record": page(obj="person", post=PERSON_OPENERS),
    # --- audit, access logs (issue 10 "Audit for people") -----------------------------------------
    "api-audit": api(get=AUDIT_READERS),
    "audit-search": page(get=AUDIT_READERS),
    # The person's own program officer; auditors ask the same by person in the audit search.
    "api-person-access-log": api(obj="person", get=CARE_MANAGERS),
    "person-access-log": page(obj="person", get=CARE_MANAGERS),
    # --- privacy rights (PIPL): corrections, exports, processing record -------------------------
    # A correction is recorded by staff who may edit people in the area and decided by
    # another of them (the screener for register facts): PIPL art. 46, rights (issue 10).
    "api-person-corrections": api(obj="person", post=PERSON_EDITORS),
    "api-corrections": api(get=PERSON_EDITORS),
    "api-correction": api(obj="correction", get=PERSON_EDITORS),
    "api-correction-approve": api(obj="correction", post=PERSON_EDITORS),
    "api-correction-refuse": api(obj="correction", post=PERSON_EDITORS),
    "correction-new": page(obj="person", get=PERSON_EDITORS, post=PERSON_EDITORS),
    "corrections": page(get=PERSON_EDITORS),
    "correction-detail": page(obj="correction", get=PERSON_EDITORS),
    "correction-decide": page(obj="correction", post=PERSON_EDITORS),
    "api-person-export": api(obj="person", post=PERSON_OPENERS),
    "person-export": page(obj="person", get=PERSON_OPENERS, post=PERSON_OPENERS),
    "api-export-hold-clear": api(obj="held_user", scoped=False, post=AUDITORS),
    "export-holds": page(get=AUDITORS),
    "export-hold-clear": page(obj="held_user", scoped=False, post=AUDITORS),
    "api-processing-record": api(get=AUDITORS | ADMINS),
    "processing-record": page(get=AUDITORS | ADMINS),
    # --- emergency access ("break the glass") --------------------------------------------------
    "api-emergency-access": api(get=STAFF, post=PERSON_OPENERS, why="GET: one's own grants"),
    "api-emergency-reviews": api(get=AUDITORS),
    "api-emergency-review": api(obj="emergency_grant", scoped=False, post=AUDITORS),
    "emergency-access": page(get=STAFF, post=PERSON_OPENERS, why="GET: one's own grants"),
    "emergency-access-end": page(obj="emergency_grant", scoped=False, post=STAFF,
                                 status={"POST": 404}, why="only one's own grant: another's is not found"),
    "emergency-reviews": page(get=AUDITORS),
    "emergency-review": page(obj="emergency_grant", scoped=False, post=AUDITORS),
    # --- register ---------------------------------------------------------------------------------
    "api-buildings": api(get=REGISTER_VIEWERS),
    "api-households": api(get=REGISTER_VIEWERS),
    "api-places": api(get=REGISTER_VIEWERS),
    "register-home": page(get=REGISTER_VIEWERS),
    "register-one-table": page(obj="village", get=REGISTER_VIEWERS),
    "register-one-table-xlsx": page(obj="village", get=REGISTER_VIEWERS),
    "register-household": page(obj="household", get=REGISTER_VIEWERS),
    "register-member-leave": page(obj="household", post=REGISTER_EDITORS),
    "register-death": page(obj="household", post=REGISTER_EDITORS),
    "register-member-add": page(obj="household", post=REGISTER_EDITORS),
    "register-member-update": page(obj="household", post=REGISTER_EDITORS),
    # A round's progress is register data: whoever reads the register of the area follows
    # it; the grid worker works the checklist; the screener (or administrator) opens and closes.
    "register-rounds": page(get=REGISTER_VIEWERS, post=REGISTER_EDITORS),
    "register-round": page(obj="update_round", get=REGISTER_VIEWERS),
    "register-round-close": page(obj="update_round", post=REGISTER_EDITORS),
    "register-checklist": page(obj="update_round", get=REGISTER_VIEWERS),
    "register-item": page(obj="round_item", get=REGISTER_VIEWERS),
    "register-item-unchanged": page(obj="round_item", post=ROUND_WORKERS),
    "register-item-propose": page(obj="round_item", post=ROUND_WORKERS),
    # inspections (issue 11 §C): the round's places are register data; the grid worker records,
    # the city administrator sets the checklists (not scoped: one set for the deployment)
    "register-inspections": page(obj="inspection_round", get=REGISTER_VIEWERS),
    "register-inspection": page(obj="inspection", get=REGISTER_VIEWERS, post=ROUND_WORKERS),
    "register-inspection-unable": page(obj="inspection", post=ROUND_WORKERS),
    "register-inspection-reopen": page(obj="inspection", post=ROUND_WORKERS),
    "register-inspection-photo": page(obj="inspection_answer", get=REGISTER_VIEWERS),
    "register-inspection-settings": page(get=ADMINS, post=ADMINS),
    "register-inspection-question": page(obj="inspection_question", scoped=False, post=ADMINS),
    "register-signoff": page(get=SIGN_OFF),
    "register-edit-decide": page(obj="proposed_edit", post=SIGN_OFF),
    "register-buildings": page(get=REGISTER_VIEWERS),
    "register-building-create": page(get=REGISTER_EDITORS, post=REGISTER_EDITORS),
    "register-building": page(obj="building", get=REGISTER_VIEWERS),
    "register-places": page(get=REGISTER_VIEWERS),
    "register-place-create": page(get=REGISTER_EDITORS, post=REGISTER_EDITORS),
    "register-place": page(obj="place", get=REGISTER_VIEWERS),
    "register-import": page(get=REGISTER_EDITORS, post=REGISTER_EDITORS),
    "register-import-template": page(get=REGISTER_EDITORS),
    # --- events -----------------------------------------------------------------------------------
    "api-event-categories": api(get=STAFF),
    "api-events": api(get=EVENT_STAFF, post=EVENT_REPORTERS),
    "api-event": api(obj="event", get=EVENT_STAFF),
    "api-event-actions": api(obj="event", post=EVENT_STAFF),
    "api-event-merge": api(obj="event", post=frozenset({CITY_ADMIN, DISPATCHER})),
    "api-event-photo": api(obj="event", get=EVENT_STAFF),
    "api-sensor-events": api(post=frozenset(), why="sensors sign with an intake key, never a user"),
    "events-queue": page(get=EVENT_DESK),
    "events-map": page(get=EVENT_DESK),
    "events-inbox": page(get=EVENT_HANDLERS),
    "events-mobile": page(get=frozenset({GRID_WORKER}), post=frozenset({GRID_WORKER})),
    "events-mobile-verify": page(obj="event", post=frozenset({GRID_WORKER})),
    "events-hotline": page(get=frozenset({DISPATCHER}), post=frozenset({DISPATCHER})),
    "events-ranking": page(get=EVENT_DESK),
    "events-rules": page(get=EVENT_CONFIG, post=EVENT_CONFIG),
    "events-rule-end": page(obj="rule", scoped=False, post=EVENT_CONFIG),
    # --- notifications (core, notify issue 11): everyone's own -----------------------------------
    "api-notifications": api(get=STAFF),
    "api-notification-read": api(obj="notification", post=STAFF),
    "api-notifications-read-all": api(post=STAFF),
    "api-notification-settings": api(get=STAFF, put=STAFF),
    "notifications": page(get=STAFF),
    "notification-read": page(obj="notification", post=STAFF),
    "notifications-read-all": page(post=STAFF),
    "notification-settings": page(get=STAFF, post=STAFF),
    # --- mediation (issue 13): the committee's mediators and the area's justice officers ----------
    "api-mediation-committees": api(get=MEDIATION_STAFF),
    "api-mediation-cases": api(get=MEDIATION_STAFF, post=MEDIATION_STAFF, status={"POST": 400}),
    "api-mediation-case": api(obj="mediation_case", get=MEDIATION_STAFF),
    "api-mediation-sessions": api(obj="mediation_case", post=MEDIATION_STAFF, status={"POST": 400}),
    "api-mediation-outcome": api(obj="mediation_case", post=MEDIATION_STAFF, status={"POST": 400}),
    "api-mediation-actions": api(obj="mediation_case", post=MEDIATION_STAFF, status={"POST": 400}),
    "api-mediation-requests": api(post=PUBLIC, status={"POST": 400}, why="a resident asks without signing in"),
    "api-mediation-agreement": api(obj="mediation_case", get=MEDIATION_STAFF, status={"GET": 409},
                                   why="the case is not settled: no agreement to print"),
    "mediation-cases": page(get=MEDIATION_STAFF),
    "mediation-case-new": page(get=MEDIATION_STAFF, post=MEDIATION_STAFF, status={"POST": 400}),
    "mediation-case": page(obj="mediation_case", get=MEDIATION_STAFF),
    "mediation-case-act": page(obj="mediation_case", post=MEDIATION_STAFF, status={"POST": 400}),
    "mediation-case-agreement": page(obj="mediation_case", get=MEDIATION_STAFF, status={"GET": 409},
                                     why="the case is not settled: no agreement to print"),
    "mediation-case-file": page(obj="mediation_case", get=MEDIATION_STAFF),
    "mediation-attachment": page(obj="mediation_case", get=MEDIATION_STAFF),
    "mediation-statistics": page(get=MEDIATION_STAFF),
    "mediation-committees": page(get=MEDIATION_STAFF),
    "mediation-committee-add": page(post=frozenset({JUSTICE}), status={"POST": 400}),
    "mediation-mediator-add": page(post=frozenset({JUSTICE}), status={"POST": 400}),
    "mediation-statistics-xlsx": page(get=MEDIATION_STAFF),
    # the grid centre's desk hands a dispute event over (a fire-lane event: the page says it cannot)
    "mediation-from-event": page(obj="event", get=frozenset({DISPATCHER}), post=frozenset({DISPATCHER}),
                                 status={"POST": 400}),
    # a resident's request and its tracking, without signing in
    "mediation-request": page(get=PUBLIC, post=PUBLIC, status={"POST": 400}, why="a resident asks without signing in"),
    "mediation-request-sent": page(get=PUBLIC, status={"GET": 302},
                                   why="without a request in the session: back to the form"),
    "mediation-track": page(get=PUBLIC, post=PUBLIC, status={"POST": 400}, why="follow a request by its code"),
    # mediation (issue 13): the grid worker screens its own cells; the area's directory (centres,
    # roster, legal advisers) is read by its mediators, justice officers and grid workers, kept by
    # the justice officers
    "mediation-screening": page(get=MEDIATION_STAFF | {GRID_WORKER}),
    "mediation-screening-cell": page(obj="org_code", get=frozenset({GRID_WORKER}), post=frozenset({GRID_WORKER}),
                                     status={"POST": 400}),
    "mediation-centres": page(get=MEDIATION_STAFF | {GRID_WORKER}, post=frozenset({JUSTICE}), status={"POST": 400}),
    "mediation-centre": page(obj="mediation_centre", get=MEDIATION_STAFF | {GRID_WORKER}),
    "mediation-centre-shift-add": page(obj="mediation_centre", post=frozenset({JUSTICE}), status={"POST": 400}),
    "mediation-centre-shift-remove": page(obj="mediation_centre", post=frozenset({JUSTICE}), status={"POST": 409},
                                          why="the world's shift is a past day's: it stays on the roster"),
    "mediation-advisers": page(get=MEDIATION_STAFF | {GRID_WORKER}, post=frozenset({JUSTICE}), status={"POST": 400}),
    "mediation-adviser": page(obj="mediation_adviser", get=frozenset({JUSTICE}), post=frozenset({JUSTICE}),
                              status={"POST": 400}),
    "mediation-adviser-deactivate": page(obj="mediation_adviser", post=frozenset({JUSTICE}), status={"POST": 409},
                                         why="the world's adviser has left the directory already"),
    # --- participation (issue 14): the points bank ---------------------------------------------
    "api-points-accounts": api(get=POINTS_STAFF),
    "api-points-account": api(obj="points_account", get=POINTS_STAFF),
    "api-points-earn": api(obj="points_account", post=POINTS_STAFF, status={"POST": 400}),
    "api-points-redeem": api(obj="points_account", post=frozenset({BANK}), status={"POST": 400}),
    "points-banks": page(get=POINTS_STAFF, status={"GET": 302}, why="a user with one bank goes to its desk"),
    "points-bank": page(obj="points_bank", get=POINTS_STAFF),
    "points-leaderboard": page(obj="points_bank", get=POINTS_STAFF),
    "points-bank-setup": page(obj="points_bank", get=frozenset({BANK})),
    "points-account-open": page(obj="points_bank", post=frozenset({BANK}), status={"POST": 302},
                                why="no household named: back to the desk with the message"),
    "points-rule-save": page(obj="points_bank", post=frozenset({BANK}), status={"POST": 400}),
    "points-item-save": page(obj="points_bank", post=frozenset({BANK}), status={"POST": 400}),
    "points-settings-save": page(obj="points_bank", post=frozenset({BANK}), status={"POST": 302},
                                 why="an empty expiry is valid: points never expire"),
    "points-fund-add": page(obj="points_bank", post=frozenset({BANK}), status={"POST": 400}),
    "points-account": page(obj="points_account", get=POINTS_STAFF),
    "points-account-earn": page(obj="points_account", post=POINTS_STAFF, status={"POST": 400}),
    "points-account-redeem": page(obj="points_account", post=frozenset({BANK}), status={"POST": 400}),
    "points-account-consent": page(obj="points_account", post=frozenset({BANK}), status={"POST": 302}),
    "points-account-statement": page(obj="points_account", get=POINTS_STAFF),
    "points-redemption-hand-over": page(obj="points_redemption", post=frozenset({BANK}), status={"POST": 302},
                                        why="a voided redemption: back to the desk with the reason"),
    "points-redemption-void": page(obj="points_redemption", post=frozenset({BANK}), status={"POST": 302}),
    "points-movement-reverse": page(obj="points_movement", post=frozenset({BANK}), status={"POST": 302},
                                    why="no reason given: back to the account with the message"),
    "points-movement-photo": page(obj="points_movement", get=POINTS_STAFF),
    "points-account-volunteer": page(obj="points_account", post=frozenset({BANK}), status={"POST": 302},
                                     why="no volunteer named: back to the account with the message"),
    # volunteers (issue 14): a volunteer's own page and shifts; the organiser's activities and registry
    "volunteers-home": page(get=VOLUNTEER_PEOPLE, why="the organiser is sent on to its activities"),
    "volunteers-check-in-code": page(post=frozenset({VOLUNTEER}), status={"POST": 400}),
    "volunteers-hours-add": page(post=frozenset({VOLUNTEER}), status={"POST": 400}),
    "volunteers-own-certificate": page(get=frozenset({VOLUNTEER})),
    "volunteers-shift": page(obj="volunteer_shift", get=VOLUNTEER_PEOPLE),
    "volunteers-shift-sign-up": page(obj="volunteer_shift", post=VOLUNTEER_PEOPLE, status={"POST": 302},
                                     why="signed up already, or no volunteer named: back with the message"),
    "volunteers-shift-cancel": page(obj="volunteer_shift", post=frozenset({ORGANISER}), status={"POST": 302}),
    "volunteers-signup-cancel": page(obj="volunteer_signup", post=VOLUNTEER_PEOPLE, status={"POST": 302}),
    "volunteers-signup-check-in": page(obj="volunteer_signup", post=frozenset({ORGANISER}), status={"POST": 302}),
    "volunteers-signup-check-out": page(obj="volunteer_signup", post=VOLUNTEER_PEOPLE, status={"POST": 302}),
    "volunteers-signup-no-show": page(obj="volunteer_signup", post=frozenset({ORGANISER}), status={"POST": 302}),
    "volunteers-organise": page(get=frozenset({ORGANISER})),
    "volunteers-activity-add": page(post=frozenset({ORGANISER}), status={"POST": 400}),
    "volunteers-hours-decide": page(obj="volunteer_hours", post=frozenset({ORGANISER}), status={"POST": 302},
                                    why="declined without a reason: back with the message"),
    "volunteers-activity": page(obj="volunteer_activity", get=frozenset({ORGANISER})),
    "volunteers-shift-add": page(obj="volunteer_activity", post=frozenset({ORGANISER}), status={"POST": 400}),
    "volunteers-registry": page(get=frozenset({ORGANISER})),
    "volunteers-registry-add": page(post=frozenset({ORGANISER}), status={"POST": 400}),
    "volunteers-person": page(obj="volunteer", get=frozenset({ORGANISER})),
    "volunteers-qualification-add": page(obj="volunteer", post=frozenset({ORGANISER}), status={"POST": 400}),
    "volunteers-person-certificate": page(obj="volunteer", get=frozenset({ORGANISER})),
    # suggestions and projects (issue 14): the public's pages; the grid centre's and departments' desk
    "suggestions-suggest": page(get=PUBLIC, post=PUBLIC, status={"POST": 400}, why="anyone suggests"),
    "suggestions-sent": page(get=PUBLIC, status={"GET": 302}, why="nothing sent in this session: the form"),
    "suggestions-public": page(get=PUBLIC),
    "suggestions-track": page(get=PUBLIC, status={"GET": 302}),
    "suggestions-page": page(obj="suggestion", scoped=False, get=PUBLIC, why="public by its tracking code"),
    "suggestions-report": page(obj="suggestion", scoped=False, post=PUBLIC, status={"POST": 400}),
    "suggestions-follow": page(obj="suggestion", scoped=False, get=PUBLIC, why="the author's secret link"),
    "projects-public": page(get=PUBLIC),
    "projects-page": page(obj="project", scoped=False, get=PUBLIC),
    "api-suggestions": api(post=PUBLIC, status={"POST": 400}, why="anyone suggests"),
    "api-suggestion": api(obj="suggestion", scoped=False, get=PUBLIC),
    "api-projects": api(get=PUBLIC),
    "suggestions-desk": page(get=SUGGESTION_DESK),
    "suggestions-desk-item": page(obj="suggestion", get=SUGGESTION_DESK),
    "suggestions-assign": page(obj="suggestion", post=frozenset({DISPATCHER}), status={"POST": 400}),
    "suggestions-moderate": page(obj="suggestion", post=frozenset({DISPATCHER}), status={"POST": 400}),
    "suggestions-answer": page(obj="suggestion", post=frozenset({DEPARTMENT, STATION}), status={"POST": 400}),
    "suggestions-send-back": page(obj="suggestion", post=frozenset({DEPARTMENT, STATION}), status={"POST": 400}),
    "suggestions-link-project": page(obj="suggestion", post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "suggestions-projects": page(get=frozenset({DEPARTMENT})),
    "suggestions-project-add": page(post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "suggestions-project": page(obj="project", get=frozenset({DEPARTMENT})),
    "suggestions-project-progress": page(obj="project", post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "suggestions-milestone-add": page(obj="project", post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "suggestions-milestone-reached": page(obj="project", post=frozenset({DEPARTMENT}), status={"POST": 302}),
    # village meetings (issue 14): the grid worker and grid leader record them; officials assigned to
    # villages record their service days
    "meetings-list": page(get=MEETING_READERS),
    "meetings-add": page(post=MEETING_RECORDERS, status={"POST": 400}),
    "meetings-meeting": page(obj="meeting", get=MEETING_READERS),
    "meetings-concern-add": page(obj="meeting", post=MEETING_RECORDERS, status={"POST": 400}),
    "meetings-attendance": page(obj="meeting", post=MEETING_RECORDERS, status={"POST": 302},
                                why="no household ticked: back with the message"),
    "meetings-photo": page(obj="meeting", get=MEETING_READERS),
    "meetings-concern-resolve": page(obj="concern", post=MEETING_READERS, status={"POST": 302},
                                     why="no resolution given: back with the message"),
    "meetings-liaisons": page(get=MEETING_READERS | {JUSTICE}, why="the official assigned to the village"),
    "meetings-liaison-add": page(post=ADMINS, status={"POST": 400}),
    "meetings-service-day-add": page(obj="liaison", post=frozenset({JUSTICE}), status={"POST": 400},
                                     why="only the official itself"),
    "api-meetings": api(get=MEETING_READERS, post=MEETING_RECORDERS, status={"POST": 400}),
    "meetings-consultation-comment": page(obj="meeting", post=MEETING_RECORDERS, status={"POST": 302},
                                          why="no consultation chosen: back with the message"),
    # public consultations (issue 14): the public reads and comments; the department runs its own
    "consult-list": page(get=PUBLIC),
    "consult-page": page(obj="consultation", scoped=False, get=PUBLIC, why="published for everyone"),
    "consult-comment": page(obj="consultation", scoped=False, post=PUBLIC, status={"POST": 400}),
    "consult-document": page(obj="consultation", scoped=False, get=PUBLIC),
    "consultations-desk": page(get=frozenset({DEPARTMENT})),
    "consultations-add": page(post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "consultations-manage": page(obj="consultation", get=frozenset({DEPARTMENT})),
    "consultations-document-add": page(obj="consultation", post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "consultations-publish": page(obj="consultation", post=frozenset({DEPARTMENT}), status={"POST": 302},
                                  why="published already: back with the message"),
    "consultations-theme": page(obj="consultation", post=frozenset({DEPARTMENT}), status={"POST": 302}),
    "consultations-answer": page(obj="consultation", post=frozenset({DEPARTMENT}), status={"POST": 302}),
    "consultations-decide": page(obj="consultation", post=frozenset({DEPARTMENT}), status={"POST": 400}),
    "api-volunteer-shifts": api(get=VOLUNTEER_PEOPLE),
    "api-volunteer-sign-up": api(obj="volunteer_shift", post=VOLUNTEER_PEOPLE,
                                 why="signed up already (409), or no volunteer named (400)"),
    # --- background exports (core, issue 12): everyone's own; a failed one has no file -----------
    "export-jobs": page(get=STAFF),
    "export-job-file": page(obj="export_job", get=STAFF, status={"GET": 302}, why="no file: back to the list"),
    "export-job-remove": page(obj="export_job", post=STAFF, status={"POST": 302}),
    "api-exports": api(get=STAFF, post=STAFF, status={"POST": 400}, why="an empty body is invalid input"),
    "api-export": api(obj="export_job", get=STAFF, delete=STAFF),
    "api-export-file": api(obj="export_job", get=STAFF, status={"GET": 409}, why="a failed export has no file"),
    "events-detail": page(obj="event", get=EVENT_STAFF),
    "events-act": page(obj="event", post=EVENT_STAFF),
    "events-merge": page(obj="event", post=frozenset({CITY_ADMIN, DISPATCHER})),
    "events-photo": page(obj="event", get=EVENT_STAFF),
    # --- public: Open311 and the reporter's tracking pages (no sign-in, nothing personal) ------
    "open311-discovery": api(get=PUBLIC),
    "open311-services": api(get=PUBLIC),
    "open311-service": api(obj="category", scoped=False, get=PUBLIC),
    "open311-requests": api(get=PUBLIC, post=PUBLIC, status={"POST": 403},
                             why="a report needs the app's api_key (issued with `gridgov open311_key`)"),
    "open311-request": api(obj="event", scoped=False, get=PUBLIC),
    "open311-token": api(obj="event", scoped=False, get=PUBLIC),
    "events-track-lookup": page(get=PUBLIC),
    "events-report-public": page(get=PUBLIC, post=PUBLIC),
    "events-public-cells": page(get=PUBLIC, status={"GET": 400},
                                why="without a bbox the cells of the public map are refused"),
    "events-public-photo": page(obj="event", scoped=False, get=PUBLIC, status={"GET": 404},
                                why="an open event's photos are not published (none is closed here)"),
    "events-track": page(obj="event", scoped=False, get=PUBLIC),
    "events-track-rate": page(obj="event", scoped=False, post=PUBLIC),
    "events-track-dispute": page(obj="event", scoped=False, post=PUBLIC),
    "events-track-photo": page(obj="event", scoped=False, get=PUBLIC),
    # --- care ---------------------------------------------------------------------------------------
    "api-care-enrollments": api(get=CARE_TEAM, post=CARE_MANAGERS),
    "api-care-enrollment": api(obj="enrollment", get=CARE_TEAM),
    "api-care-acknowledge": api(obj="enrollment", post=TEAM_ONLY, why="a team member confirms they saw the case"),
    "api-care-exit": api(obj="enrollment", post=CARE_MANAGERS),
    "api-care-withdraw-consent": api(obj="enrollment", post=CARE_MANAGERS),
    "api-care-visits": api(obj="enrollment", post=CARE_DETAIL_ROLES | TEAM_ONLY, why="and the team"),
    "api-care-status": api(obj="enrollment", post=CARE_TEAM),
    "api-care-status-end": api(obj="enrollment", post=CARE_TEAM),
    "api-care-crises": api(obj="enrollment", post=CARE_TEAM),
    "api-care-crisis-actions": api(obj="crisis", post=CARE_TEAM),
    "api-care-subsidies": api(obj="enrollment", post=CARE_MANAGERS),
    "api-care-agreements": api(obj="enrollment", post=CARE_MANAGERS),
    "api-care-agreement-payments": api(obj="agreement", post=CARE_MANAGERS),
    "api-care-payments": api(get=CARE_MANAGERS),
    "api-care-today": api(get=CARE_STAFF | ADMINS, why="above the county: counts, results []"),
    "api-care-metrics": api(get=CARE_STATISTICS),
    "api-care-handovers": api(get=CARE_MANAGERS, post=CARE_MANAGERS),
    "api-care-handover-accept": api(obj="handover", post=CARE_MANAGERS),
    "api-care-handover-reject": api(obj="handover", post=CARE_MANAGERS),
    "api-care-campaigns": api(get=CARE_TEAM, post=CARE_MANAGERS),
    "api-care-campaign-progress": api(obj="campaign", get=CAMPAIGN_WORKERS),
    "api-care-campaign-items": api(obj="campaign", get=CAMPAIGN_WORKERS),
    "api-care-campaign-item": api(obj="campaign_item", post=CAMPAIGN_WORKERS),
    "api-care-person-export": api(obj="person", post=CARE_DETAIL_ROLES),
    "care-officer": page(get=CARE_MANAGERS),
    "care-today": page(get=CARE_STAFF | ADMINS, why="above the county: counts only, as the API"),
    "care-today-people": page(get=CARE_STAFF | ADMINS, why="the daily map's refresh: counts only above the county"),
    "care-enroll": page(get=CARE_MANAGERS, post=CARE_MANAGERS),
    "care-metrics": page(get=CARE_STATISTICS),
    "care-payments": page(get=CARE_MANAGERS),
    "care-enrollment": page(obj="enrollment", get=CARE_TEAM),
    "care-enrollment-open": page(obj="enrollment", post=CARE_DETAIL_ROLES),
    "care-acknowledge": page(obj="enrollment", post=TEAM_ONLY, why="a team member confirms they saw the case"),
    "care-status": page(obj="enrollment", post=CARE_TEAM, status={"POST": 404},
                        why="an empty form names no status period: 404"),
    "care-team-add": page(obj="enrollment", post=CARE_MANAGERS),
    "care-team-remove": page(obj="enrollment", post=CARE_MANAGERS),
    "care-exit": page(obj="enrollment", post=CARE_MANAGERS),
    "care-withdraw-consent": page(obj="enrollment", post=CARE_MANAGERS),
    "care-handover-new": page(obj="enrollment", post=CARE_MANAGERS),
    "care-enrollment-payments": page(obj="enrollment", get=CARE_MANAGERS, post=CARE_MANAGERS),
    "care-visit-new": page(obj="enrollment", get=CARE_DETAIL_ROLES | TEAM_ONLY, post=CARE_DETAIL_ROLES | TEAM_ONLY, why="and the team"),
    "care-visit-photo": page(obj="enrollment", get=CARE_TEAM, status={"GET": 404},
                             why="the matrix's visit has no photo: only the refusals are checked"),
    "care-crisis-new": page(obj="enrollment", get=CARE_TEAM, post=CARE_TEAM),
    "care-crisis": page(obj="crisis", get=CARE_TEAM),
    "care-crisis-action": page(obj="crisis", post=CARE_TEAM),
    "care-handover-report": page(get=CARE_MANAGERS),
    "care-handover-accept": page(obj="handover", post=CARE_MANAGERS),
    "care-handover-reject": page(obj="handover", post=CARE_MANAGERS),
    "care-campaigns": page(get=CARE_TEAM, post=CARE_MANAGERS),
    "care-campaign": page(obj="campaign", get=CAMPAIGN_WORKERS),
    "care-campaign-checklist": page(obj="campaign", get=CAMPAIGN_WORKERS),
    "care-campaign-item": page(obj="campaign_item", post=CAMPAIGN_WORKERS),
    "care-person-export": page(obj="person", get=CARE_DETAIL_ROLES, post=CARE_DETAIL_ROLES),
    # care (issue 11): teams, schedules per person, children
    "care-team-cases": page(get=CARE_TEAM, why="the cases of one's own care teams"),
    "care-team-confirm-family": page(obj="enrollment", post=CARE_MANAGERS | TEAM_ONLY, status={"POST": 400},
                                     why="the team (or the officer) records a family member's confirmation"),
    "care-schedule-add": page(obj="enrollment", post=CARE_MANAGERS, status={"POST": 400}),
    "care-schedule-record": page(obj="enrollment", post=CARE_MANAGERS | TEAM_ONLY, status={"POST": 400},
                                 why="the assignee, the team or the officer records a task"),
    "care-mentor-add": page(obj="enrollment", post=CARE_MANAGERS, status={"POST": 400}),
    "care-family-file-update": page(obj="enrollment", post=CARE_MANAGERS, status={"POST": 409},
                                    why="the matrix's case is no child's: refused as a conflict"),
    # security review (issue 11): opened once a child's record was opened with a purpose (this
    # file names no child: nobody to open it through) and over the API with a purpose
    "care-family-file": page(obj="family_file", get=CARE_DETAIL_ROLES, status={"GET": 404}),
    "api-care-team-confirm": api(obj="enrollment", post=CARE_MANAGERS | TEAM_ONLY, status={"POST": 400},
                                 why="the team (or the officer) records a family member's confirmation"),
    "api-care-high-risk-unconfirmed": api(get=CARE_TEAM, why="rows of the caller's own visible cases only"),
    "api-care-schedules": api(obj="enrollment", post=CARE_MANAGERS, status={"POST": 400}),
    "api-care-schedules-due": api(get=CARE_TEAM),
    "api-care-schedule-records": api(obj="schedule", post=CARE_MANAGERS | TEAM_ONLY, status={"POST": 201},
                                     why="the assignee, the team or the officer records a task"),
    "api-care-mentors": api(obj="enrollment", post=CARE_MANAGERS, status={"POST": 400}),
    "api-care-family-files": api(post=CARE_MANAGERS, status={"POST": 400}),
    "api-care-family-file": api(obj="family_file", get=CARE_DETAIL_ROLES, status={"GET": 400}),
}

# (name, method, role) where the code does not (yet) follow the policy above: each is
# reported in /work/notes/matrix.md. The matrix skips them and fails once one is fixed, so
# that the entry is removed with the fix.
DISAGREEMENTS: dict[tuple[str, str, str], str] = {}


def _disagree(names, method, roles, why):
    for name in names:
        for role in roles:
            DISAGREEMENTS[(name, method, role)] = why
