"""List, and optionally merge, person records that share a resident ID number.

Migration core 0004 adds the constraint "one live record per resident ID" and refuses to run
while such records exist; this command clears them first. Each group is merged into its
oldest record through `people_merge` (references moved by the apps' merge hooks, audited
under the given account).
"""

from itertools import groupby

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridgov.core import masking
from gridgov.core.exceptions import DomainError
from gridgov.core.selectors import live_duplicate_people
from gridgov.core.services import people_merge


class Command(BaseCommand):
    help = "List person records sharing a resident ID number; with --merge, merge each group into its oldest."

    def add_arguments(self, parser):
        parser.add_argument("--merge", action="store_true", help="Merge every group into its oldest record.")
        parser.add_argument("--actor", help="The account the merges are recorded under (needs the merge "
                                            "permission over the records' areas, e.g. the city administrator).")

    def handle(self, *args, merge=False, actor=None, **options):
        groups = [list(people) for _, people in groupby(live_duplicate_people(), key=lambda p: p.resident_id_index)]
        if not groups:
            self.stdout.write("OK: no two unmerged person records share a resident ID number.")
            return
        user = None
        if merge:
            if not actor:
                raise CommandError("--merge needs --actor USERNAME.")
            user = get_user_model().objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"No active account {actor!r}.")
        failed = 0
        for people in groups:
            keep, *others = people
            ids = ", ".join(f"#{p.pk} ({p.org_code})" for p in people)
            self.stdout.write(f"{masking.mask_resident_id(keep.resident_id)}: {ids}")
            if user is None:
                continue
            for duplicate in others:
                try:
                    people_merge(actor=user, keep=keep, duplicate=duplicate)
                except DomainError as error:
                    failed += 1
                    self.stderr.write(f"  could not merge #{duplicate.pk} into #{keep.pk}: {error.message}")
                else:
                    self.stdout.write(f"  merged #{duplicate.pk} into #{keep.pk}")
        if user is None:
            self.stdout.write(f"{len(groups)} group(s). Run again with --merge --actor USERNAME to merge them.")
        elif failed:
            raise CommandError(f"{failed} merge(s) failed; nothing else was left half-done.")
        else:
            self.stdout.write(f"OK: {len(groups)} group(s) merged.")
