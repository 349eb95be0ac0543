"""What the Sweeps page asks of experiments.views: allowed folders, finding and opening sweep
directories safely, the initial selection, sensitivity targets and the robustness table."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import views
from experiments.analysis import sensitivity
from experiments.executors import SerialExecutor
from experiments.spec import experiment_from_text
from experiments.sweep import Sweep

GRID = """
name = "grid"
description = "CE vs BC on 300 people for 20 days, a 3 x 2 grid"
seed = 5
seeds = 1
days = 20
strategies = ["consistent_engagement", "broadcasting"]
outcomes = ["followers", "equity", "revenue"]

[design]
method = "grid"

[parameters]
"behavior.reply_trust" = { values = [0.1, 0.3, 0.5] }
"market.no_relationship" = { values = [0.05, 0.4] }

[[comparisons]]
better = "consistent_engagement"
worse = "broadcasting"
outcome = "equity"

[scenario]
platforms = ["facebook"]
audience = { preset = "small", graph = { people = 300 } }

[[scenario.brands]]
name = "Acme"
strategy = "consistent_engagement"
initial = { followers = 300.0 }
"""


def ce_minus_bc_equity(data: views.SweepData, bins: int = 8) -> pd.DataFrame:
    """The heatmap a test sweep opens on: its comparison, consistent engagement's equity less
    broadcasting's, over reply_trust (x) and no_relationship (y)."""
    return views.heatmap_table(
        data,
        "equity",
        "behavior.reply_trust",
        "market.no_relationship",
        strategy="consistent_engagement",
        versus="broadcasting",
        bins=bins,
    )


def run_grid_sweep(out: Path) -> Path:
    """The GRID experiment swept into ``out`` (6 runs, a few seconds)."""
    sweep = Sweep(experiment_from_text(textwrap.dedent(GRID), "grid.toml"), out)
    report = sweep.execute(SerialExecutor())
    assert report.complete and not report.failed
    return out


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> views.SweepData:
    return views.open_sweep(run_grid_sweep(tmp_path_factory.mktemp("views") / "grid"))


def _fake_sweep(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "manifest.json").write_text("{}")
    (directory / "points.parquet").write_bytes(b"")
    (directory / "runs").mkdir()
    return directory


def test_allowed_roots_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert views.allowed_roots({}) == [tmp_path / "out" / "sweeps"]
    both = f"{tmp_path / 'a'}{os.pathsep}b{os.pathsep}"
    assert views.allowed_roots({views.SWEEPS_DIR_ENV: both}) == [tmp_path / "a", tmp_path / "b"]


def test_find_sweeps_lists_sweep_directories_at_any_depth(tmp_path):
    root = tmp_path / "sweeps"
    _fake_sweep(root / "smoke")
    _fake_sweep(root / "team" / "robustness")
    _fake_sweep(root / "smoke" / "runs" / "nested")  # inside a sweep: not listed
    (root / "notes").mkdir()
    (root / "half").mkdir()
    (root / "half" / "manifest.json").write_text("{}")  # a run's manifest, not a sweep
    found = views.find_sweeps([root])
    assert found == {
        "sweeps/smoke": root / "smoke",
        "sweeps/team/robustness": root / "team" / "robustness",
    }
    assert views.find_sweeps([tmp_path / "missing"]) == {}


def test_resolve_sweep_dir_stays_inside_the_allowed_folders(tmp_path, monkeypatch):
    root = tmp_path / "sweeps"
    inside = _fake_sweep(root / "smoke")
    outside = _fake_sweep(tmp_path / "secret")
    (root / "link").symlink_to(outside)
    monkeypatch.chdir(tmp_path)
    assert views.resolve_sweep_dir("smoke", [root]) == inside  # relative to the root
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    label = next(iter(views.find_sweeps([root])))
    assert views.resolve_sweep_dir(label, [root]) == inside  # as the list shows it
    monkeypatch.chdir(tmp_path)
    assert views.resolve_sweep_dir("sweeps/smoke/", [root]) == inside  # to the current dir
    assert views.resolve_sweep_dir(str(inside), [root]) == inside
    assert views.resolve_sweep_dir("smoke/../smoke", [root]) == inside
    for escape in ("../secret", "smoke/../../secret", str(outside), "/etc", "link"):
        with pytest.raises(views.SweepPathError, match="outside the folders") as caught:
            views.resolve_sweep_dir(escape, [root])
        assert views.SWEEPS_DIR_ENV in str(caught.value)
    with pytest.raises(views.SweepPathError, match="no such directory"):
        views.resolve_sweep_dir("nothing", [root])
    with pytest.raises(views.SweepPathError, match="type the path"):
        views.resolve_sweep_dir("  ", [root])


def test_initial_selection_and_targets(grid):
    assert views.initial_selection(grid) == {
        "outcome": "equity",
        "strategy": "consistent_engagement",
        "versus": "broadcasting",
        "x": "behavior.reply_trust",
        "y": "market.no_relationship",
    }
    assert (
        views.target_for(grid, "equity", "consistent_engagement", "broadcasting")
        == "CE beats BC on equity"
    )
    assert (
        views.target_for(grid, "revenue", "consistent_engagement", "broadcasting")
        == "consistent_engagement: revenue"
    )
    assert views.target_for(grid, "equity", "broadcasting") == "broadcasting: equity"


