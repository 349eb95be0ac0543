"""Every model parameter at its documented minimum and maximum, in combination.

The factors are the numeric, boolean and choice fields of ``Strategy`` and ``Platform`` (with
their nested content weights and quit rule), of ``Behavior`` and ``Market``, of the brand's
initial state and fit, and of the audience's traits (its graph stays a fixed tiny one), each at
the ends of its schema range
(``sim.schema.bounds``) or at each of its choices. A greedy pairwise design covers every pair of
factor levels; random corners (hypothesis) add more. Each combination runs on a tiny audience and
must give finite outputs with the engine invariants of tests/test_engine.py intact.
``LONGGAME_FUZZ=full`` (``make fuzz``) runs many more random corners, for 120 days instead of 40
(docs/reliability.md).
"""

from __future__ import annotations

import os
import random
from itertools import combinations
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from test_engine import check_invariants, check_metrics

from sim.audience import build_population
from sim.metrics import finish
from sim.model import EngagementModel
from sim.schema import (
    Audience,
    Behavior,
    Brand,
    ContentMix,
    Graph,
    InitialState,
    Market,
    Platform,
    Scenario,
    Strategy,
    bounds,
)

FULL = os.environ.get("LONGGAME_FUZZ") == "full"
RANDOM_CORNERS = 400 if FULL else 6
AGENT_ROWS = 12 if FULL else 2
PEOPLE, AGENT_DAYS = 300, 20
DAYS = 120 if FULL else 40

Path = tuple[str, ...]
Level = Any


def factor_levels(model: type[BaseModel], prefix: Path = ()) -> dict[Path, tuple[Level, ...]]:
    """Each numeric, boolean or choice field of a model (nested models included) and its extreme
    levels: the ends of its documented range, both booleans, or every choice."""
    levels: dict[Path, tuple[Level, ...]] = {}
    for name, info in model.model_fields.items():
        path, annotation = (*prefix, name), info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            levels.update(factor_levels(annotation, path))
        elif get_origin(annotation) is Literal:
            levels[path] = get_args(annotation)
        elif annotation is bool:
            levels[path] = (False, True)
        elif annotation in (int, float):
            low, high = bounds(info)
            assert low is not None and high is not None, f"{path} has no documented range"
            levels[path] = (annotation(low), annotation(high))
    return levels


FACTORS: dict[Path, tuple[Level, ...]] = {
    **factor_levels(Strategy, ("strategy",)),
    **factor_levels(Platform, ("platform",)),
    **factor_levels(Behavior, ("behavior",)),
    **factor_levels(Market, ("market",)),
    **factor_levels(InitialState, ("brand", "initial")),
    ("brand", "fit_mean"): factor_levels(Brand)[("fit_mean",)],
    **{
        path: levels
        for path, levels in factor_levels(Audience, ("audience",)).items()
        if path[1] != "graph"
    },
}
NAMES: list[Path] = list(FACTORS)
POSITION: dict[Path, int] = {name: index for index, name in enumerate(NAMES)}
MIX: list[Path] = [path for path in NAMES if path[:2] == ("strategy", "content_mix")]

Row = dict[Path, Level]


def repaired(row: Row, keep: tuple[Path, ...] = ()) -> Row:
    """The row, with one content-mix weight outside ``keep`` at its maximum if all were 0 (a
    mix needs a positive total)."""
    if any(row[path] > 0 for path in MIX):
        return row
    path = next(path for path in MIX if path not in keep)
    return {**row, path: FACTORS[path][-1]}


def pairwise_rows(seed: int = 0) -> list[Row]:
    """A greedy covering array: every pair of levels of two factors is in at least one row."""
    rng = random.Random(seed)
    uncovered = {
        ((a, x), (b, y)) for a, b in combinations(NAMES, 2) for x in FACTORS[a] for y in FACTORS[b]
    }
    in_order = sorted(uncovered, key=repr)
    rows: list[Row] = []
    while uncovered:
        while in_order[0] not in uncovered:
            in_order.pop(0)
        (a, x), (b, y) = in_order[0]
        row: Row = {a: x, b: y}
        for name in rng.sample(NAMES, len(NAMES)):
            if name not in row:
                row[name] = max(
                    FACTORS[name],
                    key=lambda level, name=name: sum(
                        _pair(name, level, other, value) in uncovered
                        for other, value in row.items()
                    ),
                )
        row = repaired(row, keep=(a, b))
        uncovered -= {_pair(p, row[p], q, row[q]) for p, q in combinations(NAMES, 2)}
        rows.append(row)
    return rows


