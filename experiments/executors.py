"""Where a sweep's runs execute: in this process, on a local process pool, or on Dask.

Every executor has one method, ``run(fn, tasks)``: it calls ``fn(task)`` for each task and yields
``(task, result, error)`` as runs finish, in any order (``error`` is None, or the message of the
exception the run raised; ``result`` is then None). Work is submitted in a sliding window of about
two tasks per worker, so workers stay busy while the scheduler (and memory) hold only a few
pending tasks however large the sweep. Since a run's seed derives from the experiment and the
run's index, the results do not depend on the executor, the number of workers or the order.

- :class:`SerialExecutor`: one run after another, in this process (tests, debugging).
- :class:`PoolExecutor`: a local pool of spawned processes (the default, one per core). If a
  worker process dies, the pool is restarted and the runs it held are submitted again (a run
  that was in flight at two deaths goes again alone, and a run whose worker died twice while it
  ran alone is recorded as failed); if the main process dies (even by SIGKILL), its workers
  exit within a second or two.
- :class:`DaskExecutor`: Dask distributed, either an existing cluster (``scheduler`` address:
  from a laptop to a cluster) or a local cluster of ``workers`` processes. Dask reruns the tasks
  of a worker that dies elsewhere; tasks are idempotent (a run writes the same file twice). A
  scheduler that dies (or cancels the runs) stops the sweep with an :class:`ExecutorError`,
  not with runs recorded as failed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    CancelledError,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol, TypeVar

from sim.interrupts import ignore_interrupts, interrupts_held, start_pool_worker, stop_pool
from sim.text import did_you_mean, plural

__all__ = [
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "PoolExecutor",
    "SerialExecutor",
    "make_executor",
    "scheduler_problem",
]

T = TypeVar("T")
Outcome = tuple[Any, Any, str | None]
MAX_POOL_RESTARTS = 10
"""Deaths of a pool's workers in a row, with no run finishing in between, that stop a sweep."""
DEATHS_ALONE = 2
"""Deaths of its worker while it ran alone after which a run is recorded as failed."""


class ExecutorError(Exception):
    """An executor could not start (e.g. no Dask scheduler at the address given)."""


class Executor(Protocol):
    """Runs ``fn`` over tasks and yields ``(task, result, error)`` as runs finish."""

    description: str
    local_processes: int
    """Runs this machine holds at once (each with its own audience); 0 for a remote cluster."""

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]: ...


def _error_text(error: BaseException) -> str:
    last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" ({last[0].filename}:{last[0].lineno})" if last else ""
    return f"{type(error).__name__}: {error}{where}"


def _raise_interrupt(error: BaseException) -> None:
    """Raise the Ctrl-C or SIGTERM behind ``error``, if any: a compiled (Numba) kernel that one
    interrupts returns a SystemError caused by it, which is the user stopping, not a failed run."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            raise cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__


class SerialExecutor:
    """Runs tasks one after another in this process."""

    description = "serially in this process"
    local_processes = 1

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        for task in tasks:
            try:
                result = fn(task)
            except Exception as error:  # a failed run is recorded, the sweep goes on
                _raise_interrupt(error)
                yield task, None, _error_text(error)
            else:
                yield task, result, None


class PoolExecutor:
    """A local pool of ``workers`` spawned processes, restarted if a worker dies."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, int(workers))
        self.description = f"on a local pool of {self.workers} processes"
        self.local_processes = self.workers

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        source = iter(tasks)
        retry: deque[Any] = deque()  # to submit first: a dead pool's runs, or the next new one
        alone: deque[Any] = deque()  # runs in flight at two deaths: each goes again by itself
        # id(task) -> deaths of the pool while it was in flight / while it ran alone; an entry
        # goes when its task ends, before the task can be freed and its id given to another
        suspected: dict[int, int] = {}
        killed: dict[int, int] = {}
        window = 2 * self.workers
        in_a_row = 0  # deaths of the pool with no run finished or failed in between
        context = multiprocessing.get_context("spawn")
        while True:
            pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=start_pool_worker,
                initargs=(os.getpid(),),
            )
            inflight: dict[Future, Any] = {}
            solo: Any = None  # the run now running alone, if one is
            try:
                while True:
                    if solo is None and alone and not inflight:
                        _submit(pool, fn, alone, inflight)
                        (solo,) = inflight.values()
                    while solo is None and not alone and len(inflight) < window:
                        if not retry:
                            task = next(source, None)
                            if task is None:
                                break
                            retry.append(task)  # queued until the pool takes it
                        _submit(pool, fn, retry, inflight)
                    if not inflight:
                        return
                    done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for future in done:
                        task = inflight[future]
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            raise  # the task stays in flight: among the dead pool's runs
                        except Exception as error:
                            outcome = (task, None, _error_text(error))
                        else:
                            outcome = (task, result, None)
                        del inflight[future]
                        suspected.pop(id(task), None)
                        killed.pop(id(task), None)
                        solo = None if task is solo else solo
                        in_a_row = 0
                        yield outcome
            except BrokenProcessPool as broken:
                in_a_row += 1
                if in_a_row > MAX_POOL_RESTARTS:
                    raise ExecutorError(
                        f"the pool's worker processes died {in_a_row} times in a row, no run "
                        "finishing in between (killed by the system for lack of memory, or "
                        "unable to start)"
                    ) from broken
                if solo is not None:  # it alone was running: it took its worker down
                    killed[id(solo)] = killed.get(id(solo), 0) + 1
                    if killed[id(solo)] < DEATHS_ALONE:
                        alone.appendleft(solo)
                    else:
                        in_a_row = 0
                        suspected.pop(id(solo), None)
                        killed.pop(id(solo), None)
                        yield (
                            solo,
                            None,
                            (
                                f"WorkerDied: the worker process running it alone died "
                                f"{plural(DEATHS_ALONE, 'time')} (killed by the system, e.g. for "
                                "lack of memory, or crashed)"
                            ),
                        )
                for task in inflight.values():
                    if task is solo:
                        continue
                    suspected[id(task)] = suspected.get(id(task), 0) + 1
                    (alone if suspected[id(task)] >= 2 else retry).append(task)
            finally:
                stop_pool(pool)


