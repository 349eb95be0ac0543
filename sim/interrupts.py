"""Stopping cleanly on Ctrl-C, SIGTERM and SIGHUP: the main process decides, worker processes
just stop.

A command treats SIGTERM and SIGHUP (its terminal closed) like Ctrl-C (``KeyboardInterrupt``),
so its ``finally`` blocks remove temporary files and record finished work either way. Worker
processes of a pool ignore SIGINT (a terminal sends it to the whole process group), from the
moment they start (:func:`interrupts_held`); the main process terminates them with
:func:`stop_pool`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from types import FrameType

__all__ = [
    "Terminated",
    "ignore_interrupts",
    "interrupts_held",
    "sigterm_interrupts",
    "start_pool_worker",
    "stop_pool",
]


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived (a ``KeyboardInterrupt``, so code that handles Ctrl-C handles
    it too); ``signal`` says which."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__(signum)
        self.signal = signal.Signals(signum)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


TERMINATING = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a command as Ctrl-C does: ``kill``'s default, and a closed terminal."""


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block SIGTERM and SIGHUP raise :class:`Terminated` (in the main thread;
    elsewhere no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_terminated) for signum in TERMINATING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C within the block; this process receives it when the block ends.

    Processes started within the block inherit the held signal, so a Ctrl-C while a worker is
    still starting up (before its initializer ignores SIGINT) prints no traceback from it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_interrupts() -> None:
    """Pool initializer: the worker ignores SIGINT and leaves stopping to the main process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


ORPHAN_POLL_SECONDS = 1.0
"""How often a pool worker checks that the process that started it is still alive."""


def _watch_parent(parent: int) -> None:
    """Exit this process once ``parent`` is gone (its parent process id changes)."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_POLL_SECONDS)
    os._exit(1)


def start_pool_worker(parent: int) -> None:
    """Pool initializer: ignore Ctrl-C (the main process stops the pool), and exit when the
    main process ``parent`` dies, even by SIGKILL (which runs no clean-up), instead of idling
    as an orphan forever."""
    ignore_interrupts()
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the pool's queued work and terminate its running workers at once."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        if worker.is_alive():
            worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
