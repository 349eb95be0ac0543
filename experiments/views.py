"""What a Sweeps page needs, as plain functions: a web page (or a notebook) stays a thin layer.

Typical use in a page::

    from experiments import views, figures

    data = views.open_sweep("out/sweeps/robustness")          # SweepData
    choices = views.choices(data)                              # parameters, outcomes, strategies
    table = views.heatmap_table(data, "equity", "behavior.reply_trust",
                                "market.no_relationship", strategy="consistent_engagement",
                                versus="broadcasting")         # DataFrame: rows y bins, cols x bins
    fig = figures.heatmap_figure(table, title="CE - BC equity")
    bars = views.sensitivity_table(data, "consistent_engagement: equity")
    fig = figures.sensitivity_figure(bars, title="equity of CE")
    report = views.robustness_report(data)                    # JSON-ready dict

Every function reads only the sweep directory, so the page can offer any directory that
``longgame sweep`` wrote (also one still running: only finished runs are shown). A page opens
only directories inside the allowed folders (:func:`allowed_roots`, :func:`find_sweeps`,
:func:`resolve_sweep_dir`): a path typed by a user must not reach the rest of the server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import (
    SweepData,
    failure_text,
    load_sweep,
    point_means,
    robustness,
    sensitivity,
    target_names,
)
from experiments.design import UNIT_PREFIX
from experiments.store import MANIFEST, POINTS

__all__ = [
    "DEFAULT_SWEEPS_DIR",
    "SWEEPS_DIR_ENV",
    "SweepPathError",
    "allowed_roots",
    "choices",
    "find_sweeps",
    "heatmap_table",
    "initial_selection",
    "open_sweep",
    "resolve_sweep_dir",
    "robustness_report",
    "robustness_table",
    "sensitivity_table",
    "shown_message",
    "shown_path",
    "target_for",
]

SWEEPS_DIR_ENV = "LONGGAME_SWEEPS_DIR"
"""Environment variable naming the folders a page may open sweeps from (``os.pathsep``
separated)."""
DEFAULT_SWEEPS_DIR = Path("out/sweeps")
"""Where ``longgame sweep`` output usually goes (relative to the current directory)."""


class SweepPathError(ValueError):
    """A sweep path a page must not open: outside the allowed folders, or missing."""


def allowed_roots(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The folders sweeps may be opened from, resolved: those in ``LONGGAME_SWEEPS_DIR``, else
    ``out/sweeps``."""
    environ = os.environ if environ is None else environ
    named = [part for part in environ.get(SWEEPS_DIR_ENV, "").split(os.pathsep) if part.strip()]
    return [Path(part).expanduser().resolve() for part in named or [str(DEFAULT_SWEEPS_DIR)]]


def _is_sweep(directory: Path) -> bool:
    return (directory / MANIFEST).is_file() and (directory / POINTS).is_file()


def find_sweeps(roots: Sequence[Path]) -> dict[str, Path]:
    """The sweep directories at any depth under ``roots`` (not inside another sweep), by label:
    the path from the root's parent, such as ``sweeps/smoke``; sorted by label."""
    found: dict[str, Path] = {}
    for root in roots:
        for current, folders, _ in os.walk(root):
            directory = Path(current)
            if _is_sweep(directory):
                found[directory.relative_to(root.parent).as_posix()] = directory
                folders.clear()
            else:
                folders[:] = sorted(f for f in folders if not f.startswith("."))
    return dict(sorted(found.items()))


def shown_path(path: Path) -> str:
    """A folder as a user sees it: relative to the current directory when inside it."""
    here = Path.cwd()
    return path.relative_to(here).as_posix() if path.is_relative_to(here) else str(path)


def shown_message(message: str, roots: Sequence[Path]) -> str:
    """An error about a sweep as a page shows it: the allowed folders named as a user sees them
    (as the path box names them), so the server's own folders stay private."""
    spelled = {str(spelling): root for root in roots for spelling in (root, root.resolve())}
    for spelling in sorted(spelled, key=len, reverse=True):
        message = message.replace(spelling, shown_path(spelled[spelling]))
    return message


def resolve_sweep_dir(text: str, roots: Sequence[Path]) -> Path:
    """The directory a user typed, resolved (symbolic links and ``..`` included), if it lies
    inside one of ``roots``; a relative path is looked up in each root, in its parent (where the
    labels of `find_sweeps` start), then in the current directory. SweepPathError otherwise,
    with a message for the user."""
    text = text.strip()
    if not text:
        raise SweepPathError("type the path of a sweep directory")
    typed = Path(text).expanduser()
    bases = [] if typed.is_absolute() else [*roots, *(root.parent for root in roots), Path.cwd()]
    candidates = [(base / typed).resolve() for base in bases] or [typed.resolve()]
    inside = [c for c in candidates if any(c.is_relative_to(root) for root in roots)]
    allowed = ", ".join(shown_path(root) for root in roots)
    if not inside:
        raise SweepPathError(
            f"{text} is outside the folders sweeps may be opened from ({allowed}); "
            f"set {SWEEPS_DIR_ENV} to allow another folder"
        )
    existing = next((c for c in inside if c.is_dir()), None)
    if existing is None:
        raise SweepPathError(f"{text}: no such directory in {allowed}")
    return existing


def open_sweep(root: Path | str) -> SweepData:
    """Load a sweep directory written by ``longgame sweep`` (OutputError if it is not one)."""
    return load_sweep(root)


