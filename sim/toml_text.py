"""TOML text for schema objects and plain tables: what the web app exports and
``longgame compare FILE.toml`` reads back to an equal object."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pydantic import BaseModel

__all__ = ["dump_toml", "toml_value"]


def dump_toml(model: BaseModel | dict[str, Any]) -> str:
    """TOML text for a schema object (every field written out, loads back to an equal object)
    or for a plain table."""
    table = model if isinstance(model, dict) else model.model_dump(exclude_none=True)
    lines: list[str] = []
    _write_table(table, (), lines, array=False)
    return "\n".join(lines).lstrip("\n") + "\n"


def _write_table(
    table: dict[str, Any], path: tuple[str, ...], lines: list[str], array: bool
) -> None:
    if path:
        header = ".".join(_key(part) for part in path)
        lines += ["", f"[[{header}]]" if array else f"[{header}]"]
    nested = {
        key: value
        for key, value in table.items()
        if isinstance(value, dict)
        or (isinstance(value, list) and value and all(isinstance(item, dict) for item in value))
    }
    lines += [f"{_key(k)} = {toml_value(v)}" for k, v in table.items() if k not in nested]
    for key, value in nested.items():
        for item in value if isinstance(value, list) else [value]:
            _write_table(item, (*path, key), lines, array=isinstance(value, list))


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_value(value: Any) -> str:
    """A value in TOML syntax: strings, numbers, booleans, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
