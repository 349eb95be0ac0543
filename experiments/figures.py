"""Figures of a sweep with matplotlib (``Figure`` objects, no pyplot state: thread-safe, and the
caller's backend is left alone).

Each builder takes the plain tables of :mod:`experiments.views` / :mod:`experiments.analysis`
and returns a :class:`matplotlib.figure.Figure`, which a page shows and the report saves:

- :func:`heatmap_figure`: an outcome over two parameters (:func:`experiments.views.heatmap_table`);
- :func:`sensitivity_figure`: index per parameter for one target, as horizontal bars;
- :func:`robustness_figure`: share of the sampled space where each comparison holds;
- :func:`failure_figure`: the points of a comparison over two parameters, holds vs fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.charts import save_figure
from sim.output import atomic_write
from sim.text import compact, slug

__all__ = [
    "failure_figure",
    "heatmap_figure",
    "robustness_figure",
    "save_png",
    "sensitivity_figure",
    "write_figures",
]


def save_png(figure: Figure, path: Path | str, note: str | None = None) -> Path:
    """Save a figure as PNG atomically, described by ``note`` (``sim.output.figure_note``)."""
    return atomic_write(path, lambda tmp: save_figure(figure, tmp, "png", 110, note, tight=True))


CELL_FONT = 12
"""Points of the values written in heatmap cells: readable on a projector once a page scales the
7-inch figure down to its column."""
EMPTY_CELL = "0.6"
"""Colour of the hatching of heatmap cells without a value (a pattern, where a grey would be
close to the pale colours of small differences)."""


def heatmap_figure(
    table: pd.DataFrame, *, title: str = "", diverging: bool | None = None
) -> Figure:
    """A heatmap of a :func:`heatmap_table` (rows: y parameter, columns: x parameter). Values of
    both signs, or any ``diverging`` values (a paired difference, whatever its signs), get a
    diverging colour map centred on 0, so that white is no difference; small tables write
    their values in the cells; cells without a value are hatched, and a note under the axes
    says so."""
    values = table.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if diverging is None:
        diverging = bool(finite.size and finite.min() < 0 < finite.max())
    figure = Figure(figsize=(7, 5.2), layout="constrained")
    ax = figure.subplots()
    if diverging and finite.size:
        bound = float(np.abs(finite).max()) or 1.0
        cmap = matplotlib.colormaps["RdBu"].with_extremes(bad=(0, 0, 0, 0))
        image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap, vmin=-bound, vmax=bound)
    else:
        cmap = matplotlib.colormaps["viridis"].with_extremes(bad=(0, 0, 0, 0))
        image = ax.imshow(values, origin="lower", aspect="auto", cmap=cmap)
    empty = not np.isfinite(values).all()
    if empty:  # the hatching shows through the empty cells only
        rows, columns = values.shape
        ax.add_patch(
            Rectangle(
                (-0.5, -0.5), columns, rows, hatch="///", fill=False, lw=0, ec=EMPTY_CELL, zorder=-1
            )
        )
    if _values_fit(values, figure):
        for (row, column), value in np.ndenumerate(values):
            if np.isfinite(value):
                red, green, blue, _ = image.cmap(image.norm(value))
                dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                ax.text(
                    column,
                    row,
                    compact(value),
                    ha="center",
                    va="center",
                    fontsize=CELL_FONT,
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], rotation=45)
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    ax.set_xlabel(
        str(table.columns.name or "") + ("\n(hatched: no value in the cell)" if empty else "")
    )
    ax.set_ylabel(str(table.index.name or ""))
    figure.colorbar(image, ax=ax)
    ax.set_title(title)
    return figure


def _values_fit(values: np.ndarray, figure: Figure) -> bool:
    """Whether every cell's value fits in its cell at ``CELL_FONT`` points (the axes take about
    three quarters of the figure each way)."""
    rows, columns = values.shape
    width, height = figure.get_size_inches() * 72 * 0.75
    widest = max((len(compact(value)) for value in values.flat if np.isfinite(value)), default=0)
    return widest * 0.6 * CELL_FONT < 0.9 * width / columns and height / rows > 1.5 * CELL_FONT


def sensitivity_figure(table: pd.DataFrame, *, title: str = "") -> Figure:
    """Horizontal bars of the sensitivity index per parameter for one target (rows of
    :func:`experiments.views.sensitivity_table`); ST beside S1 when both exist; |Spearman| when
    no index could be computed."""
    if table["target"].nunique() > 1:
        raise ValueError(
            "one target at a time: this table has "
            f"{table['target'].nunique()}; take sensitivity_table(data, target) for one"
        )
    figure = Figure(
        figsize=(7, 1.4 + 0.45 * max(1, table["parameter"].nunique())), layout="constrained"
    )
    ax = figure.subplots()
    indices = [i for i in dict.fromkeys(table["index"]) if i]
    parameters = list(dict.fromkeys(table["parameter"]))
    y = np.arange(len(parameters))
    if not indices:
        values = (
            table.groupby("parameter", sort=False)["spearman"].first().abs().reindex(parameters)
        )
        ax.barh(y, values.to_numpy(), color="tab:gray", label="|Spearman|")
        if values.isna().all():
            ax.text(
                0.5,
                0.5,
                "undefined (no variation)",
                transform=ax.transAxes,
                ha="center",
                backgroundcolor="white",
            )
    height = 0.8 / max(1, len(indices))
    for k, index in enumerate(indices):
        rows = table[table["index"] == index].set_index("parameter").reindex(parameters)
        conf = rows["conf"].to_numpy(dtype=float)
        ax.barh(
            y + (k - (len(indices) - 1) / 2) * height,
            rows["value"].to_numpy(dtype=float),
            height=height,
            xerr=np.where(np.isfinite(conf), conf, 0.0),
            label=index.replace("mu_star", "mu* (scaled)"),
        )
    ax.set_yticks(y, parameters)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    method = table["method"].iloc[0] if len(table) else ""
    ax.set_xlabel(f"sensitivity index ({method})")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize="small")
    ax.set_title(title)
    return figure


def robustness_figure(report: dict[str, Any], *, title: str = "") -> Figure:
    """Share of the sampled space where each comparison holds, with its 95% interval."""
    items = report["comparisons"]
    figure = Figure(figsize=(8, 1.8 + 0.45 * max(1, len(items))))
    figure.set_layout_engine("constrained", w_pad=0.15)  # room for the last tick, 1.0
    ax = figure.subplots()
    y = np.arange(len(items))
    share = np.array([item["share_holds"] for item in items], dtype=float)
    lo = np.array([item["share_holds_lo"] for item in items], dtype=float)
    hi = np.array([item["share_holds_hi"] for item in items], dtype=float)
    errors = np.clip([share - lo, hi - share], 0.0, None)
    ax.barh(y, share, xerr=errors, color="tab:green", label="holds")
    significant = [item["share_significant"] for item in items]
    if any(s is not None for s in significant):
        ax.scatter(
            [s if s is not None else np.nan for s in significant],
            y,
            color="black",
            zorder=3,
            marker="|",
            s=200,
            label="significant (95% interval > 0)",
        )
    ax.set_yticks(y, [item["name"] for item in items])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of sampled parameter points")
    figure.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    figure.suptitle(title or f"Where the headline comparisons hold ({report['experiment']})")
    return figure


def failure_figure(
    table: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str = "",
    log_x: bool = False,
    log_y: bool = False,
) -> Figure:
    """The points of a comparison (:func:`experiments.analysis.comparison_table`) over two
    parameters: green where it holds, red crosses where it fails (log axes for parameters
    sampled log-uniformly)."""
    figure = Figure(figsize=(6.5, 5), layout="constrained")
    ax = figure.subplots()
    holds = table["holds"].to_numpy(dtype=bool)
    ax.scatter(table.loc[holds, x], table.loc[holds, y], s=12, color="tab:green", label="holds")
    ax.scatter(
        table.loc[~holds, x], table.loc[~holds, y], s=18, color="tab:red", marker="x", label="fails"
    )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    ax.set_title(title)
    return figure


def _slug(text: str) -> str:
    return slug(text).lower()


def write_figures(
    data: Any, sens: pd.DataFrame, report: dict[str, Any], out: Path, note: str | None = None
) -> dict[str, str]:
    """The report's figures as PNG files in ``out``, each described by ``note``: robustness, a
    failure map per comparison over its two main drivers, sensitivity bars per comparison and
    per first outcome of each strategy, and a heatmap of the first comparison. Returns name ->
    file name."""
    from experiments.analysis import comparison_table
    from experiments.views import heatmap_table

    written: dict[str, str] = {}

    def save(name: str, figure: Figure, file: str) -> None:
        save_png(figure, out / file, note)
        written[name] = file

    if report["comparisons"]:
        save("robustness", robustness_figure(report), "robustness.png")
    names = data.parameter_names
    logs = {parameter.path: parameter.log for parameter in data.parameters}
    for comparison, item in zip(data.experiment.comparisons, report["comparisons"], strict=True):
        drivers = [d["parameter"] for d in item["drivers"]][:2]
        if len(names) >= 2 and item["failure_region"] is not None:
            x, y = (drivers + [n for n in names if n not in drivers])[:2]
            table = comparison_table(data, comparison)
            save(
                f"failure: {item['name']}",
                failure_figure(table, x, y, title=item["name"], log_x=logs[x], log_y=logs[y]),
                f"failure_{_slug(item['name'])}.png",
            )
        rows = sens[sens["target"] == comparison.label]
        if len(rows):
            save(
                f"sensitivity: {item['name']}",
                sensitivity_figure(rows, title=f"What moves: {item['name']}"),
                f"sensitivity_{_slug(item['name'])}.png",
            )
    if not data.experiment.comparisons:
        outcome = data.outcomes[0]
        for strategy in data.strategies:
            rows = sens[sens["target"] == f"{strategy}: {outcome}"]
            if len(rows):
                save(
                    f"sensitivity: {strategy} {outcome}",
                    sensitivity_figure(rows, title=f"{outcome} of {strategy}"),
                    f"sensitivity_{_slug(strategy)}_{_slug(outcome)}.png",
                )
    evaluated = [
        (comparison, item)
        for comparison, item in zip(data.experiment.comparisons, report["comparisons"], strict=True)
        if item["points"] and comparison.pairwise
    ]
    if len(names) >= 2 and evaluated:
        first, item = evaluated[0]
        x, y = ([d["parameter"] for d in item["drivers"]] + names)[:2]
        if x == y:
            y = next(n for n in names if n != x)
        table = heatmap_table(data, first.outcome, x, y, strategy=first.better, versus=first.worse)
        save(
            "heatmap",
            heatmap_figure(
                table, title=f"{first.outcome}: {first.better} - {first.worse}", diverging=True
            ),
            f"heatmap_{_slug(first.outcome)}.png",
        )
    return written
