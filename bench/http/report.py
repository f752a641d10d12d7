"""The HTTP benchmark's table: one row per line, in the layout of bench/runner.py's."""

from __future__ import annotations

from dataclasses import dataclass

from bench.runner import _ratio, format_rows

HEADER = ("line", "figure", "baseline (same run)", "ratio", "SQL/req", "rows/req", "target", "result")


@dataclass(frozen=True)
class Line:
    name: str
    figure: str
    baseline: str
    ratio: float | None  # figure ÷ baseline; None for the floor itself
    target: str
    passed: bool | None  # None: no target (the floor)
    queries: str = "—"  # SQL statements of one request ("a→b" when the bulk rows changed it)
    rows: str = "—"  # rows the database read and wrote for one request

    @property
    def verdict(self) -> str:
        return "—" if self.passed is None else ("PASS" if self.passed else "GAP")


def format_lines(lines: list[Line]) -> str:
    rows = [(line.name, line.figure, line.baseline, "—" if line.ratio is None else _ratio(line.ratio), line.queries,
             line.rows, line.target, line.verdict) for line in lines]
    return format_rows(HEADER, rows)
