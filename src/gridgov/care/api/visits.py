"""Recording the care team's work: visits and follow-ups (with a photo), hospital stays and
absences, crises and what the team did about them."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser

from gridgov.care import selectors, services
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    STATUS_CHOICES,
    CareApiView,
    CrisisSerializer,
    JSONObjectField,
    care_action,
    choice_field,
    crisis_row,
    respond,
    status_of,
    today,
)
from gridgov.care.models import Crisis, Need, StatusPeriod, VisitForm
from gridgov.core.exceptions import DomainError, ErrorCode, Forbidden
from gridgov.core.parsers import JSONParser
from gridgov.core.permissions import Capability


@extend_schema_serializer(component_name="CareVisitRecorded")
class VisitRecordedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    date = serializers.DateField()
    form = choice_field("CareVisitForm", VisitForm.choices)
    missed = serializers.BooleanField()
    next_due_date = serializers.DateField(help_text="The next visit, by the program's rule.")
    status = choice_field("CareEnrollmentStatus", STATUS_CHOICES, help_text="Today's status on the map now.")


class VisitCreateApi(CareApiView):
    """A visit or follow-up by the care team (JSON, or multipart with a photo). A visit
    recorded today shows as `visited` on the daily map at once."""

    required_capabilities = {"POST": Capability.RECORD_VISITS}
    parser_classes = [JSONParser, MultiPartParser, FormParser]  # JSONParser: core's, with its limits

    @extend_schema_serializer(component_name="CareVisitCreate")
    class InputSerializer(serializers.Serializer):
        date = serializers.DateField(help_text="The day of the visit (not in the future).")
        form = choice_field("CareVisitForm", VisitForm.choices)
        notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        details = JSONObjectField(
            required=False, default=dict,
            help_text="The follow-up record; for `smd` at least `risk_level` and `classification` "
                      "(in multipart forms: the object as JSON text).",
        )
        needs = serializers.ListField(child=choice_field("CareNeed", Need.choices), required=False,
                                      default=list, max_length=len(Need.values))
        help_given = serializers.ListField(child=choice_field("CareNeed", Need.choices), required=False,
                                           default=list, max_length=len(Need.values))
        missed = serializers.BooleanField(required=False, default=False,
                                          help_text="The person could not be seen (say why in the notes).")
        photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=1,
                                       help_text="One JPEG, PNG or WebP photo of the visit (multipart).")
        photo = serializers.FileField(required=False, default=None, allow_null=True,
                                      help_text="The same photo under a singular name.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

        def validate(self, attrs):
            if attrs["photos"] and attrs["photo"]:
                raise serializers.ValidationError({"photos": [_("Send one photo.")]})
            return attrs

    @care_action("care_visits_create", "Record a visit or follow-up", response=VisitRecordedSerializer,
                 request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
                 refusals=(400, 401, 403, 404))
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        if not selectors.may_record_visit(request.user, enrollment):
            # As the page: not on the team is a 403 before the body is looked at.
            raise Forbidden(_("Only the care team records visits."))
        fields = self.validated(request)
        photo = fields["photo"] or next(iter(fields["photos"]), None)
        visit = services.visit_record(
            actor=request.user, enrollment=enrollment, date=fields["date"], form=fields["form"],
            notes=fields["notes"], details=fields["details"], needs=fields["needs"],
            help_given=fields["help_given"], missed=fields["missed"], photo=photo,
        )
        enrollment = visit.enrollment
        body = {"id": visit.pk, "enrollment": enrollment.pk, "date": visit.date, "form": visit.form,
                "missed": visit.missed, "next_due_date": visit.next_due_date,
                "status": status_of(enrollment, today(),
                                    details_visible=selectors.may_see_details(request.user, enrollment))}
        return respond(VisitRecordedSerializer, body, status=201)


# --- Hospital stays and absences -----------------------------------------------------------------


@extend_schema_serializer(component_name="CareStatusChange")
class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    kind = choice_field("CareStatusKind", StatusPeriod.Kind.choices)
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True)
    status = choice_field("CareEnrollmentStatus", STATUS_CHOICES, help_text="Today's status on the map now.")


def _status_body(enrollment, period, user) -> dict:
    visible = selectors.may_see_details(user, enrollment)
    return {"id": period.pk, "enrollment": enrollment.pk, "kind": selectors.period_kind(period, details_visible=visible),
            "start": period.start, "end": period.end, "status": status_of(enrollment, today(), details_visible=visible)}


class StatusBeginApi(CareApiView):
    """Admission to hospital (`hospital`) or leaving home for a while (`away`)."""

    required_capabilities = {"POST": Capability.RECORD_VISITS}

    @extend_schema_serializer(component_name="CareStatusBegin")
    class InputSerializer(serializers.Serializer):
        kind = choice_field("CareStatusKind", StatusPeriod.Kind.choices)
        start = serializers.DateField(required=False, default=None, allow_null=True, help_text="Defaults to today.")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_status_begin", "Record an admission to hospital or an absence from home",
                 request=InputSerializer, response=StatusChangeSerializer)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        fields = self.validated(request)
        period = services.status_begin(actor=request.user, enrollment=enrollment, kind=fields["kind"],
                                       start=fields["start"] or today(), note=fields["note"])
        return respond(StatusChangeSerializer, _status_body(enrollment, period, request.user), status=201)


class StatusEndApi(CareApiView):
    """Discharge from hospital, or coming home."""

    required_capabilities = {"POST": Capability.RECORD_VISITS}

    @extend_schema_serializer(component_name="CareStatusEnd")
    class InputSerializer(serializers.Serializer):
        kind = choice_field("CareStatusKind", StatusPeriod.Kind.choices)
        end = serializers.DateField(required=False, default=None, allow_null=True, help_text="Defaults to today.")

    @care_action("care_status_end", "Record a discharge from hospital or the return home", request=InputSerializer,
                 response=StatusChangeSerializer, status=200, retried=False)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        fields = self.validated(request)
        period = services.status_end(actor=request.user, enrollment=enrollment, kind=fields["kind"],
                                     end=fields["end"] or today())
        enrollment.refresh_from_db()
        return respond(StatusChangeSerializer, _status_body(enrollment, period, request.user))


# --- Crises ------------------------------------------------------------------------------------


class CrisisCreateApi(CareApiView):
    """Danger reported: the whole care team is alerted at once (`alerted` lists them)."""

    required_capabilities = {"POST": Capability.REPORT_CRISIS}

    @extend_schema_serializer(component_name="CareCrisisReport")
    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(max_length=4000)
        reported_by = choice_field("CareCrisisReporter", Crisis.ReportedBy.choices)
        occurred_at = serializers.DateTimeField(required=False, default=None, allow_null=True,
                                                help_text="Defaults to now.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_crises_create", "Report a crisis: alert the whole care team", request=InputSerializer,
                 response=CrisisSerializer, refusals=(400, 401, 403, 404))
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        crisis = services.crisis_report(actor=request.user, enrollment=enrollment, **{
            k: v for k, v in self.validated(request).items() if k != "idempotency_key"})
        details_visible = selectors.may_see_details(request.user, enrollment)
        # The reporter wrote the description; who was alerted stays masked as for any row.
        body = crisis_row(crisis, details_visible, viewer=request.user, description_visible=True)
        return respond(CrisisSerializer, body, status=201)


class CrisisActionApi(CareApiView):
    """What the team did, and the outcome once there is one (admission opens a hospital stay)."""

    required_capabilities = {"POST": Capability.RECORD_VISITS}

    @extend_schema_serializer(component_name="CareCrisisAction")
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=4000)
        outcome = choice_field("CareCrisisOutcome", Crisis.Outcome.choices, required=False, allow_blank=True,
                                          default="")
        at = serializers.DateTimeField(required=False, default=None, allow_null=True, help_text="Defaults to now.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_crisis_actions_create", "Record what the team did about a crisis", request=InputSerializer,
                 response=CrisisSerializer)
    def post(self, request, crisis_id: int):
        crisis = selectors.access_crisis(request.user, crisis_id)
        fields = self.validated(request)
        if fields["at"] and fields["at"] > timezone.now():
            message = _("The time cannot be in the future.")
            raise DomainError(message, ErrorCode.INVALID, {"at": [message]})
        crisis = services.crisis_record_action(actor=request.user, crisis=crisis, note=fields["note"],
                                               at=fields["at"], outcome=fields["outcome"])
        details_visible = selectors.may_see_details(request.user, crisis.enrollment)
        return respond(CrisisSerializer, crisis_row(crisis, details_visible, viewer=request.user), status=201)
