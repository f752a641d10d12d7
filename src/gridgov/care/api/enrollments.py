"""Enrollments: the masked list, enrolling a person, opening the record with a purpose,
two-way confirmation by the team, and leaving the program."""

from __future__ import annotations

from urllib.parse import unquote

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import selectors, services, teams
from gridgov.care.api.common import (
    DAY_STATUSES,
    IDEMPOTENCY_BODY,
    CareApiView,
    CrisisSerializer,
    EnrollmentRowSerializer,
    EnrollmentSerializer,
    JSONObjectField,
    StatusPeriodSerializer,
    VisitSerializer,
    choice_field,
    crisis_row,
    enrollment_body,
    enrollment_row,
    period_row,
    today,
    visit_row,
)
from gridgov.care.models import TeamRole
from gridgov.care.programs import Program
from gridgov.core import selectors as core_selectors
from gridgov.core.api.common import errors, no_store, paginated_response
from gridgov.core.api.idempotency import BODY_FIELD, IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.permissions import Capability
from gridgov.core.querysets import meets_area_of

ORG_PARAMETER = OpenApiParameter("org", OpenApiTypes.STR, description="An org-unit code: only rows in its subtree.")
PURPOSE_HEADER = "X-Purpose"


class OrgFilterSerializer(serializers.Serializer):
    org = serializers.RegexField(r"^[0-9]{2,15}$", required=False, allow_blank=True)


def checked_org(user, filters) -> str | None:
    """The `org` filter, which must lie in the user's area (404 otherwise, as everywhere)."""
    org = filters.validated_data.get("org") or None
    # An area above the user's own means "all of mine"; a disjoint one does not exist here.
    if org and not meets_area_of(user, org):
        raise NotFound(_("No such org unit in your area."))
    if org:
        core_selectors.access_org_unit(user, org)
    return org


@extend_schema_serializer(component_name="CareTeamMemberInput")
class TeamMemberInputSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, default="", max_length=150,
                                     help_text="A staff member's account.")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=50,
                                 help_text="A family member or guardian without an account.")
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    role = choice_field("CareTeamRole", TeamRole.choices)
    sms_consent = serializers.BooleanField(required=False, default=False, help_text=(
        "A member without an account agreed to crisis alerts by SMS to `contact` (a mobile number)."))

    def validate(self, attrs):
        if not attrs["username"].strip() and not attrs["name"].strip():
            raise serializers.ValidationError({"username": [_("Give the member's account or name.")]})
        return attrs


