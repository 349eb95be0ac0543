"""The ``longgame`` command line: list presets, run a scenario, compare strategies, validate.

stdout carries only the result (a table, or JSON with ``--json``) so it can be piped; progress,
logs and errors go to stderr. Errors in the user's input (scenario files, edge lists, options,
output directory) print one message and exit with code 2, without a traceback.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import signal
import sys
import threading
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Annotated, Any, NoReturn, get_args

import typer
import typer.core
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table

import sim
from sim.errors import allowed_range, problem_text, validation_problems
from sim.text import did_you_mean, outcome_legend, plural, slug
from sim.validation import CheckResult
from sim.validation import all_checks as validation_checks

__all__ = ["app", "CliError"]


class _Conventions:
    """What every command and the group share, set here once over typer's defaults: a flag
    takes no value, so the help shows none (typer's Rich help writes ``<bool>`` after it, as if
    ``--json true`` were meant); a value that fails an option's check is explained as a scenario
    file's is (``must be between 1 and 1000 (at least 1)``, not pydantic's wording)."""

    def get_params(self, ctx: typer.Context) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""  # shown in place of the type
        return params

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        from pydantic import ValidationError

        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except typer.BadParameter as error:
            if isinstance(error.__cause__, ValidationError):
                low, high = (getattr(error.param, bound, None) for bound in ("min", "max"))
                error.message = problem_text(error.__cause__.errors()[0], allowed_range(low, high))
            raise


class _Command(_Conventions, typer.core.TyperCommand):
    """A command whose usage line names its arguments as click does: ``TARGETS...``,
    ``SCENARIO``, ``[NAME]`` when optional (typer writes ``{targets}...``)."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar or param.name.upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces


class _Group(_Conventions, typer.core.TyperGroup):
    """The ``longgame`` group, with the commands' conventions."""


app = typer.Typer(
    name="longgame",
    help="Simulate how social-media audiences respond to brand strategies over months and years.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
)


def command(name: str | None = None) -> Callable[[Callable], Callable]:
    """``app.command`` with the docstring's paragraphs each on one line (Rich keeps a help
    text's line breaks, which would cut the help mid-sentence) and the conventions of
    ``_Command``."""

    def register(function: Callable) -> Callable:
        paragraphs = inspect.cleandoc(function.__doc__ or "").split("\n\n")
        prose = "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)
        return app.command(name, help=prose, cls=_Command)(function)

    return register


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


def _check_seeds(first_seed: int, seeds: int) -> None:
    """A CliError for seeds that go past the largest (``sim.runner.check_seeds``)."""
    from sim.runner import check_seeds

    try:
        check_seeds(first_seed, seeds)
    except ValueError as error:
        raise CliError(f"{error} (--seed)") from None


def _stdout() -> Console:
    """Console for results; unlimited width when piped, so table rows stay on one line."""
    piped = not sys.stdout.isatty()
    return Console(highlight=False, width=1000 if piped else None)


def _user_error_types() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's input at fault (imported here, when an error is caught,
    to keep the CLI's start fast)."""
    from pydantic import ValidationError

    from sim.audience.edgelist import EdgeListError
    from sim.errors import ScenarioError
    from sim.output import OutputError

    return (CliError, OutputError, ValidationError, ScenarioError, EdgeListError)


def _message(error: BaseException) -> str:
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        return f"invalid {error.title}: {validation_problems(error)}"
    return str(error)


@contextlib.contextmanager
def _to_stdout() -> Iterator[None]:
    """Around writing results to stdout: a failure to write them (a full disk, a file that
    cannot grow) becomes an OutputError, one line on stderr and exit code 2 within
    ``_user_errors``, not a traceback. What could not be written is then sent to os.devnull,
    so that the interpreter's last flush of stdout does not fail again (as Rich does for a
    closed pipe). A closed pipe (``| head``) is left to click and Rich, which end quietly."""
    from sim.output import cannot_write

    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        _discard_stdout()
        raise cannot_write("the results to stdout", error) from None


def _discard_stdout() -> None:
    """Point stdout's file descriptor at os.devnull (when it has one: not under a test runner's
    capture)."""
    with contextlib.suppress(OSError, ValueError):
        descriptor = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, descriptor)
        os.close(devnull)


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


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's identity and age (inode, mtime), None if it does not exist."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


def _result_state(out: Path) -> Callable[[], str]:
    """What ``out`` holds after an interrupt: results are written as a set (sim.output.Staging),
    so the previous result or the complete new one; the manifest's identity tells which."""
    from sim.output import MANIFEST

    manifest = Path(out) / MANIFEST
    before = _stamp(manifest)

    def describe() -> str:
        after = _stamp(manifest)
        if after is not None and after != before:
            return f"the new results in {out} were complete before it"
        if before is not None:
            return f"no new results were written; {out} keeps its previous results"
        return f"no results were written to {out}"

    return describe


