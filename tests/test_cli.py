"""The longgame command line: presets, errors with exit code 2, run and compare, result files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import make_metrics
from typer.testing import CliRunner

from sim.cli import app
from sim.loading import load_scenario
from sim.output import OutputError, write_results
from sim.runner import run_seeds

ROOT = Path(__file__).resolve().parent.parent
TINY_SCENARIO = """\
name = "tiny"
days = 6
audience = "small"
platforms = ["facebook"]

[[brands]]
name = "Acme"
strategy = "consistent_engagement"
"""


HELP_DEFAULTS = {
    "run": [("Output directory", "out/<scenario name>"), ("Horizon in days", "the scenario's")],
    "compare": [
        ("Seeds per strategy", "the comparison file's, else 5"),
        ("Horizon in days", "the scenario's"),
    ],
    "sweep": [
        ("Sweep directory", "out/sweeps/<experiment name>"),
        ("Worker processes", "every core"),
    ],
    "analyze": [("Report directory", "DIRECTORY/analysis")],
}
"""Help texts whose defaults are written out (the option's own words, then the default)."""


def _unboxed(text: str) -> str:
    """Rich output as plain words: box-drawing characters and line wrapping removed."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_presets_lists_strategies_with_descriptions():
    from sim.loading import list_presets

    result = invoke("presets")
    assert result.exit_code == 0, result.output
    for kind in ("strategy", "audience", "platform"):
        for name, _ in list_presets(kind):
            assert name in result.stdout
    assert "consistent_engagement" in result.stdout
    assert "Sweep experiments" in result.stdout and "robustness" in result.stdout
    listed = json.loads(invoke("presets", "--json").stdout)
    assert {"strategy", "comparison", "experiment"} <= set(listed)
    smoke = next(item for item in listed["experiment"] if item["name"] == "smoke")
    assert smoke["description"].startswith("Tiny sweep")


@pytest.mark.parametrize("name", ["run", "compare", "sweep", "analyze", "validate"])
def test_help_shows_every_default_and_wraps_prose(name):
    """Help text is prose: Rich would swallow '[default: ...]' as markup and keep docstring
    line breaks mid-sentence."""
    registered = {info.name or info.callback.__name__: info for info in app.registered_commands}
    paragraphs = registered[name].help.split("\n\n")
    assert all("\n" not in paragraph for paragraph in paragraphs)
    result = invoke(name, "--help")
    assert result.exit_code == 0
    text = _unboxed(result.output)
    for option, default in HELP_DEFAULTS.get(name, ()):
        assert f"{option} (default: {default})" in text


@pytest.mark.parametrize("name", ["", "presets", "run", "compare", "app", "sweep", "analyze"])
def test_help_shows_flags_without_a_value_and_arguments_in_capitals(name):
    """A flag takes no value, so the help shows none (typer would write <bool>); the usage line
    names arguments as click does: TARGETS..., SCENARIO."""
    result = invoke(*[name] if name else [], "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "{" not in result.output
    usage = {"run": "SCENARIO", "compare": "TARGETS...", "sweep": "EXPERIMENT"}
    usage |= {"analyze": "DIRECTORY", "": "COMMAND [ARGS]..."}
    expected = f"Usage: longgame {name} [OPTIONS] {usage.get(name, '')}"
    assert " ".join(expected.split()) in " ".join(result.output.split())


def test_option_values_out_of_range_are_explained_in_the_projects_words():
    for args, expected in (
        (("run", "base", "--seeds", "0"), "'--seeds': must be between 1 and 1000 (at least 1)"),
        (("compare", "quick", "--days", "40000"), "must be between 1 and 36500 (at most 36500)"),
        (("run", "base", "--seed", "-1"), "'--seed': must be at least 0"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2
        assert expected in _unboxed(result.output) and "Input should" not in result.output


def test_bad_scenario_file_exits_2_naming_file_and_field(tmp_path):
    bad = tmp_path / "bad_scenario.toml"
    bad.write_text('name = "bad"\ndays = -3\n')
    result = invoke("run", str(bad))
    assert result.exit_code == 2
    assert "bad_scenario.toml" in result.stderr
    assert "days" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


@pytest.mark.parametrize("seeds", [1, 3])
def test_outcome_table_gives_an_interval_only_from_two_seeds_on(seeds):
    from sim import summary
    from sim.tables import final_cells

    _, rows = final_cells(summary.final_outcomes(make_metrics(seeds=seeds)))
    with_interval = [cell for cells in rows for cell in cells[:-1] if "[" in cell]
    assert (len(with_interval) > 0) == (seeds > 1)


@pytest.mark.parametrize(
    ("width", "strategies", "layout"),
    [(1000, 12, "wide"), (110, 2, "transposed"), (110, 12, "split"), (60, 12, "split")],
)
def test_outcome_tables_fit_the_terminal_without_cutting_a_cell(width, strategies, layout):
    """A terminal too narrow for a row per strategy gets a row per outcome, or the outcomes
    split over several tables; no cell is cut short, and every outcome and strategy shows."""
    from rich.console import Console

    from sim import summary
    from sim.tables import TABLE_OUTCOMES, final_tables

    names = {f"strategy_number_{index}": 1.0 + index for index in range(strategies)}
    final = summary.final_outcomes(make_metrics(names, seeds=3))
    console = Console(width=width, record=True, force_terminal=True)
    tables = final_tables(final, "title", console)
    for table in tables:
        console.print(table)
    text = console.export_text()
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    assert (len(tables) > 1) == (layout == "split")
    assert (tables[0].columns[0].header == "outcome") == (layout == "transposed")
    for name in (*TABLE_OUTCOMES, "break_even_day", *names):
        assert name in text


def test_run_of_a_comparison_points_to_compare():
    result = invoke("run", "default", "--seeds", "1")
    assert result.exit_code == 2
    assert (
        "comparison file, not a scenario" in result.output and "longgame compare" in result.output
    )


def test_bad_strategy_file_in_compare_exits_2(tmp_path):
    bad = tmp_path / "eager.toml"
    bad.write_text('name = "eager"\nreply_rate = 2.0\n')
    result = invoke("compare", str(bad), "consistent_engagement")
    assert result.exit_code == 2
    assert "eager.toml" in result.stderr and "reply_rate" in result.stderr


def test_compare_against_a_strategy_not_compared_exits_2_before_running(tmp_path):
    out = tmp_path / "never"
    result = invoke(
        "compare", "broadcasting", "storytelling", "--against", "storyteling", "--out", str(out)
    )
    assert result.exit_code == 2
    assert "did you mean 'storytelling'?" in _unboxed(result.stderr)
    assert not (out / "metrics.csv").exists()


@pytest.mark.parametrize("seeds", [1, 4])
def test_paired_cells_name_where_a_strategy_is_clearly_higher_or_lower(seeds):
    """'steady' grows twice as fast as 'flat' in every column: against 'steady', 'flat' is
    clearly lower everywhere from two seeds on; one seed gives no interval and no verdict."""
    from sim import summary
    from sim.tables import paired_cells

    paired = summary.paired_with(make_metrics(seeds=seeds), "steady")
    labels, rows = paired_cells(paired)
    assert labels == ["flat"]
    verdict = rows[0][-1]
    if seeds == 1:
        assert verdict == "one seed: no interval" and "[" not in rows[0][0]
    else:
        assert verdict == "lower: followers, equity, revenue, incremental_profit"
        assert rows[0][0].startswith("-") and "[" in rows[0][0]


def test_a_paired_verdict_needs_the_whole_interval_on_one_side_of_0():
    """An interval that straddles 0, or touches it, is no clear difference; only one wholly
    below 0 is 'lower' and only one wholly above 'higher'."""
    import pandas as pd

    from sim.summary import PAIRED_OUTCOMES
    from sim.tables import paired_cells, paired_frame

    cases = {
        "straddles": (0.5, -1.0, 2.0),
        "touches": (0.0, 0.0, 0.0),
        "below": (-2.0, -3.0, -1.0),
        "above": (2.0, 1.0, 3.0),
    }
    paired = pd.DataFrame(
        [
            {"strategy": name, "seeds": 3}
            | {
                f"{outcome}_{stat}": value
                for outcome in PAIRED_OUTCOMES
                for stat, value in zip(("mean", "lo", "hi"), interval, strict=True)
            }
            for name, interval in cases.items()
        ]
    )
    every = ", ".join(PAIRED_OUTCOMES)
    verdicts = [cells[-1] for cells in paired_cells(paired)[1]]
    assert verdicts == [
        "no clear difference",
        "no clear difference",
        f"lower: {every}",
        f"higher: {every}",
    ]
    assert paired_frame("steady", paired)["verdict"].tolist() == verdicts


def test_an_empty_file_runs_the_defaults_and_says_so(tmp_path):
    empty = tmp_path / "saved_wrong.toml"
    empty.write_text("# nothing yet\n")
    out = tmp_path / "out"
    args = ("--days", "2", "--seeds", "1", "--out", str(out))
    result = invoke("compare", str(empty), "broadcasting", *args)
    assert result.exit_code == 0, result.output
    assert "saved_wrong.toml sets nothing: every value is the default" in _unboxed(result.stderr)
    result = invoke("compare", "consistent_engagement", "broadcasting", *args)
    assert "sets nothing" not in result.stderr
    assert (  # two days: nobody has commented yet
        "nobody commented on consistent_engagement, broadcasting in any run, so replies had "
        "nothing to act on there" in _unboxed(result.stderr)
    )


def test_compare_notes_what_its_results_rest_on(tmp_path):
    """A market smaller than the claims were checked on, uncalibrated paid reach, and weekly
    hours that are a budget (cost counts the hours used, so a budget that never binds would
    read as hours spent)."""
    out = ("--audience", "small", "--days", "20", "--seeds", "1", "--out", str(tmp_path / "o"))
    result = invoke("compare", "consistent_engagement", "over_following", "paid_first", *out)
    assert result.exit_code == 0, result.output
    note = _unboxed(result.stderr)
    assert "note: an audience of 2,000 simulated people (20,000 real): the headline claims" in note
    assert "the value of the paid reach bought by paid_first is not calibrated" in note
    idle = re.search(r"used a week while active: (.*?) \(docs/model.md, Strategy\)", note)
    assert idle, note
    used = re.fullmatch(r"consistent_engagement ([\d.]+) of 12, paid_first [\d.]+ of 12", idle[1])
    assert used and 2 < float(used[1]) < 0.9 * 12, idle[1]  # over_following uses all of its
    base = ("--days", "2", "--seeds", "1", "--out", str(tmp_path / "b"))
    result = invoke("compare", "consistent_engagement", *base)
    assert "note: an audience" not in _unboxed(result.stderr)  # the base scenario's is checked


def test_compare_of_a_strategy_on_another_platform_says_how(tmp_path):
    """The base scenario has no TikTok: the error says to give a comparison file that has."""
    elsewhere = tmp_path / "tt.toml"
    elsewhere.write_text('name = "tt"\nplatforms = ["tiktok"]\n')
    result = invoke("compare", str(elsewhere), "broadcasting")
    assert result.exit_code == 2
    assert "['tiktok'] not in the scenario" in _unboxed(result.stderr)
    assert "give a comparison file whose scenario lists them" in _unboxed(result.stderr)


def test_compare_of_one_strategy_twice_exits_2():
    """On the command line, the advice is what one can do there: no TOML, no class names."""
    result = invoke("compare", "broadcasting", "broadcasting", "--days", "5", "--seeds", "1")
    assert result.exit_code == 2
    assert "repeated: broadcasting" in result.stderr and "Value error" not in result.stderr
    assert "give each strategy once" in result.stderr and "comparison file" in result.stderr
    assert "Comparison:" not in result.stderr and "preset =" not in result.stderr


def test_a_value_given_to_a_flag_is_named_as_such():
    result = invoke("compare", "quick", "--json", "true")
    assert result.exit_code == 2
    assert "'true' is not a strategy: a flag takes no value" in result.stderr
    assert "shipped comparison" not in result.stderr


def test_a_bad_out_directory_is_refused_before_any_run(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for args in (("compare", "broadcasting"), ("run", "base", "--seeds", "1")):
        result = invoke(*args, "--out", str(blocker))
        assert result.exit_code == 2 and "a_file" in result.stderr
        assert "Comparing" not in result.stderr and "Running" not in result.stderr


def test_option_and_strategy_errors_name_what_to_change(tmp_path):
    result = invoke("compare", "broadcasting", "--days", "40000")
    assert result.exit_code == 2 and "--days" in result.output and "36500" in result.output
    result = invoke("compare", "broadcasting", "--graph", "email", "--direction", "follow")
    assert result.exit_code == 2 and "did you mean 'follows'" in result.output
    wide = tmp_path / "wide.toml"
    wide.write_text('name = "wide"\nplatforms = ["facebook", "tiktok"]\n')
    result = invoke("compare", str(wide), "broadcasting", "--days", "5")
    assert result.exit_code == 2 and "wide.toml" in result.stderr and "tiktok" in result.stderr
    assert "Comparing" not in result.stderr


def test_a_directory_given_as_a_file_or_a_file_as_a_directory_is_named_as_such(tmp_path):
    folder = tmp_path / "mine.toml"
    folder.mkdir()
    a_file = tmp_path / "afile"
    a_file.write_text("")
    for args, expected in (
        (("compare", str(folder)), f"{folder}: is a directory, not a file"),
        (("compare", "broadcasting", "--graph", str(folder)), "is a directory, not a file"),
        (("sweep", str(folder)), f"{folder}: is a directory, not a file"),
        (("analyze", str(a_file)), f"{a_file} is a file, not a sweep directory"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2 and expected in _unboxed(result.stderr), result.output


def test_the_first_run_says_it_compiles(tmp_path, monkeypatch):
    from sim.engines import kernels

    assert kernels.compiled()  # the suite's earlier runs filled the cache
    monkeypatch.setattr(kernels, "compiled", lambda: False)
    args = ("compare", "broadcasting", "storytelling", "--audience", "small", "--days", "2")
    result = invoke(*args, "--seeds", "1", "--out", str(tmp_path))
    assert result.exit_code == 0 and "compiling the model's kernels" in result.stderr


def test_progress_bars_name_what_runs_and_count_runs(tmp_path, progress_bars):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO)
    result = invoke("run", str(scenario), "--seeds", "1", "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    args = ("compare", "broadcasting", "storytelling", "--audience", "small", "--days", "2")
    result = invoke(*args, "--seeds", "1", "--out", str(tmp_path / "compare"))
    assert result.exit_code == 0, result.output
    assert progress_bars == [("tiny", "runs"), ("broadcasting vs storytelling", "runs")]


def test_app_refuses_a_port_in_use():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = invoke("app", "--port", str(taken.getsockname()[1]))
    assert result.exit_code == 2 and "try --port" in result.stderr


def test_option_errors_exit_2():
    result = invoke("compare", "consistent_engagement", "--direction", "flows")
    assert result.exit_code == 2
    assert "--direction needs --graph" in result.stderr
    result = invoke("compare", "consistent_engagement", "--graph", "no_such_graph.txt")
    assert result.exit_code == 2
    assert "no_such_graph.txt" in result.stderr
    result = invoke("compare", "no_such_strategy")
    assert result.exit_code == 2
    assert "no_such_strategy" in result.stderr
    result = invoke("run", "base", "--engine", "vectr")
    assert result.exit_code == 2
    assert "did you mean 'vector'?" in _unboxed(result.stderr)


def test_write_results_files_and_manifest(tmp_path):
    df = make_metrics(seeds=2, days=3)
    paths = write_results(df, tmp_path / "out", engine="vector", command=["longgame", "x"])
    assert "chart" not in paths  # a figure only when given
    assert pd.read_parquet(paths["parquet"]).shape == df.shape
    assert len(pd.read_csv(paths["csv"])) == len(df)
    manifest = json.loads(paths["manifest"].read_text())
    assert manifest["seeds"] == [42, 43]
    assert manifest["command"] == "longgame x"
    assert manifest["strategies"] == ["steady", "flat"]
    assert {"python", "numpy", "mesa"} <= set(manifest["versions"])
    summary = pd.read_csv(paths["summary"])
    assert list(summary["strategy"]) == ["steady", "flat"] and "equity_lo" in summary
    assert set(manifest["sha256"]) == {"metrics.parquet", "metrics.csv", "summary.csv"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "manifest.json",
        "metrics.csv",
        "metrics.parquet",
        "summary.csv",
    ]  # no temporary files left


@pytest.mark.parametrize("held", ["sweep", "user_file"])
def test_results_replace_only_earlier_results(tmp_path, held):
    """A run's or comparison's --out may hold earlier results, never a sweep or a user's own
    file of the same name: those are refused before anything is written."""
    out = tmp_path / "out"
    out.mkdir()
    if held == "sweep":
        (out / "manifest.json").write_text('{"package": "longgame", "kind": "sweep"}')
    else:
        (out / "metrics.csv").write_text("my,own\n1,2\n")
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    with pytest.raises(OutputError, match=r"choose another output directory \(--out\)") as error:
        write_results(make_metrics(seeds=1, days=2), out)
    assert ("a sweep" in str(error.value)) == (held == "sweep")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    result = invoke("compare", "broadcasting", "storytelling", "--out", str(out))
    assert result.exit_code == 2 and "choose another output directory (--out)" in _unboxed(
        result.stderr
    )
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    write_results(make_metrics(seeds=1, days=2), tmp_path / "again")
    write_results(make_metrics(seeds=2, days=2), tmp_path / "again")  # earlier results: replaced


def test_write_results_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(OutputError, match="file"):
        write_results(make_metrics(seeds=1, days=2), blocker / "out")
    if os.geteuid() != 0:  # root ignores permissions
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OutputError, match="permission denied"):
            write_results(make_metrics(seeds=1, days=2), locked)


def test_run_on_two_workers_writes_metrics_and_manifest(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO)
    out = tmp_path / "run"
    result = invoke("run", str(scenario), "--seeds", "2", "--workers", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert sorted(metrics["seed"].unique()) == [42, 43]
    serial = run_seeds(load_scenario(scenario), 2, workers=1)
    pd.testing.assert_frame_equal(metrics[serial.columns], serial, check_dtype=False)
    assert metrics["day"].nunique() == 6
    assert len(pd.read_csv(out / "metrics.csv")) == len(metrics)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["name"] == "tiny"
    assert manifest["engine"] == "vector"
    assert "Acme" in result.stdout
    assert (out / "trajectories.png").stat().st_size > 0 and (out / "summary.csv").is_file()
    beside = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in out.iterdir()
        if path.name != "manifest.json"
    }
    assert manifest["sha256"] == beside  # every file beside it, the chart's PNG and SVG too


def test_run_json_on_stdout(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO)
    out = tmp_path / "run"
    result = invoke("run", str(scenario), "--seeds", "1", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [item["brand"] for item in payload["results"]] == ["Acme"]
    assert payload["made_by"]["scenario"] == "tiny" and payload["made_by"]["seeds"] == [42]


def test_compare_json_on_stdout_only(tmp_path):
    out = tmp_path / "quick"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "compare",
        str(ROOT / "scenarios/comparisons/quick.toml"),
    ]
    command += ["--days", "8", "--seeds", "2", "--out", str(out), "--json"]
    command += ["--against", "consistent_engagement"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)  # the whole of stdout is one JSON document
    assert payload["days"] == 8 and payload["seeds"] == 2
    strategies = [item["strategy"] for item in payload["results"]]
    assert strategies == ["consistent_engagement", "broadcasting", "over_following"]
    assert set(payload["results"][0]["final"]["equity"]) == {"mean", "lo", "hi"}
    against = payload["against"]
    assert against["strategy"] == "consistent_engagement"
    assert [item["strategy"] for item in against["results"]] == strategies[1:]
    assert set(against["results"][0]["difference"]) == {
        "followers",
        "equity",
        "revenue",
        "incremental_profit",
    }
    made_by = payload["made_by"]
    assert made_by["engine"] == "vector" and made_by["seeds"] == [42, 43]
    assert made_by["version"] and made_by["source_digest"] and made_by["comparison"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source_digest"] == made_by["source_digest"]
    assert {"numba", "scipy", "networkx"} <= set(manifest["versions"])
    for name in (
        "metrics.parquet",
        "metrics.csv",
        "summary.csv",
        "manifest.json",
        "trajectories.png",
        "trajectories.svg",
    ):
        assert (out / name).is_file()
    assert "trajectories.png" in done.stderr
    # The data file and the figures say what made them, even when copied out of the directory.
    import pyarrow.parquet as pq
    from PIL import Image

    recorded = json.loads(pq.read_schema(out / "metrics.parquet").metadata[b"longgame"])
    assert recorded["engine"] == "vector" and recorded["seeds"] == [42, 43]
    assert recorded["scenario"] == manifest["scenario"]
    assert recorded["source_digest"] == manifest["source_digest"]
    described = Image.open(out / "trajectories.png").text["Description"]
    assert described.startswith("made by ") and '"seeds": [42, 43]' in described
    assert described.split("made by ")[1] in (out / "trajectories.svg").read_text()


def test_compare_strategies_on_a_real_graph(tmp_path):
    out = tmp_path / "graph"
    result = invoke(
        "compare", "consistent_engagement", "broadcasting", "--graph", "twitter_ego_12831.edges",
        "--days", "4", "--seeds", "1", "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    audience = manifest["scenario"]["scenario"]["audience"]
    graph = audience["graph"]
    assert graph["kind"] == "edgelist" and graph["direction"] == "follows"
    assert (audience["name"], graph["people"]) == ("twitter_ego_12831", 236)  # what ran
    assert "consistent_engagement" in result.stdout and "break_even_day" in result.stdout
    brand = manifest["scenario"]["scenario"]["brands"][0]  # 5% of 236 people, as on 20,000
    assert brand["initial"]["followers"] == 12 * manifest["scenario"]["scenario"]["market"]["scale"]


def test_the_manifest_records_each_file_read_with_its_size_and_sha256(tmp_path):
    """The files a result was made from, outside the shipped presets (which the source digest
    covers): strategy and scenario files and the edge list, each with its size and SHA-256."""
    import hashlib

    from sim.audience.edgelist import GRAPHS_DIR, files_of

    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n2 3\n3 0\n0 2\n4 0\n")
    mine = tmp_path / "mine.toml"
    mine.write_text('preset = "broadcasting"\nreply_rate = 0.4\n')
    out = tmp_path / "out"
    args = ("--graph", str(edges), "--days", "2", "--seeds", "1", "--out", str(out))
    result = invoke("compare", str(mine), "consistent_engagement", *args)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["inputs"] == [
        {
            "path": str(path.resolve()),
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        for path in (mine, edges)
    ]
    assert {"scenario", "sha256", "seeds", "command"} <= set(manifest)  # kept beside them
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO.replace('"consistent_engagement"', '"mine.toml"'))
    result = invoke("run", str(scenario), "--seeds", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    inputs = json.loads((out / "manifest.json").read_text())["inputs"]
    assert [item["path"] for item in inputs] == [str(scenario.resolve()), str(mine.resolve())]
    beside = files_of(GRAPHS_DIR / "email-Eu-core.txt.gz")  # the graph and its labels file
    assert [path.name for path in beside] == [
        "email-Eu-core.txt.gz",
        "email-Eu-core-department-labels.txt.gz",
    ]


def test_a_file_read_twice_is_one_input(tmp_path):
    """A strategy file two brands use, named two ways, is one input of the manifest."""
    from sim.output import input_files

    (tmp_path / "sub").mkdir()
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\n')
    found = input_files([mine, tmp_path / "sub" / ".." / "mine.toml", str(mine)])
    assert [item["path"] for item in found] == [str(mine.resolve())]


BAD_FILES = {
    "syntax": ('name = "broken\n', "line 1"),
    "unknown_key": ('name = "x"\ncolour = "blue"\n', "colour"),
    "wrong_type": ('name = "x"\ndays = "ten"\n', "days"),
    "out_of_range": ('name = "x"\n[market]\nmargin = 1.5\n', "market.margin"),
    "missing_graph": (
        'name = "x"\n[audience.graph]\nkind = "edgelist"\npath = "gone.txt"\n',
        "audience.graph.path",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_each_kind_of_bad_scenario_file_gives_one_paragraph_and_exit_2(tmp_path, kind):
    text, field = BAD_FILES[kind]
    path = tmp_path / f"{kind}.toml"
    path.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "sim.cli", "run", str(path), "--days", "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert f"{kind}.toml" in result.stderr and field in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_validation_table_shows_problems_only_when_there_are_some():
    from sim.tables import validation_table
    from sim.validation import CheckResult

    fine = CheckResult("bass", "p=0.03", 1, 365, True, "0.007", "< 0.02", 1.0)
    broken = CheckResult("bass", "p=0.1", 1, 365, False, "0.2", "< 0.02", 1.0, "drifts")
    assert [c.header for c in validation_table([fine], "t").columns][-1] == "seconds"
    table = validation_table([fine, broken], "t")
    assert table.columns[-1].header == "problem" and list(table.columns[-1].cells)[-1] == "drifts"


def test_a_large_audience_is_announced_before_the_bar_waits_for_it(capsys):
    from sim.cli import _note_large_audience
    from sim.schema import Audience, Graph, Scenario

    _note_large_audience(Scenario(audience=Audience(graph=Graph(people=20_000))), 2)
    assert capsys.readouterr().err == ""
    large = Scenario(audience=Audience(graph=Graph(people=2_000_000, mean_degree=15)))
    _note_large_audience(large, 2)
    assert "builds its audience: 2,000,000 people, 30,000,000 edges (about 10 s" in " ".join(
        capsys.readouterr().err.split()
    )


def test_summary_csv_gives_each_outcome_as_mean_lo_hi(tmp_path):
    from sim.metrics import FINAL_OUTCOMES

    paths = write_results(make_metrics(seeds=2, days=3), tmp_path / "out")
    columns = list(pd.read_csv(paths["summary"]).columns)
    for outcome in FINAL_OUTCOMES:
        at = columns.index(f"{outcome}_mean")
        assert columns[at : at + 3] == [f"{outcome}_mean", f"{outcome}_lo", f"{outcome}_hi"]


def test_against_writes_the_paired_differences_and_needs_another_strategy(tmp_path):
    out = tmp_path / "against"
    args = ("--audience", "small", "--days", "2", "--seeds", "2", "--out", str(out))
    result = invoke("compare", "broadcasting", "storytelling", "--against", "broadcasting", *args)
    assert result.exit_code == 0, result.output
    assert f"Paired differences: {out / 'paired.csv'}" in _unboxed(result.stderr)
    paired = pd.read_csv(out / "paired.csv")
    assert list(paired["strategy"]) == ["storytelling"] and list(paired["against"]) == [
        "broadcasting"
    ]
    assert {"seeds", "equity_mean", "equity_lo", "equity_hi", "verdict"} <= set(paired)
    manifest = json.loads((out / "manifest.json").read_text())
    assert "paired.csv" in manifest["sha256"] and manifest["files"]["paired"] == "paired.csv"
    result = invoke("compare", "broadcasting", "storytelling", *args)  # no --against this time
    assert result.exit_code == 0, result.output
    assert not (out / "paired.csv").exists()  # it would not match the results beside it
    alone = tmp_path / "alone"
    result = invoke("compare", "broadcasting", "--against", "broadcasting", "--out", str(alone))
    assert result.exit_code == 2
    assert "nothing to compare against: broadcasting is the only strategy" in result.stderr
    assert not alone.exists()


def test_markets_scans_market_sizes_and_reports_the_break_even_size(tmp_path):
    """--markets runs the comparison in four more market sizes (the small audience's 20,000
    real people times a quarter to four), writes market.csv and its chart, and reports each
    strategy's break-even size; a later comparison without it removes them."""
    out = tmp_path / "markets"
    args = ("--audience", "small", "--days", "3", "--seeds", "1", "--out", str(out))
    result = invoke("compare", "broadcasting", "storytelling", "--markets", "--json", *args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)["market"]
    assert [entry["strategy"] for entry in found] == ["broadcasting", "storytelling"]
    sizes = [point["market"] for point in found[0]["incremental_profit"]]
    assert sizes == [5000.0, 10000.0, 20000.0, 40000.0, 80000.0]
    assert found[0]["text"].endswith(("people", "scanned)"))
    market = pd.read_csv(out / "market.csv")
    assert len(market) == 10 and (out / "market.png").exists()
    own = market[market["factor"] == 1.0]["incremental_profit_mean"].tolist()
    summary = pd.read_csv(out / "summary.csv")
    assert own == summary["incremental_profit_mean"].tolist()  # its own size: the comparison
    hashed = json.loads((out / "manifest.json").read_text())["sha256"]
    assert {"market.csv", "market.png", "market.svg"} <= set(hashed)
    result = invoke("compare", "broadcasting", "storytelling", *args)
    assert result.exit_code == 0, result.output
    assert not (out / "market.csv").exists() and not (out / "market.png").exists()
    assert not (out / "market.svg").exists()
    assert "market.png" not in json.loads((out / "manifest.json").read_text())["sha256"]
    assert "break-even market" not in result.stdout


def test_seed_sets_the_first_of_the_seeds(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO)
    args = ("--days", "2", "--seeds", "2", "--seed", "7", "--json")
    result = invoke("run", str(scenario), *args, "--out", str(tmp_path / "run"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["made_by"]["seeds"] == [7, 8]
    result = invoke(
        "compare", "broadcasting", "--audience", "small", *args, "--out", str(tmp_path / "c")
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["made_by"]["seeds"] == [7, 8]
    manifest = json.loads((tmp_path / "c" / "manifest.json").read_text())
    assert manifest["seeds"] == [7, 8] and manifest["scenario"]["scenario"]["seed"] == 7
    assert invoke("run", "base", "--seed", "-1").exit_code == 2
    largest = str(2**63 - 1)  # seeds past it used to turn into floats and merge in the files
    for command in (("run", str(scenario)), ("compare", "broadcasting")):
        result = invoke(*command, "--seeds", "2", "--seed", largest, "--out", str(tmp_path / "x"))
        assert result.exit_code == 2, result.output
        assert f"go past the largest seed, {largest}: start at {2**63 - 2} or lower" in (
            result.output
        )
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_failure_to_write_stdout_is_one_line_and_exit_2():
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sim.cli", "presets"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2
    assert done.stderr == "error: cannot write the results to stdout: the disk is full\n"


def test_ctrl_c_stops_the_app_quietly_with_exit_code_0(monkeypatch):
    """``longgame app`` replaces itself with ``serve_app``, which runs solara's command line;
    uvicorn stops on Ctrl-C and raises it again, which ends the process with code 0."""
    import signal
    import socket
    import types

    from sim import cli

    executed = []
    monkeypatch.setattr(cli.os, "execve", lambda *command: executed.append(command))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert invoke("app", "--port", str(port)).exit_code == 0
    ((program, command, _),) = executed
    assert command[:3] == [program, "-c", cli.SERVE_APP] and command[3] == "run"

    def solara_main():  # uvicorn's way: shut down, then raise the captured signal again
        signal.raise_signal(signal.SIGINT)

    fake = types.ModuleType("solara.__main__")
    fake.main = solara_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "solara.__main__", fake)
    previous = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.serve_app()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert stopped.value.code == 0
