"""Real graphs: every shipped edge list loads with its direction, runs every preset, and the
headline comparison is reported on each (docs/validation.md says where and why it differs).

A real graph replaces the base scenario's generated audience; everything else stays, and the
brand starts with the same share of the people as followers (base.toml: 1,000 of 20,000, 5%),
so a comparison across graphs changes the network only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.audience import people_in
from sim.audience.edgelist import SHIPPED_GRAPHS
from sim.claims import CLAIMS, check_claims
from sim.runner import on_edge_list
from sim.schema import Comparison, Graph, Scenario
from sim.text import plural
from sim.validation.checks import CheckResult, Progress, ValidationCheck, chosen, run_parallel

__all__ = ["on_graph", "graph_size", "preset_run", "headline_on_graph", "CHECK", "GRIDS"]


@dataclass(frozen=True)
class Grid:
    """Sizes of one grid: presets on each graph, then the headline comparison."""

    preset_days: int
    presets: tuple[str, ...] | None
    """None: every shipped strategy preset."""
    headline_seeds: int
    headline_days: int


GRIDS = {
    "quick": Grid(30, ("consistent_engagement",), 0, 0),
    "full": Grid(365, None, 10, 1095),
}


def graph_size(name: str) -> int:
    """People in a shipped graph (its largest id + 1 after relabelling)."""
    file, direction = SHIPPED_GRAPHS[name]
    return people_in(Graph(kind="edgelist", path=file, direction=direction))


def on_graph(scenario: Scenario, name: str) -> Scenario:
    """``scenario`` on the shipped graph ``name`` (its direction convention), with the same
    share of people as day-0 followers as the scenario has on its own audience."""
    file, direction = SHIPPED_GRAPHS[name]
    return on_edge_list(scenario, file, direction, name)


def preset_run(graph: str, preset: str, days: int) -> tuple[str, str, float]:
    """Run one preset on one graph (vector engine, one seed, with its baseline); returns
    (graph, preset, seconds) or raises with what went wrong. Checks the run's invariants."""
    from sim.loading import load_scenario, load_strategy
    from sim.runner import simulate, with_strategy

    start = time.perf_counter()
    scenario = on_graph(with_strategy(load_scenario("base"), load_strategy(preset)), graph)
    runs = simulate(scenario, scenario.seed, days=days)
    numbers = runs.select_dtypes("number")
    if not np.isfinite(numbers.to_numpy(dtype=np.float64)).all():
        raise ValueError(f"{preset} on {graph}: NaN or inf in the metrics")
    market = graph_size(graph) * scenario.market.scale
    people = runs["followers"] - runs["fake_followers"]  # bought followers are not people
    if (people > market).any() or (numbers.drop(columns=_signed(runs)) < 0).any().any():
        raise ValueError(f"{preset} on {graph}: counts outside [0, market size]")
    return graph, preset, time.perf_counter() - start


def _signed(runs: pd.DataFrame) -> list[str]:
    """Columns that may be negative (profits, ROI)."""
    return [c for c in runs.columns if "profit" in c or "roi" in c or c.startswith("incremental")]


def headline_on_graph(graph: str, seeds: int, days: int, workers: int = 1) -> pd.DataFrame:
    """The headline comparison (scenarios/comparisons/headline.toml) on a real graph."""
    from sim.loading import load_comparison
    from sim.runner import compare

    headline = load_comparison("headline")
    comparison = Comparison.model_validate(
        {**headline.model_dump(), "scenario": on_graph(headline.scenario, graph).model_dump()}
    )
    return compare(comparison, days=days, seeds=seeds, workers=workers)


def _presets(grid: Grid) -> tuple[str, ...]:
    from sim.loading import list_presets

    return grid.presets or tuple(name for name, _ in list_presets("strategy"))


def _graphs(only: str | None) -> list[str]:
    return [name for name in SHIPPED_GRAPHS if chosen(only, "real graphs", name)]


def _runs(grid: str, only: str | None) -> int:
    sizes = GRIDS[grid]
    per_graph = len(_presets(sizes)) + (1 if sizes.headline_seeds else 0)
    return len(_graphs(only)) * per_graph


def _safe_preset_run(graph: str, preset: str, days: int) -> tuple[str, str, float, str]:
    try:
        return (*preset_run(graph, preset, days), "")
    except Exception as error:  # reported in the table, not raised: the other graphs go on
        return graph, preset, 0.0, f"{type(error).__name__}: {error}"


def check(grid: str, only: str | None, workers: int, progress: Progress) -> list[CheckResult]:
    """Per graph: every preset runs with sound outputs; the headline claims as reported."""
    sizes = GRIDS[grid]
    graphs = _graphs(only)
    presets = _presets(sizes)
    tasks = [(graph, preset, sizes.preset_days) for graph in graphs for preset in presets]
    outcomes = run_parallel(_safe_preset_run, tasks, workers, progress)
    rows = []
    for graph in graphs:
        mine = [outcome for outcome in outcomes if outcome[0] == graph]
        failures = [outcome[3] for outcome in mine if outcome[3]]
        rows.append(
            CheckResult(
                "real graphs",
                f"{graph} ({graph_size(graph):,} people): {plural(len(presets), 'preset')}",
                len(mine),
                sizes.preset_days,
                not failures,
                f"{len(mine) - len(failures)} of {len(mine)} ran",
                "all run, finite, counts in range",
                sum(outcome[2] for outcome in mine),
                failures[0] if failures else "",
            )
        )
        if sizes.headline_seeds:
            start = time.perf_counter()
            runs = headline_on_graph(graph, sizes.headline_seeds, sizes.headline_days, workers)
            progress(1)
            verdicts = check_claims(runs, sizes.headline_days - 1)
            held = [key for key, result in verdicts.items() if result.holds]
            rows.append(
                CheckResult(
                    "real graphs",
                    f"{graph}: headline claims",
                    sizes.headline_seeds * 6,
                    sizes.headline_days,
                    True,
                    f"{len(held)} of {len(CLAIMS)} hold",
                    "reported",
                    time.perf_counter() - start,
                    "; ".join(f"claim {CLAIMS[key][0]} fails" for key in CLAIMS if key not in held),
                    judged=False,
                    details=tuple(
                        f"{CLAIMS[key]}: {'holds' if result.holds else 'FAILS'} ({result.note})"
                        for key, result in verdicts.items()
                    ),
                )
            )
    return rows


CHECK = ValidationCheck("real graphs", _runs, check)
