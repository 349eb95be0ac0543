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
``longgame sweep`` wrote (also one still running: only finished runs are shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis import (
    SweepData,
    load_sweep,
    point_means,
    robustness,
    sensitivity,
)
from experiments.design import UNIT_PREFIX

__all__ = [
    "choices",
    "heatmap_table",
    "open_sweep",
    "robustness_report",
    "sensitivity_table",
]


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
        "targets": [
            *(f"{s}: {o}" for o in data.outcomes for s in data.strategies),
            *(c.label for c in data.experiment.comparisons),
        ],
        "finished_runs": int(data.results["run"].nunique()),
        "total_runs": int(data.manifest.get("total_runs", 0)),
    }


def _cells(data: SweepData, name: str, bins: int) -> pd.Series:
    spec = next(p for p in data.parameters if p.path == name)
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
    strategy = strategy or data.strategies[0]
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
    given (a ``"strategy: outcome"`` name or a comparison label), largest first."""
    table = sensitivity(data)
    if target is not None:
        table = table[table["target"] == target]
    return table.sort_values(["target", "value"], ascending=[True, False]).reset_index(drop=True)


def robustness_report(data: SweepData) -> dict[str, Any]:
    """The robustness report (:func:`experiments.analysis.robustness`) as a JSON-ready dict."""
    return robustness(data)
