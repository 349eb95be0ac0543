"""Audience: the follower network coloured by relationship state, day by day (agent engine).

A sample of at most 2,000 people is laid out once per audience and reused. Run steps the Mesa
agent engine with the sample tracked; the day slider and Play move through the recorded days.
Clicking a person shows their traits and the history of events that moved them.
"""

from __future__ import annotations

import time

import numpy as np
import solara

from sim.output import provenance
from sim.text import plural
from viz import charts
from viz.audience_run import (
    ADVOCATE,
    FOLLOWER,
    HISTORY_SIZE,
    AudienceRun,
    Layout,
    layout,
    run_audience,
)
from viz.choices import (
    GENERATORS,
    AudienceChoice,
    audience_for,
    resolve_strategy,
    scenario_for,
    strategy_names,
)
from viz.components import FigureDownloads, NetworkView, NumberInput, TableCard, parse_number
from viz.export import figure_bytes
from viz.jobs import RUN_QUEUE, Job
from viz.limits import setup_problem
from viz.state import announce, custom_strategies

__all__ = ["AudiencePage", "network_description", "network_label", "no_events_note", "state_counts"]

PAGE = "audience"
SIZE = 1000
DRAWN_EDGES = 20_000
"""Follow links the network view draws at most (the first ones)."""
MAX_DAYS = 730
"""The longest run the page offers (the agent engine is the slow, readable one)."""
AUDIENCE_OPTIONS = {
    **{f"preset: {name}": AudienceChoice(preset=name) for name in ("small", "facebook_ego")},
    **{
        f"generated: {kind}, 1,000 people": AudienceChoice(
            kind="generated", generator=kind, people=1000
        )
        for kind in GENERATORS
    },
}
"""Audiences small enough for the agent engine at interactive speed."""

audience = solara.reactive("preset: small")
strategy_name = solara.reactive("consistent_engagement")
days = solara.reactive(120)
run = solara.reactive(None)  # AudienceRun | None
recorded = solara.reactive(0)  # days recorded so far
status = solara.reactive("")
LAYING_OUT, RUNNING, QUEUED = (
    "laying out the network...",
    "running the agent engine...",
    "queued: every run slot is busy",
)
"""The statuses of a run in progress (Cancel is offered during them)."""
day = solara.reactive(0)
playing = solara.reactive(False)
selected = solara.reactive(-1)
job = solara.reactive(None)
unparsed = solara.reactive({})  # number boxes whose text is not a number: label -> why


def _problem() -> str:
    """Why the controls' run cannot start, or ''."""
    own = (
        ""
        if 1 <= days.value <= MAX_DAYS
        else f"1 to {MAX_DAYS} days (the agent engine is the slow, readable one)."
    )
    strategy = resolve_strategy(strategy_name.value, custom_strategies.value)
    return setup_problem(unparsed.value, own, [strategy], None, days.value, 1, 1)


def start() -> None:
    """Lay out the audience (once) and step the agent engine in the background; a run the
    controls do not allow (``_problem``) is not started."""
    if _problem():
        return
    if job.value is not None:
        job.value.cancel()
    choice = AUDIENCE_OPTIONS[audience.value]
    scenario = scenario_for(audience_for(choice), days.value)
    strategy = resolve_strategy(strategy_name.value, custom_strategies.value)
    run.set(None)
    recorded.set(0)
    day.set(0)
    selected.set(-1)
    status.set(LAYING_OUT)

    def work(this: Job) -> None:
        def progress(current: AudienceRun) -> None:
            if run.value is not current:
                run.set(current)
            recorded.set(len(current.states) - 1)

        with RUN_QUEUE.slot(this):
            layout(scenario, scenario.seed)
            status.set(RUNNING)
            run_audience(scenario, strategy, check=this.check, progress=progress)
        if day.value == 0:  # unless the user moved the slider meanwhile: the final state
            day.set(recorded.value)
        status.set("done")
        announce(
            f"Run finished: {recorded.value} days. Click a person, or type their id, to see them."
        )

    def failed(message: str) -> None:
        status.set(f"error: {message}")

    def waiting(queued: bool) -> None:
        status.set(QUEUED if queued else LAYING_OUT)

    job.set(
        Job(
            work,
            on_error=failed,
            on_cancel=lambda: status.set("cancelled"),
            on_wait=waiting,
        ).start()
    )


