"""The results store of a sweep: a Parquet dataset of finished runs that never loses one.

Layout of a sweep directory::

    manifest.json          experiment as resolved, package versions, per-run seed and status
    points.parquet         the design: one row per parameter point
    runs/run-0000012.parquet    final outcomes of run 12 (one row per strategy)
    daily/run-0000012.parquet   its daily series, if the experiment keeps any
    failed/run-0000012.json     why run 12 failed, if it did (retried on --resume)
    damaged/runs/run-0000012.parquet    a run file found damaged on --resume, set aside
    results.parquet        every run in one table, written when the sweep is complete
    .sweep.lock            locked (flock) while a sweep writes the directory: one at a time

Every file is written with :func:`sim.output.atomic_write` (a temporary file, then a rename), and
a run's daily file is written before its ``runs/`` file, so a run is finished exactly when its
``runs/`` file exists: a sweep killed at any moment (even with SIGKILL) leaves only whole files,
and ``--resume`` runs exactly the runs without one. Writing a run twice (a task repeated after a
worker died) writes the same bytes under the same name, so nothing is ever duplicated.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.spec import Experiment
from sim.errors import ScenarioError
from sim.output import (
    OutputError,
    atomic_write,
    cannot_write,
    file_sha256,
    input_files,
    manifest,
    utc_stamp,
    write_parquet,
)

__all__ = [
    "MANIFEST",
    "DamagedManifest",
    "POINTS",
    "RESULTS",
    "RunInfo",
    "Store",
    "load_daily",
    "load_manifest",
    "load_points",
    "load_results",
]

MANIFEST = "manifest.json"
POINTS = "points.parquet"
RESULTS = "results.parquet"
MANIFEST_SHARE = 0.05
"""The share of a sweep's time that rewriting the manifest's statuses may take, at most (about
0.6 s for 100,000 runs: every 12 s; a million runs: every two minutes)."""
DAMAGED = "damaged"
"""Where ``--resume`` moves the files of finished runs that are not whole (their run goes again)."""
LOCK = ".sweep.lock"
"""The file a running sweep holds an exclusive lock on (``flock``): a second sweep in the same
directory is refused while the first runs; the kernel releases the lock when its process ends,
even by SIGKILL, so the file left behind means nothing by itself."""
_RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")
_ORIGIN = ("created_utc", "command", "version", "source_digest", "inputs")
"""Manifest keys of the sweep's first start; a resumption records its own in ``resumed`` (its
input files too: a file whose comments changed is accepted, and both versions stay on record)."""


class DamagedManifest(OutputError):
    """A sweep's manifest that is not JSON any more (cut short, zeroed or garbled by a crash of
    the machine or a bad disk); ``--resume`` rebuilds it from the run files."""


@dataclass(frozen=True)
class RunInfo:
    """One run of a sweep: its index, parameter point, replicate and seed."""

    index: int
    point: int
    replicate: int
    seed: int


def _run_name(index: int, suffix: str = "parquet") -> str:
    return f"run-{index:07d}.{suffix}"


def _indices(directory: Path) -> set[int]:
    if not directory.is_dir():
        return set()
    return {
        int(match.group(1)) for path in directory.iterdir() if (match := _RUN_FILE.match(path.name))
    }


def _whole(path: Path) -> bool:
    """Whether a Parquet file is whole as far as its ends tell: it begins and ends with the
    format's magic bytes (a file cut short, or left empty or zeroed by a machine that stopped
    before its data reached the disk, does not). Reads 8 bytes, so every run can be checked."""
    try:
        with path.open("rb") as stream:
            if os.fstat(stream.fileno()).st_size < 12 or stream.read(4) != b"PAR1":
                return False
            stream.seek(-4, os.SEEK_END)
            return stream.read(4) == b"PAR1"
    except OSError:
        return False


def _differences(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Where two resolved experiments differ: (dotted path, old value, new value), in order."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in dict.fromkeys([*old, *new]):
            found += _differences(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for index, (was, now) in enumerate(zip(old, new, strict=True)):
            found += _differences(was, now, f"{path}[{index}]")
        return found
    return [] if old == new else [(path, old, new)]


def _same_experiment(old: dict[str, Any], experiment: Experiment) -> bool:
    """Whether a stored sweep's manifest holds ``experiment``: the same fingerprint, or the
    experiment now says ``seeds_across_points = "independent"`` where the stored one did not say
    and was seeded independently (as every sweep stored before the option existed)."""
    fingerprints = {experiment.fingerprint()}
    unsaid = (old.get("experiment") or {}).get("seeds_across_points") is None
    independent = old.get("seeds_across_points", "independent") == "independent"
    if unsaid and independent and experiment.seeds_across_points == "independent":
        unset = experiment.model_copy(update={"seeds_across_points": None})
        fingerprints.add(unset.fingerprint())
    return old.get("fingerprint") in fingerprints


def _changed_data(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """The data files (edge lists and their labels) a sweep read that are not as they were when it
    started: TOML files are left out, since the fingerprint holds what they say (a comment may
    change)."""

    def data(entries: list[dict[str, Any]]) -> dict[str, str | None]:
        return {
            entry["path"]: entry.get("sha256")
            for entry in entries
            if not entry["path"].endswith(".toml")
        }

    then, now = data(old), data(new)
    changed = []
    for path in sorted(set(then) | set(now)):
        if path not in now:
            changed.append(f"{path} is no longer read")
        elif path not in then:
            changed.append(f"{path} is read now but was not then")
        elif then[path] != now[path]:
            was, is_now = str(then[path])[:12], str(now[path])[:12]
            changed.append(f"{path} has changed (sha256 {was} then, {is_now} now)")
    return changed


def _foreign(root: Path) -> list[str]:
    """Names in ``root`` that are not a sweep's (its manifest is written first, so without one
    only the temporary file of a sweep killed while writing it can be)."""
    if not root.is_dir():
        return []
    return sorted(
        path.name for path in root.iterdir() if not path.name.endswith(".tmp") and path.name != LOCK
    )


def _holder() -> str:
    """Who holds a sweep directory's lock, as its lock file says: "process 123 on HOST"."""
    return f"process {os.getpid()} on {socket.gethostname()}"


