"""Statistics over seeds: final outcomes with 95% intervals, paired comparisons, break-even.

Input everywhere is the tidy daily metrics table of :mod:`sim.runner` (columns ``strategy`` for
comparisons, ``seed``, ``brand``, ``day``, then :data:`sim.metrics.COLUMNS`). The definitions follow
``docs/model.md``, section 5:

- intervals: 95% t-interval of the mean over seeds, cut at 0 for the quantities that cannot be
  negative (:data:`sim.metrics.SIGNED` lists those that can): their mean cannot be below 0, so
  the cut interval covers it at least as often;
- "A beats B": the paired difference on the same seeds has a 95% interval above 0;
- ``break_even_day``: per seed the first day ``incremental_profit`` > 0; across seeds the median
  over the seeds that broke even, with their count; none if fewer than half of the seeds did.

Outcome names are those of :data:`sim.metrics.FINAL_OUTCOMES` (``revenue`` is the column
``cum_revenue``, ...); raw column names are accepted wherever an outcome is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics import FINAL_OUTCOMES, SIGNED
from sim.text import did_you_mean

__all__ = [
    "CONFIDENCE",
    "t_half_width",
    "t_interval",
    "final_outcomes",
    "break_even",
    "paired_difference",
    "beats",
    "paired_with",
    "PAIRED_OUTCOMES",
    "crossover_day",
    "daily_band",
    "to_json",
    "group_keys",
    "label_keys",
    "without_comments",
    "hours_per_active_week",
]

CONFIDENCE = 0.95
"""Level of every interval reported."""

BREAK_EVEN_COLUMN = "incremental_profit"


def _column(outcome: str) -> str:
    """The metrics column of an outcome name (or the name itself if it already is a column)."""
    return FINAL_OUTCOMES.get(outcome, outcome)


def t_interval(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the mean of ``values`` (one value per seed).

    NaNs are dropped. One value gives ``lo = hi = mean``; no value gives NaN three times.
    """
    x = np.asarray(values if hasattr(values, "__len__") else list(values), dtype=float).ravel()
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return (mean, mean, mean)
    half = float(t_half_width(x.std(ddof=1), n))
    return (mean, mean - half, mean + half)


def t_half_width(std: float | np.ndarray, count: int | np.ndarray) -> np.ndarray:
    """Half-width of the 95% t-interval of a mean, from its sample's standard deviation
    (``ddof=1``) and size; 0 for a single value. Scalars or arrays (one interval per group)."""
    count = np.asarray(count, dtype=float)
    several = count > 1
    quantile = stats.t.ppf(0.5 + CONFIDENCE / 2, np.where(several, count - 1, 1.0))
    return np.where(several, quantile * (np.nan_to_num(std) / np.sqrt(count)), 0.0)


def _floored(column: str, mean: float | np.ndarray, lo: float | np.ndarray):
    """An interval's lower bound cut at 0 for a column that cannot be negative (never above
    the mean, whatever the data)."""
    return lo if column in SIGNED else np.maximum(lo, np.minimum(mean, 0.0))


def group_keys(df: pd.DataFrame) -> list[str]:
    """Columns that name one trajectory family: ``strategy`` (if present) and ``brand``."""
    return [key for key in ("strategy", "brand") if key in df.columns]


def label_keys(df: pd.DataFrame) -> list[str]:
    """The :func:`group_keys` a reader needs to tell rows apart: ``strategy`` alone when the
    table has one brand (each strategy plays it), else both."""
    keys = group_keys(df)
    if "strategy" in keys and "brand" in keys and df["brand"].nunique() <= 1:
        return ["strategy"]
    return keys


def without_comments(df: pd.DataFrame) -> list[str]:
    """The trajectory families (strategy, or brand) that posted but got no comment in any run:
    on them, replies and everything that answers comments had nothing to act on."""
    keys = label_keys(df)
    totals = df.groupby(keys, sort=False)[["posts", "comments"]].sum()
    silent = totals[(totals["posts"] > 0) & (totals["comments"] == 0)]
    return [" / ".join(map(str, key if isinstance(key, tuple) else (key,))) for key in silent.index]


