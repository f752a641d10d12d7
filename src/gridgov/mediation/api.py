"""The mediation API (CONTRACTS "Mediation"): committees, cases with their parties, sessions,
outcomes, the steps between them, and a resident's online request."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core import masking, ratelimit
from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestIdFirstPagination, keyset_pagination
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.images import check_images
from gridgov.core.models import Person
from gridgov.core.permissions import Capability, has_capability
from gridgov.core.selectors import people_visible_to
from gridgov.mediation import selectors, services
from gridgov.mediation.models import (
    AgreementForm,
    CaseSource,
    CaseType,
    Channel,
    CommitteeKind,
    Diversion,
    FailureReason,
    FollowUp,
    Mediator,
    PartyRole,
    Performance,
    SessionKind,
)
from gridgov.mediation.services.common import MAX_TEXT
from gridgov.mediation.workflow import CaseAction, CaseStatus


class MediationApiView(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": selectors.MEDIATION_ROLES, "POST": selectors.MEDIATION_ROLES}

    def case_and_input(self, request, case_id: int):
        """The case (404 outside the user's cases), then the body by `InputSerializer` (400)."""
        case = selectors.access_case(request.user, case_id)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return case, given.validated_data


@extend_schema_serializer(component_name="MediationCommittee")
class CommitteeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CommitteeKind.choices)
    org_code = serializers.CharField()


class CommitteeListApi(MediationApiView):
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="MediationCommitteeFilter")
    class FilterSerializer(serializers.Serializer):
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False)

    @extend_schema(operation_id="mediation_committees_list", summary="Mediation committees of my area and above",
                   tags=["mediation"], responses={200: CommitteeSerializer(many=True), **errors(400, 401, 403)})
    def get(self, request):
        given = self.FilterSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        queryset = selectors.committees_for(request.user, org=given.validated_data.get("org", ""))
        return paginated_response(request=request, view=self, queryset=queryset, serializer_class=CommitteeSerializer)


@extend_schema_serializer(component_name="MediationParty")
class PartySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    person = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    phone = serializers.CharField(help_text="In full to the case's committee (to call the party back), else masked.")
    resident_id = serializers.CharField(help_text="Masked.")


