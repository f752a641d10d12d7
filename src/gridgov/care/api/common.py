"""What the care endpoints share: the base view, the shapes of an enrollment and its parts,
and how each is masked for the requesting user.

Masking follows selectors.py: which sensitive program someone is in, health and
criminal-record facts, notes and family contacts only where `may_see_details` allows
(`details_visible`); names as the core rules say (VIEW_PERSON_NAMES). Masked values come
back as `"***"` (or `null` for objects, lists and flags), never omitted. Nothing else may
imply the program or health either (issue 10): the masking functions at the end of
selectors.py turn a hospital stay into `away`, a crisis outcome into `closed`, and clinical
team members, clinic visits and their makers into `"***"`.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.care import selectors
from gridgov.care.models import Crisis, Enrollment, Payment, TeamRole, VisitForm
from gridgov.care.programs import Program
from gridgov.core import masking, parsers
from gridgov.core.api.common import API_PERMISSIONS, errors, no_store, paginated_response
from gridgov.core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.permissions import Capability, has_capability

MASKED = selectors.MASKED
DAY_STATUSES = selectors.STATUSES  # hospitalized, away, visited, due, not_due
STATUS_CHOICES = [*DAY_STATUSES, "exited"]
PROGRAM_OR_MASK = [*Program.values, MASKED]
PLAIN_TEAM_ROLES = selectors.PLAIN_TEAM_ROLES
VISIT_FORM_OR_MASK = [*VisitForm.values, MASKED]
OUTCOME_OR_MASK = ["", *Crisis.Outcome.values, selectors.MASKED_OUTCOME]

IDEMPOTENCY_BODY = {
    "required": False, "max_length": 200, "write_only": True, "help_text": "Same as the `Idempotency-Key` header.",
}


# The care endpoints' view: one class per operation, whose nested `InputSerializer` (the body)
# `validated` parses and `FilterSerializer` (the query) `filters`, 400 naming every field. (Comments,
# not docstrings, on these bases: the schema would show one as the description of every subclass.)
class CareApiView(APIView):
    permission_classes = API_PERMISSIONS

    def validated(self, request) -> dict:
        """The request body, parsed by the view's `InputSerializer`."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def filters(self, request) -> dict:
        """The query parameters, parsed by the view's `FilterSerializer`."""
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def page_of(self, request, queryset, serializer_class, to_row) -> Response:
        """One keyset page of `queryset` (with the view's `pagination_class`) in the list
        envelope, each row `to_row(obj)` in the shape of `serializer_class`."""
        return no_store(paginated_response(request=request, view=self, queryset=queryset,
                                           serializer_class=serializer_class, to_row=to_row))


def respond(serializer_class, body: dict, *, status: int = 200) -> Response:
    """`body` in the shape of `serializer_class`, never kept by a cache (personal data)."""
    return no_store(Response(serializer_class(body).data, status=status))


def care_action(operation_id: str, summary: str, *, request, response, status: int = 201,
                refusals: tuple[int, ...] = (400, 401, 403, 404, 409), tags: tuple[str, ...] = ("care",),
                retried: bool = True):
    """Decorate the `post` of one care operation: its OpenAPI schema (answering `response` with
    `status`, or one of the `refusals`) and, where a poor connection may send it twice
    (`retried`), its Idempotency-Key: the same key returns the first answer, creating nothing."""

    def decorate(method):
        schema = extend_schema(operation_id=operation_id, summary=summary, tags=list(tags),
                               parameters=[IDEMPOTENCY_PARAMETER] if retried else None, request=request,
                               responses={status: response, **errors(*refusals)})
        return schema(idempotent(method) if retried else method)

    return decorate


# The list envelope (CONTRACTS.md); a page names its `results` (and what else it carries).
class PageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# An input serializer of a period: its end is not before its start.
class PeriodInputMixin:
    def validate(self, attrs):
        if attrs["period_end"] < attrs["period_start"]:
            raise serializers.ValidationError({"period_end": [_("The period ends before it starts.")]})
        return super().validate(attrs)


def today() -> datetime.date:
    """Today in Asia/Shanghai (the server's time zone)."""
    return timezone.localdate()


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.Field):
    """A JSON object; in multipart forms, the object as JSON text."""

    default_error_messages = {"invalid": gettext_lazy("Give an object of fields (JSON).")}

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:  # the limits of a JSON body (depth, no NUL) hold for JSON inside a form too
                data = parsers.loads(data) if data.strip() else {}
            except ParseError:
                self.fail("invalid")
        if not isinstance(data, dict):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


_CHOICE_FIELDS: dict[str, type[serializers.ChoiceField]] = {}


