"""Docking: the agent and vector engines side by side, day by day and person by person
(docs/docking.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.audience import Population, people_in
from sim.engines.agents import AgentEngine
from sim.engines.vector import BrandAudience, VectorEngine
from sim.fields import model_of
from sim.schema import Behavior, Market, Platform, Scenario, Strategy, bounds, plausible

__all__ = [
    "TOLERANCE",
    "Docking",
    "DockingCase",
    "dock",
    "dock_case",
    "docking_cases",
    "docking_scenario",
    "off_defaults",
    "person_states",
]

TOLERANCE = 1e-9
"""Floats agree within this share of max(|a|, |b|, the metric's scale); counts agree exactly."""
FLOAT_METRICS = frozenset(
    {
        "followers",
        "fake_followers",
        "mean_trust",
        "equity",
        "revenue",
        "hours_posts",
        "hours_replies",
        "hours_outreach",
        "hours",
        "cost",
    }
)
"""Metrics that are sums of floats; every other metric is a count (of real people) or a flag."""
FLOAT_STATES = frozenset({"trust", "salience", "fatigue"})


@dataclass
class Docking:
    """The outcome of one docking run: agreement, the largest difference, the first problem.

    ``rows`` are the vector engine's daily metrics rows (to see what the run exercised).
    """

    days: int
    largest_difference: float = 0.0
    problem: str | None = None
    rows: list[dict] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem is None


def difference(a: float, b: float, scale: float) -> float:
    """|a - b| relative to max(|a|, |b|, scale): relative, or absolute near zero."""
    gap = abs(a - b)
    return gap / max(abs(a), abs(b), scale) if gap else 0.0


def person_states(engine: AgentEngine | VectorEngine) -> dict[str, np.ndarray]:
    """Every person's state toward every brand, as arrays of shape (brands, [parts,] people).

    Lazy values are compared as stored together with the day they were brought up to, which is
    stronger than comparing them decayed to one day.
    """
    if isinstance(engine, VectorEngine):
        return {
            name: np.stack([_vector_field(state, name) for state in engine.state])
            for name in STATE_FIELDS
        } | {"known": np.stack([state.in_known for state in engine.state])}
    states = {}
    for name in STATE_FIELDS:
        states[name] = np.array(
            [
                [getattr(person.ties[b], name) for person in engine.people]
                for b in range(len(engine.brands))
            ]
        )
        if states[name].ndim == 3:  # (brands, people, parts) -> (brands, parts, people)
            states[name] = states[name].transpose(0, 2, 1)
    states["known"] = np.array(
        [
            [person in ledger.known or person in ledger.touched for person in engine.people]
            for ledger in engine.ledgers
        ]
    )
    return states


SYNCED_FIELDS = ("salience_day", "trust_day", "fatigue_day")
"""The vector engine brings salience, trust and fatigue up to date together: one day
(``BrandAudience.synced_days``)."""


def _vector_field(state: BrandAudience, name: str) -> np.ndarray:
    """One of the vector engine's state fields as an array of shape ([parts,] people)."""
    if name in SYNCED_FIELDS:
        return state.synced_days()
    if name == "fatigue":  # stored person by person
        return state.fatigue.T
    return getattr(state, name)


STATE_FIELDS = (
    "trust",
    "trust_day",
    "salience",
    "salience_day",
    "last_touch",
    "fatigue",
    "fatigue_day",
    "follows",
    "follower",
    "muted",
    "blocked",
    "customer",
    "brand_follows_day",
    "seen_day",
    "seen_count",
    "promo_day",
    "last_content",
    "post_stamp",
)


def first_state_difference(vector: VectorEngine, agents: AgentEngine) -> tuple[str | None, float]:
    """The first (field, brand, person) whose state differs, and the largest float difference."""
    left, right = person_states(vector), person_states(agents)
    largest = 0.0
    for name, expected in left.items():
        found = right[name]
        if name in FLOAT_STATES:
            gap = np.abs(expected - found)
            relative = gap / np.maximum(np.maximum(np.abs(expected), np.abs(found)), 1.0)
            largest = max(largest, float(relative.max(initial=0.0)))
            bad = relative > TOLERANCE
        else:
            bad = expected != found
        if bad.any():
            where = np.argwhere(bad)[0]
            brand, person = int(where[0]), int(where[-1])
            return (
                f"{name} of person {person} toward brand {brand}: "
                f"vector {expected[tuple(where)].item()!r}, agents {found[tuple(where)].item()!r}",
                largest,
            )
    return None, largest


def dock(
    scenario: Scenario,
    seed: int,
    *,
    days: int | None = None,
    population: Population | None = None,
    inactive_brands: Sequence[int] = (),
    state_every: int = 1,
    tracked: Sequence[int] | None = None,
) -> Docking:
    """Run both engines in lockstep and compare them day by day (the docking test).

    Each day's metrics rows must agree (counts exactly, floats within `TOLERANCE` of the
    metric's scale); every ``state_every`` days, on the first disagreement and at the end, so
    must every person's state; at the end, the histories of ``tracked`` people (default: every
    fifth person). The first problem names the day, the metric or state field and the person.
    """
    from sim.audience import build_population
    from sim.model import EngagementModel

    days = scenario.days if days is None else days
    population = population or build_population(scenario, seed=seed)
    if tracked is None:
        tracked = range(0, population.n, 5)
    models = [
        EngagementModel(
            scenario,
            seed=seed,
            engine=engine,
            population=population,
            inactive_brands=inactive_brands,
            tracked=tracked,
        )
        for engine in ("vector", "agents")
    ]
    vector, agents = (model.engine for model in models)
    result = Docking(days, rows=models[0].rows)
    scales: dict[str, float] = {}
    for day in range(days):
        for model in models:
            model.step()
        metric_problem, largest = _compare_day(
            models[0].rows[-len(scenario.brands) :],
            models[1].rows[-len(scenario.brands) :],
            scales,
        )
        result.largest_difference = max(result.largest_difference, largest)
        check_states = metric_problem is not None or day % state_every == 0 or day == days - 1
        if check_states:
            state_problem, largest = first_state_difference(vector, agents)
            result.largest_difference = max(result.largest_difference, largest)
            if metric_problem or state_problem:
                parts = [part for part in (metric_problem, state_problem) if part]
                result.problem = f"day {day}: " + "; ".join(parts)
                return result
    for person in tracked:
        expected, found = vector.history.events(person), agents.history.events(person)
        if expected != found:
            k = next(
                (
                    k
                    for k, pair in enumerate(zip(expected, found, strict=False))
                    if pair[0] != pair[1]
                ),
                min(len(expected), len(found)),
            )
            result.problem = (
                f"history of person {person}, event {k}: "
                f"vector {expected[k : k + 1]}, agents {found[k : k + 1]}"
            )
            return result
    return result


def _compare_day(
    expected_rows: list[dict], found_rows: list[dict], scales: dict[str, float]
) -> tuple[str | None, float]:
    """The first metric that differs on one day (per brand), and the largest float difference."""
    largest = 0.0
    for expected, found in zip(expected_rows, found_rows, strict=True):
        for metric, value in expected.items():
            other = found[metric]
            if metric == "brand":
                continue
            if metric not in FLOAT_METRICS:
                if value != other:
                    return (
                        f"{metric} of {expected['brand']}: vector {value}, agents {other}",
                        largest,
                    )
                continue
            scale = max(scales.get(metric, 0.0), abs(value), abs(other))
            scales[metric] = scale
            gap = difference(value, other, scale)
            largest = max(largest, gap)
            if gap > TOLERANCE:
                return f"{metric} of {expected['brand']}: vector {value}, agents {other}", largest
    return None, largest


# --- the docking grids ------------------------------------------------------------------------
@dataclass(frozen=True)
class DockingCase:
    """One scenario to dock, over some seeds (``inactive_brands`` as in the no-social baseline)."""

    name: str
    scenario: Scenario
    seeds: tuple[int, ...]
    inactive_brands: tuple[int, ...] = ()


BUSY_PLATFORM = {"feed_rate": 6.0, "engage_base": 10.0, "surfacing_rate": 5.0}
"""Multipliers of platform rates in the *busy* docking world (capped at 1)."""
BUSY_BEHAVIOR = {
    "salience_half_life": 7.0,
    "trust_grace_days": 10.0,
    "trust_half_life": 60.0,
    "advocate_threshold": 0.3,
    "advocacy_rate": 0.2,
    "prune_rate": 0.01,
    "dropout_rate": 0.05,
    "silence_days": 5,
    "gaffe_chance": 0.2,
    "incident_rate": 0.05,
    "follow_base": 0.3,
}
BUSY_MARKET = {"conversion": 0.1, "complaint_chance": 0.8, "satisfaction_mean": 0.6}


def docking_scenario(
    scenario: Scenario, *, days: int, people: int | None = None, busy: bool = False
) -> Scenario:
    """A scenario resized for docking: ``people``, ``days``, and a start in proportion.

    ``people`` resizes a generated graph; for an edge list it is the graph's size (looked up
    when None). The initial follower base keeps base.toml's proportion (5% of the people; 20%
    when busy); quit rules are checked at a third of the horizon so that they fire.

    *Busy* raises rates so that every mechanism (comments, wrong answers, cascades, word of
    mouth, forgetting, trust decay, pruning, dropout, gaffes, incidents, complaints, reprisals)
    happens within weeks on a small graph: the engines must agree on any parameters, so
    docking needs no calibrated ones.
    """
    data = scenario.model_dump()
    graph = data["audience"]["graph"]
    if people is not None and graph["kind"] != "edgelist":
        graph["people"] = people
    n = people if people is not None else people_in(scenario.audience.graph)
    data["days"] = days
    if busy:
        for platform in data["platforms"]:
            for name, factor in BUSY_PLATFORM.items():
                platform[name] = min(1.0, platform[name] * factor)
        data["behavior"].update(BUSY_BEHAVIOR)
        data["market"].update(BUSY_MARKET)
    share = 0.2 if busy else 0.05
    for brand in data["brands"]:
        brand["initial"]["followers"] = round(share * n) * data["market"]["scale"]
        rule = brand["strategy"]["quit_rule"]
        rule["check_day"] = max(1, min(rule["check_day"], days // 3))
    return Scenario.model_validate(data)


OFF_DEFAULT_FACTOR = 1.1
"""How far :func:`off_defaults` moves each parameter (up, or down where up is out of range)."""


def off_defaults(scenario: Scenario) -> Scenario:
    """``scenario`` with every number of its behaviour, market, platforms and brands'
    strategies moved off its value: by :data:`OFF_DEFAULT_FACTOR` (whole numbers by at least
    one), a zero to a tenth of its plausible range, within the schema's bounds. Every quick
    case but this one docks at the shipped values (or the busy world's), so a parameter that
    one engine reads and the other ignores would dock there unseen."""
    data = scenario.model_dump()
    tables: list[tuple[type[BaseModel], dict[str, Any]]] = [
        (Behavior, data["behavior"]),
        (Market, data["market"]),
        *((Platform, platform) for platform in data["platforms"]),
        *((Strategy, brand["strategy"]) for brand in data["brands"]),
    ]
    for model, table in tables:
        _move_numbers(model, table)
    return Scenario.model_validate(data)


def _move_numbers(model: type[BaseModel], table: dict[str, Any]) -> None:
    """:func:`off_defaults` on one table of ``model``'s fields, and the tables inside it."""
    for name, info in model.model_fields.items():
        value = table.get(name)
        if (inner := model_of(info.annotation)) is not None and isinstance(value, dict):
            _move_numbers(inner, value)
        elif info.annotation in (int, float) and not isinstance(value, bool):
            low, high = bounds(info)
            if value == 0:
                lowest, highest = plausible(info) or (0.0, 1.0)
                moved = 0.1 * (highest - lowest) or 0.1
            else:
                moved = value * OFF_DEFAULT_FACTOR
            if info.annotation is int:
                moved = max(round(moved), value + 1)
            if high is not None and moved > high:
                moved = value - (moved - value)
            if low is not None and moved < low:
                moved = low
            table[name] = moved


def docking_cases(grid: str) -> list[DockingCase]:
    """The docking grids: ``quick`` (make test, longgame validate --quick) or ``full``.

    quick: every strategy preset and the two-brand competition on a busy 800-person generated
    graph for 45 days, one seed, plus the competition with one brand inactive (its no-social
    baseline run), mean-field mixing, posting four times a day (volume fatigue) and every
    parameter moved off its value (:func:`off_defaults`). full: every
    preset and the competition, and every parameter off its value, on a 2,000-person generated
    graph and on the ego-Facebook graph, 120 days, 3 seeds, with the shipped parameters and in
    the busy world.
    """
    from sim.loading import list_presets, load_audience, load_scenario, load_strategy
    from sim.runner import with_strategy

    base = load_scenario("base")
    scenarios = [
        (name, with_strategy(base, load_strategy(name))) for name, _ in list_presets("strategy")
    ]
    scenarios.append(("competition", load_scenario("competition")))
    if grid == "quick":
        cases = [
            DockingCase(f"{name} · busy, 800 people", _resize(s, 800, 45, True), (base.seed,))
            for name, s in scenarios
        ]
        competition = cases[-1]
        cases.append(
            DockingCase(
                "competition, Blare's no-social baseline · busy",
                competition.scenario,
                competition.seeds,
                inactive_brands=(1,),
            )
        )
        data = _resize(scenarios[0][1], 800, 45, True).model_dump()
        data["audience"]["graph"]["mixing"] = "mean_field"
        mean_field = Scenario.model_validate(data)
        cases.append(DockingCase("mean-field mixing · busy", mean_field, (base.seed,)))
        data = _resize(scenarios[0][1], 800, 45, True).model_dump()
        data["brands"][0]["strategy"]["posts_per_week"] = 28
        data["behavior"]["volume_fatigue"] = 1.0
        often = Scenario.model_validate(data)  # unfollows for posting too often (no preset's)
        cases.append(DockingCase("posting four times a day · busy", often, (base.seed,)))
        data = off_defaults(_resize(scenarios[0][1], 800, 45, True)).model_dump()
        data["brands"][0]["strategy"]["coordination"] = 0.5  # off too: wrong answers in 45 days
        data["brands"][0]["strategy"]["targeting"] = "random"  # and follows that read as spam
        moved = Scenario.model_validate(data)
        cases.append(DockingCase("every parameter off its value · busy", moved, (base.seed,)))
        return cases
    if grid != "full":
        raise ValueError(f"unknown docking grid {grid!r}: quick or full")
    facebook = load_audience("facebook_ego")
    facebook_people = people_in(facebook.graph)
    seeds = tuple(base.seed + offset for offset in range(3))
    cases = []
    for busy in (False, True):
        world = "busy" if busy else "shipped"
        for name, scenario in scenarios:
            cases.append(
                DockingCase(
                    f"{name} · {world}, 2,000 people", _resize(scenario, 2000, 120, busy), seeds
                )
            )
            on_facebook = scenario.model_copy(update={"audience": facebook})
            cases.append(
                DockingCase(
                    f"{name} · {world}, ego-Facebook",
                    _resize(on_facebook, facebook_people, 120, busy),
                    seeds,
                )
            )
        first = scenarios[0][1]
        for place, scenario, people in (
            ("2,000 people", first, 2000),
            ("ego-Facebook", first.model_copy(update={"audience": facebook}), facebook_people),
        ):
            moved = off_defaults(_resize(scenario, people, 120, busy))
            cases.append(
                DockingCase(f"every parameter off its value · {world}, {place}", moved, seeds)
            )
    return cases


def _resize(scenario: Scenario, people: int | None, days: int, busy: bool) -> Scenario:
    return docking_scenario(scenario, days=days, people=people, busy=busy)


def dock_case(case: DockingCase, seed: int, state_every: int = 1) -> Docking:
    """Dock one case on one seed (a top-level function, so process pools can run it)."""
    return dock(case.scenario, seed, inactive_brands=case.inactive_brands, state_every=state_every)
