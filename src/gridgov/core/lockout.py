"""Sign-in lockout with two limits, for the page and the API alike.

django-axes compares one failure count with one limit. We need two: an account is locked
after `AXES_FAILURE_LIMIT` failures whatever addresses they came from (a guesser who
rotates addresses), and an address after `GRIDGOV_LOGIN_ADDRESS_LIMIT` failures whatever
accounts they named (password spraying: a few guesses on each of many accounts). An office
behind one NAT address shares the address count, so that limit is the higher one.

Both counts cover the cool-off window (`AXES_COOLOFF_TIME`). A successful sign-in clears the
account's failures only: a sprayer who owns one account cannot clear their address's count
by signing in to it.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.db.models import Sum


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountAndAddressHandler(AxesDatabaseHandler):
    def _recent(self, request):
        attempts = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts

    def get_failures(self, request, credentials=None) -> int:
        """The account's failure count, raised to the account limit when the address is over
        its own limit (axes then locks, comparing with the account limit)."""
        attempts = self._recent(request)
        username = get_client_username(request, credentials)
        by_account = _sum(attempts.filter(username=username)) if username else 0
        address = getattr(request, "axes_ip_address", None)
        if address:
            address_limit = getattr(settings, "GRIDGOV_LOGIN_ADDRESS_LIMIT", 50)
            if _sum(attempts.filter(ip_address=address)) >= address_limit:
                return max(by_account, int(settings.AXES_FAILURE_LIMIT))
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
