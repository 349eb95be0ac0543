"""Each ablation sets the parameters that switch its mechanism off, and nothing else."""

from __future__ import annotations

import pytest

from experiments.ablations import ABLATIONS, ablate
from sim.loading import load_scenario


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _changes(before, after) -> dict:
    """The fields whose values differ, by their path in the scenario, with their new values."""
    old, new = dict(_leaves(before.model_dump())), dict(_leaves(after.model_dump()))
    assert old.keys() == new.keys()
    return {path: value for path, value in new.items() if value != old[path]}


@pytest.fixture(scope="module")
def base():
    return load_scenario("base")


RANKING = {"rank_sensitivity": 0.0, "rank_min": 1.0, "rank_max": 1.0}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("as_is", {}),
        (
            "no_satisfaction_trust",
            {("market", "satisfied_trust"): 0.0, ("market", "unhappy_trust"): 0.0},
        ),
        (
            "no_reciprocity",
            {("behavior", "reply_trust"): 0.0, ("behavior", "ignored_trust"): 0.0},
        ),
        ("no_ranking", {("platforms", i, k): v for i in range(4) for k, v in RANKING.items()}),
    ],
)
def test_an_ablation_changes_its_fields_and_nothing_else(base, name, expected):
    assert [platform.name for platform in base.platforms] == [
        "facebook",
        "instagram",
        "x",
        "linkedin",
    ]
    ablation = next(ablation for ablation in ABLATIONS if ablation.name == name)
    assert _changes(base, ablate(base, ablation)) == expected
