"""`GET /api/v1/me/workbench/`: what waits for the signed-in user now (the home page's
workbench, for the phone app): every item with its label, count, url and urgency."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.api.common import errors
from gridgov.core.workbench import Urgency, workbench_for


class WorkItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable name of the item, e.g. `care.visits_due`.")
    section = serializers.CharField(help_text="Key of the section the item belongs to.")
    label = serializers.CharField(help_text="In the user's language.")
    count = serializers.IntegerField(allow_null=True, help_text="null: a statistic of fewer than 5, suppressed.")
    url = serializers.CharField(help_text="The page (path and query) that lists what is counted.")
    urgency = serializers.ChoiceField(choices=[u.value for u in Urgency])


class WorkActionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()


class MeWorkbenchSerializer(serializers.Serializer):
    items = WorkItemSerializer(many=True)
    actions = WorkActionSerializer(many=True, help_text="Big buttons (the grid worker's report).")
    empty = serializers.BooleanField(help_text="True when nothing waits for the user.")


class MeWorkbenchApi(APIView):
    @extend_schema(
        operation_id="me_workbench", summary="What waits for me now", tags=["auth"],
        responses={200: MeWorkbenchSerializer, **errors(401)},
    )
    def get(self, request):
        bench = workbench_for(request.user)
        items = [
            {"key": item.key, "section": view.section.key, "label": str(item.label), "count": item.count,
             "url": item.url, "urgency": str(item.urgency)}
            for view in bench.sections for item in view.items
        ]
        actions = [{"key": view.action.key, "label": str(view.action.label), "url": view.url}
                   for view in bench.actions]
        return Response(MeWorkbenchSerializer({"items": items, "actions": actions, "empty": bench.is_empty}).data)
