"""The smoke sweep gives the same table serially, on a 2-process pool and on a Dask cluster
(a scheduler and two workers started here on 127.0.0.1), also when a worker is killed mid-sweep;
a Ctrl-C that a compiled kernel turns into a SystemError stops a serial sweep, and a local Dask
cluster leaves Ctrl-C to the sweep.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.executors import DaskExecutor, PoolExecutor, SerialExecutor, make_executor
from experiments.spec import load_experiment
from experiments.store import load_results
from experiments.sweep import Sweep
from sim.interrupts import Terminated

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).parent / "dask"


@pytest.fixture(scope="module")
def experiment():
    return load_experiment(ROOT / "experiments" / "smoke.toml")


@pytest.fixture(scope="module")
def reference(experiment, tmp_path_factory) -> pd.DataFrame:
    """The smoke sweep run serially in this process."""
    out = tmp_path_factory.mktemp("serial")
    report = Sweep(experiment, out).execute(SerialExecutor())
    assert report.complete and not report.failed
    return load_results(out)


def test_pool_of_two_processes_gives_the_serial_table(experiment, reference, tmp_path):
    report = Sweep(experiment, tmp_path).execute(PoolExecutor(2))
    assert report.complete and not report.failed
    pd.testing.assert_frame_equal(load_results(tmp_path), reference)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), reference)


def test_one_worker_runs_serially_in_this_process_and_more_run_on_a_pool():
    assert isinstance(make_executor(1), SerialExecutor)
    pool = make_executor(2)
    assert isinstance(pool, PoolExecutor) and pool.local_processes == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Dask scheduler and two single-thread workers (with nannies) on 127.0.0.1."""
    if not DASK.exists():
        pytest.skip("dask distributed is not installed")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scratch = tmp_path_factory.mktemp("dask")
    logs = open(scratch / "dask.log", "w")  # noqa: SIM115 - closed below
    common = {"cwd": ROOT, "stdout": logs, "stderr": subprocess.STDOUT}
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **common,
    )
    workers = []
    try:
        for index in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        str(DASK),
                        "worker",
                        address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                        "--local-directory",
                        str(scratch / f"w{index}"),
                    ],
                    **common,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for worker in workers:  # workers first, one at a time, then the scheduler
            _stop(worker)
        _stop(scheduler)
        logs.close()


def test_dask_cluster_gives_the_serial_table(experiment, reference, cluster, tmp_path):
    report = Sweep(experiment, tmp_path).execute(DaskExecutor(scheduler=cluster))
    assert report.complete and not report.failed
    pd.testing.assert_frame_equal(load_results(tmp_path), reference)


def test_worker_killed_mid_sweep_still_gives_the_complete_table(
    experiment, reference, cluster, tmp_path
):
    from distributed import Client

    with Client(cluster, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
        pids = client.run(os.getpid)  # the worker processes (children of the nannies)
    victim = sorted(pids.values())[0]
    finished = []

    def progress(runs: int) -> None:
        finished.append(runs)
        if len(finished) == 4:
            os.kill(victim, signal.SIGKILL)  # the nanny restarts it; its tasks run elsewhere

    report = Sweep(experiment, tmp_path).execute(DaskExecutor(scheduler=cluster), progress)
    assert report.complete and not report.failed
    pd.testing.assert_frame_equal(load_results(tmp_path), reference)
    with Client(cluster, timeout="30s") as client:
        assert victim not in client.run(os.getpid).values()
        deadline = time.monotonic() + 60
        while len(client.nthreads()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)


@pytest.mark.parametrize("signal_error", [KeyboardInterrupt, Terminated])
def test_a_signal_inside_a_compiled_kernel_stops_a_serial_sweep(signal_error):
    def kernel(task):
        """What a Numba kernel raises when Ctrl-C or SIGTERM arrives while it runs."""
        message = "CPUDispatcher(<function kernel>) returned a result with an exception set"
        raise SystemError(message) from signal_error()

    with pytest.raises(signal_error):  # the sweep stops; no run is recorded as failed
        list(SerialExecutor().run(kernel, [0, 1]))


def test_a_local_dask_cluster_leaves_ctrl_c_to_the_sweep_and_port_8787_alone(recwarn):
    if not DASK.exists():
        pytest.skip("dask distributed is not installed")
    with socket.socket() as busy:  # another Dask cluster's port, if no one holds it yet
        with contextlib.suppress(OSError):
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        client, cluster = DaskExecutor(workers=1)._client()
        try:
            ignored = client.run(signal.getsignal, signal.SIGINT)
        finally:
            client.close()
            cluster.close()
    assert set(ignored.values()) == {signal.SIG_IGN}  # no KeyboardInterrupt traceback there
    assert not [warning for warning in recwarn if "8787" in str(warning.message)]


def test_an_address_where_no_scheduler_answers_is_refused_before_the_sweep_writes(
    tmp_path, monkeypatch
):
    """A web server at the address (a dashboard port given for the scheduler's) never answers
    Dask's handshake: the sweep says so in one line, in bounded time, and writes nothing."""
    import http.server
    import threading

    from typer.testing import CliRunner

    from sim.cli import app

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            """Not on the test's output."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(DaskExecutor, "CONNECT_SECONDS", 3.0)
    address = f"tcp://127.0.0.1:{server.server_address[1]}"
    try:
        start = time.monotonic()
        result = CliRunner().invoke(
            app, ["sweep", "smoke", "--scheduler", address, "--out", str(tmp_path / "sweep")]
        )
        assert time.monotonic() - start < 30
    finally:
        server.shutdown()
    assert result.exit_code == 2
    assert f"cannot reach a Dask scheduler at {address}" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "sweep").exists()