@contextlib.contextmanager
def _interruptible(describe: Callable[[], str]) -> Iterator[None]:
    """On Ctrl-C, SIGTERM or SIGHUP say what was kept (``describe()``) and exit 128 + the
    signal's number (130, 143, 129), as a shell reports a command the signal stopped."""
    from sim.interrupts import Terminated, sigterm_interrupts

    try:
        with sigterm_interrupts():
            yield
    except KeyboardInterrupt as interrupt:
        stopped = interrupt.signal if isinstance(interrupt, Terminated) else signal.SIGINT
        name = "Ctrl-C" if stopped == signal.SIGINT else stopped.name
        with contextlib.suppress(OSError):  # a closed terminal (SIGHUP) takes no more output
            typer.echo(f"interrupted ({name}): {describe()}", err=True)
        raise typer.Exit(128 + stopped) from None


class _LazyProgress:
    """A progress bar on stderr, shown after about a second: ``label`` (what runs, e.g. the
    scenario's or experiment's name), the bar, ``unit``s done/total, elapsed time and ETA."""

    def __init__(self, total: int, label: str, delay: float = 1.0, unit: str = "runs") -> None:
        self._progress = Progress(
            TextColumn(
                "{task.description}",
                table_column=Column(max_width=32, no_wrap=True, overflow="ellipsis"),
            ),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=_stderr(),
            transient=False,
        )
        self._unit = unit
        self._failed = 0
        self._task = self._progress.add_task(label, total=total, unit=unit)
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

    def failed(self, index: int, error: str) -> None:
        """One of the units done failed: say beside the count how many have."""
        self._failed += 1
        self._progress.update(self._task, unit=f"{self._unit}, {self._failed} failed")

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


def _command() -> list[str]:
    """This command line as the user would type it (for the manifest)."""
    return ["longgame", *sys.argv[1:]]


def _note_empty(targets: list[str]) -> None:
    """Say on stderr which of the given files set nothing (an empty file is valid, and runs every
    default: a user may have saved the wrong file)."""
    from sim.audience.edgelist import is_file

    for target in targets:
        path = Path(target)
        if not is_file(path):
            continue
        try:
            empty = not tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # the loader reports what is wrong with it
        if empty:
            _stderr().print(f"note: {path} sets nothing: every value is the default")


def _is_comparison(target: str) -> bool:
    """Whether a single ``compare`` argument is a comparison rather than a strategy.

    A TOML file is a comparison if its top level has ``strategies`` or ``scenario``; a name is one
    if it is a shipped comparison (``quick``, or ``comparisons/quick``) and not a shipped
    strategy.
    """
    from sim.audience.edgelist import is_file
    from sim.loading import list_presets, shipped_name

    path = Path(target)
    if is_file(path):
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return False  # load_strategy reports what is wrong with it
        return "strategies" in data or "scenario" in data
    strategies = {name for name, _ in list_presets("strategy")}
    comparisons = {name for name, _ in list_presets("comparison")}
    return (
        shipped_name("comparison", target) in comparisons
        and shipped_name("strategy", target) not in strategies
    )


def _print_final(
    df: Any,
    *,
    title: str,
    as_json: bool,
    made_by: dict[str, Any] | None = None,
    against: tuple[str, Any] | None = None,
    market: Any = None,
) -> None:
    """The final outcomes as a table on stdout, or as JSON (with ``made_by``: what made them);
    with ``against`` (a strategy, and the others' paired differences from it:
    ``sim.summary.paired_with``), those differences after them; with ``market`` (a market scan,
    ``_market_scan``), the profits by market size and the break-even market sizes."""
    from sim import summary
    from sim.tables import final_tables, market_json, market_tables, paired_json, paired_tables

    final = summary.final_outcomes(df)
    with _to_stdout():
        if as_json:
            document = summary.to_json(final)
            if against is not None:
                document["against"] = paired_json(*against)
            if market is not None:
                document["market"] = market_json(market)
            if made_by is not None:
                version = {"version": sim.__version__, "source_digest": sim.source_digest()}
                document["made_by"] = {**made_by, **version}
            typer.echo(json.dumps(document, indent=2, allow_nan=False))
            return
        seeds = int(final["seeds"].max())
        days = int(final["days"].max())
        caption = f"after {plural(days, 'day')}, {plural(seeds, 'seed')}: {outcome_legend(seeds)}"
        console = _stdout()
        for table in final_tables(final, f"{title} ({caption})", console):
            console.print(table)
        if against is not None:
            reference, paired = against
            for table in paired_tables(paired, reference, seeds, console):
                console.print(table)
        if market is not None:
            for table in market_tables(market, console):
                console.print(table)


