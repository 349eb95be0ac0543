"""Compare: 2-6 strategies on one audience, horizon and seeds; charts, table, vanity vs value,
and on request the break-even market size (the comparison again at other market sizes).

Each strategy runs in the background, one after the other, with its own progress bar; its
results join the charts and table when it finishes. Cancel stops the run after the current seed.
Runs are cached for the session (``viz.jobs.RunCache``), so re-running the same choices is
instant. Runs are bounded as ``viz.limits`` says; a run waiting for a free run slot of the
server shows as queued.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

import pandas as pd
import solara
from matplotlib.figure import Figure

from sim import summary
from sim.charts import market_chart
from sim.market import MARKET_FACTORS, at_market, break_evens, market_profits, scan_factors
from sim.output import provenance, seeds_of
from sim.schema import Comparison, Strategy
from sim.text import outcome_legend, plural
from viz import charts
from viz.choices import (
    GENERATORS,
    AudienceChoice,
    audience_for,
    comparison_for,
    preset_audiences,
    real_graphs,
    resolve_strategy,
    small_market_note,
    strategy_names,
)
from viz.components import (
    ChartCard,
    NumberInput,
    OutcomeGlossary,
    ResultExports,
    StaleNote,
    TableCard,
    kept,
)
from viz.jobs import ENGINE, Job, run_strategy
from viz.limits import MAX_PEOPLE, run_problem, setup_problem
from viz.state import announce, custom_strategies, run_cache
from viz.tables import final_table

__all__ = ["ComparePage", "CompareRun", "trajectory_alt", "vanity_alt"]

PAGE = "compare"
MIN_STRATEGIES, MAX_STRATEGIES = 2, 6
MIN_PEOPLE = 500
"""Fewest people of a generated audience (a market too small to say much; see small_market_note)."""


@dataclass(frozen=True, eq=False)
class CompareRun:
    """A comparison being run: progress per strategy (done, total, state) and finished frames."""

    number: int
    comparison: Comparison
    progress: dict[str, tuple[int, int, str]]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    error: str = ""
    queued: bool = False

    @property
    def running(self) -> bool:
        """Whether a strategy is still queued or running."""
        return any(state in ("queued", "running") for _, _, state in self.progress.values())

    def status(self, name: str) -> str:
        """A strategy's progress line: "running" only once its run has a slot (while the run
        waits for one, the strategy it waits with is "queued")."""
        done, total, state = self.progress[name]
        if state == "running" and self.queued:
            state = "queued"
        return f"{name}: {state} ({done}/{total} seeds)"

    def empty_note(self) -> str:
        """What the results area says while no strategy has finished: why none will, if so."""
        if self.error:
            return "The run failed before any strategy finished: no results."
        if self.running:
            return "Results appear here as each strategy finishes."
        return "Cancelled before any strategy finished: no results. Run again to start over."

    def metrics(self) -> pd.DataFrame | None:
        """The finished strategies' daily metrics, in the comparison's order."""
        frames = [self.frames[s.name] for s in self.comparison.strategies if s.name in self.frames]
        return pd.concat(frames, ignore_index=True) if frames else None


@dataclass(frozen=True, eq=False)
class MarketScan:
    """The comparison run ``run_number`` again at other market sizes (``sim.market``): runs
    done of ``total``, the final outcomes per market factor, and how the scan stands."""

    run_number: int
    total: int
    done: int = 0
    finals: dict[float, pd.DataFrame] = field(default_factory=dict)
    market: float = 0.0  # real people in the comparison's own market
    state: str = "running"  # running, done, cancelled or failed
    error: str = ""


selected = solara.reactive(["consistent_engagement", "broadcasting"])
audience = solara.reactive(AudienceChoice(preset="default"))  # where the model is calibrated
days = solara.reactive(730)
seeds = solara.reactive(3)
unparsed = solara.reactive({})  # number boxes whose text is not a number: label -> why
current = solara.reactive(None)  # CompareRun | None
job = solara.reactive(None)  # Job | None
market_scan = solara.reactive(None)  # MarketScan | None
market_job = solara.reactive(None)  # Job | None
_numbers = itertools.count(1)


def _update(number: int, **changes: object) -> None:
    """Apply changes to the run ``number`` if it is still the current one."""
    run = current.value
    if run is not None and run.number == number:
        current.set(dataclasses.replace(run, **changes))


def _set_progress(number: int, name: str, done: int, total: int, state: str) -> None:
    run = current.value
    if run is not None and run.number == number:
        current.set(dataclasses.replace(run, progress={**run.progress, name: (done, total, state)}))


def _problem() -> str:
    """Why the controls' comparison cannot run in the web app, or ''."""
    count = len(selected.value)
    own = (
        ""
        if MIN_STRATEGIES <= count <= MAX_STRATEGIES
        else f"Choose {MIN_STRATEGIES} to {MAX_STRATEGIES} strategies ({count} chosen)."
    )
    people = audience.value.people  # the most people is the web app's limit (run_problem)
    if not own and audience.value.kind == "generated" and people < MIN_PEOPLE:
        own = (
            f"A generated audience has {MIN_PEOPLE:,} to {MAX_PEOPLE:,} people ({people:,} chosen)."
        )
    strategies = _strategies() if not own else []
    return setup_problem(
        unparsed.value, own, strategies, audience.value, days.value, seeds.value, count
    )


