"""The ``longgame`` command line: list presets, run a scenario, compare strategies, validate.

stdout carries only the result (a table, or JSON with ``--json``) so it can be piped; progress,
logs and errors go to stderr. Errors in the user's input (scenario files, edge lists, options,
output directory) print one message and exit with code 2, without a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

import sim

__all__ = ["app", "CliError"]

app = typer.Typer(
    name="longgame",
    help="Simulate how social-media audiences respond to brand strategies over months and years.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

TABLE_OUTCOMES: tuple[str, ...] = (
    "followers",
    "equity",
    "advocates",
    "engagement_rate",
    "revenue",
    "cost",
    "roi",
    "unfollows",
    "incremental_profit",
)
DEFAULT_SEEDS = 5
PRESET_KINDS: tuple[tuple[str, str], ...] = (
    ("strategy", "Strategies"),
    ("audience", "Audiences"),
    ("platform", "Platforms"),
    ("scenario", "Scenarios"),
    ("comparison", "Comparisons"),
)


class CliError(Exception):
    """A wrong combination of options; ``str()`` is the message for the user."""


# -- helpers -------------------------------------------------------------------------------------


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    """Console for results; unlimited width when piped, so table rows stay on one line."""
    piped = not sys.stdout.isatty()
    return Console(highlight=False, width=1000 if piped else None)


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's input at fault (imported lazily: optional modules)."""
    from pydantic import ValidationError

    from sim.output import OutputError

    types: list[type[BaseException]] = [CliError, OutputError, ValidationError]
    for module, name in (
        ("sim.errors", "ScenarioError"),
        ("sim.audience.edgelist", "EdgeListError"),
    ):
        with contextlib.suppress(ImportError):
            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and issubclass(found, BaseException):
                types.append(found)
    return tuple(types)


def _message(error: BaseException) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'value'}: {item['msg']}"
            for item in error.errors()
        )
        return f"invalid {error.title}: {problems}"
    return str(error)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the user's errors into one message on stderr and exit code 2."""
    try:
        yield
    except Exception as error:
        if not isinstance(error, _user_error_types()):
            raise
        typer.echo(f"error: {_message(error)}", err=True)
        raise typer.Exit(2) from None


class _LazyProgress:
    """A progress bar on stderr (runs done/total, ETA) that appears only after about a second."""

    def __init__(self, total: int, label: str, delay: float = 1.0) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_stderr(),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=total)
        self._lock = threading.Lock()
        self._timer = threading.Timer(delay, self._show)
        self._timer.daemon = True
        self._shown = False
        self._done = False

    def _show(self) -> None:
        with self._lock:
            if not self._done:
                self._progress.start()
                self._shown = True

    def __call__(self, runs: int = 1) -> None:
        self._progress.advance(self._task, runs)

    def __enter__(self) -> _LazyProgress:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._done = True
            if self._shown:
                self._progress.stop()


def _replace(model: Any, **changes: Any) -> Any:
    """A validated copy of a frozen pydantic model with some fields replaced."""
    return type(model).model_validate({**model.model_dump(), **changes})


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"{count} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "o", "u"):
        return f"{count} {noun[:-1]}ies"
    return f"{count} {noun}s"


def _command() -> list[str]:
    """This command line as the user would type it (for the manifest)."""
    return ["longgame", *sys.argv[1:]]


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "scenario"


def _is_comparison(target: str) -> bool:
    """Whether a single ``compare`` argument is a comparison rather than a strategy.

    A TOML file is a comparison if its top level has ``strategies`` or ``scenario``; a name is one
    if it is a shipped comparison and not a shipped strategy.
    """
    from sim.loading import list_presets

    path = Path(target)
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return False  # load_strategy reports what is wrong with it
        return "strategies" in data or "scenario" in data
    strategies = {name for name, _ in list_presets("strategy")}
    comparisons = {name for name, _ in list_presets("comparison")}
    return target in comparisons and target not in strategies


def _compact(value: float | None) -> str:
    from sim.charts import compact

    if value is None or value != value:  # None or NaN
        return "-"
    return compact(float(value))


