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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import sim

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "OutputError",
    "Staging",
    "METRICS_PARQUET",
    "METRICS_CSV",
    "MANIFEST",
    "SUMMARY_CSV",
    "PAIRED_CSV",
    "MARKET_CSV",
    "CHART_PNG",
    "FIGURES",
    "atomic_write",
    "cannot_write",
    "ensure_dir",
    "ensure_results_dir",
    "file_sha256",
    "input_files",
    "write_results",
    "manifest",
    "PROVENANCE_KEY",
    "provenance",
    "seeds_of",
    "utc_stamp",
    "package_versions",
    "write_parquet",
    "figure_note",
]

METRICS_PARQUET = "metrics.parquet"
METRICS_CSV = "metrics.csv"
MANIFEST = "manifest.json"
SUMMARY_CSV = "summary.csv"
PAIRED_CSV = "paired.csv"
MARKET_CSV = "market.csv"
CHART_PNG = "trajectories.png"
MARKET_PNG = "market.png"
OPTIONAL_TABLES = {"paired": PAIRED_CSV, "market": MARKET_CSV}
"""Tables ``compare`` writes when asked (``--against``, ``--markets``), by kind."""
FIGURES = {"chart": CHART_PNG, "market_chart": MARKET_PNG}
"""Figures written as a PNG with an SVG beside it, by kind: the trajectories of every run and
comparison, the market chart of ``compare --markets``."""
RESULT_FILES = (
    METRICS_PARQUET,
    METRICS_CSV,
    MANIFEST,
    SUMMARY_CSV,
    *OPTIONAL_TABLES.values(),
    CHART_PNG,
    "trajectories.svg",
    MARKET_PNG,
    "market.svg",
)
"""What `longgame run` and `longgame compare` write into their output directory (the optional
tables and the market chart only when asked)."""


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


def cannot_write(target: Path | str, error: OSError) -> OutputError:
    """The error for a failure to write ``target`` (a path, or e.g. "stdout"), with its cause in
    words: "cannot write out/summary.csv: the disk is full"."""
    return OutputError(f"cannot write {target}: {_explain(error)}")


def ensure_dir(directory: Path) -> None:
    """Create ``directory`` if needed and check that results can be written into it (a command
    calls this before its runs, so that a bad --out costs no work)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the output directory {directory}: {_explain(error)}; "
            "choose another (--out)"
        ) from error
    if not directory.is_dir():
        raise OutputError(f"the output path {directory} exists and is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write into the output directory {directory}; choose another (--out)"
        )


def ensure_results_dir(
    directory: Path,
    files: Sequence[str] = RESULT_FILES,
    *,
    record: str = MANIFEST,
    kind: str = "results",
    what: str = "the results of a run or comparison",
) -> None:
    """``ensure_dir``, and refuse a directory holding any of ``files`` unless its ``record``
    (the file that says what wrote them) says longgame wrote them as ``kind`` (described to the
    user as ``what``): results replace earlier results of their kind only, never a sweep's or a
    user's own files (a metrics.csv, a report.md). The defaults are those of a run or
    comparison; a sweep analysis passes its own."""
    ensure_dir(directory)
    taken = [name for name in files if (directory / name).exists()]
    if taken and _manifest_kind(directory / record) != kind:
        held = "a sweep" if _manifest_kind(directory / MANIFEST) == "sweep" else "other files"
        raise OutputError(
            f"{directory} holds {held} ({', '.join(taken)}), not {what}, which would replace "
            "them; choose another output directory (--out)"
        )


def _manifest_kind(path: Path) -> str | None:
    """What longgame wrote the record ``path`` as: the ``kind`` a manifest records ("results"
    if it records none), "analysis" for a sweep analysis's ``analysis.json`` (whose ``made_by``
    names the package), else None."""
    try:
        info = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    if info.get("package") == "longgame":
        return str(info.get("kind", "results"))
    made_by = info.get("made_by")
    if isinstance(made_by, dict) and made_by.get("package") == "longgame":
        return "analysis"
    return None


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

    ``stage(path, write)`` calls ``write(tmp)``; ``drop(path)`` marks a file of an earlier set
    that the new one does not have; ``commit()`` renames every staged file to its target and
    removes the dropped ones with interrupt signals held, so an interrupted writer leaves either
    the whole new set or the old one. Leaving the block without a commit removes the temporary
    files. Every ``OSError`` becomes an :class:`OutputError` naming the path and the cause.
    """

    def __init__(self) -> None:
        self._staged: dict[Path, Path] = {}
        self._dropped: list[Path] = []

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
            _flush_to_disk(self._staged[path])
        except OSError as error:
            raise cannot_write(path, error) from error
        return self._staged[path]

    def drop(self, path: Path | str) -> None:
        """Remove ``path``, if it exists, on commit (an earlier result's file that would no
        longer match the files beside it)."""
        self._dropped.append(Path(path))

    def commit(self) -> None:
        """Rename every staged file to its target, in the order staged, then remove the dropped
        files."""
        with _signals_deferred():
            while self._staged:
                path, tmp = next(iter(self._staged.items()))
                try:
                    os.replace(tmp, path)
                except OSError as error:
                    raise cannot_write(path, error) from error
                del self._staged[path]
            for path in self._dropped:
                try:
                    path.unlink(missing_ok=True)
                except OSError as error:
                    raise OutputError(f"cannot remove {path}: {_explain(error)}") from error
            self._dropped.clear()


