"""`gridgov otp_reset USERNAME --reason TEXT`: remove a user's second-factor devices."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.models import User
from gridgov.core.otp import otp_reset
from gridgov.core.tokens import SystemActor


class Command(BaseCommand):
    help = "Remove a user's second factor (authenticator and recovery codes); audited."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why (e.g. the ticket of the lost phone).")

    def handle(self, *args, username, reason, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        removed = otp_reset(actor=SystemActor("otp_reset"), user=user, reason=reason)
        self.stdout.write(f"Removed {removed} device(s) of {username}; they set up a new one at the next sign-in.")
