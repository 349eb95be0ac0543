"""The long game (teaching): keep going, quit at week W, or broadcast; the J-curve.

The brand's strategy (consistent engagement by default) is run as it is, as the same strategy
quitting unconditionally at week W (its quit rule set to ``always`` on day 7 W), and as
broadcasting. The chart is the cumulative incremental profit against the no-social baseline,
with the break-even day marked and the value left on the table by quitting shaded. The caption
is computed from the run. Results for every W are cached per session; after the first picture
the other W values are computed in the background (nearest first), so moving the slider is
quick. Quitting at week W shares its first 7 W days with never quitting, so those days are
simulated once per seed (``QuitRuns``) and each W only runs the days after it quits.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import solara

from sim import summary
from sim.audience import Population
from sim.model import EngagementModel
from sim.output import provenance, seeds_of
from sim.runner import daily_metrics, with_strategy
from sim.schema import Comparison, QuitRule, Scenario, Strategy
from sim.text import number
from viz import charts
from viz.choices import (
    AudienceChoice,
    audience_for,
    preset_audiences,
    resolve_strategy,
    scenario_for,
    strategy_names,
)
from viz.components import (
    ChartCard,
    NumberInput,
    OutcomeGlossary,
    ResultExports,
    StaleNote,
    TableCard,
)
from viz.jobs import ENGINE, RUN_QUEUE, Job, RunCache, run_strategy, step_until
from viz.limits import setup_problem
from viz.state import announce, custom_strategies, run_cache
from viz.tables import final_table

__all__ = ["LongGamePage", "QuitRuns", "as_comparison", "quitting", "caption"]

PAGE = "long game"
STEP_WEEKS = 4
MIN_DAYS = 7 * STEP_WEEKS + 8
SNAPSHOT_BUDGET = 1_000_000
"""People x model copies one setup may hold at once (over all seeds); a copy costs about 100
bytes a person, so this bounds a session's copies near 100 MB."""

audience = solara.reactive("default")
strategy_name = solara.reactive("consistent_engagement")
other_name = solara.reactive("broadcasting")
days = solara.reactive(730)
seeds = solara.reactive(3)
week = solara.reactive(12)
unparsed = solara.reactive({})  # number boxes whose text is not a number: label -> why


@dataclass(frozen=True)
class Setup:
    """What the page runs: the scenario, the kept strategy (without a quit rule of its own:
    :func:`kept_going`), the comparison strategy, seeds."""

    scenario: Scenario
    keep: Strategy
    other: Strategy
    seeds: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "keep", kept_going(self.keep))