def _cells(final: Any) -> tuple[list[str], list[list[str]]]:
    """Row labels (strategy, or brand) and per row the outcome cells 'mean [lo, hi]'."""
    keys = [key for key in ("strategy", "brand") if key in final.columns]
    if "strategy" in keys and "brand" in keys and final["brand"].nunique() <= 1:
        keys = ["strategy"]
    labels, rows = [], []
    for _, row in final.iterrows():
        labels.append(" / ".join(str(row[key]) for key in keys))
        cells = []
        for outcome in TABLE_OUTCOMES:
            mean, lo, hi = (row[f"{outcome}_{stat}"] for stat in ("mean", "lo", "hi"))
            cells.append(f"{_compact(mean)} [{_compact(lo)}, {_compact(hi)}]")
        median, count, seeds = row["break_even_day"], row["break_even_count"], row["seeds"]
        day = "none" if median is None else f"{median:g}"
        cells.append(f"{day} ({count}/{seeds} seeds)")
        rows.append(cells)
    return [" / ".join(keys)] + labels, rows


def _final_table(final: Any, *, title: str, transpose: bool = False) -> Table:
    """Rich table of summary.final_outcomes: each outcome as 'mean [lo, hi]'.

    One row per strategy (for pipes and files: rows stay on one line), or with ``transpose`` one
    row per outcome and a column per strategy, which fits a terminal better.
    """
    (key, *labels), rows = _cells(final)
    outcomes = (*TABLE_OUTCOMES, "break_even_day")
    table = Table(title=title, title_style="bold", header_style="bold")
    if transpose:
        table.add_column("outcome", no_wrap=True)
        for label in labels:
            table.add_column(label, justify="right")
        for index, outcome in enumerate(outcomes):
            table.add_row(outcome, *(cells[index] for cells in rows))
        return table
    table.add_column(key, no_wrap=True)
    for outcome in outcomes:
        table.add_column(outcome, justify="right", no_wrap=True)
    for label, cells in zip(labels, rows, strict=True):
        table.add_row(label, *cells)
    return table


def _print_final(df: Any, *, title: str, as_json: bool) -> None:
    from sim import summary

    final = summary.final_outcomes(df)
    if as_json:
        typer.echo(json.dumps(summary.to_json(final), indent=2, allow_nan=False))
        return
    seeds = int(final["seeds"].max())
    days = int(final["days"].max())
    caption = f"after {_plural(days, 'day')}, {_plural(seeds, 'seed')}: mean [95% interval]"
    console = _stdout()
    table = _final_table(final, title=f"{title} ({caption})", transpose=console.is_terminal)
    console.print(table)


def _engine_name(value: str) -> str:
    """Check an --engine name against sim.model.ENGINES (a bad one is a usage error)."""
    from sim.model import ENGINES

    if value not in ENGINES:
        raise typer.BadParameter(f"unknown engine {value!r}; available: {', '.join(ENGINES)}")
    return value


# -- commands ------------------------------------------------------------------------------------


def _version(value: bool) -> None:
    if value:
        typer.echo(f"longgame {sim.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Simulate how social-media audiences respond to brand strategies over months and years."""


EngineOption = Annotated[
    str,
    typer.Option(
        help="Simulation engine: vector (fast) or agents (a Mesa agent per person).",
        callback=_engine_name,
    ),
]


@app.command()
def presets() -> None:
    """List the strategy, audience and platform presets with what each one shows."""
    with _user_errors():
        from sim.loading import list_presets

        console = _stdout()
        for kind, heading in PRESET_KINDS:
            table = Table(title=heading, title_justify="left", header_style="bold")
            table.add_column("name", no_wrap=True, style="cyan")
            table.add_column("description")
            for name, description in list_presets(kind):
                table.add_row(name, description)
            console.print(table)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file (TOML) or preset name.")],
    days: Annotated[int | None, typer.Option(min=1, help="Horizon in days.")] = None,
    seeds: Annotated[int, typer.Option(min=1, max=1000, help="Seeds to run.")] = DEFAULT_SEEDS,
    engine: EngineOption = "vector",
    out: Annotated[
        Path | None, typer.Option(help="Output directory [default: out/<scenario name>].")
    ] = None,
) -> None:
    """Run a scenario over several seeds; write daily metrics and a manifest; print a summary."""
    with _user_errors():
        from sim.loading import load_scenario
        from sim.output import write_results
        from sim.runner import run_seeds

        resolved = load_scenario(scenario)
        if days is not None:
            resolved = _replace(resolved, days=days)
        out = out or Path("out") / _safe_name(resolved.name)
        log = _stderr()
        log.print(
            f"Running {resolved.name!r}: {_plural(seeds, 'seed')} x {_plural(resolved.days, 'day')}"
            f", engine {engine}"
        )
        with _LazyProgress(seeds, "runs") as progress, contextlib.redirect_stdout(sys.stderr):
            df = run_seeds(resolved, seeds, days=resolved.days, engine=engine, progress=progress)
        paths = write_results(df, out, scenario=resolved, engine=engine, command=_command())
        log.print(f"Daily metrics: {paths['parquet']} and {paths['csv']}")
        _print_final(df, title=resolved.name, as_json=False)


