"""Open311 GeoReport v2, mounted at `/open311/v2/`: each resource as `.json` or `.xml`."""

from django.urls import re_path

from gridgov.events.api import open311

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.DiscoveryApi.as_view(), name="open311-discovery"),
    re_path(r"^services" + FMT, open311.ServiceListApi.as_view(), name="open311-services"),
    re_path(r"^services/(?P<code>[A-Za-z0-9_.\-]{1,60}?)" + FMT, open311.ServiceDefinitionApi.as_view(),
            name="open311-service"),
    re_path(r"^requests" + FMT, open311.RequestListApi.as_view(), name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[A-Za-z0-9_\-]{1,40})" + FMT, open311.RequestDetailApi.as_view(),
            name="open311-request"),
    re_path(r"^tokens/(?P<token>[A-Za-z0-9_\-]{1,40})" + FMT, open311.TokenApi.as_view(), name="open311-token"),
    # Last: any other path answers in the spec's error shape.
    re_path(r"^(?P<rest>.*)$", open311.not_found),
]
