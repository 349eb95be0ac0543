"""Errors a user can fix: a scenario file that cannot be read, composed or validated.

The CLI prints a ``ScenarioError`` as one line and exits with code 2; the web app shows it beside
the uploaded text. It says where the problem is (file, field path, line) and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.text import did_you_mean, plural


class ScenarioError(Exception):
    """A problem in a TOML scenario, strategy, audience, platform or comparison file.

    ``file`` is the file shown to the user (or None), ``field`` the dotted path of the offending
    key such as ``brands[0].strategy.reply_rate`` (or None), ``line`` its line in the file when
    known, ``value`` the bad value as TOML text (or None) and ``message`` what is wrong.
    """

    def __init__(
        self,
        message: str,
        file: str | Path | None = None,
        field: str | None = None,
        line: int | None = None,
        value: str | None = None,
    ) -> None:
        super().__init__(message, file, field, line, value)
        self.message = message
        self.file = None if file is None else str(file)
        self.field = field
        self.line = line
        self.value = value

    def __str__(self) -> str:
        where = self.field or ""
        if where and self.value is not None:
            where = f"{where} = {self.value}"
        text = ": ".join(part for part in (self.file, where, self.message) if part)
        return f"{text} [line {self.line}]" if self.line is not None else text


def validation_problems(error: Exception) -> str:
    """What a pydantic ``ValidationError`` says is wrong, as "field: message" parts joined by
    "; " (each in the words of :func:`problem_text`; any other error as its text)."""
    if not hasattr(error, "errors"):
        return str(error)
    return "; ".join(
        f"{'.'.join(map(str, item['loc'])) or 'value'}: {problem_text(item)}"
        for item in error.errors()
    )


def problem_text(item: Mapping[str, Any], allowed: str = "", choices: Sequence[str] = ()) -> str:
    """What one pydantic error (an item of ``ValidationError.errors()``) says is wrong, in the
    project's words, for a scenario file's field or a command-line option alike: ``allowed`` is
    the value's range (:func:`allowed_range`), ``choices`` the values it may take (the closest
    to a misspelt one is suggested)."""
    kind, value, context = item["type"], item.get("input"), item.get("ctx") or {}
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number" + (f"; allowed: {allowed}" if allowed else "")
    bound = {"greater_than_equal": "at least", "less_than_equal": "at most"}.get(kind)
    if bound and allowed:  # which bound was crossed, unless the range has only that one
        limit = number_text(next(iter(context.values())))
        return f"must be {allowed}" + ("" if bound in allowed else f" ({bound} {limit})")
    if kind == "literal_error":
        return f"must be one of {context['expected']}{did_you_mean(str(value), choices)}"
    size = {"too_short": "at least", "too_long": "at most"}.get(kind.removeprefix("string_"))
    if size:  # of a list or table, or of a string
        unit = "character" if kind.startswith("string_") else "item"
        limit = context.get("min_length", context.get("max_length", 0))
        return f"must have {size} {plural(limit, unit)}"
    message = item["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    return f"{message}; allowed: {allowed}" if allowed else message


def allowed_range(low: float | None, high: float | None) -> str:
    """A range in words: "between 0 and 1", "at least 1", "at most 70", or "" without bounds."""
    if low is not None and high is not None:
        return f"between {number_text(low)} and {number_text(high)}"
    if low is not None:
        return f"at least {number_text(low)}"
    return f"at most {number_text(high)}" if high is not None else ""


def number_text(x: float) -> str:
    """A bound as written: whole numbers without a decimal point."""
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e16 else repr(x)


def not_a_file(path: Path) -> str:
    """Why ``path`` could not be read as a file: "is a directory, not a file", or "file not
    found" (also for a name the system cannot look up)."""
    return "is a directory, not a file" if is_directory(path) else "file not found"


def is_directory(path: Path) -> bool:
    """Whether ``path`` is a directory (a name the system cannot look up is none)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False
