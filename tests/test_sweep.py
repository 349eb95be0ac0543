"""Sweeps: experiment files and their errors, designs, seeds, the store, analysis.

Small and in-process; executors and kill-and-resume are in test_sweep_executors.py and
test_sweep_kill.py, mesa.batch_run in test_mesa_batch.py.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_metrics
from PIL import Image
from test_sweep_views import ce_minus_bc_equity

import sim
from experiments import views
from experiments.analysis import (
    SweepData,
    _audience,
    comparison_table,
    failure_region,
    load_sweep,
    robustness,
    sensitivity,
    strategy_summary,
    target_names,
    write_report,
)
from experiments.design import UNIT_PREFIX, design_points
from experiments.executors import SerialExecutor
from experiments.figures import sensitivity_figure
from experiments.spec import (
    Comparison,
    apply_values,
    experiment_from_text,
    load_experiment,
    resolve_path,
)
from experiments.store import load_manifest, load_points, load_results
from experiments.sweep import Sweep, extract_outcomes, run_seed
from sim import summary
from sim.errors import ScenarioError
from sim.runner import simulate

TINY = """
name = "tiny"
seed = 3
seeds = 1
days = 15
strategies = ["consistent_engagement", "broadcasting"]
outcomes = ["followers", "equity", "revenue", "break_even_day", "followers@5"]
daily = ["equity"]
daily_every = 5

[design]
method = "grid"

[parameters]
"behavior.reply_trust" = { values = [0.1, 0.5] }
market.no_relationship = { values = [0.05, 0.4] }

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


def _sampled(design: str, extra: str = "") -> str:
    """TINY with a sampled design and ranges instead of grid values."""
    return (
        TINY.replace('method = "grid"', design)
        .replace("{ values = [0.1, 0.5] }", "{ low = 0.1, high = 0.5 }")
        .replace("{ values = [0.05, 0.4] }", "{ low = 0.01, high = 1.0, log = true }" + extra)
    )


def _experiment(text: str = TINY, source: str = "tiny.toml"):
    return experiment_from_text(textwrap.dedent(text), source)


def test_smoke_experiment_is_small_and_valid():
    experiment = load_experiment("experiments/smoke.toml")
    assert experiment.name == "smoke"
    points = design_points(experiment)
    assert len(points) * experiment.seeds <= 20
    assert experiment.scenario.audience.graph.people <= 2000
    assert load_experiment("smoke") == experiment  # shipped name


def test_robustness_experiment_is_large_enough():
    experiment = load_experiment("experiments/robustness.toml")
    assert len(design_points(experiment)) >= 500
    names = {strategy.name for strategy in experiment.strategies}
    assert names >= {
        "consistent_engagement",
        "broadcasting",
        "quitting_early",
        "over_following",
        "storytelling",
    }
    assert experiment.comparisons


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            ('"behavior.reply_trust"', '"behavior.reply_trustt"'),
            "parameters.behavior.reply_trustt",
            ["'reply_trustt' is not a parameter", "did you mean 'reply_trust'?", "allowed:"],
        ),
        (
            ("values = [0.1, 0.5]", "values = [0.1, 1.5]"),
            "parameters.behavior.reply_trust",
            ["outside the schema's range", "between 0 and 1"],
        ),
        (('"break_even_day"', '"reach_all"'), "outcomes[3]", ["unknown outcome", "allowed"]),
        (('"break_even_day"', '"break_even_dy"'), "outcomes[3]", ["mean 'break_even_day'?"]),
        (('"followers@5"', '"followers@99"'), "outcomes[4]", ["from 0 to 14"]),
        (('"followers@5"', '"followers@15"'), "outcomes[4]", ["from 0 to 14"]),  # the day after
        (('worse = "broadcasting"', 'worse = "nobody"'), "comparisons[0].worse", ["strategies"]),
        (
            ('worse = "broadcasting"', 'worse = "broadcastin"'),
            "comparisons[0].worse",
            ["did you mean 'broadcasting'?"],
        ),
        (
            ('worse = "broadcasting"', 'worse = ["broadcasting", "nobody"]'),
            "comparisons[0].worse[1]",
            ["not one of the experiment's strategies"],
        ),
        (
            ('worse = "broadcasting"', 'worse = ["broadcasting", "broadcasting"]'),
            "comparisons[0].worse[1]",
            ["named twice"],
        ),
        (
            ('worse = "broadcasting"', 'worse = ["broadcasting", "consistent_engagement"]'),
            "comparisons[0].worse",
            ["on both sides", "consistent_engagement"],
        ),
        (('worse = "broadcasting"', "worse = []"), "comparisons[0].worse", ["list of one or more"]),
        (('method = "grid"', 'method = "latin"'), "design.method", ["must be one of"]),
        (('method = "grid"', 'method = "lhss"'), "design.method", ["did you mean 'lhs'?"]),
        (
            ("seeds = 1", 'seeds = 1\nseeds_across_points = "independant"'),
            "seeds_across_points",
            ["did you mean 'independent'?"],
        ),
        (("seeds = 1", "seeds = 0"), "seeds", ["at least 1"]),
        (("days = 15", "days = 0"), "days", ["at least 1"]),  # the field as written
        (
            ('"behavior.reply_trust"', '"platforms.facebok.follow_limit_per_day"'),
            "parameters.platforms.facebok.follow_limit_per_day",
            ["platforms has no element 'facebok'", "allowed:", "'facebook'"],
        ),
        (
            ('"behavior.reply_trust"', '"platforms.facebook"'),
            "parameters.platforms.facebook",
            ["a table, not a parameter", "follow_limit_per_day"],
        ),
        (
            ('"behavior.reply_trust"', '"strategy.targeting"'),
            "parameters.strategy.targeting",
            ["not a numeric parameter"],
        ),
        (('method = "grid"', 'method = "lhs"'), "parameters.behavior.reply_trust", ["grid"]),
        (
            ("{ values = [0.1, 0.5] }", "{ values = [0.1, 0.5], hihg = 0.5 }"),
            "parameters.behavior.reply_trust",
            ["unknown range key 'hihg'", "did you mean 'high'?", "allowed: values, low, high, log"],
        ),
        (
            ("{ values = [0.1, 0.5] }", "{ low = 0.1, high = 0.5, lgo = true }"),
            "parameters.behavior.reply_trust",
            ["unknown range key 'lgo'", "did you mean 'log'?"],
        ),
    ],
)
def test_errors_name_file_field_line_and_allowed_values(change, field, words):
    old, new = change
    assert old in TINY
    text = TINY.replace(old, new, 1)
    with pytest.raises(ScenarioError) as caught:
        _experiment(text)
    error = caught.value
    assert error.file == "tiny.toml"
    assert error.field == field, str(error)
    assert error.line is not None
    line = textwrap.dedent(text).splitlines()[error.line - 1]
    assert field.split(".")[-1].split("[")[0] in line or field.startswith("outcomes"), line
    for word in words:
        assert word in str(error)
    assert str(error).count(field.removeprefix("parameters.")) == 1, str(error)  # said once


@pytest.mark.parametrize(
    ("audience", "parameter", "words"),
    [
        (
            '{ preset = "small", graph = { people = 300, kind = "sbm" } }',
            "audience.graph.in_degree_exponent",
            "the audience's graph is sbm, built from communities, mean_degree, people,",
        ),
        ('"facebook_ego"', "audience.graph.people", "an edge list (facebook_combined.txt.gz)"),
    ],
)
def test_a_graph_field_the_audiences_graph_is_not_built_from_is_refused(audience, parameter, words):
    """Varied or fixed, it would change nothing, and the sweep would read as a null result."""
    text = TINY.replace('{ preset = "small", graph = { people = 300 } }', audience)
    for table, entry in (
        ("parameters", f'"{parameter}" = {{ values = [3, 4] }}'),
        ("fixed", f'[fixed]\n"{parameter}" = 3\n'),
    ):
        changed = (
            text.replace('"behavior.reply_trust" = { values = [0.1, 0.5] }', entry)
            if table == "parameters"
            else text.replace("[design]", entry + "\n[design]")
        )
        with pytest.raises(ScenarioError) as caught:
            _experiment(changed)
        assert caught.value.field == f"{table}.{parameter}", str(caught.value)
        assert words in str(caught.value) and "would change nothing" in str(caught.value)


