"""Load real social graphs from edge-list files into a `FollowerGraph`.

Accepted files: plain text with one ``u v`` pair per line (any whitespace), or CSV with an
optional header line (``id_1,id_2``); either may be gzip-compressed (``.gz`` suffix). Anything
after a ``#`` or a ``%`` (the comment mark of KONECT's files) is a comment; blank lines are
skipped. Ids are arbitrary 64-bit integers, renumbered ``0..n-1`` in increasing order and kept
as ``labels``. Self-loops and duplicate edges are dropped; people who appear only in a self-loop
are kept (they exist, they just follow no one).

``direction`` says what a line ``u v`` means (see ``data/graphs/README.md``):

- ``undirected``: u and v are friends; each sees the other's activity.
- ``follows``: u follows v, so v's posts reach u.
- ``flows``: u's posts reach v, i.e. v follows u (e-mail, retweets).

Parsing uses pandas' C reader; when it fails, the file is re-scanned line by line so that the
error names the offending line.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NoReturn

import numpy as np
import pandas as pd

from sim.audience.graph import FollowerGraph, dedupe_sorted
from sim.errors import is_directory, not_a_file

__all__ = [
    "COMMUNITY_FILES",
    "GRAPHS_DIR",
    "SHIPPED_GRAPHS",
    "Direction",
    "EdgeListError",
    "files_of",
    "is_file",
    "load_edgelist",
    "resolve_graph_path",
    "shipped_direction",
]

Direction = Literal["undirected", "follows", "flows"]

GRAPHS_DIR = Path(__file__).resolve().parents[2] / "data" / "graphs"
"""The real graphs shipped with the repository (sources and licences in its README)."""

SHIPPED_GRAPHS: dict[str, tuple[str, Direction]] = {
    "facebook_combined": ("facebook_combined.txt.gz", "undirected"),
    "email-Eu-core": ("email-Eu-core.txt.gz", "flows"),
    "twitter_ego_12831": ("twitter_ego_12831.edges", "follows"),
    "lastfm_asia": ("lastfm_asia_edges.csv.gz", "undirected"),
    "musae_facebook": ("musae_facebook_edges.csv.gz", "undirected"),
}
"""Short name -> (file in ``data/graphs/``, meaning of a line ``u v``)."""

COMMUNITY_FILES: dict[str, str] = {
    "email-Eu-core.txt.gz": "email-Eu-core-department-labels.txt.gz",
}
"""Edge-list file -> file beside it with ``node community`` lines, loaded as ``community``."""

_INTEGER = re.compile(rb"[+-]?[0-9]+")
COMMENT_MARKS = (b"#", b"%")
"""What starts a comment in an edge-list file: ``#`` (SNAP) and ``%`` (KONECT)."""


class EdgeListError(ValueError):
    """An edge-list file that cannot be read; the message names the file and the line."""


