"""Equity and advocates count everyone (docs/model.md section 5), the people outside the known
set too: the outside ledger (`sim.engines.outside`) and both engines' use of it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import stocks_over_everyone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import behavior
from sim.audience import build_population
from sim.engines.day import NEVER
from sim.engines.docking import dock, docking_scenario
from sim.engines.outside import FIXED_POINT, OutsideLedger
from sim.loading import load_scenario, load_strategy
from sim.model import EngagementModel
from sim.runner import with_strategy
from sim.schema import Scenario


def forgetting_scenario(strategy: str) -> Scenario:
    """600 people who forget the brand within weeks while their trust lasts: many leave the
    known set with trust, some of it above the advocate threshold (a quitting brand's followers
    drop out, then forget it)."""
    scenario = with_strategy(load_scenario("base"), load_strategy(strategy))
    data = docking_scenario(scenario, days=60, people=600).model_dump()
    data["behavior"].update(
        salience_half_life=7.0,
        trust_half_life=200.0,
        trust_grace_days=10.0,
        advocate_threshold=0.3,
        dropout_rate=0.05,
        silence_days=5,
    )
    data["brands"][0]["initial"]["follower_trust"] = 0.4
    return Scenario.model_validate(data)


def known_set_sums(model: EngagementModel) -> tuple[float, int]:
    """Equity and advocates over the known set alone, as they were reported before."""
    state, params = model.engine.state[0], model.config.behavior
    known, scale = state.known, model.config.market.scale
    equity = float((state.trust[known] * model.population.traits.fit[0][known]).sum()) * scale
    return equity, int((state.trust[known] > params.advocate_threshold).sum()) * scale


@pytest.mark.parametrize("strategy", ["quitting_early", "consistent_engagement"])
def test_equity_and_advocates_count_the_people_outside_the_known_set(strategy):
    """Both engines report equity and advocates summed over every person, with the trust that
    people who forgot the brand keep (decayed to the day), and agree to the last bit."""
    scenario = forgetting_scenario(strategy)
    population = build_population(scenario, seed=3)
    rows = {}
    for engine in ("vector", "agents"):
        model = EngagementModel(scenario, seed=3, engine=engine, population=population).run()
        equity, advocates, tolerance = stocks_over_everyone(model)
        last = model.rows[-1]
        assert last["equity"] == pytest.approx(equity, rel=1e-12, abs=tolerance)
        assert last["advocates"] == advocates
        rows[engine] = [(row["equity"], row["advocates"]) for row in model.rows]
        if engine == "vector":
            known_equity, known_advocates = known_set_sums(model)
            assert len(model.engine.state[0].known) < 0.8 * population.n
            assert equity > known_equity * 1.1  # the known set alone misses part of it
            if strategy == "quitting_early":
                assert equity > known_equity * 3 and advocates > known_advocates
    assert rows["vector"] == rows["agents"]


def test_engines_dock_while_people_leave_and_return_with_trust():
    """Docking, day by day and person by person, in the forgetting world."""
    docking = dock(forgetting_scenario("quitting_early"), 3)
    assert docking.ok, docking.problem
    assert max(row["advocates"] for row in docking.rows) > 0


def _leaver(draw, day: int) -> tuple[int, float, int, float]:
    """(day left, trust, last touch, fit) of someone leaving on ``day``."""
    trust = draw(st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.3, 0.6, 1.0])))
    touch = draw(st.one_of(st.just(NEVER), st.integers(0, day)))
    return day, trust, touch, draw(st.floats(0, 1))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grace=st.sampled_from([0.0, 10.0, 60.5, 365.0]),
    half_life=st.sampled_from([7.0, 60.0, 365.0, 1e6]),
    threshold=st.sampled_from([0.0, 0.3, 0.6, 1.0]),
    data=st.data(),
)
def test_the_ledger_matches_everyone_summed_and_books_out_what_it_booked_in(
    grace, half_life, threshold, data
):
    """Random days of people leaving (with their trust, last touch and fit) and returning:
    every day, and on days far ahead, the ledger's equity is the outsiders' sum of fit x
    decayed trust and its advocates their count above the threshold; its amounts never go
    negative; when everyone has returned it is empty, exactly."""
    ledger = OutsideLedger(grace, half_life, threshold)
    outside: dict[int, tuple[int, float, int, float]] = {}
    people = itertools.count()
    days = data.draw(st.integers(1, 30))
    for day in range(days):
        new = [_leaver(data.draw, day) for _ in range(data.draw(st.integers(0, 4)))]
        outside.update(zip(people, new, strict=False))
        ledger.leave(*_columns(new))
        if outside:
            back = data.draw(st.lists(st.sampled_from(sorted(outside)), unique=True, max_size=4))
            ledger.rejoin(*_columns([outside.pop(person) for person in back]))
        assert (ledger.amounts >= 0).all()
        for later in (day, day + 1, day + 100, day + 10**5):
            equity, advocates = _brute(outside, later, grace, half_life, threshold)
            assert ledger.equity(later) == pytest.approx(
                equity, rel=1e-12, abs=len(outside) / FIXED_POINT
            )
            assert ledger.advocates(later) == advocates
    ledger.rejoin(*_columns(list(outside.values())))
    assert not ledger.amounts.any() and ledger.expiries.size == 0
    assert ledger.equity(days) == 0.0 and ledger.advocates(days) == 0


def _columns(people: list[tuple[int, float, int, float]]) -> tuple[np.ndarray, ...]:
    """The ledger's arguments (trust, synced day, last touch, fit) of (day, trust, touch, fit)
    records."""
    if not people:
        return np.zeros(0), np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    day, trust, touch, fit = (np.array(column) for column in zip(*people, strict=True))
    return trust, day, touch, fit


def _brute(outside, day, grace, half_life, threshold) -> tuple[float, int]:
    if not outside:
        return 0.0, 0
    synced, trust, touch, fit = (np.array(c) for c in zip(*outside.values(), strict=True))
    decayed = behavior.decayed_trust(trust, synced, touch, day, grace, half_life)
    return float((decayed * fit).sum()), int((decayed > threshold).sum())


def test_a_return_that_was_not_booked_is_refused():
    """Taking out more than was booked is a bookkeeping error, not a rounding."""
    ledger = OutsideLedger(60.0, 365.0, 0.6)
    ledger.leave(np.array([0.5]), np.array([3]), np.array([NEVER]), np.array([0.5]))
    with pytest.raises(ValueError, match="more trust than was booked"):
        ledger.rejoin(np.array([0.7]), np.array([3]), np.array([NEVER]), np.array([0.5]))
    with pytest.raises(ValueError, match="advocate returned who was not booked"):
        ledger.rejoin(np.array([0.9]), np.array([3]), np.array([NEVER]), np.array([0.0]))