def test_a_range_whose_low_equals_its_high_is_refused():
    text = _sampled('method = "lhs"\npoints = 4').replace(
        "low = 0.1, high = 0.5", "low = 0.3, high = 0.3"
    )
    with pytest.raises(
        ScenarioError, match=r"low must be below high \(got 0.3 and 0.3\)"
    ) as caught:
        _experiment(text)
    assert caught.value.field == "parameters.behavior.reply_trust"


def test_strategy_and_scenario_errors_come_from_sim_loading():
    with pytest.raises(ScenarioError, match="unknown strategy 'nonsense'"):
        _experiment(TINY.replace('"broadcasting"]', '"nonsense"]'))
    with pytest.raises(ScenarioError) as caught:
        _experiment(TINY.replace("people = 300", "people = 1"))
    assert caught.value.field == "scenario.audience.graph.people"


def test_parameter_paths_and_applying_values():
    scenario = _experiment().scenario
    locs, field, bounds = resolve_path(scenario, "strategy.reply_rate")
    assert locs == (("brands", 0, "strategy", "reply_rate"),)
    assert (bounds["ge"], bounds["le"]) == (0, 1)
    locs, _, _ = resolve_path(scenario, "platforms.facebook.follow_limit_per_day")
    assert locs == (("platforms", 0, "follow_limit_per_day"),)
    locs, _, _ = resolve_path(scenario, "platform.discovery_rate")
    assert locs == (("platforms", 0, "discovery_rate"),)
    changed = apply_values(
        scenario,
        {
            "behavior.max_hops": 2.6,
            "brands.0.strategy.content_mix.story": 0.7,
            "platform.discovery_rate": 3.0,
        },
    )
    assert changed.behavior.max_hops == 3
    assert changed.brands[0].strategy.content_mix.story == 0.7
    assert changed.platforms[0].discovery_rate == 3.0
    with pytest.raises(ValueError, match="not a numeric parameter"):
        resolve_path(scenario, "brands.0.strategy.targeting")
    with pytest.raises(ValueError, match="has no element 'x'"):
        resolve_path(scenario, "platforms.x.feed_rate")


def test_designs_are_deterministic_in_range_and_sized():
    hops = '\n"behavior.max_hops" = { low = 1, high = 6 }'
    lhs = _experiment(_sampled('method = "lhs"\npoints = 12', hops))
    first, second = design_points(lhs), design_points(lhs)
    pd.testing.assert_frame_equal(first, second)
    assert len(first) == 12
    assert first["behavior.reply_trust"].between(0.1, 0.5).all()
    assert first["behavior.max_hops"].dtype == np.int64
    assert first["market.no_relationship"].between(0.01, 1.0).all()
    assert first[UNIT_PREFIX + "behavior.reply_trust"].between(0, 1).all()
    grid = design_points(_experiment())
    assert len(grid) == 4
    for method, points in (("saltelli", 4 * (3 + 2)), ("morris", 4 * (3 + 1))):
        design = f'method = "{method}"\npoints = 4'
        assert len(design_points(_experiment(_sampled(design, hops)))) == points


def test_sampled_values_are_their_unit_coordinates_scaled_to_the_range():
    """Linear over [low, high], log-uniform where ``log = true``, rounded for integers (values are
    clipped to the range, so a wrong scale still passes a check that they lie in it)."""
    hops = '\n"behavior.max_hops" = { low = 1, high = 6 }'
    points = design_points(_experiment(_sampled('method = "lhs"\npoints = 16', hops)))
    unit = {name: points[UNIT_PREFIX + name].to_numpy() for name in points if ":" not in name}
    np.testing.assert_allclose(
        points["behavior.reply_trust"], 0.1 + 0.4 * unit["behavior.reply_trust"]
    )
    np.testing.assert_allclose(
        points["market.no_relationship"], 0.01 * 100.0 ** unit["market.no_relationship"]
    )
    np.testing.assert_array_equal(
        points["behavior.max_hops"], np.round(1 + 5 * unit["behavior.max_hops"])
    )


def test_run_seeds_derive_from_experiment_seed_and_index():
    seeds = [run_seed(7, index) for index in range(100)]
    assert seeds == [run_seed(7, index) for index in range(100)]
    assert len(set(seeds)) == 100
    assert all(0 <= seed < 2**63 for seed in seeds)
    assert run_seed(8, 0) != run_seed(7, 0)


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    sweep = Sweep(_experiment(), out)
    report = sweep.execute(SerialExecutor())
    assert report.complete and not report.failed
    return out


def test_store_manifest_results_and_resume(tiny_sweep, tmp_path):
    results = load_results(tiny_sweep)
    assert len(results) == 4 * 2
    assert list(results["strategy"][:2]) == ["consistent_engagement", "broadcasting"]
    assert {"run", "seed", "behavior.reply_trust", "equity", "followers@5"} <= set(results)
    pd.testing.assert_frame_equal(results, pd.read_parquet(tiny_sweep / "results.parquet"))
    info = load_manifest(tiny_sweep)
    assert info["version"] and info["experiment"]["name"] == "tiny"
    assert [run["status"] for run in info["runs"]] == ["done"] * 4
    assert [run["seed"] for run in info["runs"]] == [run_seed(3, 0)] * 4  # common seeds
    assert info["seeds_across_points"] == "common"
    daily = views.open_sweep(tiny_sweep).daily()
    assert set(daily["day"]) == {0, 5, 10, 14}
    # The same run computed alone gives the same numbers (a run is its seed and its point).
    experiment = _experiment()
    scenario = apply_values(
        experiment.scenario, {"behavior.reply_trust": 0.1, "market.no_relationship": 0.05}
    )
    alone = simulate(scenario, run_seed(3, 0), days=15)
    equity = alone[alone["day"] == 14]["equity"].iloc[0]
    assert results["equity"].iloc[0] == pytest.approx(equity)
    assert info["days"] == {"first": 0, "last": 14} and info["source_digest"]
    assert info["sha256"] == {  # the design and the whole table, as a run's manifest has them
        name: hashlib.sha256((tiny_sweep / name).read_bytes()).hexdigest()
        for name in ("points.parquet", "results.parquet")
    }
    import pyarrow.parquet as pq

    def made_by(path):
        return json.loads(pq.read_schema(path).metadata[b"longgame"])

    first_run = made_by(next((tiny_sweep / "runs").iterdir()))
    assert first_run["fingerprint"] == info["fingerprint"] and first_run["engine"] == "vector"
    assert first_run["source_digest"] == info["source_digest"] and "run" in first_run
    assert made_by(tiny_sweep / "results.parquet")["experiment"] == "tiny"
    assert load_points(tiny_sweep).index.name == "point"
    # Resuming a finished sweep runs nothing and keeps the sweep's origin; another experiment
    # or no --resume is refused.
    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    older = {**info, "version": "0.0.1", "source_digest": "old"}
    (copy / "manifest.json").write_text(json.dumps(older))
    again = Sweep(experiment, copy, resume=True)
    assert again.remaining == []
    resumed = load_manifest(copy)
    assert (resumed["command"], resumed["created_utc"]) == (info["command"], info["created_utc"])
    assert len(resumed["resumed"]) == len(info.get("resumed", [])) + 1
    # The runs made before keep their code's version; the resumption records its own.
    assert (resumed["version"], resumed["source_digest"]) == ("0.0.1", "old")
    last = resumed["resumed"][-1]
    assert (last["version"], last["source_digest"]) == (info["version"], info["source_digest"])
    with pytest.raises(ScenarioError, match="--resume"):
        Sweep(experiment, tiny_sweep)
    other = _experiment(TINY.replace("seed = 3", "seed = 4"))
    with pytest.raises(ScenarioError, match="different experiment.*: seed: 3 then, 4 now;"):
        Sweep(other, tiny_sweep, resume=True)  # names what changed


def test_resume_refuses_a_data_file_that_changed(tiny_sweep, tmp_path):
    """An edge list edited between an interruption and --resume would mix runs on two audiences;
    an experiment file edited in a comment only is the same experiment."""
    from sim.output import input_files

    copy, edges, spec = tmp_path / "copy", tmp_path / "edges.txt", tmp_path / "tiny.toml"
    shutil.copytree(tiny_sweep, copy)
    edges.write_text("0 1\n1 2\n")
    spec.write_text("# the experiment\n")
    info = load_manifest(copy)
    (copy / "manifest.json").write_text(json.dumps({**info, "inputs": input_files([edges, spec])}))
    first = input_files([edges, spec])
    spec.write_text("# the experiment, a comment edited\n")
    assert Sweep(_experiment(), copy, resume=True, inputs=[edges, spec]).remaining == []
    record = load_manifest(copy)  # the start's files stay on record, the resumption adds its own
    assert record["inputs"] == first
    assert record["resumed"][-1]["inputs"] == input_files([edges, spec]) != first
    edges.write_text("0 1\n1 2\n2 0\n")
    with pytest.raises(ScenarioError, match=r"other data: .*edges.txt has changed \(sha256"):
        Sweep(_experiment(), copy, resume=True, inputs=[edges, spec])
    with pytest.raises(ScenarioError, match="edges.txt is no longer read"):
        Sweep(_experiment(), copy, resume=True, inputs=[spec])


