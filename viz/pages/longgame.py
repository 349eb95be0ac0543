"""The long game (teaching): keep going, quit at week W, or broadcast; the J-curve.

The brand's strategy (consistent engagement by default) is run as it is, as the same strategy
quitting unconditionally at week W (its quit rule set to ``always`` on day 7 W), and as
broadcasting. The chart is the cumulative incremental profit against the no-social baseline,
with the break-even day marked and the value left on the table by quitting shaded. The caption
is computed from the run. Results for every W are cached per session; after the first picture
the other W values are computed in the background (nearest first), so moving the slider is
quick.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pandas as pd
import solara

from sim import summary
from sim.schema import Scenario, Strategy
from viz import charts
from viz.choices import (
    AudienceChoice,
    audience_for,
    preset_audiences,
    resolve_strategy,
    scenario_for,
    strategy_names,
)
from viz.components import ChartCard, TableCard
from viz.jobs import Job, run_strategy
from viz.state import custom_strategies, run_cache
from viz.tables import final_table, number

__all__ = ["LongGamePage", "quitting", "caption"]

STEP_WEEKS = 4

audience = solara.reactive("default")
strategy_name = solara.reactive("consistent_engagement")
other_name = solara.reactive("broadcasting")
days = solara.reactive(730)
seeds = solara.reactive(3)
week = solara.reactive(12)


@dataclass(frozen=True)
class Setup:
    """What the page runs: the scenario, the kept strategy, the comparison strategy, seeds."""

    scenario: Scenario
    keep: Strategy
    other: Strategy
    seeds: int


@dataclass(eq=False)
class Results:
    """Finished runs of one setup: the kept and other strategy, and the quitting ones by week."""

    setup: Setup
    fixed: pd.DataFrame | None = None
    by_week: dict[int, pd.DataFrame] = field(default_factory=dict)
    error: str = ""


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
    """The weeks the slider offers: every STEP_WEEKS weeks before the horizon."""
    last = max(STEP_WEEKS, (days // 7) - 1)
    return list(range(STEP_WEEKS, last + 1, STEP_WEEKS)) or [STEP_WEEKS]


def _setup() -> Setup:
    custom = custom_strategies.value
    scenario = scenario_for(audience_for(AudienceChoice(preset=audience.value)), days.value)
    return Setup(
        scenario,
        resolve_strategy(strategy_name.value, custom),
        resolve_strategy(other_name.value, custom),
        seeds.value,
    )


def _bump() -> None:
    version.set(version.value + 1)


def compute(first_week: int) -> None:
    """Run (or continue) the current setup: the fixed strategies, then W = first_week, then the
    other weeks nearest first. Cancels the previous computation."""
    if job.value is not None:
        job.value.cancel()
    setup = _setup()
    current = results.value
    if current is None or current.setup != setup:
        current = Results(setup)
        results.set(current)
        _bump()
    cache = run_cache()
    order = sorted(weeks(setup.scenario.days), key=lambda w: (abs(w - first_week), w))

    def work(this: Job) -> None:
        if current.fixed is None:
            frames = [
                run_strategy(cache, setup.scenario, strategy, setup.seeds, job=this)
                for strategy in (setup.keep, setup.other)
            ]
            current.fixed = pd.concat(frames, ignore_index=True)
            _bump()
        for w in order:
            this.check()
            if w in current.by_week:
                continue
            current.by_week[w] = run_strategy(
                cache, setup.scenario, quitting(setup.keep, w), setup.seeds, job=this
            )
            _bump()

    def failed(message: str) -> None:
        current.error = message
        _bump()

    job.set(Job(work, on_error=failed).start())


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

    lost, lo, hi = summary.paired_difference(df, keep, quit_name, "incremental_profit")
    curve = summary.daily_band(df[df["strategy"] == keep], "incremental_profit")
    low = curve.loc[curve["mean"].idxmin()]
    dip = (
        f"Keeping going costs money first: the curve bottoms out at {number(low['mean'])} on day "
        f"{int(low['day'])}, then climbs. "
        if low["mean"] < 0
        else ""
    )
    interval = f"95% interval {number(lo)} to {number(hi)}"
    if lost > 0:
        sure = "" if lo > 0 else " (the interval includes zero: not yet certain)"
        quitting_text = f"it leaves {number(lost)} [{interval}] on the table{sure}"
    else:
        quitting_text = (
            f"after {horizon} days quitting is still ahead by {number(-lost)} [{interval}]: "
            "the investment in keeping going has not paid back yet within this horizon"
        )
    return (
        f"{dip}{keep} {breaks_even(keep)} and ends {horizon} days at {profit(keep)} of "
        f"incremental profit over no social media. Quitting at week {quit_week} "
        f"{breaks_even(quit_name)} and ends at {profit(quit_name)}: {quitting_text}. "
        f"{other} {breaks_even(other)} and ends at {profit(other)}."
    )


@solara.component
def Controls() -> None:
    """Audience, strategies, horizon and seeds; Run."""
    names = strategy_names(custom_strategies.value)
    with solara.Card("Setup", classes=["lg-controls"]):
        solara.Select("Audience", values=[name for name, _ in preset_audiences()], value=audience)
        solara.Select("Keep going with", values=names, value=strategy_name)
        solara.Select("Compare with", values=names, value=other_name)
        solara.InputInt("Horizon (days)", value=days, classes=["lg-days"])
        solara.InputInt("Seeds", value=seeds, classes=["lg-seeds"])
        ok = 28 <= days.value <= 3650 and 1 <= seeds.value <= 50
        if not ok:
            solara.Warning("Horizon 28-3,650 days, 1-50 seeds.", dense=True)
        solara.Button("Run", color="primary", on_click=lambda: compute(week.value), disabled=not ok)


@solara.component
def JCurve(
    fixed: pd.DataFrame,
    quit_df: pd.DataFrame,
    keep: str,
    other: str,
    w: int,
    median: float | None,
) -> None:
    """The J-curve chart with its exports (drawn once per result)."""

    def draw():
        df = pd.concat([fixed, quit_df], ignore_index=True)
        quit_name = str(quit_df["strategy"].iloc[0])
        return charts.jcurve_chart(
            df, keep, quit_name, [other], quit_day=7 * w, break_even_day=median
        )

    figure = solara.use_memo(draw, dependencies=[id(fixed), id(quit_df)])
    ChartCard(figure, f"long_game_week_{w}", classes=["lg-jcurve"])


@solara.component
def Picture(current: Results, w: int, changes: int) -> None:
    """The J-curve, the figures and the caption for quitting at week ``w``.

    ``changes`` (the ``version`` counter) makes the page re-render this when ``current`` gains
    a run (``current`` is the same object, updated in place)."""
    setup = current.setup
    quit_name = quitting(setup.keep, w).name
    quit_df = current.by_week.get(w)
    if current.fixed is None or quit_df is None:
        solara.Info(f"Computing quitting at week {w}...", classes=["lg-computing"])
        solara.ProgressLinear(True)
        return
    df = pd.concat([current.fixed, quit_df], ignore_index=True)
    keep, other = setup.keep.name, setup.other.name
    median, _, _ = summary.break_even(df[df["strategy"] == keep])
    quit_median, _, _ = summary.break_even(df[df["strategy"] == quit_name])
    lost, _, _ = summary.paired_difference(df, keep, quit_name, "incremental_profit")
    with solara.Row(gap="24px", classes=["lg-figures"]):
        for label, value, css, colour in (
            ("Break-even (keep going)", _day(median), "lg-break-even", "#1b6e1b"),
            (f"Break-even (quits at week {w})", _day(quit_median), "lg-quit-break-even", "#d62728"),
            (f"Value lost by quitting at week {w}", number(lost), "lg-value-lost", "#b8860b"),
        ):
            with solara.Column(gap="0"):
                solara.Text(label, style={"font-size": "13px"})
                solara.Text(
                    value,
                    classes=[css],
                    style={"font-size": "28px", "font-weight": "bold", "color": colour},
                )
    solara.Text(
        caption(df, keep, quit_name, other, w),
        classes=["lg-caption"],
        style={"font-size": "17px", "line-height": "1.5", "max-width": "70em"},
    )
    JCurve(current.fixed, quit_df, keep, other, w, median)
    final = summary.final_outcomes(df)
    TableCard(final_table(final), final, f"long_game_week_{w}_final", classes=["lg-final"])


def _day(day: float | None) -> str:
    """A break-even day as the page shows it."""
    return "never" if day is None else f"day {day:g}"


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

    with solara.Columns([1, 3]):
        Controls()
        with solara.Column(style={"min-width": "0"}):
            solara.Markdown(
                "## Social media is a long-term commitment\n"
                "The same brand keeps going, gives up at week W, or only broadcasts. Move W."
            )
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
            if current is None:
                solara.Info("Press Run to play the long game on this audience.")
            elif current.error:
                solara.Error(current.error)
            else:
                Picture(current, w, version.value)