CHECKED_PEOPLE = 20_000
CHECKED_MARKET = 50_000
"""The smallest audience (simulated people) and market (real people) on which the headline
claims were checked (docs/model.md, Known limitations)."""
IDLE_BUDGET = 0.9
"""Below this share of its weekly hours, a strategy's budget is said not to bind."""


def _print_notes(df: Any, scenario: Any, strategies: Sequence[Any] | None = None) -> None:
    """Notes on stderr about what the results rest on: a market smaller than the claims were
    checked on, paid reach (uncalibrated), ``strategies`` (those a comparison played as the
    first brand) that used well under their weekly hours, and nobody commenting."""
    from sim import summary

    notes = []
    people = scenario.audience.graph.people
    market = people * scenario.market.scale
    if people < CHECKED_PEOPLE or market < CHECKED_MARKET:
        notes.append(
            f"an audience of {people:,} simulated people ({market:,.0f} real): the headline "
            f"claims were checked from about {CHECKED_PEOPLE:,} simulated and {CHECKED_MARKET:,} "
            "real people, and smaller markets can reverse them (docs/model.md, Known limitations)"
        )
    played = list(strategies or (brand.strategy for brand in scenario.brands))
    if boosted := [strategy.name for strategy in played if strategy.boost_budget > 0]:
        notes.append(
            f"the value of the paid reach bought by {', '.join(boosted)} is not calibrated: it "
            "rests on an assumed price per 1,000 impressions (docs/model.md, Known limitations)"
        )
    if strategies:
        used = summary.hours_per_active_week(df, scenario.brands[0].name)
        idle = [
            f"{strategy.name} {used[strategy.name]:.1f} of {strategy.weekly_hours:g}"
            for strategy in strategies
            if used.get(strategy.name, math.inf) < IDLE_BUDGET * strategy.weekly_hours
        ]
        if idle:
            notes.append(
                "weekly_hours is a budget, and cost counts the hours used; used a week while "
                f"active: {', '.join(idle)} (docs/model.md, Strategy)"
            )
    if silent := summary.without_comments(df):
        notes.append(
            f"nobody commented on {', '.join(silent)} in any run, so replies had nothing to act "
            "on there (on a small audience or a short horizon few people comment: "
            "docs/teaching.md, What not to claim)"
        )
    for note in notes:
        _stderr().print(f"note: {note}")


def _check_against(against: str, names: list[str]) -> None:
    """Refuse an --against that is not a compared strategy, or is the only one (there would be
    nothing to pair it with)."""
    if against not in names:
        raise CliError(
            f"--against {against!r} is not one of the compared strategies"
            f"{did_you_mean(against, names)}: {', '.join(names)}"
        )
    if names == [against]:
        raise CliError(
            f"nothing to compare against: {against} is the only strategy; name the strategies "
            f"to measure against it too (longgame compare {against} OTHER... --against {against})"
        )


def _made_by(kind: str, name: str, engine: str, df: Any, paths: dict[str, Path]) -> dict[str, Any]:
    """What made a result, for its JSON: the scenario or comparison, engine, seeds, manifest."""
    from sim.output import seeds_of

    return {kind: name, "engine": engine, "seeds": seeds_of(df), "manifest": str(paths["manifest"])}


def _print_written(paths: dict[str, Path]) -> None:
    """Where a run's or comparison's files are (on stderr)."""
    log = _stderr()
    log.print(f"Daily metrics: {paths['parquet']} (and {paths['csv'].name})")
    log.print(f"Final outcomes: {paths['summary']}")
    if "paired" in paths:
        log.print(f"Paired differences: {paths['paired']}")
    if "market" in paths:
        log.print(f"Break-even market sizes: {paths['market']} (and {paths['market_chart'].name})")
    log.print(f"Chart: {paths['chart']} (and {paths['chart_svg'].name})")


def _engine_name(value: str) -> str:
    """Check an --engine name against sim.model.ENGINES (a bad one is a usage error)."""
    from sim.model import ENGINES

    if value not in ENGINES:
        raise typer.BadParameter(
            f"unknown engine {value!r}{did_you_mean(value, ENGINES)}; available: "
            f"{', '.join(ENGINES)}"
        )
    return value


def _note_compiling() -> None:
    """Say so when the model's kernels are still to be compiled: the first run in a fresh
    checkout takes about a minute longer, which would otherwise pass in silence."""
    from sim.engines import kernels

    if not kernels.compiled():
        _stderr().print("First run here: compiling the model's kernels (about a minute, once).")


LARGE_AUDIENCE = 1_000_000
"""From this many people, say that each seed builds its audience before its first day."""