@extend_schema_serializer(component_name="MediationCase")
class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    type = serializers.ChoiceField(choices=CaseType.choices)
    source = serializers.ChoiceField(choices=CaseSource.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    org_code = serializers.CharField()
    committee = serializers.IntegerField()
    committee_name = serializers.CharField()
    mediator = serializers.IntegerField(allow_null=True)
    mediator_name = serializers.CharField()
    matters = serializers.CharField()
    accepted_on = serializers.DateField(allow_null=True)
    deadline = serializers.DateField(allow_null=True, help_text="One month after acceptance, unless both parties agreed to more.")
    event = serializers.IntegerField(allow_null=True)
    parties = PartySerializer(many=True)
    concluded_on = serializers.DateField(allow_null=True)
    failure_reason = serializers.CharField(help_text=f"Of a failed case: one of {', '.join(FailureReason.values)}.")
    diversion = serializers.CharField(help_text="Of a declined or referred case: where it was pointed to.")
    agreement_form = serializers.CharField(help_text="written|oral, of a settled case.")
    performance_due = serializers.DateField(allow_null=True)
    agreement_effective_on = serializers.DateField(allow_null=True,
                                                   help_text="The day the signed agreement took effect.")
    confirmation = serializers.CharField(help_text="applied|confirmed|not_confirmed: judicial confirmation.")
    confirmation_closes = serializers.DateField(allow_null=True,
                                                help_text="The last day to apply for judicial confirmation.")
    performance = serializers.CharField(help_text="What the latest follow-up visit found.")


def case_row(user, case, works: dict | None = None) -> dict:
    """The case as the API shows it; `works` remembers, per committee, whether the user works
    its cases (one check per committee on a page, not per row)."""
    names = has_capability(user, Capability.VIEW_PERSON_NAMES)
    works = {} if works is None else works
    if case.committee_id not in works:
        works[case.committee_id] = services.may_work_committee(user, case.committee)
    # who works the case calls its parties back: an online applicant left nothing else
    full_phone = works[case.committee_id]
    return {
        "id": case.pk, "code": case.code, "status": case.status, "status_label": case.get_status_display(),
        "type": case.type, "source": case.source, "channel": case.channel, "org_code": case.org_code,
        "committee": case.committee_id, "committee_name": case.committee.name,
        "mediator": case.mediator_id, "mediator_name": case.mediator.name if case.mediator else "",
        "matters": case.matters, "accepted_on": case.accepted_on, "deadline": case.deadline, "event": case.event_id,
        "parties": [{"role": p.role, "person": p.person_id,
                     "name": p.display_name if names else masking.mask_name(p.display_name),
                     "phone": (p.phone if full_phone else masking.mask_phone(p.phone)) if p.phone else "",
                     "resident_id": masking.mask_resident_id(p.resident_id) if p.resident_id else ""}
                    for p in case.parties.all()],
        "concluded_on": case.concluded_on, "failure_reason": case.failure_reason, "diversion": case.diversion,
        "agreement_form": case.agreement_form, "performance_due": case.performance_due,
        "agreement_effective_on": case.agreement_effective_on, "confirmation": case.confirmation,
        "confirmation_closes": services.confirmation_window_closes(case), "performance": case.performance,
    }


@extend_schema_serializer(component_name="MediationPartyInput")
class PartyInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=PartyRole.choices)
    person = serializers.IntegerField(required=False, min_value=1, max_value=2**62,
                                      help_text="A person of the register in your area.")
    name = serializers.CharField(max_length=50, required=False, help_text="An outside party, by name.")
    resident_id = serializers.CharField(max_length=18, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    def validate(self, attrs):
        if bool(attrs.get("person")) == bool((attrs.get("name") or "").strip()):
            raise serializers.ValidationError({"person": [_("Give a person of the register or a name, not both.")]})
        return attrs


class CaseListApi(MediationApiView):
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="MediationCaseCreate")
    class InputSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=CaseType.choices)
        source = serializers.ChoiceField(choices=CaseSource.choices)
        channel = serializers.ChoiceField(choices=Channel.choices, required=False)
        org_code = serializers.RegexField(r"^[0-9]{12,15}$")
        committee = serializers.IntegerField(min_value=1, max_value=2**62)
        parties = PartyInputSerializer(many=True, min_length=2, max_length=20)
        matters = serializers.CharField(max_length=MAX_TEXT)
        event = serializers.IntegerField(required=False, min_value=1, max_value=2**62)

    @extend_schema(operation_id="mediation_cases_list", summary="Mediation cases I work, newest first",
                   tags=["mediation"], responses={200: CaseSerializer(many=True), **errors(401, 403)})
    def get(self, request):
        queryset = selectors.cases_for(request.user)
        works: dict = {}
        return paginated_response(request=request, view=self, queryset=queryset, serializer_class=CaseSerializer,
                                  to_row=lambda case: case_row(request.user, case, works))

    @extend_schema(operation_id="mediation_cases_create", summary="Open a case the committee takes up",
                   tags=["mediation"], request=InputSerializer,
                   responses={201: CaseSerializer, **errors(400, 401, 403, 404)})
    def post(self, request):
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        committee = selectors.access_committee(request.user, data["committee"])
        people = {p.pk: p for p in people_visible_to(request.user).filter(
            pk__in=[p["person"] for p in data["parties"] if p.get("person")])}
        parties = []
        for party in data["parties"]:
            person: Person | None = None
            if party.get("person"):
                person = people.get(party["person"])
                if person is None:
                    raise NotFound(_("No such person in your area."))
            parties.append(services.PartySpec(role=party["role"], person=person, name=party.get("name", ""),
                                              resident_id=party.get("resident_id", ""),
                                              phone=party.get("phone", "")))
        default_channel = Channel.GRID if data["source"] == CaseSource.EVENT else Channel.WALK_IN
        case = services.case_open(actor=request.user, committee=committee, type=data["type"], source=data["source"],
                                  channel=data.get("channel") or default_channel, org_code=data["org_code"],
                                  matters=data["matters"], parties=parties, event_id=data.get("event"))
        return Response(case_row(request.user, selectors.access_case(request.user, case.pk)), status=201)


