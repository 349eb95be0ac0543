"""Break-even market size: a strategy's incremental profit at the horizon across market sizes.

Each simulated person stands for ``market.scale`` real people (docs/model.md §2), so the same
simulated audience at another scale is a larger or smaller market: revenue and every per-person
action (replies and their hours, follows against the platforms' limits) scale with it, the weekly
hours budget and money do not. ``at_market`` makes that scenario, each brand followed on day 0
by the same share of its market; ``break_even_market`` reads, from the incremental profit
measured at several sizes, the smallest market from which a strategy pays within the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.schema import Scenario
from sim.text import compact

__all__ = [
    "MARKET_FACTORS",
    "BreakEven",
    "at_market",
    "market_factors",
    "scan_factors",
    "market_profits",
    "break_even_market",
    "break_even_table",
    "break_evens",
    "with_break_even",
]

MARKET_FACTORS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
"""Market sizes scanned, as multiples of the scenario's: a quarter to four times as many people."""


def at_market(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` in a market ``factor`` times as large: each simulated person stands for
    ``factor`` times as many real people, and each brand's day-0 followers (stated in real
    people) grow with it, so that the same share of the market follows it."""
    data = scenario.model_dump()
    data["market"]["scale"] = scenario.market.scale * factor
    for brand in data["brands"]:
        brand["initial"]["followers"] *= factor
    return Scenario.model_validate(data)


def market_factors(scenario: Scenario, factors: Sequence[float] = MARKET_FACTORS) -> list[float]:
    """The ``factors`` at which ``scenario`` is still a market the model runs: at least one real
    person per simulated one."""
    return [factor for factor in factors if scenario.market.scale * factor >= 1]


def scan_factors(scenario: Scenario) -> list[float]:
    """The factors a market scan runs besides the scenario's own market (1): the others of
    :func:`market_factors`."""
    return [factor for factor in market_factors(scenario) if factor != 1.0]


def market_profits(finals: Mapping[float, pd.DataFrame], market: float) -> pd.DataFrame:
    """Incremental profit at the horizon per strategy and market size: one row per strategy and
    factor of ``finals`` (``sim.summary.final_outcomes`` of the comparison run at each factor
    times the market of ``market`` real people), with its mean and 95% interval, and on each of
    a strategy's rows its break-even market (:func:`break_even_table`: ``break_even_market`` in
    real people, empty outside the sizes scanned, and ``break_even`` in words)."""
    rows = []
    for factor, final in sorted(finals.items()):
        for _, row in final.iterrows():
            rows.append(
                {
                    "strategy": row["strategy"],
                    "factor": factor,
                    "market": market * factor,
                    "seeds": int(row["seeds"]),
                    **{
                        f"incremental_profit_{stat}": float(row[f"incremental_profit_{stat}"])
                        for stat in ("mean", "lo", "hi")
                    },
                }
            )
    return with_break_even(pd.DataFrame(rows))


def with_break_even(profits: pd.DataFrame) -> pd.DataFrame:
    """``profits`` (rows as :func:`market_profits` makes them) with each strategy's break-even
    market (:func:`break_even_table`) on its rows: ``break_even_market`` in real people, empty
    outside the sizes scanned, and ``break_even`` in words."""
    found = break_even_table(profits).set_index("strategy")
    return profits.assign(
        break_even_market=profits["strategy"].map(found["people"]).astype(float),
        break_even=profits["strategy"].map(found["break-even market"]),
    )


def break_evens(profits: pd.DataFrame) -> pd.DataFrame:
    """One row per strategy of ``profits`` (in its order): ``strategy``, ``break_even_market``
    and ``break_even``, as :func:`with_break_even` put them on the strategy's rows."""
    columns = ["break_even_market", "break_even"]
    return profits.groupby("strategy", sort=False)[columns].first().reset_index()


@dataclass(frozen=True)
class BreakEven:
    """Where a strategy starts to pay: at ``size`` real people (interpolated between two scanned
    sizes), already at the smallest size scanned (``below``), or at none (``above``)."""

    size: float | None = None
    below: float | None = None
    above: float | None = None

    def bound(self) -> str:
        """The size alone, as one end of a band: '130k', 'under 5k' or 'over 80k'."""
        if self.size is not None:
            return compact(self.size)
        if self.below is not None:
            return f"under {compact(self.below)}"
        return f"over {compact(self.above or 0.0)}"

    def text(self) -> str:
        """The break-even market size in words, e.g. 'about 130k people'."""
        if self.size is not None:
            return f"about {compact(self.size)} people"
        if self.below is not None:
            return f"under {compact(self.below)} people (profitable at every size scanned)"
        return f"over {compact(self.above or 0.0)} people (at no size scanned)"


def break_even_market(markets: Sequence[float], profits: Sequence[float]) -> BreakEven:
    """The smallest market from which mean incremental profit stays above 0 at every larger
    size scanned, by linear interpolation in log market size between the last size where it
    does not and the next one. Market size changes nearly everything in proportion, so profit
    varies smoothly with log size; the interpolation is an estimate between measured points."""
    points = sorted(zip(markets, profits, strict=True))
    if not points:
        raise ValueError("no market sizes to read a break-even size from")
    losing = [index for index, (_, profit) in enumerate(points) if not profit > 0]
    if not losing:
        return BreakEven(below=points[0][0])
    last = losing[-1]
    if last == len(points) - 1:
        return BreakEven(above=points[-1][0])
    (small, loss), (large, gain) = points[last], points[last + 1]
    share = loss / (loss - gain)
    return BreakEven(size=math.exp(math.log(small) + share * (math.log(large) - math.log(small))))


def break_even_table(profits: pd.DataFrame) -> pd.DataFrame:
    """Per strategy (in ``profits``' order) its break-even market size, from
    :func:`market_profits` rows: the text and, where it lies between scanned sizes, the size.
    With more than one seed the text adds the sizes read from the 95% interval's upper and
    lower curves, between which the break-even market lies as far as the seeds can tell."""
    rows = []
    for strategy, rows_of in profits.groupby("strategy", sort=False):
        markets = rows_of["market"]
        found = break_even_market(markets, rows_of["incremental_profit_mean"])
        text = found.text()
        if rows_of["seeds"].min() > 1:
            soonest, latest = (
                break_even_market(markets, rows_of[f"incremental_profit_{bound}"]).bound()
                for bound in ("hi", "lo")
            )
            if soonest != latest:
                band = f"95% band: {soonest} to {latest}"
                text = f"{text[:-1]}; {band})" if text.endswith(")") else f"{text} ({band})"
        rows.append({"strategy": strategy, "break-even market": text, "people": found.size})
    return pd.DataFrame(rows)
