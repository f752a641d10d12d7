"""gridgov's benchmarks. Each one times a target operation and a baseline in the same run
and reports the ratio, so the numbers mean the same on a laptop and on a server.

A module `bench/bench_<area>.py` registers functions with `@benchmark(...)`; `gridgov bench`
(or `python -m bench.runner`) runs them against a throwaway SQLite database.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Result:
    name: str
    target: str
    target_seconds: float  # per call
    baseline: str
    baseline_seconds: float  # per call

    @property
    def ratio(self) -> float:
        return self.target_seconds / self.baseline_seconds if self.baseline_seconds else float("inf")


@dataclass
class Context:
    """What a benchmark may use: the mode, and (in the `data` phase) the seeded demo."""

    quick: bool
    plan: object | None = None  # gridgov.demo.generator.DemoPlan
    users: dict = field(default_factory=dict)  # demo username → User

    def rounds(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Benchmark:
    name: str
    func: Callable[[Context], Result]
    phase: str  # "empty": before any data exists; "data": after the demo is seeded


REGISTRY: list[Benchmark] = []


def benchmark(name: str, *, phase: str = "data"):
    """Register a benchmark function `f(ctx) -> Result`."""
    if phase not in {"empty", "data"}:
        raise ValueError(phase)

    def register(func):
        REGISTRY.append(Benchmark(name=name, func=func, phase=phase))
        return func

    return register


def per_call(fn: Callable[[], object], *, rounds: int, number: int = 1, warmup: int = 1) -> float:
    """Median seconds per call of `fn` over `rounds` rounds of `number` calls each."""
    for _i in range(warmup):
        fn()
    samples = []
    for _r in range(rounds):
        start = time.perf_counter()
        for _n in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return statistics.median(samples)


def paired(target: Callable[[], object], baseline: Callable[[], object], *, rounds: int, number: int = 1,
           warmup: int = 1) -> tuple[float, float]:
    """Time target and baseline in alternating rounds, so that a slow moment of the machine
    hits both rather than skewing the ratio. Medians of seconds per call."""
    for _i in range(warmup):
        target()
        baseline()
    t_samples, b_samples = [], []
    for _r in range(rounds):
        for fn, samples in ((target, t_samples), (baseline, b_samples)):
            start = time.perf_counter()
            for _n in range(number):
                fn()
            samples.append((time.perf_counter() - start) / number)
    return statistics.median(t_samples), statistics.median(b_samples)