def choice_field(component: str, choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose OpenAPI enum is the named schema component `component`, so that
    choice sets of the same field name in different apps never collide."""
    values = [c[0] if isinstance(c, tuple | list) else c for c in choices]
    field_class = _CHOICE_FIELDS.get(component)
    if field_class is None:
        enum = [*values, ""] if kwargs.get("allow_blank") else values
        field_class = extend_schema_field({"type": "string", "enum": enum}, component_name=component)(
            type(f"{component}Field", (serializers.ChoiceField,), {"__module__": __name__}))
        _CHOICE_FIELDS[component] = field_class
    return field_class(choices=choices, **kwargs)


# --- Shapes ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CarePersonRef")
class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="Masked (`张*`) for roles that may not see names.")


def person_ref(user, person) -> dict:
    show = has_capability(user, Capability.VIEW_PERSON_NAMES)
    return {"id": person.pk, "name": person.name if show else masking.mask_name(person.name)}


def person_point(user, person) -> tuple[float | None, float | None]:
    """The home's point, for roles that may see precise locations (as core.person_view)."""
    if has_capability(user, Capability.VIEW_PERSON_NAMES):
        return person.lat, person.lng
    return None, None


def status_of(enrollment: Enrollment, on: datetime.date, *, details_visible: bool) -> str:
    if enrollment.status != Enrollment.Status.ACTIVE:
        return "exited"
    return selectors.day_status(enrollment, on, details_visible=details_visible)


def program_of(user, enrollment: Enrollment, details_visible: bool) -> str:
    return selectors.program_label(user, enrollment, details_visible=details_visible)


@extend_schema_serializer(component_name="EnrollmentRow")
class EnrollmentRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = PersonRefSerializer()
    program = choice_field(
        "CareProgramLabel", PROGRAM_OR_MASK, help_text="`***` where knowing it would reveal health or criminal records."
    )
    org_code = serializers.CharField()
    start_date = serializers.DateField()
    status = choice_field(
        "CareEnrollmentStatus", STATUS_CHOICES,
        help_text="Today's status, as on the daily map (`hospitalized|away|visited|due|not_due`), or `exited`; "
                  "`away` instead of `hospitalized` where the details are masked.",
    )
    next_due_date = serializers.DateField(allow_null=True)
    last_visit_date = serializers.DateField(allow_null=True)
    high_risk = serializers.BooleanField(allow_null=True, help_text="Null where the details are masked.")


def enrollment_row(user, enrollment: Enrollment, on: datetime.date, details_visible: bool) -> dict:
    return {
        "id": enrollment.pk,
        "person": person_ref(user, enrollment.person),
        "program": program_of(user, enrollment, details_visible),
        "org_code": enrollment.org_code,
        "start_date": enrollment.start_date,
        "status": status_of(enrollment, on, details_visible=details_visible),
        "next_due_date": enrollment.next_due_date,
        "last_visit_date": enrollment.last_visit_date,
        "high_risk": enrollment.high_risk if details_visible else None,
    }


@extend_schema_serializer(component_name="CareTeamMember")
class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True, help_text="Null for family members without an account, "
                                                                "and for members whose role is masked.")
    name = serializers.CharField(help_text="Masked for family members, `***` for members whose role is masked.")
    contact = serializers.CharField(help_text="Masked where the details are masked.")
    role = choice_field("CareTeamRoleLabel", [*TeamRole.values, MASKED],
                        help_text="`***` where it would tell why the person is in care (a doctor, the police).")
    acknowledged_at = serializers.DateTimeField(allow_null=True, help_text="Two-way confirmation.")


def team_rows(enrollment: Enrollment, members, details_visible: bool, viewer=None) -> list[dict]:
    rows = []
    for m in members:
        view = selectors.team_member_view(enrollment, m, details_visible=details_visible, viewer=viewer)
        rows.append({"id": m.pk, "username": view["username"], "name": view["name"], "contact": view["contact"],
                     "role": view["role"], "acknowledged_at": m.acknowledged_at})
    return rows


@extend_schema_serializer(component_name="Enrollment")
class EnrollmentSerializer(EnrollmentRowSerializer):
    end_date = serializers.DateField(allow_null=True)
    exit_reason = serializers.CharField(help_text="`***` where the details are masked.")
    legal_basis = serializers.CharField(help_text="`***` where the details are masked.")
    consent = serializers.BooleanField(allow_null=True, help_text="Null where the details are masked.")
    retention_until = serializers.DateField(help_text="Records are anonymised after this date.")
    team = TeamMemberSerializer(many=True, help_text="The current care team.")


