"""Running a sweep: every (parameter point, replicate) of an experiment, each once, into a store.

A *run* is one parameter point on one seed with every strategy of the experiment: the population
and the no-social-media baseline are built once and shared by the strategies (as in
:func:`sim.runner.compare`), so strategies are compared on the same people and seed. Run ``i``
is point ``i // seeds``, replicate ``r = i % seeds``, and its seed is :func:`run_seed` of the
experiment seed and ``r`` (common random numbers, the default) or ``i`` (``seeds_across_points =
"independent"``): results are identical whatever the executor, the number of workers or the
order in which runs finish.

Use::

    sweep = Sweep(load_experiment("experiments/smoke.toml"), "out/sweeps/smoke")
    report = sweep.execute(make_executor(2), progress=print)

and, after an interrupt, the same with ``resume=True`` runs only the runs that are missing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.executors import Executor
from experiments.spec import Experiment, apply_values
from experiments.store import RunInfo, Store
from sim.audience import build_population
from sim.audience.memory import check_memory, scenario_bytes
from sim.errors import validation_problems
from sim.metrics import FINAL_OUTCOMES, FLOWS
from sim.rng import key
from sim.runner import paired_baselines, simulate, with_strategy
from sim.schema import Scenario, Strategy

__all__ = [
    "SWEEP_STREAM",
    "RunResult",
    "RunTask",
    "Sweep",
    "SweepReport",
    "execute_run",
    "extract_outcomes",
    "plan_runs",
    "run_seed",
]

SWEEP_STREAM = 99
"""Random stream of run seeds (the model's own streams are 0-13, docs/model.md section 6)."""


def run_seed(experiment_seed: int, index: int) -> int:
    """The seed of run ``index``: a SplitMix64 hash of the experiment seed and the index, in
    0..2**63-1 (a pure function, so any executor gives every run the same seed)."""
    return int(key(experiment_seed, SWEEP_STREAM, person=index)) >> 1


def plan_runs(
    experiment: Experiment, points: pd.DataFrame, seeding: str = "common"
) -> list[RunInfo]:
    """Every run of the experiment: points x replicates, in index order. With ``common``
    seeding replicate r of every point runs on seed :func:`run_seed` of r (common random
    numbers: points differ only by their parameters, not by their audience); with
    ``independent`` seeding each run on :func:`run_seed` of its index."""
    return [
        RunInfo(index, point, replicate, run_seed(experiment.seed, stream))
        for point in range(len(points))
        for replicate in range(experiment.seeds)
        for index in [point * experiment.seeds + replicate]
        for stream in [replicate if seeding == "common" else index]
    ]


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable; sent to processes and Dask workers)."""

    index: int
    point: int
    replicate: int
    seed: int
    scenario: Scenario
    strategies: tuple[Strategy, ...]
    values: dict[str, float]
    outcomes: tuple[str, ...]
    daily: tuple[str, ...] = ()
    daily_every: int = 7
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def settings(self) -> dict[str, float]:
        """The parameters set for every strategy: ``[fixed]``, then the point's values."""
        return {**self.fixed, **self.values}

    def scenario_of(self, strategy: Strategy) -> Scenario:
        """The scenario ``strategy`` runs at this point (it replaces the first brand's, and the
        settings apply to it as to the base)."""
        return apply_values(with_strategy(self.scenario, strategy), self.settings)


@dataclass
class RunResult:
    """A finished run: one row per strategy of final outcomes, and optionally daily series."""

    index: int
    final: pd.DataFrame
    daily: pd.DataFrame | None
    seconds: float


def extract_outcomes(frame: pd.DataFrame, outcomes: tuple[str, ...]) -> dict[str, float]:
    """The outcomes of one run of one strategy (one brand's daily metrics): ``NAME`` on the last
    day, ``NAME@DAY`` on that day, a daily flow (``sim.metrics.FLOWS``) as its total from day 0
    to that day (as ``revenue`` is), ``break_even_day`` the first day incremental profit is above
    0 (NaN if never)."""
    by_day = frame.set_index("day")
    last = int(by_day.index.max())
    values: dict[str, float] = {}
    for outcome in outcomes:
        name, _, day = outcome.partition("@")
        if name == "break_even_day":
            positive = by_day.index[by_day["incremental_profit"].to_numpy() > 0]
            values[outcome] = float(positive.min()) if len(positive) else math.nan
            continue
        column = FINAL_OUTCOMES.get(name, name)
        through = int(day) if day else last
        if column in FLOWS:
            values[outcome] = float(by_day.loc[:through, column].sum())
        else:
            values[outcome] = float(by_day.at[through, column])
    return values