def test_sensitivity_of_one_target_equals_its_rows_of_all(grid):
    one = views.sensitivity_table(grid, "CE beats BC on equity")
    assert set(one["target"]) == {"CE beats BC on equity"}
    every = sensitivity(grid)
    expected = every[every["target"] == "CE beats BC on equity"]
    np.testing.assert_array_equal(sorted(one["value"]), sorted(expected["value"]))
    assert len(one) == 2 and set(one["method"]) == set(expected["method"])


def test_robustness_table_has_one_row_per_comparison(grid):
    report = views.robustness_report(grid)
    table = views.robustness_table(report)
    item = report["comparisons"][0]
    assert list(table["comparison"]) == ["CE beats BC on equity"]
    row = table.iloc[0]
    assert row["holds"] == item["share_holds"] and row["points"] == 6
    assert row["holds_lo"] <= row["holds"] <= row["holds_hi"]
    assert row["significant"] is None  # one seed per point
    assert row["fails"]
    assert views.robustness_table({"comparisons": []}).empty


def test_a_difference_heatmap_is_centred_on_zero_and_writes_its_values():
    """Differences all above 0 still get white at 0 (no cell looks like a loss), and a small
    table writes each value in its cell."""
    import numpy as np
    import pandas as pd

    from experiments.figures import heatmap_figure

    table = pd.DataFrame(np.array([[100.0, 2900.0], [50.0, 800.0]]), index=[0.1, 0.5])
    figure = heatmap_figure(table, diverging=True)
    (image,) = figure.axes[0].images
    assert image.norm.vmin == -image.norm.vmax == -2900.0
    assert {text.get_text() for text in figure.axes[0].texts} == {"100", "2.9k", "50", "800"}


@pytest.mark.parametrize("diverging", [True, False])
def test_a_heatmap_cell_without_a_value_is_hatched_not_white(diverging):
    """An empty cell shows the hatching behind the image (its colour is transparent), never a
    pale colour that reads as a small difference; the axis label says what hatching means."""
    import numpy as np
    import pandas as pd

    from experiments.figures import heatmap_figure

    table = pd.DataFrame(np.array([[-1.0, np.nan], [2.0, 3.0]]), index=[0.1, 0.5])
    ax = heatmap_figure(table, diverging=diverging).axes[0]
    (image,) = ax.images
    assert image.cmap.get_bad()[3] == 0.0
    (hatching,) = [patch for patch in ax.patches if patch.get_hatch()]
    assert hatching.get_zorder() < image.get_zorder()
    assert "hatched: no value in the cell" in ax.get_xlabel()
    full = pd.DataFrame(np.array([[-1.0, 0.5], [2.0, 3.0]]), index=[0.1, 0.5])
    ax = heatmap_figure(full, diverging=diverging).axes[0]
    assert not [patch for patch in ax.patches if patch.get_hatch()]
    assert "hatched" not in ax.get_xlabel()


def test_a_sweep_opened_by_its_path_is_shown_chosen_in_the_list(grid, monkeypatch):
    """Typing the path of a listed sweep opens it and selects it in the list (it stayed blank)."""
    from viz.pages import sweeps

    root = grid.root.parent
    monkeypatch.setenv(views.SWEEPS_DIR_ENV, str(root))
    saved = [(s, s.value) for s in (sweeps.typed, sweeps.chosen, sweeps.sweep, sweeps.problem)]
    try:
        sweeps.typed.set(str(grid.root))
        sweeps.open_typed()
        assert sweeps.problem.value == "" and sweeps.sweep.value.root == grid.root
        assert sweeps.chosen.value == f"{root.name}/{grid.root.name}"
    finally:
        for variable, value in saved:
            variable.set(value)


def test_misspelt_names_are_refused_with_the_names_the_sweep_has(grid):
    """A notebook user's typo gets a did-you-mean, not a StopIteration, a KeyError or an
    empty table."""
    from experiments.analysis import parameter_effects
    from experiments.figures import sensitivity_figure

    x, y = "behavior.reply_trust", "market.no_relationship"
    cases = [
        (lambda: views.heatmap_table(grid, "equty", x, y), "no outcome 'equty' (did you mean"),
        (lambda: views.heatmap_table(grid, "equity", "reply_trust", y), "no parameter"),
        (
            lambda: views.heatmap_table(grid, "equity", x, y, strategy="broadcastin"),
            "no strategy 'broadcastin' (did you mean 'broadcasting'?)",
        ),
        (lambda: views.heatmap_table(grid, "equity", x, y, versus="bc"), "no strategy 'bc'"),
        (lambda: parameter_effects(grid, "equty", x), "no outcome 'equty'"),
        (lambda: views.target_for(grid, "equty", "broadcasting"), "no outcome 'equty'"),
        (lambda: views.sensitivity_table(grid, "broadcasting: equty"), "no target"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            call()
    both = pd.concat(
        [views.sensitivity_table(grid, f"{s}: equity") for s in grid.strategies], ignore_index=True
    )
    with pytest.raises(ValueError, match="one target at a time: this table has 2"):
        sensitivity_figure(both)
