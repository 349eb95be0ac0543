"""Per-session state: the session's custom strategies and run cache.

Module-level ``solara.reactive`` variables are scoped to a Solara kernel, one per browser
session, so two sessions never see each other's values. The run cache is kept per kernel id too
and dropped when the kernel shuts down.
"""

from __future__ import annotations

import threading

import solara
import solara.lab

from sim.schema import Strategy
from viz.jobs import RunCache

__all__ = ["announce", "announcement", "custom_strategies", "run_cache", "save_custom"]

custom_strategies: solara.Reactive[dict[str, Strategy]] = solara.reactive({})
"""Strategies saved on the Strategy builder page, by name (offered on Compare and the others)."""

announcement: solara.Reactive[str] = solara.reactive("")
"""What the page last said happened (a run finished, a strategy saved), which the layout's
status region reads out to screen readers (``viz.app.Layout``)."""


def announce(text: str) -> None:
    """Have screen readers read ``text`` out (politely, when they are done speaking); said twice
    in a row, it is read out again (the second time with a zero-width space, a change)."""
    announcement.set(text if announcement.value != text else text + "\u200b")


_caches: dict[str, RunCache] = {}
_lock = threading.Lock()


def run_cache() -> RunCache:
    """This session's run cache (created on first use)."""
    kernel = solara.get_kernel_id()
    with _lock:
        if kernel not in _caches:
            _caches[kernel] = RunCache()
        return _caches[kernel]


def save_custom(strategy: Strategy) -> None:
    """Save a custom strategy under its name for this session."""
    custom_strategies.set({**custom_strategies.value, strategy.name: strategy})


def _on_kernel_start() -> object:
    kernel = solara.get_kernel_id()

    def cleanup() -> None:
        with _lock:
            _caches.pop(kernel, None)

    return cleanup


solara.lab.on_kernel_start(_on_kernel_start)