def execute_run(task: RunTask) -> RunResult:
    """One run: build the population and baseline once, simulate every strategy on them."""
    start = time.perf_counter()
    world = apply_values(task.scenario, task.settings)
    days = world.days
    population = build_population(world, None, seed=task.seed)
    variants = [task.scenario_of(strategy) for strategy in task.strategies]
    baselines = paired_baselines(world, variants, task.seed, days, population)
    head = {"run": task.index, "point": task.point, "replicate": task.replicate, "seed": task.seed}
    rows, series = [], []
    for strategy, variant, baseline in zip(task.strategies, variants, baselines, strict=True):
        frame = simulate(variant, task.seed, days=days, population=population, baseline=baseline)
        ours = frame[frame["brand"] == variant.brands[0].name]
        rows.append(
            {
                **head,
                "strategy": strategy.name,
                **task.values,
                **extract_outcomes(ours, task.outcomes),
            }
        )
        if task.daily:
            keep = (ours["day"] % task.daily_every == 0) | (ours["day"] == days - 1)
            part = ours.loc[keep, ["day", *task.daily]].reset_index(drop=True)
            part.insert(0, "strategy", strategy.name)
            part.insert(0, "run", task.index)
            series.append(part)
    final = pd.DataFrame(rows)
    daily = pd.concat(series, ignore_index=True) if series else None
    return RunResult(task.index, final, daily, time.perf_counter() - start)


@dataclass
class SweepReport:
    """What a sweep did: runs in total, finished before, finished now, failed (index -> error)."""

    out: Path
    total: int
    finished_before: int
    finished_now: int
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        """True when every run of the experiment is finished."""
        return self.finished_before + self.finished_now == self.total


