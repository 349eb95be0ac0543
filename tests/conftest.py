"""Shared fixtures: a synthetic daily metrics table in the shape sim.runner returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import behavior
from sim.engines.docking import person_states
from sim.engines.outside import FIXED_POINT
from sim.metrics import COLUMNS
from sim.rng import uniform_from


def pytest_configure(config: pytest.Config) -> None:
    """Load (or, in a fresh clone, compile) the draws kernel before any test is timed: the
    first batch of a process pays it, which would break hypothesis deadlines."""
    uniform_from(0, np.arange(2))


def stocks_over_everyone(model, brand: int = 0) -> tuple[float, float, float]:
    """Equity and advocates of ``brand`` at the end of the model's last day, in real people,
    summed over every person from the engine's state (trust decayed to that day, as a return to
    the known set would decay it), and the absolute tolerance of the engines' equity (their
    outside ledger keeps trust x fit in fixed point: half a unit per person)."""
    params, day = model.config.behavior, model.rows[-1]["day"]
    states = person_states(model.engine)
    trust = behavior.decayed_trust(
        states["trust"][brand],
        states["trust_day"][brand],
        states["last_touch"][brand],
        day,
        params.trust_grace_days,
        params.trust_half_life,
    )
    scale = model.config.market.scale
    equity = float((trust * model.population.traits.fit[brand]).sum()) * scale
    advocates = int((trust > params.advocate_threshold).sum()) * scale
    return equity, advocates, trust.size * scale / FIXED_POINT


def make_metrics(
    strategies: dict[str, float] | None = None, seeds: int = 4, days: int = 30, brands: int = 1
) -> pd.DataFrame:
    """A tidy metrics table: columns strategy, seed, brand, day, then every metrics column.

    Each strategy's values grow linearly with the day at its own slope plus seed noise; the
    ``incremental_profit`` of a strategy with slope s is ``s * day - 10 + noise``.
    """
    strategies = {"steady": 2.0, "flat": 1.0} if strategies is None else strategies
    rng = np.random.default_rng(0)
    frames = []
    day = np.arange(days)
    for name, slope in strategies.items():
        for seed in range(42, 42 + seeds):
            for brand in range(brands):
                frame = pd.DataFrame({"strategy": name, "seed": seed, "brand": brand, "day": day})
                noise = rng.normal(0.0, 0.5, size=days)
                for column in COLUMNS:
                    frame[column] = slope * day + noise
                frame["incremental_profit"] = slope * day - 10.0 + noise
                frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def metrics() -> pd.DataFrame:
    """Two strategies ('steady' grows twice as fast as 'flat'), 4 seeds, 30 days, one brand."""
    return make_metrics()


@pytest.fixture
def progress_bars(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (label, unit) of every progress bar the CLI opens during the test."""
    from sim import cli

    bars: list[tuple[str, str]] = []

    class Recorded(cli._LazyProgress):
        def __init__(self, total: int, label: str, delay: float = 1.0, unit: str = "runs"):
            bars.append((label, unit))
            super().__init__(total, label, delay, unit)

    monkeypatch.setattr(cli, "_LazyProgress", Recorded)
    return bars


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium for the browser tests (one for the whole session)."""
    from browser_app import launch_chromium

    with launch_chromium() as chromium:
        yield chromium
