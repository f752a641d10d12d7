"""Concurrent requests at one points account, one shop item and one volunteer shift, through
the API: run in the test process on PostgreSQL (test_points_races.py), and as a program on a
file SQLite database (`python -m tests.participation.points_races`, DATABASE_URL=sqlite:///…), which
prints one JSON line `RESULT {…}`.

Each scenario sends N requests released at once, each on its own connection, and reports the
sorted statuses, the error codes, and the balances and stock afterwards.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.test_settings")
os.environ.setdefault("GRIDGOV_DEBUG", "1")


def race_results() -> dict:
    import datetime

    from django.db import connection
    from django.utils import timezone
    from rest_framework.test import APIClient

    from gridgov.core.models import Role
    from gridgov.participation.models import AccountKind, Movement, PointsAccount, Shift, ShopItem, SignUp
    from gridgov.participation.services import bank as bank_services
    from gridgov.participation.services import points, volunteers
    from gridgov.register.models import Household
    from tests.factories import Tree, build_tree, make_api_token, make_user
    from tests.security.races import N, run_together

    build_tree()
    keeper = make_user("bank", Role.BANK_KEEPER, scope=Tree.VILLAGE_A)
    bank = bank_services.bank_create(actor=keeper, name="幸福村综治银行", org_code=Tree.VILLAGE_A)
    poor = points.account_for(actor=keeper, bank=bank, household=Household.objects.create(
        org_code=Tree.CELL_A1, address="1组1号"))
    points.earn(actor=keeper, account=poor, amount=100, reason="积分", idempotency_key="seed-poor")
    rich = points.account_for(actor=keeper, bank=bank, household=Household.objects.create(
        org_code=Tree.CELL_A1, address="1组2号"))
    points.earn(actor=keeper, account=rich, amount=10_000, reason="积分", idempotency_key="seed-rich")
    rice = bank_services.item_save(actor=keeper, bank=bank, name="大米", price=10, add_stock=3)
    token = make_api_token(keeper)
    # a shift of 3 places, one of 10, and twenty volunteers with their own accounts
    organiser = make_user("organiser", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_A)
    gate = volunteers.activity_create(actor=organiser, org_code=Tree.VILLAGE_A, title="护学岗", place="东门")
    soon = timezone.now() + datetime.timedelta(days=1)
    small = volunteers.shift_add(actor=organiser, activity=gate, starts_at=soon,
                                 ends_at=soon + datetime.timedelta(hours=1), capacity=3)
    roomy = volunteers.shift_add(actor=organiser, activity=gate, starts_at=soon + datetime.timedelta(days=1),
                                 ends_at=soon + datetime.timedelta(days=1, hours=1), capacity=10)
    volunteer_tokens = []
    for i in range(N):
        user = make_user(f"volunteer{i}", Role.VOLUNTEER, scope=Tree.VILLAGE_A)
        volunteers.volunteer_register(actor=organiser, name=f"志愿者{i}", org_code=Tree.VILLAGE_A, user=user)
        volunteer_tokens.append(make_api_token(user))
    connection.close()

    def together(url, body, tokens=None) -> dict:
        def attempt(i):
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[i] if tokens else token}")
            return client.post(url, body(i), format="json")

        responses = run_together(N, attempt)
        return {"statuses": sorted(getattr(r, "status_code", 0) for r in responses),
                "errors": sorted({r.json().get("code") for r in responses if getattr(r, "status_code", 0) >= 400}),
                "unexpected": [repr(r) for r in responses if not hasattr(r, "status_code")],
                "ids": sorted({r.json().get("id") for r in responses if getattr(r, "status_code", 0) == 201})}

    def balance(account) -> int:
        return PointsAccount.objects.get(pk=account.pk).balance

    result = {"balance": together(f"/api/v1/points/accounts/{poor.pk}/redeem/",
                                  lambda i: {"amount": 20, "idempotency_key": f"spend-{i}"})}
    result["balance"]["left"] = balance(poor)
    result["stock"] = together(f"/api/v1/points/accounts/{rich.pk}/redeem/",
                               lambda i: {"item": rice.pk, "idempotency_key": f"rice-{i}"})
    result["stock"]["left"] = ShopItem.objects.get(pk=rice.pk).stock
    result["one_key"] = together(f"/api/v1/points/accounts/{rich.pk}/earn/",
                                 lambda i: {"amount": 7, "reason": "巡逻", "idempotency_key": "one-patrol"})
    result["one_key"]["movements"] = Movement.objects.filter(idempotency_key="one-patrol").count()
    result["shift"] = together(f"/api/v1/volunteers/shifts/{small.pk}/signup/", lambda i: {}, volunteer_tokens)
    result["shift"]["taken"] = Shift.objects.get(pk=small.pk).taken
    result["shift"]["signups"] = SignUp.objects.filter(shift=small).count()
    result["one_volunteer"] = together(f"/api/v1/volunteers/shifts/{roomy.pk}/signup/", lambda i: {},
                                       [volunteer_tokens[0]] * N)
    result["one_volunteer"]["taken"] = Shift.objects.get(pk=roomy.pk).taken
    accounts = PointsAccount.objects.filter(bank=bank)
    result["ledger"] = {"sum": sum(a.balance for a in accounts),
                        "hold": accounts.get(kind=AccountKind.HOLD).balance,
                        "negative_households": accounts.filter(kind=AccountKind.HOUSEHOLD, balance__lt=0).count()}
    return result


def main() -> dict:
    import django

    django.setup()
    from django.db import connection

    assert connection.vendor == "sqlite" and not connection.is_in_memory_db()
    return race_results()


if __name__ == "__main__":
    sys.stdout.write("RESULT " + json.dumps(main()) + "\n")
