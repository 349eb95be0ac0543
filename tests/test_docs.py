"""The documentation stays in step with the code: parameters, presets, metrics, sources."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from experiments.spec import load_experiment
from sim import schema
from sim.loading import (
    list_presets,
    load_comparison,
    load_platform,
    load_scenario,
    load_strategy,
)
from sim.metrics import COLUMNS
from sim.paramdoc import BEGIN, END, main, parameter_tables

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REGENERATE = "regenerate it with: python -m sim.paramdoc --write docs/model.md"

CALIBRATION_SOURCES = (
    "Rival IQ 2023",
    "Hootsuite",
    "Locowise 2015",
    "Sprout Social Index 2016",
    "Sprout Social Index 2020",
    "Track Social 2012",
    "Sprout Social 2019",
    "Kwak",
    "Leone 1995",
    "Clarke 1976",
)


@pytest.fixture(scope="module")
def model_doc() -> str:
    return (DOCS / "model.md").read_text(encoding="utf-8")


def schema_models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(schema).values()
        if isinstance(value, type)
        and issubclass(value, schema.Strict)
        and value is not schema.Strict
    ]


def test_every_schema_parameter_is_in_the_model_doc(model_doc):
    missing = [
        f"{model.__name__}.{name}"
        for model in schema_models()
        for name in model.model_fields
        if f"`{name}`" not in model_doc
    ]
    assert not missing, f"docs/model.md does not mention {missing}; {REGENERATE}"


def test_every_strategy_preset_is_in_the_model_doc(model_doc):
    missing = [name for name, _ in list_presets("strategy") if f"`{name}`" not in model_doc]
    assert not missing, f"docs/model.md (section 4) does not describe the presets {missing}"


def test_every_metrics_column_is_in_the_model_doc(model_doc):
    missing = [column for column in COLUMNS if f"`{column}`" not in model_doc]
    assert not missing, f"docs/model.md (section 5) does not define the columns {missing}"


def test_every_history_event_is_in_the_docking_doc():
    from sim.engines.history import EVENTS

    table = (DOCS / "docking.md").read_text(encoding="utf-8").split("## History of tracked")[1]
    missing = [event for event in EVENTS if f"`{event}`" not in table]
    assert not missing, f"docs/docking.md (History of tracked people) does not list {missing}"


def test_parameter_tables_are_embedded_verbatim(model_doc):
    assert BEGIN in model_doc and END in model_doc, (
        f"markers missing in docs/model.md; {REGENERATE}"
    )
    embedded = model_doc[model_doc.index(BEGIN) + len(BEGIN) : model_doc.index(END)].strip("\n")
    assert embedded == parameter_tables().strip("\n"), (
        f"the parameter tables in docs/model.md differ from sim/schema.py; {REGENERATE}"
    )


@pytest.mark.parametrize("source", CALIBRATION_SOURCES)
def test_calibration_doc_cites_its_sources(source):
    text = (DOCS / "calibration.md").read_text(encoding="utf-8")
    assert source in text, f"docs/calibration.md does not cite {source!r}"


def test_parameter_tables_name_every_model():
    tables = parameter_tables()
    for model in (
        "Strategy",
        "InitialState",
        "Brand",
        "Platform",
        "Graph",
        "Audience",
        "Behavior",
        "Market",
    ):
        assert f"### `{model}`" in tables
    assert "### Content-type weights" in tables


def toml_examples(doc: str) -> list[str]:
    """The ```toml blocks of a file in docs/, in order."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    return re.findall(r"^```toml\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize(
    ("doc", "index", "load"),
    [
        ("teaching.md", 0, load_comparison),
        ("teaching.md", 1, load_comparison),
        ("teaching.md", 2, load_comparison),
        ("scenarios.md", 0, load_strategy),
        ("scenarios.md", 2, load_platform),
        ("scenarios.md", 3, load_scenario),
        ("scenarios.md", 4, load_comparison),
        ("sweeps.md", 0, load_experiment),
    ],
)
def test_documented_files_load(doc, index, load, tmp_path):
    """The example files the docs tell users to save load as shown (the third of scenarios.md
    is a table inside an audience file, naming a graph file the reader supplies)."""
    path = tmp_path / f"example_{index}.toml"
    path.write_text(toml_examples(doc)[index], encoding="utf-8")
    load(path)


