import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite no-op")


def test_on_sqlite_the_command_changes_nothing_and_says_so(db, capsys):
    call_command("partitions", ahead=2)

    assert "Nothing to do: partitions need PostgreSQL" in capsys.readouterr().out