def hours_per_active_week(df: pd.DataFrame, brand: str) -> dict[str, float]:
    """Per strategy, the hours ``brand`` spent a week while active (all seeds together): what
    its cost counts, against the ``weekly_hours`` budget, which caps it."""
    rows = df[df["brand"] == brand].groupby("strategy", sort=False)[["hours", "active"]].sum()
    return {
        str(name): 7.0 * float(row["hours"]) / float(row["active"])
        for name, row in rows.iterrows()
        if row["active"] > 0
    }


def _at_day(df: pd.DataFrame, day: int | None) -> tuple[pd.DataFrame, int]:
    """Rows of ``day`` (default: the last day of the table) and that day."""
    if df.empty:
        raise ValueError("the metrics table is empty")
    chosen = int(df["day"].max()) if day is None else int(day)
    rows = df[df["day"] == chosen]
    if rows.empty:
        raise ValueError(
            f"day {chosen} is not in the metrics table "
            f"(days {int(df['day'].min())}..{int(df['day'].max())})"
        )
    return rows, chosen


def break_even(df: pd.DataFrame, day: int | None = None) -> tuple[float | None, int, int]:
    """Break-even day of one strategy and brand over its seeds: ``(median, count, seeds)``.

    Per seed the first day (up to ``day``, default all) on which ``incremental_profit`` > 0;
    ``median`` is the median over the seeds that broke even, or None if fewer than half did;
    ``count`` is how many seeds broke even, ``seeds`` how many there are.
    """
    seeds = int(df["seed"].nunique())
    if BREAK_EVEN_COLUMN not in df.columns or seeds == 0:
        return (None, 0, seeds)
    rows = df if day is None else df[df["day"] <= day]
    positive = rows[rows[BREAK_EVEN_COLUMN] > 0]
    firsts = positive.groupby("seed")["day"].min()
    count = int(firsts.size)
    if count == 0 or 2 * count < seeds:
        return (None, count, seeds)
    return (float(np.median(firsts.to_numpy(dtype=float))), count, seeds)


def final_outcomes(df: pd.DataFrame, day: int | None = None) -> pd.DataFrame:
    """Final outcomes per strategy (and brand): mean, lo, hi over seeds at ``day``.

    ``day`` defaults to the last day of the table. The result has one row per group, the group
    columns (``strategy`` if present, ``brand``), ``day`` (its index), ``days`` (days simulated up
    to and including it: ``day + 1`` when the table starts at day 0), ``seeds``, for each outcome of
    :data:`sim.metrics.FINAL_OUTCOMES` the columns ``<outcome>_mean``, ``<outcome>_lo``,
    ``<outcome>_hi`` (NaN when the metrics lack that column), and ``break_even_day`` (median or
    None) with ``break_even_count``. Groups keep their order of first appearance.
    """
    _, chosen = _at_day(df, day)
    keys = group_keys(df)
    rows = []
    for key, group in df.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        final = group[group["day"] == chosen]
        row: dict[str, object] = dict(zip(keys, key, strict=True))
        row["day"] = chosen
        row["days"] = chosen - int(group["day"].min()) + 1
        row["seeds"] = int(final["seed"].nunique())
        for outcome, column in FINAL_OUTCOMES.items():
            values = final[column] if column in final.columns else []
            mean, lo, hi = t_interval(values)
            row[f"{outcome}_mean"] = mean
            row[f"{outcome}_lo"] = float(_floored(column, mean, lo))
            row[f"{outcome}_hi"] = hi
        median, count, _ = break_even(group, chosen)
        row["break_even_day"] = median
        row["break_even_count"] = count
        rows.append(row)
    result = pd.DataFrame(rows)
    # as built: a column of numbers and None would turn the None into NaN
    result["break_even_day"] = pd.Series([row["break_even_day"] for row in rows], dtype=object)
    return result


