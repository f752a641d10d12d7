"""Pages about the account itself: signing in (with the second factor), setting up the
second factor, and the role grants that wait for a second administrator."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from gridgov.core import account_selectors, account_services, otp
from gridgov.core.exceptions import DomainError
from gridgov.core.permissions import Capability, capability_required


class SignInForm(AuthenticationForm):
    """Username and password (axes counts failures through Django's authenticate), then the
    second-factor code where the account needs one; a wrong code counts as a failure too."""

    otp = forms.CharField(
        label=gettext_lazy("Verification code"), required=False, max_length=20, strip=True,
        help_text=gettext_lazy("The 6-digit code of your authenticator app, or a recovery code. "
                               "Leave empty if you have not set up a second factor."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        self.otp_device = None
        if user is None or not otp.must_use_second_factor(user) or not otp.has_second_factor(user):
            return cleaned
        code = cleaned.get("otp", "")
        if not code:
            raise ValidationError(_("Enter the verification code of your authenticator app."), code="otp_required")
        device = otp.verify_code(user=user, code=code)
        if device is None:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                   request=self.request)
            raise ValidationError(_("The verification code is wrong or has expired."), code="otp_invalid")
        self.otp_device = device
        return cleaned


class SignInView(auth_views.LoginView):
    """Django's sign-in in our layout, with the second factor of `core.otp`."""

    template_name = "registration/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # LoginView puts the host name under `site_name`; the header means the office's.
        context["site_name"] = settings.GRIDGOV_SITE_NAME
        context["otp_on"] = otp.otp_mode() != "off"
        return context


class OtpConfirmForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("First code from the app"), regex=r"^\s*[0-9]{6}\s*$", max_length=8,
        error_messages={"invalid": gettext_lazy("Enter the 6 digits the app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Set up an authenticator: the secret as text and QR code, confirmed by a first code,
    then one-time recovery codes shown once."""
    user = request.user
    enrolled = otp.has_second_factor(user)
    if enrolled and request.method == "GET":
        return render(request, "registration/otp_setup.html", {"enrolled": True})
    if enrolled and not user.is_verified():
        # Replacing a device needs the current one: sign in with it first.
        raise PermissionDenied
    device = otp.otp_pending_device(user=user)
    form = OtpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.otp_enrol_confirm(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            return render(request, "registration/otp_recovery_codes.html",
                          {"codes": codes, "next": _safe_next(request) or "/"})
        form.add_error("code", _("This code does not match. Check the time on your phone and try again."))
    return render(request, "registration/otp_setup.html", {
        "form": form, "enrolled": False, "required": otp.must_use_second_factor(user),
        "secret": otp.secret_text(device), "qr": otp.qr_svg_data_uri(device.config_url),
        "next": _safe_next(request),
    }, status=400 if form.errors else 200)


# --- Role grants ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
@capability_required(Capability.MANAGE_USERS)
def role_grants(request):
    grants = list(account_selectors.role_grants_visible_to(request.user))
    rows = [{
        "grant": g,
        "roles": account_selectors.role_labels(g.roles),
        "can_decide": account_services.can_decide(request.user, g),
        "own": g.requested_by_id == request.user.pk,
    } for g in grants]
    return render(request, "registration/role_grants.html", {"rows": rows})


@login_required
@require_POST
@capability_required(Capability.MANAGE_USERS)
def role_grant_decide(request, pk: int, decision: str):
    try:
        grant = account_selectors.access_role_grant(request.user, pk)
    except DomainError:
        raise Http404 from None
    decide = account_services.role_grant_approve if decision == "approve" else account_services.role_grant_refuse
    try:
        decide(actor=request.user, grant=grant, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("role-grants")
    if decision == "approve":
        messages.success(request, _("Approved: %(user)s now has these roles.") % {"user": grant.user.label})
    else:
        messages.success(request, _("Refused: %(user)s does not get these roles.") % {"user": grant.user.label})
    return redirect("role-grants")
