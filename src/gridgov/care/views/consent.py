"""Recording a withdrawal of consent from an enrollment's page (PIPL art. 15); the rules
are in `services.enrollment_withdraw_consent`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.care import services
from gridgov.care.models import ConsentWithdrawal
from gridgov.care.views.common import record_action
from gridgov.core.permissions import Capability


class ConsentWithdrawalForm(forms.Form):
    withdrawn_on = forms.DateField(label=gettext_lazy("Consent withdrawn on"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=gettext_lazy("How it was expressed"), choices=ConsentWithdrawal.Channel.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "consent")
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


@record_action(Capability.MANAGE_ENROLLMENTS)
def enrollment_withdraw_consent(request, enrollment):
    from gridgov.care.views.record import _form_action  # the record page imports this module

    def withdraw(data):
        services.enrollment_withdraw_consent(actor=request.user, enrollment=enrollment,
                                             withdrawn_on=data["withdrawn_on"], channel=data["channel"],
                                             note=data["note"])

    return _form_action(request, enrollment, ConsentWithdrawalForm(request.POST), key="consent", action=withdraw,
                        success=_("The withdrawal of consent was recorded; processing that rested on it has ended."))