def _flush_to_disk(path: Path) -> None:
    """Make ``path``'s bytes durable before it is renamed into place, so that a crash of the
    machine cannot leave a final name on a file cut short or empty."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    Creates the parent directory. Raises :class:`OutputError` (and removes the temporary file) if
    anything fails with an ``OSError``.
    """
    with Staging() as staging:
        staging.stage(path, write)
        staging.commit()
    return Path(path)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex (read in blocks, so any size)."""
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


def input_files(paths: Iterable[Path | str]) -> list[dict[str, Any]]:
    """Each input file (once) as the manifest records it: its absolute ``path``, size in
    ``bytes`` and ``sha256``, so that results can be traced to the very files that made them
    after those are edited or moved. A file that cannot be read is recorded with its error."""
    found: list[dict[str, Any]] = []
    for path in dict.fromkeys(Path(path).resolve() for path in paths):
        try:
            found.append(
                {"path": str(path), "bytes": path.stat().st_size, "sha256": file_sha256(path)}
            )
        except OSError as error:
            found.append({"path": str(path), "error": _explain(error)})
    return found


PROVENANCE_KEY = b"longgame"
"""Key of a Parquet file's schema metadata that says what made it (:func:`provenance`, JSON)."""
PROVENANCE_FIELDS = ("package", "version", "source_digest", "engine", "seeds", "scenario")
"""The fields of :func:`provenance`; a manifest holds them too, with the same values."""


def seeds_of(df: pd.DataFrame) -> list[int]:
    """The seeds of a result's rows, sorted (none if it has no ``seed`` column)."""
    return sorted(int(seed) for seed in df["seed"].unique()) if "seed" in df.columns else []


def provenance(
    seeds: Iterable[int], scenario: Any = None, engine: str | None = None
) -> dict[str, Any]:
    """What made a result, for the result's own files (Parquet metadata, figure descriptions)
    as well as its manifest: package, version, source digest, engine, seeds and the scenario as
    resolved. No time or command line, so that the same run writes the same bytes."""
    return {
        "package": "longgame",
        "version": sim.__version__,
        "source_digest": sim.source_digest(),
        "engine": engine,
        "seeds": sorted(int(seed) for seed in seeds),
        "scenario": scenario.model_dump(mode="json") if scenario is not None else None,
    }


def utc_stamp() -> str:
    """Now, in UTC, as a manifest records when it was made."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def package_versions() -> dict[str, str | None]:
    """The versions of Python and the packages a result depends on, as a manifest records them."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "mesa": _version("mesa"),
        "numba": _version("numba"),
        "scipy": _version("scipy"),
        "networkx": _version("networkx"),
        "pyarrow": _version("pyarrow"),
    }