class EnrollmentListApi(CareApiView):
    """`GET`: the enrollments the user may see by name. `POST`: enroll a person."""

    required_capabilities = {"GET": Capability.VIEW_CARE, "POST": Capability.MANAGE_ENROLLMENTS}
    pagination_class = KeysetPagination

    class FilterSerializer(OrgFilterSerializer):
        program = serializers.ChoiceField(choices=Program.choices, required=False, allow_blank=True)
        status = serializers.ChoiceField(choices=DAY_STATUSES, required=False, allow_blank=True)
        due_before = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema_serializer(component_name="EnrollmentCreate")
    class InputSerializer(serializers.Serializer):
        person = serializers.IntegerField(help_text="A person of the registry, in the user's area.")
        program = choice_field("CareProgram", Program.choices)
        org_code = serializers.CharField(max_length=15, help_text="The org unit that cares for the person.")
        start_date = serializers.DateField()
        legal_basis = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                            help_text="The law or decision the enrollment rests on.")
        consent = serializers.BooleanField(required=False, default=False,
                                           help_text="Consent was obtained (needed when there is no legal basis).")
        team = TeamMemberInputSerializer(many=True, required=False, default=list, max_length=20,
                                         help_text="Accounts by username, or family members by name and contact.")
        details = JSONObjectField(required=False, default=dict,
                                  help_text="The program's fields; for `smd`: `risk_level` 0–5 and `classification`.")
        retention_until = serializers.DateField(required=False, allow_null=True, default=None,
                                                help_text="Defaults to five years after the start.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="care_enrollments_list",
        summary="Enrollments the user may see by name (masked for the role)",
        tags=["care"],
        parameters=[
            ORG_PARAMETER,
            OpenApiParameter("program", OpenApiTypes.STR, enum=Program.values,
                             description="Only this program (sensitive ones need the right to see care details)."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(DAY_STATUSES),
                             description="Only rows with this status today (as on the daily map)."),
            OpenApiParameter("due_before", OpenApiTypes.DATE, description="Next visit due on or before this day."),
        ],
        responses={200: EnrollmentRowSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data, on = filters.validated_data, today()
        rows = selectors.enrollments_list(
            request.user, org=checked_org(request.user, filters), program=data.get("program") or None,
            status=data.get("status") or None, due_before=data["due_before"], today=on,
        )
        return no_store(paginated_response(
            request=request, view=self, queryset=rows, serializer_class=EnrollmentRowSerializer,
            to_row=lambda e: enrollment_row(request.user, e, on, e.details_visible),
        ))

    @extend_schema(
        operation_id="care_enrollments_create",
        summary="Enroll a person in a care program",
        tags=["care"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={201: EnrollmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != BODY_FIELD}
        person = core_selectors.access_person(request.user, fields.pop("person"))
        fields["team"] = team_specs(fields["team"])
        enrollment = services.enrollment_create(actor=request.user, person=person, **fields)
        selectors.enrollment_record(enrollment)
        body = enrollment_body(request.user, enrollment, today(), True, enrollment.current_team)
        return no_store(Response(EnrollmentSerializer(body).data, status=201))


def team_specs(members: list[dict]) -> list[services.TeamSpec]:
    accounts = selectors.team_accounts(m["username"].strip() for m in members)
    specs, problems = [], {}
    for index, member in enumerate(members):
        username = member["username"].strip()
        if username and username not in accounts:
            problems[f"team.{index}.username"] = [services.unknown_account_message()]
            continue
        specs.append(services.TeamSpec(role=member["role"], user=accounts.get(username), name=member["name"],
                                       contact=member["contact"], sms_consent=member.get("sms_consent", False)))
    if problems:
        raise DomainError(next(iter(problems.values()))[0], ErrorCode.INVALID, problems)
    return specs


@extend_schema_serializer(component_name="CareSafetyFacts")
class SafetySerializer(serializers.Serializer):
    risk_level = serializers.IntegerField(allow_null=True, help_text="Severe mental disorder only (0–5).")
    address = serializers.CharField()


@extend_schema_serializer(component_name="CareTeamState")
class TeamStateSerializer(serializers.Serializer):
    managed = serializers.BooleanField(help_text="Full team (grid worker, police liaison, psychiatric doctor, "
                                       "family or guardian), every member confirmed.")
    missing = serializers.ListField(child=serializers.CharField(), help_text="Places nobody fills.")
    waiting = serializers.IntegerField(help_text="Current members still to confirm.")


@extend_schema_serializer(component_name="EnrollmentDetail")
class EnrollmentDetailSerializer(EnrollmentSerializer):
    masked = serializers.BooleanField(
        help_text="True when health and criminal-record facts are hidden from this user (no purpose asked)."
    )
    details = serializers.DictField(allow_null=True, help_text="The program's fields; null where masked.")
    visits = VisitSerializer(many=True, help_text="The most recent visits, newest first.")
    status_periods = StatusPeriodSerializer(many=True, help_text="Hospital stays and absences, newest first.")
    crises = CrisisSerializer(many=True)
    # care (issue 11): what the team's safety members read, and the high-risk team's state
    safety = SafetySerializer(allow_null=True, help_text="The risk level and home address: for the police "
                              "liaison on the team and for those who see the details; null otherwise.")
    team_state = TeamStateSerializer(allow_null=True, help_text="A high-risk case's full team: null where not "
                                     "high-risk or where it would tell (a grid worker).")


class EnrollmentDetailApi(CareApiView):
    """One enrollment. A user who may see its details opens the full record: they state a
    purpose (`?purpose=` or the `X-Purpose` header), which is written to the audit log.
    Others get the masked view (who needs a visit, not why) without a purpose."""

    required_capabilities = {"GET": Capability.VIEW_CARE}

    @extend_schema(
        operation_id="care_enrollments_retrieve",
        summary="One enrollment with its team, recent visits and status periods",
        tags=["care"],
        parameters=[
            OpenApiParameter("purpose", OpenApiTypes.STR, description=(
                "Why the full record is needed: a purpose code from `core.purposes` (`home_visit`, "
                "`care_follow_up`, `crisis_response`, …, `other`); required from users who may see the "
                "details, and kept in the audit log.")),
            OpenApiParameter("note", OpenApiTypes.STR, description=(
                "Optional detail of the purpose; required for `other` and `official_request`.")),
            OpenApiParameter(PURPOSE_HEADER, OpenApiTypes.STR, location=OpenApiParameter.HEADER,
                             description="The purpose as a header instead: the code, optionally followed by "
                             "`: ` and the note (percent-encoded UTF-8)."),
        ],
        responses={200: EnrollmentDetailSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request, enrollment_id: int):
        user = request.user
        enrollment = selectors.access_enrollment(user, enrollment_id)
        full = selectors.may_see_details(user, enrollment)
        if full:
            purpose, note = request.query_params.get("purpose", ""), request.query_params.get("note", "")
            if not purpose:
                purpose, _sep, note = unquote(request.headers.get(PURPOSE_HEADER, "")).partition(": ")
            services.enrollment_open_record(actor=user, enrollment=enrollment, purpose=purpose, note=note)
        selectors.enrollment_record(enrollment)
        body = {
            **enrollment_body(user, enrollment, today(), full, enrollment.current_team),
            "masked": not full,
            "details": enrollment.details if full else None,
            "visits": [visit_row(v, full, viewer=user) for v in enrollment.recent_visits],
            "status_periods": [period_row(p, full) for p in enrollment.periods],
            "crises": [crisis_row(c, full, viewer=user) for c in enrollment.crisis_list],
            "safety": teams.safety_facts(user, enrollment, details_visible=full),
            "team_state": teams.team_state_view(enrollment, enrollment.current_team,
                                                shown=full or teams.is_police_member(user, enrollment)),
        }
        return no_store(Response(EnrollmentDetailSerializer(body).data))


@extend_schema_serializer(component_name="CareAcknowledgement")
class AcknowledgementSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    username = serializers.CharField()
    acknowledged_at = serializers.DateTimeField()


class EnrollmentAcknowledgeApi(CareApiView):
    """Two-way confirmation: a member of the care team confirms they have seen the case."""

    required_capabilities = {"POST": Capability.VIEW_CARE}

    @extend_schema(
        operation_id="care_enrollments_acknowledge",
        summary="Confirm, as a team member, that you have seen the case",
        tags=["care"],
        request=None,
        responses={200: AcknowledgementSerializer, **errors(401, 403, 404)},
    )
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        member = services.team_acknowledge(actor=request.user, enrollment=enrollment)
        body = {"enrollment": enrollment.pk, "username": request.user.username,
                "acknowledged_at": member.acknowledged_at}
        return no_store(Response(AcknowledgementSerializer(body).data))


class EnrollmentExitApi(CareApiView):
    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="EnrollmentExit")
    class InputSerializer(serializers.Serializer):
        on = serializers.DateField(required=False, default=None, allow_null=True,
                                   help_text="The last day in the program; defaults to today.")
        reason = serializers.CharField(max_length=200)

    @extend_schema(
        operation_id="care_enrollments_exit",
        summary="End an enrollment, with the reason",
        tags=["care"],
        request=InputSerializer,
        responses={200: EnrollmentSerializer, **errors(400, 401, 403, 404, 409)},
    )
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        on = data.validated_data["on"] or today()
        if on > today() or on < enrollment.start_date <= today():
            message = _("The exit date must be between the start and today.")
            raise DomainError(message, ErrorCode.INVALID, {"on": [message]})
        enrollment = services.enrollment_exit(actor=request.user, enrollment=enrollment, on=on,
                                              reason=data.validated_data["reason"])
        selectors.enrollment_record(enrollment)
        details_visible = selectors.may_see_details(request.user, enrollment)
        body = enrollment_body(request.user, enrollment, today(), details_visible, enrollment.current_team)
        return no_store(Response(EnrollmentSerializer(body).data))