def _note_large_audience(scenario: Any, processes: int) -> None:
    """Say so when each seed first spends a while building a large audience, during which the
    progress bar cannot move (docs/performance.md: about 50 s for 150 million edges), once it
    is known to fit in memory for ``processes`` at once."""
    from sim.audience.memory import check_memory, graph_size

    people, edges = graph_size(scenario.audience.graph)
    if people >= LARGE_AUDIENCE:
        check_memory(scenario, copies=processes)
        _stderr().print(
            f"Each seed first builds its audience: {people:,} people, {edges:,} edges (about "
            f"{max(1, round(edges / 3e6)):,} s on a 2-core machine) before its first day."
        )


def _direction(value: str | None) -> str | None:
    """Check a --direction against the schema's choices (a bad one is a usage error)."""
    from sim.schema import Graph

    choices = get_args(Graph.model_fields["direction"].annotation)
    if value is not None and value not in choices:
        raise typer.BadParameter(
            f"{value!r}{did_you_mean(value, choices)}; choose one of: {', '.join(choices)}"
        )
    return value


def _scheduler(value: str | None) -> str | None:
    """Check the form of a --scheduler address (a bad one is a usage error, before the sweep
    starts; whether a scheduler answers there is known only on connecting)."""
    if value is not None:
        from experiments.executors import scheduler_problem

        if (problem := scheduler_problem(value)) is not None:
            raise typer.BadParameter(f"{value!r}: {problem}; e.g. tcp://10.0.0.5:8786")
    return value


def _most_days() -> int:
    """The longest horizon the schema allows."""
    from sim.schema import Scenario, bounds

    return int(bounds(Scenario.model_fields["days"])[1])


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


DaysOption = Annotated[
    int | None,
    typer.Option(min=1, max=_most_days(), help="Horizon in days (default: the scenario's)."),
]
SeedOption = Annotated[
    int | None,
    typer.Option(
        min=0,  # the schema checks the top (2**63 - 1), too long a number for the help's column
        help="First seed: the runs use seeds N, N+1, ... (default: the scenario's seed).",
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        help="Simulation engine: vector (fast) or agents (a Mesa agent per person).",
        callback=_engine_name,
    ),
]


def _allow_large(value: bool) -> bool:
    """--allow-large: skip the size guard here and in worker processes (through the
    environment variable they inherit)."""
    if value:
        from sim.audience.memory import ALLOW_LARGE_ENV

        os.environ[ALLOW_LARGE_ENV] = "1"
    return value


WorkersOption = Annotated[
    int, typer.Option(min=1, max=256, help="Parallel processes (seeds run in parallel).")
]
AllowLargeOption = Annotated[
    bool,
    typer.Option(
        "--allow-large",
        help="Run even if the audience needs more memory than is available "
        "(or set LONGGAME_ALLOW_LARGE=1).",
        callback=_allow_large,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print only the final outcomes as JSON (on stdout).")
]


@command()
def presets(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the lists as JSON (on stdout).")
    ] = False,
) -> None:
    """List the shipped strategies, audiences, platforms, scenarios, comparisons and sweep
    experiments, with what each one shows."""
    with _user_errors():
        from experiments.spec import list_experiments
        from sim.loading import list_presets

        found = {kind: list_presets(kind) for kind, _ in PRESET_KINDS}
        found["experiment"] = list_experiments()
        headings = [*PRESET_KINDS, ("experiment", "Sweep experiments (longgame sweep NAME)")]
        if as_json:
            document = {
                kind: [{"name": name, "description": text} for name, text in items]
                for kind, items in found.items()
            }
            with _to_stdout():
                typer.echo(json.dumps(document, indent=2))
            return
        console = _stdout()
        with _to_stdout():
            for kind, heading in headings:
                table = Table(title=heading, title_justify="left", header_style="bold")
                table.add_column("name", no_wrap=True, style="cyan")
                table.add_column("description")
                for name, description in found[kind]:
                    table.add_row(name, description)
                console.print(table)


