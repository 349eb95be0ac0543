"""The Mesa model: brands are Mesa agents, the audience lives in the chosen engine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mesa
import pandas as pd

from sim.audience import Population, build_population
from sim.engines.agents import AgentEngine
from sim.engines.vector import Event, VectorEngine
from sim.schema import Scenario
from sim.strategy import BrandAgent

__all__ = ["EngagementModel", "ENGINES"]

ENGINES = ("vector", "agents")
"""The engines: ``vector`` (NumPy arrays, fast) and ``agents`` (a Mesa agent per person, the
readable reference); they dock (docs/docking.md)."""
_ENGINE_CLASSES = {"vector": VectorEngine, "agents": AgentEngine}


class EngagementModel(mesa.Model):
    """Audiences responding to brand strategies, one step per day.

    The configuration lives in ``self.config`` (Mesa reserves ``Model.scenario`` for its own
    Scenario class). ``inactive_brands`` run as the no-social-media baseline: they exist, people
    who know them still buy, but they do nothing. ``tracked`` people keep a history of the last
    ``history_size`` events that touched them (`history`).
    """

    def __init__(
        self,
        config: Scenario,
        *,
        seed: int | None = None,
        engine: str = "vector",
        population: Population | None = None,
        inactive_brands: Sequence[int] = (),
        base_dir: Path | None = None,
        tracked: Sequence[int] = (),
        history_size: int = 50,
    ) -> None:
        run_seed = config.seed if seed is None else int(seed)
        super().__init__(rng=run_seed)
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
        self.config = config
        self.run_seed = run_seed
        self.engine_name = engine
        self.day = 0
        self.population = population or build_population(config, base_dir, seed=run_seed)
        platform_index = {platform.name: i for i, platform in enumerate(config.platforms)}
        self.brand_agents = [
            BrandAgent(
                self,
                i,
                brand.name,
                brand.strategy,
                [platform_index[name] for name in brand.strategy.platforms],
                config.platforms,
                config.behavior,
                config.market,
                run_seed,
                active=i not in inactive_brands,
            )
            for i, brand in enumerate(config.brands)
        ]
        self.engine = _ENGINE_CLASSES[engine](
            config, self.population, self.brand_agents, run_seed, tracked, history_size
        )
        self.rows: list[dict] = []

    def step(self) -> None:
        """One day: the engine runs the day's phases and returns a metrics row per brand."""
        self.rows.extend(self.engine.step(self.day))
        self.day += 1

    def run(self, days: int | None = None) -> EngagementModel:
        for _ in range(self.config.days if days is None else days):
            self.step()
        return self

    def history(self, person: int) -> list[Event]:
        """The last events that touched a tracked person: (day, brand, event, detail), oldest
        first."""
        return self.engine.history.events(person)

    def metrics(self) -> pd.DataFrame:
        """Raw daily rows (stocks and flows) as a DataFrame; see ``sim.metrics.finish``."""
        frame = pd.DataFrame(self.rows)
        frame.insert(0, "seed", self.run_seed)
        return frame
