"""Who in the event loop is told about an event, through `gridgov.core.notifications.notify`.

Each helper picks the recipients (the dispatchers whose scope covers the event, a unit's
staff, the cell's grid workers, the reporter) and passes the words, the event's page as the
link and the event as the subject; core writes the in-app rows in the caller's transaction
and sends e-mail/SMS (as each user's preferences say) after it commits.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.models import Role, User
from gridgov.core.notifications import Contact, Subject, notify, register_kind
from gridgov.core.orgcodes import ancestor_codes
from gridgov.core.validators import is_valid_mobile, normalize_mobile

EMAIL, SMS = "email", "sms"
STAFF_ROLES = (Role.DISPATCHER, Role.GRID_WORKER, Role.DEPARTMENT_STAFF, Role.STATION_STAFF, Role.CITY_ADMIN)

register_kind("new_event", gettext_lazy("A new event to register or dispatch"), roles=(Role.DISPATCHER,))
register_kind("dispatched", gettext_lazy("An event sent to my unit"), channels=(EMAIL,),
              roles=(Role.DEPARTMENT_STAFF, Role.STATION_STAFF))
register_kind("returned", gettext_lazy("An event returned by a unit"), roles=(Role.DISPATCHER,))
register_kind("verify", gettext_lazy("An event to verify on site"), roles=(Role.GRID_WORKER,))
register_kind("verified", gettext_lazy("An event verified and ready to close"), roles=(Role.DISPATCHER,))
register_kind("rework", gettext_lazy("An event sent back for rework"), channels=(EMAIL,),
              roles=(Role.DEPARTMENT_STAFF, Role.STATION_STAFF))
register_kind("closed", gettext_lazy("My report was closed"))
register_kind("extension", gettext_lazy("More time requested for an event"), roles=(Role.DISPATCHER,))
register_kind("dispute", gettext_lazy("A reporter disputes a closure"), roles=(Role.DISPATCHER,))
register_kind("supervision", gettext_lazy("An overdue event under supervision"), channels=(EMAIL,),
              roles=(Role.DISPATCHER,))
register_kind("overdue", gettext_lazy("An event of my unit is overdue"), channels=(EMAIL,),
              roles=(Role.DEPARTMENT_STAFF, Role.STATION_STAFF))


def to_users(users, event, *, kind: str, text: str) -> None:
    """Tell `users` about `event` (or about nothing in particular when it is None)."""
    if event is None:
        notify(recipients=users, kind=kind, text=text)
        return
    notify(recipients=users, kind=kind, text=text, link=reverse("events-detail", args=[event.pk]),
           org_code=event.org_code, subject=Subject("events.event", event.pk, event.code))


def dispatchers_of(event, *, kind: str, text: str) -> None:
    """The dispatchers whose scope covers the event's place."""
    codes = ancestor_codes(event.org_code, include_self=True)
    users = User.objects.filter(is_active=True, role_rows__role=Role.DISPATCHER, scope_code__in=codes).distinct()
    to_users(users, event, kind=kind, text=text)


def supervisors_at(level_code: str, event, *, kind: str, text: str) -> None:
    """Dispatchers whose scope is exactly the supervising level."""
    users = User.objects.filter(is_active=True, role_rows__role=Role.DISPATCHER, scope_code=level_code).distinct()
    to_users(users, event, kind=kind, text=text)


def unit_staff(department, event, *, kind: str, text: str) -> None:
    to_users(User.objects.filter(is_active=True, department=department), event, kind=kind, text=text)


def grid_workers_of(event, *, kind: str, text: str) -> None:
    users = User.objects.filter(is_active=True, grid_assignments__cell_id=event.org_code).distinct()
    to_users(users, event, kind=kind, text=text)


def reporter_of(event, *, kind: str) -> None:
    """Tell the person who reported it: their account in the app, and the contact they left
    when they asked to be told (e-mail or mobile number), with the public tracking page."""
    text = _("Your report %(code)s has been closed. Tell us if the problem is really solved.") % {
        "code": event.code}
    link = reverse("events-track", args=[event.public_token]) if event.public_token else ""
    contact = (event.reporter_contact or "").strip()
    contacts = []
    if "@" in contact:
        contacts.append(Contact(email=contact))
    elif contact and is_valid_mobile(contact):
        contacts.append(Contact(phone=normalize_mobile(contact)))
    notify(recipients=[event.reporter] if event.reporter_id else [], contacts=contacts, kind=kind, text=text,
           link=link, org_code=event.org_code, subject=Subject("events.event", event.pk, event.code))