def _submit(
    pool: ProcessPoolExecutor,
    fn: Callable[[Any], Any],
    queue: deque[Any],
    inflight: dict[Future, Any],
) -> None:
    """Submit the first task of ``queue`` and move it in flight. A pool that broke since the
    last wait refuses the submit (BrokenProcessPool): the task then stays first in its queue,
    neither lost nor counted as in flight when the pool died."""
    with interrupts_held():  # a submit may start a worker process
        future = pool.submit(fn, queue[0])
    inflight[future] = queue.popleft()


class DaskExecutor:
    """Dask distributed: an existing cluster at ``scheduler``, or a local cluster of ``workers``
    processes (one thread each, no dashboard, on 127.0.0.1, its HTTP server on a free port since
    8787 may be another cluster's); as in a pool, the local workers ignore Ctrl-C and log only
    critical errors, so an interrupted sweep stops them without tracebacks."""

    CONNECT_SECONDS = 30.0
    """How long connecting to a scheduler may take: Dask's own timeout covers reaching the
    address, not a server there that is not a scheduler (a dashboard's HTTP port never answers
    the handshake, other servers' replies can crash it)."""

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int = 2,
        note: Callable[[str], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.connected: Any = None
        self.note = note or _note
        """Says what the user should know while the sweep runs (default: a line on stderr)."""
        self.workers = max(1, int(workers))
        self.local_processes = 0 if scheduler else self.workers
        self.description = (
            f"on the Dask cluster at {scheduler}"
            if scheduler
            else f"on a local Dask cluster of {self.workers} workers"
        )

    def connect(self) -> None:
        """Connect to the scheduler (before a sweep writes anything), or say why not within
        :attr:`CONNECT_SECONDS`; the connection is kept for :meth:`run`."""
        if self.scheduler is None or self.connected is not None:
            return
        from distributed import Client

        outcome: dict[str, Any] = {}

        def attempt() -> None:
            try:
                outcome["client"] = Client(self.scheduler, timeout="20s")
            except BaseException as error:  # whatever it is, connect() reports it
                outcome["error"] = error

        thread = threading.Thread(target=attempt, name="dask-connect", daemon=True)
        thread.start()
        thread.join(self.CONNECT_SECONDS)
        if "client" in outcome:
            self.connected = outcome["client"]
            return
        cause = (
            f"{type(outcome['error']).__name__}: {outcome['error']}"
            if "error" in outcome
            else f"no answer to Dask's handshake in {self.CONNECT_SECONDS:g} s"
        )
        raise ExecutorError(
            f"cannot reach a Dask scheduler at {self.scheduler} ({cause[:200]}); is a scheduler "
            "listening there (port 8786 by default; 8787 is its dashboard)?"
        )

    def _client(self) -> tuple[Any, Any]:
        from distributed import Client, LocalCluster

        if self.scheduler:
            self.connect()
            client, self.connected = self.connected, None
            return client, None
        cluster = LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.CRITICAL,
        )
        client = Client(cluster)
        client.run(ignore_interrupts)
        return client, cluster

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Outcome]:
        from distributed import as_completed

        client, cluster = self._client()
        address = self.scheduler or getattr(cluster, "scheduler_address", "?")
        stop = threading.Event()
        threading.Thread(
            target=watch_workers,
            args=(client, address, stop, self.note),
            name="dask-workers",
            daemon=True,
        ).start()
        token = uuid.uuid4().hex[:8]
        source = iter(tasks)
        by_key: dict[str, Any] = {}
        completed = as_completed()

        def window() -> int:
            return max(4, 2 * sum(client.nthreads().values()))

        def submit(task: Any) -> None:
            future = client.submit(fn, task, key=f"longgame-{token}-{task.index}", pure=False)
            by_key[future.key] = task
            completed.add(future)

        try:
            for task in islice(source, window()):
                submit(task)
            for future in completed:
                task = by_key.pop(future.key)
                try:
                    result = future.result()
                except CancelledError as error:  # the cluster's doing, not the run's
                    raise _lost(address, error) from None
                except Exception as error:
                    yield task, None, _error_text(error)
                else:
                    yield task, result, None
                finally:
                    future.release()
                for task in islice(source, max(0, window() - len(by_key))):
                    submit(task)
        except (OSError, TimeoutError) as error:  # the scheduler is gone (Dask's own timeout)
            raise _lost(address, error) from None
        finally:
            stop.set()
            client.close()
            if cluster is not None:
                cluster.close()