@command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file (TOML) or preset name.")],
    days: DaysOption = None,
    seeds: Annotated[int, typer.Option(min=1, max=1000, help="Seeds to run.")] = DEFAULT_SEEDS,
    seed: SeedOption = None,
    engine: EngineOption = "vector",
    workers: WorkersOption = min(2, os.cpu_count() or 1),
    out: Annotated[
        Path | None, typer.Option(help="Output directory (default: out/<scenario name>).")
    ] = None,
    as_json: JsonOption = False,
    allow_large: AllowLargeOption = False,
) -> None:
    """Run a scenario over several seeds; write daily metrics and a manifest; print a summary."""
    with _user_errors():
        from sim.charts import trajectories_figure
        from sim.loading import files_read, inputs_of, load_scenario
        from sim.output import ensure_results_dir, write_results
        from sim.runner import run_seeds

        with files_read() as read:
            resolved = load_scenario(scenario)
        _note_empty([scenario])
        if days is not None:
            resolved = _replace(resolved, days=days)
        if seed is not None:
            resolved = _replace(resolved, seed=seed)
        _check_seeds(resolved.seed, seeds)
        out = out or Path("out") / slug(resolved.name, "scenario")
        ensure_results_dir(out)
        log = _stderr()
        _note_compiling()
        log.print(
            f"Running {resolved.name!r}: {plural(seeds, 'seed')} x {plural(resolved.days, 'day')}"
            f", engine {engine}"
        )
        _note_large_audience(resolved, min(workers, seeds))
        with _interruptible(_result_state(out)):
            with (
                _LazyProgress(seeds, resolved.name) as progress,
                contextlib.redirect_stdout(sys.stderr),
            ):
                df = run_seeds(
                    resolved,
                    seeds,
                    days=resolved.days,
                    engine=engine,
                    progress=progress,
                    workers=workers,
                )
            chart = trajectories_figure(df, title=f"{resolved.name}, {plural(seeds, 'seed')}")
            paths = write_results(
                df,
                out,
                scenario=resolved,
                engine=engine,
                command=_command(),
                figures={"chart": chart},
                inputs=inputs_of(read, resolved),
            )
        _print_written(paths)
        made_by = _made_by("scenario", resolved.name, engine, df, paths)
        _print_final(df, title=resolved.name, as_json=as_json, made_by=made_by)
        _print_notes(df, resolved)


@command()
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
        str | None,
        typer.Option(
            help="Audience preset or file replacing the scenario's (each brand keeps its day-0 "
            "followers as the same share of the people)."
        ),
    ] = None,
    graph: Annotated[
        str | None,
        typer.Option(
            help="Edge-list file (or shipped graph name) replacing the audience's graph (day-0 "
            "followers keep their share of the people): a line 'u v' per edge, or CSV; '#' or "
            "'%' starts a comment (docs/scenarios.md, Audience).",
        ),
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option(
            help="How to read --graph lines 'u v': undirected, follows or flows "
            "(default: the shipped graph's, else undirected).",
            callback=_direction,
        ),
    ] = None,
    days: DaysOption = None,
    seeds: Annotated[
        int | None,
        typer.Option(
            min=1, max=1000, help="Seeds per strategy (default: the comparison file's, else 5)."
        ),
    ] = None,
    seed: SeedOption = None,
    engine: EngineOption = "vector",
    workers: WorkersOption = min(2, os.cpu_count() or 1),
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("out/compare"),
    as_json: JsonOption = False,
    against: Annotated[
        str | None,
        typer.Option(
            help="A compared strategy to measure the others against: each one's difference "
            "from it in followers, equity, revenue and incremental profit, paired on the same "
            "seeds, and where that difference is clear of 0 (also written to paired.csv)."
        ),
    ] = None,
    markets: Annotated[
        bool,
        typer.Option(
            "--markets",
            help="Also run the comparison in markets a quarter, half, twice and four times as "
            "large (each brand followed by the same share of the market) and report each "
            "strategy's break-even market size (market.csv, market.png).",
        ),
    ] = False,
    allow_large: AllowLargeOption = False,
) -> None:
    """Compare strategies on the same scenario and seeds; print final outcomes; draw a chart."""
    with _user_errors():
        if direction is not None and graph is None:
            raise CliError("--direction needs --graph")

        from sim import loading
        from sim.charts import market_chart, trajectories_figure
        from sim.output import ensure_results_dir, write_results
        from sim.runner import compare as run_comparison
        from sim.runner import on_edge_list, with_audience
        from sim.summary import paired_with
        from sim.tables import paired_frame

        _note_empty(targets)
        with loading.files_read() as read:
            comparison = _comparison_of(targets)
            scenario = comparison.scenario
            if audience is not None:
                scenario = with_audience(scenario, loading.load_audience(audience))
        if graph is not None:
            from sim.audience.edgelist import resolve_graph_path, shipped_direction

            path = resolve_graph_path(graph, Path.cwd()).resolve()
            read_as = direction or shipped_direction(path) or "undirected"
            name = path.name.split(".")[0][:80] or "graph"
            scenario = on_edge_list(scenario, path, read_as, name)
        if days is not None:
            scenario = _replace(scenario, days=days)
        if seed is not None:
            scenario = _replace(scenario, seed=seed)
        comparison = _replace(comparison, scenario=scenario, seeds=seeds or comparison.seeds)
        _check_seeds(scenario.seed, comparison.seeds)
        inputs = loading.inputs_of(read, scenario)
        names = [strategy.name for strategy in comparison.strategies]
        if against is not None:
            _check_against(against, names)

        ensure_results_dir(out)
        runs = len(comparison.strategies) * comparison.seeds
        log = _stderr()
        _note_compiling()
        log.print(
            f"Comparing {plural(len(comparison.strategies), 'strategy')} x "
            f"{plural(comparison.seeds, 'seed')}, {plural(scenario.days, 'day')}, engine {engine}"
        )
        _note_large_audience(scenario, min(workers, comparison.seeds))
        with _interruptible(_result_state(out)):
            with (
                _LazyProgress(runs, comparison.name) as progress,
                contextlib.redirect_stdout(sys.stderr),
            ):
                df = run_comparison(
                    comparison,
                    days=scenario.days,
                    seeds=comparison.seeds,
                    engine=engine,
                    progress=progress,
                    workers=workers,
                )
            paired = None if against is None else (against, paired_with(df, against))
            market = _market_scan(comparison, df, engine, workers) if markets else None
            tables = {"paired": None if paired is None else paired_frame(*paired), "market": market}
            brands = scenario.brands
            played = f", as brand {brands[0].name}" if len(brands) > 1 else ""
            title = f"{comparison.name}, {plural(comparison.seeds, 'seed')}{played}"
            figures = {"chart": trajectories_figure(df, title=title)}
            if market is not None:
                figures["market_chart"] = market_chart(market)
            paths = write_results(
                df,
                out,
                scenario=comparison,
                engine=engine,
                command=_command(),
                tables=tables,
                figures=figures,
                inputs=inputs,
            )
        _print_written(paths)
        made_by = _made_by("comparison", comparison.name, engine, df, paths)
        _print_final(
            df,
            title=comparison.name,
            as_json=as_json,
            made_by=made_by,
            against=paired,
            market=market,
        )
        _print_notes(df, scenario, comparison.strategies)


