"""The process pool survives a worker process dying: its runs are submitted again.

Kept in a module that imports nothing heavy, since the pool's spawned workers import it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest


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


def _busy(marker: str) -> None:
    """Writes its worker's process id to ``marker``, then works for a minute."""
    Path(marker + ".tmp").write_text(str(os.getpid()))
    os.replace(marker + ".tmp", marker)
    time.sleep(60)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie waiting for a reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


POOLS = {
    "sweep": "list(PoolExecutor(1).run(_busy, [sys.argv[1]]))",
    "compare": "in_processes(_busy, [(sys.argv[1],), (sys.argv[1] + '.2',)], 2, None, 1)",
}
"""Starting a busy pool: the sweep's executor, and the pool of compare, run and validate."""


@pytest.mark.parametrize("pool", POOLS)
def test_pool_workers_exit_when_the_main_process_is_killed(tmp_path, pool):
    """SIGKILL of a command's process (as the OOM killer does) stops its busy workers too."""
    script = (
        "import os, signal, sys, threading, time\n"
        "from experiments.executors import PoolExecutor\n"
        "from sim.runner import in_processes\n"
        "from test_sweep_pool import _busy\n"
        f"work = lambda: {POOLS[pool]}\n"
        "threading.Thread(target=work, daemon=True).start()\n"
        "while not os.path.exists(sys.argv[1]):\n"
        "    time.sleep(0.05)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    tests = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)])}
    marker = tmp_path / "worker.pid"
    subprocess.run([sys.executable, "-c", script, str(marker)], env=env, timeout=60, check=False)
    worker = int(marker.read_text())
    try:
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker)
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)