def choices(data: SweepData) -> dict[str, Any]:
    """What the page's selectors offer: parameters (with ranges and meaning), outcomes,
    strategies, sensitivity targets, comparisons, and progress (finished / total runs)."""
    return {
        "parameters": [
            {
                "name": p.path,
                "low": p.low,
                "high": p.high,
                "log": p.log,
                "values": list(p.values) if p.values else None,
                "description": p.description,
            }
            for p in data.parameters
        ],
        "outcomes": data.outcomes,
        "strategies": data.strategies,
        "comparisons": [c.label for c in data.experiment.comparisons],
        "targets": target_names(data),
        "finished_runs": int(data.results["run"].nunique()),
        "total_runs": int(data.manifest.get("total_runs", 0)),
    }


def initial_selection(data: SweepData) -> dict[str, str | None]:
    """What a page shows first: the first headline comparison of two strategies (its outcome,
    ``strategy`` its better and ``versus`` its worse strategy; else the first outcome and
    strategy alone) over the first two parameters as ``x`` and ``y``."""
    names = data.parameter_names
    first = next((c for c in data.experiment.comparisons if c.pairwise), None)
    return {
        "outcome": first.outcome if first else data.outcomes[0],
        "strategy": first.better if first else data.strategies[0],
        "versus": first.worse if first else None,
        "x": names[0],
        "y": names[1] if len(names) > 1 else names[0],
    }


def _cells(data: SweepData, name: str, bins: int) -> pd.Series:
    spec = data.parameter(name)
    if spec.values is not None:
        return data.points[name].map(lambda v: f"{v:.4g}")
    unit = data.points[UNIT_PREFIX + name].to_numpy(dtype=float)
    index = np.minimum((unit * bins).astype(int), bins - 1)
    if spec.log:
        edges = np.geomspace(spec.low, spec.high, bins + 1)
    else:
        edges = np.linspace(spec.low, spec.high, bins + 1)
    centres = [
        f"{(edges[i] * edges[i + 1]) ** 0.5 if spec.log else (edges[i] + edges[i + 1]) / 2:.3g}"
        for i in range(bins)
    ]
    return pd.Series([centres[i] for i in index], index=data.points.index)


def heatmap_table(
    data: SweepData,
    outcome: str,
    x: str,
    y: str,
    *,
    strategy: str | None = None,
    versus: str | None = None,
    bins: int = 8,
) -> pd.DataFrame:
    """Mean ``outcome`` over two parameters: rows are ``y`` cells (low to high), columns ``x``
    cells (bin centres for sampled designs, values for grids), NaN where no point fell.

    ``strategy`` defaults to the first strategy; with ``versus`` the cell holds the mean paired
    difference ``strategy - versus`` (e.g. where consistent engagement beats broadcasting).
    """
    strategy = data.named("strategy", strategy or data.strategies[0])
    for what, name in (("outcome", outcome), ("parameter", x), ("parameter", y)):
        data.named(what, name)
    if versus is not None:
        data.named("strategy", versus)
    means = point_means(data)
    value = means[means["strategy"] == strategy].set_index("point")[outcome]
    if versus is not None:
        value = value - means[means["strategy"] == versus].set_index("point")[outcome]
    frame = pd.DataFrame(
        {
            "value": value,
            "x": _cells(data, x, bins),
            "y": _cells(data, y, bins),
            "xv": data.points[x],
            "yv": data.points[y],
        }
    ).dropna(subset=["value"])
    x_order = list(dict.fromkeys(frame.sort_values("xv")["x"]))
    y_order = list(dict.fromkeys(frame.sort_values("yv")["y"]))
    table = frame.pivot_table(index="y", columns="x", values="value", aggfunc="mean")
    table = table.reindex(index=y_order, columns=x_order)
    table.index.name, table.columns.name = y, x
    return table


def sensitivity_table(data: SweepData, target: str | None = None) -> pd.DataFrame:
    """Sensitivity indices (see :func:`experiments.analysis.sensitivity`), for one target if
    given (a ``"strategy: outcome"`` name or a comparison label; only it is computed), largest
    first."""
    table = sensitivity(data, target)
    return table.sort_values(["target", "value"], ascending=[True, False]).reset_index(drop=True)


def target_for(data: SweepData, outcome: str, strategy: str, versus: str | None = None) -> str:
    """The sensitivity target of a heatmap's choices: the comparison of ``strategy`` against
    ``versus`` on ``outcome`` if the experiment has one, else ``"strategy: outcome"``."""
    data.named("outcome", outcome)
    data.named("strategy", strategy)
    for comparison in data.experiment.comparisons:
        if (comparison.better, comparison.worse, comparison.outcome) == (strategy, versus, outcome):
            return comparison.label
    return f"{strategy}: {outcome}"


def robustness_report(data: SweepData) -> dict[str, Any]:
    """The robustness report (:func:`experiments.analysis.robustness`) as a JSON-ready dict."""
    return robustness(data)


def robustness_table(report: dict[str, Any]) -> pd.DataFrame:
    """One row per headline comparison of a :func:`robustness_report`: the share of points
    where it holds with its 95% interval, the share where it is significant (None with one seed
    per point), the median difference, the three main drivers and where it fails, in words."""
    rows = [
        {
            "comparison": item["name"],
            "holds": item["share_holds"],
            "holds_lo": item["share_holds_lo"],
            "holds_hi": item["share_holds_hi"],
            "significant": item["share_significant"],
            "median_difference": item["median_difference"],
            "points": item["points"],
            "drivers": ", ".join(
                f"{d['parameter']} {d['spearman']:+.2f}"
                for d in item["drivers"][:3]
                if d["spearman"] is not None
            ),
            "fails": failure_text(item),
        }
        for item in report["comparisons"]
    ]
    columns = [
        "comparison",
        "holds",
        "holds_lo",
        "holds_hi",
        "significant",
        "median_difference",
        "points",
        "drivers",
        "fails",
    ]
    return pd.DataFrame(rows, columns=columns)
