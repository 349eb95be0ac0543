"""Exports: charts as PNG and SVG bytes, result tables as CSV, comparisons as TOML, and the
manifest that says what made a page's results."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.charts import save_figure
from sim.output import figure_note, package_versions, utc_stamp
from sim.schema import Comparison, Strategy
from sim.text import slug
from sim.toml_text import dump_toml

__all__ = [
    "figure_bytes",
    "table_csv",
    "manifest_json",
    "comparison_toml",
    "strategy_toml",
    "file_name",
]


def figure_bytes(fig: Figure, fmt: str, made_by: Mapping[str, Any], dpi: int = 120) -> bytes:
    """The figure drawn as ``fmt`` ("png" or "svg"), described by what made it (``made_by``:
    ``sim.output.provenance`` or a sweep's, written as ``sim.output.figure_note``)."""
    buffer = io.BytesIO()
    save_figure(fig, buffer, fmt, dpi, figure_note(made_by))
    return buffer.getvalue()


def table_csv(table: pd.DataFrame) -> str:
    """A result table as CSV text (full precision, no index)."""
    return table.to_csv(index=False)


def manifest_json(made_by: Mapping[str, Any], tables: Mapping[str, pd.DataFrame], page: str) -> str:
    """The manifest of a page's results, as JSON: what made them (``made_by``), when, on which
    page, with which packages, and the CSV download of each of ``tables`` (by the name its card
    gives it) with its SHA-256, so that a downloaded table can be traced to what made it."""
    files = {name: file_name(name, ".csv") for name in tables}
    info = {
        **made_by,
        "created_utc": utc_stamp(),
        "made_in": f"longgame app, {page} page",
        "versions": package_versions(),
        "files": files,
        "sha256": {
            files[name]: hashlib.sha256(table_csv(table).encode()).hexdigest()
            for name, table in tables.items()
        },
    }
    return json.dumps(info, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def comparison_toml(comparison: Comparison) -> str:
    """TOML that ``longgame compare FILE.toml`` runs to the same results."""
    header = (
        f"# {comparison.name}: exported from the longgame app.\n"
        "# Reproduce with: longgame compare THIS_FILE.toml --json\n\n"
    )
    return header + dump_toml(comparison)


def strategy_toml(strategy: Strategy) -> str:
    """TOML of a strategy, every parameter written out (loads back to an equal strategy)."""
    return dump_toml(strategy)


MAX_STEM = 64
"""Longest file name before its suffix."""


def file_name(text: str, suffix: str) -> str:
    """A safe file name from a title and a suffix (``.csv``, ``.png``, ...).

    A long title keeps its start and its end (where callers put what tells their files apart,
    e.g. ``_equity`` or ``_daily``), cut between words where it has them, around a short hash
    of the whole, so names stay distinct.
    """
    stem = slug(text, "longgame")
    if len(stem) > MAX_STEM:
        digest = hashlib.sha1(stem.encode()).hexdigest()[:6]
        head, tail = stem[:32], stem[-24:]
        if "_" in head[1:]:
            head = head[: head.rindex("_")]
        if "_" in tail[:-1]:
            tail = tail[tail.index("_") + 1 :]
        stem = f"{head.rstrip('_')}_{digest}_{tail.lstrip('_')}"
    return stem + suffix