class Store:
    """A sweep directory: create or reopen it, record runs, read what is finished."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.daily_dir = self.root / "daily"
        self.failed_dir = self.root / "failed"
        self._info: dict[str, Any] | None = None
        self._made_by: dict[str, Any] = {}  # what makes this start's files (their metadata)
        self._last_manifest = 0.0
        self._manifest_seconds = 0.0  # how long the manifest took to write last time
        self._lock: int | None = None  # the descriptor of LOCK while this store holds it
        self.damaged: list[int] = []  # finished runs whose files were set aside on opening
        self.rebuilt = False  # whether opening rebuilt a damaged manifest from the run files

    # -- the lock -------------------------------------------------------------------------------

    def lock(self, *, create: bool = True) -> None:
        """Hold the directory's lock (:data:`LOCK`), creating the directory and the lock file if
        needed (with ``create=False``, only if the lock file exists), or raise a ScenarioError
        naming the sweep that holds it: two sweeps writing one directory would run every run
        twice and remove each other's temporary files."""
        if self._lock is not None:
            return
        path = self.root / LOCK
        if not create and not path.is_file():
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise cannot_write(path, error) from error
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(descriptor, 400, 0).decode("utf-8", "replace").strip()
            os.close(descriptor)
            if holder.startswith(f"{_holder()},"):
                raise ScenarioError(
                    f"{self.root} is in use by another Sweep of this process ({holder}); "
                    "call its execute() or close() first"
                ) from None
            raise ScenarioError(
                f"{self.root} is in use by another sweep"
                + (f" ({holder})" if holder else "")
                + "; wait for it to finish (or stop it), then run again (with --resume to "
                "finish what it stored), or choose another output directory (--out)"
            ) from None
        holder = f"{_holder()}, since {utc_stamp()}"
        try:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, holder.encode("utf-8") + b"\n", 0)
        except OSError:
            pass  # who holds the lock is a courtesy; the lock itself is held
        self._lock = descriptor

    def unlock(self) -> None:
        """Release the directory's lock, if this store holds it."""
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None

    def __del__(self) -> None:
        self.unlock()

    # -- opening --------------------------------------------------------------------------------

    def seeding(self, experiment: Experiment, *, resume: bool) -> str:
        """How the sweep seeds its runs across points: as the experiment says; else, resuming,
        as the stored sweep did (``independent`` for one stored before the option existed);
        else ``common``."""
        if experiment.seeds_across_points:
            return experiment.seeds_across_points
        if resume and (self.root / MANIFEST).is_file():
            try:
                stored = load_manifest(self.root, advice="choose another output directory (--out)")
            except DamagedManifest:
                return self._seeding_from_runs(experiment)
            return stored.get("seeds_across_points", "independent")
        return "common"

    def _seeding_from_runs(self, experiment: Experiment) -> str:
        """How the stored runs were seeded, from the first whole run file of a point after the
        first (where the two seedings differ); ``common`` if there is none."""
        from experiments.sweep import run_seed

        for index in sorted(self.finished()):
            path = self.runs_dir / _run_name(index)
            if index < experiment.seeds or not _whole(path):
                continue
            try:
                row = pd.read_parquet(path, columns=["replicate", "seed"]).iloc[0]
            except (OSError, ValueError, KeyError, IndexError):
                continue
            common = int(row["seed"]) == run_seed(experiment.seed, int(row["replicate"]))
            return "common" if common else "independent"
        return "common"

    def _from_runs(self, experiment: Experiment) -> dict[str, Any]:
        """A manifest's origin rebuilt from what the run files say made them (their ``longgame``
        metadata: experiment, fingerprint, version, source digest), for a damaged manifest;
        {} if no run file can be read. A ScenarioError if they were made by another experiment:
        --resume would mix two sweeps."""
        import pyarrow.parquet as pq

        made: dict[str, Any] = {}
        for index in sorted(self.finished()):
            path = self.runs_dir / _run_name(index)
            try:
                made = json.loads(pq.read_schema(path).metadata[b"longgame"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged run file: set aside when the store opens
            break
        if not made:
            return {}
        if not _same_experiment({"fingerprint": made.get("fingerprint")}, experiment):
            raise ScenarioError(
                f"{self.root / MANIFEST} is damaged, and the runs in {self.runs_dir} were made by "
                f"another experiment ({made.get('experiment')!r}, fingerprint "
                f"{made.get('fingerprint')}; this one's is {experiment.fingerprint()}); --resume "
                "needs the same experiment, or choose another output directory (--out)"
            )
        return {
            "experiment_name": made.get("experiment"),
            "fingerprint": made.get("fingerprint"),
            "finished_runs": len(self.finished()),
            "created_utc": None,  # lost with the manifest, as are the command and inputs
            "command": None,
            "version": made.get("version"),
            "source_digest": made.get("source_digest"),
            "inputs": None,
            "rebuilt": True,
        }

    def open(
        self,
        experiment: Experiment,
        runs: list[RunInfo],
        points: pd.DataFrame,
        *,
        resume: bool,
        command: list[str] | None = None,
        seeding: str = "common",
        inputs: Iterable[Path] = (),
    ) -> set[int]:
        """Create the store (or reopen it with ``resume``); the indices of finished runs.

        Without ``resume`` the directory must be new, empty or a sweep that finished no run (any
        other file in it could be overwritten); with it, it must hold a sweep (a mistyped --out
        would otherwise start the whole sweep again elsewhere) of the same experiment (same
        fingerprint), whose origin (command, time, code version) the manifest keeps; it records
        the ``inputs`` of this start (``sim.output.input_files``). Leftover temporary files of a
        killed sweep are removed. The store then holds the directory's lock (:meth:`lock`), so a
        second sweep in the same directory is refused until :meth:`unlock`.
        """
        inputs = list(inputs)
        read = input_files(inputs)
        self.lock(create=False)  # a sweep running there now is named before anything else
        try:
            old = self._previous(experiment, resume=resume, read=read)  # refuse, writing nothing
            if self._lock is None:  # no lock file yet: make it, and read again under the lock
                self.lock()  # held until the sweep ends (Sweep.execute) or this store is dropped
                old = self._previous(experiment, resume=resume, read=read)
            return self._create(
                experiment,
                runs,
                points,
                old,
                command=command,
                seeding=seeding,
                inputs=inputs,
            )
        except BaseException:
            self.unlock()
            raise

    def _previous(
        self, experiment: Experiment, *, resume: bool, read: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """The manifest of the sweep the directory holds, if ``experiment`` (made from the files
        ``read``) may go on there ({} to start afresh), else a ScenarioError saying why not."""
        existing = self.root / MANIFEST
        old: dict[str, Any] = {}
        if existing.is_file():
            try:
                old = load_manifest(self.root, advice="choose another output directory (--out)")
            except DamagedManifest:
                if not resume:
                    raise
                old = self._from_runs(experiment)
            if not old.get("finished_runs") and not _indices(self.runs_dir):
                old = {}  # nothing finished (e.g. the scheduler was unreachable): start afresh
            elif not resume:
                raise ScenarioError(
                    f"{self.root} already holds a sweep ({old.get('experiment_name')!r}); "
                    "add --resume (resume=True from Python) to finish it, or choose another "
                    "output directory (--out)"
                )
            if old and not _same_experiment(old, experiment):
                changed = _differences(old.get("experiment"), experiment.stable_dump())
                shown = "; ".join(
                    f"{path}: {was!r} then, {now!r} now" for path, was, now in changed[:3]
                )
                more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
                raise ScenarioError(
                    f"{self.root} holds a different experiment ({old.get('experiment_name')!r}, "
                    f"fingerprint {old.get('fingerprint')})"
                    + (f": {shown}{more}" if shown else "")
                    + "; --resume needs the same experiment (its files, and the presets they "
                    "name, as they were), or choose another output directory (--out)"
                )
            if old.get("inputs") is not None and (
                changed := _changed_data(old.get("inputs", []), read)
            ):
                raise ScenarioError(
                    f"{self.root} holds a sweep made from other data: {changed[0]}"
                    + (f" (and {len(changed) - 1} more)" if len(changed) > 1 else "")
                    + "; --resume needs the same input files: restore them, or choose another "
                    "output directory (--out)"
                )
        elif resume:
            raise ScenarioError(
                f"nothing to resume in {self.root}: it holds no sweep (no {MANIFEST}); "
                "to start the sweep there, run the same command without --resume (from "
                "Python: resume=False)"
            )
        elif foreign := _foreign(self.root):
            raise ScenarioError(
                f"{self.root} holds files but no sweep (no {MANIFEST}), e.g. {foreign[0]!r}; "
                "choose a new or empty output directory (--out)"
            )
        return old

    def _create(
        self,
        experiment: Experiment,
        runs: list[RunInfo],
        points: pd.DataFrame,
        old: dict[str, Any],
        *,
        command: list[str] | None,
        seeding: str,
        inputs: Iterable[Path],
    ) -> set[int]:
        """Write the store's manifest and design (over ``old``'s, keeping its origin)."""
        for directory in (self.root, self.runs_dir, self.daily_dir, self.failed_dir):
            if directory.is_dir():
                for leftover in directory.glob(".*.tmp"):  # atomic_write's temporary files
                    leftover.unlink(missing_ok=True)
        self.damaged = self._set_aside_damaged()
        self.rebuilt = bool(old.get("rebuilt"))
        if self.rebuilt:  # the damaged manifest is kept for whoever wants to look at it
            self._set_aside(self.root / MANIFEST)
        self._info = manifest(
            pd.DataFrame(),
            scenario=experiment,
            engine="vector",
            command=command,
            inputs=inputs,
            extra={
                "kind": "sweep",
                "experiment_name": experiment.name,
                "fingerprint": experiment.fingerprint(),
                "total_runs": len(runs),
                "seeds_per_point": experiment.seeds,
                "seeds_across_points": seeding,
                "points": len(points),
                "files": {
                    "runs": "runs/",
                    "daily": "daily/",
                    "points": POINTS,
                    "results": RESULTS,
                },
            },
        )
        self._info["experiment"] = self._info.pop("scenario")
        self._info["days"] = {"first": 0, "last": experiment.days - 1}
        self._info.pop("seeds", None)
        self._info.pop("rows", None)
        if old:  # resumed: the sweep keeps its origin, each resumption (and its code) is added
            self._info["resumed"] = [
                *old.get("resumed", []),
                {
                    "utc": self._info["created_utc"],
                    **{key: self._info[key] for key in _ORIGIN if key != "created_utc"},
                },
            ]
            self._info.update({key: old[key] for key in _ORIGIN if key in old})
            if self.rebuilt:
                self._info["rebuilt_utc"] = self._info["resumed"][-1]["utc"]
        self._info["strategies"] = [strategy.name for strategy in experiment.strategies]
        self._made_by = {
            key: self._info["resumed"][-1][key] if old else self._info[key]
            for key in ("version", "source_digest")
        } | {
            "package": "longgame",
            "engine": "vector",
            "experiment": experiment.name,
            "fingerprint": experiment.fingerprint(),
        }
        self._info["runs"] = [
            {
                "run": run.index,
                "point": run.point,
                "replicate": run.replicate,
                "seed": run.seed,
                "status": "pending",
            }
            for run in runs
        ]
        done = self.finished()
        self.write_manifest(force=True)
        atomic_write(
            self.root / POINTS, lambda tmp: write_parquet(points, tmp, self._made_by, index=None)
        )
        self._record_sha256(POINTS)
        return done

    def code_changes(self) -> tuple[list[str], str]:
        """The code of the earlier starts of this sweep that is not this start's, once each, and
        this start's code, each as "longgame 0.1.0 (source d6fb8ab0f14e)": runs stored by other
        code differ from this start's if the model changed in between."""
        if self._info is None:
            return [], ""
        starts = [self._info, *self._info.get("resumed", [])]
        code = [f"longgame {s.get('version')} (source {s.get('source_digest')})" for s in starts]
        return [text for text in dict.fromkeys(code[:-1]) if text != code[-1]], code[-1]

    def _set_aside_damaged(self) -> list[int]:
        """Move the files of finished runs that are not whole (:func:`_whole`: cut short or
        emptied by a crash of the machine, or damaged on disk) to ``damaged/`` (``runs/`` and
        ``daily/`` there), so that those runs count as unfinished and run again; their indices."""
        moved = []
        for index in sorted(self.finished()):
            files = [directory / _run_name(index) for directory in (self.runs_dir, self.daily_dir)]
            files = [path for path in files if path.exists()]
            if all(_whole(path) for path in files):
                continue
            for path in reversed(files):  # the daily file last: the runs/ file is the marker
                self._set_aside(path)
            moved.append(index)
        return moved

    def _set_aside(self, path: Path) -> None:
        """Move a damaged file of the sweep to the same place under ``damaged/``."""
        target = self.root / DAMAGED / path.relative_to(self.root)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        except OSError as error:
            raise cannot_write(target, error) from error

    def _record_sha256(self, name: str) -> None:
        """Put the SHA-256 of the sweep's file ``name`` in the manifest, and write it."""
        if self._info is not None:
            self._info.setdefault("sha256", {})[name] = file_sha256(self.root / name)
            self.write_manifest(force=True)

    # -- recording ------------------------------------------------------------------------------

    def finished(self) -> set[int]:
        """Indices of the runs whose results file exists."""
        return _indices(self.runs_dir)

    def write_run(self, index: int, final: pd.DataFrame, daily: pd.DataFrame | None) -> None:
        """Record a finished run: its daily series first, then its final outcomes (the marker)."""
        made_by = {**self._made_by, "run": index}
        if daily is not None:
            atomic_write(
                self.daily_dir / _run_name(index), lambda tmp: write_parquet(daily, tmp, made_by)
            )
        atomic_write(
            self.runs_dir / _run_name(index), lambda tmp: write_parquet(final, tmp, made_by)
        )
        (self.failed_dir / _run_name(index, "json")).unlink(missing_ok=True)

    def write_failure(self, index: int, message: str) -> None:
        """Record why a run failed (it stays unfinished, so --resume tries it again)."""
        text = json.dumps({"run": index, "error": message}) + "\n"
        atomic_write(
            self.failed_dir / _run_name(index, "json"), lambda tmp: tmp.write_text(text, "utf-8")
        )

    def write_manifest(self, *, force: bool = False, every: float = 2.0) -> None:
        """Rewrite the manifest with each run's status (at most every ``every`` seconds, and at
        most :data:`MANIFEST_SHARE` of the time: the manifest of a large sweep takes seconds to
        write, and rewriting it after every run would make the sweep wait for it)."""
        if self._info is None:
            return
        now = time.monotonic()
        wait = max(every, self._manifest_seconds / MANIFEST_SHARE)
        if not force and now - self._last_manifest < wait:
            return
        self._last_manifest = now
        done = self.finished()
        failed = {int(p.stem.split("-")[1]) for p in self.failed_dir.glob("run-*.json")}
        for run in self._info["runs"]:
            index = run["run"]
            run["status"] = "done" if index in done else "failed" if index in failed else "pending"
        self._info["finished_runs"] = len(done)
        text = json.dumps(self._info, indent=1, allow_nan=False) + "\n"
        atomic_write(self.root / MANIFEST, lambda tmp: tmp.write_text(text, "utf-8"))
        self._manifest_seconds = time.monotonic() - now

    def consolidate(self) -> Path:
        """Write ``results.parquet``: every finished run in one table."""
        table = load_results(self.root)
        path = atomic_write(
            self.root / RESULTS, lambda tmp: write_parquet(table, tmp, self._made_by)
        )
        self._record_sha256(RESULTS)
        return path


# ---- reading ---------------------------------------------------------------------------------


def _read(path: Path, advice: str) -> pd.DataFrame:
    """A Parquet file of a sweep; an OutputError naming it, the cause and ``advice`` if it
    cannot be read (e.g. it was cut short)."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        cause = " ".join(str(error).split())[:160]
        raise OutputError(f"cannot read {path} ({cause}); {advice}") from None


_DAMAGED_RUN = (
    "if the file is damaged, run the sweep again with --resume: it moves such files to "
    f"{DAMAGED}/ and runs their runs again"
)


def _read_all(directory: Path, indices: Iterable[int]) -> pd.DataFrame:
    frames = [_read(directory / _run_name(index), _DAMAGED_RUN) for index in sorted(indices)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def load_manifest(
    root: Path | str, advice: str = "give a directory written by longgame sweep"
) -> dict[str, Any]:
    """The manifest of a sweep directory; OutputError if there is none (or it is another
    command's, e.g. the results of ``longgame compare``; the message ends with ``advice``)."""
    path = Path(root) / MANIFEST
    try:
        info = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        if not Path(root).exists():
            raise OutputError(f"{root} does not exist; {advice}") from None
        raise OutputError(f"{root} is not a sweep directory (no {MANIFEST}); {advice}") from None
    except NotADirectoryError:
        raise OutputError(f"{root} is a file, not a sweep directory; {advice}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:  # cut short, zeroed, garbled
        raise DamagedManifest(
            f"{path} is damaged ({exc}); run the sweep again with --resume: it sets the file "
            "aside and rebuilds the manifest from the finished runs"
        ) from None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc}") from None
    if not isinstance(info, dict) or info.get("kind") != "sweep":
        made_by = info.get("command") if isinstance(info, dict) else None
        raise OutputError(
            f"{root} is not a sweep directory: its {MANIFEST} is not a sweep's"
            + (f" (written by '{made_by}')" if made_by else "")
            + f"; {advice}"
        )
    return info


def load_results(root: Path | str) -> pd.DataFrame:
    """The finished runs as one table, in run order (one row per run and strategy): the
    consolidated ``results.parquet`` when it holds exactly the finished runs (a run file is
    written once and never changes), else every run file (a sweep still running or resumed)."""
    root = Path(root)
    finished = _indices(root / "runs")
    try:
        consolidated = pd.read_parquet(root / RESULTS)
    except (OSError, ValueError):  # missing, or not (yet) a readable Parquet file
        consolidated = None
    if consolidated is not None and set(consolidated.get("run", ())) == finished:
        return consolidated
    return _read_all(root / "runs", finished)


def load_daily(root: Path | str) -> pd.DataFrame:
    """The daily series of the finished runs (empty if the experiment keeps none)."""
    root = Path(root)
    finished = _indices(root / "runs") & _indices(root / "daily")
    return _read_all(root / "daily", finished)


def load_points(root: Path | str) -> pd.DataFrame:
    """The design table of a sweep directory (index ``point``)."""
    return _read(
        Path(root) / POINTS, "run the sweep again with --resume: it writes the design again"
    )