def _compared_brand(df: pd.DataFrame, brand: object | None) -> pd.DataFrame:
    """Rows of ``brand`` (default: the first brand of the table, the one strategies replace)."""
    if "brand" not in df.columns:
        return df
    chosen = df["brand"].iloc[0] if brand is None else brand
    rows = df[df["brand"] == chosen]
    if rows.empty:
        known = list(dict.fromkeys(df["brand"]))
        raise ValueError(f"brand {chosen!r} is not in the table; it has {known}")
    return rows


def _strategy_rows(df: pd.DataFrame, strategy: str) -> pd.DataFrame:
    if "strategy" not in df.columns:
        raise ValueError("the metrics table has no 'strategy' column (not a comparison)")
    rows = df[df["strategy"] == strategy]
    if rows.empty:
        known = list(dict.fromkeys(df["strategy"]))
        raise ValueError(f"strategy {strategy!r} is not in the comparison; it has {known}")
    return rows


def paired_difference(
    df: pd.DataFrame,
    a: str,
    b: str,
    column: str,
    day: int | None = None,
    *,
    brand: object | None = None,
) -> tuple[float, float, float]:
    """Mean and 95% t-interval of ``a - b`` in ``column`` at ``day``, paired on the same seeds.

    ``column`` is an outcome name (``revenue`` is the revenue since day 0, as in
    :data:`sim.metrics.FINAL_OUTCOMES`) or a metrics column; ``day`` defaults to the last day;
    only seeds present for both strategies count, and one seed gives no interval (``lo = hi =
    mean``, :func:`t_interval`). ``brand`` defaults to the first brand of the table.
    """
    return t_interval(_paired(df, a, b, column, day, brand).to_numpy(dtype=float))


def _paired(
    df: pd.DataFrame, a: str, b: str, column: str, day: int | None, brand: object | None
) -> pd.Series:
    """``a - b`` in ``column`` at ``day``, per seed present for both."""
    df = _compared_brand(df, brand)
    at_day, _ = _at_day(df, day)
    name = _column(column)
    if name not in at_day.columns:
        known = [c for c in FINAL_OUTCOMES if _column(c) in at_day.columns]
        raise KeyError(
            f"no outcome or column {column!r}{did_you_mean(column, known)}; outcomes: "
            f"{', '.join(known)} (or any metrics column)"
        )
    left = _strategy_rows(at_day, a).set_index("seed")[name]
    right = _strategy_rows(at_day, b).set_index("seed")[name]
    return (left - right).dropna()  # aligned on seed; seeds missing in either drop out


def beats(
    df: pd.DataFrame,
    a: str,
    b: str,
    column: str,
    day: int | None = None,
    *,
    brand: object | None = None,
) -> bool:
    """True if ``a`` beats ``b`` on ``column``: the paired difference's 95% interval is above 0.
    It takes two seeds or more in common (one gives no interval: a ValueError)."""
    diff = _paired(df, a, b, column, day, brand)
    if len(diff) < 2:
        raise ValueError(
            f"{a} against {b}: {len(diff)} seed(s) in common give no interval; beats needs two"
        )
    _, lo, _ = t_interval(diff.to_numpy(dtype=float))
    return bool(lo > 0)


PAIRED_OUTCOMES = ("followers", "equity", "revenue", "incremental_profit")
"""What ``longgame compare --against`` pairs: vanity (followers) beside value."""