def write_parquet(
    df: pd.DataFrame, path: Path | str, made_by: Mapping[str, Any], index: bool | None = False
) -> None:
    """``df`` as Parquet (``index`` as in ``DataFrame.to_parquet``) whose schema metadata holds
    ``made_by`` under :data:`PROVENANCE_KEY` (read it with
    ``pyarrow.parquet.read_schema(path).metadata``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=index)
    note = json.dumps(made_by, sort_keys=True, allow_nan=False).encode()
    pq.write_table(
        table.replace_schema_metadata({**table.schema.metadata, PROVENANCE_KEY: note}), path
    )


def figure_note(made_by: Mapping[str, Any]) -> str:
    """A figure's description (PNG text chunk, SVG metadata): :func:`provenance` with the
    scenario as its name and the SHA-256 of its JSON (the manifest beside it holds it whole)."""
    scenario = made_by.get("scenario")
    named = dict(made_by)
    if scenario is not None:
        text = json.dumps(scenario, sort_keys=True, allow_nan=False).encode()
        named["scenario"] = {
            "name": scenario.get("name"),
            "sha256": hashlib.sha256(text).hexdigest(),
        }
    return "made by " + json.dumps(named, sort_keys=True, allow_nan=False)


def manifest(
    df: pd.DataFrame,
    *,
    scenario: Any = None,
    engine: str | None = None,
    command: Sequence[str] | str | None = None,
    extra: dict[str, Any] | None = None,
    inputs: Iterable[Path | str] = (),
) -> dict[str, Any]:
    """How a result was made: scenario as resolved, seeds, engine, versions, command, UTC time,
    and the files read to make it (``inputs``, :func:`input_files`).

    ``scenario`` is a pydantic model (a ``Scenario`` or ``Comparison``), dumped with
    ``model_dump(mode="json")``; ``command`` defaults to this process's command line.
    """
    if command is None:
        command = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else []
    if not isinstance(command, str):
        command = shlex.join(command)
    days = (
        {"first": int(df["day"].min()), "last": int(df["day"].max())}
        if "day" in df.columns and len(df)
        else None
    )
    made_by = provenance(seeds_of(df), scenario, engine)
    info: dict[str, Any] = {
        "package": "longgame",
        "version": made_by["version"],
        "source_digest": made_by["source_digest"],
        "created_utc": utc_stamp(),
        "command": command,
        "engine": engine,
        "seeds": made_by["seeds"],
        "days": days,
        "strategies": list(dict.fromkeys(df["strategy"])) if "strategy" in df.columns else None,
        "rows": len(df),
        "files": {"parquet": METRICS_PARQUET, "csv": METRICS_CSV, "summary": SUMMARY_CSV},
        "versions": package_versions(),
        "scenario": made_by["scenario"],
        "inputs": input_files(inputs),
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
    tables: Mapping[str, pd.DataFrame] | None = None,
    figures: Mapping[str, Figure] | None = None,
    inputs: Iterable[Path | str] = (),
) -> dict[str, Path]:
    """Write ``metrics.parquet``, ``metrics.csv``, ``summary.csv`` (the final outcomes with their
    intervals, ``sim.summary.final_outcomes``) and ``manifest.json`` into ``out_dir``, the
    optional ``tables`` by kind (``OPTIONAL_TABLES``: ``paired``, the differences of ``compare
    --against``; ``market``, the profits of ``compare --markets``) and the ``figures`` by kind
    (``FIGURES``), each as PNG and SVG described by :func:`figure_note`.

    Returns the paths by kind (``parquet``, ``csv``, ``summary``, ``manifest``, each kind of
    ``tables``, each kind of ``figures`` and its ``_svg``). They replace the previous ones
    together (an earlier optional table or figure is removed when there is none of its kind
    now); the manifest records the SHA-256 of each file written, so a reader can check that the
    files beside it are the ones it describes, and the size and SHA-256 of each file read to
    make them (``inputs``: scenario, strategy and edge-list files).
    """
    from sim.charts import save_figure
    from sim.model import check_engine
    from sim.summary import final_outcomes

    if engine is not None:
        check_engine(engine)
    if scenario is not None and not hasattr(scenario, "model_dump"):
        raise TypeError(
            f"scenario is the Scenario or Comparison that made the results, not {scenario!r}"
        )
    for given, known, what in ((tables, OPTIONAL_TABLES, "table"), (figures, FIGURES, "figure")):
        unknown = [kind for kind in given or {} if kind not in known]
        if unknown:
            raise ValueError(
                f"unknown {what} kind {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
            )
    out = Path(out_dir)
    ensure_results_dir(out)
    info = manifest(
        df, scenario=scenario, engine=engine, command=command, extra=extra, inputs=inputs
    )
    paths = {
        "parquet": out / METRICS_PARQUET,
        "csv": out / METRICS_CSV,
        "summary": out / SUMMARY_CSV,
        "manifest": out / MANIFEST,
    }
    final = final_outcomes(df)
    with Staging() as staging:
        staged = {
            "parquet": staging.stage(
                paths["parquet"],
                lambda tmp: write_parquet(df, tmp, {key: info[key] for key in PROVENANCE_FIELDS}),
            ),
            "csv": staging.stage(paths["csv"], lambda tmp: df.to_csv(tmp, index=False)),
            "summary": staging.stage(paths["summary"], lambda tmp: final.to_csv(tmp, index=False)),
        }
        for kind, name in OPTIONAL_TABLES.items():
            table = (tables or {}).get(kind)
            if table is None:
                staging.drop(out / name)
                continue
            paths[kind] = out / name
            staged[kind] = staging.stage(
                paths[kind], lambda tmp, table=table: table.to_csv(tmp, index=False)
            )
            info["files"][kind] = name
        note = figure_note({key: info[key] for key in PROVENANCE_FIELDS})
        for kind, name in FIGURES.items():
            figure = (figures or {}).get(kind)
            for fmt, path in (("png", out / name), ("svg", (out / name).with_suffix(".svg"))):
                key = kind if fmt == "png" else f"{kind}_svg"
                if figure is None:
                    staging.drop(path)
                    continue

                def draw(tmp: Path, figure: Figure = figure, fmt: str = fmt) -> None:
                    save_figure(figure, tmp, fmt, note=note)

                paths[key] = path
                staged[key] = staging.stage(path, draw)
                info["files"][key] = path.name
        info["sha256"] = {paths[kind].name: file_sha256(tmp) for kind, tmp in staged.items()}
        text = json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        staging.stage(paths["manifest"], lambda tmp: tmp.write_text(text, "utf-8"))
        staging.commit()
    return paths
