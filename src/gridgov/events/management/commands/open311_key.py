"""`gridgov open311_key create --name NAME | list | revoke PREFIX`: keys of Open311 apps.

`create` prints the key as its last line. It is shown this once: only its hash is kept."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.actors import SystemActor
from gridgov.core.exceptions import DomainError
from gridgov.events import intake_keys
from gridgov.events.models import IntakeKey


class IntakeKeyCommand(BaseCommand):
    kind = IntakeKey.Kind.OPEN311

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        self.add_create_arguments(sub.add_parser("create", help="Make a key and print it (shown once)."))
        sub.add_parser("list", help="List the keys by prefix.")
        revoke = sub.add_parser("revoke", help="Switch a key off for good.")
        revoke.add_argument("prefix", help="The key's first 8 characters, as `list` shows them.")

    def add_create_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Who uses the key, e.g. the app's name.")
        parser.add_argument("--org", default="", help="Reports sent without a point land in this org unit.")

    def create_options(self, options) -> dict:
        return {"org_code": options["org"]}

    def handle(self, *args, subcommand, **options):
        try:
            if subcommand == "create":
                new = intake_keys.intake_key_create(actor=SystemActor("open311_key"), kind=self.kind, name=options["name"],
                                                    **self.create_options(options))
                self.stdout.write(f"Created {self.kind} key “{new.key.name}” with prefix {new.key.prefix}. "
                                  "Copy it now: it is not shown again.")
                self.stdout.write(new.secret)
            elif subcommand == "list":
                for key in intake_keys.intake_keys(kind=self.kind):
                    state = "active" if key.is_active else "revoked"
                    used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
                    self.stdout.write(f"{key.prefix}  {state:7}  last used {used}  {key.name}{self.describe(key)}")
            elif subcommand == "revoke":
                key = intake_keys.intake_key_revoke(actor=SystemActor("open311_key"), prefix=options["prefix"], kind=self.kind)
                self.stdout.write(f"Revoked {key.prefix} ({key.name}).")
        except DomainError as exc:
            details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.fields.items())
            raise CommandError(details or exc.message) from exc

    def describe(self, key) -> str:
        return f"  ({key.org_code})" if key.org_code else ""


class Command(IntakeKeyCommand):
    help = "Keys of Open311 apps: create (prints the key last), list, revoke PREFIX."