@app.command()
def compare(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Strategy presets or files to compare on the base scenario, "
            "or a single comparison file.",
            show_default=False,
        ),
    ],
    audience: Annotated[
        str | None, typer.Option(help="Audience preset or file replacing the scenario's.")
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            help="Edge-list file (or shipped graph name) replacing the audience's graph.",
        ),
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option(
            help="How to read --graph lines 'u v': undirected, follows or flows "
            "[default: the shipped graph's, else undirected].",
        ),
    ] = None,
    days: Annotated[int | None, typer.Option(min=1, help="Horizon in days.")] = None,
    seeds: Annotated[
        int | None, typer.Option(min=1, max=1000, help="Seeds per strategy [default: 5].")
    ] = None,
    engine: EngineOption = "vector",
    workers: Annotated[
        int, typer.Option(min=1, max=256, help="Parallel processes (seeds run in parallel).")
    ] = min(2, os.cpu_count() or 1),
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/compare"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print only the final outcomes as JSON.")
    ] = False,
) -> None:
    """Compare strategies on the same scenario and seeds; print final outcomes; draw a chart."""
    with _user_errors():
        if direction is not None and graph is None:
            raise CliError("--direction needs --graph")

        from sim import loading
        from sim.charts import trajectories_png
        from sim.output import write_results
        from sim.runner import compare as run_comparison
        from sim.schema import Comparison

        if len(targets) == 1 and _is_comparison(targets[0]):
            comparison = loading.load_comparison(targets[0])
        else:
            strategies = [loading.load_strategy(target) for target in targets]
            name = " vs ".join(strategy.name for strategy in strategies)
            comparison = Comparison(
                name=name[:80], scenario=loading.load_scenario("base"), strategies=strategies
            )
        scenario = comparison.scenario
        if audience is not None:
            scenario = _replace(scenario, audience=loading.load_audience(audience))
        if graph is not None:
            from sim.audience.edgelist import resolve_graph_path, shipped_direction

            path = resolve_graph_path(graph, Path.cwd()).resolve()
            edges = {
                **scenario.audience.graph.model_dump(),
                "kind": "edgelist",
                "path": str(path),
                "direction": direction or shipped_direction(path) or "undirected",
            }
            scenario = _replace(scenario, audience=_replace(scenario.audience, graph=edges))
        if days is not None:
            scenario = _replace(scenario, days=days)
        comparison = _replace(comparison, scenario=scenario, seeds=seeds or comparison.seeds)

        runs = len(comparison.strategies) * comparison.seeds
        log = _stderr()
        log.print(
            f"Comparing {_plural(len(comparison.strategies), 'strategy')} x "
            f"{_plural(comparison.seeds, 'seed')}, {_plural(scenario.days, 'day')}, engine {engine}"
        )
        with _LazyProgress(runs, "runs") as progress, contextlib.redirect_stdout(sys.stderr):
            df = run_comparison(
                comparison,
                days=scenario.days,
                seeds=comparison.seeds,
                engine=engine,
                progress=progress,
                workers=workers,
            )
        paths = write_results(df, out, scenario=comparison, engine=engine, command=_command())
        png, svg = trajectories_png(
            df, Path(out) / "trajectories.png", title=f"{comparison.name}, {comparison.seeds} seeds"
        )
        log.print(f"Daily metrics: {paths['parquet']}")
        log.print(f"Chart: {png} (and {svg.name})")
        _print_final(df, title=comparison.name, as_json=as_json)


# -- validate ------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """One row of the validation table: a check on one case, over its seeds."""

    check: str
    case: str
    seeds: int
    days: int
    passed: bool
    largest_difference: float
    seconds: float
    problem: str = ""


@dataclass(frozen=True)
class ValidationCheck:
    """A validation check: how many runs it makes, and how to make them.

    ``runs(grid, only)`` counts the runs of a grid ('quick' or 'full') whose case names contain
    ``only``; ``check(grid, only, workers, progress)`` makes them (calling ``progress(1)`` after
    each) and returns one `CheckResult` per case.
    """

    name: str
    runs: Callable[[str, str | None], int]
    check: Callable[[str, str | None, int, Callable[[int], None]], list[CheckResult]]


