"""Independent cascade against a peer: longgame's share cascade in the validation
configuration matches NDlib's IndependentCascadesModel on the same graph, and the comparison
notices a wrong direction or a wrong link probability (docs/validation.md)."""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import pytest

from sim.audience import build_population
from sim.validation import cascade
from sim.validation.cascade import GENERATED, CascadeCase


@pytest.fixture(scope="module")
def quick():
    """The quick grid's rows, with a count of progress calls."""
    calls = []
    rows = cascade.check("quick", None, 1, calls.append)
    return rows, len(calls), list(cascade._LAST)


def test_quick_grid_passes(quick):
    rows, calls, _ = quick
    assert [row.case for row in rows] == [case.name for case in cascade.cascade_cases("quick")]
    assert calls == cascade.CHECK.runs("quick", None) == sum(row.runs for row in rows)
    for row in rows:
        assert row.passed, row
        assert row.measured.startswith("KS D=") and row.limit == "p >= 0.01"


def test_figure_of_the_last_check(quick, tmp_path):
    paths = cascade.write_figures(tmp_path)
    assert paths == [tmp_path / cascade.FIGURE]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_full_grid_rows_write_the_figure(monkeypatch, tmp_path):
    """In the full grid the first row writes the figure (``longgame validate --figures DIR``)."""
    tiny = [CascadeCase(GENERATED, p, 8, people=300) for p in (0.05, 0.1)]
    monkeypatch.setattr(cascade, "cascade_cases", lambda grid: tiny)
    rows = cascade.check("full", None, 1, lambda _: None)
    assert rows[0].figure(tmp_path) == tmp_path / cascade.FIGURE
    assert rows[1].figure is None
    assert (tmp_path / cascade.FIGURE).stat().st_size > 10_000


def test_configuration_is_the_independent_cascade():
    """With p = 1 the cascade is everyone reachable from the seeds along the direction in which
    information flows (followed -> follower), with p = 0 the seeds alone: a direct check of the
    wiring on a directed real graph (email-Eu-core: 'u v' = u wrote to v, so v sees u)."""
    population = cascade.cascade_population("email-Eu-core")
    flow = cascade.flow_digraph(population.graph)
    assert population.traits.activity.min() == 1.0  # activity_mean 1: always online
    for p, seed in ((1.0, 1000), (1.0, 1001), (0.0, 1000)):
        size, seeds, problem, _ = cascade.longgame_cascade("email-Eu-core", p, 5, 3000, seed)
        assert problem == ""
        assert len(seeds) == 5
        reach = set(seeds).union(*(nx.descendants(flow, s) for s in seeds))
        assert size == (len(reach) if p == 1.0 else 5)
        peer, _, _ = cascade.peer_cascade("email-Eu-core", p, 3000, seeds, seed)
        assert peer == size


def test_wrong_direction_is_rejected():
    """On a directed graph the follow direction (reversed edges) gives another distribution of
    cascade sizes: the KS test rejects it, and accepts the flow direction."""
    case = CascadeCase("email-Eu-core", 0.05, 100)
    (right,) = cascade.compare([case])
    (reversed_,) = cascade.compare([case], reverse_peer=True)
    assert right.pvalue >= cascade.ALPHA
    assert reversed_.pvalue < 1e-4
    assert not reversed_.passed and "KS rejects" in reversed_.result().problem


def test_wrong_link_probability_is_rejected():
    (outcome,) = cascade.compare([CascadeCase(GENERATED, 0.05, 60, people=1000)], peer_p=0.1)
    assert outcome.pvalue < 1e-4
    assert outcome.peer.mean() > 5 * outcome.longgame.mean()


def test_missing_peer_is_a_failed_row(monkeypatch):
    for name in ("ndlib", "ndlib.models", "ndlib.models.epidemics", "ndlib.models.ModelConfig"):
        monkeypatch.setitem(sys.modules, name, None)
    rows = cascade.check("quick", "ego_facebook", 1, lambda _: None)
    assert len(rows) == 1
    assert not rows[0].passed and rows[0].problem == cascade.INSTALL_HINT


def test_a_case_with_a_problem_fails_whatever_its_p_value():
    sizes = np.array([1.0, 2.0, 3.0])
    case = CascadeCase(GENERATED, 0.05, 3, people=300)
    outcome = cascade.CaseOutcome(case, sizes, sizes, 0.0, 0.9, 0.1, 2, problem="peer crashed")
    row = outcome.result()
    assert not outcome.passed and not row.passed and row.problem == "peer crashed"


def test_validation_configuration_is_an_ordinary_scenario():
    scenario = cascade.cascade_scenario(GENERATED, 0.05, people=200)
    assert type(scenario).model_validate(scenario.model_dump()) == scenario
    assert scenario.platforms[0].share_link_rate == 0.05
    assert scenario.audience.activity_mean == 1.0
    traits = build_population(scenario).traits
    assert np.all(traits.activity == 1.0) and np.all(traits.member)
