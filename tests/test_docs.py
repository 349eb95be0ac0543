"""The documentation stays in step with the code: parameters, presets, metrics, sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from sim import schema
from sim.loading import list_presets
from sim.metrics import COLUMNS
from sim.paramdoc import BEGIN, END, parameter_tables

DOCS = Path(__file__).resolve().parents[1] / "docs"
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