class Sweep:
    """An experiment bound to a store: its design, runs and which are still to do.

    Opening checks the design's size and every remaining point's scenario, then creates the
    store directory (``resume=False`` refuses a directory holding a sweep; ``resume=True``
    reopens one of the same experiment and skips its finished runs); its manifest records the
    ``inputs``, the files read to make the experiment (by default those it was loaded from,
    ``Experiment.inputs``; ``sim.output.input_files``). The directory is then locked against
    other sweeps until :meth:`execute` returns (or :meth:`close`).
    """

    def __init__(
        self,
        experiment: Experiment,
        out: Path | str,
        *,
        resume: bool = False,
        command: list[str] | None = None,
        inputs: Iterable[Path] | None = None,
    ) -> None:
        from experiments.design import check_design_size, design_points  # not for workers

        if not isinstance(experiment, Experiment):
            raise TypeError(
                f"Sweep takes an Experiment, not {type(experiment).__name__}: load it first, with "
                "experiments.spec.load_experiment (a shipped name or a file)"
            )
        self.experiment = experiment
        self.store = Store(out)
        if not (resume and self.store.finished()):  # an older sweep keeps the size it started
            check_design_size(experiment)
        self.points = design_points(experiment)
        self.seeding = self.store.seeding(experiment, resume=resume)
        self.runs = plan_runs(experiment, self.points, self.seeding)
        self._base = apply_values(experiment.scenario, experiment.fixed)
        self._names = list(self.points.columns[: len(experiment.parameters)])
        self.remaining = self._unfinished(self.store.finished())
        self.check_points()  # before the store is written
        self.finished = self.store.open(
            experiment,
            self.runs,
            self.points,
            resume=resume,
            command=command,
            seeding=self.seeding,
            inputs=experiment.inputs if inputs is None else inputs,
        )
        self.remaining = self._unfinished(self.finished)
        self.damaged = self.store.damaged
        """Finished runs whose files were found damaged on opening and moved to ``damaged/``:
        they are among the remaining runs."""

    def close(self) -> None:
        """Release the sweep's directory for another sweep without running (``execute``
        releases it when it returns; so does dropping the object)."""
        self.store.unlock()

    def _unfinished(self, finished: set[int]) -> list[RunInfo]:
        """The runs not in ``finished``, in index order."""
        return [run for run in self.runs if run.index not in finished]

    @property
    def total(self) -> int:
        """Runs in the experiment."""
        return len(self.runs)

    def _check_memory(self, processes: int) -> None:
        """Refuse (before any run) a sweep whose largest remaining audience would not fit once
        per local process running at once (``sim.audience.memory``)."""
        worlds = [self._base]
        if any(name.startswith("audience.") for name in self._names):
            worlds = [apply_values(self._base, self.task(run).values) for run in self._first_runs()]
        check_memory(max(worlds, key=scenario_bytes), copies=processes)

    def _first_runs(self) -> list[RunInfo]:
        """The first remaining run of each point that has runs left (one per point is enough
        for checks that depend on the point's parameters only)."""
        first: dict[int, RunInfo] = {}
        for run in self.remaining:
            first.setdefault(run.point, run)
        return list(first.values())

    def check_points(self) -> None:
        """Refuse (before any run) a sweep with a remaining point whose scenario is invalid for
        a strategy (e.g. content shares that are all 0), naming the point and its values: such
        a run would fail every time, --resume or not."""
        for run in self._first_runs():
            task = self.task(run)
            for strategy in task.strategies:
                try:
                    task.scenario_of(strategy)
                except ValueError as error:  # pydantic's ValidationError is a ValueError
                    values = ", ".join(f"{k} = {v:g}" for k, v in task.values.items())
                    raise self.experiment.error(
                        ("parameters",),
                        f"design point {run.point} ({values}) is not a valid scenario for "
                        f"{strategy.name}: {validation_problems(error)}",
                    ) from None

    def task(self, run: RunInfo) -> RunTask:
        """The task of one run."""
        row = self.points.iloc[run.point]
        values = {
            name: (int(row[name]) if isinstance(row[name], np.integer) else float(row[name]))
            for name in self._names
        }
        return RunTask(
            index=run.index,
            point=run.point,
            replicate=run.replicate,
            seed=run.seed,
            scenario=self._base,
            strategies=tuple(self.experiment.strategies),
            values=values,
            outcomes=tuple(self.experiment.outcomes),
            daily=tuple(self.experiment.daily),
            daily_every=self.experiment.daily_every,
            fixed=dict(self.experiment.fixed),
        )

    def execute(
        self,
        executor: Executor,
        progress: Callable[[int], None] | None = None,
        failed: Callable[[int, str], None] | None = None,
    ) -> SweepReport:
        """Run the remaining runs on ``executor``, recording each as it finishes; write
        ``results.parquet`` when the sweep is complete. ``progress(1)`` is called as each run
        ends, and ``failed(index, error)`` as one fails. With nothing remaining the executor is
        not started (a Dask cluster for no runs). The store's directory stays locked against
        other sweeps until it returns."""
        if isinstance(executor, type):
            raise TypeError(f"execute takes an executor, not its class: {executor.__name__}()")
        self.store.lock()  # held since opening, unless an earlier execute released it
        try:
            return self._execute(executor, progress, failed)
        finally:
            self.store.unlock()

    def _execute(
        self,
        executor: Executor,
        progress: Callable[[int], None] | None,
        failed: Callable[[int, str], None] | None,
    ) -> SweepReport:
        local = getattr(executor, "local_processes", 0)  # an executor of one's own may not say
        if self.remaining and local:
            self._check_memory(min(local, len(self.remaining)))
        start = time.perf_counter()
        report = SweepReport(self.store.root, self.total, len(self.finished), 0)
        tasks = (self.task(run) for run in self.remaining)
        outcomes = executor.run(execute_run, tasks) if self.remaining else iter(())
        try:
            for task, result, error in outcomes:
                if error is not None:
                    self.store.write_failure(task.index, error)
                    report.failed[task.index] = error
                    if failed:
                        failed(task.index, error)
                else:
                    self.store.write_run(result.index, result.final, result.daily)
                    report.finished_now += 1
                if progress:
                    progress(1)
                self.store.write_manifest()
        finally:
            self.store.write_manifest(force=True)
        if report.complete:
            self.store.consolidate()
        report.seconds = time.perf_counter() - start
        return report