def _comparison_of(targets: list[str]) -> Any:
    """The comparison ``compare``'s arguments name: a single comparison file (or name), or
    strategies to try in place of the first brand's on the base scenario."""
    from sim import loading

    if len(targets) == 1 and _is_comparison(targets[0]):
        return loading.load_comparison(targets[0])
    for target in targets:
        if target.lower() in ("true", "false") and not Path(target).exists():
            raise CliError(
                f"{target!r} is not a strategy: a flag takes no value "
                f"(write --json, not --json {target})"
            )
    return loading.comparison_of(targets)


def _market_scan(comparison: Any, df: Any, engine: str, workers: int) -> Any:
    """The comparison again in the other markets (``sim.market.scan_factors``; its own size is
    ``df``): incremental profit at the horizon per strategy and market size."""
    from sim import summary
    from sim.audience import people_in
    from sim.market import at_market, market_profits, scan_factors
    from sim.runner import compare as run_comparison

    scenario = comparison.scenario
    factors = scan_factors(scenario)
    finals = {1.0: summary.final_outcomes(df)}
    runs = len(factors) * len(comparison.strategies) * comparison.seeds
    with (
        _LazyProgress(runs, "market sizes") as progress,
        contextlib.redirect_stdout(sys.stderr),
    ):
        for factor in factors:
            scaled = _replace(comparison, scenario=at_market(scenario, factor))
            frames = run_comparison(scaled, engine=engine, progress=progress, workers=workers)
            finals[factor] = summary.final_outcomes(frames)
    market = people_in(scenario.audience.graph) * scenario.market.scale
    return market_profits(finals, market)


SERVE_APP = "from sim.cli import serve_app; serve_app()"
"""The program ``longgame app`` replaces itself with (``python -c``); solara's arguments follow."""


def serve_app() -> None:
    """Run solara's command line on ``sys.argv[1:]`` (the server of ``longgame app``), stopped
    by Ctrl+C, the documented way, with exit code 0 and nothing more on stderr: uvicorn shuts
    down on the signal and then raises it again, which solara's command line would report as
    "Aborted." and exit code 1."""
    signal.signal(signal.SIGINT, _stopped)
    from solara.__main__ import main as solara_main

    solara_main()


def _stopped(signum: int, frame: FrameType | None) -> NoReturn:
    """SIGINT handler of the app's server: a normal end."""
    raise SystemExit(0)


@command("app")
def app_command(
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8765,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open a browser tab.")
    ] = False,
) -> None:
    """Start the web app (Solara, viz/app.py) on http://HOST:PORT; stop it with Ctrl+C (exit
    code 0)."""
    import socket

    with _user_errors(), socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CliError(
                f"cannot serve on {host}:{port} ({error.strerror}); try --port"
            ) from None
    app_file = Path(__file__).resolve().parents[1] / "viz" / "app.py"
    command = [sys.executable, "-c", SERVE_APP, "run", str(app_file), "--host", host]
    command += ["--port", str(port), "--open" if open_browser else "--no-open"]
    environment = {
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
        # Solara warns about its session cookie on every start; the app needs no cross-site use
        "PYTHONWARNINGS": "ignore::UserWarning:solara.server.starlette",
        **os.environ,
    }
    _stderr().print(f"longgame app on http://{host}:{port} (Ctrl+C stops it)")
    sys.stderr.flush()
    os.execve(sys.executable, command, environment)  # the server replaces this process


