"""The Mesa model: brands are Mesa agents, the audience lives in the chosen engine.

``EngagementModel`` takes a validated ``Scenario``, or (the way ``mesa.batch_run`` builds models)
the name or file of a scenario or comparison with plain keyword overrides, and its
``datacollector`` reports brand 0's daily outcomes (docs/sweeps.md, "Mesa's batch_run").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path

import mesa
import pandas as pd

from sim.audience import Population, build_population
from sim.engines.agents import AgentEngine
from sim.engines.history import Event
from sim.engines.vector import VectorEngine
from sim.errors import ScenarioError
from sim.loading import list_presets, load_comparison, load_scenario, load_strategy
from sim.metrics import incremental_profit
from sim.schema import Comparison, Scenario, Strategy
from sim.strategy import BrandAgent
from sim.text import did_you_mean

__all__ = ["EngagementModel", "ENGINES", "REPORTED", "check_engine", "resolve_config"]

ENGINES = ("vector", "agents")
"""The engines: ``vector`` (NumPy arrays, fast) and ``agents`` (a Mesa agent per person, the
readable reference); they dock (docs/docking.md)."""
_ENGINE_CLASSES = {"vector": VectorEngine, "agents": AgentEngine}


def check_engine(engine: str) -> None:
    """A ValueError naming an engine that is not one of :data:`ENGINES`."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")


REPORTED: dict[str, str] = {
    "followers": "followers",
    "equity": "equity",
    "advocates": "advocates",
    "customers": "customers",
    "revenue": "cum_revenue",
    "cost": "cum_cost",
    "incremental_profit": "incremental_profit",
}
"""Model reporters of ``EngagementModel.datacollector`` (brand 0, end of each day) and the
``sim.metrics`` column each equals; ``incremental_profit`` only for a paired model."""


def _load_config(name: str | Path) -> Scenario:
    """A shipped scenario or comparison by name, or a file of either (a comparison gives its
    scenario, with its ``days``). An unknown name is told apart from both kinds' names."""
    if not isinstance(name, str | Path):
        raise TypeError(
            f"config takes a Scenario, a Comparison, or a scenario or comparison name or file, "
            f"not {type(name).__name__}"
        )
    try:
        return load_scenario(name)
    except ScenarioError as scenario_error:
        try:
            return load_comparison(name).scenario
        except ScenarioError:
            if isinstance(name, Path) or Path(name).suffix or Path(name).exists():
                raise scenario_error from None
        shipped = {kind: [found for found, _ in list_presets(kind)] for kind in KINDS}
        names = [found for found_names in shipped.values() for found in found_names]
        listed = "; ".join(f"{kind}s: {', '.join(found)}" for kind, found in shipped.items())
        raise ScenarioError(
            f"unknown scenario or comparison {name!r}{did_you_mean(str(name), names)}; "
            f"shipped {listed}"
        ) from None


KINDS = ("scenario", "comparison")
"""The kinds of file a model can be configured by."""


def resolve_config(
    config: Scenario | Comparison | str | Path,
    *,
    strategy: Strategy | str | None = None,
    days: int | None = None,
    people: int | None = None,
    parameters: Mapping[str, float] | None = None,
) -> Scenario:
    """The scenario a model runs: ``config`` (a Scenario, a Comparison's scenario, or a scenario
    or comparison name or file) with brand 0 running ``strategy`` (a preset, file or Strategy),
    ``people`` simulated people (each brand's day-0 followers kept as the same share of them, as
    ``longgame compare --audience`` does), a horizon of ``days`` and then the dotted ``parameters``
    (``behavior.reply_trust``, as in an experiment file) set. A Scenario without overrides is
    returned as it is."""
    # sim.runner imports this module; dotted paths are the sweeps' parameter language
    from experiments.spec import apply_values
    from sim.runner import with_audience, with_strategy

    if isinstance(config, Comparison):
        config = config.scenario
    scenario = config if isinstance(config, Scenario) else _load_config(config)
    if strategy is not None:
        chosen = strategy if isinstance(strategy, Strategy) else load_strategy(strategy)
        scenario = with_strategy(scenario, chosen)
    if people is not None:
        graph = scenario.audience.graph.model_copy(update={"people": people})
        scenario = with_audience(scenario, scenario.audience.model_copy(update={"graph": graph}))
    if parameters:
        scenario = apply_values(scenario, dict(parameters))
    if days is not None:
        scenario = Scenario.model_validate({**scenario.model_dump(), "days": days})
    return scenario


def _reported(model: EngagementModel, name: str) -> float:
    return model.outcomes[name]


