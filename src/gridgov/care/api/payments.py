"""Money: treatment subsidies (per-day rates, capped), guardian reward agreements with their
payments against conditions, and the payments of a period with totals per kind."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers

from gridgov.care import selectors, services
from gridgov.care.api.common import (
    IDEMPOTENCY_BODY,
    CareApiView,
    PageSerializer,
    PaymentSerializer,
    PeriodInputMixin,
    PersonRefSerializer,
    care_action,
    choice_field,
    payment_row,
    person_ref,
    respond,
    today,
)
from gridgov.care.api.enrollments import ORG_PARAMETER, OrgFilterSerializer, checked_org
from gridgov.core.api.common import errors
from gridgov.core.api_pagination import NewestIdFirstPagination
from gridgov.core.permissions import Capability

AMOUNT = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}
TAGS = ("care payments",)


class SubsidyCreateApi(CareApiView):
    """A treatment subsidy: a daily rate for the days of the period, within the cap."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareSubsidyCreate")
    class InputSerializer(PeriodInputMixin, serializers.Serializer):
        kind = choice_field(
            "CareSubsidyKind", sorted(services.TREATMENT_RATES),
            help_text="`with_guardian` (a guardian is present) or `homeless` (an unidentified homeless patient).",
        )
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        paid_on = serializers.DateField(required=False, default=None, allow_null=True, help_text="Defaults to today.")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_subsidies_create", "Record a treatment subsidy", request=InputSerializer,
                 response=PaymentSerializer, tags=TAGS)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        fields = self.validated(request)
        payment = services.treatment_subsidy_record(
            actor=request.user, enrollment=enrollment, kind=fields["kind"], period_start=fields["period_start"],
            period_end=fields["period_end"], paid_on=fields["paid_on"] or today(), note=fields["note"],
        )
        return respond(PaymentSerializer, payment_row(payment), status=201)


@extend_schema_serializer(component_name="CareGuardianAgreement")
class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enrollment = serializers.IntegerField()
    guardian_name = serializers.CharField()
    year = serializers.IntegerField()
    annual_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    conditions = serializers.CharField()
    signed_on = serializers.DateField()


class AgreementCreateApi(CareApiView):
    """A guardian reward agreement (监护人以奖代补) for one year."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareGuardianAgreementCreate")
    class InputSerializer(serializers.Serializer):
        guardian_name = serializers.CharField(max_length=50)
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        annual_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
        conditions = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000,
                                           help_text="E.g. the person takes their medicines, no incident.")
        signed_on = serializers.DateField(required=False, default=None, allow_null=True,
                                          help_text="Defaults to today.")
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_agreements_create", "Sign a guardian reward agreement", request=InputSerializer,
                 response=AgreementSerializer, tags=TAGS)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.access_enrollment(request.user, enrollment_id)
        fields = self.validated(request)
        agreement = services.guardian_agreement_sign(
            actor=request.user, enrollment=enrollment, guardian_name=fields["guardian_name"], year=fields["year"],
            annual_amount=fields["annual_amount"], conditions=fields["conditions"],
            signed_on=fields["signed_on"] or today(),
        )
        body = {"id": agreement.pk, "enrollment": enrollment.pk, "guardian_name": agreement.guardian_name,
                "year": agreement.year, "annual_amount": agreement.annual_amount,
                "conditions": agreement.conditions, "signed_on": agreement.signed_on}
        return respond(AgreementSerializer, body, status=201)


class AgreementPaymentCreateApi(CareApiView):
    """A payment under a guardian agreement: nothing is paid for a period whose conditions
    were not met, and the year's payments never exceed the annual amount."""

    required_capabilities = {"POST": Capability.MANAGE_ENROLLMENTS}

    @extend_schema_serializer(component_name="CareGuardianPaymentCreate")
    class InputSerializer(PeriodInputMixin, serializers.Serializer):
        amount = serializers.DecimalField(**AMOUNT)
        period_start = serializers.DateField()
        period_end = serializers.DateField()
        conditions_met = serializers.BooleanField()
        paid_on = serializers.DateField(required=False, default=None, allow_null=True, help_text="Defaults to today.")
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        idempotency_key = serializers.CharField(**IDEMPOTENCY_BODY)

    @care_action("care_agreement_payments_create", "Record a payment under a guardian agreement",
                 request=InputSerializer, response=PaymentSerializer, tags=TAGS)
    def post(self, request, agreement_id: int):
        agreement = selectors.access_agreement(request.user, agreement_id)
        fields = self.validated(request)
        payment = services.guardian_payment_record(
            actor=request.user, agreement=agreement, amount=fields["amount"], period_start=fields["period_start"],
            period_end=fields["period_end"], paid_on=fields["paid_on"] or today(),
            conditions_met=fields["conditions_met"], note=fields["note"],
        )
        return respond(PaymentSerializer, payment_row(payment), status=201)


@extend_schema_serializer(component_name="CarePaymentRow")
class PaymentRowSerializer(PaymentSerializer):
    person = PersonRefSerializer()


@extend_schema_serializer(component_name="CarePaymentTotals")
class PaymentTotalsSerializer(serializers.Serializer):
    guardian_reward = serializers.DecimalField(max_digits=14, decimal_places=2)
    treatment_subsidy = serializers.DecimalField(max_digits=14, decimal_places=2)


@extend_schema_serializer(component_name="CarePaymentPage")
class PaymentPageSerializer(PageSerializer):
    results = PaymentRowSerializer(many=True, help_text="Empty above the county (statistics only).")
    since = serializers.DateField()
    until = serializers.DateField()
    totals = PaymentTotalsSerializer(help_text="Paid in the period per kind, over the whole area.")


class PaymentListApi(CareApiView):
    required_capabilities = {"GET": Capability.MANAGE_ENROLLMENTS}
    pagination_class = NewestIdFirstPagination

    class FilterSerializer(OrgFilterSerializer):
        since = serializers.DateField(required=False, allow_null=True, default=None)
        until = serializers.DateField(required=False, allow_null=True, default=None)

        def validate(self, attrs):
            attrs["until"] = attrs["until"] or today()
            attrs["since"] = attrs["since"] or datetime.date(attrs["until"].year, 1, 1)
            if attrs["since"] > attrs["until"]:
                raise serializers.ValidationError({"until": [_("The end comes before the start.")]})
            return attrs

    @extend_schema(
        operation_id="care_payments_list",
        summary="Payments of a period, with totals per kind",
        tags=list(TAGS),
        parameters=[
            ORG_PARAMETER,
            OpenApiParameter("since", OpenApiTypes.DATE, description="Paid on or after this day (default: 1 January)."),
            OpenApiParameter("until", OpenApiTypes.DATE, description="Paid on or before this day (default: today)."),
        ],
        responses={200: PaymentPageSerializer, **errors(400, 401, 403, 404)},
    )
    def get(self, request):
        user = request.user
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        period = {"org": checked_org(user, filters), "since": filters.validated_data["since"],
                  "until": filters.validated_data["until"]}
        totals = selectors.payment_totals(selectors.payments_in_scope(user, **period))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.payments_visible_to(user, **period), request, view=self)
        body = {
            "next": paginator.get_next_link(), "previous": paginator.get_previous_link(),
            "results": [{**payment_row(p), "person": person_ref(user, p.enrollment.person)} for p in page],
            "since": period["since"], "until": period["until"], "totals": totals,
        }
        return respond(PaymentPageSerializer, body)

