"""Screening campaigns: an officer opens one over an area and every current household goes on
its grid worker's checklist; the worker records what each visit found; progress per grid cell
or village."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from gridgov.care import selectors, services
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    CareApiView,
    PersonRefSerializer,
    choice_field,
    person_ref,
)
from gridgov.care.models import Campaign, CampaignItem
from gridgov.core import selectors as core_selectors
from gridgov.core.api.common import errors, no_store, paginated_response
from gridgov.core.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from gridgov.core.api_pagination import KeysetPagination, NewestIdFirstPagination
from gridgov.core.exceptions import DomainError, ErrorCode, NotFound
from gridgov.core.orgcodes import GRID_LENGTH, VILLAGE_LENGTH
from gridgov.core.permissions import Capability

LEVELS = {"grid": GRID_LENGTH, "village": VILLAGE_LENGTH}


@extend_schema_serializer(component_name="CareCampaign")
class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org_code = serializers.CharField(help_text="The area of the campaign.")
    kind = choice_field("CareCampaignKind", Campaign.Kind.choices)
    title = serializers.CharField()
    starts_on = serializers.DateField()
    due_on = serializers.DateField()
    closed_at = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField(help_text="Households on the user's lists (an officer: in their area).")
    visited = serializers.IntegerField(help_text="Of those, the households visited.")


def campaign_row(campaign) -> dict:
    return {
        "id": campaign.pk, "org_code": campaign.org_code, "kind": campaign.kind, "title": campaign.title,
        "starts_on": campaign.starts_on, "due_on": campaign.due_on, "closed_at": campaign.closed_at,
        "total": campaign.total, "visited": campaign.visited,
    }


class CampaignListApi(CareApiView):
    """`GET`: the campaigns the user works on, newest first. `POST`: open one over an area."""

    required_capabilities = {"GET": Capability.VIEW_CARE, "POST": Capability.MANAGE_ENROLLMENTS}
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="CareCampaignCreate")
    class InputSerializer(serializers.Serializer):
        org_code = serializers.CharField(max_length=15, help_text="Every current household of this area is listed.")
        kind = choice_field("CareCampaignKind", Campaign.Kind.choices)
        title = serializers.CharField(max_length=100)
        starts_on = serializers.DateField()
        due_on = serializers.DateField()
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @extend_schema(
        operation_id="care_campaigns_list",
        summary="Screening campaigns the user works on",
        tags=["care"],
        responses={200: CampaignSerializer(many=True), **errors(400, 401, 403)},
    )
    def get(self, request):
        return no_store(paginated_response(request=request, view=self, queryset=selectors.campaign_list(request.user),
                                           serializer_class=CampaignSerializer, to_row=campaign_row))

    @extend_schema(
        operation_id="care_campaigns_create",
        summary="Open a screening campaign over an area",
        tags=["care"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=InputSerializer,
        responses={201: CampaignSerializer, **errors(400, 401, 403)},
    )
    @idempotent
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        campaign = services.campaign_open(actor=request.user, org_code=fields["org_code"], kind=fields["kind"],
                                          title=fields["title"], starts_on=fields["starts_on"],
                                          due_on=fields["due_on"])
        campaign = selectors.campaign_list(request.user).get(pk=campaign.pk)
        return no_store(Response(CampaignSerializer(campaign_row(campaign)).data, status=201))


@extend_schema_serializer(component_name="CareCampaignProgressRow")
class ProgressRowSerializer(serializers.Serializer):
    org_code = serializers.CharField(help_text="The grid cell (15 digits) or village (12).")
    total = serializers.IntegerField()
    visited = serializers.IntegerField()
    needs_found = serializers.IntegerField(allow_null=True, help_text="Null where suppressed (see `suppressed`).")
    referred = serializers.IntegerField(allow_null=True)
    suppressed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Above the county: `needs_found`/`referred` when 1–4 (or when they would give such a count back).")


@extend_schema_serializer(component_name="CareCampaignProgressPage")
class ProgressPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Always null: one row per area.")
    previous = serializers.URLField(allow_null=True)
    results = ProgressRowSerializer(many=True)
    level = choice_field("CareCampaignLevel", list(LEVELS))


class CampaignProgressApi(CareApiView):
    """Counts per grid cell or village (at every level, the city included)."""

    required_capabilities = {"GET": Capability.WORK_CAMPAIGNS}

    class FilterSerializer(serializers.Serializer):
        level = serializers.ChoiceField(choices=list(LEVELS), required=False, default="grid")

    @extend_schema(
        operation_id="care_campaigns_progress",
        summary="A campaign's progress per grid cell or village",
        tags=["care"],
        parameters=[OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS), description="Default `grid`.")],
        responses={200: ProgressPageSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request, campaign_id: int):
        campaign = selectors.access_campaign(request.user, campaign_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        level = filters.validated_data["level"]
        rows = selectors.campaign_progress(request.user, campaign, level_length=LEVELS[level])
        body = {"next": None, "previous": None, "level": level, "results": [vars(r) for r in rows]}
        return no_store(Response(ProgressPageSerializer(body).data))


@extend_schema_serializer(component_name="CareCampaignItem")
class CampaignItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField()
    household = serializers.IntegerField()
    address = serializers.CharField(allow_null=True, help_text="The household's address.")
    org_code = serializers.CharField(help_text="The household's grid cell.")
    assignee = serializers.CharField(allow_null=True, help_text="The grid worker's username.")
    result = choice_field("CareCampaignResult", CampaignItem.Result.choices)
    note = serializers.CharField()
    visited_on = serializers.DateField(allow_null=True)
    referred_person = PersonRefSerializer(allow_null=True)


def item_row(user, item) -> dict:
    return {
        "id": item.pk, "campaign": item.campaign_id, "household": item.household_id,
        "address": getattr(item, "address", None), "org_code": item.org_code,
        "assignee": item.assignee.username if item.assignee_id else None,
        "result": item.result, "note": item.note, "visited_on": item.visited_on,
        "referred_person": person_ref(user, item.referred_person) if item.referred_person_id else None,
    }


class CampaignItemListApi(CareApiView):
    """A grid worker's households in the campaign, or all in an officer's area (none above
    the county)."""

    required_capabilities = {"GET": Capability.WORK_CAMPAIGNS}
    pagination_class = KeysetPagination

    class FilterSerializer(serializers.Serializer):
        result = serializers.ChoiceField(choices=CampaignItem.Result.choices, required=False, allow_blank=True)

    @extend_schema(
        operation_id="care_campaigns_items",
        summary="The households of a campaign on the user's list",
        tags=["care"],
        parameters=[OpenApiParameter("result", OpenApiTypes.STR, enum=CampaignItem.Result.values)],
        responses={200: CampaignItemSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request, campaign_id: int):
        campaign = selectors.access_campaign(request.user, campaign_id)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.campaign_items_for(request.user, campaign, result=filters.validated_data.get("result") or "")
        return no_store(paginated_response(request=request, view=self, queryset=rows,
                                           serializer_class=CampaignItemSerializer,
                                           to_row=lambda item: item_row(request.user, item)))


class CampaignItemRecordApi(CareApiView):
    """Record what the screening visit found; a referral alerts the area's program officers."""

    required_capabilities = {"POST": Capability.WORK_CAMPAIGNS}

    @extend_schema_serializer(component_name="CareCampaignItemRecord")
    class InputSerializer(serializers.Serializer):
        result = choice_field("CareCampaignRecordResult",
                              [c for c in CampaignItem.Result.choices if c[0] != CampaignItem.Result.PENDING])
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
        referred_person = serializers.IntegerField(
            required=False, allow_null=True, default=None,
            help_text="For `referred`: the id of a registered person in the user's area.")

    @extend_schema(
        operation_id="care_campaign_items_record",
        summary="Record a screening visit to a household",
        tags=["care"],
        request=InputSerializer,
        responses={200: CampaignItemSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request, item_id: int):
        user = request.user
        item = selectors.access_campaign_item(user, item_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        person = None
        if fields["referred_person"] is not None:
            try:
                person = core_selectors.access_person(user, fields["referred_person"])
            except NotFound as error:
                message = _("No such person in your area.")
                raise DomainError(message, ErrorCode.INVALID, {"referred_person": [message]}) from error
        services.campaign_item_record(actor=user, item=item, result=fields["result"], note=fields["note"],
                                      referred_person=person)
        item = selectors.access_campaign_item(user, item.pk)
        return no_store(Response(CampaignItemSerializer(item_row(user, item)).data))
