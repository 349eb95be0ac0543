"""The final outcomes, paired differences and validation results as Rich tables that fit the
terminal, and the paired differences as JSON: what ``longgame`` prints."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from sim.summary import PAIRED_OUTCOMES, label_keys
from sim.text import compact, mean_cell, number, outcome_cells, outcome_legend
from sim.validation import CheckResult

__all__ = [
    "TABLE_OUTCOMES",
    "final_cells",
    "final_tables",
    "fitted_tables",
    "market_json",
    "market_tables",
    "paired_cells",
    "paired_frame",
    "paired_json",
    "paired_tables",
    "validation_table",
]

TABLE_OUTCOMES: tuple[str, ...] = (
    "followers",
    "equity",
    "advocates",
    "engagement_rate",
    "revenue",
    "cost",
    "roi",
    "unfollows",
    "incremental_profit",
)
"""The final outcomes every table shows (command line and web app), before the break-even day."""


def final_cells(final: Any) -> tuple[list[str], list[list[str]]]:
    """Row labels (strategy, or brand) and per row the outcome cells (``outcome_cells``)."""
    keys = label_keys(final)
    labels, rows = [" / ".join(keys)], []
    for _, row in final.iterrows():
        labels.append(" / ".join(str(row[key]) for key in keys))
        rows.append(outcome_cells(row, TABLE_OUTCOMES))
    return labels, rows


_TEXT_COLUMNS = {"clear difference"}
"""Columns of words, not numbers (left-aligned)."""


def _table(
    title: str,
    key: str,
    labels: list[str],
    rows: list[list[str]],
    headers: list[str],
    columns: list[int],
) -> Table:
    """Rich table with a row per label and the cells of index ``columns`` (named by
    ``headers``)."""
    table = Table(title=title, title_style="bold", header_style="bold")
    table.add_column(key, no_wrap=True)
    for index in columns:
        justify = "left" if headers[index] in _TEXT_COLUMNS else "right"
        table.add_column(headers[index], justify=justify, no_wrap=True)
    for label, cells in zip(labels, rows, strict=True):
        table.add_row(label, *(cells[index] for index in columns))
    return table


def _transposed_table(
    title: str, labels: list[str], rows: list[list[str]], headers: list[str]
) -> Table:
    """The same cells with a row per header and a column per label (a few strategies fit a
    terminal better so)."""
    table = Table(title=title, title_style="bold", header_style="bold")
    table.add_column("outcome", no_wrap=True)
    for label in labels:
        table.add_column(label, justify="right", no_wrap=True)
    for index, header in enumerate(headers):
        table.add_row(header, *(cells[index] for cells in rows))
    return table


def fitted_tables(
    title: str,
    key: str,
    labels: list[str],
    rows: list[list[str]],
    headers: list[str],
    console: Console,
) -> list[Table]:
    """Tables of a row per label that fit ``console`` without cutting a cell.

    A row per label when that fits (always on a pipe, whose width is unlimited); else a row per
    header when that fits; else a row per label with the columns split over several tables,
    each as wide as the terminal allows (as pandas wraps a wide frame).
    """
    unlimited = console.options.update_width(10**6)

    def width(table: Table) -> int:
        return Measurement.get(console, unlimited, table).maximum

    everything = list(range(len(headers)))
    wide = _table(title, key, labels, rows, headers, everything)
    if width(wide) <= console.width:
        return [wide]
    transposed = _transposed_table(title, labels, rows, headers)
    if width(transposed) <= console.width:
        return [transposed]
    parts: list[list[int]] = [[]]
    for index in everything:
        trial = _table(title, key, labels, rows, headers, [*parts[-1], index])
        if parts[-1] and width(trial) > console.width:
            parts.append([index])
        else:
            parts[-1].append(index)
    titles = [title, *("(continued)" for _ in parts[1:])]
    return [
        _table(part_title, key, labels, rows, headers, part)
        for part_title, part in zip(titles, parts, strict=True)
    ]


def final_tables(final: Any, title: str, console: Console) -> list[Table]:
    """The final outcomes (``sim.summary.final_outcomes``), each cell 'mean [lo, hi]', in
    tables that fit ``console``."""
    (key, *labels), rows = final_cells(final)
    headers = [*TABLE_OUTCOMES, "break_even_day"]
    return fitted_tables(title, key, labels, rows, headers, console)


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + number(value)


def paired_cells(paired: Any) -> tuple[list[str], list[list[str]]]:
    """Per strategy its differences from the reference ('mean [lo, hi]', the mean alone from
    one seed) and where its interval is clear of 0."""
    labels, rows = [], []
    for _, row in paired.iterrows():
        cells, higher, lower = [], [], []
        for outcome in PAIRED_OUTCOMES:
            mean, lo, hi = (row[f"{outcome}_{stat}"] for stat in ("mean", "lo", "hi"))
            cells.append(mean_cell(mean, lo, hi, row["seeds"], _signed))
            if row["seeds"] > 1 and lo > 0:
                higher.append(outcome)
            elif row["seeds"] > 1 and hi < 0:
                lower.append(outcome)
        verdict = [f"higher: {', '.join(higher)}"] * bool(higher)
        verdict += [f"lower: {', '.join(lower)}"] * bool(lower)
        if row["seeds"] < 2:
            verdict = ["one seed: no interval"]
        cells.append("; ".join(verdict) or "no clear difference")
        labels.append(str(row["strategy"]))
        rows.append(cells)
    return labels, rows


def paired_tables(paired: Any, against: str, seeds: int, console: Console) -> list[Table]:
    """Each strategy's paired difference from ``against`` (``sim.summary.paired_with``) and
    where it is clear of 0, in tables that fit ``console``."""
    labels, rows = paired_cells(paired)
    headers = [*PAIRED_OUTCOMES, "clear difference"]
    legend = outcome_legend(seeds).replace("mean over seeds", "mean difference")
    heading = f"each strategy minus {against}, paired on the same seeds ({legend})"
    return fitted_tables(heading, "strategy", labels, rows, headers, console)


def market_tables(profits: Any, console: Console) -> list[Table]:
    """Per strategy its incremental profit at the horizon in each market size scanned
    (``sim.market.market_profits``: 'mean [lo, hi]', the mean alone from one seed) and its
    break-even market size, in tables that fit ``console``."""
    sizes = sorted(set(profits["market"]))
    labels, rows = [], []
    for strategy, of in profits.groupby("strategy", sort=False):
        by_size = of.set_index("market")
        cells = []
        for size in sizes:
            row = by_size.loc[size]
            stats = (row[f"incremental_profit_{stat}"] for stat in ("mean", "lo", "hi"))
            cells.append(mean_cell(*stats, int(row["seeds"])))
        labels.append(str(strategy))
        rows.append([*cells, of["break_even"].iloc[0]])
    headers = [f"{compact(size)} people" for size in sizes] + ["break-even market"]
    seeds = int(profits["seeds"].max())
    heading = f"incremental profit at the horizon by market size ({outcome_legend(seeds)})"
    return fitted_tables(heading, "strategy", labels, rows, headers, console)


def market_json(profits: Any) -> list[dict[str, Any]]:
    """The JSON form of a market scan: per strategy its incremental profit in each market size
    (real people) and its break-even market size (None where it lies outside the sizes)."""
    results = []
    for strategy, of in profits.groupby("strategy", sort=False):
        profit = [
            {"market": float(row["market"])}
            | {stat: float(row[f"incremental_profit_{stat}"]) for stat in ("mean", "lo", "hi")}
            for _, row in of.iterrows()
        ]
        found = of.iloc[0]  # a strategy's rows share its break-even market
        size = None if pd.isna(found["break_even_market"]) else float(found["break_even_market"])
        results.append(
            {
                "strategy": str(strategy),
                "incremental_profit": profit,
                "break_even_market": size,
                "text": found["break_even"],
            }
        )
    return results


def paired_json(against: str, paired: Any) -> dict[str, Any]:
    """The JSON form of ``sim.summary.paired_with``, each strategy with its verdict."""
    _, rows = paired_cells(paired)
    results = []
    for (_, row), cells in zip(paired.iterrows(), rows, strict=True):
        difference = {
            outcome: {stat: float(row[f"{outcome}_{stat}"]) for stat in ("mean", "lo", "hi")}
            for outcome in PAIRED_OUTCOMES
        }
        results.append(
            {
                "strategy": str(row["strategy"]),
                "seeds": int(row["seeds"]),
                "difference": difference,
                "verdict": cells[-1],
            }
        )
    return {"strategy": against, "results": results}


def paired_frame(against: str, paired: Any) -> Any:
    """The CSV form of ``sim.summary.paired_with`` (``paired.csv``): a row per strategy with
    the strategy it is measured ``against``, its seeds, its differences (``<outcome>_mean``,
    ``_lo``, ``_hi``) and the verdict the table and the JSON give."""
    _, rows = paired_cells(paired)
    frame = paired.copy()
    frame.insert(1, "against", against)
    frame["verdict"] = [cells[-1] for cells in rows]
    return frame


def validation_table(results: list[CheckResult], title: str) -> Table:
    """One row per check and case; the problem column only when some case has a problem."""
    columns = [
        ("check", "left"),
        ("case", "left"),
        ("runs", "right"),
        ("days", "right"),
        ("result", "left"),
        ("measured", "right"),
        ("limit", "left"),
        ("seconds", "right"),
    ]
    problems = any(result.problem for result in results)
    if problems:
        columns.append(("problem", "left"))
    table = Table(title=title, title_style="bold", header_style="bold")
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for result in results:
        cells = [
            result.check,
            result.case,
            str(result.runs),
            str(result.days),
            result.verdict,
            result.measured,
            result.limit,
            f"{result.seconds:.1f}",
        ]
        if problems:
            cells.append(result.problem)
        table.add_row(*cells)
    return table
