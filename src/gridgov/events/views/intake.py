"""Hotline intake: a dispatcher types a caller's report and places it on the map."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.permissions import Capability
from gridgov.core.views import domain_errors_as_http
from gridgov.events import selectors, services
from gridgov.events.forms import HotlineForm
from gridgov.events.models import Channel
from gridgov.events.views.common import cells_geojson, grid_cells, require_capability, submit_once


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors_as_http
def hotline(request):
    user = request.user
    require_capability(user, Capability.REGISTER_EVENTS)
    form = HotlineForm(request.POST or None, leaves=selectors.leaf_categories())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data

            def submit():
                return services.event_submit(actor=user, submission=services.Submission(
                    category_code=data["category"], description=data["description"], channel=Channel.HOTLINE,
                    lat=data["lat"], lng=data["lng"], address=data["address"], urgency=data["urgency"],
                    reporter_name=data["caller_name"], reporter_contact=data["caller_phone"],
                ))

            try:
                event, replayed = submit_once(request, data["idempotency_key"], submit)
            except DomainError as error:
                status = add_domain_error(form, error)
            else:
                if event is None:
                    form.add_error(None, _("This form was already sent. Reload the page to register a new call."))
                    status = 409
                else:
                    if replayed:
                        messages.info(request, _("Event %(code)s was already registered.") % {"code": event.code})
                    else:
                        messages.success(request, _("Event %(code)s was registered.") % {"code": event.code})
                    # `sent=1` tells the page's script to forget the form's idempotency key.
                    return redirect(reverse("events-detail", args=[event.pk]) + "?sent=1")
    context = {"form": form, "map_data": {"cells": cells_geojson(grid_cells(prefix=user.scope_code))}}
    return render(request, "events/hotline.html", context, status=status)
