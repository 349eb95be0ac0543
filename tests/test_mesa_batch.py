"""EngagementModel under Mesa's own mesa.batch_run: configured by name and keywords, collected
by its DataCollector, stopped at the horizon, with the numbers of sim.runner."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import mesa
import pytest

from sim.loading import load_scenario
from sim.model import REPORTED, EngagementModel, resolve_config
from sim.runner import run_seeds

STRATEGIES = ["consistent_engagement", "broadcasting"]
# buying without a relationship and a high conversion make revenue (and its baseline) non-zero
# within 20 days on 500 people
MARKET = {"market.no_relationship": 0.5, "market.conversion": 0.05}


@pytest.fixture
def restore_start_method() -> Iterator[None]:
    """batch_run forces the 'spawn' start method for the whole process; put it back."""
    method = multiprocessing.get_start_method(allow_none=True)
    yield
    multiprocessing.set_start_method(method, force=True)


def test_batch_run_rows_equal_the_runner(restore_start_method):
    rows = mesa.batch_run(
        EngagementModel,
        parameters={"config": "default", "strategy": STRATEGIES, "people": 500, **MARKET},
        rng=[42, 43],
        max_steps=20,
        number_processes=1,
        display_progress=False,
    )
    assert len(rows) == 4
    for strategy in STRATEGIES:
        config = resolve_config("default", strategy=strategy, people=500, parameters=MARKET)
        assert config.seed == 42  # so run_seeds runs seeds 42 and 43, like rng=[42, 43]
        expected = run_seeds(config, 2, days=20)
        for seed in (42, 43):
            row = next(r for r in rows if r["strategy"] == strategy and r["seed"] == seed)
            assert row["Step"] == 20
            last = expected[(expected["seed"] == seed) & (expected["day"] == 19)].iloc[0]
            for name, column in REPORTED.items():
                assert row[name] == last[column], (strategy, seed, name)
    assert any(row["revenue"] > 0 for row in rows)
    ce, bc = (next(r for r in rows if r["strategy"] == s and r["seed"] == 42) for s in STRATEGIES)
    assert any(ce[name] != bc[name] for name in REPORTED)  # the strategy reached the model
    # people=500 keeps the preset's day-0 share of followers (5%), as --audience does
    assert config.brands[0].initial.followers / config.market.scale == 25


def test_model_stops_at_the_horizon_and_collects_every_day():
    model = EngagementModel("base", people=300, days=5, seed=1)
    steps = 0
    while model.running and steps < 50:
        model.step()
        steps += 1
    assert steps == 5 and model.day == 5
    table = model.datacollector.get_model_vars_dataframe()
    assert list(table.columns) == list(REPORTED)
    assert len(table) == 5
    assert table["cost"].is_monotonic_increasing


def test_configuration_by_name_and_keywords():
    model = EngagementModel(
        "base",
        strategy="broadcasting",
        people=300,
        days=7,
        **{"behavior.reply_trust": 0.45},
    )
    assert model.config.brands[0].strategy.name == "broadcasting"
    assert model.config.audience.graph.people == 300
    assert model.config.days == 7
    assert model.config.behavior.reply_trust == 0.45
    assert model.run_seed == model.config.seed
    assert model.baseline is not None  # configured by name: paired
    misspelt = r"'reply_trustt' is not a parameter of behavior \(did you mean 'reply_trust'\?\)"
    with pytest.raises(ValueError, match=misspelt):
        EngagementModel("base", people=300, **{"behavior.reply_trustt": 0.4})


def test_a_scenario_object_runs_as_before_unpaired():
    scenario = resolve_config("base", people=300, days=3)
    assert resolve_config(scenario) is scenario
    model = EngagementModel(scenario, seed=4).run()
    assert model.baseline is None
    assert "incremental_profit" not in model.datacollector.model_vars
    named = EngagementModel("base", people=300, days=3, seed=4, paired=False).run()
    assert named.rows == model.rows
    assert load_scenario("base").audience.graph.people != 300
