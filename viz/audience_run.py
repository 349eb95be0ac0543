"""The Audience page's run: the agent engine stepped day by day, a sample's states recorded.

A sample of at most ``MAX_SHOWN`` people is drawn from the audience and laid out once per
audience and seed (``layout``, cached for the server: the layout is a pure function of the
graph). The run is the Mesa agent engine (``EngagementModel(engine="agents")``) with the sample
tracked, so every shown person's history of events is kept; after each day every shown person's
relationship with the brand is recorded as one of ``viz.charts.STATE_NAMES``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

from sim import behavior
from sim.audience import build_population
from sim.engines.history import Event
from sim.model import EngagementModel
from sim.runner import with_strategy
from sim.schema import Scenario, Strategy

__all__ = [
    "HISTORY_SIZE",
    "MAX_SHOWN",
    "AudienceRun",
    "Layout",
    "layout",
    "run_audience",
    "relationship_state",
]

MAX_SHOWN = 2000
HISTORY_SIZE = 200
"""Events kept per shown person (the latest)."""
LAYOUT_ITERATIONS = 15
"""Spring-layout iterations: about 0.3 s each on 2,000 people, and good enough to see clusters."""
UNAWARE, AWARE, FOLLOWER, ADVOCATE, MUTED, LEFT = range(6)
_layout_lock = threading.Lock()


@dataclass(frozen=True, eq=False)
class Layout:
    """The shown people (person ids), their positions in [0, 1]^2 and the follows among them."""

    people: np.ndarray
    positions: np.ndarray
    edges: np.ndarray

    def index_of(self, person: int) -> int:
        """The shown position of ``person`` (``people`` is sorted), or -1 if not shown."""
        index = int(np.searchsorted(self.people, person))
        return index if index < len(self.people) and self.people[index] == person else -1


@dataclass(eq=False)
class AudienceRun:
    """A finished (or growing) run: states[day, i] of shown person i, and the model."""

    layout: Layout
    model: EngagementModel
    states: list[np.ndarray]
    days: int

    def history(self, person: int) -> list[Event]:
        """The events that touched a shown person, oldest first."""
        return self.model.history(person)

    def traits(self, person: int) -> dict[str, object]:
        """A person's traits (activity, sociability, tolerance, fit, platforms)."""
        agent = self.model.engine.people[person]
        platforms = [
            p.name
            for p, member in zip(self.model.config.platforms, agent.member, strict=True)
            if member
        ]
        return {
            "activity (daily chance online)": round(agent.activity, 3),
            "sociability": round(agent.sociability, 3),
            "promo tolerance": round(agent.tolerance, 3),
            "fit with the brand": round(agent.fit[0], 3),
            "platforms": ", ".join(platforms) or "none",
            "follows": len(agent.followees),
            "followers": len(agent.audience),
        }


@lru_cache(maxsize=8)
def _layout(scenario_json: str, seed: int) -> Layout:
    scenario = Scenario.model_validate_json(scenario_json)
    population = build_population(scenario, seed=seed)
    graph = population.graph.to_networkx()
    rng = np.random.default_rng(seed)
    n = population.n
    people = np.arange(n) if n <= MAX_SHOWN else np.sort(rng.choice(n, MAX_SHOWN, replace=False))
    sub = nx.Graph(graph.subgraph(people.tolist()))
    placed = nx.spring_layout(sub, seed=seed, iterations=LAYOUT_ITERATIONS)
    xy = np.array([placed[int(person)] for person in people])
    xy = (xy - xy.min(axis=0)) / np.maximum(np.ptp(xy, axis=0), 1e-9)
    index = {int(person): i for i, person in enumerate(people)}
    edges = np.array([(index[u], index[v]) for u, v in sub.edges()], dtype=int).reshape(-1, 2)
    return Layout(people, xy, edges)


def layout(scenario: Scenario, seed: int) -> Layout:
    """The shown sample of ``scenario``'s audience on ``seed``, laid out once and reused."""
    with _layout_lock:
        return _layout(scenario.model_dump_json(), seed)


def relationship_state(model: EngagementModel, person: int, day: int, ever_followed: bool) -> int:
    """A person's relationship with brand 0 at the end of ``day`` (a code of STATE_NAMES)."""
    agent = model.engine.people[person]
    tie = agent.ties[0]
    params = model.config.behavior
    if tie.blocked or (ever_followed and not tie.follower):
        return LEFT
    if tie.muted:
        return MUTED
    if tie.follower:
        return ADVOCATE if agent.is_advocate(0, params) else FOLLOWER
    salience = behavior.decayed(tie.salience, day - tie.salience_day, params.salience_half_life)
    return AWARE if salience >= params.forgetting_floor else UNAWARE


def run_audience(
    scenario: Scenario,
    strategy: Strategy,
    *,
    check: Callable[[], None] = lambda: None,
    progress: Callable[[AudienceRun], None] | None = None,
    every: int = 10,
) -> AudienceRun:
    """Step the agent engine over ``scenario.days`` with ``strategy`` for brand 0.

    ``check()`` is called before each day (it may raise to stop); ``progress(run)`` every
    ``every`` days and at the end.
    """
    shown = layout(scenario, scenario.seed)
    variant = with_strategy(scenario, strategy)
    model = EngagementModel(
        variant, engine="agents", tracked=shown.people.tolist(), history_size=HISTORY_SIZE
    )
    people = shown.people.tolist()
    ever = np.zeros(len(people), dtype=bool)

    def record(day: int) -> np.ndarray:
        for i, person in enumerate(people):
            ever[i] |= model.engine.people[person].ties[0].follower
        return np.array(
            [relationship_state(model, p, day, bool(ever[i])) for i, p in enumerate(people)],
            dtype=np.int8,
        )

    run = AudienceRun(shown, model, [record(0)], scenario.days)
    for day in range(scenario.days):
        check()
        model.step()
        run.states.append(record(day))
        if progress and (day % every == every - 1 or day == scenario.days - 1):
            progress(run)
    return run