def toggle_play() -> None:
    """Play (advance one day every 0.25 s to the last recorded day) or pause."""
    if playing.value:
        playing.set(False)
        return
    playing.set(True)
    if day.value >= recorded.value:
        day.set(0)

    def work(this: Job) -> None:
        while playing.value and day.value < recorded.value:
            time.sleep(0.25)
            day.set(day.value + 1)
        playing.set(False)

    Job(work).start()


@solara.component
def Controls() -> None:
    """Audience, strategy, horizon; Run and Cancel (the days run so far stay to look at)."""
    with solara.Card("Audience and strategy", classes=["lg-controls"]):
        solara.Select("Audience", values=list(AUDIENCE_OPTIONS), value=audience)
        solara.Select(
            "Strategy", values=strategy_names(custom_strategies.value), value=strategy_name
        )
        NumberInput("Days", days.value, days.set, unparsed, classes=["lg-days"])
        problem = _problem()
        if problem:
            solara.Warning(problem, classes=["lg-problem"])
        with solara.Row(style={"align-items": "center"}):
            solara.Button("Run", color="primary", on_click=start, disabled=bool(problem))
            solara.Button(
                "Cancel",
                on_click=lambda: job.value.cancel(),
                disabled=status.value not in (LAYING_OUT, RUNNING, QUEUED),
            )
            solara.Text(status.value, classes=["lg-status"], style={"font-size": "13px"})
        with solara.Column(gap="0", style={"margin-top": "12px"}):
            for name, color in zip(charts.STATE_NAMES, charts.STATE_COLORS, strict=True):
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=f'<span style="display:inline-block;width:12px;height:12px;'
                    f'border-radius:6px;background:{color}"></span> {name}',
                )


def no_events_note(start: str) -> str:
    """The history of a person nothing has happened to, given their state on day 0 (people can
    start aware of the brand, or following it, before any event)."""
    if start == "unaware":
        return "nothing has happened to this person yet"
    return f"no events yet: {start} from day 0 (the brand's standing when the run began)"


@solara.component
def PersonPanel(current: AudienceRun, person: int) -> None:
    """A clicked person's traits, state today and history of events."""
    import pandas as pd

    index = current.layout.index_of(person)
    state = charts.STATE_NAMES[int(current.states[min(day.value, recorded.value)][index])]
    with solara.Card(f"Person {person}", classes=["lg-person"]):
        solara.Text(f"On day {day.value}: {state}")
        traits = pd.DataFrame(
            [{"trait": key, "value": str(value)} for key, value in current.traits(person).items()]
        )
        made_by = run_provenance(current)
        TableCard(
            traits, traits, f"person_{person}_traits", made_by, PAGE, f"Person {person}'s traits"
        )
        events = current.history(person)
        solara.Markdown(f"**History** ({plural(len(events), 'event')}, latest {HISTORY_SIZE} kept)")
        start = charts.STATE_NAMES[int(current.states[0][index])]
        table = pd.DataFrame(
            [{"day": e.day, "event": e.event.replace("_", " "), "detail": e.detail} for e in events]
            or [{"day": "", "event": no_events_note(start), "detail": ""}]
        )
        TableCard(
            table,
            table,
            f"person_{person}_history",
            made_by,
            PAGE,
            f"Person {person}'s history",
            classes=["lg-history"],
        )


STATE_MEANINGS = (
    "",
    "they remember the brand",
    "",
    "followers who trust the brand",
    "they muted it",
    "they unfollowed or blocked it",
)
"""What each relationship state (``charts.STATE_NAMES``) means, where its name does not say, for
the network's text alternative."""


def _looks(code: int) -> str:
    """How people in the state ``code`` are drawn (the unaware smaller, see network.vue) and what
    the state means."""
    colour = charts.STATE_COLOR_NAMES[code]
    looks = f"small {colour} dots" if code == 0 else colour
    return f"{looks}: {STATE_MEANINGS[code]}" if STATE_MEANINGS[code] else looks


