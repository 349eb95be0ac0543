"""The app's charts (matplotlib ``Figure`` objects, no pyplot state: safe across sessions).

Trajectories come from ``sim.charts.trajectories_figure`` (mean over seeds with the 95% band);
this module adds the vanity-vs-value bars, the long game's J-curve and a snapshot of the audience
network.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.charts import MONEY_VS_NO_SOCIAL, CompactFormatter, trajectories_figure
from sim.summary import daily_band
from sim.text import compact

__all__ = [
    "COMPARE_CHARTS",
    "trajectory_chart",
    "vanity_chart",
    "jcurve_chart",
    "network_chart",
    "draw_order",
    "STATE_NAMES",
    "STATE_COLORS",
    "STATE_COLOR_NAMES",
]

COMPARE_CHARTS: tuple[tuple[str, str], ...] = (
    ("equity", "Relationship equity"),
    ("followers", "Followers"),
    ("engagement_rate", "Engagement rate"),
    ("cum_revenue", "Cumulative revenue"),
    ("incremental_profit", "Cumulative incremental profit"),
)
"""(metrics column, title) of the Compare page's charts over time."""

STATE_NAMES: tuple[str, ...] = ("unaware", "aware", "follower", "advocate", "muted", "left")
"""A person's relationship with the brand, in the order of its code (0..5)."""
STATE_COLORS: tuple[str, ...] = ("#d0d0d0", "#9ecae1", "#3182bd", "#31a354", "#fd8d3c", "#de2d26")
"""Colour of each relationship state (colour-blind-safe enough on a projector)."""
STATE_COLOR_NAMES: tuple[str, ...] = ("grey", "light blue", "blue", "green", "orange", "red")
"""What each of :data:`STATE_COLORS` is called, for the network's text alternative."""
EDGE_LAYER, PEOPLE_LAYER = 1, 3
"""Drawing order (zorder) of the network's follow edges and of its people, drawn over them."""


def trajectory_chart(df: pd.DataFrame, column: str, title: str) -> Figure:
    """One metric over time per strategy with its 95% band (``sim.charts``)."""
    fig = trajectories_figure(df, [column])
    fig.axes[0].set_title(title, fontsize=12)
    fig.set_size_inches(7.0, 4.2)
    return fig


def vanity_chart(final: pd.DataFrame) -> Figure:
    """Followers beside equity and revenue per strategy, each as a share of the best strategy.

    ``final`` is ``sim.summary.final_outcomes`` of a comparison. A strategy with the most
    followers but little equity and revenue shows the gap between vanity and value.
    """
    measures = (
        ("followers_mean", "Followers (vanity)", "#9e9ac8"),
        ("equity_mean", "Relationship equity", "#3182bd"),
        ("revenue_mean", "Revenue", "#31a354"),
    )
    names = [str(name) for name in final["strategy"]]
    fig = Figure(figsize=(7.0, 1.2 + 0.75 * len(names)), layout="constrained")
    ax = fig.subplots()
    height = 0.26
    positions = np.arange(len(names))
    for index, (column, label, color) in enumerate(measures):
        values = final[column].to_numpy(dtype=float)
        best = np.nanmax(np.abs(values)) if len(values) else 0.0
        shares = values / best * 100 if best > 0 else np.zeros_like(values)
        y = positions + (index - 1) * height
        ax.barh(y, shares, height=height, color=color, label=label)
        for y_value, share, value in zip(y, shares, values, strict=True):
            ax.text(share + 1, y_value, compact(value), va="center", fontsize=8)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 125)
    ax.set_xlabel("% of the best strategy on each measure (labels: the values)")
    ax.set_title("Vanity vs value: followers beside equity and revenue", fontsize=11)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    ax.grid(True, axis="x", alpha=0.3)
    return fig


_LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
"""A white box behind a label written over the chart, so that no line runs through its text."""


