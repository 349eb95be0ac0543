"""Plausible ranges in the schema: inside the accepted bounds, around the default, complete.

Every behavioural parameter has a documented meaning, a default, a plausible range and, where one
exists, a source. The plausible range (``param(..., plausible=(low, high))``) is what a careful
modeller considers realistic; the bounds (``ge``/``le``) are what the loader accepts.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel
from test_docs import schema_models

from experiments.spec import resolve_path
from sim.loading import load_scenario
from sim.schema import Behavior, Platform, Strategy, bounds, plausible

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
ROBUSTNESS_SWEEPS = ("robustness.toml", "content.toml")
"""The sweeps that ask where the claims hold: they vary parameters over plausible ranges."""

REQUIRED: tuple[type[BaseModel], ...] = (Behavior, Platform, Strategy)
"""Models whose every numeric parameter must state a plausible range."""

EXEMPT: frozenset[str] = frozenset()
"""``Model.field`` names in ``REQUIRED`` models that truly have no plausible range (none today)."""


def _ranged() -> list[tuple[str, object]]:
    return [
        (f"{model.__name__}.{name}", info)
        for model in schema_models()
        for name, info in model.model_fields.items()
        if plausible(info) is not None
    ]


@pytest.mark.parametrize(("name", "info"), _ranged(), ids=[name for name, _ in _ranged()])
def test_plausible_range_is_inside_the_bounds_and_holds_the_default(name, info):
    low, high = plausible(info)
    ge, le = bounds(info)
    default = info.get_default(call_default_factory=True)
    assert low <= default <= high, f"{name}: default {default} outside plausible {low}-{high}"
    assert ge is None or ge <= low, f"{name}: plausible low {low} below the accepted {ge}"
    assert le is None or high <= le, f"{name}: plausible high {high} above the accepted {le}"
    assert info.annotation is not int or (low, high) == (int(low), int(high)), (
        f"{name}: an integer parameter needs an integer plausible range"
    )


def test_every_numeric_behavioural_parameter_has_a_plausible_range():
    missing = [
        f"{model.__name__}.{name}"
        for model in REQUIRED
        for name, info in model.model_fields.items()
        if info.annotation in (int, float)
        and plausible(info) is None
        and f"{model.__name__}.{name}" not in EXEMPT
    ]
    assert not missing, (
        f"no plausible range for {missing}: give param() a plausible=(low, high), or exempt it "
        "in tests/test_schema_ranges.py with a reason"
    )


@pytest.mark.parametrize("file_name", ROBUSTNESS_SWEEPS)
def test_robustness_sweep_ranges_lie_inside_the_plausible_ranges(file_name):
    """A robustness sweep varies each parameter within its plausible range (for the base
    scenario's platform, the discovery rate's feed-like part of it)."""
    scenario = load_scenario("base")
    swept = tomllib.loads((EXPERIMENTS / file_name).read_text(encoding="utf-8"))["parameters"]
    for key, spec in swept.items():
        _, field, _ = resolve_path(scenario, key)
        low, high = plausible(field)
        assert low <= spec["low"] < spec["high"] <= high, (
            f"{key}: {file_name} varies {spec['low']}-{spec['high']}, outside the schema's "
            f"plausible range {low}-{high}"
        )


def _outside(model: BaseModel, where: str) -> list[str]:
    """The values of ``model`` (and the models inside it) outside their plausible ranges."""
    found = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += _outside(value, f"{where}.{name}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found += _outside(item, f"{where}.{name}[{index}]")
        elif (ranged := plausible(info)) is not None and not ranged[0] <= value <= ranged[1]:
            found.append(f"{where}.{name} = {value} (plausible {ranged[0]}-{ranged[1]})")
    return found


def test_every_shipped_preset_lies_inside_the_plausible_ranges():
    """Presets show mistakes by their choices, never by implausible numbers."""
    from sim.loading import list_presets, load_audience, load_platform, load_scenario, load_strategy

    loaders = {
        "strategy": load_strategy,
        "audience": load_audience,
        "platform": load_platform,
        "scenario": load_scenario,
    }
    outside = [
        problem
        for kind, load in loaders.items()
        for name, _ in list_presets(kind)
        for problem in _outside(load(name), f"{kind} {name}")
    ]
    assert outside == [STAYING_OFF], outside


STAYING_OFF = "strategy staying_off.weekly_hours = 0.0 (plausible 2-40)"
"""The one preset value outside a plausible range, by choice: staying off spends no hours (the
no-social-media baseline as a strategy), where the range is that of a brand on social media."""
