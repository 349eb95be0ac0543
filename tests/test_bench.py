"""The benchmark's scale case and its report, at a toy size (the timings themselves are checked
by hand with `make bench`, never in tests)."""

from __future__ import annotations

import pytest

from bench.__main__ import markdown, summarise
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