class QuitRuns:
    """Quitting at week W of one setup, for any W, sharing the days before 7 W between weeks.

    Until day 7 W, quitting at week W is the kept strategy never quitting. So per seed one
    never-quitting model is stepped forward once; a copy is kept at day 7 W of each week still
    pending that it passes; a week starts from its copy (or the model itself when it is ahead)
    and runs only its last days. A week the model has passed without a copy (over
    ``SNAPSHOT_BUDGET``) starts from day 0. The frames equal full runs of ``quitting``.
    """

    def __init__(self, setup: Setup, cache: RunCache) -> None:
        self.setup = setup
        self.cache = cache
        self._models: dict[int, EngagementModel] = {}
        self._copies: dict[tuple[int, int], EngagementModel] = {}

    def run(self, week: int, pending: Iterable[int], job: Job | None = None) -> pd.DataFrame:
        """Every seed's rows of quitting at ``week`` (as ``run_strategy`` gives them), keeping
        copies at the quitting days of the ``pending`` weeks passed on the way."""
        scenario = self.setup.scenario
        strategy = quitting(self.setup.keep, week)
        stops = sorted(7 * w for w in pending)
        frames = []
        for offset in range(self.setup.seeds):
            seed = scenario.seed + offset
            population = self.cache.population(scenario, seed, job)
            baseline = self.cache.baseline(scenario, self.setup.keep, seed, scenario.days, job)
            with RUN_QUEUE.slot(job):
                model = self._start(seed, 7 * week, stops, population, job)
                model.brand_agents[0].strategy = strategy
                frame = daily_metrics(step_until(model, scenario.days, job), baseline)
            frame.insert(0, "strategy", strategy.name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def close(self) -> None:
        """Drop the models and copies (when every week is done)."""
        self._models.clear()
        self._copies.clear()

    def _start(
        self, seed: int, day: int, stops: list[int], population: Population, job: Job | None
    ) -> EngagementModel:
        """A never-quitting model of ``seed`` at the start of ``day``, for one week's run."""
        kept = self._copies.pop((seed, day), None)
        if kept is not None:
            return kept
        model = self._models.get(seed)
        if model is None or model.day > day:
            model = EngagementModel(
                with_strategy(self.setup.scenario, self.setup.keep),
                seed=seed,
                engine=ENGINE,
                population=population,
            )
            self._models.setdefault(seed, model)
        for stop in [stop for stop in stops if model.day < stop < day]:
            step_until(model, stop, job)
            if (len(self._copies) + 1) * population.n <= SNAPSHOT_BUDGET:
                self._copies[(seed, stop)] = _copy(model)
        step_until(model, day, job)
        return _copy(model) if self._models.get(seed) is model else model


def _copy(model: EngagementModel) -> EngagementModel:
    """A copy of a model to step on its own; the population (never changed) is shared."""
    population = model.population
    shared = {id(population): population, id(model.config): model.config}
    shared.update({id(part): part for part in vars(population).values()})
    return copy.deepcopy(model, shared)


@dataclass(eq=False)
class Results:
    """Finished runs of one setup: the kept and other strategy, and the quitting ones by week."""

    setup: Setup
    quits: QuitRuns
    fixed: pd.DataFrame | None = None
    by_week: dict[int, pd.DataFrame] = field(default_factory=dict)
    error: str = ""
    queued: bool = False
    cancelled: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held by the job working on these results (a new job waits for a cancelled one)."""


results = solara.reactive(None)  # Results | None
version = solara.reactive(0)  # bumped when results gain a run (Results is mutated in place)
job = solara.reactive(None)
_numbers = itertools.count(1)


def quitting(strategy: Strategy, week: int) -> Strategy:
    """``strategy`` giving up unconditionally at the end of week ``week`` (day 7 * week)."""
    return Strategy.model_validate(
        {
            **strategy.model_dump(),
            "name": f"quits at week {week}",
            "quit_rule": {"kpi": "always", "target": 0.0, "check_day": 7 * week},
        }
    )


def weeks(days: int) -> list[int]:
    """The weeks the slider offers: every STEP_WEEKS weeks whose quit (checked on day 7 x week,
    in effect the next day) leaves at least the horizon's last week to show it."""
    last = (days - 8) // 7
    return list(range(STEP_WEEKS, last + 1, STEP_WEEKS)) or [STEP_WEEKS]


def _problem() -> str:
    """Why the controls' setup cannot run in the web app, or ''."""
    own = ""
    if days.value < MIN_DAYS:
        own = f"The horizon must be at least {MIN_DAYS} days."
    elif strategy_name.value == other_name.value:
        own = "Compare with a strategy other than the one kept going."
    choice = AudienceChoice(preset=audience.value)
    return setup_problem(unparsed.value, own, _strategies(), choice, days.value, seeds.value, 3)


def _strategies() -> tuple[Strategy, Strategy]:
    """The strategy kept going and the one it is compared with (presets or custom ones)."""
    custom = custom_strategies.value
    return (
        resolve_strategy(strategy_name.value, custom),
        resolve_strategy(other_name.value, custom),
    )


def _setup() -> Setup:
    scenario = scenario_for(audience_for(AudienceChoice(preset=audience.value)), days.value)
    return Setup(scenario, *_strategies(), seeds.value)


def kept_going(strategy: Strategy) -> Strategy:
    """``strategy`` without its own quit rule, if it has one (``quitting_early`` kept going is
    named so): the page compares keeping going with quitting at week W."""
    if strategy.quit_rule.kpi == "never":
        return strategy
    return strategy.model_copy(
        update={"quit_rule": QuitRule(kpi="never"), "name": f"{strategy.name} kept going"}
    )


def _bump() -> None:
    version.set(version.value + 1)


def compute(first_week: int) -> None:
    """Run (or continue) the current setup: the fixed strategies, then W = first_week, then the
    other weeks nearest first. Cancels the previous computation; a setup the web app does not
    run (``_problem``) is not started."""
    if _problem():
        return
    if job.value is not None:
        job.value.cancel()
    setup = _setup()
    cache = run_cache()
    current = results.value
    if current is None or current.setup != setup:
        current = Results(setup, QuitRuns(setup, cache))
        results.set(current)
        _bump()
    current.cancelled = False
    order = sorted(weeks(setup.scenario.days), key=lambda w: (abs(w - first_week), w))

    def work(this: Job) -> None:
        try:
            with current.lock:
                if current.fixed is None:
                    frames = [
                        run_strategy(cache, setup.scenario, strategy, setup.seeds, job=this)
                        for strategy in (setup.keep, setup.other)
                    ]
                    current.fixed = pd.concat(frames, ignore_index=True)
                    _bump()
                for w in order:
                    if w in current.by_week:
                        continue
                    pending = [other for other in order if other not in current.by_week]
                    current.by_week[w] = current.quits.run(w, pending, this)
                    _bump()
                current.quits.close()
        finally:
            if job.value is this:  # not yet replaced by a newer computation
                job.set(None)

    def failed(message: str) -> None:
        current.error = message
        _bump()

    def waiting(queued: bool) -> None:
        current.queued = queued
        _bump()

    started = Job(work, on_error=failed, on_wait=waiting)
    job.set(started)  # before it starts, so that it finds itself there when it stops
    started.start()


def computing() -> bool:
    """Whether a computation is under way and not cancelled (a job clears ``job`` when it
    stops, however it stops)."""
    return job.value is not None and not job.value.cancelled


def cancel() -> None:
    """Stop the computation at its next simulated day; the weeks computed so far stay."""
    if job.value is not None:
        job.value.cancel()
    if results.value is not None:
        results.value.cancelled = True
    _bump()


def caption(df: pd.DataFrame, keep: str, quit_name: str, other: str, quit_week: int) -> str:
    """A plain-language caption computed from the runs (means over seeds, paired differences)."""
    final = summary.final_outcomes(df).set_index("strategy")
    horizon = int(final["days"].max())

    def breaks_even(name: str) -> str:
        median, count, total = summary.break_even(df[df["strategy"] == name])
        if median is None:
            return f"never breaks even within {horizon} days ({count} of {total} seeds do)"
        return f"breaks even on day {median:g} ({count} of {total} seeds)"

    def profit(name: str) -> str:
        return number(final.loc[name, "incremental_profit_mean"])

    gap, lo, hi = summary.paired_difference(df, keep, quit_name, "incremental_profit")
    curve = summary.daily_band(df[df["strategy"] == keep], "incremental_profit")
    low = curve.loc[curve["mean"].idxmin()]
    last = curve.loc[curve["day"].idxmax()]
    if low["day"] == last["day"]:
        climbs = "its last day"
    else:
        climbs = "then climbs" if last["mean"] > low["mean"] else "and stays there"
    dip = (
        f"{keep} costs money first: its curve bottoms out at {number(low['mean'])} on day "
        f"{int(low['day'])}, {climbs}. "
        if low["mean"] < 0
        else ""
    )
    quit_leads = gap < 0
    if quit_leads:  # the quitter's lead and its interval
        gap, lo, hi = -gap, -hi, -lo
    if final["seeds"].min() < 2:
        amount = f"{number(gap)} (one seed: no interval)"
    elif lo == hi == 0:
        amount = "nothing (the same incremental profit in every seed)"
    else:
        sure = " (the interval includes zero: not yet certain)" if uncertain(lo, hi) else ""
        amount = f"{number(gap)} [95% interval {number(lo)} to {number(hi)}]{sure}"
    if quit_leads:
        quitting_text = (
            f"after {horizon} days quitting is ahead by {amount}: what {keep} earned after week "
            f"{quit_week} has not yet covered what those weeks cost"
        )
    else:
        quitting_text = f"it leaves {amount} on the table"
    return (
        f"{dip}{keep} {breaks_even(keep)} and after {horizon} days stands at {profit(keep)} of "
        f"incremental profit over no social media. Quitting at week {quit_week} "
        f"{breaks_even(quit_name)} and stands at {profit(quit_name)}: {quitting_text}. "
        f"{other} {breaks_even(other)} and stands at {profit(other)}."
    )


@solara.component
def Controls() -> None:
    """Audience, strategies, horizon and seeds; Run and Cancel."""
    names = strategy_names(custom_strategies.value)
    with solara.Card("Setup", classes=["lg-controls"]):
        solara.Select("Audience", values=[name for name, _ in preset_audiences()], value=audience)
        solara.Select("Keep going with", values=names, value=strategy_name)
        solara.Select("Compare with", values=names, value=other_name)
        NumberInput("Horizon (days)", days.value, days.set, unparsed, classes=["lg-days"])
        NumberInput("Seeds", seeds.value, seeds.set, unparsed, classes=["lg-seeds"])
        problem = _problem()
        if problem:
            solara.Warning(problem, dense=True, classes=["lg-problem"])
        with solara.Row():
            solara.Button(
                "Run", color="primary", on_click=lambda: compute(week.value), disabled=bool(problem)
            )
            solara.Button("Cancel", on_click=cancel, disabled=not computing())


@solara.component
def JCurve(
    fixed: pd.DataFrame,
    quit_df: pd.DataFrame,
    keep: str,
    other: str,
    w: int,
    medians: tuple[float | None, float | None],
    made_by: dict,
    said: str,
) -> None:
    """The J-curve chart with its exports (drawn once per result; ``made_by`` describes them);
    ``medians``: the break-even days of keeping going and of quitting; ``said``: the caption,
    which the chart's text alternative repeats."""

    def draw():
        df = pd.concat([fixed, quit_df], ignore_index=True)
        quit_name = str(quit_df["strategy"].iloc[0])
        return charts.jcurve_chart(
            df,
            keep,
            quit_name,
            [other],
            quit_day=7 * w,
            break_even_day=medians[0],
            quit_break_even_day=medians[1],
        )

    figure = solara.use_memo(draw, dependencies=[id(fixed), id(quit_df)])
    alt = (
        f"J-curve: cumulative incremental profit over no social media, day by day, of {keep}, "
        f"it quitting at week {w}, and {other}, each the mean over the seeds with its 95% band. "
        f"{said}"
    )
    ChartCard(figure, f"long_game_week_{w}", made_by, "J-curve chart", alt, classes=["lg-jcurve"])


def uncertain(lo: float, hi: float) -> bool:
    """Whether a paired difference's 95% interval leaves its sign open: it includes 0, and is
    not 0 alone (the same outcome in every seed)."""
    return lo <= 0 <= hi and (lo, hi) != (0, 0)


def quitting_value(
    lost: float, w: int, interval: tuple[float, float] | None = None
) -> tuple[str, str]:
    """The figure's label and value: what keeping going earned over quitting at week ``w``, or,
    where quitting came out ahead, what quitting gained (never a negative loss); the label says
    "not yet certain" when the paired 95% ``interval`` (none from one seed) includes 0."""
    note = " (not yet certain)" if interval is not None and uncertain(*interval) else ""
    if lost < 0:
        return f"Value gained by quitting at week {w}{note}", number(-lost)
    return f"Value lost by quitting at week {w}{note}", number(lost)


@solara.component
def Figures(figures: list[tuple[str, str, str, str]]) -> None:
    """The picture's figures, each (label, value, CSS class, colour), large; screen readers
    hear them read out when they change (a run finished, W moved)."""
    said = "; ".join(f"{label}: {value}" for label, value, _, _ in figures) + "."
    solara.use_effect(lambda: announce(said), [said])
    with solara.Row(gap="24px", classes=["lg-figures"]):
        for label, value, css, colour in figures:
            with solara.Column(gap="0"):
                solara.Text(label, style={"font-size": "13px"})
                solara.Text(
                    value,
                    classes=[css],
                    style={"font-size": "28px", "font-weight": "bold", "color": colour},
                )


@solara.component
def Picture(current: Results, w: int, changes: int) -> None:
    """The J-curve, the figures and the caption for quitting at week ``w``.

    ``changes`` (the ``version`` counter) makes the page re-render this when ``current`` gains
    a run (``current`` is the same object, updated in place)."""
    setup = current.setup
    quit_name = quitting(setup.keep, w).name
    quit_df = current.by_week.get(w)
    if current.fixed is None or quit_df is None:
        if current.cancelled:
            solara.Info("Cancelled. Run, or move W, to go on.", classes=["lg-cancelled"])
            return
        if current.queued:
            solara.Info(
                "Queued: every run slot of the server is busy; this starts when one is free.",
                classes=["lg-queued"],
            )
        solara.Info(f"Computing quitting at week {w}...", classes=["lg-computing"])
        solara.ProgressLinear(True)
        return
    df = pd.concat([current.fixed, quit_df], ignore_index=True)
    keep, other = setup.keep.name, setup.other.name
    median, count, total = summary.break_even(df[df["strategy"] == keep])
    quit_median, quit_count, _ = summary.break_even(df[df["strategy"] == quit_name])
    lost, lo, hi = summary.paired_difference(df, keep, quit_name, "incremental_profit")
    interval = (lo, hi) if df["seed"].nunique() > 1 else None
    Figures(
        [
            ("Break-even (keep going)", _day(median, count, total), "lg-break-even", "#1b6e1b"),
            (
                f"Break-even (quits at week {w})",
                _day(quit_median, quit_count, total),
                "lg-quit-break-even",
                "#d62728",
            ),
            (*quitting_value(lost, w, interval), "lg-value-lost", "#b8860b"),
        ]
    )
    solara.Text(
        break_even_note(df["seed"].nunique()),
        classes=["lg-break-even-note"],
        style={"font-size": "12px", "color": "#555"},
    )
    said = caption(df, keep, quit_name, other, w)
    solara.Text(
        said,
        classes=["lg-caption"],
        style={"font-size": "17px", "line-height": "1.5", "max-width": "70em"},
    )
    comparison = as_comparison(setup, w)
    made_by = provenance(seeds_of(df), comparison, ENGINE)
    JCurve(current.fixed, quit_df, keep, other, w, (median, quit_median), made_by, said)
    final = summary.final_outcomes(df)
    name = comparison.name + "_final"
    label = f"Final outcomes after {setup.scenario.days} days"
    TableCard(final_table(final), final, name, made_by, PAGE, label, classes=["lg-final"])
    OutcomeGlossary()
    ResultExports(comparison, df, made_by, PAGE)


def break_even_note(seeds: int) -> str:
    """What the break-even figures are, for ``seeds`` seeds: the day a run first shows a profit
    (it may fall back below 0 later), and over seeds a median, not where the mean curve crosses."""
    if seeds <= 1:
        return "Break-even: the first day in profit (it can fall back below 0 later)."
    return (
        "Break-even: each run's first day in profit (it can fall back below 0 later), the "
        f"median over the seeds that got there; never if fewer than half of the {seeds} did. "
        "The curves are means, so they can cross 0 on another day."
    )


def as_comparison(setup: Setup, w: int) -> Comparison:
    """The picture of quitting at week ``w`` as the comparison ``longgame compare`` reruns to
    the same results: the kept strategy, it quitting at week ``w``, and the other strategy."""
    return Comparison(
        name=f"long_game_week_{w}",
        description=f"{setup.keep.name} kept going, quitting at week {w}, or {setup.other.name}",
        scenario=setup.scenario,
        strategies=[setup.keep, quitting(setup.keep, w), setup.other],
        seeds=setup.seeds,
    )


def _day(day: float | None, count: int, seeds: int) -> str:
    """A break-even day as the page shows it, with how many of the seeds broke even when some
    did not (the median is over those that did)."""
    if day is None:
        return "never"
    return f"day {day:g}" + (f" ({count} of {seeds} seeds)" if count < seeds else "")


def intro(current: Results | None) -> str:
    """What the picture compares, for the setup shown (or, before a run, the one chosen)."""
    keep, other = (
        (current.setup.keep.name, current.setup.other.name)
        if current is not None
        else (strategy_name.value, other_name.value)
    )
    return f"The same brand keeps going ({keep}), gives up at week W, or runs {other}. Move W."


def stale_note(shown: Setup) -> str:
    """A note when the controls no longer describe the setup shown, or ''."""
    if _problem() or _setup() == shown:
        return ""
    return "The setup has changed since this run: Run again to see its long game."


@solara.component
def LongGamePage() -> None:
    """The long game page."""
    solara.Title("longgame: the long game")
    current = results.value
    options = weeks(days.value if current is None else current.setup.scenario.days)
    w = week.value if week.value in options else options[min(2, len(options) - 1)]

    def move(value: int) -> None:
        if value == week.value:
            return
        week.set(value)
        latest = results.value
        if latest is not None and value not in latest.by_week:
            compute(value)

    with solara.Columns([1, 3], classes=["lg-columns"]):
        Controls()
        with solara.Column(style={"min-width": "0"}):
            solara.Markdown("## Is social media a long-term commitment?\n" + intro(current))
            with solara.Div(classes=["lg-week"], style={"padding-top": "28px"}):
                solara.SliderInt(
                    "Quit at week W",
                    value=w,
                    min=options[0],
                    max=options[-1],
                    step=STEP_WEEKS,
                    on_value=move,
                    thumb_label="always",
                )
            StaleNote("" if current is None else stale_note(current.setup))
            if current is None:
                solara.Info("Press Run to play the long game on this audience.")
            elif current.error:
                solara.Error(current.error)
            else:
                Picture(current, w, version.value)
