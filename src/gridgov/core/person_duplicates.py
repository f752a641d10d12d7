"""A registration whose resident ID number is already on a live record (one ID, one record).

The duplicate must be refused, but the refusal must not become an oracle: a grid worker
who sees ID numbers masked, and may not search by them (`people/?q=` matches nobody for
that role), could otherwise type numbers into "register a person" and learn, for each, that
somebody with it lives somewhere in the city. So (DESIGN.md: a search never confirms a value
the role sees masked; 404 never reveals a record elsewhere):

- the existing record is in the registering user's own area: 409 naming that, as before —
  the user sees that record in their lists anyway;
- it is outside their area: 409 with one generic sentence that says neither where, nor
  who, nor which record, and the register screeners whose area holds the record are told
  (in the app) so that a person who moved can be moved rather than registered twice;
- either way the attempt is a lookup by resident ID: logged (masked) and counted against the
  user's hourly `GRIDGOV_IDENTIFIER_SEARCH_LIMIT` (429 past it), like an exact search.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.models import Person, Role, User
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.permissions import in_scope

NOTIFY_KIND = "person_duplicate_attempt"
NOTIFY_LABEL = gettext_lazy("A resident ID number in my area was registered again elsewhere")


def in_scope_refusal() -> DomainError:
    return DomainError(
        _("A person with this resident ID number is already registered."),
        ErrorCode.DUPLICATE,
        {"resident_id": [_("Already registered.")]},
    )


def generic_refusal() -> DomainError:
    """The answer when the record is outside the user's area (and when a race is lost, where
    the winner's area is not known): it names no place, person or record."""
    message = _("This resident ID number cannot be registered here. A register screener "
                "has been asked to check it; if the person moved into your area, their record "
                "will be moved to you.")
    return DomainError(message, ErrorCode.DUPLICATE, {"resident_id": [_("Cannot be registered here.")]})


def check_resident_id_free(*, actor, index: str, resident_id: str) -> None:
    """Raise the right 409 when a live record holds the number behind `index`; nothing
    otherwise. Runs before the registering transaction, so that the log entry and the
    screeners' notification stay when the registration is refused."""
    live = Person.objects.filter(resident_id_index=index, merged_into__isnull=True)
    if not live.exists():
        return
    existing = live.values("pk", "org_code").first()
    if existing is None:  # merged or deleted in between
        return
    from gridgov.core.services import person_identifier_search_record

    # Logged and counted; raises 429 past the hourly limit (and then tells nobody).
    person_identifier_search_record(actor=actor, kind="resident_id", value=resident_id,
                                    where="person_create", matched=1)
    if in_scope(actor, existing["org_code"]):
        raise in_scope_refusal()
    _tell_screeners(actor=actor, person_id=existing["pk"], org_code=existing["org_code"])
    raise generic_refusal()


def _tell_screeners(*, actor, person_id: int, org_code: str) -> None:
    from django.urls import reverse

    from gridgov.core.notifications import notify

    screeners = User.objects.filter(
        is_active=True, role_rows__role=Role.SCREENER,
        scope_code__in=ancestor_codes(org_code, include_self=True),
    ).distinct()
    notify(
        recipients=screeners, kind=NOTIFY_KIND, org_code=org_code,
        text=_("%(user)s, outside your area, tried to register a person whose resident ID number "
               "is already on a record in your area (the link opens it). If the person has moved, "
               "move the record; otherwise check the number with them."),
        params={"user": actor.label},
        link=reverse("person-detail", args=[person_id]),
    )
