"""What a sweep does when its surroundings go wrong: two sweeps in one directory, damaged files,
a lost Dask scheduler, a full disk, a very large design, other code on --resume.

In-process and small (the TINY experiment of test_sweep.py: 4 runs of 15 days on 300 people).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
from test_sweep import _experiment

from experiments.executors import SerialExecutor
from experiments.store import LOCK, load_results
from experiments.sweep import Sweep
from sim.errors import ScenarioError

HOLD_LOCK = """
import fcntl, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(descriptor, fcntl.LOCK_EX)
os.write(descriptor, b"process 4242 on node7, since 2026-11-25T01:00:00Z")
print("held", flush=True)
sys.stdin.read()  # until the test closes stdin
"""


@contextlib.contextmanager
def _held_elsewhere(directory):
    """The directory's lock held by another process, as a running ``longgame sweep`` holds it."""
    directory.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(directory / LOCK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_a_second_sweep_in_a_directory_in_use_is_refused_naming_the_first(tmp_path):
    first = Sweep(_experiment(), tmp_path / "own")
    first.execute(SerialExecutor())
    with _held_elsewhere(tmp_path / "own"):
        for resume in (False, True):
            with pytest.raises(ScenarioError, match="in use by another sweep") as refused:
                Sweep(_experiment(), tmp_path / "own", resume=resume)
            message = str(refused.value)
            assert "process 4242 on node7, since 2026-11-25T01:00:00Z" in message
            assert "--resume" in message and "--out" in message
    with _held_elsewhere(tmp_path / "new"):  # a sweep that has just started, nothing written yet
        with pytest.raises(ScenarioError, match="in use by another sweep"):
            Sweep(_experiment(), tmp_path / "new")
        assert [path.name for path in (tmp_path / "new").iterdir()] == [LOCK]
    assert not Sweep(_experiment(), tmp_path / "own", resume=True).remaining  # it has ended


def test_the_lock_file_of_an_ended_sweep_blocks_nothing(tmp_path):
    (tmp_path / LOCK).write_text("process 1 on elsewhere, since yesterday\n")  # SIGKILLed
    report = Sweep(_experiment(), tmp_path).execute(SerialExecutor())
    assert report.complete
    assert len(load_results(tmp_path)) == 4 * 2


def test_a_refused_sweep_writes_nothing_into_a_directory_of_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="holds files but no sweep"):
        Sweep(_experiment(), tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_a_sweep_object_holding_the_directory_is_named_as_such_and_close_releases_it(tmp_path):
    held = Sweep(_experiment(), tmp_path)
    with pytest.raises(ScenarioError, match=r"another Sweep of this process .*close\(\)"):
        Sweep(_experiment(), tmp_path)
    held.close()
    assert len(Sweep(_experiment(), tmp_path).remaining) == 4
