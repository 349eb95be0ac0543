"""Sweeps: open a directory written by ``longgame sweep`` and see where results hold.

An outcome as a heatmap over two chosen parameters (one strategy, or its paired difference
from a "versus" strategy), the sensitivity bars of that outcome (or of the matching headline
comparison), and the robustness report. Only directories inside the allowed folders open
(``experiments.views.allowed_roots``: ``LONGGAME_SWEEPS_DIR``, default ``out/sweeps``). The data
logic is in ``experiments.views`` and the figures in ``experiments.figures``; this page lays
them out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara
from matplotlib.figure import Figure

from experiments import figures, views
from experiments.analysis import UNRELIABLE_INDICES, SweepData, sweep_provenance
from sim.claims import abbreviation
from sim.output import OutputError
from sim.text import number
from viz.components import ChartCard, NumberInput, TableCard, use_background
from viz.state import announce

__all__ = [
    "SweepsPage",
    "empty_outcome_note",
    "heatmap_shown",
    "path_label",
    "robustness_shown",
]

PAGE = "sweeps"
NO_VERSUS = "(none)"
MAX_BINS = 20

listed = solara.reactive(0)  # bumped by "Refresh" to list the sweep directories again
chosen = solara.reactive("")  # label of the directory chosen in the list
typed = solara.reactive("")
sweep = solara.reactive(None)  # SweepData | None
problem = solara.reactive("")
outcome = solara.reactive("")
x_name = solara.reactive("")
y_name = solara.reactive("")
strategy = solara.reactive("")
versus = solara.reactive(NO_VERSUS)
bins = solara.reactive(8)


def say_problem(error: Exception) -> None:
    """Show why a sweep could not be opened, its folders named as the path box names them."""
    problem.set(views.shown_message(str(error), views.allowed_roots()))
    announce(problem.value)


def open_directory(directory: Path) -> None:
    """Load a sweep directory and show its first comparison (or an error message)."""
    try:
        data = views.open_sweep(directory)
    except OutputError as exc:
        sweep.set(None)
        say_problem(exc)
        return
    start = views.initial_selection(data)
    outcome.set(start["outcome"])
    x_name.set(start["x"])
    y_name.set(start["y"])
    strategy.set(start["strategy"])
    versus.set(start["versus"] or NO_VERSUS)
    problem.set("")
    sweep.set(data)
    announce(f"Opened the sweep {data.experiment.name}.")


def choose(label: str) -> None:
    """Open the directory chosen in the list."""
    chosen.set(label)
    found = views.find_sweeps(views.allowed_roots())
    if label in found:
        open_directory(found[label])


def refresh() -> None:
    """List the sweep directories again and reload the open sweep (it may still be running)."""
    listed.set(listed.value + 1)
    if sweep.value is not None:
        try:
            sweep.set(views.open_sweep(sweep.value.root))
        except OutputError as exc:
            say_problem(exc)


def open_typed() -> None:
    """Open the typed path if it lies inside the allowed folders."""
    try:
        directory = views.resolve_sweep_dir(typed.value, views.allowed_roots())
    except views.SweepPathError as exc:
        sweep.set(None)
        say_problem(exc)
        return
    found = views.find_sweeps(views.allowed_roots())
    chosen.set(next((label for label, path in found.items() if path.resolve() == directory), ""))
    open_directory(directory)


def heatmap_shown(table: pd.DataFrame) -> pd.DataFrame:
    """A heatmap table as display text: y cells down the first column, x cells across."""
    shown = table.map(number)
    shown.columns = [str(column) for column in table.columns]
    return shown.reset_index(names=f"{table.index.name} \\ {table.columns.name}")


def robustness_shown(table: pd.DataFrame) -> pd.DataFrame:
    """A ``views.robustness_table`` as display text (shares as percentages)."""

    def percent(value: float | None) -> str:
        return "-" if value is None or pd.isna(value) else f"{value:.0%}"

    return pd.DataFrame(
        {
            "comparison": table["comparison"],
            "holds at": [
                f"{percent(s)} [{percent(lo)}, {percent(hi)}]"
                for s, lo, hi in zip(
                    table["holds"], table["holds_lo"], table["holds_hi"], strict=True
                )
            ],
            "significant at": table["significant"].map(percent),
            "median difference": table["median_difference"].map(number),
            "points": table["points"],
            "drivers (Spearman)": table["drivers"],
            "where it fails": table["fails"],
        }
    )


def empty_outcome_note(
    data: SweepData, outcome: str, strategy_name: str, against: str | None
) -> str:
    """Why the heatmap and sensitivity of these choices would be empty (no run of a strategy
    has a value of ``outcome``: none broke even, say), or ''."""
    results = data.results
    for name in (strategy_name, against):
        if name is None or results.loc[results["strategy"] == name, outcome].notna().any():
            continue
        days = data.experiment.scenario.days
        if outcome == "break_even_day":
            return f"No run of {name} broke even within {days} days: no break-even day to show."
        return f"No run of {name} has a value of {outcome}: nothing to show."
    return ""


def path_label(roots: list[Path]) -> str:
    """The path field's label: typed paths are relative to the allowed folders."""
    return "Or a path relative to " + " or ".join(views.shown_path(root) for root in roots)