def _docking_tasks(grid: str, only: str | None) -> list[tuple[Any, int]]:
    from sim.engines.agents import docking_cases

    cases = [case for case in docking_cases(grid) if only is None or only in case.name]
    return [(case, seed) for case in cases for seed in case.seeds]


def _docking_check(
    grid: str, only: str | None, workers: int, progress: Callable[[int], None]
) -> list[CheckResult]:
    """The agent and vector engines agree day by day, person by person (docs/docking.md)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    tasks = _docking_tasks(grid, only)
    state_every = 1 if grid == "quick" else 10
    outcomes: list[tuple[Any, float]] = []
    if workers <= 1 or len(tasks) <= 1:
        for case, seed in tasks:
            outcomes.append(_timed_dock(case, seed, state_every))
            progress(1)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_timed_dock, case, seed, state_every) for case, seed in tasks]
            for future in futures:
                outcomes.append(future.result())
                progress(1)
    results: dict[str, CheckResult] = {}
    for (case, seed), (docking, seconds) in zip(tasks, outcomes, strict=True):
        row = results.setdefault(
            case.name, CheckResult("docking", case.name, 0, docking.days, True, 0.0, 0.0)
        )
        row.seeds += 1
        row.seconds += seconds
        row.largest_difference = max(row.largest_difference, docking.largest_difference)
        if not docking.ok and row.passed:
            row.passed = False
            row.problem = f"seed {seed}, {docking.problem}"
    return list(results.values())


def _timed_dock(case: Any, seed: int, state_every: int) -> tuple[Any, float]:
    """Dock one case on one seed; (Docking, seconds). Top-level, so process pools can run it."""
    from sim.engines.agents import dock_case

    start = time.perf_counter()
    docking = dock_case(case, seed, state_every)
    return docking, time.perf_counter() - start


VALIDATION_CHECKS: list[ValidationCheck] = [
    ValidationCheck("docking", lambda grid, only: len(_docking_tasks(grid, only)), _docking_check),
]
"""The checks ``longgame validate`` runs, in order; later validation targets add theirs here."""


def _validation_table(results: list[CheckResult], title: str) -> Table:
    table = Table(title=title, title_style="bold", header_style="bold")
    for column, justify in (
        ("check", "left"),
        ("case", "left"),
        ("seeds", "right"),
        ("days", "right"),
        ("result", "left"),
        ("largest rel. difference", "right"),
        ("seconds", "right"),
        ("problem", "left"),
    ):
        table.add_column(column, justify=justify)
    for result in results:
        table.add_row(
            result.check,
            result.case,
            str(result.seeds),
            str(result.days),
            "pass" if result.passed else "FAIL",
            f"{result.largest_difference:.1e}",
            f"{result.seconds:.1f}",
            result.problem,
        )
    return table


@app.command()
def validate(
    full: Annotated[
        bool,
        typer.Option(
            "--full/--quick",
            help="The full grid (every preset and competition, 2,000 people and ego-Facebook, "
            "120 days, 3 seeds) or the quick one (what make test runs).",
        ),
    ] = False,
    only: Annotated[
        str | None, typer.Option(help="Run only the cases whose name contains this text.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Parallel processes.")] = min(
        2, os.cpu_count() or 1
    ),
) -> None:
    """Validate the model: the agent and vector engines dock (exit 1 on failure).

    Prints one row per check and case: pass or FAIL, the largest relative difference between the
    engines and, on failure, the first day, metric and person where they disagree.
    """
    grid = "full" if full else "quick"
    log = _stderr()
    results: list[CheckResult] = []
    with _user_errors():
        for check in VALIDATION_CHECKS:
            runs = check.runs(grid, only)
            if runs == 0:
                continue
            log.print(f"Validating {check.name}: {grid} grid, {_plural(runs, 'run')}")
            with _LazyProgress(runs, check.name) as progress:
                results.extend(check.check(grid, only, workers, progress))
        if not results:
            raise CliError(f"no case matches --only {only!r}")
    passed = all(result.passed for result in results)
    verdict = "all passed" if passed else "FAILED"
    _stdout().print(_validation_table(results, f"longgame validate --{grid}: {verdict}"))
    if not passed:
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
