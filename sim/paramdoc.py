"""Markdown tables of every scenario parameter, rendered from the schema (``sim.schema``).

``parameter_tables()`` walks each model's ``model_fields``: name, meaning (the field's
description), default, accepted values (``ge``/``le`` bounds or the ``Literal`` choices: what the
loader accepts), plausible range, unit and source (the last three from ``json_schema_extra``).
``docs/model.md`` embeds the output verbatim between two markers; ``python -m sim.paramdoc``
prints it, ``python -m sim.paramdoc --write docs/model.md`` replaces the embedded copy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import get_origin

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.fields import literal_choices
from sim.schema import (
    ASSUMPTION,
    CONTENT_TYPES,
    Audience,
    Behavior,
    Brand,
    Comparison,
    ContentWeights,
    Graph,
    InitialState,
    Market,
    Platform,
    QuitRule,
    Scenario,
    Strategy,
    bounds,
    plausible,
)

__all__ = ["BEGIN", "END", "MODELS", "WEIGHT_FIELDS", "embed", "parameter_tables"]

BEGIN = "<!-- BEGIN parameter_tables -->"
END = "<!-- END parameter_tables -->"

MODELS: tuple[type[BaseModel], ...] = (
    Strategy,
    QuitRule,
    InitialState,
    Brand,
    Platform,
    Graph,
    Audience,
    Behavior,
    Market,
    Scenario,
    Comparison,
)
"""The models with a table of their own, in the order of docs/model.md."""

WEIGHT_FIELDS: tuple[tuple[type[BaseModel], str], ...] = (
    (Strategy, "content_mix"),
    (Platform, "norms"),
    (Behavior, "content_value"),
    (Behavior, "content_engagement"),
    (Behavior, "content_comment"),
    (Behavior, "content_share"),
)
"""Fields holding one weight per content type: their defaults form one more table."""

FALLBACK_MEANINGS = {
    "name": "name shown in results and messages",
    "description": "free text on what it is for",
    "strategies": "the `Strategy` tables compared, each in place of the first brand's",
}
"""Meanings of fields the schema gives no description (names, free text, nested tables)."""


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    return f"{value:g}"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "(required)"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, ContentWeights):
        return "see content-type weights"
    if isinstance(value, BaseModel):
        return f"see {type(value).__name__}"
    if value is None:
        return "none"
    if isinstance(value, str):
        return f"`{value}`" if value else '""'
    if isinstance(value, list):
        items = [
            f"a default {type(item).__name__}" if isinstance(item, BaseModel) else f"`{item}`"
            for item in value
        ]
        return ", ".join(items) if items else "none"
    return _number(value)


def _range(info: FieldInfo) -> str:
    choices = literal_choices(info.annotation)
    if choices:
        return " / ".join(f"`{choice}`" for choice in choices)
    if info.annotation is bool:
        return "true / false"
    low, high = bounds(info)
    if low is not None or high is not None:
        text = f"{'' if low is None else _number(low)} to {'' if high is None else _number(high)}"
        return text.strip()
    lengths = {type(m): m for m in info.metadata if isinstance(m, MinLen | MaxLen)}
    if lengths:
        low = lengths[MinLen].min_length if MinLen in lengths else 0
        high = lengths[MaxLen].max_length if MaxLen in lengths else ""
        return (
            f"{low} to {high} items"
            if get_origin(info.annotation) is list
            else f"{low} to {high} characters"
        )
    return ""


def _plausible(info: FieldInfo) -> str:
    found = plausible(info)
    return "" if found is None else f"{_number(found[0])} to {_number(found[1])}"


def _extra(info: FieldInfo, key: str) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    value = str(extra.get(key, ""))
    return "assumption" if value == ASSUMPTION else value


def _meaning(name: str, info: FieldInfo) -> str:
    """The field's description, or a stated fallback for the few fields the schema leaves bare."""
    if info.description:
        return info.description
    if name in FALLBACK_MEANINGS:
        return FALLBACK_MEANINGS[name]
    value = None if info.is_required() else info.get_default(call_default_factory=True)
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, BaseModel):
        return f"the `{type(value).__name__}` table(s)"
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _model_table(model: type[BaseModel]) -> list[str]:
    doc = (model.__doc__ or "").strip().splitlines()[0]
    lines = [
        f"### `{model.__name__}`",
        "",
        doc,
        "",
        "| name | meaning | default | accepted | plausible | unit | source |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, info in model.model_fields.items():
        cells = (
            f"`{name}`",
            _meaning(name, info),
            _default(info),
            _range(info),
            _plausible(info),
            _extra(info, "unit"),
            _extra(info, "source"),
        )
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _weights_table() -> list[str]:
    fields = [(model, name, model.model_fields[name]) for model, name in WEIGHT_FIELDS]
    lines = [
        "### Content-type weights",
        "",
        "One weight per content type (accepted: 0 to 10 each; a content mix is normalised to "
        "shares). Defaults, and in brackets the plausible range of `Behavior`'s weights: the "
        "studies cited order the types; the sizes are assumptions. A strategy's mix and a "
        "platform's norms are choices and data, with no plausible range.",
        "",
    ]
    lines.append("| field | meaning | " + " | ".join(f"`{t}`" for t in CONTENT_TYPES) + " |")
    lines.append("| --- | --- | " + " | ".join("---" for _ in CONTENT_TYPES) + " |")
    for model, name, info in fields:
        weights = info.get_default(call_default_factory=True)
        values = " | ".join(
            _number(getattr(weights, content_type))
            + (
                f" ({ranged})"
                if (ranged := _plausible(type(weights).model_fields[content_type]))
                else ""
            )
            for content_type in CONTENT_TYPES
        )
        lines.append(f"| `{model.__name__}.{name}` | {_cell(info.description or '')} | {values} |")
    lines += ["", "| content type | meaning |", "| --- | --- |"]
    for name, info in ContentWeights.model_fields.items():
        lines.append(f"| `{name}` | {_cell(info.description or '')} |")
    return lines


def parameter_tables() -> str:
    """Markdown: one table per schema model, then the content-type weights."""
    blocks = [_model_table(model) for model in MODELS] + [_weights_table()]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def embed(text: str) -> str:
    """``text`` with the part between the BEGIN and END markers replaced by the tables."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + parameter_tables() + text[end:]


USAGE = """usage: python -m sim.paramdoc [--write FILE]

Print the parameter tables (Markdown), or with --write FILE replace the part of FILE between
its BEGIN and END markers (docs/model.md, section 8) with them."""


def main(argv: list[str]) -> int:
    """The command line: print the tables, write them into a file, or say how to call it."""
    if len(argv) == 2 and argv[0] == "--write":
        target = Path(argv[1])
        target.write_text(embed(target.read_text(encoding="utf-8")), encoding="utf-8")
    elif not argv:
        print(parameter_tables(), end="")
    else:
        asked = argv[0] in ("-h", "--help")
        print(USAGE, file=sys.stdout if asked else sys.stderr)
        return 0 if asked else 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