def _strategies() -> list[Strategy]:
    """The chosen strategies (presets or the session's custom ones)."""
    return [resolve_strategy(name, custom_strategies.value) for name in selected.value]


def _chosen() -> Comparison:
    """The comparison the controls describe (``_problem`` says whether it can run)."""
    return comparison_for(_strategies(), audience_for(audience.value), days.value, seeds.value)


def stale_note(run: CompareRun) -> str:
    """A note when the controls no longer describe the comparison shown, or ''."""
    if _problem() or _chosen() == run.comparison:
        return ""
    return "The controls have changed since this run: Run again to see their results."


def start_run() -> None:
    """Start the comparison the controls describe (cancelling a run in progress); a comparison
    the web app does not run (``_problem``) is not started."""
    if _problem():
        return
    for running in (job.value, market_job.value):
        if running is not None:
            running.cancel()
    comparison = _chosen()
    number = next(_numbers)
    n = comparison.seeds
    current.set(
        CompareRun(number, comparison, {s.name: (0, n, "queued") for s in comparison.strategies})
    )
    cache = run_cache()

    def work(this: Job) -> None:
        for strategy in comparison.strategies:
            name = strategy.name
            _set_progress(number, name, 0, n, "running")
            frame = run_strategy(
                cache,
                comparison.scenario,
                strategy,
                n,
                job=this,
                progress=lambda done, name=name: _set_progress(number, name, done, n, "running"),
            )
            run = current.value
            if run is None or run.number != number:
                return
            current.set(
                dataclasses.replace(
                    run,
                    frames={**run.frames, name: frame},
                    progress={**run.progress, name: (n, n, "done")},
                )
            )
        announce(f"Run finished: {comparison.name}, {n} seeds; its results are shown.")

    def cancelled() -> None:
        run = current.value
        if run is not None and run.number == number:
            progress = {
                name: (done, total, "cancelled" if state != "done" else state)
                for name, (done, total, state) in run.progress.items()
            }
            current.set(dataclasses.replace(run, progress=progress))
            announce("Run cancelled.")

    def failed(message: str) -> None:
        cancelled()
        _update(number, error=message)
        announce(f"Run failed: {message}")

    def waiting(queued: bool) -> None:
        _update(number, queued=queued)

    job.set(Job(work, on_error=failed, on_cancel=cancelled, on_wait=waiting).start())


def _extra_market_runs(run: CompareRun) -> int:
    """Strategy runs a market scan adds to ``run`` (each factor but the comparison's own)."""
    return len(run.comparison.strategies) * len(scan_factors(run.comparison.scenario))


def _scan_problem(run: CompareRun) -> str:
    """Why the web app does not scan market sizes for ``run``, or ''."""
    comparison = run.comparison
    extra = _extra_market_runs(run)
    problem = run_problem(
        comparison.scenario.audience, comparison.scenario.days, comparison.seeds, extra
    )
    return f"Scanning market sizes runs {extra} more strategy runs: {problem}" if problem else ""


