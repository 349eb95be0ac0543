"""The audience: a follower graph of people and their static traits (docs/model.md, section 2).

`build_population` turns a scenario into a `Population`; the parts are usable on their own:
generators and `build_graph` (`sim.audience.generators`), real edge lists (`load_edgelist`),
the CSR graph (`FollowerGraph`) and trait sampling (`sample_traits`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from sim.audience.edgelist import (
    SHIPPED_GRAPHS,
    EdgeListError,
    load_edgelist,
    resolve_graph_path,
)
from sim.audience.generators import build_graph, sbm, scale_free, small_world
from sim.audience.graph import FollowerGraph
from sim.audience.memory import check_memory
from sim.audience.traits import Traits, sample_traits
from sim.schema import Graph, Scenario

__all__ = [
    "SHIPPED_GRAPHS",
    "EdgeListError",
    "FollowerGraph",
    "Population",
    "Traits",
    "build_graph",
    "build_population",
    "load_edgelist",
    "people_in",
    "resolve_graph_path",
    "sample_traits",
    "sbm",
    "scale_free",
    "small_world",
]


@dataclass(frozen=True, eq=False)
class Population:
    """The simulated people: who follows whom, and who they are."""

    graph: FollowerGraph
    traits: Traits

    @property
    def n(self) -> int:
        return self.graph.n


def build_population(
    scenario: Scenario, base_dir: Path | None = None, seed: int | None = None
) -> Population:
    """Build a scenario's audience: its graph (``audience.graph``) and every person's traits.

    ``seed`` defaults to ``scenario.seed``; ``base_dir`` is the directory a relative
    ``graph.path`` is resolved against (usually the scenario file's directory). A population
    that would not fit in the memory available is refused first (``sim.audience.memory``).
    """
    check_memory(scenario, base_dir)
    seed = scenario.seed if seed is None else seed
    audience = scenario.audience
    graph = build_graph(audience.graph, base_dir, seed)
    traits = sample_traits(audience, graph, scenario.brands, scenario.platforms, seed)
    return Population(graph, traits)


def people_in(graph: Graph, base_dir: Path | None = None) -> int:
    """The people an audience's graph has: a generator's ``people``, an edge list's loaded size
    (each file read once in a process; its direction does not change who is in it)."""
    if graph.kind != "edgelist":
        return graph.people
    return _edgelist_people(resolve_graph_path(graph.path or "", base_dir))


@functools.cache
def _edgelist_people(path: Path) -> int:
    return load_edgelist(path).n
