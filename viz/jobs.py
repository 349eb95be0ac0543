"""Background runs: a session's run cache, and jobs with progress and cancel.

Simulations run in daemon threads (Solara gives each thread its session's context, so a job may
set the session's reactive state as results arrive). At most ``MAX_PARALLEL_RUNS`` single runs
execute at once in the whole server, whatever the number of sessions, so one user's long run
cannot starve the others of the machine; at most ``MAX_QUEUED_JOBS`` more jobs wait for a slot
(a job beyond that fails at once with :class:`ServerBusy`). A job stops with
:class:`TimeLimitExceeded` once it has held run slots for ``viz.limits.RUN_SECONDS`` in all (time
queued, and the page drawing its results, not counted); runs check for that, and for a cancel,
between simulated days.

A :class:`RunCache` belongs to one session: it keeps each seed's population and no-social
baseline (built once and shared by every strategy on that seed, exactly as
``sim.runner.compare`` shares them) and each (scenario, strategy, seed, days) run, so identical
runs are not repeated.
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from sim.audience import Population, build_population
from sim.model import EngagementModel
from sim.runner import baseline_revenue, paired_baseline, simulate, with_strategy
from sim.schema import Scenario, Strategy
from viz.limits import RUN_SECONDS

__all__ = [
    "Cancelled",
    "Job",
    "RunCache",
    "RunQueue",
    "ServerBusy",
    "TimeLimitExceeded",
    "run_strategy",
    "step_until",
    "ENGINE",
    "MAX_PARALLEL_RUNS",
    "MAX_QUEUED_JOBS",
    "RUN_QUEUE",
]

ENGINE = "vector"
"""The engine of the pages' comparisons (the Audience page steps the agent engine itself)."""
MAX_PARALLEL_RUNS = max(1, min(2, os.cpu_count() or 1))
MAX_QUEUED_JOBS = 16
_log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The job was cancelled (raised inside the job's thread at its next check)."""


class TimeLimitExceeded(Exception):
    """The job worked longer than its time limit (shown in the page as its error)."""


class ServerBusy(Exception):
    """Too many jobs are already waiting for a run slot (shown in the page as its error)."""


class Job:
    """One background computation with a cancel flag.

    ``work(job)`` runs in a daemon thread; it should call ``job.check()`` between steps (which
    raises :class:`Cancelled` after :meth:`cancel`, :class:`TimeLimitExceeded` once the job has
    held run slots for ``time_limit`` seconds). ``on_error(message)`` receives any other
    exception's message (a time limit or a busy server included); ``on_cancel()`` is called
    when the job stops because of a cancel; ``on_wait(True)`` when it starts waiting for a run
    slot and ``on_wait(False)`` when it gets one.
    """

    def __init__(
        self,
        work: Callable[[Job], None],
        *,
        on_error: Callable[[str], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
        on_wait: Callable[[bool], None] | None = None,
        time_limit: float | None = RUN_SECONDS,
    ) -> None:
        self._work = work
        self._on_error = on_error
        self._on_cancel = on_cancel
        self._on_wait = on_wait
        self._cancel = threading.Event()
        self.time_limit = time_limit
        self.waiting = False
        self._worked = 0.0  # seconds in run slots, finished holds
        self._working_since: float | None = None
        self.thread = threading.Thread(target=self._run, daemon=True, name="longgame-job")

    def start(self) -> Job:
        """Start the thread; returns the job."""
        self.thread.start()
        return self

    def worked(self) -> float:
        """Seconds the job has held run slots."""
        since = self._working_since
        return self._worked + (0.0 if since is None else time.monotonic() - since)

    def set_waiting(self, waiting: bool) -> None:
        """Mark the start or end of a wait for a run slot (called by :class:`RunQueue`)."""
        self.waiting = waiting
        if self._on_wait:
            self._on_wait(waiting)

    def set_working(self, working: bool) -> None:
        """Mark getting or releasing a run slot (called by :class:`RunQueue`)."""
        if working:
            self._working_since = time.monotonic()
        elif self._working_since is not None:
            self._worked += time.monotonic() - self._working_since
            self._working_since = None

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled, :class:`TimeLimitExceeded` if it
        has worked longer than its time limit."""
        if self._cancel.is_set():
            raise Cancelled
        if self.time_limit is not None and self.worked() > self.time_limit:
            raise TimeLimitExceeded(
                f"the run was stopped after {self.time_limit:g} s, the web app's time limit; "
                "choose fewer people, days or seeds, or use the CLI"
            )

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
        finally:
            RUN_QUEUE.leave(self)


class RunQueue:
    """Run slots shared by the whole server: ``slots`` runs at once, ``waiting`` more jobs queued.

    A job joins the queue the first time it asks for a slot and leaves it when it ends; a free
    slot goes to the waiting job that joined first, so a job that runs seed after seed is
    served before jobs that came after it, and sessions in the order they pressed Run. A job
    that would make more than ``slots + waiting`` jobs raises :class:`ServerBusy` instead.
    """

    def __init__(self, slots: int, waiting: int) -> None:
        self.slots = slots
        self.max_jobs = slots + waiting
        self._free = slots
        self._ready = threading.Condition()
        self._order: dict[Job, int] = {}  # job -> when it joined
        self._waiting: list[int] = []  # join numbers of the callers waiting for a slot
        self._joined = itertools.count()

    @property
    def jobs(self) -> int:
        """Jobs running or waiting."""
        with self._ready:
            return len(self._order)

    @contextmanager
    def slot(self, job: Job | None = None) -> Iterator[None]:
        """Hold one run slot; wait for it (checking ``job``, which may be cancelled) if all are
        busy or an earlier job is waiting."""
        with self._ready:
            turn = self._join(job)
            bisect.insort(self._waiting, turn)
            try:
                if self._free == 0 or self._waiting[0] != turn:
                    self._wait(turn, job)
            finally:
                self._waiting.remove(turn)
            self._free -= 1
        if job is not None:
            job.set_working(True)
        try:
            yield
        finally:
            if job is not None:
                job.set_working(False)
            with self._ready:
                self._free += 1
                self._ready.notify_all()

    def _wait(self, turn: int, job: Job | None) -> None:
        """Wait (holding the condition) until a slot is free and ``turn`` is first in line."""
        if job is not None:
            job.set_waiting(True)
        try:
            while self._free == 0 or self._waiting[0] != turn:
                self._ready.wait(0.1)
                if job is not None:
                    job.check()
        finally:
            if job is not None:
                job.set_waiting(False)
            self._ready.notify_all()  # the next in line may be able to go

    def leave(self, job: Job) -> None:
        """Forget a job that has ended."""
        with self._ready:
            self._order.pop(job, None)

    def _join(self, job: Job | None) -> int:
        """The caller's place in line: the job's join number (a new one for calls without a
        job, which are not counted against the bound)."""
        if job is None:
            return next(self._joined)
        if job not in self._order:
            if len(self._order) >= self.max_jobs:
                raise ServerBusy(
                    f"the server is busy ({len(self._order)} runs are running or queued, the "
                    f"most it takes); try again in a minute"
                )
            self._order[job] = next(self._joined)
        return self._order[job]


RUN_QUEUE = RunQueue(MAX_PARALLEL_RUNS, MAX_QUEUED_JOBS)
"""The server's run slots (every session's jobs share them)."""


def step_until(model: EngagementModel, day: int, job: Job | None = None) -> EngagementModel:
    """Step ``model`` until it reaches ``day``, checking ``job`` before each day."""
    return model.run(max(0, day - model.day), before_day=job.check if job else None)


def _key(model: Any) -> str:
    return model.model_dump_json()


def _keep(store: OrderedDict, key: Any, value: Any, limit: int) -> None:
    """Store ``value`` as the newest item, dropping the oldest beyond ``limit`` items."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > limit:
        store.popitem(last=False)


class RunCache:
    """A session's populations, baselines and runs (thread-safe; each kind bounded, least
    recently stored dropped first, so a session's memory stays bounded)."""

    def __init__(self, max_populations: int = 6, max_runs: int = 200) -> None:
        self._lock = threading.Lock()
        self._populations: OrderedDict[tuple[str, int], Population] = OrderedDict()
        self._baselines: OrderedDict[tuple[str, int, int], pd.Series] = OrderedDict()
        self._runs: OrderedDict[tuple[str, str, int, int], pd.DataFrame] = OrderedDict()
        self._max_populations = max_populations
        self._max_runs = max_runs

    def population(self, scenario: Scenario, seed: int, job: Job | None = None) -> Population:
        """The population of ``scenario`` on ``seed`` (built once). It depends only on the
        audience, the platforms and each brand's mean fit (``sim.audience.build_population``),
        so scenarios that differ elsewhere (the market's size, the brands' strategies and day-0
        followers, the horizon) share it."""
        platforms = [_key(platform) for platform in scenario.platforms]
        fits = [brand.fit_mean for brand in scenario.brands]
        key = (json.dumps([_key(scenario.audience), platforms, fits]), seed)
        with self._lock:
            if key in self._populations:
                self._populations.move_to_end(key)
                return self._populations[key]
        with RUN_QUEUE.slot(job):
            population = build_population(scenario, seed=seed)
        with self._lock:
            _keep(self._populations, key, population, self._max_populations)
        return population

    def baseline(
        self, scenario: Scenario, strategy: Strategy, seed: int, days: int, job: Job | None = None
    ) -> pd.Series:
        """The no-social baseline revenue on ``seed`` that pairs with ``strategy`` in place of
        brand 0's on ``scenario`` (``sim.runner.paired_baseline``; computed once)."""
        scenario = paired_baseline(scenario, with_strategy(scenario, strategy))
        key = (_key(scenario), seed, days)
        with self._lock:
            if key in self._baselines:
                return self._baselines[key]
        population = self.population(scenario, seed, job)
        with RUN_QUEUE.slot(job):
            result = baseline_revenue(scenario, seed, days, population, ENGINE)
        with self._lock:
            _keep(self._baselines, key, result, self._max_runs)
        return result

    def has_run(self, scenario: Scenario, strategy: Strategy, seed: int, days: int) -> bool:
        """Whether this run is cached."""
        with self._lock:
            return (_key(scenario), _key(strategy), seed, days) in self._runs

    def run(
        self, scenario: Scenario, strategy: Strategy, seed: int, days: int, job: Job | None = None
    ) -> pd.DataFrame:
        """Daily metrics of ``strategy`` in place of brand 0's on ``scenario`` and ``seed``.

        The same frame ``sim.runner.compare`` makes for this strategy and seed (column
        ``strategy`` first), from the same population and baseline. ``job`` is checked between
        days.
        """
        key = (_key(scenario), _key(strategy), seed, days)
        with self._lock:
            if key in self._runs:
                return self._runs[key]
        population = self.population(scenario, seed, job)
        baseline = self.baseline(scenario, strategy, seed, days, job)
        with RUN_QUEUE.slot(job):
            frame = simulate(
                with_strategy(scenario, strategy),
                seed,
                days=days,
                engine=ENGINE,
                population=population,
                baseline=baseline,
                before_day=job.check if job else None,
            )
        frame.insert(0, "strategy", strategy.name)
        with self._lock:
            _keep(self._runs, key, frame, self._max_runs)
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
        frames.append(cache.run(scenario, strategy, scenario.seed + offset, scenario.days, job))
        if progress:
            progress(offset + 1)
    return pd.concat(frames, ignore_index=True)
