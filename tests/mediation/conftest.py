import pytest
from rest_framework.test import APIClient

from gridgov.core.models import Role
from gridgov.mediation import services
from gridgov.mediation.models import Committee, CommitteeKind, PartyRole
from tests.factories import PersonFactory, Tree, make_user


@pytest.fixture
def justice(tree):
    return make_user("justice", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_A, display_name="司法所 王所长")


@pytest.fixture
def mediator_user(tree):
    return make_user("mediator", Role.MEDIATOR, scope=Tree.TOWNSHIP_A, display_name="调解员 郑芳")


@pytest.fixture
def committee(justice):
    return services.committee_create(actor=justice, name="幸福村人民调解委员会", kind=CommitteeKind.VILLAGE,
                                     org_code=Tree.VILLAGE_A)


@pytest.fixture
def township_committee(justice):
    return services.committee_create(actor=justice, name="一镇人民调解委员会", kind=CommitteeKind.TOWNSHIP,
                                     org_code=Tree.TOWNSHIP_A)


@pytest.fixture
def seat(justice, committee, mediator_user):
    return services.mediator_add(actor=justice, committee=committee, name="郑芳", user=mediator_user,
                                 specialities=["neighbour", "family"])


def parties():
    return [services.PartySpec(role=PartyRole.APPLICANT, person=PersonFactory(name="张大山", org_code=Tree.CELL_A1)),
            services.PartySpec(role=PartyRole.RESPONDENT, name="李四", phone="13912345678")]


@pytest.fixture
def case(mediator_user, committee, seat):
    return services.case_open(actor=mediator_user, committee=committee, type="neighbour", source="request",
                              channel="walk_in", org_code=Tree.CELL_A1, matters="相邻通道被堆放杂物堵塞，双方多次争吵",
                              parties=parties())


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


__all__ = ["Committee", "api", "parties"]