def jcurve_chart(
    df: pd.DataFrame,
    keep: str,
    quit_name: str,
    others: Sequence[str],
    *,
    quit_day: int,
    break_even_day: float | None,
    quit_break_even_day: float | None = None,
) -> Figure:
    """Cumulative incremental profit of keeping going, quitting and the others (95% bands).

    The break-even days of ``keep`` and of ``quit_name`` (the median over seeds of each seed's
    first day in profit, which a mean curve can cross earlier or later) are marked on the zero
    line and labelled at the top, clear of the curves; the value left on the table by quitting
    (where ``keep`` is above ``quit_name``) is shaded between the two curves.
    """
    fig = Figure(figsize=(9.0, 4.8), layout="constrained")
    ax = fig.subplots()
    colors = {keep: "#2ca02c", quit_name: "#d62728"}
    palette = matplotlib.colormaps["tab10"]
    bands = {}
    for index, name in enumerate([keep, quit_name, *others]):
        rows = df[df["strategy"] == name]
        if rows.empty:
            continue
        band = daily_band(rows, "incremental_profit")
        bands[name] = band
        color = colors.get(name, palette(index + 2))
        on_top = 3 if name == keep else 2  # the curve the page is about stays visible
        ax.plot(band["day"], band["mean"], color=color, lw=2.0, label=name, zorder=on_top)
        ax.fill_between(band["day"], band["lo"], band["hi"], color=color, alpha=0.15, lw=0)
    if keep in bands and quit_name in bands:
        _shade_value_left(ax, bands[keep], bands[quit_name], quit_day)
    last_day = df["day"].max()
    ax.axvline(quit_day, color="#d62728", linestyle=":", linewidth=1.2)
    _day_label(ax, f"quits (day {quit_day})", quit_day, last_day, "#d62728", top=False)
    seeds = df.loc[df["strategy"] == keep, "seed"].nunique()
    which = " (median seed)" if seeds > 1 else ""
    marked = [(break_even_day, keep, "break-even", "#1b6e1b", "#2ca02c")]
    marked.append((quit_break_even_day, quit_name, "quitter's break-even", "#d62728", "#d62728"))
    for row, (day, name, label, text_color, color) in enumerate(marked):
        if day is None or name not in bands:
            continue
        ax.axvline(float(day), color=color, linestyle="--", linewidth=1.0)
        ax.plot([float(day)], [0.0], marker="o", color=color, markersize=8, zorder=4)
        text = f"{label}{which}: day {float(day):g}"
        _day_label(ax, text, float(day), last_day, text_color, top=True, row=row)
    ax.axhline(0.0, color="0.3", linewidth=0.8, linestyle="--")
    ax.set_xlabel("day")
    ax.set_ylabel(MONEY_VS_NO_SOCIAL)
    ax.yaxis.set_major_formatter(CompactFormatter())
    ax.set_title("The long game: cumulative incremental profit (the J-curve)", fontsize=12)
    ax.grid(True, alpha=0.3)
    ax.margins(x=0)
    banded = df["seed"].nunique() > 1
    title = "mean over seeds; shaded: 95% interval" if banded else "one seed"
    fig.legend(  # below the axes: it covers no curve and no marker line
        loc="outside lower center",
        ncols=2,
        fontsize=9,
        frameon=False,
        title=title,
        title_fontsize=8,
    )
    return fig


def _day_label(
    ax: Axes, text: str, day: float, last_day: float, color: str, *, top: bool, row: int = 0
) -> None:
    """``text`` beside the vertical line at ``day``, at the top of the axes (in ``row``) or at
    the bottom, and left of the line near the right edge."""
    near_end = day > 0.8 * last_day
    ax.annotate(
        text,
        (day, 1.0 if top else 0.0),
        xycoords=("data", "axes fraction"),
        xytext=(-3 if near_end else 3, -6 - 16 * row if top else 6),
        textcoords="offset points",
        ha="right" if near_end else "left",
        va="top" if top else "bottom",
        color=color,
        fontsize=9,
        fontweight="bold" if top else "normal",
        bbox=_LABEL_BOX,
        zorder=5,
    )


def _shade_value_left(ax: Axes, keep: pd.DataFrame, quit: pd.DataFrame, quit_day: int) -> None:
    """Shade, and list in the legend, the value left on the table by quitting: where the mean of
    ``keep`` is above that of ``quit`` after ``quit_day`` (nothing when it never is)."""
    ahead = ((keep["mean"] > quit["mean"]) & (keep["day"] >= quit_day)).to_numpy()
    if not ahead.any():
        return
    ax.fill_between(
        keep["day"],
        quit["mean"],
        keep["mean"],
        where=ahead,
        color="#ffbf00",
        alpha=0.35,
        lw=0,
        label="value left on the table by quitting",
    )


def draw_order(states: np.ndarray, on_top: int = -1) -> np.ndarray:
    """The order to draw people in: by state code, so that followers, advocates and the lost are
    drawn over the grey unaware crowd; index ``on_top`` (the selected person) last of all."""
    order = np.argsort(states, kind="stable")
    if on_top >= 0:
        order = np.append(order[order != on_top], on_top)
    return order


def network_chart(positions: np.ndarray, edges: np.ndarray, states: np.ndarray, day: int) -> Figure:
    """The sampled follower network on ``day``: people coloured by relationship state.

    ``positions`` (n, 2) in [0, 1], ``edges`` (m, 2) sample indices, ``states`` (n,) codes.
    """
    fig = Figure(figsize=(7.0, 7.4), layout="constrained")
    ax = fig.subplots()
    if len(edges):
        segments = positions[edges]
        ax.add_collection(
            matplotlib.collections.LineCollection(
                segments, colors="#cccccc", linewidths=0.2, zorder=EDGE_LAYER, rasterized=True
            )
        )
    order = draw_order(states)
    colors = np.array(STATE_COLORS)[states[order]]
    ax.scatter(
        positions[order, 0], positions[order, 1], c=colors, s=8, linewidths=0, zorder=PEOPLE_LAYER
    )
    for code, name in enumerate(STATE_NAMES):
        ax.scatter([], [], c=STATE_COLORS[code], s=30, label=name)
    fig.legend(loc="outside lower center", ncols=6, frameon=False, fontsize=8)
    ax.set_title(f"Audience on day {day}", fontsize=11)
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.invert_yaxis()  # y grows downwards on the page's SVG view: the same picture
    return fig
