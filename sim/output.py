"""Result files: the daily metrics as Parquet and CSV, and a manifest of how they were made.

Every file is written atomically (a temporary file in the same directory, then ``os.replace``), so
an interrupted run never leaves a half-written file under a final name. Failures to write
(permissions, a full disk, a path that is a file) raise :class:`OutputError` with a message that
names the path and the cause.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import platform
import shlex
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import sim

__all__ = [
    "OutputError",
    "METRICS_PARQUET",
    "METRICS_CSV",
    "MANIFEST",
    "atomic_write",
    "write_results",
    "manifest",
]

METRICS_PARQUET = "metrics.parquet"
METRICS_CSV = "metrics.csv"
MANIFEST = "manifest.json"


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


def _ensure_dir(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output directory {directory}: {_explain(error)}; "
            "choose another with --out"
        ) from error
    if not directory.is_dir():
        raise OutputError(f"the output path {directory} exists and is not a directory")


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    Creates the parent directory. Raises :class:`OutputError` (and removes the temporary file) if
    anything fails with an ``OSError``.
    """
    path = Path(path)
    _ensure_dir(path.parent)
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_explain(error)}") from error
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path


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
        "created_utc": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "engine": engine,
        "seeds": seeds,
        "days": days,
        "strategies": list(dict.fromkeys(df["strategy"])) if "strategy" in df.columns else None,
        "rows": len(df),
        "files": {"parquet": METRICS_PARQUET, "csv": METRICS_CSV},
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "mesa": _version("mesa"),
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
    """Write ``metrics.parquet``, ``metrics.csv`` and ``manifest.json`` into ``out_dir``.

    Returns the paths by kind (``parquet``, ``csv``, ``manifest``). The manifest is written last,
    so its presence means the metrics files beside it are complete.
    """
    out = Path(out_dir)
    _ensure_dir(out)
    info = manifest(df, scenario=scenario, engine=engine, command=command, extra=extra)
    text = json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    paths = {
        "parquet": atomic_write(out / METRICS_PARQUET, lambda tmp: df.to_parquet(tmp, index=False)),
        "csv": atomic_write(out / METRICS_CSV, lambda tmp: df.to_csv(tmp, index=False)),
        "manifest": atomic_write(out / MANIFEST, lambda tmp: tmp.write_text(text, "utf-8")),
    }
    return paths
