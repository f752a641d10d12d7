"""Issue 11 in the API: a family member's confirmation recorded by the team, the high-risk
cases still unconfirmed, schedules per person with their due tasks and records, a child's
mentor and the family file of a household."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers

from gridgov.care import children, schedules, selectors, teams
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    CareApiView,
    PageSerializer,
    PersonRefSerializer,
    care_action,
    choice_field,
    person_ref,
    respond,
    today,
)
from gridgov.care.children_models import ChildNeed
from gridgov.care.schedule_models import DrugTestResult, ScheduleKind
from gridgov.core.api.common import errors
from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.permissions import Capability

MASKED = selectors.MASKED


class DuePagination(KeysetPagination):
    ordering = ("next_due_date", "id")


# --- Confirmations ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CareTeamConfirmation")
class ConfirmationSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    role = serializers.CharField()
    acknowledged_at = serializers.DateTimeField()
    acknowledged_how = serializers.CharField()
    recorded_by = serializers.CharField()


class TeamConfirmOnBehalfApi(CareApiView):
    """A team member records that a family member or guardian (no account) confirmed the case."""

    required_capabilities = {"POST": Capability.VIEW_CARE}

    @extend_schema_serializer(component_name="CareTeamConfirmOnBehalfInput")
    class InputSerializer(serializers.Serializer):
        how = choice_field("CareConfirmationChannel", list(teams.CONFIRMATION_CHANNELS))

    @care_action("care_team_confirm_on_behalf", "Record a family member's confirmation", request=InputSerializer,
                 response=ConfirmationSerializer, status=200, retried=False)
    def post(self, request, enrollment_id: int, member_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        member = selectors.access_team_member(enrollment, member_id)
        if not teams.may_confirm_for(request.user, enrollment):
            raise DomainError(_forbidden(), ErrorCode.PERMISSION_DENIED)
        member = teams.team_confirm_on_behalf(actor=request.user, member=member, how=self.validated(request)["how"])
        body = {"member": member.pk, "role": member.role, "acknowledged_at": member.acknowledged_at,
                "acknowledged_how": member.acknowledged_how, "recorded_by": request.user.username}
        return respond(ConfirmationSerializer, body)


def _forbidden() -> str:
    from django.utils.translation import gettext as _

    return _("Only a member of this care team records a confirmation.")


@extend_schema_serializer(component_name="CareHighRiskUnconfirmedRow")
class UnconfirmedRowSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField()
    person = PersonRefSerializer()
    org_code = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="The places nobody fills yet.")
    waiting = serializers.IntegerField(help_text="Current members still to confirm.")


@extend_schema_serializer(component_name="CareHighRiskUnconfirmedPage")
class UnconfirmedPageSerializer(PageSerializer):
    results = UnconfirmedRowSerializer(many=True)


class HighRiskUnconfirmedListApi(CareApiView):
    """High-risk cases whose team is incomplete or awaits a confirmation (counted as not managed)."""

    required_capabilities = {"GET": Capability.VIEW_CARE}
    pagination_class = KeysetPagination

    @extend_schema(operation_id="care_high_risk_unconfirmed", summary="High-risk cases awaiting their full team",
                   tags=["care"], responses={200: UnconfirmedPageSerializer, **errors(401, 403)})
    def get(self, request):
        from django.db.models import Prefetch

        from gridgov.care.models import TeamMember

        user = request.user
        qs = selectors.high_risk_unconfirmed_for(user).order_by().prefetch_related(
            Prefetch("team", TeamMember.objects.filter(removed_at__isnull=True), to_attr="current_team"))

        def row(e):
            return {"enrollment": e.pk, "person": person_ref(user, e.person), "org_code": e.org_code,
                    "missing": [key for key, place, _label in teams.FULL_TEAM
                                if not {m.role for m in e.current_team} & place],
                    "waiting": len(teams.team_state(e, e.current_team).waiting)}

        return self.page_of(request, qs, UnconfirmedRowSerializer, row)


# --- Schedules -------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="CareSchedule")
class ScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    person = PersonRefSerializer()
    kind = choice_field("CareScheduleKindLabel", [*ScheduleKind.values, MASKED],
                        help_text="`***` where it would tell the program (a drug test), unless the task is yours.")
    source = serializers.CharField(help_text="`person`, `program` or `agreement`; `***` where the kind is masked.")
    interval_days = serializers.IntegerField()
    assignee = serializers.CharField(allow_null=True)
    starts_on = serializers.DateField()
    until = serializers.DateField(allow_null=True)
    next_due_date = serializers.DateField(allow_null=True)
    last_done_on = serializers.DateField(allow_null=True)


def schedule_row(user, schedule, *, details_visible: bool) -> dict:
    kind = schedules.kind_for(user, schedule, details_visible=details_visible)
    return {
        "id": schedule.pk, "enrollment": schedule.enrollment_id, "person": person_ref(user, schedule.enrollment.person),
        # a masked kind's source ("agreement": a drug rehabilitation's) would tell it (security review)
        "kind": kind, "source": MASKED if kind == MASKED else schedule.source,
        "interval_days": schedule.interval_days, "assignee": schedule.assignee.username if schedule.assignee_id else None,
        "starts_on": schedule.starts_on, "until": schedule.until, "next_due_date": schedule.next_due_date,
        "last_done_on": schedule.last_done_on,
    }


class ScheduleCreateApi(CareApiView):
    """An extra schedule for one person (e.g. medicine delivered every day by one grid worker)."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareScheduleCreate")
    class InputSerializer(serializers.Serializer):
        kind = choice_field("CareScheduleKind", ScheduleKind.choices)
        interval_days = serializers.IntegerField(min_value=1, max_value=366)
        starts_on = serializers.DateField(required=False, default=None, allow_null=True, help_text="Default: today.")
        until = serializers.DateField(required=False, default=None, allow_null=True)
        assignee = serializers.CharField(required=False, allow_blank=True, default="",
                                         help_text="The username of a team member.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_schedules_create", "Set a schedule for one person", request=InputSerializer,
                 response=ScheduleSerializer)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        fields = self.validated(request)
        username = fields["assignee"].strip()
        assignee = selectors.team_accounts([username]).get(username) if username else None
        if username and assignee is None:
            raise DomainError(_no_account(), ErrorCode.INVALID, {"assignee": [_no_account()]})
        schedule = schedules.schedule_create(actor=request.user, enrollment=enrollment, kind=fields["kind"],
                                             interval_days=fields["interval_days"],
                                             starts_on=fields["starts_on"] or today(), until=fields["until"],
                                             assignee=assignee)
        schedule.enrollment = enrollment
        return respond(ScheduleSerializer, schedule_row(request.user, schedule, details_visible=True), status=201)


