"""The benchmark's scale case and its report, at a toy size (the timings themselves are checked
by hand with `make bench`, never in tests)."""

from __future__ import annotations

import pytest

import bench.__main__ as bench_main
from bench.__main__ import _marginal_costs, markdown, ratio_series, scaling_series, summarise
from bench.cases import run_scale


class _Queue:
    """Collects what a benchmark case reports (a spawned process would put it on a queue)."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def put(self, item: dict) -> None:
        self.items.append(item)


@pytest.fixture(scope="module")
def scale_sample() -> dict:
    queue = _Queue()
    run_scale(3_000, 4, True, 0.05, queue)
    (sample,) = queue.items
    return sample


def test_scale_case_total_counts_start_up_and_every_phase(scale_sample: dict) -> None:
    phases = ("start_up_s", "graph_s", "traits_s", "run_s")
    assert all(scale_sample[name] > 0 for name in phases)
    assert scale_sample["total_s"] == pytest.approx(sum(scale_sample[name] for name in phases))
    assert scale_sample["wall_s"] >= scale_sample["total_s"]
    assert scale_sample["edges"] > 3_000
    assert scale_sample["mean_known"] > 0 and scale_sample["engine_over_floor"] > 0


def test_report_tables_show_start_up_beside_graph_generation(scale_sample: dict) -> None:
    case = {"repeats": 1, **summarise([scale_sample])}
    results = {
        "machine": "test",
        "scale": {"3000": case},
        "target": {"3000": case},
        "engines": {},
        "default": {},
    }
    text = markdown(results)
    header = next(line for line in text.splitlines() if line.startswith("| people | edges"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns[2:4] == ["start-up s", "graph s"]
    row = next(line for line in text.splitlines() if line.startswith("| 3,000 |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == len(columns)
    assert cells[2].startswith(f"{scale_sample['start_up_s']:.2f}")
    assert cells[3].startswith(f"{scale_sample['graph_s']:.2f}")


def test_marginal_costs_line_reports_each_engines_growth() -> None:
    by_size = {"10000": {}, "20000": {}, "40000": {}}
    marginal = summarise(
        [{"agents_us": 4.0, "vector_ns": 10.0}, {"agents_us": 3.0, "vector_ns": 12.0}]
    )
    text = _marginal_costs(by_size, marginal)
    assert "10,000 to 40,000 people" in text
    assert "grows by 3.50 (3.00-4.00) µs" in text
    assert "by 11.0 (10.0-12.0) ns" in text


def test_ratio_series_interleaves_sizes_and_pairs_growth_within_repeats(monkeypatch) -> None:
    calls = []

    def fake_measure(target, people, days):
        calls.append(people)
        repeat = calls.count(people)  # 1, 2, ...
        agents = people / 1000 * repeat  # ms a day: 1 µs per person, times the repeat
        vector = people / 1e6 + 0.5  # ms a day: 1 ns per person
        return {"agents_day_ms": agents, "vector_day_ms": vector, "ratio": agents / vector}

    monkeypatch.setattr(bench_main, "measure", fake_measure)
    series = ratio_series([10_000, 40_000], 2)
    assert calls == [10_000, 40_000, 10_000, 40_000]
    assert series["marginal"]["agents_us"]["min"] == pytest.approx(1.0)
    assert series["marginal"]["agents_us"]["max"] == pytest.approx(2.0)
    assert series["marginal"]["vector_ns"]["median"] == pytest.approx(1.0)
    assert series["by_size"]["40000"]["repeats"] == 2


def test_scaling_series_takes_growth_per_doubling_within_each_repeat(monkeypatch) -> None:
    calls = []

    def fake_measure(target, people, days, floor, share):
        calls.append((people, floor))
        repeat = sum(1 for size, _ in calls if size == people)
        return {"run_s": people / 10_000 * (1.0 if repeat == 1 else 1.5) ** (people > 10_000)}

    monkeypatch.setattr(bench_main, "measure", fake_measure)
    series = scaling_series([10_000, 40_000], 40_000, 2)
    assert calls == [(10_000, False), (40_000, True), (10_000, False), (40_000, True)]
    doubling = series["40000"]["doubling"]  # 4x the people: 4x and 6x the time
    assert doubling["min"] == pytest.approx(2.0)
    assert doubling["max"] == pytest.approx(6**0.5)