class CaseDetailApi(MediationApiView):
    @extend_schema(operation_id="mediation_cases_retrieve", summary="One mediation case", tags=["mediation"],
                   responses={200: CaseSerializer, **errors(401, 403, 404)})
    def get(self, request, case_id: int):
        return Response(case_row(request.user, selectors.access_case(request.user, case_id)))


@extend_schema_serializer(component_name="MediationSession")
class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SessionKind.choices)
    date = serializers.DateField(source="held_on")
    place = serializers.CharField()
    attendees = serializers.CharField()
    record = serializers.CharField()


class SessionListApi(MediationApiView):
    @extend_schema_serializer(component_name="MediationSessionCreate")
    class InputSerializer(serializers.Serializer):
        date = serializers.DateField()
        place = serializers.CharField(max_length=100)
        record = serializers.CharField(max_length=MAX_TEXT)
        attendees = serializers.CharField(max_length=300, required=False, allow_blank=True)
        kind = serializers.ChoiceField(choices=SessionKind.choices, required=False, default=SessionKind.MEDIATION)

    pagination_class = keyset_pagination("held_on", "id")

    @extend_schema(operation_id="mediation_sessions_list", summary="The sessions of a case, by date",
                   tags=["mediation"], responses={200: SessionSerializer(many=True), **errors(401, 403, 404)})
    def get(self, request, case_id: int):
        case = selectors.access_case(request.user, case_id)
        return paginated_response(request=request, view=self, queryset=selectors.sessions_of(case),
                                  serializer_class=SessionSerializer)

    @extend_schema(operation_id="mediation_sessions_create", summary="Record a session of mediation",
                   tags=["mediation"], request=InputSerializer,
                   responses={201: SessionSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        case, data = self.case_and_input(request, case_id)
        session = services.session_record(actor=request.user, case=case, held_on=data["date"], place=data["place"],
                                          record=data["record"], attendees=data.get("attendees", ""),
                                          kind=data["kind"])
        return Response(SessionSerializer(session).data, status=201)


class OutcomeApi(MediationApiView):
    @extend_schema_serializer(component_name="MediationOutcome")
    class InputSerializer(serializers.Serializer):
        result = serializers.ChoiceField(choices=services.Result.CHOICES)
        terms = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True)
        form = serializers.ChoiceField(choices=AgreementForm.choices, required=False)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                       help_text=f"A failure: one of {', '.join(FailureReason.values)}; "
                                                 "a referral: the reason in words.")
        diversion = serializers.ChoiceField(choices=Diversion.choices, required=False)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)
        responsibilities = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True,
                                                 help_text="An agreement: the facts and each side's responsibility.")
        performance_due = serializers.DateField(required=False, allow_null=True,
                                                help_text="An agreement: by when its terms are performed.")

    @extend_schema(operation_id="mediation_cases_outcome", summary="Record how the mediation ended",
                   tags=["mediation"], request=InputSerializer,
                   responses={200: CaseSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        case, data = self.case_and_input(request, case_id)
        case = services.case_conclude(actor=request.user, case=case, result=data["result"],
                                      terms=data.get("terms", ""), form=data.get("form", AgreementForm.WRITTEN),
                                      reason=data.get("reason", ""), note=data.get("note", ""),
                                      diversion=data.get("diversion", ""),
                                      responsibilities=data.get("responsibilities", ""),
                                      performance_due=data.get("performance_due"))
        return Response(case_row(request.user, case))


class ActionApi(MediationApiView):
    """The steps besides sessions and the outcome: accept a request, decline it, hand the case
    to another committee, assign a mediator, name a party, extend the time limit; after an
    agreement: its signed pages (multipart, `pages`), judicial confirmation, follow-up visits,
    mediation again after a breach."""

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema_serializer(component_name="MediationAction")
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=[
            CaseAction.ACCEPT, CaseAction.DECLINE, CaseAction.TRANSFER, CaseAction.ASSIGN, CaseAction.EXTEND,
            CaseAction.ADD_PARTY, CaseAction.SIGN, CaseAction.APPLY_CONFIRMATION, CaseAction.DECIDE_CONFIRMATION,
            CaseAction.FOLLOW_UP, CaseAction.REOPEN])
        party = PartyInputSerializer(required=False, help_text="add_party: the party.")
        signed_on = serializers.DateField(required=False, help_text="sign: the day it was signed and sealed.")
        court = serializers.CharField(max_length=100, required=False)
        applied_on = serializers.DateField(required=False)
        confirmed = serializers.BooleanField(required=False, allow_null=True, default=None)
        decided_on = serializers.DateField(required=False)
        follow_up = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        done_on = serializers.DateField(required=False)
        finding = serializers.ChoiceField(choices=Performance.choices, required=False)
        note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        next_due = serializers.DateField(required=False, allow_null=True)
        diversion = serializers.ChoiceField(choices=Diversion.choices, required=False)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
        committee = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        mediator = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        no_conflict = serializers.BooleanField(required=False, default=False)
        until = serializers.DateField(required=False)
        applicant_consents = serializers.BooleanField(required=False, default=False)
        respondent_consents = serializers.BooleanField(required=False, default=False)

    @extend_schema(operation_id="mediation_cases_action", summary="Take a step on a mediation case",
                   tags=["mediation"], request=InputSerializer,
                   responses={200: CaseSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        case, data = self.case_and_input(request, case_id)
        user = request.user
        action = data["action"]
        if action == CaseAction.ACCEPT:
            case = services.case_accept(actor=user, case=case)
        elif action == CaseAction.DECLINE:
            case = services.case_decline(actor=user, case=case, diversion=data.get("diversion", ""),
                                         reason=data.get("reason", ""))
        elif action == CaseAction.TRANSFER:
            committee = selectors.access_committee(user, data.get("committee") or 0)
            case = services.case_transfer(actor=user, case=case, committee=committee, reason=data.get("reason", ""))
        elif action == CaseAction.ASSIGN:
            mediator = Mediator.objects.filter(pk=data.get("mediator") or 0, committee_id=case.committee_id).first()
            if mediator is None:
                message = _("Choose an active mediator of the case's committee.")
                raise DomainError(message, ErrorCode.INVALID, {"mediator": [message]})
            case = services.case_assign(actor=user, case=case, mediator=mediator, no_conflict=data["no_conflict"])
        elif action == CaseAction.EXTEND:
            case = services.case_extend(actor=user, case=case, until=data.get("until"),
                                        applicant_consents=data["applicant_consents"],
                                        respondent_consents=data["respondent_consents"])
        else:
            case = self.after_agreement(request, case, action, data)
        return Response(case_row(user, selectors.access_case(user, case.pk)))

    def after_agreement(self, request, case, action: str, data: dict):
        user = request.user
        if action == CaseAction.ADD_PARTY:
            given = data.get("party")
            if not given:
                raise DomainError(_("Give the party."), ErrorCode.INVALID, {"party": [_("Give the party.")]})
            person = None
            if given.get("person"):
                person = people_visible_to(user).filter(pk=given["person"]).first()
                if person is None:
                    raise NotFound(_("No such person in your area."))
            services.party_add(actor=user, case=case, party=services.PartySpec(
                role=given["role"], person=person, name=given.get("name", ""),
                resident_id=given.get("resident_id", ""), phone=given.get("phone", "")))
            return case
        if action == CaseAction.SIGN:
            pages = self.pages(request, case, action)
            return services.agreement_sign(actor=user, case=case, signed_on=data.get("signed_on"), pages=pages)
        if action == CaseAction.APPLY_CONFIRMATION:
            return services.confirmation_apply(actor=user, case=case, court=data.get("court", ""),
                                               applied_on=data.get("applied_on"))
        if action == CaseAction.DECIDE_CONFIRMATION:
            if data.get("confirmed") is None:
                message = _("Say whether the court confirmed the agreement.")
                raise DomainError(message, ErrorCode.INVALID, {"confirmed": [message]})
            pages = self.pages(request, case, action)
            return services.confirmation_decide(actor=user, case=case, confirmed=data["confirmed"],
                                                decided_on=data.get("decided_on"), pages=pages)
        if action == CaseAction.FOLLOW_UP:
            visit = FollowUp.objects.filter(pk=data.get("follow_up") or 0, case=case).first()
            if visit is None:
                raise NotFound(_("No such follow-up visit of this case."))
            services.follow_up_record(actor=user, case=case, follow_up=visit, done_on=data.get("done_on"),
                                      finding=data.get("finding", ""), note=data.get("note", ""),
                                      next_due=data.get("next_due"))
            return case
        return services.case_reopen(actor=user, case=case, reason=data.get("reason", ""))


    @staticmethod
    def pages(request, case, action: str) -> list:
        """The uploaded pages, decoded only for who may take the step, and no more than it takes."""
        services.check_step(request.user, case, action)
        files = request.FILES.getlist("pages")
        if len(files) > services.MAX_PAGES:
            raise services.invalid_pages()
        return check_images(files, field="pages")


class AgreementPdfApi(MediationApiView):
    @extend_schema(operation_id="mediation_cases_agreement_pdf", summary="The written agreement as a PDF",
                   tags=["mediation"], responses={(200, "application/pdf"): bytes, **errors(401, 403, 404, 409)})
    def get(self, request, case_id: int):
        case = selectors.access_case(request.user, case_id)
        content = services.document_pdf(actor=request.user, case=case, kind=services.AGREEMENT)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.code}-agreement.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class RequestThrottle(ratelimit.AddressThrottle):
    # one budget with the /mediate/ page (core.ratelimit: the client behind trusted proxies, IPv6 by /64)
    scope = "mediation_request"
    limit = 10


class RequestApi(APIView):
    """A resident asks for mediation, without signing in."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [RequestThrottle]

    @extend_schema_serializer(component_name="MediationRequestCreate")
    class InputSerializer(serializers.Serializer):
        type = serializers.ChoiceField(choices=CaseType.choices)
        org_code = serializers.RegexField(r"^[0-9]{12,15}$", help_text="The village or grid cell of the dispute.")
        matters = serializers.CharField(max_length=MAX_TEXT)
        name = serializers.CharField(max_length=50)
        phone = serializers.CharField(max_length=20)
        respondent_name = serializers.CharField(max_length=50, required=False, allow_blank=True)

    @extend_schema_serializer(component_name="MediationRequestCreated")
    class OutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField()

    @extend_schema(operation_id="mediation_requests_create", summary="Ask for mediation (no sign-in)",
                   tags=["mediation"], request=InputSerializer, auth=[],
                   responses={201: OutputSerializer, **errors(400, 429)})
    def post(self, request):
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        case = services.case_request_online(type=data["type"], org_code=data["org_code"], matters=data["matters"],
                                            name=data["name"], phone=data["phone"],
                                            respondent_name=data.get("respondent_name", ""))
        return Response({"tracking_code": case.tracking_code}, status=201)
