"""Result tables for display: final outcomes as 'mean [lo, hi]' text, one row per strategy."""

from __future__ import annotations

import math

import pandas as pd

from sim.charts import compact
from sim.cli import TABLE_OUTCOMES

__all__ = ["final_table", "number"]


def number(value: object) -> str:
    """A compact number, or '-' for None and NaN."""
    if value is None:
        return "-"
    value = float(value)  # type: ignore[arg-type]
    return "-" if math.isnan(value) else compact(value)


def final_table(final: pd.DataFrame) -> pd.DataFrame:
    """``sim.summary.final_outcomes`` as display text: the CLI's outcomes, then break-even."""
    rows = []
    for _, row in final.iterrows():
        shown = {"strategy": str(row["strategy"])}
        for outcome in TABLE_OUTCOMES:
            mean, lo, hi = (row[f"{outcome}_{stat}"] for stat in ("mean", "lo", "hi"))
            shown[outcome.replace("_", " ")] = f"{number(mean)} [{number(lo)}, {number(hi)}]"
        median = row["break_even_day"]
        day = "none" if median is None else f"{median:g}"
        shown["break-even day"] = f"{day} ({row['break_even_count']}/{row['seeds']} seeds)"
        rows.append(shown)
    return pd.DataFrame(rows)