def _set_scan(number: int, **changes: object) -> None:
    """Apply changes to the market scan of run ``number`` if it is still the one shown."""
    scan = market_scan.value
    if scan is not None and scan.run_number == number:
        market_scan.set(dataclasses.replace(scan, **changes))


def start_market_scan(run: CompareRun) -> None:
    """Run ``run``'s comparison at each other market size (``sim.market.scan_factors``),
    strategy by strategy as ``start_run`` does (the comparison's own size is reused)."""
    if _scan_problem(run) or run.running:
        return
    if market_job.value is not None:
        market_job.value.cancel()
    comparison, number, cache = run.comparison, run.number, run_cache()
    scenario, n = comparison.scenario, comparison.seeds
    market_scan.set(MarketScan(number, total=_extra_market_runs(run) * n))

    def work(this: Job) -> None:
        people = cache.population(scenario, scenario.seed, this).n
        own = summary.final_outcomes(run.metrics())
        finals = {1.0: own}
        _set_scan(number, market=people * scenario.market.scale, finals=dict(finals))
        done = 0
        for factor in scan_factors(scenario):
            scaled = at_market(scenario, factor)
            frames = []
            for strategy in comparison.strategies:

                def seed_done(seeds_done: int, before: int = done) -> None:
                    _set_scan(number, done=before + seeds_done)

                frames.append(
                    run_strategy(cache, scaled, strategy, n, job=this, progress=seed_done)
                )
                done += n
            finals[factor] = summary.final_outcomes(pd.concat(frames, ignore_index=True))
            _set_scan(number, done=done, finals=dict(finals))
        _set_scan(number, done=done, total=done, state="done")
        announce("Market sizes scanned: the break-even market size is shown.")

    def failed(message: str) -> None:
        _set_scan(number, state="failed", error=message)

    market_job.set(
        Job(work, on_error=failed, on_cancel=lambda: _set_scan(number, state="cancelled")).start()
    )


def cancel_run() -> None:
    """Cancel the run in progress (it stops after the current seed)."""
    if job.value is not None:
        job.value.cancel()


@solara.component
def AudienceControls() -> None:
    """Preset, generated (structure and size) or real audience."""
    choice = audience.value

    def set_choice(**changes: object) -> None:
        audience.set(dataclasses.replace(audience.value, **changes))

    solara.ToggleButtonsSingle(  # each button says whether it is the one chosen (aria-pressed)
        value=choice.kind,
        on_value=lambda kind: set_choice(kind=kind),
        classes=["lg-audience-kind"],
        children=[
            solara.Button(
                kind,
                value=kind,
                attributes={"aria-pressed": "true" if kind == choice.kind else "false"},
            )
            for kind in ("preset", "generated", "real")
        ],
    )
    if choice.kind == "preset":
        solara.Select(
            "Audience preset",
            values=[name for name, _ in preset_audiences()],
            value=choice.preset,
            on_value=lambda name: set_choice(preset=name),
            classes=["lg-audience-preset"],
        )
        descriptions = dict(preset_audiences())
        solara.Text(descriptions.get(choice.preset, ""), style={"font-size": "12px"})
    elif choice.kind == "generated":
        solara.Select(
            "Structure",
            values=list(GENERATORS),
            value=choice.generator,
            on_value=lambda kind: set_choice(generator=kind),
        )
        NumberInput(
            f"People ({MIN_PEOPLE:,} to {MAX_PEOPLE:,})",
            choice.people,
            lambda people: set_choice(people=people),
            unparsed,
            classes=["lg-people"],
        )
    else:
        solara.Select(
            "Real graph",
            values=real_graphs(),
            value=choice.graph,
            on_value=lambda graph: set_choice(graph=graph),
        )
    note = small_market_note(choice)
    if note:
        solara.Info(note, dense=True, classes=["lg-small-market"])


