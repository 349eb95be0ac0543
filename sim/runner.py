"""Running scenarios: one seed, several seeds, a comparison of strategies.

Every run is paired with its no-social-media baseline on the same seed and population, which
gives the incremental columns (docs/model.md section 5). Seeds are the scenario seed + 0..K-1.
"""

from __future__ import annotations

import functools
import multiprocessing
import numbers
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from sim.audience import Population, build_population, people_in
from sim.audience.memory import check_memory
from sim.errors import allowed_range
from sim.interrupts import interrupts_held, start_pool_worker, stop_pool
from sim.metrics import finish
from sim.model import EngagementModel, check_engine
from sim.schema import Audience, Comparison, Scenario, Strategy, bounds

__all__ = [
    "simulate",
    "run_seeds",
    "compare",
    "baseline_revenue",
    "paired_baseline",
    "paired_baselines",
    "check_seeds",
    "daily_metrics",
    "on_edge_list",
    "with_audience",
    "with_strategy",
]

ProgressCallback = Callable[[int], None]

_OTHER_CALL = {
    Scenario: "a Scenario alone runs with run_seeds or simulate (or make a Comparison with "
    "scenario= and strategies=)",
    Comparison: "a Comparison runs with compare (its .scenario with run_seeds or simulate)",
}
"""What to call for the object a run function was given instead of its own."""


def _expect(value: object, kind: type, call: str) -> None:
    """A TypeError that names the call, what it takes and what to call instead."""
    if not isinstance(value, kind):
        other = next((hint for held, hint in _OTHER_CALL.items() if isinstance(value, held)), "")
        if isinstance(value, str | Path):
            other = f"load it first, with sim.loading.load_{kind.__name__.lower()}({str(value)!r})"
        raise TypeError(
            f"{call} takes a {kind.__name__}, not {type(value).__name__}"
            + (f": {other}" if other else "")
        )


def _check_counts(
    *,
    days: int | None = None,
    seeds: int | None = None,
    workers: int = 1,
    engine: str = "vector",
    first_seed: int | None = None,
) -> None:
    """ValueErrors that name a wrong horizon, seed count, worker count or engine, with what is
    allowed (the schema's ranges for days and seeds), or seeds past the largest
    (:func:`check_seeds`)."""
    for name, value, info in (
        ("days", days, Scenario.model_fields["days"]),
        ("seeds", seeds, Comparison.model_fields["seeds"]),
        ("workers", workers, None),
    ):
        low, high = bounds(info) if info is not None else (1, None)
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if value is not None and not (
            whole and (low is None or value >= low) and (high is None or value <= high)
        ):
            raise ValueError(
                f"{name} must be a whole number {allowed_range(low, high)}, not {value!r}"
            )
    check_engine(engine)
    if first_seed is not None and seeds is not None:
        check_seeds(first_seed, seeds)


def check_seeds(first_seed: int, seeds: int) -> None:
    """ValueError for seeds ``first_seed`` + 0..seeds-1 that go past the largest seed (they
    would no longer be whole 64-bit numbers in the result files)."""
    largest = bounds(Scenario.model_fields["seed"])[1]
    if first_seed + seeds - 1 > largest:
        raise ValueError(
            f"seeds {first_seed} to {first_seed + seeds - 1} go past the largest seed, {largest}: "
            f"start at {largest - seeds + 1} or lower"
        )


def baseline_revenue(
    scenario: Scenario, seed: int, days: int, population: Population, engine: str = "vector"
) -> pd.Series:
    """Daily revenue per (brand, day) when each brand in turn does nothing on social media."""
    parts = []
    for index, brand in enumerate(scenario.brands):
        model = EngagementModel(
            scenario, seed=seed, engine=engine, population=population, inactive_brands=(index,)
        ).run(days)
        raw = model.metrics()
        parts.append(raw.loc[raw["brand"] == brand.name, ["brand", "day", "revenue"]])
    return pd.concat(parts).set_index(["brand", "day"])["revenue"]


def paired_baseline(scenario: Scenario, variant: Scenario) -> Scenario:
    """The scenario whose no-social run pairs with ``variant``, ``scenario`` with another
    strategy for brand 0: ``scenario`` itself when the two strategies share their main platform
    (the first of their ``platforms``), else ``variant``. A brand doing nothing differs between
    strategies only in where its day-0 followers are drawn from, its main platform, so one
    baseline serves every strategy with the same main platform."""
    return scenario if _main_platform(variant) == _main_platform(scenario) else variant


