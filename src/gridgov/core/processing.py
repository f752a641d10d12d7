"""The record of processing activities (PIPL arts. 51, 54–55; 等保2.0 security management)
for the data protection officer: what the platform does with personal information, why,
on what legal basis, who can see it, how long it is kept, who receives it, and how it is
protected.

What can be read off the code is generated, so that the record stays true when the code
changes: who can access (the roles holding each capability, `core.permissions`), which
fields are encrypted at rest (every `EncryptedTextField`), the purposes a reader must
choose from (`core.purposes`), and the facts each app registers with
`register_processing_facts` (care: its programs, which are sensitive, the default
retention; events: the roles that see events). What only a person can say — purposes,
legal bases, categories, recipients — is declared once, in `ACTIVITIES` below, never in a
template. `tests/security/test_purposes_processing.py` fails when a care program has no
declared legal basis or an activity names a capability no role holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.fields import EncryptedTextField
from gridgov.core.models import Role
from gridgov.core.permissions import ROLE_CAPABILITIES, Capability
from gridgov.core.purposes import Purpose

L = gettext_lazy

# What each capability lets its holders do with personal information, in words.
CAPABILITY_LABELS: dict[Capability, object] = {
    Capability.VIEW_PEOPLE: L("see people with identifiers masked"),
    Capability.VIEW_PERSON_NAMES: L("see names in full in lists"),
    Capability.OPEN_PERSON_RECORD: L("open a full record, stating a purpose (logged), and export it"),
    Capability.EDIT_PEOPLE: L("register and change people"),
    Capability.MERGE_PEOPLE: L("merge duplicate records"),
    Capability.VIEW_REGISTER: L("see households, buildings and places"),
    Capability.EDIT_REGISTER: L("change and import the register (kept in field history)"),
    Capability.PROPOSE_REGISTER_EDITS: L("propose register changes for sign-off"),
    Capability.SIGN_OFF_REGISTER: L("sign off register changes"),
    Capability.VIEW_CARE: L("see who needs a visit, not why"),
    Capability.VIEW_CARE_DETAILS: L("see programs, health and criminal-record facts (a purpose is asked)"),
    Capability.MANAGE_ENROLLMENTS: L("enroll people, manage teams, handovers and payments"),
    Capability.RECORD_VISITS: L("record visits"),
    Capability.REPORT_CRISIS: L("report a crisis"),
    Capability.VIEW_CARE_STATISTICS: L("see care statistics (counts only, small counts suppressed)"),
    Capability.VIEW_AUDIT: L("read the audit log (names masked)"),
    Capability.MANAGE_USERS: L("manage staff accounts and roles"),
    Capability.REVIEW_BULK_EXPORTS: L("review bulk exports and lift the hold"),
}


@dataclass(frozen=True)
class Category:
    label: object
    sensitive: bool = False  # PIPL art. 28: health, criminal record, minors, ID, precise location…


@dataclass(frozen=True)
class ProcessingActivity:
    key: str
    name: object
    purpose: object
    legal_basis: object
    categories: tuple[Category, ...]
    capabilities: tuple[Capability, ...] = ()
    roles: tuple[str, ...] = ()  # roles that reach the data other than through a capability
    retention: object = ""
    recipients: object = ""
    models: tuple[str, ...] = ()  # the tables it keeps, for the encrypted fields
    safeguards: tuple[object, ...] = ()
    # Care: the law each program's processing rests on, by program code.
    legal_basis_by_program: dict[str, object] = field(default_factory=dict)


MASKING = L("Masked for every role that does not need the full value")
ACCESS_LOG = L("Every full read, export and change is in the hash-chained audit log with the purpose")
PURPOSES = L("A purpose from the list is required before a full record is shown or exported")
SCOPE = L("Each user sees only the org units of their scope")
# Legal bases and recipients that more than one activity shares.
STATUTORY_DUTIES = L("Performing statutory duties of community governance (PIPL art. 13 (3)).")
NO_RECIPIENTS = L("None outside the platform.")

ACTIVITIES: tuple[ProcessingActivity, ...] = (
    ProcessingActivity(
        key="people",
        name=L("Register of residents"),
        purpose=L("Serving the residents of each grid cell: visits, services, help in emergencies."),
        legal_basis=STATUTORY_DUTIES,
        categories=(
            Category(L("name, gender, birth date")),
            Category(L("resident ID number"), sensitive=True),
            Category(L("mobile phone number")),
            Category(L("home address")),
            Category(L("precise home location"), sensitive=True),
            Category(L("date of death")),
        ),
        capabilities=(Capability.VIEW_PEOPLE, Capability.VIEW_PERSON_NAMES, Capability.OPEN_PERSON_RECORD,
                      Capability.EDIT_PEOPLE, Capability.MERGE_PEOPLE),
        retention=L("While the person lives in the area; a merged duplicate keeps its row for history."),
        recipients=NO_RECIPIENTS,
        models=("core.person",),
        safeguards=(MASKING, PURPOSES, ACCESS_LOG, SCOPE),
    ),
    ProcessingActivity(
        key="register",
        name=L("Households, buildings and places"),
        purpose=L("Knowing who lives where, so that each household can be served and counted."),
        legal_basis=STATUTORY_DUTIES,
        categories=(
            Category(L("household address, relation to the head, residence type")),
            Category(L("moves in and out, with dates and reasons")),
            Category(L("landlords of rented buildings; people responsible for places, contact phone")),
            Category(L("history of every field change")),
        ),
        capabilities=(Capability.VIEW_REGISTER, Capability.EDIT_REGISTER, Capability.PROPOSE_REGISTER_EDITS,
                      Capability.SIGN_OFF_REGISTER),
        retention=L("While the household exists; field history is kept with the record."),
        recipients=NO_RECIPIENTS,
        models=("register.building", "register.household", "register.place", "register.fieldchange",
                "register.proposededit"),
        safeguards=(MASKING, ACCESS_LOG, SCOPE),
    ),
    ProcessingActivity(
        key="events",
        name=L("Events reported on the grid"),
        purpose=L("Handling problems reported by grid workers, residents, the hotline and sensors."),
        legal_basis=L("Performing statutory duties; the reporter's consent for their contact (PIPL art. 13 (1), (3))."),
        categories=(
            Category(L("reporter's name and contact")),
            Category(L("description, photos and location of the problem")),
        ),
        retention=L("Kept with the event; the public feed never shows the reporter or staff notes."),
        recipients=L("The responsible department or station; the public Open311 feed without personal data."),
        models=("events.event",),
        safeguards=(ACCESS_LOG, SCOPE),
    ),
    ProcessingActivity(
        key="care",
        name=L("Care programs"),
        purpose=L("Support, visits, help and a crisis path for people enrolled in a community program."),
        legal_basis=L("The law of each program (below), or the person's or guardian's consent, recorded with each enrollment."),
        categories=(
            Category(L("the program a person is in"), sensitive=True),
            Category(L("health facts: diagnosis, risk level, medication, hospital stays"), sensitive=True),
            Category(L("criminal-record and corrections facts"), sensitive=True),
            Category(L("facts about children and minors"), sensitive=True),
            Category(L("visits, notes, needs and help given; family and guardian contacts")),
            Category(L("agreements and payments")),
        ),
        capabilities=(Capability.VIEW_CARE, Capability.VIEW_CARE_DETAILS, Capability.MANAGE_ENROLLMENTS,
                      Capability.RECORD_VISITS, Capability.REPORT_CRISIS, Capability.VIEW_CARE_STATISTICS),
        recipients=L("The person's care team, including a police liaison only where the law gives them a role; "
                     "above the county, statistics only."),
        models=("care.enrollment", "care.teammember", "care.visit", "care.crisis", "care.agreement",
                "care.payment", "care.handover"),
        safeguards=(MASKING, PURPOSES, ACCESS_LOG, SCOPE,
                    L("Anonymised automatically after the retention date once the enrollment has ended")),
        legal_basis_by_program={
            "smd": L("Mental Health Law; national basic public health service specification"),
            "reentry": L("Prison Law art. 37 and the rules on resettlement support"),
            "community_corrections": L("Community Corrections Law"),
            "drug_rehab": L("Anti-Drug Law; Regulations on Drug Rehabilitation"),
            "child": L("Law on the Protection of Minors"),
            "youth": L("Law on the Protection of Minors; Law on the Prevention of Juvenile Delinquency"),
            "elderly": L("Law on the Protection of the Rights and Interests of the Elderly"),
        },
    ),
    ProcessingActivity(
        key="exports",
        name=L("A person's data export"),
        purpose=L("Giving a person (or their guardian) a copy of what is held about them."),
        legal_basis=L("The person's right to copy their information (PIPL art. 45)."),
        categories=(Category(L("everything above about the one person")),),
        capabilities=(Capability.OPEN_PERSON_RECORD, Capability.VIEW_CARE_DETAILS, Capability.REVIEW_BULK_EXPORTS),
        retention=L("The file is not kept; the export is logged."),
        recipients=L("The person or their guardian."),
        safeguards=(PURPOSES, ACCESS_LOG,
                    L("Bulk use is flagged, auditors are alerted, and further exports wait for an auditor")),
    ),
    ProcessingActivity(
        key="audit",
        name=L("Audit log"),
        purpose=L("Accountability: who read or changed which record, when, from where and why."),
        legal_basis=L("Cybersecurity Law art. 21; PIPL arts. 51 and 54."),
        categories=(Category(L("staff user names, IP addresses, purposes, the people concerned")),),
        capabilities=(Capability.VIEW_AUDIT,),
        retention=L("At least 6 months (Cybersecurity Law art. 21)."),
        recipients=L("Auditors; the program officer of a person, for that person's access log."),
        safeguards=(L("Append-only, keyed hash chain per county with signed checkpoints outside the database"),),
    ),
    ProcessingActivity(
        key="accounts",
        name=L("Staff accounts and sign-in"),
        purpose=L("Knowing who works on the platform and what each may do."),
        legal_basis=L("Human-resources management (PIPL art. 13 (2))."),
        categories=(Category(L("name, user name, roles, scope, sign-in times and addresses")),),
        capabilities=(Capability.MANAGE_USERS,),
        recipients=NO_RECIPIENTS,
        models=("core.user",),
        safeguards=(L("Passwords hashed; API tokens stored hashed and expiring; second factor for sensitive roles"),
                    ACCESS_LOG),
    ),
)

# --- Facts the apps register (generated from their code) ---------------------------------

_FACTS: dict[str, list[Callable[[], dict]]] = {}


def register_processing_facts(key: str, provider: Callable[[], dict]) -> None:
    """An app adds facts read off its code to activity `key`: `provider()` returns any of
    `programs` ([{"code", "name", "sensitive"}]), `roles` ([role codes]), `retention` (text)."""
    providers = _FACTS.setdefault(key, [])
    if provider not in providers:
        providers.append(provider)


def _facts(key: str) -> dict:
    merged: dict = {}
    for provider in _FACTS.get(key, []):
        merged.update(provider())
    return merged


def _roles_with(capability: Capability) -> list[str]:
    return [str(Role(role).label) for role in Role.values if capability in ROLE_CAPABILITIES.get(role, frozenset())]


def encrypted_fields() -> dict[str, list[str]]:
    """Every field encrypted at rest, by table (`app.model` → field names), from the models."""
    found: dict[str, list[str]] = {}
    for model in apps.get_models():
        names = [str(f.verbose_name) for f in model._meta.get_fields()
                 if isinstance(f, EncryptedTextField)]
        if names:
            found[model._meta.label_lower] = names
    return found


def _activity_row(activity: ProcessingActivity, encrypted: dict[str, list[str]]) -> dict:
    facts = _facts(activity.key)
    access = [
        {"can": str(CAPABILITY_LABELS.get(c, c)), "roles": _roles_with(c)} for c in activity.capabilities
    ]
    extra_roles = [*activity.roles, *facts.get("roles", [])]
    if extra_roles:
        access.append({
            "can": _("see the records of their area or sent to them"),
            "roles": [str(Role(r).label) for r in Role.values if r in extra_roles],
        })
    encryption = []
    for label in activity.models:
        if label in encrypted:
            model = apps.get_model(label)
            encryption.append({"table": str(model._meta.verbose_name), "fields": encrypted[label]})
    programs = [
        {
            "name": p["name"],
            "sensitive": p["sensitive"],
            "legal_basis": str(activity.legal_basis_by_program.get(p["code"], "")),
        }
        for p in facts.get("programs", [])
    ]
    return {
        "key": activity.key,
        "name": str(activity.name),
        "purpose": str(activity.purpose),
        "legal_basis": str(activity.legal_basis),
        "categories": [{"label": str(c.label), "sensitive": c.sensitive} for c in activity.categories],
        "programs": programs,
        "access": access,
        "retention": str(facts.get("retention") or activity.retention),
        "recipients": str(activity.recipients),
        "safeguards": [str(s) for s in activity.safeguards],
        "encrypted": encryption,
    }


def processing_record() -> dict:
    """The whole record, every text in the user's language (names, never codes)."""
    encrypted = encrypted_fields()
    return {
        "activities": [_activity_row(a, encrypted) for a in ACTIVITIES],
        "purposes": [str(p.label) for p in Purpose],
        "audit_retention": _("At least 6 months (Cybersecurity Law art. 21)."),
        "api_token_days": int(getattr(settings, "GRIDGOV_API_TOKEN_DAYS", 30)),
        "export_bulk_limit": int(getattr(settings, "GRIDGOV_EXPORT_BULK_LIMIT", 10)),
        "export_bulk_window_hours": float(getattr(settings, "GRIDGOV_EXPORT_BULK_WINDOW_HOURS", 24)),
    }
