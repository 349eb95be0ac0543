"""Errors a user can fix: a scenario file that cannot be read, composed or validated.

The CLI prints a ``ScenarioError`` as one line and exits with code 2; the web app shows it beside
the uploaded text. It says where the problem is (file, field path, line) and what is allowed.
"""

from __future__ import annotations

from pathlib import Path


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
    "; " without its documentation links (any other error as its text)."""
    if not hasattr(error, "errors"):
        return str(error)
    return "; ".join(
        f"{'.'.join(map(str, item['loc'])) or 'value'}: {item['msg'].removeprefix('Value error, ')}"
        for item in error.errors()
    )