def _no_account() -> str:
    """The service's answer for an account off the team: no hint whether the username exists."""
    from django.utils.translation import gettext as _

    return _("Choose a member of the care team.")


@extend_schema_serializer(component_name="CareSchedulesDuePage")
class DuePageSerializer(PageSerializer):
    results = ScheduleSerializer(many=True)


class SchedulesDueListApi(CareApiView):
    """The scheduled tasks due today or overdue that the caller may see (or that are theirs)."""

    required_capabilities = {"GET": Capability.VIEW_CARE}
    pagination_class = DuePagination

    @extend_schema(operation_id="care_schedules_due", summary="Scheduled tasks due", tags=["care"],
                   responses={200: DuePageSerializer, **errors(401, 403)})
    def get(self, request):
        user = request.user
        qs = selectors.with_details_visible(user, schedules.schedules_due_for(user).order_by())
        return self.page_of(request, qs, ScheduleSerializer,
                            lambda s: schedule_row(user, s, details_visible=s.details_visible))


@extend_schema_serializer(component_name="CareScheduleRecord")
class ScheduleRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    schedule = serializers.IntegerField()
    done_on = serializers.DateField()
    done = serializers.BooleanField()
    result = serializers.CharField(help_text="A drug test's result; `***` where the details are masked.")
    next_due_date = serializers.DateField(allow_null=True)


class ScheduleRecordCreateApi(CareApiView):
    """One task done (or not); a drug test carries its result."""

    required_capabilities = {"POST": Capability.VIEW_CARE}

    @extend_schema_serializer(component_name="CareScheduleRecordCreate")
    class InputSerializer(serializers.Serializer):
        done_on = serializers.DateField(required=False, default=None, allow_null=True, help_text="Default: today.")
        done = serializers.BooleanField(required=False, default=True)
        result = choice_field("CareDrugTestResult", ["", *DrugTestResult.values], required=False, default="")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_schedule_records_create", "Record a scheduled task", request=InputSerializer,
                 response=ScheduleRecordSerializer)
    def post(self, request, schedule_id: int):
        schedule = schedules.access_schedule(request.user, schedule_id)
        fields = self.validated(request)
        record = schedules.schedule_record(actor=request.user, schedule=schedule, done_on=fields["done_on"] or today(),
                                           done=fields["done"], result=fields["result"], note=fields["note"])
        schedule.refresh_from_db(fields=["next_due_date"])
        visible = selectors.may_see_details(request.user, schedule.enrollment)
        body = {"id": record.pk, "schedule": schedule.pk, "done_on": record.done_on, "done": record.done,
                "result": schedules.result_for(record, details_visible=visible),
                "next_due_date": schedule.next_due_date}
        return respond(ScheduleRecordSerializer, body, status=201)