def test_a_sweep_that_finished_nothing_starts_again_and_other_results_are_no_sweep(tmp_path):
    from sim.output import OutputError, write_results

    experiment = _experiment()
    Sweep(experiment, tmp_path / "never")  # opened, then e.g. the scheduler was unreachable
    assert (tmp_path / "never" / "manifest.json").is_file()
    assert Sweep(experiment, tmp_path / "never").remaining  # no --resume needed
    compared = tmp_path / "compared"
    write_results(make_metrics(seeds=1, days=1), compared, command="longgame compare x")
    with pytest.raises(OutputError, match="not a sweep directory.*longgame compare x"):
        load_sweep(compared)


def test_a_new_sweep_in_a_run_directory_advises_another_out(tmp_path):
    from sim.output import OutputError, write_results

    ran = tmp_path / "ran"
    write_results(make_metrics(seeds=1, days=1), ran, command="longgame run base")
    for resume in (False, True):
        with pytest.raises(
            OutputError, match="longgame run base'\\); choose another output directory \\(--out\\)$"
        ):
            Sweep(_experiment(), ran, resume=resume)
    with pytest.raises(OutputError, match="give a directory written by longgame sweep$"):
        load_sweep(ran)  # longgame analyze


def test_a_new_sweep_refuses_a_directory_of_other_files(tmp_path):
    (tmp_path / "results.parquet").write_text("someone else's table")
    with pytest.raises(ScenarioError, match="holds files but no sweep.*'results.parquet'.*--out"):
        Sweep(_experiment(), tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["results.parquet"]
    killed = tmp_path / "killed"  # while writing its first manifest
    killed.mkdir()
    (killed / ".manifest.json.x1.tmp").write_text("{")
    assert Sweep(_experiment(), killed).remaining
    assert not list(killed.glob(".*.tmp"))


def test_results_come_from_the_consolidated_table_only_while_it_is_complete(tiny_sweep, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    everything = load_results(copy)
    marked = everything.assign(equity=-1.0)
    marked.to_parquet(copy / "results.parquet", index=False)
    assert (load_results(copy)["equity"] == -1.0).all()  # read from results.parquet
    (copy / "runs" / "run-0000002.parquet").unlink()  # no longer the finished runs
    fewer = load_results(copy)
    assert sorted(set(fewer["run"])) == [0, 1, 3] and (fewer["equity"] != -1.0).all()
    (copy / "results.parquet").write_text("not parquet")
    pd.testing.assert_frame_equal(load_results(copy), fewer)


def test_resume_runs_only_missing_runs(tiny_sweep, tmp_path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    (copy / "runs" / "run-0000002.parquet").unlink()
    (copy / "results.parquet").unlink()
    (copy / "runs" / ".run-0000002.parquet.abc.tmp").write_text("half")
    sweep = Sweep(_experiment(), copy, resume=True)
    assert [run.index for run in sweep.remaining] == [2]
    assert not list((copy / "runs").glob(".*.tmp"))
    sweep.execute(SerialExecutor())
    pd.testing.assert_frame_equal(load_results(copy), load_results(tiny_sweep))


def test_a_resumed_sweep_of_several_seeds_runs_exactly_its_missing_runs(tmp_path):
    """With 2 seeds per point a run's index is not its point: resuming neither skips a missing
    run whose point has other runs nor redoes a finished one."""
    text = TINY.replace("seeds = 1", "seeds = 2").replace(
        "market.no_relationship = { values = [0.05, 0.4] }\n", ""
    )
    experiment = _experiment(text)
    done = tmp_path / "done"
    Sweep(experiment, done).execute(SerialExecutor())
    for missing, expected in (([2], [(2, 1, 0)]), ([1, 3], [(1, 0, 1), (3, 1, 1)])):
        copy = tmp_path / "-".join(map(str, missing))
        shutil.copytree(done, copy)
        (copy / "results.parquet").unlink()
        for index in missing:
            (copy / "runs" / f"run-{index:07d}.parquet").unlink()
        sweep = Sweep(experiment, copy, resume=True)
        assert [(run.index, run.point, run.replicate) for run in sweep.remaining] == expected
        sweep.execute(SerialExecutor())
        pd.testing.assert_frame_equal(load_results(copy), load_results(done))


def test_break_even_is_the_first_day_incremental_profit_rises_above_zero():
    """Incremental profit is 0 on day 0 and wherever the brand is back where it started: that is
    not breaking even."""

    def break_even(profits):
        frame = pd.DataFrame({"day": range(len(profits)), "incremental_profit": profits})
        return extract_outcomes(frame, ("break_even_day",))["break_even_day"]

    assert break_even([0.0, -5.0, 0.0, 3.0, 1.0]) == 3
    assert np.isnan(break_even([0.0, -5.0, -1.0, 0.0]))


def test_a_run_is_finished_only_once_its_daily_series_is_written(tmp_path, monkeypatch):
    """The run's results file is its finished marker: written after its daily series, so a run
    whose daily file could not be written (or was killed before it) runs again on resume."""
    import experiments.store as store_module
    from experiments.sweep import execute_run
    from sim.output import OutputError

    sweep = Sweep(_experiment(), tmp_path / "sweep")
    result = execute_run(sweep.task(sweep.runs[0]))
    assert result.daily is not None
    written = store_module.write_parquet

    def daily_fails(df, path, made_by, index=False):
        if Path(path).parent.name == "daily":
            raise OSError(28, "No space left on device")
        written(df, path, made_by, index)

    monkeypatch.setattr(store_module, "write_parquet", daily_fails)
    with pytest.raises(OutputError, match="daily.*the disk is full"):
        sweep.store.write_run(result.index, result.final, result.daily)
    assert result.index not in sweep.store.finished()


def test_a_killed_writes_temporary_files_are_the_ones_resume_removes(tmp_path):
    """Files are written under a temporary name (``.NAME.*.tmp``) that a resumed sweep
    recognises as a killed write's leftover and removes."""
    from sim.output import Staging

    runs = tmp_path / "runs"
    with Staging() as staging:
        staged = staging.stage(runs / "run-0000001.parquet", lambda tmp: tmp.write_text("half"))
        assert list(runs.glob(".*.tmp")) == [staged]


def test_a_finished_sweep_resumed_starts_no_executor(tiny_sweep, tmp_path):
    import shutil

    class Refuses:
        def run(self, fn, tasks):
            raise AssertionError("no runs remain: the executor (a Dask cluster) is not started")

    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    report = Sweep(_experiment(), copy, resume=True).execute(Refuses())
    assert report.complete and report.finished_now == 0
    pd.testing.assert_frame_equal(load_results(copy), load_results(tiny_sweep))


def test_report_names_the_audience_the_runs_simulated():
    fixed = _experiment(TINY + '\n[fixed]\n"audience.graph.people" = 200\n')
    assert _audience(fixed) == "200 simulated people"
    varied = _experiment(
        TINY.replace(
            "[parameters]", '[parameters]\n"audience.graph.people" = { values = [200, 400] }'
        )
    )
    assert _audience(varied) == "simulated people varied (a swept parameter)"


def test_analyze_writes_report_and_views_serve_a_page(tiny_sweep, tmp_path):
    data = load_sweep(tiny_sweep)
    paths = write_report(data, tmp_path / "report")
    text = paths["markdown"].read_text()
    assert "CE beats BC on equity" in text and "## Sensitivity" in text
    assert "audience: 300 simulated people" in text
    assert "| break_even_day | none in any run | none in any run |" in text  # not "- [-, -]"
    assert "Mean `equity` per value of `behavior.reply_trust`" in text  # a grid: not per fifth
    document = json.loads(paths["json"].read_text())
    assert document["robustness"]["comparisons"][0]["points"] == 4
    made_by = {"package": "longgame", "version": sim.__version__, "engine": "vector"}
    assert made_by.items() <= document["made_by"].items() and document["made_by"]["source_digest"]
    assert f"made by longgame {sim.__version__}, vector engine" in text
    pictures = sorted((tmp_path / "report").glob("*.png"))
    assert pictures and all(f"]({picture.name})" in text for picture in pictures)  # all shown
    for picture in pictures:  # each figure says what made it, even when copied elsewhere
        described = json.loads(Image.open(picture).text["Description"].removeprefix("made by "))
        assert described == document["made_by"]
        assert described["fingerprint"] == data.experiment.fingerprint()
    choices = views.choices(data)
    assert choices["finished_runs"] == choices["total_runs"] == 4
    table = ce_minus_bc_equity(data)
    assert table.shape == (2, 2) and table.notna().all().all()
    sens = views.sensitivity_table(data, "consistent_engagement: equity")
    assert set(sens["parameter"]) == {"behavior.reply_trust", "market.no_relationship"}
    assert (sens["method"] == "main effect").all()
    assert views.robustness_report(data)["comparisons"][0]["name"] == "CE beats BC on equity"


def test_the_report_counts_sensitivity_targets_for_the_progress_bar(tiny_sweep, tmp_path):
    data = load_sweep(tiny_sweep)
    done = []
    write_report(data, tmp_path, figures=False, progress=done.append)
    assert len(done) == len(target_names(data)) == 5 * 2 + 1  # outcomes x strategies + CE - BC
    assert target_names(data) == views.choices(data)["targets"]


def _synthetic(points: int = 128, seeds: int = 1, method: str = "lhs") -> SweepData:
    """A fake sweep (LHS, or another sampled ``method``) where outcome y = 3 x + noise and the
    comparison fails for x < 0.3."""
    text = _sampled(f'method = "{method}"\npoints = {points}')
    text = text.replace("low = 0.1, high = 0.5", "low = 0.0, high = 1.0")
    experiment = _experiment(
        text.replace("low = 0.01, high = 1.0, log = true", "low = 0, high = 1")
    )
    design = design_points(experiment)
    rng = np.random.default_rng(0)
    rows = []
    for (point, row), replicate in itertools.product(design.iterrows(), range(seeds)):
        x, z = row["behavior.reply_trust"], row["market.no_relationship"]
        for strategy, value in (("consistent_engagement", 3 * x), ("broadcasting", 0.9)):
            rows.append(
                {
                    "run": point * seeds + replicate,
                    "point": point,
                    "replicate": replicate,
                    "seed": replicate,
                    "strategy": strategy,
                    "behavior.reply_trust": x,
                    "market.no_relationship": z,
                    **dict.fromkeys(experiment.outcomes, value + 0.01 * rng.normal()),
                }
            )
    return SweepData(
        root=None,  # type: ignore[arg-type]
        experiment=experiment,
        manifest={"package": "longgame", "total_runs": len(design) * seeds},
        points=design,
        results=pd.DataFrame(rows),
        parameters=experiment.resolved_parameters(),
    )


def test_a_sweep_without_comparisons_reports_each_outcome_per_parameter_value(tmp_path):
    """A one-strategy sweep ("from which reply rate on does it pay?") has no comparisons; its
    report used to hold no table of the outcomes by parameter value."""
    data = _synthetic(points=16)
    data.experiment = data.experiment.model_copy(update={"comparisons": []})
    paths = write_report(data, tmp_path, figures=False)
    text = paths["markdown"].read_text()
    assert "## Parameter effects on the outcomes" in text
    for outcome in data.outcomes:
        assert f"Mean `{outcome}` per fifth of `behavior.reply_trust`:" in text
    effects = json.loads(paths["json"].read_text())["parameter_effects"]
    assert {(row["outcome"], row["parameter"]) for row in effects} == {
        (outcome, parameter) for outcome in data.outcomes for parameter in data.parameter_names
    }
    steady = next(row for row in effects if row["parameter"] == "behavior.reply_trust")["means"]
    assert (
        len(steady) == 5
        and steady[0]["consistent_engagement"] < steady[-1]["consistent_engagement"]
    )


def test_sensitivity_and_robustness_find_the_driving_parameter():
    data = _synthetic()
    sens = sensitivity(data)
    rows = sens[sens["target"] == "consistent_engagement: equity"].set_index("parameter")
    assert (rows["method"] == "RBD-FAST").all()
    assert rows.loc["behavior.reply_trust", "value"] > 0.8
    assert rows.loc["market.no_relationship", "value"] < 0.2
    report = robustness(data)["comparisons"][0]
    assert report["share_holds"] == pytest.approx(0.7, abs=0.05)
    assert report["drivers"][0]["parameter"] == "behavior.reply_trust"
    region = report["failure_region"]
    assert region["conditions"][0]["parameter"] == "behavior.reply_trust"
    assert region["conditions"][0]["op"] == "<="
    assert region["conditions"][0]["value"] == pytest.approx(0.3, abs=0.06)
    assert region["covers"] > 0.9 and region["fail_rate_inside"] > 0.9
    empty = pd.DataFrame({"holds": [True, True], "a": [0.1, 0.2]})
    assert failure_region(empty, ["a"]) is None


def test_rbd_fast_needs_enough_points_for_its_interval():
    """Under 44 points SALib's RBD-FAST gives intervals of width 0 and indices that are noise:
    the sweep reports Spearman's correlation only."""
    small = sensitivity(_synthetic(points=43))
    assert set(small["method"]) == {"Spearman only"} and small["value"].isna().all()
    assert small["spearman"].notna().all()
    enough = sensitivity(_synthetic(points=44))
    assert set(enough["method"]) == {"RBD-FAST"} and (enough["conf"] > 0).all()


def test_a_salib_failure_is_reported_as_such(monkeypatch, tmp_path):
    """SALib raising on a design large enough for it is not passed off as "too small"."""
    from SALib.analyze import rbd_fast

    def broken(*args, **kwargs):
        raise ValueError("shapes do not match")

    monkeypatch.setattr(rbd_fast, "analyze", broken)
    data = _synthetic(points=44)
    methods = set(sensitivity(data)["method"])
    assert methods == {"Spearman only (SALib failed: ValueError: shapes do not match)"}
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    assert "only (SALib failed: ValueError: shapes do not match)" in text
    assert "too small" not in text


@pytest.mark.parametrize("method", ["grid", "lhs"])
def test_an_outcome_that_never_varies_has_no_sensitivity(method, request, tmp_path):
    """A constant outcome (money never spent) is undefined, not "no parameter matters"."""
    if method == "grid":
        data = load_sweep(request.getfixturevalue("tiny_sweep"))
    else:
        data = _synthetic(points=64)
    data.results = data.results.assign(revenue=0.0)
    sens = sensitivity(data)
    constant = sens[sens["outcome"] == "revenue"]
    assert len(constant) and constant["value"].isna().all()
    assert set(constant["method"]) == {"none (no variation)"}  # not the Spearman-only of a gap
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    assert "| consistent_engagement: revenue | undefined (no variation) |" in text
    assert "Method: none" not in text
    bars = sensitivity_figure(constant[constant["strategy"] == "consistent_engagement"])
    assert [text.get_text() for text in bars.axes[0].texts] == ["undefined (no variation)"]


@pytest.mark.parametrize(
    ("method", "label"), [("saltelli", "Sobol' (Saltelli)"), ("morris", "Morris")]
)
def test_an_incomplete_saltelli_or_morris_sweep_says_runs_are_missing(method, label, tmp_path):
    data = _synthetic(points=8, method=method)
    assert set(sensitivity(data)["method"]) == {label}
    results = data.results
    data.results = results[results["point"] != 3]  # a point whose run has not finished
    assert set(sensitivity(data)["method"]) == {"Spearman only (runs missing)"}
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    total = data.manifest["total_runs"]
    assert f"the sweep is incomplete: {total - 1} of {total} runs finished" in text
    assert "--resume" in text and "too small" not in text


def test_comparison_table_gives_each_point_its_seeds_t_interval():
    data = _synthetic(points=16, seeds=3)
    comparison = data.experiment.comparisons[0]
    table = comparison_table(data, comparison)
    results = data.results
    for point, row in table.iterrows():
        runs = results[results["point"] == point]
        better = runs[runs["strategy"] == comparison.better][comparison.outcome].to_numpy()
        worse = runs[runs["strategy"] == comparison.worse][comparison.outcome].to_numpy()
        expected = summary.t_interval(better - worse)
        assert (row["difference"], row["lo"], row["hi"]) == pytest.approx(expected, rel=1e-12)
        assert row["seeds"] == 3 and row["lo"] < row["difference"] < row["hi"]
        assert row["significant"] == (expected[1] > 0)
    one_seed = comparison_table(_synthetic(points=16), comparison)
    assert (one_seed["lo"] == one_seed["difference"]).all() and not one_seed["significant"].any()


def test_cli_sweep_progress_bar_names_the_experiment(tiny_sweep, tmp_path, progress_bars):
    from typer.testing import CliRunner

    from sim.cli import app

    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    (copy / "runs" / "run-0000002.parquet").unlink()
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY))
    args = ["sweep", str(experiment), "--out", str(copy), "--workers", "1", "--resume"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert progress_bars == [("tiny", "runs (3 done before)")]


def test_cli_resume_of_a_finished_sweep_says_nothing_runs(tiny_sweep, tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    copy = tmp_path / "copy"
    shutil.copytree(tiny_sweep, copy)
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY))
    args = ["sweep", str(experiment), "--out", str(copy), "--workers", "2", "--resume"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "4 finished before; nothing to run" in " ".join(result.output.split())
    assert "pool" not in result.output


def test_cli_analyze_computes_robustness_once(tiny_sweep, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from experiments import analysis
    from sim.cli import app

    calls = []

    def counted(data):
        calls.append(data)
        return robustness(data)

    monkeypatch.setattr(analysis, "robustness", counted)
    args = ["analyze", str(tiny_sweep), "--out", str(tmp_path), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    written = json.loads((tmp_path / "analysis.json").read_text())["robustness"]
    assert json.loads(result.stdout) == written


def test_cli_analyze_and_sweep_errors(tiny_sweep, tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["analyze", str(tiny_sweep), "--out", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "CE beats BC on equity" in result.stdout
    assert (tmp_path / "a" / "report.md").is_file()
    bad = tmp_path / "bad.toml"
    text = textwrap.dedent(TINY).replace("market.no_relationship", "market.no_relation")
    bad.write_text(text)
    line = 1 + next(i for i, row in enumerate(text.splitlines()) if "no_relation " in row)
    result = runner.invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "parameters.market.no_relation" in result.output
    assert "allowed" in result.output and f"[line {line}]" in result.output
    result = runner.invoke(app, ["sweep", "smoke", "--dask", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "--scheduler" in result.output
    result = runner.invoke(app, ["analyze", str(tmp_path)])
    assert result.exit_code == 2 and "not a sweep directory" in result.output


def test_analyze_judges_a_finished_sweep_on_comparisons_written_after_it(tiny_sweep, tmp_path):
    """--comparisons: the same experiment with another comparison is judged on the stored runs,
    and the analysis says where its comparisons came from; another experiment is refused."""
    from typer.testing import CliRunner

    from sim.cli import app

    runner = CliRunner()
    added = tmp_path / "added.toml"
    extra = 'better = "broadcasting"\nworse = "consistent_engagement"\noutcome = "followers"\n'
    added.write_text(textwrap.dedent(TINY) + "\n[[comparisons]]\n" + extra)
    out = tmp_path / "a"
    args = ["analyze", str(tiny_sweep), "--out", str(out), "--json", "--comparisons", str(added)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    names = [item["name"] for item in json.loads(result.stdout)["comparisons"]]
    assert names == ["CE beats BC on equity", "BC beats CE on followers"]
    made_by = json.loads((out / "analysis.json").read_text())["made_by"]
    assert made_by["comparisons_from"] == str(added)
    assert made_by["fingerprint"] == load_manifest(tiny_sweep)["fingerprint"]  # what ran
    assert f"comparisons judged as written in {added}" in (out / "report.md").read_text()
    other = tmp_path / "other.toml"
    other.write_text(textwrap.dedent(TINY).replace("seed = 3", "seed = 4"))
    args = ["analyze", str(tiny_sweep), "--out", str(out), "--comparisons", str(other)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "is not the experiment" in result.output and "seed differ" in result.output


def test_a_side_of_several_strategies_is_its_best_member_at_each_point():
    """better = [CE, ST] is, at each point, whichever of the two has the higher mean there:
    CE where x is large, ST (a constant 1.2) where it is small."""
    data = _synthetic(points=32, seeds=2)
    stories = data.results[data.results["strategy"] == "broadcasting"].copy()
    stories["strategy"] = "storytelling"
    noise = np.random.default_rng(1).normal(size=len(stories))
    for outcome in data.outcomes:
        stories[outcome] = 1.2 + 0.01 * noise
    data.results = pd.concat([data.results, stories], ignore_index=True)

    def against_bc(better):
        comparison = Comparison(better=better, worse="broadcasting", outcome="equity")
        return comparison_table(data, comparison)["difference"].to_numpy()

    either = against_bc(["consistent_engagement", "storytelling"])
    ce, st = against_bc("consistent_engagement"), against_bc("storytelling")
    assert either == pytest.approx(np.maximum(ce, st), abs=1e-12)
    assert (ce > st).any() and (st > ce).any()  # each leads somewhere
    listening = ["consistent_engagement", "storytelling"]
    label = Comparison(better=listening, worse="broadcasting", outcome="equity").label
    assert label == "CE/ST beats BC on equity"


def test_a_sweep_checks_memory_for_each_local_worker_before_any_run(tmp_path, monkeypatch):
    """Room for one audience of the largest point but not two: a pool of two is refused before
    any run (nothing recorded), a serial sweep is not."""
    from experiments.executors import PoolExecutor
    from sim.audience import memory

    varied = _experiment(
        TINY.replace(
            "[parameters]", '[parameters]\n"audience.graph.people" = { values = [200, 400] }'
        )
    )
    largest = memory.estimate_bytes(400, 400 * 15, 1, 1)
    monkeypatch.setattr(memory, "available_bytes", lambda: int(1.5 * largest))
    monkeypatch.setenv(memory.ALLOW_LARGE_ENV, "0")
    sweep = Sweep(varied, tmp_path / "s")
    with pytest.raises(ScenarioError, match="400 people.*2 processes at once"):
        sweep.execute(PoolExecutor(2))
    assert not list((tmp_path / "s" / "runs").glob("*.parquet"))
    sweep._check_memory(1)  # one process: it fits


def _first_run_rows(experiment, out) -> pd.DataFrame:
    """The results of run 0 of ``experiment``, computed alone."""
    from experiments.sweep import execute_run

    sweep = Sweep(experiment, out)
    return execute_run(sweep.task(sweep.runs[0])).final.set_index("strategy")


def test_a_fixed_strategy_parameter_applies_to_every_compared_strategy(tmp_path):
    """[fixed] "strategy.posts_per_week" sets it for each strategy, as a varied one would."""
    rows = {}
    for posts in (0, 20):
        fixed = TINY.replace("[design]", f'[fixed]\n"strategy.posts_per_week" = {posts}\n[design]')
        rows[posts] = _first_run_rows(_experiment(fixed), tmp_path / str(posts))
    for strategy in ("consistent_engagement", "broadcasting"):
        assert rows[0].at[strategy, "equity"] != rows[20].at[strategy, "equity"]


def test_two_seeds_are_enough_for_a_point_to_be_significant():
    """With 2 seeds the t-interval has 1 degree of freedom: wide, but a point whose lower bound
    is above 0 is significant."""
    from scipy import stats

    data = _synthetic(points=16, seeds=2)
    table = comparison_table(data, data.experiment.comparisons[0])
    results = data.results.set_index(["point", "replicate", "strategy"])["equity"]
    expected = []
    for point in table.index:
        pairs = [
            results[point, r, "consistent_engagement"] - results[point, r, "broadcasting"]
            for r in (0, 1)
        ]
        half = stats.t.ppf(0.975, df=1) * np.std(pairs, ddof=1) / np.sqrt(2)
        expected.append(bool(np.mean(pairs) - half > 0))
    assert table["significant"].tolist() == expected and 0 < sum(expected) < len(expected)
    share = robustness(data)["comparisons"][0]["share_significant"]
    assert share == pytest.approx(np.mean(expected))


def test_the_share_where_a_comparison_holds_has_its_wilson_interval():
    from scipy.stats import binomtest

    item = robustness(_synthetic(points=32))["comparisons"][0]
    holds = round(item["share_holds"] * item["points"])
    assert 0 < holds < item["points"] == 32
    wilson = binomtest(holds, item["points"]).proportion_ci(method="wilson")
    assert item["share_holds_lo"] == pytest.approx(wilson.low, rel=1e-9)
    assert item["share_holds_hi"] == pytest.approx(wilson.high, rel=1e-9)


def test_the_summary_gives_the_10th_50th_and_90th_percentiles_of_the_runs():
    data = _synthetic(points=11)
    engaging = data.results["strategy"] == "consistent_engagement"
    data.results.loc[engaging, "equity"] = np.arange(11.0)[::-1]
    table = strategy_summary(data).set_index(["strategy", "outcome"])
    row = table.loc[("consistent_engagement", "equity")]
    assert (row["p10"], row["p50"], row["p90"], row["runs"]) == (1.0, 5.0, 9.0, 11)
    assert row["mean"] == pytest.approx(5.0)


def _comparing(data: SweepData, outcome: str, **options) -> SweepData:
    """``data`` with one headline comparison, CE against BC on ``outcome``."""
    comparison = Comparison(
        better="consistent_engagement", worse="broadcasting", outcome=outcome, **options
    )
    data.experiment = data.experiment.model_copy(update={"comparisons": [comparison]})
    return data


def test_a_comparison_whose_outcome_is_never_defined_is_reported_not_evaluated(tmp_path):
    data = _comparing(_synthetic(points=8), "break_even_day")
    data.results["break_even_day"] = np.nan  # no run broke even
    item = robustness(data)["comparisons"][0]
    assert item["points"] == 0 and item["points_sampled"] == 8
    write_report(data, tmp_path, figures=True, robust=robustness(data))
    text = (tmp_path / "report.md").read_text()
    assert "| 0 of 8 |" in text and "could not be evaluated" in text
    assert "Method: Spearman's rank correlation only (" in text  # eight points: too few for SALib
    assert "gives the direction" not in text  # said once, not twice
    assert "\n\n\n" not in text  # no blank paragraph for the missing description
    assert json.loads((tmp_path / "analysis.json").read_text())["robustness"]


def test_a_tie_is_not_a_win_and_the_report_says_it_is_a_tie():
    """Two strategies that spend the same at every point: the comparison holds nowhere, and
    where it fails says why (not a bare "everywhere")."""
    from experiments.analysis import failure_text

    data = _synthetic(points=16)
    data.results = data.results.assign(revenue=1.0)
    item = robustness(_comparing(data, "revenue"))["comparisons"][0]
    assert item["share_holds"] == 0 and item["points_tied"] == item["points"] == 16
    assert failure_text(item).startswith("everywhere, as a tie")
    partly = {**item, "points_tied": 3, "failure_region": None}
    assert failure_text(partly) == "everywhere (3 of the failing points are ties)"


def test_lower_is_better_outcomes_and_never_breaking_even_count_the_right_way():
    """CE's value is 3 x, BC's 0.9: on a cost-like outcome CE is better where x < 0.3."""
    data = _synthetic(points=32)
    share = robustness(_comparing(data, "revenue"))["comparisons"][0]["share_holds"]
    lower = robustness(_comparing(data, "revenue", lower_is_better=True))["comparisons"][0]
    assert lower["share_holds"] == pytest.approx(1 - share) and lower["lower_is_better"]
    results = data.results
    ce = results["strategy"] == "consistent_engagement"
    results.loc[ce & (results["point"] == 0), "break_even_day"] = np.nan  # CE never broke even
    results.loc[results["point"] == 1, "break_even_day"] = np.nan  # neither did
    table = comparison_table(_comparing(data, "break_even_day"), data.experiment.comparisons[0])
    assert 1 not in table.index and len(table) == 31
    assert not table.at[0, "holds"]  # never is worse than BC's day 0.9
    assert (
        table["holds"].drop(0).tolist()
        == (data.points["behavior.reply_trust"] * 3 < 0.9)[2:].tolist()
    )


@pytest.mark.parametrize(
    ("before", "first", "second"),
    [
        ("", '"strategy.posts_per_week" = { values = [1, 2] }', "brands.0.strategy.posts_per_week"),
        ('[fixed]\n"platform.feed_rate" = 0.5\n', "", "platforms.*.feed_rate"),
    ],
)
def test_one_parameter_under_two_names_is_refused_with_both_keys_and_lines(before, first, second):
    text = (
        TINY.replace("[design]", f"{before}[design]")
        .replace("[parameters]", f"[parameters]\n{first}")
        .replace("market.no_relationship = { values = [0.05, 0.4] }", f'"{second}" = {{}}')
    )
    with pytest.raises(ScenarioError, match="sets the same parameter") as caught:
        _experiment(text)
    message = str(caught.value)
    assert second in message and "(line " in message
    assert second in textwrap.dedent(text).splitlines()[caught.value.line - 1]


def test_seeds_are_common_across_points_unless_independent_and_older_sweeps_stay_independent(
    tmp_path,
):
    from experiments.sweep import execute_run

    common = Sweep(_experiment(), tmp_path / "common")
    assert [run.seed for run in common.runs] == [run_seed(3, 0)] * 4
    option = 'seeds = 1\nseeds_across_points = "independent"'
    independent = Sweep(_experiment(TINY.replace("seeds = 1", option)), tmp_path / "independent")
    assert [run.seed for run in independent.runs] == [run_seed(3, i) for i in range(4)]
    # A sweep stored before the option existed (no field in its manifest) resumes independent.
    older = Sweep(_experiment(), tmp_path / "older")
    run = older.runs[1]
    result = execute_run(older.task(run))
    older.store.write_run(result.index, result.final, result.daily)
    info = load_manifest(tmp_path / "older")
    del info["seeds_across_points"]
    (tmp_path / "older" / "manifest.json").write_text(json.dumps(info))
    older.close()  # as the command that started it ends
    resumed = Sweep(_experiment(), tmp_path / "older", resume=True)
    assert [run.seed for run in resumed.runs] == [run_seed(3, i) for i in range(4)]
    assert load_manifest(tmp_path / "older")["seeds_across_points"] == "independent"
    resumed.close()
    written_out = Sweep(
        _experiment(TINY.replace("seeds = 1", option)), older.store.root, resume=True
    )
    assert written_out.runs == resumed.runs  # the same sweep, its seeding now written in the file


def test_unreliable_sensitivity_indices_are_flagged_in_the_report(tmp_path):
    from experiments.analysis import index_reliability

    assert index_reliability(53.0, 36.9) == "outside [0, 1]"
    assert index_reliability(1970.0, 3688.0) == "uncertain"  # an impossible value, wide interval
    assert index_reliability(0.08, 0.46) == "uncertain"
    assert index_reliability(0.8, 0.1) == index_reliability(0.0, 0.001) == ""
    data = _synthetic(points=2, method="saltelli")  # a tiny base sample: unreliable indices
    assert (sensitivity(data)["reliability"] != "").any()
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    assert "(**uncertain**)" in text or "(**outside [0, 1]**)" in text
    assert "sample more points" in text


def test_a_failure_region_must_be_clearly_worse_than_the_whole_space():
    rng = np.random.default_rng(1)
    a, b = rng.random(200), rng.random(200)
    noise = pd.DataFrame({"holds": rng.random(200) > 0.44, "a": a, "b": b})  # fails anywhere
    assert failure_region(noise, ["a", "b"]) is None
    few = pd.DataFrame({"holds": [True] * 6 + [False] * 2, "a": np.arange(8.0)})  # 2 failures
    assert failure_region(few, ["a"]) is None
    corner = pd.DataFrame({"holds": a > 0.3, "a": a, "b": b})
    assert failure_region(corner, ["a", "b"])["fail_rate_inside"] > 0.9


def test_a_failure_region_must_close_half_the_gap_to_always_failing():
    """A box failing 4 times as often as the space as a whole (40% against 10%) but closing a
    third of the gap to 100% is no region; one at 60% against 14% closes more than half."""
    a = np.arange(100) / 100
    spread = [0, 2, 5, 7, 10, 12, 15, 17]
    weak = np.isin(np.arange(100), [*spread, 55, 85])
    assert failure_region(pd.DataFrame({"holds": ~weak, "a": a}), ["a"]) is None
    clear = np.isin(np.arange(100), [*spread, 3, 8, 13, 18, 55, 85])
    region = failure_region(pd.DataFrame({"holds": ~clear, "a": a}), ["a"])
    assert region["text"] == "a <= 0.198" and region["fail_rate_inside"] == pytest.approx(0.6)


def test_a_morris_heatmap_puts_the_top_of_a_range_in_its_last_cell():
    """Morris samples the corners of the unit cube: a coordinate of exactly 1 is in the top bin,
    where CE's equity (3 x) is 3."""
    data = _synthetic(points=8, method="morris")
    assert (data.points[UNIT_PREFIX + "behavior.reply_trust"] == 1.0).any()
    table = views.heatmap_table(
        data,
        "equity",
        "behavior.reply_trust",
        "market.no_relationship",
        strategy="consistent_engagement",
    )
    assert list(table.columns) == ["0.0625", "0.312", "0.688", "0.938"]  # 4 of 8 bins hold points
    top = table["0.938"].dropna()
    assert len(top) and np.allclose(top, 3.0, atol=0.05)


def test_the_sensitivity_table_lists_the_largest_index_first():
    """CE's equity is 3 x reply_trust: that parameter comes first."""
    table = views.sensitivity_table(_synthetic(points=64), "consistent_engagement: equity")
    assert list(table["parameter"]) == ["behavior.reply_trust", "market.no_relationship"]
    assert table["value"].iloc[0] > 0.8 > table["value"].iloc[1]


def _line(text: str, start: str) -> int:
    """The number of the first line of ``text`` that starts with ``start``."""
    return 1 + next(i for i, row in enumerate(text.splitlines()) if row.startswith(start))


@pytest.mark.parametrize("method", ["sobol", "saltelli"])
def test_a_sobol_or_saltelli_size_that_is_no_power_of_2_is_refused(method, tmp_path):
    text = textwrap.dedent(_sampled(f'method = "{method}"\npoints = 6'))
    experiment = _experiment(text)
    with pytest.raises(
        ScenarioError, match="design.points: .*power of 2.*got 6; use 4 or 8"
    ) as info:
        Sweep(experiment, tmp_path / "s")
    assert not (tmp_path / "s").exists()
    assert (info.value.file, info.value.line) == ("tiny.toml", _line(text, "points = 6"))


def test_an_invalid_design_point_is_refused_before_anything_is_written(tmp_path):
    """Content shares all 0 at one point: named with its values, the file and the line of the
    parameters before the sweep says it runs and before its directory is made."""
    shares = "\n".join(f'"strategy.content_mix.{kind}" = 0' for kind in ("value", "story", "promo"))
    text = TINY.replace("[design]", f"[fixed]\n{shares}\n[design]").replace(
        '"behavior.reply_trust" = { values = [0.1, 0.5] }',
        '"strategy.content_mix.conversation" = { values = [0.5, 0] }',
    )
    with pytest.raises(
        ScenarioError, match=r"point 2 \(strategy.content_mix.conversation = 0, "
    ) as info:
        Sweep(_experiment(text), tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert "content_mix" in info.value.message.split(": ", 1)[1]
    assert "errors.pydantic.dev" not in info.value.message, info.value.message
    text = textwrap.dedent(text)
    assert (info.value.file, info.value.line) == ("tiny.toml", _line(text, "[parameters]"))
    from typer.testing import CliRunner

    from sim.cli import app

    experiment = tmp_path / "points.toml"
    experiment.write_text(text)
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(tmp_path / "never")])
    assert result.exit_code == 2 and "points.toml: parameters: design point 2" in result.stderr
    assert "running" not in result.stderr and not (tmp_path / "never").exists()


def test_a_malformed_scheduler_address_is_refused_before_the_sweep_starts(tmp_path):
    from typer.testing import CliRunner

    from experiments.executors import scheduler_problem
    from sim.cli import app

    for address in ("garbage", "tcp://host", "tcp://:8786", "tcp://h:port", "tpc://h:8786"):
        args = ["sweep", "smoke", "--scheduler", address, "--out", str(tmp_path / "s")]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2 and "Invalid value for '--scheduler'" in result.output
        assert "Sweep" not in result.stderr and not (tmp_path / "s").exists()
    assert "did you mean 'tcp'" in scheduler_problem("tpc://h:8786")
    for address in ("tcp://127.0.0.1:1", "127.0.0.1:8786", "tcp://[::1]:8786", "tls://h:1"):
        assert scheduler_problem(address) is None  # well formed; unreachable is found later


def test_a_scheduler_port_must_be_from_1_to_65535():
    from experiments.executors import scheduler_problem

    for port in (0, 65536):
        assert scheduler_problem(f"tcp://h:{port}") == (
            f"the port must be from 1 to 65535, not {port}"
        )
    assert scheduler_problem("tcp://h:65535") is None


def test_a_sweeps_manifest_records_the_files_read(tmp_path):
    import hashlib

    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY))
    Sweep(_experiment(), tmp_path / "s", inputs=[experiment])
    (recorded,) = load_manifest(tmp_path / "s")["inputs"]
    assert recorded["path"] == str(experiment.resolve())
    assert recorded["sha256"] == hashlib.sha256(experiment.read_bytes()).hexdigest()


def test_a_sweep_from_python_records_the_files_its_experiment_was_loaded_from(tmp_path):
    """As ``longgame sweep`` does: the experiment file and the strategy file it names."""
    mine = tmp_path / "mine.toml"
    mine.write_text('preset = "broadcasting"\nname = "broadcasting"\nreply_rate = 0.2\n')
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY).replace('"broadcasting"]', '"mine.toml"]', 1))
    loaded = load_experiment(experiment)
    assert loaded.strategies[-1].reply_rate == 0.2
    assert loaded.inputs == [experiment.resolve(), mine.resolve()]
    Sweep(loaded, tmp_path / "s")
    recorded = [item["path"] for item in load_manifest(tmp_path / "s")["inputs"]]
    assert recorded == [str(experiment.resolve()), str(mine.resolve())]
    assert _experiment().inputs == []  # from text naming shipped presets only


def test_analyze_prints_a_comparison_never_evaluated_as_json_and_as_a_table(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import experiments.analysis
    from sim.cli import app

    data = _comparing(_synthetic(points=8), "break_even_day")
    data.results["break_even_day"] = np.nan
    monkeypatch.setattr(experiments.analysis, "load_sweep", lambda directory: data)
    args = ["analyze", str(tmp_path), "--out", str(tmp_path / "analysis")]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["comparisons"][0]["share_holds"] is None
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and "could not be evaluated" in result.stdout
    assert "nan" not in result.stdout


def test_analyze_refuses_an_out_holding_files_it_did_not_write(tiny_sweep, tmp_path):
    """As compare, run and sweep do: a user's own summary.csv, or a run's results, are not
    replaced; an earlier analysis is."""
    from typer.testing import CliRunner

    from sim.cli import app
    from sim.output import write_results

    runner = CliRunner()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "summary.csv").write_text("my precious data\n")
    ran = tmp_path / "ran"
    write_results(make_metrics(seeds=1, days=2), ran)
    held = {path: path.read_bytes() for folder in (mine, ran) for path in folder.iterdir()}
    for out in (mine, ran):
        result = runner.invoke(app, ["analyze", str(tiny_sweep), "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "holds other files (summary.csv)" in result.stderr
        assert "choose another output directory (--out)" in result.stderr
    assert {path: path.read_bytes() for path in held} == held
    assert not (mine / "report.md").exists() and not (ran / "report.md").exists()
    again = tmp_path / "again"
    for _ in range(2):
        result = runner.invoke(app, ["analyze", str(tiny_sweep), "--out", str(again)])
        assert result.exit_code == 0, result.output


def test_a_misspelt_experiment_or_a_comparison_says_what_to_give():
    from sim.loading import shipped_dir

    with pytest.raises(ScenarioError) as error:
        load_experiment("smok")
    assert str(error.value) == (
        "unknown experiment 'smok' (did you mean 'smoke'?); shipped experiments are: "
        "content, robustness, smoke (or give a file path)"
    )
    for ref in ("quick", "comparisons/quick"):  # as compare takes it, with its folder or not
        with pytest.raises(ScenarioError, match=f"'{ref}' is a shipped comparison, not an exp"):
            load_experiment(ref)
    assert load_experiment("experiments/smoke") == load_experiment("smoke")
    with pytest.raises(ScenarioError, match="file not found"):
        load_experiment("elsewhere/smoke")
    with pytest.raises(ScenarioError) as error:
        load_experiment(shipped_dir() / "comparisons" / "quick.toml")
    assert str(error.value) == (
        "scenarios/comparisons/quick.toml: this is a comparison file, not an experiment (it has "
        "no [parameters] to vary); run it alone with 'longgame compare'"
    )
    with pytest.raises(ScenarioError, match="parameters: a required key is missing"):
        _experiment(TINY.split("[parameters]")[0])  # an experiment that forgot its parameters


def test_resume_with_nothing_to_resume_is_refused(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    nothing = tmp_path / "typo"
    with pytest.raises(ScenarioError, match="nothing to resume in .*typo.*without --resume"):
        Sweep(_experiment(), nothing, resume=True)
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(textwrap.dedent(TINY))
    args = ["sweep", str(experiment), "--out", str(nothing), "--resume"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "nothing to resume" in result.stderr
    assert "running" not in result.stderr and not nothing.exists()


def test_an_unfinished_sweeps_report_counts_points_by_their_seeds(tmp_path):
    data = _synthetic(points=8, seeds=2)
    data.results = data.results[data.results["run"] != 5]  # point 2 has one of its two seeds
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    assert "runs analysed: 15 of 16 (8 parameter points: 7 with 2 seeds, 1 with 1 seed)" in text
    data = _synthetic(points=8, seeds=2)
    text = write_report(data, tmp_path, figures=False)["markdown"].read_text()
    assert "runs analysed: 16 of 16 (8 parameter points x 2 seeds)" in text


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ('[fixed]\n"strategy.boost_rule" = "promo"\n', "fixed.strategy.boost_rule"),
        ('[fixed]\n"strategy.adaptive" = true\n', "fixed.strategy.adaptive"),
    ],
)
def test_a_word_or_a_switch_is_set_in_the_strategies_not_swept(table, field):
    """Only numbers are fixed or varied: the error says where a choice goes instead."""
    with pytest.raises(ScenarioError) as error:
        _experiment(table + TINY)
    message = str(error.value)
    assert field in message and "only numbers can be fixed or varied" in message
    assert "in the strategies compared instead, e.g. strategies = [{ preset =" in message
    values = TINY.replace("{ values = [0.1, 0.5] }", '{ values = ["promo"] }')
    with pytest.raises(ScenarioError, match='reply_trust.values: "promo": only numbers'):
        _experiment(values)


def test_points_for_a_grid_are_refused():
    with pytest.raises(ScenarioError, match="points is for sampled designs"):
        _experiment(TINY.replace('method = "grid"', 'method = "grid"\npoints = 4'))


def test_levels_outside_morris_are_refused():
    sampled = TINY.replace('method = "grid"', 'method = "lhs"\nlevels = 4').replace(
        "{ values = [0.1, 0.5] }", "{ low = 0.1, high = 0.5 }"
    )
    sampled = sampled.replace("{ values = [0.05, 0.4] }", "{ low = 0.05, high = 0.4 }")
    with pytest.raises(ScenarioError, match="levels is for morris designs; lhs has none"):
        _experiment(sampled)
    with pytest.raises(ScenarioError, match="design.method") as error:  # the method's own error
        _experiment(sampled.replace('method = "lhs"', 'method = "lsh"'))
    assert "levels" not in str(error.value)


def test_grid_values_that_would_not_run_as_written_are_refused():
    """A fractional value of a whole-number parameter ran rounded, and a repeated value ran
    twice and counted twice."""
    check_day = '"strategy.quit_rule.check_day" = { values = [10.5, 30] }\n'
    with pytest.raises(ScenarioError, match="10.5 is not a whole number") as error:
        _experiment(TINY.replace("[parameters]\n", "[parameters]\n" + check_day))
    assert error.value.line == 15
    repeated = TINY.replace("{ values = [0.1, 0.5] }", "{ values = [0.1, 0.5, 0.1] }")
    with pytest.raises(ScenarioError, match="values repeat 0.1: give each value once"):
        _experiment(repeated)
    close = TINY.replace("{ values = [0.1, 0.5] }", "{ values = [0.1234561, 0.1234562] }")
    assert _experiment(close).parameters  # distinct, though alike in six digits


def test_a_misspelt_table_is_named_before_the_key_it_leaves_missing():
    with pytest.raises(ScenarioError) as error:
        _experiment(TINY.replace("[parameters]", "[parameter]"))
    assert "parameter: unknown key (did you mean 'parameters'?)" in str(error.value)
    assert error.value.line == 14


def test_a_parameter_both_fixed_and_varied_is_reported_on_its_varied_line():
    fixed = TINY.replace("[design]", '[fixed]\n"behavior.reply_trust" = 0.3\n\n[design]')
    with pytest.raises(ScenarioError, match=r"as fixed.behavior.reply_trust \(line 12\)") as error:
        _experiment(fixed)
    assert error.value.line == 18
    below = TINY + "\n[fixed.behavior]\nreply_trust = 0.3\n"  # a sub-table, after the varied key
    with pytest.raises(ScenarioError, match=r"as fixed.behavior.reply_trust \(line 33\)") as error:
        _experiment(below)
    assert error.value.line == 15


def test_fixed_values_that_leave_the_brand_more_followers_than_people_are_refused():
    fixed = TINY.replace("[design]", '[fixed]\n"audience.graph.people" = 20\n\n[design]')
    with pytest.raises(ScenarioError, match="with the fixed values, brand Acme") as error:
        _experiment(fixed)
    assert "more day-0 followers than the whole market: 20 simulated people" in str(error.value)


def test_values_and_a_range_together_are_refused():
    both = TINY.replace("{ values = [0.1, 0.5] }", "{ values = [0.1, 0.5], low = 0.2 }")
    with pytest.raises(ScenarioError, match="give values = \\[...\\] or low and high, not both"):
        _experiment(both)


@pytest.mark.parametrize(
    ("table", "advice"),
    [
        ('[fixed]\n"market.price" = "60"\n', "write it as a number, without quotes: 60"),
        (
            '[fixed]\n"audience.graph.kind" = "sbm"\n',
            'set kind = "sbm" in [scenario.audience.graph]',
        ),
    ],
)
def test_a_quoted_number_or_a_scenario_choice_gets_its_own_advice(table, advice):
    """The strategies are named only for a strategy's setting."""
    with pytest.raises(ScenarioError) as error:
        _experiment(table + TINY)
    assert advice in str(error.value) and "strategies compared" not in str(error.value)


def test_a_missing_bound_is_the_plausible_one_where_the_schema_gives_it():
    """`{}` varies a parameter over its realistic values (a boost budget of 0 to 500 a week, not
    the accepted 0 to 1,000,000); a bound given outside that range keeps the accepted other."""
    ranges = """
        "behavior.reply_trust" = {}
        market.no_relationship = { low = 0.9 }
        "strategy.boost_budget" = {}
    """
    text = _sampled('method = "lhs"').split("[parameters]")
    text[1] = ranges + text[1].split("\n", 3)[3]
    experiment = _experiment("[parameters]".join(text))
    assert {p.path: (p.low, p.high) for p in experiment.resolved_parameters()} == {
        "behavior.reply_trust": (0.05, 0.6),
        "market.no_relationship": (0.9, 1.0),
        "strategy.boost_budget": (0.0, 500.0),
    }


def test_a_sweep_directory_that_does_not_exist_is_named_so(tmp_path):
    from sim.output import OutputError

    with pytest.raises(OutputError, match="does not exist; give a directory written by"):
        load_manifest(tmp_path / "nowhere")
    with pytest.raises(OutputError, match=r"is not a sweep directory \(no manifest.json\)"):
        load_manifest(tmp_path)


def test_a_strategy_on_another_main_platform_is_paired_with_its_own_baseline(tmp_path):
    """As in ``longgame compare``: the no-social run a sweep pairs a strategy with is the one of
    its own main platform, so its incremental profit is what the strategy alone gets."""
    text = TINY.replace("followers = 300.0", "followers = 1500.0").replace("days = 15", "days = 90")
    text = text.replace(
        '["consistent_engagement", "broadcasting"]',
        '["consistent_engagement", { preset = "broadcasting", platforms = ["instagram"] }]',
    ).replace('platforms = ["facebook"]', 'platforms = ["facebook", "instagram"]')
    experiment = _experiment(text.replace('"break_even_day", ', '"incremental_profit", '))
    sweep = Sweep(experiment, tmp_path / "s")
    task = sweep.task(sweep.runs[0])
    alone = simulate(task.scenario_of(experiment.strategies[1]), task.seed)
    rows = _first_run_rows(experiment, tmp_path / "again")
    assert rows.at["broadcasting", "incremental_profit"] == alone["incremental_profit"].iloc[-1]
