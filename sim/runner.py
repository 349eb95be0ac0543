"""Running scenarios: one seed, several seeds, a comparison of strategies (API; engine wiring in progress)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sim.schema import Comparison, Scenario

ProgressCallback = Callable[[int], None]


def simulate(scenario: Scenario, seed: int, *, days: int | None = None, engine: str = "vector",
             with_baseline: bool = True) -> pd.DataFrame:
    """Daily metrics of one run (columns: seed, brand, day, then sim.metrics.COLUMNS)."""
    raise NotImplementedError


def run_seeds(scenario: Scenario, seeds: int, *, days: int | None = None, engine: str = "vector",
              progress: ProgressCallback | None = None) -> pd.DataFrame:
    """Runs seeds scenario.seed + 0..seeds-1; progress(1) after each run."""
    raise NotImplementedError


def compare(comparison: Comparison, *, days: int | None = None, seeds: int | None = None,
            engine: str = "vector", progress: ProgressCallback | None = None) -> pd.DataFrame:
    """Each strategy in place of brand 0's on the same scenario and seeds; adds a 'strategy' column."""
    raise NotImplementedError