# --- Children: mentors and family files ----------------------------------------------------------------


@extend_schema_serializer(component_name="CareMentor")
class MentorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    name = serializers.CharField()
    contact = serializers.CharField()
    organisation = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)


class MentorCreateApi(CareApiView):
    """Name a child's mentor (the previous one ends)."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareMentorCreate")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
        organisation = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
        since = serializers.DateField(required=False, default=None, allow_null=True, help_text="Default: today.")

    @care_action("care_mentors_create", "Name a child's mentor", request=InputSerializer, response=MentorSerializer,
                 refusals=(400, 401, 403, 404), retried=False)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        f = self.validated(request)
        mentor = children.mentor_record(actor=request.user, enrollment=enrollment, name=f["name"],
                                        contact=f["contact"], organisation=f["organisation"], since=f["since"])
        body = {"id": mentor.pk, "enrollment": enrollment.pk, "name": mentor.name, "contact": mentor.contact,
                "organisation": mentor.organisation, "since": mentor.since, "until": mentor.until}
        return respond(MentorSerializer, body, status=201)


@extend_schema_serializer(component_name="CareFamilyFile")
class FamilyFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField()
    org_code = serializers.CharField()
    opened_on = serializers.DateField()
    needs = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    children = serializers.ListField(child=serializers.DictField(), help_text="`{enrollment, person, program}`.")


def family_file_body(user, family_file) -> dict:
    return {"id": family_file.pk, "household": family_file.household_id, "org_code": family_file.org_code,
            "opened_on": family_file.opened_on, "needs": family_file.needs, "note": family_file.note,
            "children": [{"enrollment": e.pk, "person": person_ref(user, e.person), "program": e.program}
                         for e in children.family_file_children(family_file)]}


class FamilyFileCreateApi(CareApiView):
    """Open (or update) the family file of a household: its children in care are linked."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareFamilyFileCreate")
    class InputSerializer(serializers.Serializer):
        household = serializers.IntegerField()
        needs = serializers.ListField(child=choice_field("CareChildNeed", ChildNeed.choices), required=False,
                                      default=list)
        note = serializers.CharField(required=False, allow_blank=True, default=None, allow_null=True,
                                     max_length=2000)

    @care_action("care_family_files_create", "Open or update a family file", request=InputSerializer,
                 response=FamilyFileSerializer, retried=False)
    def post(self, request):
        f = self.validated(request)
        family_file = children.family_file_update(actor=request.user, household_id=f["household"], needs=f["needs"],
                                                  note=f["note"])
        return respond(FamilyFileSerializer, family_file_body(request.user, family_file), status=201)


class FamilyFileDetailApi(CareApiView):
    required_capabilities = {"GET": Capability.VIEW_CARE_DETAILS}

    @extend_schema(operation_id="care_family_files_retrieve", summary="A family file", tags=["care"],
                   parameters=[OpenApiParameter("purpose", OpenApiTypes.STR, description=(
                       "Why it is needed (a purpose code from `core.purposes`), as for a child's full record; "
                       "kept in the audit log for each child the file names.")),
                       OpenApiParameter("note", OpenApiTypes.STR, description="Optional detail of the purpose.")],
                   responses={200: FamilyFileSerializer, **errors(400, 401, 403, 404)})
    def get(self, request, file_id: int):
        from gridgov.care import services
        from gridgov.core.purposes import check_purpose

        family_file = children.access_family_file(request.user, file_id)
        # part of the children's care records: a purpose, logged per child (security review, issue 11)
        purpose, note = request.query_params.get("purpose", ""), request.query_params.get("note", "")
        check_purpose(purpose, note)
        for enrollment in children.family_file_children(family_file):
            services.enrollment_open_record(actor=request.user, enrollment=enrollment, purpose=purpose, note=note)
        return respond(FamilyFileSerializer, family_file_body(request.user, family_file))