def paired_baselines(
    scenario: Scenario,
    variants: Sequence[Scenario],
    seed: int,
    days: int,
    population: Population,
    engine: str = "vector",
) -> list[pd.Series]:
    """The no-social baseline revenue (:func:`baseline_revenue`) that pairs with each of
    ``variants`` (``scenario`` with other strategies for brand 0), one run per main platform."""
    runs: dict[str, pd.Series] = {}
    baselines = []
    for variant in variants:
        paired = paired_baseline(scenario, variant)
        main = _main_platform(paired)
        if main not in runs:
            runs[main] = baseline_revenue(paired, seed, days, population, engine)
        baselines.append(runs[main])
    return baselines


def _main_platform(scenario: Scenario) -> str:
    """Brand 0's main platform: the first its strategy is active on."""
    return scenario.brands[0].strategy.platforms[0]


def simulate(
    scenario: Scenario,
    seed: int,
    *,
    days: int | None = None,
    engine: str = "vector",
    with_baseline: bool = True,
    population: Population | None = None,
    baseline: pd.Series | None = None,
    base_dir: Path | None = None,
    before_day: Callable[[], None] | None = None,
) -> pd.DataFrame:
    """Daily metrics of one run of ``scenario`` on ``seed`` (columns: seed, brand, day, then
    sim.metrics.COLUMNS and per-platform ones), ``days`` long (default: the scenario's).

    ``with_baseline`` pairs it with the no-social-media run of the same seed and people, which
    gives the incremental columns; ``baseline`` passes that run's daily revenue when it is
    already known (``compare`` shares one between strategies), and ``population`` an audience
    already built for this scenario and seed. ``before_day()`` is called before each day
    (``EngagementModel.run``; the web app cancels a run from it)."""
    _expect(scenario, Scenario, "simulate")
    _check_counts(days=days, engine=engine)
    days = scenario.days if days is None else days
    population = population or build_population(scenario, base_dir, seed=seed)
    model = EngagementModel(scenario, seed=seed, engine=engine, population=population)
    model.run(days, before_day=before_day)
    if baseline is None and with_baseline:
        baseline = baseline_revenue(scenario, seed, days, population, engine)
    return daily_metrics(model, baseline)


def daily_metrics(model: EngagementModel, baseline: pd.Series | None) -> pd.DataFrame:
    """A stepped model's daily metrics with its no-social ``baseline`` revenue (what
    :func:`simulate` returns; the web app steps models itself and finishes them here)."""
    return finish(model.metrics(), baseline, model.config.market.margin)


