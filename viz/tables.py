"""Result tables for display: final outcomes as 'mean [lo, hi]' text, one row per strategy."""

from __future__ import annotations

import pandas as pd

from sim.tables import TABLE_OUTCOMES
from sim.text import outcome_cells

__all__ = ["final_table"]


def final_table(final: pd.DataFrame) -> pd.DataFrame:
    """``sim.summary.final_outcomes`` as display text: the CLI's outcomes, then break-even."""
    columns = [outcome.replace("_", " ") for outcome in TABLE_OUTCOMES] + ["break-even day"]
    rows = []
    for _, row in final.iterrows():
        cells = zip(columns, outcome_cells(row, TABLE_OUTCOMES), strict=True)
        rows.append({"strategy": str(row["strategy"]), **dict(cells)})
    return pd.DataFrame(rows)
