"""Charts of comparisons with matplotlib: trajectories with 95% bands, and incremental profit
across market sizes.

Figures are built with :class:`matplotlib.figure.Figure` directly (no ``pyplot`` state, no
display needed), so charts can be drawn from several threads or sessions of the web app at once,
and importing this module leaves the caller's matplotlib backend alone (a notebook's inline
plots keep working).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator, NullLocator, PercentFormatter

from sim.metrics import COLUMNS, FINAL_OUTCOMES, SIGNED
from sim.summary import daily_band
from sim.text import PERCENT_OUTCOMES, compact, compact_ticks

__all__ = [
    "DEFAULT_COLUMNS",
    "MONEY_VS_NO_SOCIAL",
    "CompactFormatter",
    "market_chart",
    "save_figure",
    "trajectories_figure",
]

DEFAULT_COLUMNS: tuple[str, ...] = ("equity", "followers", "cum_revenue", "incremental_profit")

_TITLES = {
    "equity": "Relationship equity (trust x fit)",
    "followers": "Followers",
    "cum_revenue": "Cumulative revenue",
    "cum_cost": "Cumulative cost",
    "incremental_profit": "Incremental profit vs. no social media",
    "incremental_revenue": "Incremental revenue vs. no social media",
    "advocates": "Advocates",
    "engagement_rate": "Engagement rate (28 days)",
    "roi": "Cumulative ROI",
}
_LINE_STYLES = ("-", "--", ":")
"""Line styles by tens of lines: ten distinct colours, then the same colours dashed."""
_MONEY = ("revenue", "cost", "profit", "spend")
MONEY = "money (scenario units)"
"""The unit of revenue, cost, profit and ad spend: the scenario's price and costs set it."""
MONEY_VS_NO_SOCIAL = "money vs. no social media (scenario units)"
"""The axis label of incremental profit: money against the paired run without social media."""
_UNITS = {column: MONEY for column in COLUMNS if column.endswith(_MONEY)} | {
    "followers": "people",
    "fake_followers": "accounts",
    "advocates": "people",
    "aware": "people",
    "customers": "people",
    "cum_new_follows": "people",
    "cum_unfollows": "people",
    "equity": "sum of trust x fit",
    "engagement_rate": "interactions / follower / post (%)",
}


