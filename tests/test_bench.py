"""The benchmark's scale case and its report, at a toy size (the timings themselves are checked
by hand with `make bench`, never in tests)."""

from __future__ import annotations

import pytest

from bench.__main__ import _marginal_costs, markdown, summarise
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


def test_marginal_costs_are_the_growth_per_added_person() -> None:
    def size(agents_ms: float, vector_ms: float) -> dict:
        return {
            "agents_day_ms": {"median": agents_ms},
            "vector_day_ms": {"median": vector_ms},
        }

    by_size = {"10000": size(100.0, 0.5), "20000": size(130.0, 0.6), "40000": size(220.0, 0.8)}
    text = _marginal_costs(by_size)
    assert "grows by 4.00 µs" in text  # (220 - 100) ms / 30,000 people
    assert "by 10.0 ns" in text  # (0.8 - 0.5) ms / 30,000 people
    assert text.endswith("400x.")
