"""Small pieces of English shared by the command line, the web app, the engines' event details
and reports: plurals, short numbers, outcome cells."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "compact",
    "compact_ticks",
    "comparison_name",
    "did_you_mean",
    "number",
    "outcome_cells",
    "outcome_legend",
    "percent",
    "plural",
    "slug",
    "repeated",
    "PERCENT_OUTCOMES",
]


def slug(text: str, fallback: str = "") -> str:
    """``text`` as part of a file name: each run of characters other than letters, digits, ``.``
    and ``-`` becomes one ``_``; ``fallback`` when nothing is left."""
    return re.sub(r"[^\w.-]+", "_", text).strip("_") or fallback


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is one ("3 strategies")."""
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def compact(value: float, *, digits: int = 3, trailing_zeros: bool = False) -> str:
    """A short, readable number to ``digits`` significant digits: 1.2M, 35k, 4.2k, 512, 0.013.
    The rounding comes first, so 999.5 is 1k, not 1e+03. With ``trailing_zeros`` every number
    but 0 shows all its digits (4.80k, -0.890, 36.0), so the numbers of a table line up."""
    style = "#" if trailing_zeros and value != 0 else ""
    rounded = float(f"{value:.{digits}g}")
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(rounded) >= scale:
            return f"{rounded / scale:{style}.{digits}g}".rstrip(".") + suffix
    return f"{rounded:{style}.{digits}g}".rstrip(".")


MAX_DIGITS = 12
"""The most significant digits :func:`compact_ticks` uses to tell ticks apart."""


def compact_ticks(values: Sequence[float]) -> list[str]:
    """Axis tick labels in :func:`compact`'s style, with as many significant digits (at least 3)
    as it takes for distinct ticks to get distinct labels (990, 995, 1k, 1.005k, not 1k twice)."""
    distinct = len(set(values))
    for digits in range(3, MAX_DIGITS + 1):
        labels = [compact(value, digits=digits) for value in values]
        if len(set(labels)) == distinct:
            return labels
    return labels


def comparison_name(names: Sequence[str], limit: int = 80) -> str:
    """Strategy names joined by " vs ", at most ``limit`` characters: when too long, whole
    names and then how many more ("a vs b vs 4 more"), never a name cut in the middle."""
    joined = " vs ".join(names)
    if len(joined) <= limit:
        return joined
    for kept in range(len(names) - 1, 0, -1):
        shortened = " vs ".join([*names[:kept], f"{len(names) - kept} more"])
        if len(shortened) <= limit:
            return shortened
    return plural(len(names), "strategy")


def repeated[T: (str, float)](items: Iterable[T]) -> list[T]:
    """The items (names, or numbers) given more than once, sorted."""
    items = list(items)
    return sorted({item for item in items if items.count(item) > 1})


def number(value: Any) -> str:
    """A compact number with all its digits (a table cell), or '-' for None and NaN."""
    if value is None or math.isnan(float(value)):
        return "-"
    return compact(float(value), trailing_zeros=True)


def percent(value: Any) -> str:
    """A share as a compact percentage with all its digits (0.000577 -> '0.0577%', 0.005 ->
    '0.500%'), or '-' for None and NaN."""
    if value is None or math.isnan(float(value)):
        return "-"
    return compact(100.0 * float(value), trailing_zeros=True) + "%"


PERCENT_OUTCOMES = frozenset({"engagement_rate", "engagement_per_impression"})
"""Outcomes that are small shares, shown as percentages in tables (as benchmarks report them)."""


def outcome_legend(seeds: int) -> str:
    """What the cells of :func:`outcome_cells` show for ``seeds`` seeds."""
    return "mean over seeds [95% interval]" if seeds > 1 else "one run each, no interval"


def mean_cell(
    mean: float, lo: float, hi: float, seeds: int, shown: Callable[[Any], str] | None = None
) -> str:
    """'mean [lo, hi]' as ``shown`` writes numbers (default :func:`number`), the mean alone from
    one seed, which gives no interval."""
    shown = shown or number
    return shown(mean) + (f" [{shown(lo)}, {shown(hi)}]" if seeds > 1 else "")


def outcome_cells(row: Mapping[str, Any], outcomes: Sequence[str]) -> list[str]:
    """A row of ``sim.summary.final_outcomes`` as text: each outcome as 'mean [lo, hi]' (the
    mean alone from one seed, which gives no interval; shares such as the engagement rate in
    percent), then the break-even day."""
    cells = []
    for outcome in outcomes:
        shown = percent if outcome in PERCENT_OUTCOMES else number
        mean, lo, hi = (row[f"{outcome}_{stat}"] for stat in ("mean", "lo", "hi"))
        cells.append(mean_cell(mean, lo, hi, row["seeds"], shown))
    median = row["break_even_day"]
    day = "none" if median is None else f"{median:g}"
    cells.append(f"{day} ({row['break_even_count']}/{row['seeds']} seeds)")
    return cells


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """The suffix " (did you mean 'reply_rate'?)" naming the choice closest to a misspelt
    ``word``, or "" when none is close. Two swapped neighbouring letters count as close even in
    short words ('lgo' for 'log'), where a similarity ratio says they are not."""
    choices = list(choices)
    swapped = [choice for choice in choices if _one_swap_apart(word, choice)]
    close = swapped or difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _one_swap_apart(word: str, choice: str) -> bool:
    """Whether ``choice`` is ``word`` with two neighbouring letters swapped."""
    differ = [k for k, (a, b) in enumerate(zip(word, choice, strict=False)) if a != b]
    return (
        len(word) == len(choice)
        and len(differ) == 2
        and differ[1] == differ[0] + 1
        and word[differ[0]] == choice[differ[1]]
        and word[differ[1]] == choice[differ[0]]
    )
