"""No lost output: results are replaced as a set, interrupts say what was kept, write errors are
clear, and an interrupted command leaves no temporary files and no worker processes behind."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_metrics

from sim.output import (
    METRICS_CSV,
    METRICS_PARQUET,
    SUMMARY_CSV,
    OutputError,
    Staging,
    write_results,
)

ROOT = Path(__file__).resolve().parents[1]
LONGGAME = Path(sys.executable).parent / "longgame"
SCENARIO = """\
name = "interrupted"
days = 120
audience = "small"
platforms = ["facebook"]

[[brands]]
name = "Acme"
strategy = "consistent_engagement"
"""


def _as_at_a_terminal() -> None:
    """A child's Ctrl-C as at a terminal: a shell without job control (``make test &`` in a
    script, some CI runners) starts commands with SIGINT ignored, and they inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def ctrl_c_raises():
    """SIGINT raises KeyboardInterrupt in this process, however the test run was started."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def _assert_consistent(directory: Path) -> None:
    """The manifest's checksums match the metrics files beside it; no temporary files."""
    manifest = json.loads((directory / "manifest.json").read_text())
    for name in (METRICS_PARQUET, METRICS_CSV, SUMMARY_CSV):
        digest = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        assert manifest["sha256"][name] == digest, name
    assert not list(directory.glob(".*.tmp")), "temporary files left behind"


def test_write_results_records_checksums(tmp_path):
    write_results(make_metrics(seeds=1, days=3), tmp_path, command=["longgame", "x"])
    _assert_consistent(tmp_path)


def test_commit_holds_an_interrupt_until_every_file_is_in_place(
    tmp_path, monkeypatch, ctrl_c_raises
):
    write_results(make_metrics(seeds=1, days=3), tmp_path, command="old")
    replace = os.replace
    renamed: list[str] = []

    def replace_then_interrupt(source, target):
        replace(source, target)
        renamed.append(Path(target).name)
        if len(renamed) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of the set

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_results(make_metrics(seeds=2, days=3), tmp_path, command="new")
    assert renamed == [METRICS_PARQUET, METRICS_CSV, SUMMARY_CSV, "manifest.json"]
    _assert_consistent(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["command"] == "new"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
        (OSError(errno.EROFS, "Read-only file system"), "the file system is read-only"),
    ],
)
def test_write_errors_name_the_file_and_the_cause_and_keep_the_old_result(
    tmp_path, monkeypatch, error, message
):
    write_results(make_metrics(seeds=1, days=3), tmp_path, command="old")
    before = _contents(tmp_path)

    def fail(self, path, *args, **kwargs):
        Path(path).write_bytes(b"partial")
        raise error

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OutputError, match=f"cannot write .*{METRICS_CSV}: {message}"):
        write_results(make_metrics(seeds=2, days=3), tmp_path, command="new")
    assert _contents(tmp_path) == before


def test_staging_without_commit_leaves_nothing(tmp_path):
    with Staging() as staging:
        staged = staging.stage(tmp_path / "a.txt", lambda tmp: tmp.write_text("a"))
        assert staged.exists()
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


@pytest.mark.parametrize(
    ("command", "sig", "delay", "code"),
    [
        ("run", signal.SIGTERM, 0.5, 143),
        ("run", signal.SIGHUP, 0.5, 129),  # the terminal closed
        ("compare", signal.SIGINT, 2.0, 130),
    ],
)
def test_interrupted_command_keeps_the_previous_result_and_says_so(
    tmp_path, command, sig, delay, code
):
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    write_results(make_metrics(seeds=1, days=3), out, command="previous")
    before = _contents(out)
    args = (
        ["run", str(scenario), "--seeds", "4"]
        if command == "run"
        else ["compare", "broadcasting", "consistent_engagement", "--audience", "small"]
        + ["--seeds", "4", "--days", "200", "--workers", "2"]
    )
    process = subprocess.Popen(
        [str(LONGGAME), *args, "--out", str(out)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_at_a_terminal,
    )
    started = process.stderr.readline()  # "Running ..." / "Comparing ...": the command has begun
    assert started.startswith(("Running", "Comparing")), started
    time.sleep(delay)
    assert process.poll() is None, "the command finished before the interrupt: make it longer"
    workers = _children(process.pid)
    assert workers or command == "run", "the comparison's pool has not started its workers"
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)  # as a terminal's Ctrl-C: the whole process group
    else:
        process.send_signal(sig)
    stderr = started + process.communicate(timeout=60)[1]
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert "keeps its previous results" in stderr
    assert _contents(out) == before
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if Path(f"/proc/{pid}/status").exists()]
    assert not left, f"worker processes left running: {left}"


def test_terminated_validation_stops_its_workers():
    """SIGTERM to ``longgame validate`` (as ``kill`` sends it) ends the command and its pool."""
    process = subprocess.Popen(
        [str(LONGGAME), "validate", "--quick", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    started = process.stderr.readline()
    assert started.startswith("Validating"), started
    deadline = time.monotonic() + 30
    while len(workers := _children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None and len(workers) >= 2, "the pool has not started its workers"
    process.send_signal(signal.SIGTERM)
    stderr = started + process.communicate(timeout=60)[1]
    assert process.returncode == 143, stderr
    assert "interrupted (SIGTERM)" in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if Path(f"/proc/{pid}/status").exists()]
    assert not left, f"worker processes left running: {left}"


def _sigint_blocked() -> bool:
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


def test_a_worker_started_while_interrupts_are_held_never_sees_ctrl_c(ctrl_c_raises):
    """A process started inside ``interrupts_held`` inherits the held SIGINT (so a Ctrl-C during
    its start-up prints nothing), and the Ctrl-C reaches this process when the block ends."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from sim.interrupts import interrupts_held

    context = multiprocessing.get_context("spawn")
    reached_after_block = False
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        try:
            with interrupts_held():
                started = pool.submit(_sigint_blocked)
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
        except KeyboardInterrupt:
            reached_after_block = True
        assert started.result(timeout=60)
    assert reached_after_block and not _sigint_blocked()


def test_a_file_reaches_the_disk_before_its_final_name_does(tmp_path, monkeypatch):
    """A crash of the machine must not leave a final name on a file cut short: each staged file
    is flushed to the disk (fsync) before the rename that gives it its name."""
    from sim import output

    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    target = tmp_path / "result.txt"
    output.atomic_write(target, lambda tmp: tmp.write_text("complete"))
    assert events == ["fsync", "replace"] and target.read_text() == "complete"