# -- sweeps --------------------------------------------------------------------------------------


@command()
def sweep(
    experiment: Annotated[
        str, typer.Argument(help="Experiment file (TOML), or the name of one in experiments/.")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Sweep directory (default: out/sweeps/<experiment name>).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="Worker processes (default: every core); 1: serial."),
    ] = None,
    dask: Annotated[
        bool, typer.Option("--dask", help="Run on a local Dask cluster of --workers processes.")
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Submit to an existing Dask cluster at this address (tcp://HOST:PORT).",
            callback=_scheduler,
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish a sweep in --out, skipping its finished runs.")
    ] = False,
) -> None:
    """Run a parameter sweep: every point x seed of an experiment (docs/sweeps.md).

    Each run is stored as it finishes; --resume finishes an interrupted sweep. Exit 1 if runs
    failed.
    """
    with _user_errors():
        if scheduler and (dask or workers):
            raise CliError("--scheduler uses the cluster's workers; drop --dask and --workers")
        from experiments.executors import DaskExecutor, ExecutorError, make_executor
        from experiments.spec import load_experiment
        from experiments.store import MANIFEST
        from experiments.sweep import Sweep
        from sim.output import OutputError

        spec = load_experiment(experiment)
        out = out or Path("out") / "sweeps" / slug(spec.name, "scenario")
        executor = make_executor(workers, dask=dask, scheduler=scheduler)
        if isinstance(executor, DaskExecutor):
            try:
                executor.connect()  # before the sweep's directory is written
            except ExecutorError as error:
                raise CliError(str(error)) from None
        run = Sweep(spec, out, resume=resume, command=_command())
        log = _stderr()
        if run.store.rebuilt:
            log.print(
                f"note: {out}/{MANIFEST} was damaged: moved to {out}/damaged/ and rebuilt from "
                f"the {plural(len(run.finished), 'finished run')} (their files say which "
                "experiment and code made them; the first start's command line and input files "
                "are not known any more, so edge lists cannot be checked against them)"
            )
        other, now = run.store.code_changes()
        if run.finished and other:
            log.print(
                f"note: runs stored in {out} before were made by {' and '.join(other)}, the runs "
                f"made now by {now}: if the model changed in between, they differ (the "
                "manifest's 'resumed' records each start's code)"
            )
        if run.damaged:
            shown = ", ".join(str(index) for index in run.damaged[:5])
            more = f" and {len(run.damaged) - 5} more" if len(run.damaged) > 5 else ""
            log.print(
                f"note: the files of {plural(len(run.damaged), 'finished run')} ({shown}{more}) "
                f"were damaged (cut short or empty): moved to {out}/damaged/, to run again"
            )
        _note_compiling()
        to_do = (
            f"running {len(run.remaining)} {executor.description}"
            if run.remaining
            else "nothing to run"
        )
        log.print(
            f"Sweep {spec.name!r}: {plural(run.total, 'run')} ({plural(len(run.points), 'point')}"
            f" x {plural(spec.seeds, 'seed')}, each {plural(len(spec.strategies), 'strategy')}"
            f" x {plural(spec.days, 'day')}); {len(run.finished)} finished before; {to_do}"
        )

        def stored() -> str:
            return (
                f"{len(run.store.finished())} of {run.total} runs are stored in {out}; "
                "run again with --resume to finish the sweep"
            )

        try:
            unit = f"runs ({len(run.finished)} done before)" if run.finished else "runs"
            with (
                _interruptible(stored),
                _LazyProgress(len(run.remaining), spec.name, unit=unit) as progress,
                contextlib.redirect_stdout(sys.stderr),
            ):
                report = run.execute(executor, progress, progress.failed)
        except ExecutorError as error:
            raise CliError(f"{error}; {stored()}") from None
        except OutputError as error:  # a full disk, a quota: what was stored before is kept
            raise OutputError(f"{error}; {stored()}") from None
        log.print(f"Results: {out}/runs/ ({report.finished_before + report.finished_now} runs)")
        for index, error in list(report.failed.items())[:5]:
            log.print(f"run {index} failed: {error}")
        done = report.finished_before + report.finished_now
        with _to_stdout():
            typer.echo(f"{done}/{report.total} runs finished in {out} ({report.seconds:.1f} s)")
        if report.failed:
            log.print(
                f"{plural(len(report.failed), 'run')} failed (see {out}/failed/); "
                "run again with --resume to retry them"
            )
            raise typer.Exit(1)