TOGETHER = 1.5
"""How many times their share of the people shown the links of the brand's followers must lead
to other followers for the description to say that they sit together."""


def state_counts(states: np.ndarray) -> str:
    """How many of the people shown are in each relationship state: 'unaware 1,687, aware 212,
    ... (of 2,000 shown)'."""
    counts = np.bincount(states, minlength=len(charts.STATE_NAMES))
    named = zip(charts.STATE_NAMES, counts, strict=True)
    return ", ".join(f"{name} {count:,}" for name, count in named) + f" (of {len(states):,} shown)"


def network_label(day: int) -> str:
    """The network drawing's accessible name."""
    return f"Audience network on day {day}"


def _share(part: float) -> str:
    """A share as a percentage: whole above 10% ("31%"), else to two digits ("5.1%")."""
    return f"{100 * part:.0f}%" if part >= 0.1 else f"{100 * part:.2g}%"


def network_description(
    shown: Layout, states: np.ndarray, day: int, selected: int, audience_size: int
) -> str:
    """The network drawing in words, from what it is drawn from (``shown``, the states on
    ``day``, the ``selected`` person): who is drawn, how many of them are in each relationship
    with the brand (each colour), whether those who follow it sit together in the network (the
    layout puts linked people near each other), and the chosen person."""
    n = len(shown.people)
    links = len(shown.edges)
    who = (
        f"all {n:,} people of the audience"
        if n >= audience_size
        else f"{n:,} people, a sample of the audience's {audience_size:,}"
    )
    drawn = f" (the first {DRAWN_EDGES:,} drawn)" if links > DRAWN_EDGES else ""
    counts = np.bincount(states, minlength=len(charts.STATE_NAMES))
    colours = "; ".join(
        f"{name} {count:,} ({_looks(code)})"
        for code, (name, count) in enumerate(zip(charts.STATE_NAMES, counts, strict=True))
    )
    sentences = [
        f"Day {day}: {who}, each a dot placed near those they are linked to, with the "
        f"{links:,} follow links among them{drawn} as grey lines.",
        f"A dot's colour is the person's relationship with the brand: {colours}.",
    ]
    following = np.isin(states, (FOLLOWER, ADVOCATE))
    followers = int(following.sum())
    if followers == 0:
        sentences.append("No one shown follows the brand.")
    elif followers == 1:
        sentences.append(f"1 person follows the brand, {_share(1 / n)} of those shown.")
    else:
        share = followers / n
        a, b = shown.edges[:, 0], shown.edges[:, 1]
        other_ends = np.concatenate([b[following[a]], a[following[b]]])
        if len(other_ends) == 0:
            linked = "none of them is linked to another person shown"
        else:
            to_followers = float(following[other_ends].mean())
            where = "sit together" if to_followers >= TOGETHER * share else "are spread out"
            linked = (
                f"{_share(to_followers)} of their links lead to others who follow it, so they "
                f"{where} in the network"
            )
        sentences.append(
            f"{followers:,} people follow the brand (followers and advocates), {_share(share)} "
            f"of those shown; {linked}."
        )
    index = shown.index_of(selected) if selected >= 0 else -1
    if index >= 0:
        degree = int(np.count_nonzero(shown.edges == index))
        sentences.append(
            f"Person {selected}, chosen, is drawn larger with a black outline: "
            f"{charts.STATE_NAMES[int(states[index])]}, with {plural(degree, 'link')} to "
            "people shown."
        )
    return " ".join(sentences)


