"""The `gridgov` command: Django's manage.py with gridgov's settings."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["generate_field_key"]:
        # Needed before a key exists, when the settings would refuse to load.
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
        return
    if sys.argv[1:2] == ["bench"] and not os.environ.get("GRIDGOV_SECRET_KEY"):
        # This process only launches bench.runner, which makes its own throwaway database
        # and keys; it needs no real keys to do so.
        os.environ["GRIDGOV_DEBUG"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
