"""The committees of the area and their mediators: the justice officer adds committees and
seats mediators; a mediator reads the committees they sit on."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.models import User
from gridgov.core.orgcodes import org_code_form_field
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.picker_widgets import UserPicker
from gridgov.core.views import domain_errors_as_http
from gridgov.mediation import selectors, services
from gridgov.mediation.models import CaseType, CommitteeKind


class CommitteeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Committee name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CommitteeKind.choices)
    org_code = org_code_form_field(gettext_lazy("Area it serves"), required=True)


class MediatorForm(forms.Form):
    committee = forms.TypedChoiceField(label=gettext_lazy("Committee"), coerce=int)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    username = forms.CharField(label=gettext_lazy("Account (optional)"), max_length=150, required=False,
                               widget=UserPicker(),
                               help_text=gettext_lazy("An account holding the mediator role: its holder then "
                                                      "works the committee's cases. Leave empty for a member "
                                                      "without one."))
    specialities = forms.MultipleChoiceField(label=gettext_lazy("Kinds of dispute they know best"),
                                             choices=CaseType.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, committees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.committees = {c.pk: c for c in committees}
        self.fields["committee"].choices = [(c.pk, c.name) for c in committees]


def _render(request, *, committee_form=None, mediator_form=None, status=200):
    user = request.user
    committees = selectors.committees_of_area(user)
    keeps = has_capability(user, Capability.SUPERVISE_MEDIATION)
    return render(request, "mediation/committees.html", {
        "committees": committees, "keeps": keeps,
        "committee_form": committee_form or (CommitteeForm(initial={"org_code": user.scope_code}) if keeps else None),
        "mediator_form": mediator_form or (MediatorForm(committees=committees) if keeps and committees else None),
    }, status=status)


@login_required
@require_http_methods(["GET"])
@capability_required(selectors.MEDIATION_ROLES)
def committees(request):
    return _render(request)


@login_required
@require_POST
@capability_required(Capability.SUPERVISE_MEDIATION)
@domain_errors_as_http
def committee_add(request):
    form = CommitteeForm(request.POST)
    if not form.is_valid():
        return _render(request, committee_form=form, status=400)
    try:
        committee = services.committee_create(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _render(request, committee_form=form, status=add_domain_error(form, error))
    messages.success(request, _("%(name)s added.") % {"name": committee.name})
    return redirect("mediation-committees")


@login_required
@require_POST
@capability_required(Capability.SUPERVISE_MEDIATION)
@domain_errors_as_http
def mediator_add(request):
    form = MediatorForm(request.POST, committees=selectors.committees_of_area(request.user))
    if not form.is_valid():
        return _render(request, mediator_form=form, status=400)
    data = form.cleaned_data
    account = None
    if data["username"]:
        account = User.objects.visible_to(request.user).filter(username=data["username"], is_active=True).first()
        if account is None:
            form.add_error("username", _("No such active account in your area."))
            return _render(request, mediator_form=form, status=400)
    try:
        seat = services.mediator_add(actor=request.user, committee=form.committees[data["committee"]],
                                     name=data["name"], user=account, specialities=data["specialities"])
    except DomainError as error:
        return _render(request, mediator_form=form, status=add_domain_error(form, error))
    messages.success(request, _("%(name)s now sits on %(committee)s.")
                     % {"name": seat.name, "committee": seat.committee.name})
    return redirect("mediation-committees")


urlpatterns = [
    path("committees/", committees, name="mediation-committees"),
    path("committees/add/", committee_add, name="mediation-committee-add"),
    path("committees/mediators/add/", mediator_add, name="mediation-mediator-add"),
]
