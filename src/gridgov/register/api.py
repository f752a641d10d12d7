"""REST API of the register: buildings, households (members nested) and places."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from gridgov.core.api_pagination import KeysetPagination
from gridgov.core.exceptions import NotFound
from gridgov.core.querysets import meets_area_of
from gridgov.register import selectors

ORG_PARAMETER = OpenApiParameter("org", str, description="Org-unit code: only rows in its subtree.")


class _OrgFilteredList(ListAPIView):
    pagination_class = KeysetPagination

    def org(self) -> str | None:
        """The `org` filter; outside the user's area it is a 404, as everywhere."""
        org = self.request.query_params.get("org") or None
        # An area above the user's own means "all of mine"; a disjoint one does not exist here.
        if org and not meets_area_of(self.request.user, org):
            raise NotFound(_("No such org unit in your area."))
        return org


class BuildingListApi(_OrgFilteredList):
    @extend_schema_serializer(component_name="Building")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        org_code = serializers.CharField()
        name = serializers.CharField()
        address = serializers.SerializerMethodField(help_text="Masked (`示范市幸福路****`) unless the role may see it.")
        lat = serializers.FloatField()
        lng = serializers.FloatField()
        use = serializers.CharField()
        floors = serializers.IntegerField(allow_null=True)
        is_rental = serializers.BooleanField()
        units = serializers.SerializerMethodField()

        def get_address(self, building) -> str:
            return selectors.display_address(self.context["request"].user, building.address)

        def get_units(self, building) -> list[str]:
            # a unit label completes a home address: masked with it ("***" each)
            full = selectors.may_see_full_address(self.context["request"].user)
            return [unit.label if full else "***" for unit in building.units.all()]

    serializer_class = OutputSerializer

    @extend_schema(parameters=[ORG_PARAMETER], summary="Buildings in the user's area")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.buildings_visible_to(self.request.user, org=self.org())


class HouseholdListApi(_OrgFilteredList):
    @extend_schema_serializer(component_name="HouseholdMember")
    class MemberSerializer(serializers.Serializer):
        person = serializers.IntegerField(source="person_id")
        name = serializers.SerializerMethodField()
        relation = serializers.CharField()
        residence_type = serializers.CharField()
        moved_in_on = serializers.DateField(allow_null=True)

        def get_name(self, membership) -> str:
            return selectors.display_name(self.context["request"].user, membership.person)

    @extend_schema_serializer(component_name="Household")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        org_code = serializers.CharField()
        building = serializers.SerializerMethodField()
        unit = serializers.SerializerMethodField()
        address = serializers.SerializerMethodField()
        members = serializers.SerializerMethodField()

        # Roles that see the address masked get no way round the mask: not through the unit,
        # nor through the building (whose point is in /buildings/).
        def _masked(self) -> bool:
            return not selectors.may_see_full_address(self.context["request"].user)

        def get_building(self, household) -> int | None:
            return None if self._masked() else household.building_id

        def get_unit(self, household) -> str:
            if self._masked():
                return "***" if household.unit_id else ""
            return household.unit.label if household.unit else ""

        def get_address(self, household) -> str:
            return selectors.display_address(self.context["request"].user, household.address)

        def get_members(self, household) -> list[dict]:
            return HouseholdListApi.MemberSerializer(
                household.current_members, many=True, context=self.context
            ).data

    serializer_class = OutputSerializer

    @extend_schema(parameters=[ORG_PARAMETER], summary="Households with their current members")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.households_visible_to(self.request.user, org=self.org())


class PlaceListApi(_OrgFilteredList):
    @extend_schema_serializer(component_name="Place")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        org_code = serializers.CharField()
        name = serializers.CharField()
        kind = serializers.CharField()
        address = serializers.SerializerMethodField(help_text="Masked unless the role may see it.")
        lat = serializers.FloatField()
        lng = serializers.FloatField()
        responsible_person = serializers.SerializerMethodField()
        opening_hours = serializers.CharField()
        capacity = serializers.IntegerField(allow_null=True)

        def get_address(self, place) -> str:
            return selectors.display_address(self.context["request"].user, place.address)

        def get_responsible_person(self, place) -> dict | None:
            if place.responsible_person is None:
                return None
            return {
                "id": place.responsible_person_id,
                "name": selectors.display_name(self.context["request"].user, place.responsible_person),
            }

    serializer_class = OutputSerializer

    @extend_schema(
        parameters=[ORG_PARAMETER, OpenApiParameter("kind", str, description="Only places of this kind.")],
        summary="Places (shops, schools, day-care centres…)",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.places_visible_to(
            self.request.user, org=self.org(), kind=self.request.query_params.get("kind") or None
        )