def run_seeds(
    scenario: Scenario,
    seeds: int,
    *,
    days: int | None = None,
    engine: str = "vector",
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Runs seeds scenario.seed + 0..seeds-1; progress(1) after each run. ``workers`` > 1 runs
    seeds in parallel processes; results are identical whatever the number of workers."""
    _expect(scenario, Scenario, "run_seeds")
    _check_counts(days=days, seeds=seeds, workers=workers, engine=engine, first_seed=scenario.seed)
    run = functools.partial(simulate, days=days, engine=engine, base_dir=base_dir)
    tasks = [(scenario, scenario.seed + offset) for offset in range(seeds)]
    check_memory(scenario, base_dir, copies=max(1, min(workers, seeds)))
    return pd.concat(in_processes(run, tasks, workers, progress, weight=1), ignore_index=True)


def in_processes[T](
    function: Callable[..., T],
    tasks: list[tuple],
    workers: int,
    progress: ProgressCallback | None,
    weight: int,
) -> list[T]:
    """``[function(*task) for task in tasks]``, on ``workers`` spawned processes when more than
    one (and more than one task); ``progress(weight)`` after each task. Ctrl-C stops the pool."""
    if workers <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(function(*task))
            if progress:
                progress(weight)
        return results
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start_pool_worker,
        initargs=(os.getpid(),),
    )
    try:
        with interrupts_held():  # the submits start the worker processes
            futures = [pool.submit(function, *task) for task in tasks]
        for future in as_completed(futures):
            future.result()
            if progress:
                progress(weight)
        results = [future.result() for future in futures]
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()
    return results


def with_strategy(scenario: Scenario, strategy: Strategy) -> Scenario:
    """The scenario with brand 0 running ``strategy`` (validated again as a whole)."""
    brands = [scenario.brands[0].model_copy(update={"strategy": strategy}), *scenario.brands[1:]]
    return Scenario.model_validate(
        {**scenario.model_dump(), "brands": [brand.model_dump() for brand in brands]}
    )


def with_audience(scenario: Scenario, audience: Audience, base_dir: Path | None = None) -> Scenario:
    """The scenario on ``audience``, each brand's day-0 followers kept as the same share of the
    people: a brand followed by a twentieth of a 20,000-person market is followed by a twentieth
    of a 2,000-person one, not by half of it (``base_dir``: where relative graph paths are).
    An edge list's ``people`` (unused by the builder) is set to the file's, so that the scenario
    a manifest records says how many people ran."""
    before = people_in(scenario.audience.graph, base_dir)
    after = people_in(audience.graph, base_dir)
    data = scenario.model_dump()
    data["audience"] = audience.model_dump()
    if audience.graph.kind == "edgelist":
        data["audience"]["graph"]["people"] = after
    scale = scenario.market.scale
    for brand in data["brands"]:
        share = min(brand["initial"]["followers"] / scale, before) / before  # at most everyone
        simulated = share * after
        brand["initial"]["followers"] = float(max(1, round(simulated)) * scale if simulated else 0)
    return Scenario.model_validate(data)


def on_edge_list(scenario: Scenario, path: str | Path, direction: str, name: str) -> Scenario:
    """``scenario`` on the edge list at ``path`` read as ``direction``, its audience called
    ``name``; each brand keeps its share of the people as day-0 followers (`with_audience`)."""
    graph = scenario.audience.graph.model_copy(
        update={"kind": "edgelist", "path": str(path), "direction": direction}
    )
    return with_audience(
        scenario, scenario.audience.model_copy(update={"name": name, "graph": graph})
    )


def compare(
    comparison: Comparison,
    *,
    days: int | None = None,
    seeds: int | None = None,
    engine: str = "vector",
    progress: ProgressCallback | None = None,
    base_dir: Path | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Each strategy in place of brand 0's on the same scenario and seeds: the daily metrics of
    every run, a row per strategy, seed, brand and day (``strategy``, then what
    :func:`simulate` returns).

    ``days`` and ``seeds`` default to the comparison's; seeds are the scenario's seed + 0..K-1.
    ``engine`` is ``vector`` or ``agents`` (the same numbers, the agents far more slowly).
    Populations and the no-social baseline are built once per seed and shared by every
    strategy, so differences between strategies are paired. ``workers`` > 1 runs seeds in
    parallel processes (a script doing so needs an ``if __name__ == "__main__":`` guard); results
    are identical whatever the number of workers. ``progress(k)`` is called as each seed's k
    runs finish.
    """
    _expect(comparison, Comparison, "compare")
    scenario = comparison.scenario
    days = scenario.days if days is None else days
    seeds = comparison.seeds if seeds is None else seeds
    _check_counts(days=days, seeds=seeds, workers=workers, engine=engine, first_seed=scenario.seed)
    variants = [
        (strategy.name, with_strategy(scenario, strategy)) for strategy in comparison.strategies
    ]
    tasks = [
        (scenario, variants, scenario.seed + offset, days, engine, base_dir)
        for offset in range(seeds)
    ]
    check_memory(scenario, base_dir, copies=max(1, min(workers, seeds)))
    results = in_processes(_compare_seed, tasks, workers, progress, weight=len(variants))
    return pd.concat([frame for frames in results for frame in frames], ignore_index=True)


def _compare_seed(
    scenario: Scenario,
    variants: list[tuple[str, Scenario]],
    seed: int,
    days: int,
    engine: str,
    base_dir: Path | None,
) -> list[pd.DataFrame]:
    """Every strategy on one seed, sharing the population and, among strategies with the same
    main platform, the no-social baseline (:func:`paired_baseline`)."""
    population = build_population(scenario, base_dir, seed=seed)
    scenarios = [variant for _, variant in variants]
    baselines = paired_baselines(scenario, scenarios, seed, days, population, engine)
    frames = []
    for (name, variant), baseline in zip(variants, baselines, strict=True):
        frame = simulate(
            variant, seed, days=days, engine=engine, population=population, baseline=baseline
        )
        frame.insert(0, "strategy", name)
        frames.append(frame)
    return frames
