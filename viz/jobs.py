"""Background runs: a session's run cache, and jobs with progress and cancel.

Simulations run in daemon threads (Solara gives each thread its session's context, so a job may
set the session's reactive state as results arrive). At most ``MAX_PARALLEL_RUNS`` single runs
execute at once in the whole server, whatever the number of sessions, so one user's long run
cannot starve the others of the machine.

A :class:`RunCache` belongs to one session: it keeps each seed's population and no-social
baseline (built once and shared by every strategy on that seed, exactly as
``sim.runner.compare`` shares them) and each (scenario, strategy, seed, days) run, so identical
runs are not repeated.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

from sim.audience import Population, build_population
from sim.runner import baseline_revenue, simulate, with_strategy
from sim.schema import Scenario, Strategy

__all__ = ["Cancelled", "Job", "RunCache", "run_strategy", "MAX_PARALLEL_RUNS"]

MAX_PARALLEL_RUNS = max(1, min(2, os.cpu_count() or 1))
_RUN_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL_RUNS)
_log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The job was cancelled (raised inside the job's thread at its next check)."""


class Job:
    """One background computation with a cancel flag.

    ``work(job)`` runs in a daemon thread; it should call ``job.check()`` between steps (which
    raises :class:`Cancelled` after :meth:`cancel`). ``on_error(message)`` receives any other
    exception's message; ``on_cancel()`` is called when the job stops because of a cancel.
    """

    def __init__(
        self,
        work: Callable[[Job], None],
        *,
        on_error: Callable[[str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        self._work = work
        self._on_error = on_error
        self._on_cancel = on_cancel
        self._cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="longgame-job")

    def start(self) -> Job:
        """Start the thread; returns the job."""
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled."""
        if self._cancel.is_set():
            raise Cancelled

    def _run(self) -> None:
        try:
            self._work(self)
        except Cancelled:
            if self._on_cancel:
                self._on_cancel()
        except Exception as error:  # shown in the page, not lost in a thread
            _log.exception("background job failed")
            if self._on_error:
                self._on_error(f"{type(error).__name__}: {error}")
            else:
                raise


def _key(model: Any) -> str:
    return model.model_dump_json()


class RunCache:
    """A session's populations, baselines and runs (thread-safe; populations are bounded)."""

    def __init__(self, max_populations: int = 6) -> None:
        self._lock = threading.Lock()
        self._populations: OrderedDict[tuple[str, int], Population] = OrderedDict()
        self._baselines: dict[tuple[str, int, int], pd.Series] = {}
        self._runs: dict[tuple[str, str, int, int], pd.DataFrame] = {}
        self._max_populations = max_populations

    def population(self, scenario: Scenario, seed: int) -> Population:
        """The population of ``scenario`` on ``seed`` (built once)."""
        key = (_key(scenario), seed)
        with self._lock:
            if key in self._populations:
                self._populations.move_to_end(key)
                return self._populations[key]
        population = build_population(scenario, seed=seed)
        with self._lock:
            self._populations[key] = population
            while len(self._populations) > self._max_populations:
                self._populations.popitem(last=False)
        return population

    def baseline(self, scenario: Scenario, seed: int, days: int) -> pd.Series:
        """The no-social baseline revenue of ``scenario`` on ``seed`` (computed once)."""
        key = (_key(scenario), seed, days)
        with self._lock:
            if key in self._baselines:
                return self._baselines[key]
        population = self.population(scenario, seed)
        with _RUN_SLOTS:
            result = baseline_revenue(scenario, seed, days, population)
        with self._lock:
            self._baselines[key] = result
        return result

    def has_run(self, scenario: Scenario, strategy: Strategy, seed: int, days: int) -> bool:
        """Whether this run is cached."""
        with self._lock:
            return (_key(scenario), _key(strategy), seed, days) in self._runs

    def run(self, scenario: Scenario, strategy: Strategy, seed: int, days: int) -> pd.DataFrame:
        """Daily metrics of ``strategy`` in place of brand 0's on ``scenario`` and ``seed``.

        The same frame ``sim.runner.compare`` makes for this strategy and seed (column
        ``strategy`` first), from the same population and baseline.
        """
        key = (_key(scenario), _key(strategy), seed, days)
        with self._lock:
            if key in self._runs:
                return self._runs[key]
        population = self.population(scenario, seed)
        baseline = self.baseline(scenario, seed, days)
        with _RUN_SLOTS:
            frame = simulate(
                with_strategy(scenario, strategy),
                seed,
                days=days,
                population=population,
                baseline=baseline,
            )
        frame.insert(0, "strategy", strategy.name)
        with self._lock:
            self._runs[key] = frame
        return frame


def run_strategy(
    cache: RunCache,
    scenario: Scenario,
    strategy: Strategy,
    seeds: int,
    *,
    job: Job | None = None,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """One strategy on seeds ``scenario.seed + 0..seeds-1``: the rows ``compare`` gives it.

    ``progress(done)`` is called after each seed; ``job.check()`` before each.
    """
    frames = []
    for offset in range(seeds):
        if job is not None:
            job.check()
        frames.append(cache.run(scenario, strategy, scenario.seed + offset, scenario.days))
        if progress:
            progress(offset + 1)
    return pd.concat(frames, ignore_index=True)
