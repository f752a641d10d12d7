import pytest

from gridgov.core.models import Role
from gridgov.participation.services import bank as bank_services
from gridgov.participation.services import points
from gridgov.register.models import Household
from tests.factories import Tree, make_user


@pytest.fixture
def keeper(tree):
    return make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A, display_name="积分银行 管理员")


@pytest.fixture
def bank(keeper):
    return bank_services.bank_create(actor=keeper, name="幸福村综治银行", org_code=Tree.VILLAGE_A)


def household(cell=Tree.CELL_A1, address="幸福村1组8号", head: str = "") -> Household:
    """A household of the register; with `head`, its head of that name lives there."""
    from gridgov.register.models import Membership, Relation, ResidenceType
    from tests.factories import PersonFactory

    home = Household.objects.create(org_code=cell, address=address)
    if head:
        Membership.objects.create(household=home, person=PersonFactory(name=head, org_code=cell),
                                  relation=Relation.HEAD, residence_type=ResidenceType.REGISTERED_HERE)
    return home


@pytest.fixture
def account(keeper, bank):
    return points.account_for(actor=keeper, bank=bank, household=household())


@pytest.fixture
def soap(keeper, bank):
    return bank_services.item_save(actor=keeper, bank=bank, name="洗衣液", price=20, add_stock=5)
