"""Password hashing (sign-in, issue 12): argon2id at OWASP's recommended strength.

OWASP's Password Storage Cheat Sheet recommends argon2id with one of five configurations of
equal strength, from m=47104 KiB (46 MiB), t=1 to m=7168 KiB (7 MiB), t=5, all with p=1.
gridgov uses m=19456 KiB (19 MiB), t=2, p=1 — about 35 ms a hash on one core here — and
takes other values from the environment (`GRIDGOV_ARGON2_MEMORY_KIB`, `GRIDGOV_ARGON2_TIME_COST`,
`GRIDGOV_ARGON2_PARALLELISM`) for a stronger setting. A setting weaker than OWASP's (memory
× passes below the weakest of its five, or memory below 7 MiB) stops start-up: the hash is
never weakened for speed. A stored hash made with other parameters (or with PBKDF2) is
re-made with these at the user's next sign-in (Django's `must_update`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ImproperlyConfigured

OWASP_MIN_MEMORY_KIB = 7168
OWASP_MIN_MEMORY_TIMES_PASSES = 7168 * 5  # the weakest of OWASP's five equal configurations


def argon2_parameters(environ) -> tuple[int, int, int]:
    """(memory_cost KiB, time_cost, parallelism) from the environment, checked against OWASP.
    Called by the settings, so that a weak value stops start-up."""
    try:
        memory = int(environ.get("GRIDGOV_ARGON2_MEMORY_KIB", "19456"))
        passes = int(environ.get("GRIDGOV_ARGON2_TIME_COST", "2"))
        lanes = int(environ.get("GRIDGOV_ARGON2_PARALLELISM", "1"))
    except ValueError as exc:
        raise ImproperlyConfigured("GRIDGOV_ARGON2_* must be whole numbers.") from exc
    if (memory < OWASP_MIN_MEMORY_KIB or passes < 1 or lanes < 1
            or memory * passes < OWASP_MIN_MEMORY_TIMES_PASSES):
        raise ImproperlyConfigured(
            "GRIDGOV_ARGON2_MEMORY_KIB x GRIDGOV_ARGON2_TIME_COST is weaker than OWASP's "
            "recommendation for argon2id (at least 7168 KiB, and 35840 KiB x passes)."
        )
    return memory, passes, lanes


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Django's argon2 hasher (argon2id, algorithm `argon2`) at gridgov's parameters."""

    @property
    def memory_cost(self) -> int:
        return settings.GRIDGOV_ARGON2_PARAMETERS[0]

    @property
    def time_cost(self) -> int:
        return settings.GRIDGOV_ARGON2_PARAMETERS[1]

    @property
    def parallelism(self) -> int:
        return settings.GRIDGOV_ARGON2_PARAMETERS[2]
