"""Break-even market size (sim/market.py): the scenario at other market sizes, and where a
strategy's incremental profit at the horizon turns positive."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim import summary
from sim.loading import load_scenario, load_strategy
from sim.market import (
    BreakEven,
    at_market,
    break_even_market,
    break_even_table,
    market_factors,
    market_profits,
    with_break_even,
)
from sim.runner import compare
from sim.schema import Comparison


def test_a_larger_market_is_the_same_people_standing_for_more():
    base = load_scenario("base")
    larger = at_market(base, 4.0)
    assert larger.market.scale == 4 * base.market.scale
    assert larger.audience == base.audience
    assert larger.brands[0].initial.followers == 4 * base.brands[0].initial.followers
    assert larger.brands[0].strategy == base.brands[0].strategy


def test_market_sizes_keep_at_least_one_real_person_per_simulated_one():
    base = load_scenario("base")  # scale 10
    assert market_factors(base) == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert market_factors(at_market(base, 0.15)) == [1.0, 2.0, 4.0]  # scale 1.5
    assert market_factors(at_market(base, 0.4)) == [0.25, 0.5, 1.0, 2.0, 4.0]  # 0.25 x 4 = 1


def test_break_even_is_read_between_the_last_loss_and_the_first_gain_in_log_size():
    found = break_even_market([10_000, 100_000, 1_000_000], [-100.0, -50.0, 50.0])
    assert found.size == pytest.approx(math.sqrt(100_000 * 1_000_000))
    # nearer the size whose profit is nearer 0: a tenth of the way from a loss of 10 to 90
    assert break_even_market([1e4, 1e5], [-10.0, 90.0]).size == pytest.approx(10**4.1)
    assert found.text() == f"about {found.size / 1000:.0f}k people"
    assert break_even_market([1e4, 1e5], [5.0, 9.0]) == BreakEven(below=1e4)
    assert break_even_market([1e4, 1e5], [-5.0, 0.0]) == BreakEven(above=1e5)
    # profitable in a small market, losing in a middle one: pays for good only from the middle on
    assert break_even_market([1e4, 1e5, 1e6], [3.0, -1.0, 1.0]).size == pytest.approx(
        math.sqrt(1e5 * 1e6)
    )
    with pytest.raises(ValueError, match="no market sizes"):
        break_even_market([], [])


def test_the_break_even_market_names_the_band_its_interval_allows():
    """With several seeds the size read from the mean comes with those read from the 95%
    interval's curves: a single number hid that the interval spans 0 at the sizes around it."""
    rows = [
        {"strategy": name, "market": market, "seeds": seeds}
        | {f"incremental_profit_{stat}": market / 1000 - 30 + shift for stat, shift in bands}
        for name, seeds, bands in (
            ("sure", 3, (("mean", 0), ("lo", 0), ("hi", 0))),
            ("unsure", 3, (("mean", 0), ("lo", -10), ("hi", 10))),
            ("alone", 1, (("mean", 0), ("lo", -10), ("hi", 10))),
        )
        for market in (10_000.0, 20_000.0, 40_000.0, 80_000.0)
    ]
    texts = break_even_table(pd.DataFrame(rows))["break-even market"].tolist()
    assert texts == [
        "about 28.3k people",
        "about 28.3k people (95% band: 20k to 40k)",
        "about 28.3k people",
    ]
    beyond = break_even_market([1e4, 1e5], [-5.0, -1.0])
    assert (beyond.text(), beyond.bound()) == ("over 100k people (at no size scanned)", "over 100k")


def test_a_larger_market_earns_more_and_the_table_names_each_strategy():
    """Real runs: consistent engagement's incremental profit grows with the market (more real
    buyers per simulated one, the same hours), so its break-even size is read from runs."""
    base = load_scenario("base").model_copy(update={"days": 120})
    strategies = [load_strategy("consistent_engagement"), load_strategy("quitting_early")]
    finals = {}
    for factor in (0.5, 1.0, 4.0):
        scenario = at_market(base, factor)
        small = scenario.model_copy(
            update={
                "audience": scenario.audience.model_copy(
                    update={"graph": scenario.audience.graph.model_copy(update={"people": 4000})}
                )
            }
        )
        comparison = Comparison(scenario=small, strategies=strategies, seeds=1)
        finals[factor] = summary.final_outcomes(compare(comparison, days=120, seeds=1))
    profits = market_profits(finals, market=4000 * base.market.scale)
    assert list(profits["market"].unique()) == [20_000.0, 40_000.0, 160_000.0]
    steady = profits[profits["strategy"] == "consistent_engagement"]
    assert steady["incremental_profit_mean"].is_monotonic_increasing
    table = break_even_table(profits)
    assert table["strategy"].tolist() == ["consistent_engagement", "quitting_early"]
    assert all(text.endswith(("people", "scanned)")) for text in table["break-even market"])
    by_strategy = profits.groupby("strategy", sort=False)  # what market.csv holds
    assert by_strategy["break_even"].unique().map(list).tolist() == [
        [text] for text in table["break-even market"]
    ]
    written = by_strategy["break_even_market"].first().tolist()
    assert written == pytest.approx(table["people"].astype(float).tolist(), nan_ok=True)


def test_the_market_chart_tells_twelve_strategies_apart():
    """Ten colours, then the same colours dashed, as in the trajectory charts."""
    import pandas as pd

    from sim.charts import market_chart

    rows = [
        {
            "strategy": f"s{index}",
            "factor": factor,
            "market": 200_000 * factor,
            "seeds": 2,
            "incremental_profit_mean": 1000.0 * (index - 5) + 2000.0 * factor,
            "incremental_profit_lo": 0.0,
            "incremental_profit_hi": 1.0,
        }
        for index in range(12)
        for factor in (0.25, 1.0, 4.0)
    ]
    lines = market_chart(with_break_even(pd.DataFrame(rows))).axes[0].get_lines()
    looks = {
        (line.get_color(), line.get_linestyle()) for line in lines if line.get_label()[0] == "s"
    }
    assert len(looks) == 12