def _pair(a: Path, x: Level, b: Path, y: Level) -> tuple:
    """A pair of factor levels in the order of ``NAMES`` (how ``uncovered`` stores it)."""
    return ((a, x), (b, y)) if POSITION[a] < POSITION[b] else ((b, y), (a, x))


def _nest(row: Row, prefix: str) -> dict[str, Any]:
    """The row's levels under one prefix as a nested table."""
    table: dict[str, Any] = {}
    for path, level in row.items():
        if path[0] == prefix:
            *parents, key = path[1:]
            target = table
            for parent in parents:
                target = target.setdefault(parent, {})
            target[key] = level
    return table


def scenario_for(row: Row) -> Scenario:
    """One brand running the row's strategy from the row's initial state, and a default rival,
    on the row's platform, audience traits, behaviour and market."""
    platform = Platform.model_validate({**_nest(row, "platform"), "name": "facebook"})
    strategy = Strategy.model_validate({**_nest(row, "strategy"), "platforms": ["facebook"]})
    graph = Graph(people=PEOPLE, mean_degree=8)
    return Scenario(
        audience=Audience.model_validate({**_nest(row, "audience"), "graph": graph}),
        days=DAYS,
        platforms=[platform],
        brands=[
            Brand.model_validate({**_nest(row, "brand"), "name": "Extreme", "strategy": strategy}),
            Brand(name="Rival"),
        ],
        behavior=Behavior.model_validate(_nest(row, "behavior")),
        market=Market.model_validate(_nest(row, "market")),
    )


def run_and_check(row: Row, engine: str, days: int) -> None:
    """Run a row's scenario; every output finite, counts non-negative, invariants intact."""
    scenario = scenario_for(row)
    population = build_population(scenario, seed=3)
    model = EngagementModel(scenario, seed=3, engine=engine, population=population).run(days)
    if engine == "vector":
        check_invariants(model)
    else:
        check_metrics(model.metrics())
        check_agent_state(model)
    finished = finish(model.metrics(), None, scenario.market.margin)
    assert np.isfinite(finished.select_dtypes("number").to_numpy()).all()
    assert len(finished) == days * len(scenario.brands)


def check_agent_state(model: EngagementModel) -> None:
    """The agent engine's ties: trust and salience in [0, 1], fatigue >= 0."""
    for person in model.engine.people:
        for tie in person.ties:
            assert 0.0 <= tie.trust <= 1.0 and 0.0 <= tie.salience <= 1.0
            assert min(tie.fatigue) >= 0.0


PAIRWISE = pairwise_rows()


def test_every_factor_has_two_levels_and_the_design_covers_every_pair():
    assert len(FACTORS) >= 140 and all(len(levels) >= 2 for levels in FACTORS.values())
    covered = {_pair(a, row[a], b, row[b]) for row in PAIRWISE for a, b in combinations(NAMES, 2)}
    assert all(
        _pair(a, x, b, y) in covered
        for a, b in combinations(NAMES, 2)
        for x in FACTORS[a]
        for y in FACTORS[b]
    )
    assert all(ContentMix.model_validate(_nest(row, "strategy")["content_mix"]) for row in PAIRWISE)


@pytest.mark.parametrize("index", range(len(PAIRWISE)))
def test_pairwise_extremes_stay_finite_and_keep_the_invariants(index: int) -> None:
    run_and_check(PAIRWISE[index], "vector", DAYS)


@pytest.mark.parametrize("index", range(AGENT_ROWS))
def test_extremes_in_the_agent_engine(index: int) -> None:
    run_and_check(PAIRWISE[index % len(PAIRWISE)], "agents", AGENT_DAYS)


CORNERS = st.fixed_dictionaries({path: st.sampled_from(FACTORS[path]) for path in NAMES})


@settings(
    max_examples=RANDOM_CORNERS,
    deadline=None,
    derandomize=not FULL,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(row=CORNERS)
def test_random_corners_stay_finite_and_keep_the_invariants(row: Row) -> None:
    run_and_check(repaired(row), "vector", DAYS)
