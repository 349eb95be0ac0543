"""Result files: the daily metrics as Parquet and CSV, and a manifest of how they were made.

Every file is written atomically (a temporary file in the same directory, then ``os.replace``), so
an interrupted run never leaves a half-written file under a final name; the files of one result
are renamed together with interrupt signals held, so a result directory holds either the previous
result or the new one, never a mix. Failures to write
(permissions, a full disk, a path that is a file) raise :class:`OutputError` with a message that
names the path and the cause.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import os
import platform
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim

__all__ = [
    "OutputError",
    "Staging",
    "METRICS_PARQUET",
    "METRICS_CSV",
    "MANIFEST",
    "SUMMARY_CSV",
    "CHART_PNG",
    "atomic_write",
    "ensure_dir",
    "ensure_results_dir",
    "write_results",
    "manifest",
]

METRICS_PARQUET = "metrics.parquet"
METRICS_CSV = "metrics.csv"
MANIFEST = "manifest.json"
SUMMARY_CSV = "summary.csv"
CHART_PNG = "trajectories.png"
RESULT_FILES = (METRICS_PARQUET, METRICS_CSV, MANIFEST, SUMMARY_CSV, CHART_PNG, "trajectories.svg")
"""What `longgame run` and `longgame compare` write into their output directory."""


class OutputError(Exception):
    """Results could not be written; ``str()`` is the full message for the user."""


def _explain(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is exceeded"
    if isinstance(error, PermissionError):
        return "permission denied"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    if isinstance(error, NotADirectoryError | FileExistsError):
        return "a file is in the way of the output directory"
    return error.strerror or str(error)


def ensure_dir(directory: Path) -> None:
    """Create ``directory`` if needed and check that results can be written into it (a command
    calls this before its runs, so that a bad --out costs no work)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output directory {directory}: {_explain(error)}; "
            "choose another with --out"
        ) from error
    if not directory.is_dir():
        raise OutputError(f"the output path {directory} exists and is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into the output directory {directory}; choose another")


def ensure_results_dir(directory: Path) -> None:
    """``ensure_dir``, and refuse a directory whose files of the names a run writes were not
    written by a run or comparison (a sweep's manifest, a user's own metrics.csv): results
    replace earlier results only."""
    ensure_dir(directory)
    taken = [name for name in RESULT_FILES if (directory / name).exists()]
    if taken and not _holds_results(directory / MANIFEST):
        what = "a sweep" if _manifest_kind(directory / MANIFEST) == "sweep" else "other files"
        raise OutputError(
            f"{directory} holds {what} ({', '.join(taken)}), not the results of a run or "
            "comparison, which would replace them; choose another --out"
        )


def _manifest_kind(path: Path) -> str | None:
    """The ``kind`` a longgame manifest records ("results" if it records none), else None."""
    try:
        info = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("package") != "longgame":
        return None
    return str(info.get("kind", "results"))


