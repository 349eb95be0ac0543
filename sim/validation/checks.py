"""The shape of a validation check and of one row of its result table."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Progress = Callable[[int], None]


@dataclass
class CheckResult:
    """One row of the validation table: a check on one case.

    ``measured`` and ``limit`` are the figure the check judges and its threshold, as text
    (e.g. "max |error| 0.004" and "< 0.02"); ``runs`` counts the simulations behind the row.
    ``figure(directory)``, where a check draws one, writes the row's figure there and returns
    its path (``longgame validate --figures DIR``).
    """

    check: str
    case: str
    runs: int
    days: int
    passed: bool
    measured: str
    limit: str
    seconds: float
    problem: str = ""
    figure: Callable[[Path], Path] | None = None
    judged: bool = True
    """False for a figure shown beside a published one without a pass/fail band."""
    details: tuple[str, ...] = ()
    """Lines that explain the row (e.g. each headline claim's numbers), for reports."""

    @property
    def verdict(self) -> str:
        if not self.judged:
            return "compared"
        return "pass" if self.passed else "FAIL"


@dataclass(frozen=True)
class ValidationCheck:
    """A validation check: how many runs it makes, and how to make them.

    ``runs(grid, only)`` counts the runs of a grid ('quick' or 'full') that ``only`` picks
    (`chosen`); ``check(grid, only, workers, progress)`` makes them (calling ``progress(1)`` after
    each) and returns one `CheckResult` per case.
    """

    name: str
    runs: Callable[[str, str | None], int]
    check: Callable[[str, str | None, int, Progress], list[CheckResult]]


def chosen(only: str | None, check: str, case: str) -> bool:
    """Whether ``longgame validate --only`` picks a case: its text is part of the check's name
    and the case's ("cascade", "bass logistic", "real graphs", "ego")."""
    return only is None or only in f"{check} {case}"


def markdown_table(results: list[CheckResult]) -> str:
    """The results as a Markdown table, each row's details as a list after it."""
    lines = [
        "| check | case | runs | days | result | measured | limit | problem |",
        "| --- | --- | ---: | ---: | --- | ---: | --- | --- |",
    ]
    notes = []
    for row in results:
        cells = (row.check, row.case, row.runs, row.days, row.verdict, row.measured, row.limit)
        text = (str(cell).replace("|", "\\|") for cell in (*cells, row.problem))
        lines.append("| " + " | ".join(text) + " |")
        notes += [f"- {row.case}: {detail}" for detail in row.details]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def run_parallel(
    task: Callable[..., Any], arguments: Iterable[tuple], workers: int, progress: Progress
) -> list[Any]:
    """``task(*args)`` for each argument tuple, in order, on up to ``workers`` processes.

    ``task`` must be a top-level function (spawned processes import it). ``progress(1)`` is
    called as each result arrives. The pool is ``sim.runner.in_processes``'s: Ctrl-C or SIGTERM
    stops its workers with the command.
    """
    from sim.runner import in_processes

    return in_processes(task, list(arguments), workers, progress, weight=1)