class CompactFormatter(Formatter):
    """Tick labels in ``sim.text.compact``'s style (35k, 1.2M) that see all ticks at once, so
    that close ticks get enough digits to differ (990, 995, 1k, 1.005k)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return compact(x)

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return compact_ticks(list(values))


def _line_look(index: int) -> tuple[Any, str]:
    """The color and line style of the ``index``-th strategy in a chart: ten colors, then the
    same colors dashed, then dotted, so that no two lines look alike."""
    colors = matplotlib.colormaps["tab10"]
    return colors(index % colors.N), _LINE_STYLES[index // colors.N % len(_LINE_STYLES)]


def _title(column: str) -> str:
    if column in _TITLES:
        return _TITLES[column]
    return column.replace("_", " ").capitalize()


def _families(df: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """One line per strategy (comparisons) or per brand (a single scenario)."""
    if "strategy" in df.columns:
        if "brand" in df.columns:  # strategies replace the first brand's: plot that brand
            df = df[df["brand"] == df["brand"].iloc[0]]
        return [(str(name), rows) for name, rows in df.groupby("strategy", sort=False)]
    if "brand" in df.columns:
        return [(str(name), rows) for name, rows in df.groupby("brand", sort=False)]
    return [("run", df)]


def trajectories_figure(
    df: pd.DataFrame, columns: Sequence[str] | str = DEFAULT_COLUMNS, *, title: str | None = None
) -> Figure:
    """A figure with one panel per column (an outcome name or a metrics column; one name alone
    is one panel): mean over seeds per strategy, with its 95% band."""
    names = [columns] if isinstance(columns, str) else columns
    columns = [FINAL_OUTCOMES.get(column, column) for column in names]
    if not columns:
        raise ValueError("no column to draw: name one or more, e.g. ['equity']")
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"the metrics have no column(s) {missing}")
    ncols = 2 if len(columns) > 1 else 1
    nrows = -(-len(columns) // ncols)
    families = _families(df)
    legend_rows = -(-len(families) // 3)
    fig = Figure(
        figsize=(6.2 * ncols, 3.6 * nrows + 0.35 * legend_rows + 0.6), layout="constrained"
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    shade = 0.18 if len(families) <= 4 else 0.08  # many bands on top of each other hide lines
    for ax, column in zip(axes, columns, strict=False):
        for index, (name, rows) in enumerate(families):
            band = daily_band(rows, column)
            color, dashes = _line_look(index)
            ax.plot(band["day"], band["mean"], color=color, ls=dashes, lw=1.6, label=name)
            ax.fill_between(band["day"], band["lo"], band["hi"], color=color, alpha=shade, lw=0)
        ax.set_title(_title(column), fontsize=11)
        ax.set_xlabel("day")
        ax.set_ylabel(_UNITS.get(column, ""))
        shares = column in PERCENT_OUTCOMES  # in percent, as the tables show them
        ax.yaxis.set_major_formatter(PercentFormatter(1.0) if shares else CompactFormatter())
        if _UNITS.get(column) in ("people", "accounts"):  # no tick at half a person
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if column not in SIGNED and ax.get_ylim()[0] < 0:  # a band or a flat 0 dips below 0
            ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.margins(x=0)
        if column.startswith("incremental"):
            ax.axhline(0.0, color="0.3", linewidth=0.8, linestyle="--")
    for ax in axes[len(columns) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(3, max(1, len(labels))),
        frameon=False,
        title="mean over seeds, band: 95% interval" if df["seed"].nunique() > 1 else "one seed",
        title_fontsize=8,
    )
    if title:
        fig.suptitle(title, fontsize=13)
    return fig


def market_chart(profits: pd.DataFrame) -> Figure:
    """Incremental profit at the horizon against market size (log scale), per strategy with its
    95% interval, colored and dashed as in the trajectory charts; a strategy's break-even market
    size (``break_even_market`` of ``sim.market.market_profits``) is marked on the zero line."""
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.subplots()
    for index, (name, rows) in enumerate(profits.groupby("strategy", sort=False)):
        color, dashes = _line_look(index)
        mean = rows["incremental_profit_mean"]
        ax.plot(rows["market"], mean, marker="o", ls=dashes, color=color, label=name)
        lo, hi = rows["incremental_profit_lo"], rows["incremental_profit_hi"]
        ax.fill_between(rows["market"], lo, hi, color=color, alpha=0.12, lw=0)
        size = rows["break_even_market"].iloc[0]
        if pd.notna(size):
            ax.plot([size], [0.0], marker="D", color=color, markersize=8, zorder=4)
    ax.axhline(0.0, color="0.3", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    markets = sorted(set(profits["market"]))
    ax.set_xticks(markets, [compact(market) for market in markets])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(CompactFormatter())
    ax.set_xlabel("market size (real people)")
    ax.set_ylabel(MONEY_VS_NO_SOCIAL)
    ax.set_title("Incremental profit at the horizon by market size", fontsize=12)
    ax.grid(True, which="both", alpha=0.3)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig


def save_figure(
    fig: Figure,
    target: Any,
    fmt: str,
    dpi: int = 120,
    note: str | None = None,
    *,
    tight: bool = False,
) -> None:
    """Draw ``fig`` to ``target`` (a path or a binary file) as ``fmt`` ("png" or "svg"), with
    ``note`` as its description, cropped to what is drawn if ``tight``. The same figure gives the
    same bytes (an SVG gets no date and fixed element ids), and SVG text stays text
    (searchable)."""
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {}
    if note:
        metadata["Description"] = note
    with matplotlib.rc_context({"svg.hashsalt": "longgame", "svg.fonttype": "none"}):
        fig.savefig(
            target,
            format=fmt,
            dpi=dpi,
            metadata=metadata,
            bbox_inches="tight" if tight else None,
        )
