"""`gridgov bench --in-process --quick` runs every function benchmark and prints ratios, on its
own database (the HTTP benchmark, the default, is tests/bench/ and CI's last step)."""

import io
import re

from django.core.management import call_command


def test_quick_bench_prints_a_ratio_for_every_benchmark():
    out = io.StringIO()

    call_command("bench", quick=True, in_process=True, stdout=out)

    text = out.getvalue()
    assert "throwaway SQLite database" in text
    table = text[text.index("benchmark "):]
    rows = [line for line in table.splitlines()[2:] if re.search(r"\d×$", line)]
    names = {"seed town", "grid_cell_at", "people page", "find by resident ID", "subtree count",
             "audit append", "field encryption"}
    assert {name for name in names if any(row.startswith(name) for row in rows)} == names