def _cell(value: object) -> str:
    return number(value) if isinstance(value, float) else str(value)


@solara.component
def DirectoryChoice() -> None:
    """The sweep directories found under the allowed folders, and a path field."""
    roots = views.allowed_roots()
    found = solara.use_memo(lambda: views.find_sweeps(roots), dependencies=[listed.value])
    with solara.Card("Sweep", classes=["lg-sweep-choice"]):
        solara.Select(
            "Sweep directory",
            values=list(found),
            value=chosen.value,
            on_value=choose,
            classes=["lg-sweep-select"],
        )
        if not found:
            solara.Text(
                "No sweeps found yet; run `longgame sweep ... --out out/sweeps/NAME`.",
                style={"font-size": "12px"},
            )
        solara.InputText(
            path_label(roots),
            value=typed,
            continuous_update=True,
            classes=["lg-sweep-path"],
        )
        solara.Text(
            f"For example NAME, or {roots[0].name}/NAME as the list names it, opens "
            f"{views.shown_path(roots[0])}/NAME; an absolute path must lie inside the folder.",
            style={"font-size": "12px"},
        )
        with solara.Row():
            solara.Button("Open", color="primary", on_click=open_typed)
            solara.Button("Refresh", on_click=refresh)


def choose_strategy(name: str) -> None:
    """Show ``name``; chosen as the versus strategy, the two swap (a strategy compared with
    itself would leave Versus naming a difference the page does not show)."""
    if name == versus.value:
        versus.set(strategy.value)
    strategy.set(name)


@solara.component
def Controls(data: SweepData) -> None:
    """Outcome, x and y parameters, strategy, versus strategy, and bins for a sampled design."""
    choices = views.choices(data)
    parameters = [p["name"] for p in choices["parameters"]]

    def choose_x(name: str) -> None:
        if name == y_name.value:  # the two axes swap rather than show one parameter twice
            y_name.set(x_name.value)
        x_name.set(name)

    with solara.Card("Show", classes=["lg-controls"]):
        solara.Select("Outcome", values=choices["outcomes"], value=outcome)
        solara.Select("x parameter", values=parameters, value=x_name.value, on_value=choose_x)
        others = [name for name in parameters if name != x_name.value] or parameters
        solara.Select("y parameter", values=others, value=y_name)
        solara.Select(
            "Strategy", values=choices["strategies"], value=strategy.value, on_value=choose_strategy
        )
        solara.Select(
            "Versus (difference)",
            values=[NO_VERSUS, *(s for s in choices["strategies"] if s != strategy.value)],
            value=versus,
        )
        if data.experiment.design.method != "grid":  # a grid's cells are its values
            NumberInput("Bins", bins.value, bins.set, classes=["lg-bins"])
            if not 1 <= bins.value <= MAX_BINS:
                solara.Warning(f"1 to {MAX_BINS} bins.", dense=True)
        solara.Text(
            f"{choices['finished_runs']} of {choices['total_runs']} runs finished",
            classes=["lg-sweep-progress"],
            style={"font-size": "13px"},
        )


@solara.component
def Heatmap(data: SweepData, against: str | None) -> None:
    """The outcome over the two parameters, as a chart and a table."""
    count = min(max(bins.value, 1), MAX_BINS)
    key = [id(data), outcome.value, x_name.value, y_name.value, strategy.value, against, count]
    table = solara.use_memo(
        lambda: views.heatmap_table(
            data,
            outcome.value,
            x_name.value,
            y_name.value,
            strategy=strategy.value,
            versus=against,
            bins=count,
        ),
        dependencies=key,
    )
    title = f"{outcome.value}: {strategy.value}" + (f" - {against}" if against else "")
    figure = solara.use_memo(
        lambda: figures.heatmap_figure(
            table, title=f"Mean {title}", diverging=True if against else None
        ),
        dependencies=[id(table)],
    )
    name = f"{data.experiment.name}_{outcome.value}_heatmap"
    made_by = sweep_provenance(data)
    alt = (
        f"Heatmap of the mean {title} over {x_name.value} (across) and {y_name.value} (down); "
        "the numbers are in the table below."
    )
    ChartCard(figure, name, made_by, "Heatmap chart", alt, classes=["lg-sweep-heatmap"])
    TableCard(
        heatmap_shown(table),
        table.reset_index(),
        name,
        made_by,
        PAGE,
        label=f"Mean {title} by {y_name.value} (rows) and {x_name.value} (columns)",
        classes=["lg-sweep-heatmap-table"],
    )