def enrollment_body(user, enrollment: Enrollment, on: datetime.date, details_visible: bool, team) -> dict:
    def masked(value: str) -> str:
        return value if details_visible or not value else MASKED

    return {
        **enrollment_row(user, enrollment, on, details_visible),
        "end_date": enrollment.end_date,
        "exit_reason": masked(selectors.exit_reason_text(enrollment)),
        "legal_basis": masked(enrollment.legal_basis),
        "consent": enrollment.consent if details_visible else None,
        "retention_until": enrollment.retention_until,
        "team": team_rows(enrollment, team, details_visible, viewer=user),
    }


@extend_schema_serializer(component_name="CareVisit")
class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    form = choice_field("CareVisitFormLabel", VISIT_FORM_OR_MASK, help_text="`***` for a clinic visit where masked.")
    visited_by = serializers.CharField(allow_null=True, help_text="The username of who saw the person; `***` "
                                                                  "where the details are masked (not your own).")
    missed = serializers.BooleanField(help_text="The person could not be seen.")
    next_due_date = serializers.DateField()
    notes = serializers.CharField(help_text="`***` where the details are masked.")
    details = serializers.DictField(allow_null=True, help_text="The follow-up record; null where masked.")
    needs = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="Null where masked.")
    help_given = serializers.ListField(child=serializers.CharField(), allow_null=True, help_text="Null where masked.")
    has_photo = serializers.BooleanField()


def visit_row(visit, details_visible: bool, viewer=None) -> dict:
    view = selectors.visit_view(visit, details_visible=details_visible, viewer=viewer)
    return {
        "id": visit.pk,
        "date": visit.date,
        "form": view["form"],
        "visited_by": view["visited_by"],
        "missed": visit.missed,
        "next_due_date": visit.next_due_date,
        "notes": visit.notes if details_visible or not visit.notes else MASKED,
        "details": visit.details if details_visible else None,
        "needs": visit.needs if details_visible else None,
        "help_given": visit.help_given if details_visible else None,
        "has_photo": bool(visit.photo),
    }


@extend_schema_serializer(component_name="CareStatusPeriod")
class StatusPeriodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice_field("CareStatusKind", ["hospital", "away"], help_text="`away` for a hospital stay where masked.")
    start = serializers.DateField()
    end = serializers.DateField(allow_null=True, help_text="Null while it lasts.")


def period_row(period, details_visible: bool) -> dict:
    return {"id": period.pk, "kind": selectors.period_kind(period, details_visible=details_visible),
            "start": period.start, "end": period.end}


@extend_schema_serializer(component_name="CareCrisis")
class CrisisSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    reported_by = choice_field("CareCrisisReporter", Crisis.ReportedBy.choices)
    occurred_at = serializers.DateTimeField()
    description = serializers.CharField(help_text="`***` where the details are masked.")
    alerted = serializers.ListField(child=serializers.CharField(),
                                    help_text="Usernames alerted at once (`***` where the details are masked).")
    outcome = choice_field("CareCrisisOutcomeLabel", OUTCOME_OR_MASK,
                           help_text="Empty while open; else one of the crisis outcomes, or `closed` where masked.")
    outcome_at = serializers.DateTimeField(allow_null=True)


def crisis_row(crisis, details_visible: bool, viewer=None, description_visible: bool | None = None) -> dict:
    shown = details_visible if description_visible is None else description_visible
    return {
        "id": crisis.pk,
        "enrollment": crisis.enrollment_id,
        "reported_by": selectors.crisis_reported_by(crisis, details_visible=details_visible),
        "occurred_at": crisis.occurred_at,
        "description": crisis.description if shown or not crisis.description else MASKED,
        "alerted": selectors.crisis_alerted(crisis, details_visible=details_visible, viewer=viewer),
        "outcome": selectors.crisis_outcome(crisis, details_visible=details_visible),
        "outcome_at": crisis.outcome_at,
    }


@extend_schema_serializer(component_name="CarePayment")
class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    kind = choice_field("CarePaymentKind", Payment.Kind.choices)
    agreement = serializers.IntegerField(allow_null=True, help_text="The guardian agreement paid against.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    days = serializers.IntegerField(allow_null=True, help_text="Treatment subsidies: the days paid for.")
    daily_rate = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    conditions_met = serializers.BooleanField()
    note = serializers.CharField()
    paid_on = serializers.DateField()
    org_code = serializers.CharField()


def payment_row(payment) -> dict:
    return {
        "id": payment.pk, "enrollment": payment.enrollment_id, "kind": payment.kind,
        "agreement": payment.agreement_id, "period_start": payment.period_start, "period_end": payment.period_end,
        "days": payment.days, "daily_rate": payment.daily_rate, "amount": payment.amount,
        "conditions_met": payment.conditions_met, "note": payment.note, "paid_on": payment.paid_on,
        "org_code": payment.org_code,
    }