def is_file(path: Path) -> bool:
    """Whether ``path`` is an existing file; a name the system cannot look up (too long, a NUL
    character, an unreadable folder) is not one, rather than an exception."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def shipped_direction(path: Path) -> Direction | None:
    """The direction of a shipped graph file (by file name), else None."""
    for file, direction in SHIPPED_GRAPHS.values():
        if Path(path).name == file:
            return direction
    return None


def resolve_graph_path(path_or_name: str | Path, base_dir: Path | None = None) -> Path:
    """An existing edge-list file for a scenario's ``graph.path``.

    Tried in order: the path itself (relative to ``base_dir`` when relative and ``base_dir`` is
    given); a shipped graph by short name (``"facebook_combined"``); a file of that name in the
    repository's ``data/graphs/``, for a bare file name or one in a ``data/graphs`` folder (a
    mistyped folder is not silently replaced by the shipped file).
    """
    path = Path(path_or_name)
    candidates = [base_dir / path if base_dir is not None and not path.is_absolute() else path]
    if str(path_or_name) in SHIPPED_GRAPHS:
        candidates.append(GRAPHS_DIR / SHIPPED_GRAPHS[str(path_or_name)][0])
    if path.parent == Path(".") or path.parent.as_posix().endswith("data/graphs"):
        candidates.append(GRAPHS_DIR / path.name)
    for candidate in candidates:
        if is_file(candidate):
            return candidate
    if is_directory(candidates[0]):
        raise EdgeListError(f"graph file {str(path_or_name)!r}: {not_a_file(candidates[0])}")
    tried = ", ".join(str(candidate) for candidate in candidates)
    raise EdgeListError(f"graph file {str(path_or_name)!r} not found; tried {tried}")


def files_of(path: Path) -> list[Path]:
    """The files :func:`load_edgelist` reads for the edge list ``path``: it, and the community
    labels file beside it if it has one (``COMMUNITY_FILES``)."""
    labels = _labels_file(path)
    return [path] if labels is None else [path, labels]


def _labels_file(path: Path) -> Path | None:
    """The community labels file beside ``path``, if it has one; a shipped graph must have its
    own (without it the audience's communities, and so the results, change without a word)."""
    name = COMMUNITY_FILES.get(path.name)
    if name is None:
        return None
    if is_file(path.parent / name):
        return path.parent / name
    if _shipped(path):
        raise EdgeListError(
            f"{path}: its labels file {name} is missing from {path.parent}; restore it "
            "(git checkout -- data/graphs)"
        )
    return None


def _shipped(path: Path) -> bool:
    """Whether ``path`` is one of the files in ``data/graphs/``."""
    return path.resolve().parent == GRAPHS_DIR


@functools.cache
def _shipped_sums() -> dict[str, str]:
    """SHA-256 of each shipped file, by name, from ``data/graphs/SHA256SUMS``."""
    sums = GRAPHS_DIR / "SHA256SUMS"
    if not is_file(sums):
        return {}
    pairs = (line.split() for line in sums.read_text("utf-8").splitlines())
    return {pair[1]: pair[0] for pair in pairs if len(pair) == 2}


def _check_shipped(path: Path) -> None:
    """A file in ``data/graphs/`` must be the one shipped (``SHA256SUMS``): a copy cut at a line
    would otherwise run as a smaller audience without a word."""
    expected = _shipped_sums().get(path.name) if _shipped(path) else None
    if expected is None:
        return
    with path.open("rb") as stream:
        actual = hashlib.file_digest(stream, "sha256").hexdigest()
    if actual != expected:
        raise EdgeListError(
            f"{path}: not the file shipped in data/graphs/ (its SHA-256 differs from "
            "SHA256SUMS there); restore it (git checkout -- data/graphs), or copy it elsewhere "
            "to use it as a graph of your own"
        )


def load_edgelist(path: str | Path, direction: Direction = "undirected") -> FollowerGraph:
    """Read an edge-list file as a follower graph (see the module docstring for the format).

    Raises `EdgeListError` naming the file and line for a malformed line, a non-integer id, an
    id outside the 64-bit range, a truncated or corrupt gzip file, or a file without edges.
    """
    path = Path(path)
    if direction not in ("undirected", "follows", "flows"):
        raise ValueError(f"unknown direction {direction!r}")
    first, second = _read_pairs(path)
    labels, ids = _renumber(np.concatenate([first, second]))
    n = labels.size
    u, v = ids[: first.size], ids[first.size :]
    if direction == "undirected":
        follower, followed = np.concatenate([u, v]), np.concatenate([v, u])
    elif direction == "follows":
        follower, followed = u, v
    else:
        follower, followed = v, u
    community = _communities_beside(path, labels)
    graph = FollowerGraph.from_edges(n, follower, followed, community, labels)
    if graph.n_edges == 0:
        raise EdgeListError(f"{path}: no edges other than self-loops in {first.size} line(s)")
    return graph


def _renumber(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct ids (labels) and each id's position among them (sort + diff)."""
    labels = dedupe_sorted(np.sort(ids))
    return labels, np.searchsorted(labels, ids)


def _communities_beside(path: Path, labels: np.ndarray) -> np.ndarray | None:
    """Community of each person from a known labels file beside ``path`` (0 where missing)."""
    file = _labels_file(path)
    if file is None:
        return None
    node, group = _read_pairs(file)
    position = np.minimum(np.searchsorted(labels, node), labels.size - 1)
    known = labels[position] == node
    community = np.zeros(labels.size, dtype=np.int32)
    community[position[known]] = group[known]
    return community


def _read_pairs(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The two int64 columns of an edge-list file."""
    data = _read_bytes(path)
    csv = _is_csv(path, data)
    if csv:
        data = _blank_header(data).replace(b",", b" ")
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=r"\s+", header=None, comment=COMMENT_MARKS[0].decode(), engine="c"
        )
    except ValueError:  # pandas' ParserError and EmptyDataError, or undecodable bytes
        frame = None
    if (
        frame is None
        or frame.shape[1] != 2
        or frame.shape[0] == 0
        or not all(dtype == np.int64 for dtype in frame.dtypes)
    ):
        _raise_first_bad_line(path, data)
    return frame[0].to_numpy(np.int64), frame[1].to_numpy(np.int64)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it ends in ``.gz``, every comment mark as ``#``
    (pandas' reader knows one)."""
    return _one_comment_mark(_raw_bytes(path))


def _one_comment_mark(data: bytes) -> bytes:
    """``data`` with every mark of :data:`COMMENT_MARKS` written as the first."""
    for mark in COMMENT_MARKS[1:]:
        data = data.replace(mark, COMMENT_MARKS[0])
    return data


def _raw_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it ends in ``.gz``."""
    if not is_file(path):
        raise EdgeListError(f"{path}: no such file")
    _check_shipped(path)
    if path.suffix != ".gz":
        return path.read_bytes()
    chunks: list[bytes] = []
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(1 << 16):
                chunks.append(chunk)
    except (EOFError, OSError, zlib.error) as error:
        lines = sum(chunk.count(b"\n") for chunk in chunks)
        raise EdgeListError(
            f"{path}: compressed data truncated or corrupt after line {lines} ({error})"
        ) from error
    return b"".join(chunks)


def _data_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(line number, line without comment) for each line with content."""
    for number, line in enumerate(data.split(b"\n"), start=1):
        content = line.split(COMMENT_MARKS[0], 1)[0].strip()
        if content:
            yield number, content


def _is_csv(path: Path, data: bytes) -> bool:
    """CSV by name, or by a comma in the first line with content."""
    if ".csv" in path.suffixes:
        return True
    first = next(_data_lines(data), None)
    return first is not None and b"," in first[1]


def _blank_header(data: bytes) -> bytes:
    """Empty the first line with content if it is not a pair of integers (a CSV header)."""
    first = next(_data_lines(data), None)
    if first is None:
        return data
    number, content = first
    fields = content.replace(b",", b" ").split()
    if all(_INTEGER.fullmatch(field) for field in fields):
        return data
    lines = data.split(b"\n")
    lines[number - 1] = b""
    return b"\n".join(lines)


def _raise_first_bad_line(path: Path, data: bytes) -> NoReturn:
    """Raise an `EdgeListError` for the first line that is not two 64-bit integer ids."""
    number = 0
    for number, content in _data_lines(data):
        fields = content.split()
        if len(fields) != 2:
            raise EdgeListError(
                f"{path}, line {number}: expected 2 ids, found {len(fields)}: {_show(content)}"
            )
        for field in fields:
            if not _INTEGER.fullmatch(field):
                raise EdgeListError(f"{path}, line {number}: id {_show(field)} is not an integer")
            digits = field.lstrip(b"+-").lstrip(b"0")  # int() refuses over 4,300 digits
            if len(digits) > 19 or not -(2**63) <= int(field) < 2**63:
                raise EdgeListError(
                    f"{path}, line {number}: id {_show(field)} is outside the 64-bit range"
                )
    if number == 0:
        lines = data.count(b"\n") + (not data.endswith(b"\n") and bool(data))
        raise EdgeListError(f"{path}, line {max(lines, 1)}: end of file and no edge found")
    raise EdgeListError(f"{path}: could not be read as an edge list")


def _show(text: bytes) -> str:
    """A short printable rendering of file content for error messages."""
    shown = text.decode("utf-8", errors="replace")
    return repr(shown if len(shown) <= 40 else shown[:37] + "...")