@solara.component
def Network(current: AudienceRun) -> None:
    """The network view, the day slider and Play, and a PNG/SVG snapshot."""
    shown = current.layout
    last = recorded.value
    today = min(day.value, last)
    points = solara.use_memo(
        lambda: [
            [round(float(x) * (SIZE - 20) + 10, 1), round(float(y) * (SIZE - 20) + 10, 1), int(p)]
            for (x, y), p in zip(shown.positions, shown.people, strict=True)
        ],
        dependencies=[id(shown)],
    )
    edges = solara.use_memo(
        lambda: " ".join(
            f"M{points[a][0]} {points[a][1]}L{points[b][0]} {points[b][1]}"
            for a, b in shown.edges[:DRAWN_EDGES]
        ),
        dependencies=[id(shown)],
    )
    states = current.states[today].tolist()
    order = charts.draw_order(current.states[today], shown.index_of(selected.value)).tolist()
    with solara.Row(gap="12px", style={"align-items": "center"}):
        solara.Button("Pause" if playing.value else "Play", on_click=toggle_play)
        with solara.Div(classes=["lg-day"], style={"flex-grow": "1", "padding-top": "24px"}):
            solara.SliderInt(
                "Day", value=today, min=0, max=max(last, 1), on_value=day.set, thumb_label="always"
            )
    solara.Text(state_counts(current.states[today]), classes=["lg-counts"])
    PersonChooser(shown)
    NetworkView(
        points=points,
        edges=edges,
        states=states,
        order=order,
        palette=list(charts.STATE_COLORS),
        selected=selected.value,
        size=SIZE,
        radius=4.0,
        label=network_label(today),
        description=network_description(
            shown, current.states[today], today, selected.value, current.model.population.n
        ),
        event_select=selected.set,
    )

    def draw(fmt: str) -> bytes:
        states_today = current.states[today].astype(int)
        figure = charts.network_chart(shown.positions, shown.edges, states_today, today)
        return figure_bytes(figure, fmt, run_provenance(current))

    why_not = "Pause to download the day's picture" if playing.value else ""
    FigureDownloads(draw, f"audience_day_{today}", f"Network on day {today}", why_not)


def person_problem(text: str, shown: Layout) -> str:
    """Why the person id typed (``text``) chooses no one of the people ``shown``, or ''."""
    if not text.strip():
        return ""
    try:
        person = parse_number(text, int)
    except ValueError as error:
        return str(error)
    if shown.index_of(person) < 0:
        return f"No person {person} among the {len(shown.people):,} shown."
    return ""


@solara.component
def PersonChooser(shown: Layout) -> None:
    """A box for a person's id, the keyboard's way to what a click on the network does: Enter
    chooses them. A click on the network writes its person's id here."""
    text, set_text = solara.use_state("" if selected.value < 0 else str(selected.value))

    def show_clicked() -> None:
        if selected.value >= 0:
            set_text(str(selected.value))

    solara.use_effect(show_clicked, [selected.value])
    problem = person_problem(text, shown)

    def typed(new: str) -> None:
        set_text(new)
        if new.strip() and not person_problem(new, shown):
            selected.set(parse_number(new, int))

    solara.InputText(
        f"Person id ({int(shown.people[0])} to {int(shown.people[-1])}), then Enter",
        value=text,
        on_value=typed,
        error=problem or False,
        classes=["lg-person-id"],
        style={"max-width": "320px"},
    )


def run_provenance(current: AudienceRun) -> dict:
    """What made the page's run (``sim.output.provenance``): its scenario with the strategy in
    place, its seed, the agent engine."""
    model = current.model
    return provenance([model.run_seed], model.config, model.engine_name)


@solara.component
def AudiencePage() -> None:
    """The Audience page."""
    solara.Title("longgame: audience")
    current = run.value
    with solara.Columns([1, 3], classes=["lg-columns"]):
        Controls()
        with solara.Column(style={"min-width": "0"}):
            if current is None:
                solara.Info(
                    "Run the agent engine to see the audience; then click a person."
                    if not status.value
                    else status.value
                )
                if status.value and status.value != "done":
                    solara.ProgressLinear(True)
                return
            with solara.Columns([2, 1], classes=["lg-network-person"]):
                with solara.Column(style={"min-width": "0"}):
                    solara.ProgressLinear(  # hidden, not removed, when done: Network stays mounted
                        False
                        if status.value == "done"
                        else 100 * recorded.value / max(current.days, 1)
                    )
                    Network(current)
                if selected.value >= 0:
                    PersonPanel(current, selected.value)
                else:
                    solara.Info(
                        "Click a person, or type their id, to see their traits and history."
                    )