@solara.component
def Sensitivity(data: SweepData, against: str | None) -> None:
    """Sensitivity bars of the outcome (or of the matching headline comparison)."""
    target = views.target_for(data, outcome.value, strategy.value, against)

    def compute() -> tuple[pd.DataFrame, Figure]:
        table = views.sensitivity_table(data, target)
        return table, figures.sensitivity_figure(table, title=f"What moves {target}")

    with solara.Div(classes=["lg-subhead"]):
        solara.Markdown(f"### **Sensitivity** of {target}")
    done = use_background("the sensitivity indices", compute, [id(data), target])
    if done is None:
        return
    table, figure = done
    name = f"{data.experiment.name}_sensitivity"
    made_by = sweep_provenance(data)
    if table["reliability"].astype(bool).any():
        solara.Warning(
            UNRELIABLE_INDICES.replace("**", ""), dense=True, classes=["lg-sweep-unreliable"]
        )
    alt = (
        f"Sensitivity bars: what moves {target}, one bar per parameter and index; the numbers "
        "are in the table below."
    )
    ChartCard(figure, name, made_by, "Sensitivity chart", alt, classes=["lg-sweep-sensitivity"])
    columns = ["parameter", "method", "index", "value", "conf", "reliability", "spearman"]
    shown = table[columns].map(_cell)
    label = f"Sensitivity of {target}"
    TableCard(shown, table, name, made_by, PAGE, label, classes=["lg-sweep-sensitivity-table"])


@solara.component
def Robustness(data: SweepData) -> None:
    """The robustness report: where each headline comparison holds and where it fails."""

    def compute() -> tuple[dict, Figure | None]:
        report = views.robustness_report(data)
        return report, figures.robustness_figure(report) if report["comparisons"] else None

    done = use_background("the robustness report", compute, [id(data)])
    if done is None:
        return
    report, figure = done
    with solara.Div(classes=["lg-subhead"]):
        solara.Markdown(f"### **Robustness** ({report['rule']})")
    if figure is None:
        solara.Info("This experiment has no headline comparisons ([[comparisons]]).")
        return
    table = views.robustness_table(report)
    name = f"{data.experiment.name}_robustness"
    made_by = sweep_provenance(data)
    alt = (
        f"Robustness: the share of the sweep where each of the {len(table)} headline "
        "comparisons holds, with its 95% interval; the numbers are in the table below."
    )
    label = "Robustness chart"
    ChartCard(figure, name, made_by, label, alt, classes=["lg-sweep-robustness-chart"])
    TableCard(
        robustness_shown(table),
        table,
        name,
        made_by,
        PAGE,
        "Robustness of the headline comparisons",
        classes=["lg-sweep-robustness"],
    )
    short = [(abbreviation(s), s) for s in data.strategies if abbreviation(s) != s]
    if short:
        solara.Text(
            " · ".join(f"{letters}: {strategy}" for letters, strategy in short),
            classes=["lg-abbreviations"],
            style={"font-size": "12px"},
        )


@solara.component
def Outcome(data: SweepData, against: str | None) -> None:
    """The heatmap beside the sensitivity of the chosen outcome (above it where the window is too
    narrow for both tables side by side)."""
    with solara.Columns([1, 1], classes=["lg-outcome"]):
        with solara.Column(style={"min-width": "0"}):
            Heatmap(data, against)
        with solara.Column(style={"min-width": "0"}):
            Sensitivity(data, against)


@solara.component
def SweepsPage() -> None:
    """The Sweeps page."""
    solara.Title("longgame: sweeps")
    data = sweep.value
    with solara.Columns([1, 3], classes=["lg-columns"]):
        with solara.Column():
            DirectoryChoice()
            if data is not None:
                Controls(data)
        with solara.Column(style={"min-width": "0"}):
            if problem.value:
                solara.Error(problem.value, classes=["lg-sweep-error"])
            if data is None:
                solara.Info("Choose a sweep directory written by `longgame sweep`.")
                return
            experiment = data.experiment
            with solara.Div(classes=["lg-sweep-title"]):  # the page's level-2 heading
                solara.Markdown(f"## {experiment.name}\n\n{experiment.description}")
            against = None if versus.value in (NO_VERSUS, strategy.value) else versus.value
            empty = empty_outcome_note(data, outcome.value, strategy.value, against)
            if empty:
                solara.Info(empty, classes=["lg-sweep-empty"])
            else:
                Outcome(data, against)
            Robustness(data)
