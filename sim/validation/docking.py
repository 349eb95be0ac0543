"""Docking as a validation check: the agent and vector engines agree day by day, person by
person (docs/docking.md)."""

from __future__ import annotations

import time
from typing import Any

from sim.validation.checks import CheckResult, Progress, ValidationCheck, chosen, run_parallel

TOLERANCE = "<= 1e-9"


def _tasks(grid: str, only: str | None) -> list[tuple[Any, int]]:
    from sim.engines.docking import docking_cases

    cases = [case for case in docking_cases(grid) if chosen(only, "docking", case.name)]
    return [(case, seed) for case in cases for seed in case.seeds]


def _timed_dock(case: Any, seed: int, state_every: int) -> tuple[Any, float]:
    """Dock one case on one seed; (Docking, seconds). Top-level, so process pools can run it."""
    from sim.engines.docking import dock_case

    start = time.perf_counter()
    docking = dock_case(case, seed, state_every)
    return docking, time.perf_counter() - start


def check(grid: str, only: str | None, workers: int, progress: Progress) -> list[CheckResult]:
    """One row per docking case: the largest relative difference between the engines."""
    tasks = _tasks(grid, only)
    state_every = 1 if grid == "quick" else 10
    outcomes = run_parallel(
        _timed_dock, [(case, seed, state_every) for case, seed in tasks], workers, progress
    )
    rows: dict[str, CheckResult] = {}
    largest: dict[str, float] = {}
    for (case, seed), (docking, seconds) in zip(tasks, outcomes, strict=True):
        row = rows.setdefault(
            case.name, CheckResult("docking", case.name, 0, docking.days, True, "", TOLERANCE, 0.0)
        )
        row.runs += 1
        row.seconds += seconds
        largest[case.name] = max(largest.get(case.name, 0.0), docking.largest_difference)
        row.measured = f"rel. diff {largest[case.name]:.1e}"
        if not docking.ok and row.passed:
            row.passed = False
            row.problem = f"seed {seed}, {docking.problem}"
    return list(rows.values())


CHECK = ValidationCheck("docking", lambda grid, only: len(_tasks(grid, only)), check)
