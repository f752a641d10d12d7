"""The points bank's API (CONTRACTS "Participation"): household accounts with their balances,
what a household earns, and what it spends at the shop."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import API_PERMISSIONS, errors, paginated_response
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.core.permissions import Capability
from gridgov.participation.models import EarningRule, ShopItem
from gridgov.participation.selectors import points as selectors
from gridgov.participation.services import points as services


@extend_schema_serializer(component_name="PointsAccount")
class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    org_code = serializers.CharField()
    bank = serializers.IntegerField(source="bank_id")
    balance = serializers.IntegerField()


class AccountListApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": selectors.POINTS_ROLES}
    pagination_class = NewestIdFirstPagination

    @extend_schema_serializer(component_name="PointsAccountFilter")
    class FilterSerializer(serializers.Serializer):
        org = serializers.RegexField(r"^[0-9]{2,15}$", required=False)

    @extend_schema(operation_id="points_accounts_list", summary="Household accounts of my area", tags=["points"],
                   responses={200: AccountSerializer(many=True), **errors(400, 401, 403)})
    def get(self, request):
        given = self.FilterSerializer(data=request.query_params)
        given.is_valid(raise_exception=True)
        queryset = selectors.accounts_for(request.user, org=given.validated_data.get("org", ""))
        return paginated_response(request=request, view=self, queryset=queryset, serializer_class=AccountSerializer)


class AccountDetailApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"GET": selectors.POINTS_ROLES}

    @extend_schema(operation_id="points_accounts_retrieve", summary="One household account", tags=["points"],
                   responses={200: AccountSerializer, **errors(401, 403, 404)})
    def get(self, request, account_id: int):
        return Response(AccountSerializer(selectors.access_account(request.user, account_id)).data)


@extend_schema_serializer(component_name="PointsMovement")
class MovementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    amount = serializers.IntegerField()
    reason = serializers.CharField()
    balance = serializers.IntegerField(help_text="The household's balance now.")


class EarnApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": selectors.POINTS_ROLES}

    @extend_schema_serializer(component_name="PointsEarn")
    class InputSerializer(serializers.Serializer):
        amount = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_AMOUNT)
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
        rule = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        idempotency_key = serializers.CharField(max_length=services.KEY_LENGTH)

    @extend_schema(operation_id="points_accounts_earn", summary="Record points a household earned", tags=["points"],
                   request=InputSerializer, responses={201: MovementSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, account_id: int):
        account = selectors.access_account(request.user, account_id)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        rule = None
        if data.get("rule"):
            rule = EarningRule.objects.filter(pk=data["rule"], bank_id=account.bank_id).first()
            if rule is None:
                message = _("Choose a rule of this bank that is in use.")
                raise DomainError(message, ErrorCode.INVALID, {"rule": [message]})
        if rule is None and not data.get("amount"):
            message = _("Give the points earned, or the rule that awards them.")
            raise DomainError(message, ErrorCode.INVALID, {"amount": [message]})
        movement = services.earn(actor=request.user, account=account, amount=data.get("amount"), rule=rule,
                                 reason=data.get("reason", ""), idempotency_key=data["idempotency_key"])
        account.refresh_from_db()
        return Response({"id": movement.pk, "kind": movement.kind, "amount": movement.amount,
                         "reason": movement.reason, "balance": account.balance}, status=201)


@extend_schema_serializer(component_name="PointsRedemption")
class RedemptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    item = serializers.IntegerField(allow_null=True)
    quantity = serializers.IntegerField()
    amount = serializers.IntegerField()
    balance = serializers.IntegerField(help_text="The household's balance now.")


class RedeemApi(APIView):
    permission_classes = API_PERMISSIONS
    required_capabilities = {"POST": {Capability.KEEP_POINTS_BANK}}

    @extend_schema_serializer(component_name="PointsRedeem")
    class InputSerializer(serializers.Serializer):
        amount = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_AMOUNT)
        item = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
        quantity = serializers.IntegerField(required=False, min_value=1, max_value=services.MAX_QUANTITY, default=1)
        idempotency_key = serializers.CharField(max_length=services.KEY_LENGTH)

    @extend_schema(operation_id="points_accounts_redeem", summary="Spend a household's points at the shop",
                   tags=["points"], request=InputSerializer,
                   responses={201: RedemptionSerializer, **errors(400, 401, 403, 404, 409)})
    def post(self, request, account_id: int):
        account = selectors.access_account(request.user, account_id)
        given = self.InputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        item = None
        if data.get("item"):
            item = ShopItem.objects.filter(pk=data["item"], bank_id=account.bank_id).first()
            if item is None:
                message = _("Choose an item this shop offers.")
                raise DomainError(message, ErrorCode.INVALID, {"item": [message]})
        redemption = services.redeem(actor=request.user, account=account, item=item, quantity=data["quantity"],
                                     amount=data.get("amount") if item is None else None,
                                     idempotency_key=data["idempotency_key"])
        account.refresh_from_db()
        return Response({"id": redemption.pk, "status": redemption.status, "item": redemption.item_id,
                         "quantity": redemption.quantity, "amount": redemption.amount, "balance": account.balance},
                        status=201)
