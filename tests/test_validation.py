"""Validation checks other than docking, Bass and the cascade peer (docs/validation.md)."""

import pytest
from typer.testing import CliRunner

from sim.audience.edgelist import SHIPPED_GRAPHS
from sim.cli import app
from sim.loading import list_presets, load_scenario
from sim.validation import all_checks, calibration, checks, real_graphs


def test_calibration_judges_rates_against_their_bands():
    inside = calibration._judged("rate", 0.0008, 0.0006, 0.0006, 365, 1)
    outside = calibration._judged("rate", 0.0010, 0.0006, 0.0006, 365, 1)
    assert inside.passed and inside.verdict == "pass"
    assert not outside.passed and outside.verdict == "FAIL"
    compared = calibration._compared("share", 0.1, 0.5, 365, 1)
    assert compared.verdict == "compared"


def test_the_quick_calibration_lands_inside_the_bands():
    rows = calibration.check("quick", None, 1, lambda done: None)
    judged = [row for row in rows if row.judged]
    assert {row.case.split(":")[0] for row in judged} == {"facebook", "tiktok"}
    assert all(row.passed for row in judged), [(row.case, row.measured) for row in judged]


def test_a_real_graph_keeps_the_follower_share_and_its_direction():
    base = load_scenario("base")
    on_twitter = real_graphs.on_graph(base, "twitter_ego_12831")
    assert on_twitter.audience.graph.direction == SHIPPED_GRAPHS["twitter_ego_12831"][1]
    share = base.brands[0].initial.followers / base.market.scale / base.audience.graph.people
    followers = on_twitter.brands[0].initial.followers / on_twitter.market.scale
    assert followers == round(share * real_graphs.graph_size("twitter_ego_12831"))


def test_every_shipped_graph_runs():
    rows = real_graphs.check("quick", None, 1, lambda done: None)
    assert len(rows) == len(SHIPPED_GRAPHS)
    assert all(row.passed for row in rows), [(row.case, row.problem) for row in rows]


def test_run_parallel_keeps_the_order():
    done = []
    squares = checks.run_parallel(pow, [(k, 2) for k in range(5)], 2, done.append)
    assert squares == [0, 1, 4, 9, 16] and len(done) == 5


@pytest.mark.parametrize("only", ["no such case"])
def test_validate_names_an_empty_selection(only):
    result = CliRunner().invoke(app, ["validate", "--only", only])
    assert result.exit_code == 2


@pytest.mark.parametrize("grid", ["quick", "full"])
def test_only_picks_a_whole_check_by_its_name(grid):
    """`--only NAME` selects every case of the check called NAME and no case of the others."""
    checks_by_name = {check.name: check for check in all_checks()}
    for name, check in checks_by_name.items():
        assert check.runs(grid, name) == check.runs(grid, None) > 0, name
        others = (other for other in checks_by_name.values() if other is not check)
        assert all(other.runs(grid, name) == 0 for other in others), name


def test_the_markdown_table_escapes_bars_inside_cells():
    row = checks.CheckResult("bass", "logistic", 1, 10, True, "max |error| 0.007", "< 0.02", 1.0)
    line = checks.markdown_table([row]).splitlines()[2]
    assert line.count(" | ") == 7 and "max \\|error\\| 0.007" in line


def test_the_full_real_graph_grid_runs_every_preset():
    presets = real_graphs._presets(real_graphs.GRIDS["full"])
    assert set(presets) == {name for name, _ in list_presets("strategy")}
    assert real_graphs._runs("full", None) == len(SHIPPED_GRAPHS) * (len(presets) + 1)
