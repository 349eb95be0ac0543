"""The Python API as docs/python.md offers it: the mistakes a notebook user makes get errors
that name the call, the value and what to do instead, and comparisons take dotted parameters
as sweeps do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.spec import apply_values
from sim import summary
from sim.errors import ScenarioError
from sim.loading import comparison_of, load_comparison, load_strategy
from sim.model import EngagementModel
from sim.output import write_results
from sim.runner import compare, run_seeds, simulate, with_strategy


@pytest.fixture(scope="module")
def quick():
    return load_comparison("quick")


@pytest.fixture(scope="module")
def daily(quick) -> pd.DataFrame:
    return compare(quick, days=3, seeds=2)


def test_run_functions_name_the_object_they_take(quick):
    with pytest.raises(TypeError, match="compare takes a Comparison, not Scenario: .*run_seeds"):
        compare(quick.scenario)
    with pytest.raises(TypeError, match="run_seeds takes a Scenario, not Comparison: .*compare"):
        run_seeds(quick, 1)
    with pytest.raises(TypeError, match="simulate takes a Scenario, not Comparison"):
        simulate(quick, 42)
    with pytest.raises(
        TypeError, match=r"load it first, with sim.loading.load_comparison\('quick'\)"
    ):
        compare("quick")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"days": 0}, "days must be a whole number between 1 and 36500, not 0"),
        ({"days": 2.5}, "days must be a whole number between 1 and 36500, not 2.5"),
        ({"seeds": 0}, "seeds must be a whole number between 1 and 1000, not 0"),
        ({"workers": 0}, "workers must be a whole number at least 1, not 0"),
        ({"engine": "vectr"}, "unknown engine 'vectr'; available: vector, agents"),
    ],
)
def test_run_counts_are_checked_before_running(quick, keywords, message):
    with pytest.raises(ValueError, match=message):
        compare(quick, **keywords)


def test_seeds_past_the_largest_are_refused(quick):
    late = quick.model_copy(
        update={"scenario": quick.scenario.model_copy(update={"seed": 2**63 - 1})}
    )
    with pytest.raises(ValueError, match="go past the largest seed"):
        compare(late, seeds=2)
    with pytest.raises(ValueError, match="go past the largest seed"):
        run_seeds(late.scenario, 2)


def test_numpy_whole_numbers_are_counts(quick, daily):
    again = compare(quick, days=np.int64(3), seeds=np.int64(2))
    pd.testing.assert_frame_equal(again, daily)


def test_a_model_takes_a_comparison_and_tells_unknown_names_apart(quick):
    model = EngagementModel(quick, days=2)
    assert model.config == quick.scenario.model_copy(update={"days": 2})
    assert model.collecting  # as when configured by the comparison's name
    with pytest.raises(ScenarioError) as error:
        EngagementModel("quik")
    message = str(error.value)
    assert "unknown scenario or comparison 'quik' (did you mean 'quick'?)" in message
    assert "scenarios: base, competition" in message and "comparisons: " in message
    with pytest.raises(TypeError, match="not int"):
        EngagementModel(3)


def test_history_of_someone_untracked_says_so():
    model = EngagementModel("quick", days=1, tracked=[5])
    model.run()
    assert isinstance(model.history(5), list)
    with pytest.raises(KeyError, match=r"person 6 is not tracked; .*tracked=.*\(tracked now: 1\)"):
        model.history(6)


def test_write_results_refuses_unknown_kinds(daily, tmp_path):
    with pytest.raises(
        ValueError, match="unknown figure kind 'equity'; known: chart, market_chart"
    ):
        write_results(daily, tmp_path / "a", figures={"equity": None})
    with pytest.raises(ValueError, match="unknown table kind 'final'; known: paired, market"):
        write_results(daily, tmp_path / "b", tables={"final": daily})
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_beats_needs_two_seeds_and_outcomes_are_named(daily):
    one_seed = daily[daily["seed"] == daily["seed"].min()]
    mean, lo, hi = summary.paired_difference(
        one_seed, "over_following", "broadcasting", "followers"
    )
    assert lo == mean == hi  # no interval from one seed
    with pytest.raises(ValueError, match="1 seed\\(s\\) in common give no interval"):
        summary.beats(one_seed, "over_following", "broadcasting", "followers")
    assert isinstance(summary.beats(daily, "over_following", "broadcasting", "followers"), bool)
    with pytest.raises(ValueError, match="brand 'Acm' is not in the table; it has \\['Acme'\\]"):
        summary.paired_difference(daily, "over_following", "broadcasting", "equity", brand="Acm")
    with pytest.raises(KeyError, match="'equty' \\(did you mean 'equity'\\?\\)"):
        summary.paired_difference(daily, "over_following", "broadcasting", "equty")


def test_apply_values_on_a_comparison_sets_every_strategy_as_a_sweep_does(quick):
    values = {"strategy.follow_rate": 0.0, "behavior.content_trust": 0.01}
    changed = apply_values(quick, values)
    assert [strategy.name for strategy in changed.strategies] == [
        strategy.name for strategy in quick.strategies
    ]
    assert {strategy.follow_rate for strategy in changed.strategies} == {0.0}
    assert {strategy.follow_rate for strategy in quick.strategies} != {0.0}
    for before, after in zip(quick.strategies, changed.strategies, strict=True):
        as_swept = apply_values(with_strategy(quick.scenario, before), values)  # a sweep's run
        assert with_strategy(changed.scenario, after) == as_swept
    with pytest.raises(ValueError, match="behavior.content_trust: '0.02' is not a number"):
        apply_values(quick, {"behavior.content_trust": "0.02"})
    with pytest.raises(TypeError, match="apply_values takes a Scenario or a Comparison, not str"):
        apply_values("quick", values)


def test_comparison_of_presets_is_the_command_lines():
    from sim.cli import _comparison_of

    made = comparison_of(["consistent_engagement", "broadcasting"])
    assert made == _comparison_of(["consistent_engagement", "broadcasting"])
    assert made.name == "consistent_engagement vs broadcasting" and made.scenario.name == "base"
    variant = load_strategy("broadcasting").model_copy(update={"name": "quiet", "reply_rate": 0.0})
    assert [s.name for s in comparison_of(["broadcasting", variant]).strategies] == [
        "broadcasting",
        "quiet",
    ]
    with pytest.raises(ScenarioError, match="repeated: broadcasting; give each strategy once"):
        comparison_of(["broadcasting", "broadcasting"])
    elsewhere = variant.model_copy(update={"name": "tt", "platforms": ["tiktok"]})
    with pytest.raises(ScenarioError, match=r"tt: .*\['tiktok'\] not in the scenario.*base scen"):
        comparison_of([elsewhere, "broadcasting"])


def test_a_chart_of_one_outcome_named_alone(daily):
    from sim.charts import trajectories_figure

    assert len(trajectories_figure(daily, "equity").axes) == 1  # not one panel per letter
    with pytest.raises(ValueError, match="no column to draw"):
        trajectories_figure(daily, [])


def test_wrong_kinds_of_argument_are_named(quick, daily, tmp_path):
    from experiments.executors import SerialExecutor
    from experiments.spec import load_experiment
    from experiments.sweep import Sweep

    with pytest.raises(TypeError, match="comparison_of takes a list of one or more strategies"):
        comparison_of("consistent_engagement")
    with pytest.raises(TypeError, match="comparison_of takes a list"):
        comparison_of([])
    with pytest.raises(TypeError, match="Sweep takes an Experiment, not str: load it first"):
        Sweep("smoke", tmp_path / "sweep")
    sweep = Sweep(load_experiment("smoke"), tmp_path / "sweep")
    with pytest.raises(TypeError, match=r"not its class: SerialExecutor\(\)"):
        sweep.execute(SerialExecutor)
    with pytest.raises(TypeError, match="apply_values takes a dict"):
        apply_values(quick, [("behavior.content_trust", 0.01)])
    with pytest.raises(TypeError, match="scenario is the Scenario or Comparison"):
        write_results(daily, tmp_path / "out", scenario="quick")
    with pytest.raises(ValueError, match="unknown engine 'vectr'; available: vector, agents"):
        write_results(daily, tmp_path / "out", engine="vectr")


def test_a_file_name_given_as_experiment_text_points_to_load_experiment():
    from experiments.spec import experiment_from_text

    with pytest.raises(ScenarioError, match="is a file name, not TOML text: load a file with"):
        experiment_from_text("experiments/smoke.toml")


def test_a_sweep_directory_in_use_says_how_to_resume_from_python(tmp_path):
    from test_sweep_views import GRID, run_grid_sweep

    from experiments.spec import experiment_from_text
    from experiments.sweep import Sweep

    experiment = experiment_from_text(GRID, "grid.toml")
    with pytest.raises(ScenarioError, match=r"without --resume \(from Python: resume=False\)"):
        Sweep(experiment, tmp_path / "new", resume=True)
    done = run_grid_sweep(tmp_path / "done")
    with pytest.raises(ScenarioError, match=r"add --resume \(resume=True from Python\)"):
        Sweep(experiment, done)
    assert Sweep(experiment, done, resume=True).remaining == []


def test_plain_content_weights_are_taken_as_a_behaviour_table():
    """Behavior's weight tables have kinds of their own (with plausible ranges); a plain
    ContentWeights, as code wrote before, is still taken, every type as given."""
    from sim.schema import Behavior, ContentComment, ContentWeights

    behavior = Behavior(content_comment=ContentWeights(value=0.2))
    assert isinstance(behavior.content_comment, ContentComment)
    assert behavior.content_comment.as_tuple() == (0.2, 0.0, 0.0, 0.0)
