"""The process pool survives a worker process dying: its runs are submitted again.

Kept in a module that imports nothing heavy, since the pool's spawned workers import it.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Task:
    index: int
    marker: str


def _die_once(task: _Task) -> int:
    """Kills its own worker process the first time it sees task 3."""
    if task.index == 3 and not Path(task.marker).exists():
        Path(task.marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return task.index * 10


def test_pool_restarts_when_a_worker_process_dies(tmp_path):
    from experiments.executors import PoolExecutor

    marker = tmp_path / "died"
    outcomes = list(PoolExecutor(2).run(_die_once, [_Task(i, str(marker)) for i in range(8)]))
    assert marker.exists()
    assert [error for _, _, error in outcomes] == [None] * 8
    assert sorted(result for _, result, _ in outcomes) == [i * 10 for i in range(8)]
