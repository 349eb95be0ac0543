"""Kill and resume: ``longgame sweep`` killed with SIGKILL at some moment, then ``--resume``,
ends with exactly the table of an uninterrupted sweep (no run lost, none duplicated).

Three trials in ``make test``; ``make stress`` runs twenty (``LONGGAME_KILL_TRIALS=20``). Each
trial kills the whole process group of the sweep (the command and its pool workers) after a
different number of finished runs plus a random delay, so kills land during runs, during the
writing of a run's files and between runs.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.executors import SerialExecutor
from experiments.spec import load_experiment
from experiments.store import load_daily, load_results
from experiments.sweep import Sweep

ROOT = Path(__file__).resolve().parents[1]
LONGGAME = Path(sys.executable).parent / "longgame"
TRIALS = int(os.environ.get("LONGGAME_KILL_TRIALS", "3"))
SMOKE = ROOT / "experiments" / "smoke.toml"


@pytest.fixture(scope="module")
def reference_dir(tmp_path_factory) -> Path:
    """The smoke sweep, uninterrupted, run serially in this process."""
    out = tmp_path_factory.mktemp("uninterrupted")
    report = Sweep(load_experiment(SMOKE), out).execute(SerialExecutor())
    assert report.complete
    return out


@pytest.fixture(scope="module")
def reference(reference_dir) -> pd.DataFrame:
    """The uninterrupted smoke sweep's results table."""
    return load_results(reference_dir)


def _finished(out: Path) -> int:
    runs = out / "runs"
    return len(list(runs.glob("run-*.parquet"))) if runs.is_dir() else 0


def _sweep(out: Path, *extra: str) -> list[str]:
    return [str(LONGGAME), "sweep", str(SMOKE), "--out", str(out), *extra]


@pytest.mark.parametrize("trial", range(TRIALS))
def test_sigkill_then_resume_gives_the_uninterrupted_table(
    trial, reference, reference_dir, tmp_path
):
    rng = random.Random(trial)
    out = tmp_path / "sweep"
    workers = "1" if trial % 2 == 0 else "2"
    total = len(reference["run"].unique())
    target = rng.randrange(0, total - 3)  # finished runs before the kill
    process = subprocess.Popen(
        _sweep(out, "--workers", workers),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the pool workers too
    )
    try:
        deadline = time.monotonic() + 300
        while _finished(out) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.6))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    killed_at = _finished(out)
    # Killed before its manifest was written, the sweep left nothing to resume: start it again.
    resume = ["--resume"] if (out / "manifest.json").is_file() else []
    resumed = subprocess.run(
        _sweep(out, "--workers", workers, *resume),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total}/{total} runs finished" in resumed.stdout
    table = load_results(out)
    pd.testing.assert_frame_equal(table, reference)
    assert not table.duplicated(["run", "strategy"]).any()
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), reference)
    pd.testing.assert_frame_equal(load_daily(out), load_daily(reference_dir))  # none lost
    manifest = json.loads((out / "manifest.json").read_text())
    assert {run["status"] for run in manifest["runs"]} == {"done"}
    assert not [p for p in out.rglob("*.tmp")], "temporary files left behind"
    assert killed_at <= total


def test_sigterm_says_what_is_stored_then_resume_completes(reference, tmp_path):
    out = tmp_path / "sweep"
    total = len(reference["run"].unique())
    process = subprocess.Popen(
        _sweep(out, "--workers", "2"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while _finished(out) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert process.poll() is None, "the sweep finished before the signal"
    process.send_signal(signal.SIGTERM)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    stored = _finished(out)
    assert f"{stored} of {total} runs are stored in {out}" in stderr
    assert "--resume" in stderr
    resumed = subprocess.run(
        _sweep(out, "--workers", "2", "--resume"), cwd=ROOT, capture_output=True, text=True
    )
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(load_results(out), reference)
