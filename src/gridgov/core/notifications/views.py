"""The notification pages: my notifications (unread first), mark one or all read, my settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.notifications import selectors, services
from gridgov.core.notifications.forms import AfterForm, PreferencesForm
from gridgov.core.pagination import keyset_page
from gridgov.core.views import domain_errors_as_http


@login_required
@require_GET
@domain_errors_as_http
def notifications(request):
    """The user's notifications, unread first, newest first within each group."""
    after_form = AfterForm(request.GET)
    after = after_form.cleaned_data.get("after") if after_form.is_valid() else None
    page = keyset_page(selectors.notifications_for(request.user), after=after, order=("-unread_first",))
    context = {"items": page.rows, "next_url": page.next_url(cursor=lambda n: n.unread_first),
               "has_unread": any(n.read_at is None for n in page.rows)}
    template = "core/notifications.html"
    if request.htmx and request.htmx.target == "notification-results":
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_POST
@domain_errors_as_http
def notification_read(request, pk: int):
    notification = selectors.access_notification(request.user, pk)
    notification = services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return render(request, "core/notifications.html#item", {"n": notification})
    link = notification.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notifications")


@login_required
@require_POST
@domain_errors_as_http
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.",
                                       count) % {"count": count})
    return redirect("notifications")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def notification_settings(request):
    user = request.user
    preferences = selectors.notification_preferences_of(user)
    form = PreferencesForm(request.POST or None, preferences=preferences)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.notification_preferences_update(user=user, choices=form.choices(),
                                                         sms_phone=form.cleaned_data["sms_phone"])
            except DomainError as error:
                status = add_domain_error(form, error, field_names={"choices": None})
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notification-settings")
        else:
            status = 400
    return render(request, "core/notification_settings.html",
                  {"form": form, "email": preferences["email"]}, status=status)