def _note(text: str) -> None:
    print(f"note: {text}", file=sys.stderr, flush=True)


WORKERLESS_SECONDS = 60.0
"""How long a Dask cluster may have no worker before the sweep says that it waits for one."""


def watch_workers(
    client: Any,
    address: str,
    stop: threading.Event,
    note: Callable[[str], None],
    every: float = 5.0,
    patience: float = WORKERLESS_SECONDS,
) -> None:
    """Until ``stop`` is set, check every ``every`` seconds that the cluster has workers, and
    ``note`` when it has had none for ``patience`` seconds (Dask then holds the runs until a
    worker joins, however long: a sweep left overnight would wait without a word), and when
    workers are back."""
    since: float | None = None
    said = False
    while not stop.wait(every):
        try:
            workers = len(client.nthreads())
        except Exception:  # the scheduler is gone: the sweep itself says so
            return
        now = time.monotonic()
        if workers:
            if said:
                note(f"the Dask cluster at {address} has {plural(workers, 'worker')} again")
            since, said = None, False
        elif since is None:
            since = now
        elif not said and now - since >= patience:
            note(
                f"the Dask cluster at {address} has had no workers for {now - since:.0f} s; the "
                f"sweep waits for one (start workers: dask worker {address} --nthreads 1), or "
                "stop it with Ctrl-C: its finished runs are kept for --resume"
            )
            said = True


def _lost(address: str, error: BaseException) -> ExecutorError:
    """The error for a Dask cluster that stopped serving the sweep: the scheduler died or cannot
    be reached (Dask cancels every pending run, reason ``scheduler-connection-lost``), or the
    cluster cancelled runs (e.g. ``scheduler-restart``). The runs are not failures: --resume
    runs them."""
    reason = getattr(error, "reason", None)
    cause = f"runs cancelled: {reason}" if reason else f"{type(error).__name__}: {error}"
    return ExecutorError(
        f"lost the Dask scheduler at {address} mid-sweep ({cause[:200]}); the runs it had not "
        "finished are not recorded as failed"
    )


def scheduler_problem(address: str) -> str | None:
    """What is wrong with a Dask scheduler address, before connecting to it (None if it is well
    formed: a protocol Dask knows, then HOST:PORT; whether a scheduler answers there is known
    only on connecting)."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(address)
    if scheme not in registry.backends:
        known = sorted(registry.backends)
        hint = did_you_mean(scheme, known)
        return f"unknown protocol {scheme!r}{hint}; known: {', '.join(known)}"
    if scheme == "inproc":
        return None
    try:
        host, port = parse_host_port(location)
    except ValueError:
        return f"expected {scheme}://HOST:PORT, the port a number"
    if not host:
        return "the host is missing"
    return None if 0 < port < 65536 else f"the port must be from 1 to 65535, not {port}"


def make_executor(
    workers: int | None = None, *, dask: bool = False, scheduler: str | None = None
) -> Executor:
    """The executor the ``sweep`` command's options name: ``scheduler`` → that Dask cluster;
    ``dask`` → a local Dask cluster of ``workers``; else a process pool of ``workers`` (1: serial).
    ``workers`` defaults to the number of cores."""
    count = workers or multiprocessing.cpu_count()
    if scheduler:
        return DaskExecutor(scheduler=scheduler)
    if dask:
        return DaskExecutor(workers=count)
    if count <= 1:
        return SerialExecutor()
    return PoolExecutor(count)
