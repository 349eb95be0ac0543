"""``EngagementModel`` for Mesa's own ``mesa.batch_run``, for users who come from Mesa.

``mesa.batch_run(model_cls, parameters, rng=[...], max_steps=...)`` builds each model as
``model_cls(**kwargs)`` from plain keyword values, steps it while ``model.running`` and reads
``model.datacollector``. :class:`BatchModel` is a thin subclass that takes a scenario name or
file, a strategy, a horizon, an audience size and any dotted parameter of
:mod:`experiments.spec` as keywords, and collects the brand's daily outcomes::

    import mesa
    from experiments.mesa_batch import BatchModel

    rows = mesa.batch_run(
        BatchModel,
        parameters={"scenario": "base", "days": 365, "people": 5000,
                    "strategy": ["consistent_engagement", "broadcasting"],
                    "behavior.reply_trust": [0.1, 0.3, 0.5]},
        rng=[1, 2, 3],          # passed to the model as its seed
        max_steps=10_000,       # the model stops itself after `days`
        number_processes=1,
        data_collection_period=-1,
    )

``longgame sweep`` is the better tool for large designs (Latin hypercube and Sobol' samples, a
store that survives being killed, Dask, SALib analysis); batch_run is for familiar small grids.
"""

from __future__ import annotations

from typing import Any

import mesa

from experiments.spec import apply_values
from sim.loading import load_scenario, load_strategy
from sim.model import EngagementModel
from sim.runner import with_strategy
from sim.schema import Scenario

__all__ = ["REPORTED", "BatchModel", "batch_scenario"]

REPORTED = ("followers", "equity", "advocates", "customers", "revenue", "cost")
"""Columns of the first brand's daily row reported by the data collector (revenue and cost are
cumulative: ``cum_revenue`` and ``cum_cost``)."""


def batch_scenario(
    scenario: str | Scenario = "base",
    *,
    strategy: str | None = None,
    days: int | None = None,
    people: int | None = None,
    parameters: dict[str, float] | None = None,
) -> Scenario:
    """The scenario a :class:`BatchModel` runs: ``scenario`` (name, file or object) with brand
    0's ``strategy``, ``people`` simulated people, ``days`` and the dotted ``parameters`` set."""
    config = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if strategy is not None:
        config = with_strategy(config, load_strategy(strategy))
    values = dict(parameters or {})
    if people is not None:
        values["audience.graph.people"] = people
    config = apply_values(config, values) if values else config
    if days is not None:
        config = Scenario.model_validate({**config.model_dump(), "days": days})
    return config


class BatchModel(EngagementModel):
    """An :class:`sim.model.EngagementModel` built from keyword values, with a data collector.

    Keywords: ``scenario`` (name or file, default ``base``), ``strategy`` (a preset for brand 0),
    ``days``, ``people``, ``seed`` (what ``batch_run``'s ``rng`` values become), ``engine``, and
    any dotted parameter such as ``behavior.reply_trust`` (pass it through ``**{...}``; batch_run
    does). Stops itself (``running = False``) after ``days`` steps. The collector reports
    :data:`REPORTED` for brand 0 every day.
    """

    def __init__(
        self,
        scenario: str = "base",
        *,
        strategy: str | None = None,
        days: int | None = None,
        people: int | None = None,
        seed: int | None = None,
        engine: str = "vector",
        **parameters: Any,
    ) -> None:
        config = batch_scenario(
            scenario, strategy=strategy, days=days, people=people, parameters=parameters
        )
        super().__init__(config, seed=seed, engine=engine)
        self._revenue = 0.0
        self._cost = 0.0
        self._last: dict[str, Any] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: self._reporter(name) for name in REPORTED}
        )

    @staticmethod
    def _reporter(name: str):
        return lambda model: model._last.get(name, 0.0)

    def step(self) -> None:
        """One day; then collect brand 0's outcomes and stop after the horizon."""
        super().step()
        row = next(r for r in self.rows[-len(self.config.brands) :] if r["brand"] == self._name)
        self._revenue += float(row["revenue"])
        self._cost += float(row["cost"])
        self._last = {
            **{name: float(row[name]) for name in REPORTED if name in row},
            "revenue": self._revenue,
            "cost": self._cost,
        }
        self.datacollector.collect(self)
        if self.day >= self.config.days:
            self.running = False

    @property
    def _name(self) -> str:
        return self.config.brands[0].name