@solara.component
def Controls() -> None:
    """Strategies, audience, horizon, seeds; Run and Cancel."""
    names = strategy_names(custom_strategies.value)
    running = current.value is not None and current.value.running
    with solara.Card("Scenario", classes=["lg-controls"]):
        solara.SelectMultiple(
            f"Strategies ({MIN_STRATEGIES}-{MAX_STRATEGIES})",
            values=selected.value,
            all_values=names,
            on_value=selected.set,
            classes=["lg-strategies"],
        )
        AudienceControls()
        NumberInput("Horizon (days)", days.value, days.set, unparsed, classes=["lg-days"])
        NumberInput("Seeds", seeds.value, seeds.set, unparsed, classes=["lg-seeds"])
        problem = _problem()
        if problem:
            solara.Warning(problem, dense=True, classes=["lg-problem"])
        with solara.Row():
            solara.Button("Run", color="primary", on_click=start_run, disabled=bool(problem))
            solara.Button("Cancel", on_click=cancel_run, disabled=not running)


@solara.component
def ProgressBars(run: CompareRun) -> None:
    """One progress bar per strategy."""
    with solara.Column(classes=["lg-progress"], gap="2px"):
        for name, (done, total, _) in run.progress.items():
            solara.Text(run.status(name), style={"font-size": "13px"})
            solara.ProgressLinear(value=100 * done / total if total else 0)
        if run.queued:
            solara.Info(
                "Queued: every run slot of the server is busy; this run starts when one is free.",
                dense=True,
                classes=["lg-queued"],
            )
        if run.error:
            solara.Error(run.error, classes=["lg-run-error"])


@solara.component
def Results(run: CompareRun) -> None:
    """Charts over time, the final-outcome table, vanity vs value, and the exports.

    The table grows as each strategy finishes; the charts are drawn once, when none is running
    (drawing them for every finished strategy held up the runs, which wait for each redraw).
    """
    df = run.metrics()
    finished = not run.running
    key = [run.number, tuple(run.frames), finished]

    def draw() -> dict | None:
        if df is None or not finished:
            return None
        return kept(
            ("compare", run.number),
            lambda: {
                column: charts.trajectory_chart(df, column, title)
                for column, title in charts.COMPARE_CHARTS
            },
        )

    figures = solara.use_memo(draw, dependencies=key)
    final = solara.use_memo(
        lambda: None if df is None else summary.final_outcomes(df), dependencies=key
    )
    vanity = solara.use_memo(
        lambda: (
            None
            if final is None or not finished
            else kept(("vanity", run.number), lambda: charts.vanity_chart(final))
        ),
        dependencies=key,
    )
    name = run.comparison.name
    made_by = None if df is None else provenance(seeds_of(df), run.comparison, ENGINE)
    ResultExports(run.comparison, df, made_by, PAGE)
    if df is None or final is None or made_by is None:
        solara.Info(run.empty_note(), classes=["lg-empty-note"])
        return
    solara.Markdown(f"### Final outcomes after {int(final['days'].max())} days")
    solara.Text(outcome_legend(int(final["seeds"].max())), style={"font-size": "12px"})
    TableCard(
        final_table(final),
        final,
        name + "_final",
        made_by,
        PAGE,
        label=f"Final outcomes after {int(final['days'].max())} days",
        classes=["lg-final"],
    )
    OutcomeGlossary()
    if figures is None:
        solara.Info("The charts are drawn when every strategy has finished.")
        return
    with (
        solara.Div(classes=["lg-chart-grid"]),
        solara.GridFixed(columns=2, align_items="start"),
    ):
        for column, title in charts.COMPARE_CHARTS:
            ChartCard(
                figures[column],
                f"{name}_{column}",
                made_by,
                label=f"{title} chart",
                alt=trajectory_alt(title, final),
                classes=[f"lg-chart-{column}"],
            )
        if vanity is not None:
            ChartCard(
                vanity,
                f"{name}_vanity_vs_value",
                made_by,
                label="Vanity vs value chart",
                alt=vanity_alt(final),
                classes=["lg-chart-vanity"],
            )
    MarketCard(run)


def _strategies_text(names: object) -> str:
    """'the N strategies (a, b, ...)' for a chart's text alternative."""
    names = [str(name) for name in names]
    return f"the {plural(len(names), 'strategy')} ({', '.join(names)})"