class EngagementModel(mesa.Model):
    """Audiences responding to brand strategies, one step per day.

    The configuration lives in ``self.config`` (Mesa reserves ``Model.scenario`` for its own
    Scenario class). ``config`` is a Scenario, a Comparison (its scenario), or a scenario or
    comparison name or file that :func:`resolve_config` loads with the keyword overrides
    ``strategy``, ``days``, ``people`` and dotted ``parameters`` (so ``mesa.batch_run`` can build
    the model from plain values).
    ``inactive_brands`` run as the no-social-media baseline: they exist, people who know them
    still buy, but they do nothing. ``tracked`` people keep a history of the last
    ``history_size`` events that touched them (`history`).

    ``running`` turns False when the horizon ``config.days`` is reached. A ``collecting`` model's
    ``datacollector`` collects :data:`REPORTED` for brand 0 after every day; a ``paired`` one
    also steps its no-social-media baseline (same seed and population) to report incremental
    profit. By default only a model configured by name (or by a Comparison) does either:
    ``sim.runner`` reads the engine's rows and pairs runs itself, sharing one baseline between
    strategies, and collecting would cost it about 5% of a run.
    """

    def __init__(
        self,
        config: Scenario | Comparison | str | Path = "base",
        *,
        seed: int | None = None,
        engine: str = "vector",
        population: Population | None = None,
        inactive_brands: Sequence[int] = (),
        base_dir: Path | None = None,
        tracked: Sequence[int] = (),
        history_size: int = 50,
        strategy: Strategy | str | None = None,
        days: int | None = None,
        people: int | None = None,
        paired: bool | None = None,
        collect: bool | None = None,
        **parameters: float,
    ) -> None:
        """Build the model on ``config`` (see the class) for ``seed`` (default: the scenario's)
        on ``engine`` (``vector`` or ``agents``); ``population`` reuses a built audience (the
        same for the same scenario and seed), and ``paired`` and ``collect`` override the
        defaults above."""
        scenario = resolve_config(
            config, strategy=strategy, days=days, people=people, parameters=parameters
        )
        run_seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=run_seed)
        check_engine(engine)
        self.config = scenario
        self.run_seed = run_seed
        self.engine_name = engine
        self.day = 0
        self.population = population or build_population(scenario, base_dir, seed=run_seed)
        platform_index = {platform.name: i for i, platform in enumerate(scenario.platforms)}
        self.brand_agents = [
            BrandAgent(
                self,
                i,
                brand.name,
                brand.strategy,
                [platform_index[name] for name in brand.strategy.platforms],
                scenario.platforms,
                scenario.behavior,
                scenario.market,
                run_seed,
                active=i not in inactive_brands,
            )
            for i, brand in enumerate(scenario.brands)
        ]
        self.engine = _ENGINE_CLASSES[engine](
            scenario, self.population, self.brand_agents, run_seed, tracked, history_size
        )
        self.rows: list[dict] = []
        by_name = not isinstance(config, Scenario)
        self.collecting = by_name if collect is None else collect
        paired = self.collecting and (by_name if paired is None else paired)
        self.baseline = (
            EngagementModel(
                scenario,
                seed=run_seed,
                engine=engine,
                population=self.population,
                inactive_brands=(0,),
                collect=False,
            )
            if paired
            else None
        )
        reported = [name for name in REPORTED if paired or name != "incremental_profit"]
        self.outcomes: dict[str, float] = dict.fromkeys(reported, 0.0)
        """Brand 0's outcomes at the end of the last day (the :data:`REPORTED` columns)."""
        self._incremental_revenue = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(_reported, name=name) for name in reported}
        )

    def step(self) -> None:
        """One day: the engine runs the day's phases and returns a metrics row per brand; brand
        0's outcomes are collected (if collecting), and the model stops at the horizon."""
        rows = self.engine.step(self.day)
        self.rows.extend(rows)
        if self.collecting:
            self._update_outcomes(rows)
            self.datacollector.collect(self)
        self.day += 1
        if self.day >= self.config.days:
            self.running = False

    def _update_outcomes(self, rows: list[dict]) -> None:
        """Brand 0's stocks, and its cumulative revenue, cost and incremental profit summed as
        ``sim.metrics.finish`` sums them (so they equal ``sim.runner``'s to the last bit)."""
        brand = self.config.brands[0].name
        row = next(r for r in rows if r["brand"] == brand)
        outcomes = self.outcomes
        for name in ("followers", "equity", "advocates", "customers"):
            outcomes[name] = float(row[name])
        outcomes["revenue"] += float(row["revenue"])
        outcomes["cost"] += float(row["cost"])
        if self.baseline is not None:
            self.baseline.step()
            base = next(r for r in self.baseline.rows[-len(rows) :] if r["brand"] == brand)
            self._incremental_revenue += float(row["revenue"]) - float(base["revenue"])
            outcomes["incremental_profit"] = incremental_profit(
                self.config.market.margin, self._incremental_revenue, outcomes["cost"]
            )

    def run(
        self, days: int | None = None, *, before_day: Callable[[], None] | None = None
    ) -> EngagementModel:
        """Step ``days`` days (default: the scenario's horizon); ``before_day()`` is called
        before each day (the web app's jobs raise from it to cancel a run)."""
        for _ in range(self.config.days if days is None else days):
            if before_day is not None:
                before_day()
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
