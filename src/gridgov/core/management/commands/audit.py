"""`gridgov audit verify|checkpoint|reseal`: the integrity of the audit log.

    gridgov audit verify       walk every chain under the audit key and against every signed
                               checkpoint; exit 0 and say OK, or exit 1 naming each break
    gridgov audit checkpoint   sign each intact chain's head into a new file in
                               GRIDGOV_AUDIT_CHECKPOINT_DIR (run it from cron, see the
                               operator guide); exit 1 when a chain or checkpoint is broken
    gridgov audit reseal       once, after upgrading a database from before keyed chains:
                               re-hash the old entries with the key, record it, checkpoint

The output is for operators' logs and monitoring, which match on its OK / BROKEN prefixes.
"""

import sys

from django.core.management.base import BaseCommand

from gridgov.core.audit import (
    ResealRefused,
    checkpoint_dir,
    read_checkpoints,
    reseal_legacy_chains,
    verify_all,
    write_checkpoint,
)


class Command(BaseCommand):
    help = "Audit-log tools: verify the chains, write signed checkpoints of their heads, re-seal old chains."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Verify every chain of the audit log against the key and the checkpoints.")
        sub.add_parser("checkpoint", help="Write each chain's signed head to GRIDGOV_AUDIT_CHECKPOINT_DIR.")
        sub.add_parser("reseal", help="Once after upgrading: seal chains written before keyed hashes with the key.")

    def handle(self, *args, subcommand, **options):
        getattr(self, f"handle_{subcommand}")()

    def _fail(self, problems, summary):
        for problem in problems:
            self.stderr.write(f"BROKEN: {problem}")
        self.stderr.write(summary)
        sys.exit(1)

    def handle_verify(self):
        checked, problems = verify_all()
        if problems:
            self._fail(problems, f"Audit log NOT intact: {len(problems)} problem(s), {checked} entries checked.")
        checkpoints, _problems = read_checkpoints()
        files = len({c.file for c in checkpoints})
        self.stdout.write(f"OK: {checked} audit entries verified, against {files} checkpoint file(s).")
        if not files:
            self.stdout.write(
                f"Warning: no checkpoints in {checkpoint_dir()}; a cut tail cannot be detected "
                "until `gridgov audit checkpoint` runs."
            )

    def handle_checkpoint(self):
        path, heads, problems = write_checkpoint()
        for head in heads:
            self.stdout.write(f"checkpoint: chain {head['chain']} at #{head['seq']} {head['hash']}")
        if path is not None:
            self.stdout.write(f"Wrote {path}.")
        else:
            self.stdout.write("No intact chain to checkpoint.")
        if problems:
            self._fail(problems, f"{len(problems)} problem(s): those chains were not checkpointed.")

    def handle_reseal(self):
        try:
            resealed = reseal_legacy_chains()
        except ResealRefused as refused:
            self.stderr.write(f"Refused: {refused}. Nothing was changed.")
            sys.exit(1)
        for chain in resealed:
            self.stdout.write(
                f"resealed: chain {chain['chain']}, {chain['entries']} entries "
                f"({chain['unkeyed_entries']} unkeyed)"
            )
        if not resealed:
            self.stdout.write("No chain needed re-sealing.")
        self.handle_checkpoint()
