"""The village meeting pages (`/meetings/`): the meetings of the area with the ratio of
concerns raised to resolved by unit, a new meeting; a meeting's page (officials, photos, the
households present, each concern and how it is dealt with); and the officials assigned to
villages with their service days."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gridgov.core.exceptions import DomainError
from gridgov.core.forms import add_domain_error
from gridgov.core.images import check_images, photo_response
from gridgov.core.models import OrgLevel, OrgUnit, User
from gridgov.core.orgnames import org_name_paths
from gridgov.core.pagination import PAGE_SIZE, keyset_page
from gridgov.core.permissions import Capability, capability_required, has_capability
from gridgov.core.views import domain_errors_as_http
from gridgov.participation.models import ConcernRoute, EarningRule
from gridgov.participation.selectors import meetings as selectors
from gridgov.participation.selectors.points import accounts_for
from gridgov.participation.services import meetings as services

RECORD = Capability.RECORD_MEETINGS
ROLES = selectors.MEETING_ROLES


class MeetingForm(forms.Form):
    org_code = forms.ChoiceField(label=gettext_lazy("Village"))
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("Place"), max_length=100,
                            help_text=gettext_lazy("The courtyard, hall or square where residents met."))
    convenor = forms.CharField(label=gettext_lazy("Convened by"), max_length=50)
    attendance = forms.IntegerField(label=gettext_lazy("Residents present"), min_value=0, max_value=10_000,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    officials = forms.CharField(label=gettext_lazy("Officials present (one per line: name, post)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}), max_length=3000)
    minutes = forms.CharField(label=gettext_lazy("Minutes"), required=False, max_length=10_000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    earning_rule = forms.TypedChoiceField(label=gettext_lazy("Points for each household present"), coerce=int,
                                          required=False, empty_value=None)
    photos = forms.FileField(label=gettext_lazy("Photos (optional)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    def __init__(self, *args, villages=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_code"].choices = [(v.code, v.name) for v in villages]
        self.rules = {r.pk: r for r in rules}
        self.fields["earning_rule"].choices = [("", _("No points"))] + [
            (r.pk, _("%(bank)s: %(act)s, %(n)d points") % {"bank": r.bank.name, "act": r.name, "n": r.points})
            for r in rules]

    def clean_officials(self):
        pairs = []
        for line in self.cleaned_data["officials"].splitlines():
            if line.strip():
                name, _sep, post = line.replace("，", ",").partition(",")
                pairs.append((name.strip(), post.strip()))
        return pairs

    def clean_earning_rule(self):
        rule_id = self.cleaned_data["earning_rule"]
        return None if rule_id is None else self.rules.get(rule_id)


class ConcernForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("Concern raised"), max_length=300)
    route = forms.ChoiceField(label=gettext_lazy("How it is dealt with"), choices=ConcernRoute.choices,
                              widget=forms.RadioSelect)
    resolution = forms.CharField(label=gettext_lazy("How it was resolved (on the spot)"), required=False,
                                 max_length=300)
    owner = forms.CharField(label=gettext_lazy("Owner (given to an owner)"), required=False, max_length=60)
    owner_username = forms.CharField(label=gettext_lazy("Owner's account (optional: told of it)"), required=False,
                                     max_length=150)
    deadline = forms.DateField(label=gettext_lazy("To be resolved by"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    event_code = forms.CharField(label=gettext_lazy("Event code (handed to the events loop)"), required=False,
                                 max_length=40)
    project = forms.TypedChoiceField(label=gettext_lazy("Project (part of a project)"), coerce=int, required=False,
                                     empty_value=None)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = {p.pk: p for p in projects}
        self.fields["project"].choices = [("", "—")] + [(p.pk, p.title) for p in projects]


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("How it was resolved"), max_length=300)


class AttendanceForm(forms.Form):
    accounts = forms.TypedMultipleChoiceField(label=gettext_lazy("Households present"), coerce=int,
                                              widget=forms.CheckboxSelectMultiple)


class LiaisonForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Official's account"), max_length=150)
    org_code = forms.ChoiceField(label=gettext_lazy("Village"))
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))


class ServiceDayForm(forms.Form):
    on_date = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("What was done"), max_length=200)


def _villages(user) -> list[OrgUnit]:
    """The villages of the user's area, or the one its cells are in."""
    return selectors.villages_near(user)