def paired_with(
    df: pd.DataFrame, reference: str, outcomes: Iterable[str] = PAIRED_OUTCOMES
) -> pd.DataFrame:
    """Every other strategy minus ``reference`` on ``outcomes`` at the last day, paired on the
    same seeds (:func:`paired_difference`): a row per strategy with ``strategy``, ``seeds`` and
    ``<outcome>_mean``, ``_lo``, ``_hi``; a strategy is clearly higher where ``_lo`` > 0."""
    reference_seeds = set(_strategy_rows(df, reference)["seed"])
    rows = []
    for strategy in dict.fromkeys(df["strategy"]):
        if strategy == reference:
            continue
        row: dict[str, object] = {"strategy": strategy}
        row["seeds"] = len(set(_strategy_rows(df, strategy)["seed"]) & reference_seeds)
        for outcome in outcomes:
            mean, lo, hi = paired_difference(df, strategy, reference, outcome)
            row[f"{outcome}_mean"], row[f"{outcome}_lo"], row[f"{outcome}_hi"] = mean, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)


def crossover_day(
    df: pd.DataFrame, a: str, b: str, column: str, *, brand: object | None = None
) -> int | None:
    """First day from which ``a``'s mean over seeds stays above ``b``'s until the end.

    None if ``a`` is not above ``b`` on the last day. Used for statements such as "consistent
    engagement's revenue overtakes quitting early's at day X".
    """
    df = _compared_brand(df, brand)
    name = _column(column)
    mean_a = _strategy_rows(df, a).groupby("day")[name].mean()
    mean_b = _strategy_rows(df, b).groupby("day")[name].mean()
    diff = (mean_a - mean_b).dropna().sort_index()
    if diff.empty or not diff.iloc[-1] > 0:
        return None
    not_above = np.flatnonzero(~(diff.to_numpy() > 0))
    start = 0 if not_above.size == 0 else int(not_above[-1]) + 1
    return int(diff.index[start])


def daily_band(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per day: mean and 95% t-interval over seeds of ``column`` (columns day, mean, lo, hi),
    cut at 0 where the column cannot be negative."""
    column = _column(column)
    grouped = df.groupby("day")[column]
    mean = grouped.mean()
    std = grouped.std(ddof=1)
    n = grouped.count()
    half = pd.Series(t_half_width(std.to_numpy(), n.to_numpy()), index=mean.index)
    return pd.DataFrame(
        {
            "day": mean.index,
            "mean": mean.to_numpy(),
            "lo": _floored(column, mean.to_numpy(), (mean - half).to_numpy()),
            "hi": (mean + half).to_numpy(),
        }
    )


def _number(value: object) -> float | None:
    """A JSON-safe number: None for NaN, infinity or None."""
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number) or math.isinf(number):
        return None
    return number


def to_json(final: pd.DataFrame) -> dict:
    """The JSON form of :func:`final_outcomes` (NaN becomes null)::

    {"days": <days simulated up to the outcomes>, "day": <index of that day>,
     "seeds": <seeds per strategy>,
     "results": [{"strategy": ..., "brand": ..., "seeds": ...,
                  "final": {"followers": {"mean": .., "lo": .., "hi": ..}, ...,
                            "break_even_day": {"median": .., "count": ..}}}]}
    """
    results = []
    for _, row in final.iterrows():
        item: dict[str, object] = {}
        if "strategy" in final.columns:
            item["strategy"] = str(row["strategy"])
        if "brand" in final.columns:
            brand = row["brand"]
            item["brand"] = brand.item() if isinstance(brand, np.generic) else brand
        item["seeds"] = int(row["seeds"])
        outcomes: dict[str, object] = {
            outcome: {stat: _number(row[f"{outcome}_{stat}"]) for stat in ("mean", "lo", "hi")}
            for outcome in FINAL_OUTCOMES
        }
        median = row["break_even_day"]
        outcomes["break_even_day"] = {
            "median": _number(median) if median is not None else None,
            "count": int(row["break_even_count"]),
        }
        item["final"] = outcomes
        results.append(item)
    return {
        "days": int(final["days"].max()) if len(final) else None,
        "day": int(final["day"].max()) if len(final) else None,
        "seeds": int(final["seeds"].max()) if len(final) else 0,
        "results": results,
    }
