"""What a sweep does when its surroundings go wrong: two sweeps in one directory, damaged files,
a lost Dask scheduler, a full disk, a very large design, other code on --resume.

In-process and small (the TINY experiment of test_sweep.py: 4 runs of 15 days on 300 people).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from test_sweep import TINY, _experiment

from experiments.executors import SerialExecutor
from experiments.store import LOCK, load_daily, load_manifest, load_results
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


def _sweep_command(tmp_path, out, *options):
    """``longgame sweep`` of the TINY experiment (written to ``tmp_path``) into ``out``: the
    result and what it said, on one line."""
    from typer.testing import CliRunner

    from sim.cli import app

    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY))
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out), *options])
    return result, " ".join(result.output.split())


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


class _LostScheduler:
    """A stand-in for a Dask client whose scheduler dies after ``serves`` runs: Dask then
    cancels every pending run (reason ``scheduler-connection-lost``), and the client's calls
    time out."""

    def __init__(self, serves: int) -> None:
        self.serves = serves
        self.closed = False

    def nthreads(self):
        if self.serves < 0:
            raise OSError("Timed out trying to connect to tcp://10.0.0.5:8786 after 20 s")
        return {"tcp://10.0.0.6:1": 1}

    def submit(self, fn, task, key, pure):
        from distributed.client import FutureCancelledError

        client = self

        class Future:
            def __init__(self) -> None:
                self.key = key

            def result(self):
                client.serves -= 1
                if client.serves < 0:
                    raise FutureCancelledError(key, "scheduler-connection-lost")
                return fn(task)

            def release(self) -> None:
                pass

        return Future()

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def lost_scheduler(monkeypatch):
    """DaskExecutor on a cluster whose scheduler dies after two runs (no Dask started)."""
    import distributed

    from experiments.executors import DaskExecutor

    client = _LostScheduler(serves=2)

    class Completed(list):
        add = list.append

    monkeypatch.setattr(distributed, "as_completed", Completed)
    monkeypatch.setattr(DaskExecutor, "connect", lambda self: None)
    monkeypatch.setattr(DaskExecutor, "_client", lambda self: (client, None))
    return client


def test_a_scheduler_lost_mid_sweep_stops_it_with_no_run_recorded_as_failed(
    lost_scheduler, tmp_path
):
    from experiments.executors import DaskExecutor, ExecutorError

    sweep = Sweep(_experiment(), tmp_path)
    lost_at = "lost the Dask scheduler at tcp://10.0.0.5:8786"
    with pytest.raises(ExecutorError, match=lost_at) as lost:
        sweep.execute(DaskExecutor(scheduler="tcp://10.0.0.5:8786"))
    assert "scheduler-connection-lost" in str(lost.value)
    assert lost_scheduler.closed
    assert len(list((tmp_path / "runs").iterdir())) == 2
    assert not (tmp_path / "failed").exists() or not list((tmp_path / "failed").iterdir())
    assert load_manifest(tmp_path)["finished_runs"] == 2
    report = Sweep(_experiment(), tmp_path, resume=True).execute(SerialExecutor())
    assert report.complete and report.finished_now == 2 and not report.failed


def test_the_command_says_what_is_stored_when_the_scheduler_is_lost(lost_scheduler, tmp_path):
    out = tmp_path / "out"
    result, said = _sweep_command(tmp_path, out, "--scheduler", "tcp://10.0.0.5:8786")
    assert result.exit_code == 2, result.output
    assert "error: lost the Dask scheduler at tcp://10.0.0.5:8786" in said
    assert f"2 of 4 runs are stored in {out}; run again with --resume" in said
    assert "Traceback" not in result.output


def test_a_disk_that_fills_mid_sweep_says_what_is_stored_and_to_resume(tmp_path, monkeypatch):
    import errno

    from experiments import store

    written = []

    def fills_up(frame, path, *args, **kwargs):
        if len(written) == 3:  # run 0's daily and final files, then run 1's daily file
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path)
        return write_parquet(frame, path, *args, **kwargs)

    write_parquet = store.write_parquet
    monkeypatch.setattr(store, "write_parquet", fills_up)
    out = tmp_path / "out"
    result, said = _sweep_command(tmp_path, out, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "the disk is full; 1 of 4 runs are stored in" in said
    assert "run again with --resume to finish the sweep" in said
    monkeypatch.setattr(store, "write_parquet", write_parquet)  # space freed
    report = Sweep(_experiment(), out, resume=True).execute(SerialExecutor())
    assert report.complete and report.finished_before == 1 and report.finished_now == 3


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """The TINY sweep, finished (4 runs, each with a daily file)."""
    out = tmp_path_factory.mktemp("finished")
    assert Sweep(_experiment(), out).execute(SerialExecutor()).complete
    return out


def test_resume_sets_damaged_run_files_aside_and_runs_them_again(finished, tmp_path):
    """A file cut short or left empty (a crash of the machine before its data reached the disk,
    a bad disk) is named by readers, and --resume moves it aside and runs its run again."""
    from sim.output import OutputError

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "results.parquet").unlink()
    cut = copy / "runs" / "run-0000002.parquet"
    cut.write_bytes(cut.read_bytes()[:100])
    (copy / "daily" / "run-0000001.parquet").write_bytes(b"")
    with pytest.raises(OutputError, match=r"run-0000002.parquet \(.*magic.*\); .*--resume"):
        load_results(copy)  # longgame analyze
    result, said = _sweep_command(tmp_path, copy, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert "the files of 2 finished runs (1, 2) were damaged" in said
    assert "2 finished before; running 2" in said
    assert (copy / "damaged" / "runs" / "run-0000002.parquet").read_bytes()[:100] == (
        cut.read_bytes()[:100]
    )
    assert (copy / "damaged" / "daily" / "run-0000001.parquet").read_bytes() == b""
    pd.testing.assert_frame_equal(load_results(copy), load_results(finished))
    pd.testing.assert_frame_equal(load_daily(copy), load_daily(finished))


def test_a_damaged_design_file_is_named_and_resume_writes_it_again(finished, tmp_path):
    from experiments.store import load_points
    from sim.output import OutputError

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "points.parquet").write_bytes(b"PAR1")
    with pytest.raises(OutputError, match=r"points.parquet \(.*\); run the sweep again with"):
        load_points(copy)
    assert not Sweep(_experiment(), copy, resume=True).remaining
    pd.testing.assert_frame_equal(load_points(copy), load_points(finished))


def test_a_manifest_slow_to_write_is_rewritten_less_often(tmp_path, monkeypatch):
    """A million runs make a 120 MB manifest, seconds to write: rewritten every two seconds it
    was rewritten after every run, and the sweep ran at a fraction of its speed."""
    from experiments import store

    sweep = Sweep(_experiment(), tmp_path)
    clock = [100.0]
    writes = []

    def slow_write(path, write):  # each manifest takes 1 s to write
        writes.append(clock[0])
        clock[0] += 1.0
        return atomic_write(path, write)

    atomic_write = store.atomic_write
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(store, "atomic_write", slow_write)
    sweep.store.write_manifest(force=True)
    for now in (103.0, 110.0, 119.0):  # over two seconds since, but under 20 x 1 s
        clock[0] = now
        sweep.store.write_manifest()
    assert writes == [100.0]
    clock[0] = 120.5
    sweep.store.write_manifest()
    assert writes == [100.0, 120.5]
    sweep.store.write_manifest(force=True)  # when the sweep stops, whatever the time
    assert writes == [100.0, 120.5, 121.5]


def test_resuming_with_other_code_says_so(finished, tmp_path):
    import json

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "runs" / "run-0000003.parquet").unlink()
    info = json.loads((copy / "manifest.json").read_text())
    info.update(version="0.0.9", source_digest="0123456789ab")  # started by older code
    (copy / "manifest.json").write_text(json.dumps(info))
    result, said = _sweep_command(tmp_path, copy, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert "runs stored in" in said
    assert "before were made by longgame 0.0.9 (source 0123456789ab), the runs made now by" in said
    (copy / "runs" / "run-0000003.parquet").unlink()  # the same code again: still said
    result, said = _sweep_command(tmp_path, copy, "--workers", "1", "--resume")
    assert "longgame 0.0.9 (source 0123456789ab)" in said
    fresh = tmp_path / "fresh"  # a sweep resumed by the code that started it says nothing
    shutil.copytree(finished, fresh)
    (fresh / "runs" / "run-0000003.parquet").unlink()
    result, _ = _sweep_command(tmp_path, fresh, "--workers", "1", "--resume")
    assert result.exit_code == 0 and "other code" not in result.output
    assert "made by" not in result.output


def test_a_cluster_left_without_workers_is_noted_and_so_is_their_return():
    """Dask holds the runs until a worker joins, however long: the sweep says it waits."""
    import threading
    import time

    from experiments.executors import watch_workers

    class Client:
        workers: dict = {}

        def nthreads(self):
            return self.workers

    client, notes, stop = Client(), [], threading.Event()
    watcher = threading.Thread(
        target=watch_workers,
        args=(client, "tcp://10.0.0.5:8786", stop, notes.append),
        kwargs={"every": 0.01, "patience": 0.1},
    )
    watcher.start()
    try:
        deadline = time.monotonic() + 5
        while not notes and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(notes) == 1
        assert notes[0].startswith("the Dask cluster at tcp://10.0.0.5:8786 has had no workers")
        assert "dask worker tcp://10.0.0.5:8786" in notes[0] and "--resume" in notes[0]
        time.sleep(0.2)
        assert len(notes) == 1  # said once
        client.workers = {"tcp://10.0.0.6:1": 1, "tcp://10.0.0.7:1": 1}
        while len(notes) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert notes[1] == "the Dask cluster at tcp://10.0.0.5:8786 has 2 workers again"
    finally:
        stop.set()
        watcher.join(timeout=5)


def test_resume_rebuilds_a_damaged_manifest_from_the_run_files(finished, tmp_path):
    from experiments.store import DamagedManifest

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    (copy / "runs" / "run-0000003.parquet").unlink()
    (copy / "results.parquet").unlink()
    garbled = bytes(range(256)) * 4  # not UTF-8: it was a traceback
    (copy / "manifest.json").write_bytes(garbled)
    for damage in (garbled, b"\0" * 1000, b'{"kind": "sweep", "runs": [{"ru'):
        (copy / "manifest.json").write_bytes(damage)
        with pytest.raises(DamagedManifest, match="is damaged .*--resume: it sets the file aside"):
            load_manifest(copy)  # longgame analyze
        with pytest.raises(DamagedManifest):
            Sweep(_experiment(), copy)  # without --resume
    with pytest.raises(ScenarioError, match="made by another experiment \\('tiny', fingerprint"):
        Sweep(_experiment(TINY.replace("seed = 3", "seed = 4")), copy, resume=True)
    result, said = _sweep_command(tmp_path, copy, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert "manifest.json was damaged: moved to" in said
    assert "rebuilt from the 3 finished runs" in said
    assert (copy / "damaged" / "manifest.json").read_bytes() == b'{"kind": "sweep", "runs": [{"ru'
    pd.testing.assert_frame_equal(load_results(copy), load_results(finished))
    info, before = load_manifest(copy), load_manifest(finished)
    assert [run["status"] for run in info["runs"]] == ["done"] * 4
    for key in ("fingerprint", "version", "seeds_across_points", "experiment"):
        assert info[key] == before[key], key
    assert info["created_utc"] is None and info["command"] is None and info["rebuilt_utc"]


def test_the_seeding_of_runs_is_read_from_them_when_the_manifest_is_lost(finished, tmp_path):
    from experiments.store import Store
    from experiments.sweep import run_seed

    copy = tmp_path / "copy"
    shutil.copytree(finished, copy)
    assert Store(copy)._seeding_from_runs(_experiment()) == "common"
    path = copy / "runs" / "run-0000001.parquet"
    run = pd.read_parquet(path)
    run["seed"] = run_seed(3, 1)  # run 1's seed in a sweep seeded independently
    run.to_parquet(path)
    assert Store(copy)._seeding_from_runs(_experiment()) == "independent"


def test_a_run_that_fails_is_counted_on_the_progress_line_as_it_fails(tmp_path, monkeypatch):
    """The bar counts a failed run as done; beside the count it says how many failed, as they
    fail, not only at the end."""
    from experiments import sweep as sweeping
    from sim.cli import _LazyProgress

    def fails_on_run_1(task):
        if task.index == 1:
            raise ValueError("boom")
        return execute_run(task)

    execute_run = sweeping.execute_run
    monkeypatch.setattr(sweeping, "execute_run", fails_on_run_1)
    bar = _LazyProgress(4, "tiny", delay=60)
    failures = []

    def failed(index, error):
        failures.append((index, error))
        bar.failed(index, error)

    with bar:
        report = Sweep(_experiment(), tmp_path / "s").execute(SerialExecutor(), bar, failed)
    assert list(report.failed) == [1] and failures[0][0] == 1 and "boom" in failures[0][1]
    (task,) = bar._progress.tasks
    assert (task.completed, task.fields["unit"]) == (4, "runs, 1 failed")