def _rules(villages) -> list:
    codes = [v.code for v in villages]
    return list(EarningRule.objects.filter(bank__org_code__in=codes, is_active=True, bank__is_active=True)
                .select_related("bank").order_by("bank_id", "name"))


# --- The meetings -------------------------------------------------------------------------------


def _list_render(request, *, status=200, meeting_form=None):
    user = request.user
    after = request.GET.get("after")
    page = keyset_page(selectors.meetings_for(user), order=("-id",), size=PAGE_SIZE,
                       after=int(after) if str(after).isdigit() else None)
    scope = OrgUnit.objects.filter(code=user.scope_code).first()
    children = list(scope.children.order_by("code")) if scope and scope.level != OrgLevel.GRID else []
    ratios = {r.code: r for r in (selectors.concern_ratio(scope.code, len(children[0].code)) if children else [])}
    names = org_name_paths([m.org_code for m in page.rows])
    villages = _villages(user)
    return render(request, "participation/meetings.html", {
        "rows": [{"meeting": m, "area": names.get(m.org_code, "")} for m in page.rows],
        "next_url": page.next_url(), "areas": [{"unit": c, "ratio": ratios.get(c.code)} for c in children],
        "meeting_form": meeting_form or (MeetingForm(villages=villages, rules=_rules(villages),
                                                     initial={"held_on": timezone.localdate()})
                                         if has_capability(user, RECORD) else None),
        "mine": list(selectors.my_liaisons(user)),
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ROLES)
def meetings(request):
    return _list_render(request)


@login_required
@require_POST
@capability_required(RECORD)
@domain_errors_as_http
def meeting_add(request):
    user = request.user
    villages = _villages(user)
    form = MeetingForm(request.POST, request.FILES, villages=villages, rules=_rules(villages))
    if not form.is_valid():
        return _list_render(request, status=400, meeting_form=form)
    data = form.cleaned_data
    try:
        photos = check_images(request.FILES.getlist("photos"), field="photos") if request.FILES else []
        meeting = services.meeting_record(actor=user, org_code=data["org_code"], held_on=data["held_on"],
                                          place=data["place"], convenor=data["convenor"],
                                          attendance=data["attendance"], minutes=data["minutes"],
                                          officials=data["officials"], earning_rule=data["earning_rule"],
                                          photos=photos)
    except DomainError as error:
        return _list_render(request, status=add_domain_error(form, error), meeting_form=form)
    messages.success(request, _("Recorded. Now add the concerns raised."))
    return redirect("meetings-meeting", meeting.pk)


def _meeting_render(request, meeting, *, status=200, concern_form=None):
    from gridgov.participation.selectors.points import household_labels

    user = request.user
    records = has_capability(user, RECORD) and services.near(user, meeting.org_code)
    present = list(meeting.households.select_related("account__household"))
    accounts = []
    if records and has_capability(user, Capability.VIEW_PERSON_NAMES):
        taken = {a.account_id for a in present}
        accounts = [a for a in accounts_for(user, org=meeting.org_code).select_related("household").order_by("id")[:200]
                    if a.pk not in taken]
    labels = household_labels(user, [a.account.household for a in present] + [a.household for a in accounts])
    projects = list(selectors.projects_near(meeting.org_code)[:100])
    return render(request, "participation/meeting.html", {
        "meeting": meeting, "area": org_name_paths([meeting.org_code]).get(meeting.org_code, ""),
        "officials": list(meeting.officials.all()), "photos": list(meeting.photos.all()),
        "concerns": list(selectors.concerns_of(meeting)), "records": records,
        "present": [{"row": a, "label": labels.get(a.account.household_id)} for a in present],
        "accounts": [{"account": a, "label": labels.get(a.household_id)} for a in accounts],
        "concern_form": concern_form or (ConcernForm(projects=projects) if records else None),
        "resolve_form": ResolveForm(),
        "consultations": list(selectors.open_consultations_near(meeting.org_code)) if records else [],
    }, status=status)


@never_cache
@login_required
@require_GET
@capability_required(ROLES)
@domain_errors_as_http
def meeting(request, pk: int):
    return _meeting_render(request, selectors.access_meeting(request.user, pk))


@login_required
@require_POST
@capability_required(RECORD)
@domain_errors_as_http
def concern_add(request, pk: int):
    from gridgov.events.selectors import event_by_code

    meeting = selectors.access_meeting(request.user, pk)
    form = ConcernForm(request.POST, projects=list(selectors.projects_near(meeting.org_code)[:100]))
    if not form.is_valid():
        return _meeting_render(request, meeting, status=400, concern_form=form)
    data = form.cleaned_data
    owner_user = None
    if data["owner_username"]:
        owner_user = User.objects.visible_to(request.user).filter(username=data["owner_username"],
                                                                  is_active=True).first()
        if owner_user is None:
            form.add_error("owner_username", _("No such active account in your area."))
            return _meeting_render(request, meeting, status=400, concern_form=form)
    event = event_by_code(data["event_code"]) if data["event_code"] else None
    try:
        services.concern_add(actor=request.user, meeting=meeting, summary=data["summary"], route=data["route"],
                             owner=data["owner"], owner_user=owner_user, deadline=data["deadline"],
                             resolution=data["resolution"], event=event,
                             project=form.projects.get(data["project"]) if data["project"] else None)
    except DomainError as error:
        return _meeting_render(request, meeting, status=add_domain_error(form, error, field_names={
            "event": "event_code", "owner_user": "owner_username"}), concern_form=form)
    messages.success(request, _("Concern recorded."))
    return redirect("meetings-meeting", meeting.pk)


@login_required
@require_POST
@capability_required(ROLES)
@domain_errors_as_http
def concern_resolve(request, pk: int):
    concern = selectors.access_concern(request.user, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how it was resolved."))
    else:
        try:
            services.concern_resolve(actor=request.user, concern=concern, resolution=form.cleaned_data["resolution"])
            messages.success(request, _("Resolved."))
        except DomainError as error:
            messages.error(request, error.message)
    return redirect("meetings-meeting", concern.meeting_id)


@login_required
@require_POST
@capability_required(RECORD)
@domain_errors_as_http
def attendance(request, pk: int):
    meeting = selectors.access_meeting(request.user, pk)
    ids = [int(v) for v in request.POST.getlist("accounts") if v.isdigit()]
    accounts = list(accounts_for(request.user, org=meeting.org_code).filter(pk__in=ids))  # of the user's cells
    if not accounts:
        messages.error(request, _("Tick the households present."))
        return redirect("meetings-meeting", meeting.pk)
    added = services.attendance_record(actor=request.user, meeting=meeting, accounts=accounts)
    messages.success(request, _("%(n)d households recorded as present.") % {"n": added})
    return redirect("meetings-meeting", meeting.pk)


@login_required
@require_POST
@capability_required(RECORD)
@domain_errors_as_http
def consultation_comment(request, pk: int):
    """A comment on an open public consultation, raised at this meeting."""
    from gridgov.participation.services.consultations import comment

    meeting = selectors.access_meeting(request.user, pk)
    consultation = selectors.open_consultations_near(meeting.org_code).filter(
        pk=request.POST.get("consultation") if str(request.POST.get("consultation")).isdigit() else -1).first()
    if consultation is None:
        messages.error(request, _("Choose a consultation open for comments."))
        return redirect("meetings-meeting", meeting.pk)
    try:
        comment(consultation=consultation, text=request.POST.get("text", ""), actor=request.user, meeting=meeting)
        messages.success(request, _("The comment is sent to the consultation."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("meetings-meeting", meeting.pk)


@login_required
@require_GET
@capability_required(ROLES)
@domain_errors_as_http
def meeting_photo(request, pk: int, photo_id: int):
    meeting = selectors.access_meeting(request.user, pk)
    photo = meeting.photos.filter(pk=photo_id).first()
    return photo_response(photo.image if photo else None)


# --- Officials assigned to villages -------------------------------------------------------------


def _liaisons_render(request, *, status=200, liaison_form=None, day_form=None):
    user = request.user
    liaisons = list(selectors.liaisons_for(user).filter(ends_on__isnull=True)[:200])
    month = timezone.localdate().replace(day=1)
    days = selectors.service_days_in(liaisons, month)
    names = org_name_paths([x.org_code for x in liaisons])
    villages = _villages(user)
    form = liaison_form or LiaisonForm(initial={"starts_on": timezone.localdate()})
    form.fields["org_code"].choices = [(v.code, v.name) for v in villages]
    return render(request, "participation/liaisons.html", {
        "rows": [{"liaison": x, "area": names.get(x.org_code, ""), "days": days.get(x.pk, 0)} for x in liaisons],
        "month": month, "mine": list(selectors.my_liaisons(user)),
        "liaison_form": form if has_capability(user, Capability.MANAGE_LIAISONS) else None,
        "day_form": day_form or ServiceDayForm(initial={"on_date": timezone.localdate()}),
    }, status=status)


def _liaison_or_staff(user) -> None:
    from django.core.exceptions import PermissionDenied

    from gridgov.core.permissions import allows

    if not allows(user, ROLES) and not selectors.my_liaisons(user).exists():
        raise PermissionDenied(_("This page is for officials assigned to villages and for who records meetings."))


@never_cache
@login_required
@require_GET
def liaisons(request):
    """Anyone assigned to a village records its days here; the managers see them all."""
    _liaison_or_staff(request.user)
    return _liaisons_render(request)


@login_required
@require_POST
@capability_required(Capability.MANAGE_LIAISONS)
@domain_errors_as_http
def liaison_add(request):
    form = LiaisonForm(request.POST)
    form.fields["org_code"].choices = [(v.code, v.name) for v in _villages(request.user)]
    if not form.is_valid():
        return _liaisons_render(request, status=400, liaison_form=form)
    data = form.cleaned_data
    official = User.objects.visible_to(request.user).filter(username=data["username"], is_active=True).first()
    try:
        services.liaison_assign(actor=request.user, user=official, org_code=data["org_code"],
                                starts_on=data["starts_on"])
    except DomainError as error:
        return _liaisons_render(request, status=add_domain_error(form, error, field_names={"user": "username"}),
                                liaison_form=form)
    messages.success(request, _("Assigned."))
    return redirect("meetings-liaisons")


@login_required
@require_POST
@domain_errors_as_http
def service_day_add(request, pk: int):
    from django.core.exceptions import PermissionDenied

    if not selectors.my_liaisons(request.user).exists():
        raise PermissionDenied(_("Only an official assigned to a village records its service days."))
    liaison = selectors.my_liaisons(request.user).filter(pk=pk).first()
    form = ServiceDayForm(request.POST)
    if liaison is None:
        from django.http import Http404

        raise Http404(_("No such assignment of yours."))
    if not form.is_valid():
        return _liaisons_render(request, status=400, day_form=form)
    try:
        services.service_day_record(actor=request.user, liaison=liaison, **form.cleaned_data)
    except DomainError as error:
        return _liaisons_render(request, status=add_domain_error(form, error), day_form=form)
    messages.success(request, _("Service day recorded."))
    return redirect("meetings-liaisons")


urlpatterns = [
    path("", meetings, name="meetings-list"),
    path("add/", meeting_add, name="meetings-add"),
    path("<int:pk>/", meeting, name="meetings-meeting"),
    path("<int:pk>/concerns/", concern_add, name="meetings-concern-add"),
    path("<int:pk>/households/", attendance, name="meetings-attendance"),
    path("<int:pk>/photos/<int:photo_id>/", meeting_photo, name="meetings-photo"),
    path("<int:pk>/consultation-comment/", consultation_comment, name="meetings-consultation-comment"),
    path("concerns/<int:pk>/resolve/", concern_resolve, name="meetings-concern-resolve"),
    path("liaisons/", liaisons, name="meetings-liaisons"),
    path("liaisons/add/", liaison_add, name="meetings-liaison-add"),
    path("liaisons/<int:pk>/days/", service_day_add, name="meetings-service-day-add"),
]

