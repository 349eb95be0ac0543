"""Result tables for display: final outcomes as 'mean [lo, hi]' text, one row per strategy."""

from __future__ import annotations

import pandas as pd

from sim.metrics import COLUMNS, FINAL_OUTCOMES
from sim.tables import TABLE_OUTCOMES
from sim.text import outcome_cells

__all__ = ["final_table", "outcome_glossary"]

HEADERS = {outcome: outcome.replace("_", " ") for outcome in TABLE_OUTCOMES}
"""Each outcome's column header in the final-outcome table; break-even comes last."""
BREAK_EVEN = "break-even day"
BREAK_EVEN_MEANING = (
    "the first day incremental profit is above 0 (it can fall back below 0 later: read it beside "
    "incremental profit); the median over the seeds that broke even (between two days, a half "
    "day), with how many did (none if fewer than half)"
)
ROI_NOTE = (
    "roi counts all revenue, incremental profit only what social media added to the paired run "
    "without it: a strategy can show a positive roi and still lose money against doing nothing. "
    "Money (revenue, cost, profit) is in the scenario's own units (price per purchase, cost per "
    "hour); people are real people (each simulated person stands for several in a large market). "
    "Cells are means over seeds, so counts such as advocates can have decimals; the engagement "
    "rate is 0% when the brand posted nothing in the last 28 days (it quit)."
)


def final_table(final: pd.DataFrame) -> pd.DataFrame:
    """``sim.summary.final_outcomes`` as display text: the CLI's outcomes, then break-even."""
    columns = [*HEADERS.values(), BREAK_EVEN]
    rows = []
    for _, row in final.iterrows():
        cells = zip(columns, outcome_cells(row, TABLE_OUTCOMES), strict=True)
        rows.append({"strategy": str(row["strategy"]), **dict(cells)})
    return pd.DataFrame(rows)


def outcome_glossary() -> str:
    """What each column of :func:`final_table` means (``sim.metrics.COLUMNS``), as Markdown."""
    lines = [
        f"- **{header}**: {COLUMNS[FINAL_OUTCOMES[outcome]]}" for outcome, header in HEADERS.items()
    ]
    lines.append(f"- **{BREAK_EVEN}**: {BREAK_EVEN_MEANING}")
    return "\n".join(lines) + "\n\n" + ROI_NOTE
