"""The size guard: estimate a run's peak memory before building its population, and refuse a run
that would not fit in the memory available.

The estimate is linear in people and edges, calibrated on the measured peaks of
docs/performance.md (vector engine, one brand on one platform): 20,000 people and 304k edges
about 294 MiB, 1,000,000 people and 15M edges 598 MiB, 10,000,000 people and 150M edges 3.3 GiB.
Each further brand adds its per-person state. ``LONGGAME_ALLOW_LARGE=1`` (the CLI's
``--allow-large``) skips the check.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.audience.edgelist import resolve_graph_path
from sim.errors import ScenarioError
from sim.schema import Graph, Scenario

__all__ = [
    "ALLOW_LARGE_ENV",
    "available_bytes",
    "check_memory",
    "estimate_bytes",
    "scenario_bytes",
    "graph_size",
]

ALLOW_LARGE_ENV = "LONGGAME_ALLOW_LARGE"
"""Set to 1 to run audiences larger than the memory available (the check is skipped)."""

MIB = 1 << 20
GIB = 1 << 30
BASE_BYTES = 285 * MIB
"""The interpreter with NumPy, pandas, Mesa and the compiled kernels (Numba, LLVM) loaded (a
10,000-person run peaks at 275 MiB)."""
PERSON_BYTES = 90
"""Traits and the run's per-person temporaries, whatever the number of brands."""
BRAND_PERSON_BYTES = 110
"""A brand's state of one person (salience, trust, fatigue, days, flags) and its fit."""
PLATFORM_PERSON_BYTES = 2
"""Membership of one platform and a brand's follow flag on it, per person."""
EDGE_BYTES = 9
"""One follower edge: both CSR directions and the generator's temporaries."""
EDGELIST_LINE_BYTES = 12
"""Typical bytes per line of an edge-list file ("12345 67890\\n")."""
GZIP_RATIO = 4
"""Typical compression of an edge-list file by gzip."""
EDGELIST_LINES_PER_PERSON = 4
"""Lines per distinct person in an edge-list file (the shipped graphs have 4 to 25)."""


def estimate_bytes(people: int, edges: float, brands: int = 1, platforms: int = 1) -> float:
    """The estimated peak memory, in bytes, of building and running a population."""
    per_person = PERSON_BYTES + brands * (BRAND_PERSON_BYTES + platforms * PLATFORM_PERSON_BYTES)
    return BASE_BYTES + people * per_person + edges * EDGE_BYTES


def scenario_bytes(scenario: Scenario, base_dir: Path | None = None) -> float:
    """The estimated peak memory, in bytes, of one population of ``scenario``."""
    people, edges = graph_size(scenario.audience.graph, base_dir)
    return estimate_bytes(people, edges, len(scenario.brands), len(scenario.platforms))


def graph_size(graph: Graph, base_dir: Path | None = None) -> tuple[int, int]:
    """(people, edges) a graph will have: the generator's people and mean degree, or for an edge
    list an estimate from the file's size (uncompressed), without reading it."""
    if graph.kind != "edgelist":
        return graph.people, round(graph.people * graph.mean_degree)
    path = resolve_graph_path(graph.path or "", base_dir)
    size = path.stat().st_size * (GZIP_RATIO if path.suffix == ".gz" else 1)
    lines = size // EDGELIST_LINE_BYTES
    edges = lines * (2 if graph.direction == "undirected" else 1)
    return lines // EDGELIST_LINES_PER_PERSON, edges


def available_bytes() -> int | None:
    """Memory available to new allocations (psutil, else /proc/meminfo), or None if unknown."""
    try:
        import psutil
    except ImportError:
        return _meminfo_available()
    return int(psutil.virtual_memory().available)


def _meminfo_available() -> int | None:
    """MemAvailable of /proc/meminfo in bytes (Linux), or None."""
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        return None
    found = [line.split()[1] for line in lines if line.startswith("MemAvailable:")]
    return int(found[0]) * 1024 if found else None


def check_memory(scenario: Scenario, base_dir: Path | None = None, copies: int = 1) -> None:
    """Raise a ScenarioError (with the estimate) if ``copies`` of the scenario's population (one
    per process running at once) would not fit in the memory available, unless
    ``LONGGAME_ALLOW_LARGE`` is set."""
    if os.environ.get(ALLOW_LARGE_ENV, "") not in ("", "0"):
        return
    available = available_bytes()
    if available is None:
        return
    graph = scenario.audience.graph
    people, edges = graph_size(graph, base_dir)
    sizes = (len(scenario.brands), len(scenario.platforms))
    needed = copies * estimate_bytes(people, edges, *sizes)
    if needed <= available:
        return
    field = "audience.graph.path" if graph.kind == "edgelist" else "audience.graph.people"
    value = f'"{graph.path}"' if graph.kind == "edgelist" else str(people)
    fits = ""
    if graph.kind != "edgelist":
        per_person = estimate_bytes(1, graph.mean_degree, *sizes) - BASE_BYTES  # edges included
        most = int(max(0, available / copies - BASE_BYTES) // per_person)
        fits = f"; about {most:,} people fit at mean degree {graph.mean_degree:g}"
    each = f"; {copies} processes at once build one each" if copies > 1 else ""
    fewer = "Run fewer --workers, or use" if copies > 1 else "Use"
    raise ScenarioError(
        f"this audience needs about {needed / GIB:.1f} GiB ({people:,} people, {edges:,} edges"
        f"{each}); {available / GIB:.1f} GiB available{fits}. {fewer} --allow-large "
        f"(or {ALLOW_LARGE_ENV}=1) to run anyway.",
        field=field,
        value=value,
    )