def test_documented_examples_are_all_checked():
    assert [len(toml_examples(doc)) for doc in ("teaching.md", "scenarios.md", "sweeps.md")] == [
        3,
        5,
        1,
    ]


def python_examples(doc: str) -> list[str]:
    """The ```python blocks of a Markdown file of the project (``docs/...`` or the README), in
    order."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


PYTHON_DOCS = [
    doc
    for doc in ["README.md", *sorted(f"docs/{path.name}" for path in DOCS.glob("*.md"))]
    if python_examples(doc)
]
SHOWN_SWEEP = "out/sweeps/robustness"
"""The sweep directory a documented example opens; the test opens a small grid sweep instead,
in a sweeps folder of its own where the example's ``smoke`` is found."""


@pytest.mark.parametrize(
    ("doc", "index"),
    [(doc, index) for doc in PYTHON_DOCS for index in range(len(python_examples(doc)))],
)
def test_documented_python_runs(doc, index, tmp_path):
    """Every Python example in the README and docs/ runs as printed, in a fresh interpreter
    from the project's folder (what it writes under out/ goes to a temporary folder)."""
    code = python_examples(doc)[index]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if SHOWN_SWEEP in code:
        from test_sweep_views import run_grid_sweep

        from experiments.views import SWEEPS_DIR_ENV

        env[SWEEPS_DIR_ENV] = str(tmp_path / "sweeps")
        code = code.replace(SHOWN_SWEEP, str(run_grid_sweep(tmp_path / "sweeps" / "smoke")))
    code = code.replace('"out/', f'"{tmp_path}/')
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{doc}, Python example {index + 1}:\n{done.stderr[-3000:]}"


def test_python_examples_are_found():
    assert [len(python_examples(doc)) for doc in PYTHON_DOCS] == [1, 5, 1, 3]
    assert PYTHON_DOCS == ["README.md", "docs/python.md", "docs/scenarios.md", "docs/sweeps.md"]


def test_paramdoc_says_how_to_call_it(capsys):
    """``--help`` used to print the tables; a misspelt option did too."""
    assert main(["--help"]) == 0 and capsys.readouterr().out.startswith("usage: ")
    assert main(["--wrte", "docs/model.md"]) == 2 and "usage: " in capsys.readouterr().err


NUMBER_WORDS = (  # noqa: SIM905 (a sentence of words reads better than 25 quoted ones)
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three "
    "twenty-four"
).split()


def test_the_count_of_presets_in_words_is_the_default_comparisons():
    """Every new preset that buys no reach joins `make demo`'s comparison, and these say how
    many it holds."""
    word = NUMBER_WORDS[len(load_comparison("default").strategies)]
    for path, phrase in (
        ("README.md", f"compares {word} preset strategies"),
        ("scenarios/default.toml", f"the {word} strategies that buy no reach"),
        ("docs/scenarios.md", f"the {word} strategies that buy no reach"),
        ("docs/teaching.md", f"the {word} presets that buy no reach"),
    ):
        assert phrase in (ROOT / path).read_text(encoding="utf-8"), f"{path}: '{phrase}'"


def test_the_measured_presets_are_in_the_comparison_file_that_measures_them(model_doc):
    """docs/model.md's "What each preset shows, measured" comes from one shipped comparison,
    holding every preset the section discusses at the settings it states."""
    section = model_doc.split("### What each preset shows, measured")[1].split("\n## ")[0]
    discussed = re.findall(r"^- \*\*`(\w+)`", section, flags=re.MULTILINE)
    comparison = load_comparison("preset_variants")
    names = [strategy.name for strategy in comparison.strategies]
    assert len(discussed) >= 10 and set(discussed) <= set(names)
    assert "longgame compare preset_variants --against consistent_engagement" in section
    assert (comparison.scenario.days, comparison.seeds) == (730, 20)
    assert "730 days, 20 seeds (42–61)" in section
