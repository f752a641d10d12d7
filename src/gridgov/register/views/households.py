"""A household: its members, its field history, and the forms that change it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.views import _require, domain_errors_as_http
from gridgov.register import presenters, selectors, services
from gridgov.register.forms import DeathForm, MemberAddForm, MemberLeaveForm, MemberUpdateForm
from gridgov.register.views.common import members_of


def _form_cards(household, members, bound: dict) -> list[dict]:
    cards = []
    for name, form_class, url_name, title, button in (
        ("leave", MemberLeaveForm, "register-member-leave", _("A member moved out"), _("Record the move-out")),
        ("death", DeathForm, "register-death", _("A member died"), _("Record the death")),
        ("add", MemberAddForm, "register-member-add", _("Add a member"), _("Add the member")),
        ("update", MemberUpdateForm, "register-member-update",
         _("Change a member's relation or residence type"), _("Save")),
    ):
        kwargs = {} if form_class is MemberAddForm else {"members": members}
        cards.append({
            "name": name, "form": bound.get(name) or form_class(prefix=name, **kwargs),
            "action": reverse(url_name, args=[household.pk]), "title": title, "button": button,
            "open": name in bound,
        })
    return cards


def _household_context(request, household, *, bound: dict | None = None, problem: str = "") -> dict:
    user = request.user
    memberships = list(household.memberships.select_related("person").order_by("-is_current", "id"))
    members = members_of(user, memberships)
    people = {m.person_id: m.person for m in memberships}
    subjects = {("core.person", p.pk): selectors.display_name(user, p) for p in people.values()}
    subjects |= {("register.membership", m.pk): selectors.display_name(user, m.person) for m in memberships}
    can_edit = has_capability(user, Capability.EDIT_REGISTER)
    return {
        "household": household,
        "address": selectors.display_address(user, household.address),
        "building_address": selectors.display_address(user, household.building.address) if household.building else "",
        "unit_allowed": selectors.may_see_full_address(user),
        "current": [{"m": m, "name": name} for m, name in members],
        "former": [{"m": m, "name": selectors.display_name(user, m.person)} for m in memberships if not m.is_current],
        "history": presenters.history_rows(user, [household, *memberships, *people.values()], subjects=subjects),
        "can_edit": can_edit,
        "names_allowed": presenters.names_allowed(user),
        "can_view_people": has_capability(user, Capability.VIEW_PEOPLE),
        "form_cards": _form_cards(household, members, bound or {}) if can_edit else [],
        "problem": problem,
    }


@login_required
@require_GET
@domain_errors_as_http
def household_detail(request, pk: int):
    household = selectors.access_household(request.user, pk)
    return render(request, "register/household.html", _household_context(request, household))


def _household_edit(request, pk: int, name: str, form_class, action):
    """Run one edit form of the household page: the service on success (then back to the
    page), or the page again with the form's errors and the service's message."""
    user = request.user
    household = selectors.access_household(user, pk)
    _require(user, Capability.EDIT_REGISTER)
    memberships = household.current_members
    kwargs = {} if form_class is MemberAddForm else {"members": members_of(user, memberships)}
    form = form_class(request.POST, prefix=name, **kwargs)
    status = 400
    if form.is_valid():
        try:
            message = action(user, household, {m.pk: m for m in memberships}, form)
        except DomainError as error:
            status = add_domain_error(form, error)
        else:
            if message:
                messages.success(request, message)
                return redirect("register-household", pk=household.pk)
    context = _household_context(request, household, bound={name: form})
    return render(request, "register/household.html", context, status=status)


def _leave(user, household, current, form):
    data = form.cleaned_data
    services.member_leave(actor=user, membership=current[data["membership"]], on=data["on"], reason=data["reason"])
    return _("The move-out was recorded.")


def _death(user, household, current, form):
    person = next(m.person for m in current.values() if m.person_id == form.cleaned_data["person"])
    services.person_record_death(actor=user, person=person, died_on=form.cleaned_data["died_on"])
    return _("The death was recorded.")


def _update(user, household, current, form):
    data = form.cleaned_data
    changed = services.member_update(actor=user, membership=current[data["membership"]], relation=data["relation"],
                                     residence_type=data["residence_type"])
    if not changed:
        form.add_error(None, _("Nothing changed."))
        return None
    return _("The member's details were changed.")


def _add(user, household, current, form):
    data = form.cleaned_data
    services.member_add_by_resident_id(
        actor=user, household=household, resident_id=data["resident_id"], new_person=form.new_person(),
        relation=data["relation"], residence_type=data["residence_type"], moved_in_on=data["moved_in_on"],
        move_from_current=data["move_from_current"],
    )
    return _("The member was added.")


def _member_edit_view(name, form_class, action):
    @login_required
    @require_POST
    @domain_errors_as_http
    def view(request, pk: int):
        return _household_edit(request, pk, name, form_class, action)

    view.__name__ = f"household_{name}"
    return view


household_member_leave = _member_edit_view("leave", MemberLeaveForm, _leave)
household_death = _member_edit_view("death", DeathForm, _death)
household_member_add = _member_edit_view("add", MemberAddForm, _add)
household_member_update = _member_edit_view("update", MemberUpdateForm, _update)