def trajectory_alt(title: str, final: pd.DataFrame) -> str:
    """The text alternative of a chart over time of Compare (``final``: its final outcomes)."""
    seeds = int(final["seeds"].max())
    band = f"the mean over {seeds} seeds with its 95% band" if seeds > 1 else "one seed, no band"
    return (
        f"{title} over {int(final['days'].max())} days for "
        f"{_strategies_text(final['strategy'])}, {band}; the final values are in the table "
        "above, every day's in the Daily metrics CSV."
    )


def vanity_alt(final: pd.DataFrame) -> str:
    """The text alternative of the vanity vs value chart."""
    return (
        f"Vanity vs value after {int(final['days'].max())} days: followers beside relationship "
        f"equity and revenue for {_strategies_text(final['strategy'])}, each as a share of the "
        "best strategy; the values are in the table above."
    )


@solara.component
def MarketCard(run: CompareRun) -> None:
    """The break-even market size: the scan's button and progress, then per strategy where its
    incremental profit at the horizon turns positive, as a table and a chart."""
    scan = market_scan.value
    if scan is not None and scan.run_number != run.number:
        scan = None
    scanning = scan is not None and scan.state == "running"
    profits = solara.use_memo(
        lambda: (
            None
            if scan is None or scan.state != "done"
            else market_profits(scan.finals, scan.market)
        ),
        dependencies=[scan],
    )

    def draw() -> tuple[pd.DataFrame, Figure] | None:
        if profits is None:
            return None
        return break_evens(profits), market_chart(profits)

    drawn = solara.use_memo(draw, dependencies=[id(profits)])  # once per scan, not per render
    smallest, largest = MARKET_FACTORS[0], MARKET_FACTORS[-1]
    with solara.Column(classes=["lg-market"], gap="6px"):
        solara.Markdown("### Break-even market size")
        solara.Text(
            f"The same comparison in markets from {smallest:g} to {largest:g} times as large: "
            "the same simulated people, each standing for fewer or more real ones, the same "
            "share of them following the brand, the same weekly hours. Where does each "
            "strategy's incremental profit at the horizon turn positive?",
            style={"font-size": "13px"},
        )
        problem = _scan_problem(run)
        if problem:
            solara.Warning(problem, dense=True)
        with solara.Row():
            solara.Button(
                "Scan market sizes",
                on_click=lambda: start_market_scan(run),
                disabled=bool(problem) or scanning or run.running,
                classes=["lg-market-scan"],
            )
            if scanning:
                solara.Button("Cancel scan", on_click=lambda: market_job.value.cancel())
        if scan is None:
            return
        if scan.state != "done":
            solara.Text(f"market sizes: {scan.state} ({scan.done}/{scan.total} runs)")
            solara.ProgressLinear(value=100 * scan.done / scan.total if scan.total else 0)
        if scan.error:
            solara.Error(scan.error)
        if profits is None or drawn is None:
            return
        breaks, chart = drawn
        name = run.comparison.name + "_market"
        made_by = provenance(seeds_of(run.metrics()), run.comparison, ENGINE) | {
            "market_factors": sorted(scan.finals)
        }
        TableCard(
            breaks[["strategy", "break_even"]].rename(columns={"break_even": "break-even market"}),
            profits,
            name,
            made_by,
            PAGE,
            label="Break-even market size of each strategy",
        )
        alt = (
            f"Incremental profit after {run.comparison.scenario.days} days against market size "
            f"(log scale, {smallest:g} to {largest:g} times this market) for "
            f"{_strategies_text(breaks['strategy'])}, the mean with its 95% band, each "
            "strategy's break-even market size marked on the zero line; the numbers are in the "
            "table above."
        )
        label = "Break-even market size chart"
        ChartCard(chart, name, made_by, label, alt, classes=["lg-chart-market"])


@solara.component
def ComparePage() -> None:
    """The Compare page."""
    solara.Title("longgame: compare")
    with solara.Columns([1, 3], classes=["lg-columns"]):
        Controls()
        with solara.Column(style={"min-width": "0"}):
            run = current.value
            if run is None:
                solara.Info(
                    "Choose two to six strategies and an audience, then Run. Every strategy runs "
                    "on the same seeds against a no-social-media baseline."
                )
            else:
                solara.Markdown(f"## {run.comparison.name}")
                StaleNote(stale_note(run))
                ProgressBars(run)
                Results(run)
