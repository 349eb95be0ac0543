"""The size guard: memory estimates before building a population, refusal and override."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.audience import build_population, memory
from sim.audience.memory import (
    ALLOW_LARGE_ENV,
    GIB,
    MIB,
    check_memory,
    estimate_bytes,
    graph_size,
)
from sim.cli import app
from sim.errors import ScenarioError
from sim.schema import Audience, Brand, Graph, Scenario

TINY = Scenario(days=3, audience=Audience(graph=Graph(people=300, mean_degree=6)))
TINY_FILE = """\
name = "tiny"
days = 3
platforms = ["facebook"]

[audience]
preset = "small"
graph = { people = 300 }

[[brands]]
name = "Acme"
strategy = "consistent_engagement"
initial = { followers = 1000.0 }
"""


@pytest.fixture
def little_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """64 MiB available, and the override unset (restored after the test)."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 64 * MIB)
    monkeypatch.setenv(ALLOW_LARGE_ENV, "0")


def test_the_estimate_grows_with_people_edges_brands_and_platforms():
    base = estimate_bytes(10_000, 150_000)
    assert estimate_bytes(20_000, 150_000) > base
    assert estimate_bytes(10_000, 300_000) > base
    assert estimate_bytes(10_000, 150_000, brands=2) > base
    assert estimate_bytes(10_000, 150_000, platforms=4) > base


@pytest.mark.parametrize(
    ("people", "edges", "platforms", "measured_mib"),
    [
        (20_000, 304_387, 4, 294),
        (100_000, 1_502_357, 1, 301),
        (1_000_000, 15_013_642, 1, 598),
        (10_000_000, 150_036_428, 1, 3377),
    ],
)
def test_the_estimate_is_within_10_percent_of_the_measured_peaks(
    people: int, edges: int, platforms: int, measured_mib: int
):
    """docs/performance.md: peak RSS of one brand's 730-day run, generated scale-free graph."""
    estimate = estimate_bytes(people, edges, 1, platforms) / MIB
    assert estimate == pytest.approx(measured_mib, rel=0.10)


def test_graph_size_of_generators_and_edge_lists(tmp_path: Path):
    assert graph_size(Graph(people=1000, mean_degree=15)) == (1000, 15_000)
    lines = b"".join(f"{i} {i + 1}\n".encode() for i in range(100_000, 110_000))
    (tmp_path / "edges.txt").write_bytes(lines)
    (tmp_path / "edges.txt.gz").write_bytes(gzip.compress(lines))
    plain = graph_size(Graph(kind="edgelist", path="edges.txt"), tmp_path)
    follows = Graph(kind="edgelist", path="edges.txt", direction="follows")
    assert plain[1] == pytest.approx(2 * 10_000, rel=0.2)
    assert graph_size(follows, tmp_path)[1] == plain[1] // 2
    assert graph_size(Graph(kind="edgelist", path="edges.txt.gz"), tmp_path)[1] > 0


def test_available_memory_is_known_here():
    assert memory.available_bytes() > 0


def test_too_little_memory_refuses_with_the_estimate(little_memory):
    with pytest.raises(ScenarioError) as caught:
        build_population(TINY)
    error = caught.value
    needed = estimate_bytes(300, 1800, 1, 1) / GIB
    assert error.field == "audience.graph.people" and error.value == "300"
    assert f"needs about {needed:.1f} GiB (300 people, 1,800 edges)" in str(error)
    assert "0.1 GiB available" in str(error) and "--allow-large" in str(error)


def test_a_refusal_says_how_many_people_fit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 1024 * MIB)
    monkeypatch.setenv(ALLOW_LARGE_ENV, "0")
    big = Scenario(audience=Audience(graph=Graph(people=10_000_000, mean_degree=6)))
    with pytest.raises(ScenarioError) as caught:
        check_memory(big)
    found = re.search(r"about ([\d,]+) people fit at mean degree 6", str(caught.value))
    most = int(found[1].replace(",", ""))
    assert estimate_bytes(most, most * 6) <= 1024 * MIB < estimate_bytes(most + 1, (most + 1) * 6)
    check_memory(
        big.model_copy(update={"audience": Audience(graph=Graph(people=most, mean_degree=6))})
    )


def test_parallel_seeds_need_an_audience_each(monkeypatch: pytest.MonkeyPatch):
    """Room for one copy of the audience but not two: two workers are refused before any run,
    one worker is not."""
    from sim.runner import run_seeds

    one = estimate_bytes(300, 1800, 1, 1)
    monkeypatch.setattr(memory, "available_bytes", lambda: int(1.5 * one))
    monkeypatch.setenv(ALLOW_LARGE_ENV, "0")
    with pytest.raises(ScenarioError, match="2 processes at once build one each.*fewer --workers"):
        run_seeds(TINY, 2, workers=2)
    check_memory(TINY, copies=1)


def test_the_override_lets_it_through(little_memory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ALLOW_LARGE_ENV, "1")
    assert build_population(TINY).n == 300


def test_enough_memory_passes():
    check_memory(Scenario(brands=[Brand(), Brand(name="Other")]))


def test_cli_run_exits_2_with_the_estimate_and_allow_large_runs(little_memory, tmp_path: Path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_FILE)
    out = tmp_path / "out"
    refused = CliRunner().invoke(app, ["run", str(scenario), "--seeds", "1", "--out", str(out)])
    assert refused.exit_code == 2, refused.output
    assert "error: audience.graph.people = 300: this audience needs about" in refused.stderr
    assert "Traceback" not in refused.output
    allowed = CliRunner().invoke(
        app, ["run", str(scenario), "--seeds", "1", "--out", str(out), "--allow-large"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert (out / "metrics.parquet").is_file()


def test_cli_compare_exits_2_with_the_estimate(little_memory, tmp_path: Path):
    result = CliRunner().invoke(
        app,
        ["compare", "quick", "--seeds", "1", "--days", "2", "--workers", "1"]
        + ["--out", str(tmp_path / "compare")],
    )
    assert result.exit_code == 2, result.output
    assert "this audience needs about" in result.stderr and "--allow-large" in result.stderr