@command()
def analyze(
    directory: Annotated[Path, typer.Argument(help="Sweep directory written by longgame sweep.")],
    out: Annotated[
        Path | None, typer.Option(help="Report directory (default: DIRECTORY/analysis).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the robustness report as JSON.")
    ] = False,
    comparisons: Annotated[
        Path | None,
        typer.Option(
            help="Judge the sweep on this experiment file's [[comparisons]] instead of its "
            "own (the same experiment otherwise): comparisons added after a sweep ran, "
            "without running it again.",
        ),
    ] = None,
) -> None:
    """Analyse a sweep: summaries, global sensitivity (SALib) and the headline comparisons.

    Summaries per strategy and parameter, sensitivity indices of each outcome, and where each
    headline comparison holds; writes report.md, analysis.json and PNGs.
    """
    with _user_errors():
        from experiments.analysis import (
            ensure_report_dir,
            failure_text,
            holds_text,
            json_safe,
            judged_on,
            load_sweep,
            robustness,
            target_names,
            write_report,
        )
        from experiments.spec import load_experiment

        data = load_sweep(directory)
        if comparisons is not None:
            data = judged_on(data, load_experiment(comparisons), str(comparisons))
        out = out or Path(directory) / "analysis"
        ensure_report_dir(out)
        targets = len(target_names(data))
        report = robustness(data)
        with (
            _LazyProgress(targets, "sensitivity", unit="targets") as progress,
            contextlib.redirect_stdout(sys.stderr),
        ):
            paths = write_report(data, out, progress=progress, robust=report)
        _stderr().print(f"Report: {paths['markdown']} (and analysis.json, PNG figures)")
        if as_json:
            with _to_stdout():
                typer.echo(json.dumps(json_safe(report), indent=2, allow_nan=False))
            return
        if not report["comparisons"]:
            _stderr().print("The experiment names no comparisons to check.")
            return
        table = Table(
            title=f"{data.experiment.name}: where the comparisons hold "
            f"({report['points']} points, {report['runs']} runs)",
            title_style="bold",
            header_style="bold",
        )
        for column in ("comparison", "holds at", "where it fails"):
            table.add_column(column)
        for item in report["comparisons"]:
            table.add_row(item["name"], holds_text(item), failure_text(item))
        with _to_stdout():
            _stdout().print(table)


# -- validate ------------------------------------------------------------------------------------


@command()
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
    figures: Annotated[
        Path | None,
        typer.Option(help="Write the checks' figures here (docs/figures for the validation page)."),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option(help="Also write the result table as Markdown to this file.")
    ] = None,
) -> None:
    """Validate the model against known results (exit 1 on failure; docs/validation.md).

    Checks: the agent and vector engines dock; the Bass limit; the independent cascade; the
    calibration against published figures; the shipped real graphs. Prints one row per check and
    case: pass or FAIL, the measured figure beside its limit and, on failure, what went wrong.
    """
    grid = "full" if full else "quick"
    log = _stderr()
    results: list[CheckResult] = []

    def kept() -> str:
        if not results:
            return "validation stopped before any check finished; no table or figure was written"
        done = ", ".join(dict.fromkeys(result.check for result in results))
        return f"validation stopped; the checks that finished ({done}) are reported above"

    with _user_errors():
        _note_compiling()
        for check in validation_checks():
            runs = check.runs(grid, only)
            if runs == 0:
                continue
            log.print(f"Validating {check.name}: {grid} grid, {plural(runs, 'run')}")
            with _interruptible(kept), _LazyProgress(runs, check.name) as progress:
                found = check.check(grid, only, workers, progress)
            results.extend(found)
            _report_check(log, found, results, figures, markdown)
        if not results:
            raise CliError(f"no case matches --only {only!r}")
    passed = all(result.passed for result in results)
    from sim.tables import validation_table

    with _user_errors(), _to_stdout():
        title = f"longgame validate --{grid}: {_verdict(results)}"
        _stdout().print(validation_table(results, title))
    if not passed:
        raise typer.Exit(1)


def _verdict(results: list[CheckResult]) -> str:
    """A validation's verdict on ``results``: "all passed" or "FAILED"."""
    return "all passed" if all(result.passed for result in results) else "FAILED"


def _report_check(
    log: Console,
    found: list[CheckResult],
    results: list[CheckResult],
    figures: Path | None,
    markdown: Path | None,
) -> None:
    """Report a check as soon as it finishes (a full validation runs for hours): its rows and
    figures, and the Markdown table of every check finished so far, so that an interrupted
    validation keeps what it has found."""
    from sim.tables import validation_table

    if not found:
        return
    log.print(validation_table(found, f"{found[0].check}: {_verdict(found)}"))
    if figures is not None:
        for result in found:
            if result.figure is not None:
                log.print(f"Figure: {result.figure(figures)}")
    if markdown is not None:
        from sim.output import atomic_write
        from sim.validation.checks import markdown_table

        text = markdown_table(results)
        atomic_write(markdown, lambda path: path.write_text(text, encoding="utf-8"))
        log.print(f"Table so far: {markdown}")


if __name__ == "__main__":  # pragma: no cover
    app()