def _holds_results(path: Path) -> bool:
    return _manifest_kind(path) == "results"


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver them: a set of renames
    is not cut short. Python runs signal handlers in the main thread only, so elsewhere this
    changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    held = [sig for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if signal.getsignal(sig)]
    previous = {
        sig: signal.signal(sig, lambda signum, frame: arrived.append(signum)) for sig in held
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in arrived:
            signal.raise_signal(signum)


class Staging:
    """Files written under temporary names beside their targets, renamed into place together.

    ``stage(path, write)`` calls ``write(tmp)``; ``commit()`` renames every staged file to its
    target with interrupt signals held, so an interrupted writer leaves either all the new files
    or none of them. Leaving the block without a commit removes the temporary files. Every
    ``OSError`` becomes an :class:`OutputError` naming the path and the cause.
    """

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for tmp in self._staged.values():
            tmp.unlink(missing_ok=True)
        self._staged.clear()

    def stage(self, path: Path | str, write: Callable[[Path], None]) -> Path:
        """Write ``path``'s new content to a temporary file (returned) beside it."""
        path = Path(path)
        ensure_dir(path.parent)
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            self._staged[path] = Path(name)
            write(self._staged[path])
            os.chmod(self._staged[path], 0o644)
        except OSError as error:
            raise OutputError(f"cannot write {path}: {_explain(error)}") from error
        return self._staged[path]

    def commit(self) -> None:
        """Rename every staged file to its target, in the order staged."""
        with _signals_deferred():
            while self._staged:
                path, tmp = next(iter(self._staged.items()))
                try:
                    os.replace(tmp, path)
                except OSError as error:
                    raise OutputError(f"cannot write {path}: {_explain(error)}") from error
                del self._staged[path]


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    Creates the parent directory. Raises :class:`OutputError` (and removes the temporary file) if
    anything fails with an ``OSError``.
    """
    with Staging() as staging:
        staging.stage(path, write)
        staging.commit()
    return Path(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def manifest(
    df: pd.DataFrame,
    *,
    scenario: Any = None,
    engine: str | None = None,
    command: Sequence[str] | str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """How a result was made: scenario as resolved, seeds, engine, versions, command, UTC time.

    ``scenario`` is a pydantic model (a ``Scenario`` or ``Comparison``), dumped with
    ``model_dump(mode="json")``; ``command`` defaults to this process's command line.
    """
    if command is None:
        command = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else []
    if not isinstance(command, str):
        command = shlex.join(command)
    seeds = sorted(int(seed) for seed in df["seed"].unique()) if "seed" in df.columns else []
    days = (
        {"first": int(df["day"].min()), "last": int(df["day"].max())}
        if "day" in df.columns and len(df)
        else None
    )
    info: dict[str, Any] = {
        "package": "longgame",
        "version": sim.__version__,
        "source_digest": sim.source_digest(),
        "created_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "engine": engine,
        "seeds": seeds,
        "days": days,
        "strategies": list(dict.fromkeys(df["strategy"])) if "strategy" in df.columns else None,
        "rows": len(df),
        "files": {"parquet": METRICS_PARQUET, "csv": METRICS_CSV, "summary": SUMMARY_CSV},
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "mesa": _version("mesa"),
            "numba": _version("numba"),
            "scipy": _version("scipy"),
            "networkx": _version("networkx"),
            "pyarrow": _version("pyarrow"),
        },
        "scenario": scenario.model_dump(mode="json") if scenario is not None else None,
    }
    if extra:
        info.update(extra)
    return info


def write_results(
    df: pd.DataFrame,
    out_dir: Path | str,
    *,
    scenario: Any = None,
    engine: str | None = None,
    command: Sequence[str] | str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``metrics.parquet``, ``metrics.csv``, ``summary.csv`` (the final outcomes with their
    intervals, ``sim.summary.final_outcomes``) and ``manifest.json`` into ``out_dir``.

    Returns the paths by kind (``parquet``, ``csv``, ``summary``, ``manifest``). They replace the
    previous ones together; the manifest records the SHA-256 of each data file, so a reader can
    check that the files beside it are the ones it describes.
    """
    from sim.summary import final_outcomes

    out = Path(out_dir)
    ensure_results_dir(out)
    info = manifest(df, scenario=scenario, engine=engine, command=command, extra=extra)
    paths = {
        "parquet": out / METRICS_PARQUET,
        "csv": out / METRICS_CSV,
        "summary": out / SUMMARY_CSV,
        "manifest": out / MANIFEST,
    }
    final = final_outcomes(df)
    with Staging() as staging:
        staged = {
            "parquet": staging.stage(paths["parquet"], lambda tmp: df.to_parquet(tmp, index=False)),
            "csv": staging.stage(paths["csv"], lambda tmp: df.to_csv(tmp, index=False)),
            "summary": staging.stage(paths["summary"], lambda tmp: final.to_csv(tmp, index=False)),
        }
        info["sha256"] = {paths[kind].name: _sha256(tmp) for kind, tmp in staged.items()}
        text = json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        staging.stage(paths["manifest"], lambda tmp: tmp.write_text(text, "utf-8"))
        staging.commit()
    return paths
