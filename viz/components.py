"""Shared page pieces: a chart with PNG/SVG export, CSV/TOML downloads, a results manifest, a
file upload, the network, a number box that tells the page when its text is not a number.

Every chart in the app goes through :func:`ChartCard` (so every chart exports PNG and SVG that
say what made them) and every result table through :func:`TableCard` (so every table exports
CSV, beside a manifest that says what made it).
"""

from __future__ import annotations

import html
import io
import math
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import solara
from matplotlib.figure import Figure
from solara.components.file_download import FileDownloadWidget

from sim.schema import Comparison
from viz.export import comparison_toml, figure_bytes, file_name, manifest_json, table_csv
from viz.tables import outcome_glossary

__all__ = [
    "ChartCard",
    "CsvDownloads",
    "Download",
    "FigureDownloads",
    "ManifestDownload",
    "ResultExports",
    "TableCard",
    "FileUpload",
    "NetworkView",
    "NumberInput",
    "OutcomeGlossary",
    "download_name",
    "html_table",
    "parse_number",
    "unparsed_problem",
    "use_background",
]

_HERE = Path(__file__).parent


def use_background[T](
    what: str, compute: Callable[[], T], dependencies: Sequence[object]
) -> T | None:
    """A hook: ``compute()`` in a thread, again when ``dependencies`` change; until it is done,
    a progress bar says what is being computed (None is returned), and an error is shown."""
    result = solara.use_thread(compute, dependencies=list(dependencies), intrusive_cancel=False)
    if result.state == solara.ResultState.FINISHED:
        return result.value
    if result.state == solara.ResultState.ERROR:
        solara.Error(f"Computing {what} failed: {result.error}")
    else:
        solara.ProgressLinear(True)
        solara.Text(f"Computing {what}...", style={"font-size": "13px"})
    return None


_SHOWN: weakref.WeakKeyDictionary[Figure, bytes] = weakref.WeakKeyDictionary()
_KEPT: OrderedDict[Hashable, Any] = OrderedDict()
KEPT_RESULTS = 16
"""Finished results whose drawings :func:`kept` holds (across sessions: keys are unique)."""
_kept_lock = threading.Lock()


def shown_png(figure: Figure) -> bytes:
    """The PNG a chart is shown as, drawn once per figure (about 0.2 s each): a page shown again
    reuses it while the figure lives."""
    with _kept_lock:
        png = _SHOWN.get(figure)
    if png is None:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        png = buffer.getvalue()
        with _kept_lock:
            _SHOWN[figure] = png
    return png


def kept[T](key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key`` while the last :data:`KEPT_RESULTS` keys are kept: a
    finished run's charts survive leaving its page and coming back (a component's memo does not,
    and drawing them again took seconds on a busy server)."""
    with _kept_lock:
        if key in _KEPT:
            _KEPT.move_to_end(key)
            return _KEPT[key]
    value = compute()
    with _kept_lock:
        _KEPT[key] = value
        while len(_KEPT) > KEPT_RESULTS:
            _KEPT.popitem(last=False)
    return value


@solara.component_vue(str(_HERE / "chart_image.vue"))
def ChartImage(png: bytes, alt: str) -> None:
    """A PNG shown as an image with the text alternative ``alt`` (ipywidgets' Image has none)."""


@solara.component
def ChartCard(
    figure: Figure,
    name: str,
    made_by: Mapping[str, Any],
    label: str,
    alt: str,
    classes: list[str] | None = None,
) -> None:
    """A chart (rendered as an image whose text alternative is ``alt``: what it shows and where
    its numbers are) with PNG and SVG downloads named after ``name``, each described by what
    made it (``made_by``, see ``viz.export.figure_bytes``); ``label`` (say "Followers chart")
    names the chart in its buttons' accessible names."""
    with solara.Column(classes=["lg-chart", *(classes or [])], gap="4px"):
        ChartImage(png=shown_png(figure), alt=alt)
        FigureDownloads(lambda fmt: figure_bytes(figure, fmt, made_by), name, label)


DOWNLOAD_ICON = "mdi-cloud-download-outline"


def download_name(what: str, label: str) -> str:
    """The accessible name of a download button labelled ``label`` for ``what`` ("Followers
    chart, PNG"): the label alone (PNG, CSV, Manifest JSON) repeats on a page. A label that
    already starts with ``what`` is the name as it is."""
    return label if label.startswith(what) else f"{what}, {label}"


@solara.component
def Download(
    data: str | bytes | Callable[[], str | bytes],
    filename: str,
    label: str,
    what: str,
    mime_type: str,
) -> None:
    """A button labelled ``label`` that downloads ``data`` (or what it returns, made in a thread
    once the button is clicked) as ``filename``; named for screen readers as
    :func:`download_name` says. Until the file is made and handed to the browser the button
    shows a spinner, as Solara's FileDownload does with its own button, which takes no
    accessible name (given a button of ours, it shows nothing while the file is made)."""
    requested, set_requested = solara.use_state(False)

    def make() -> bytes | None:
        if not requested:
            return None
        made = data() if callable(data) else data
        return made.encode() if isinstance(made, str) else made

    # made once per click (not again when the page draws a new ``data`` meanwhile), untraced
    result = solara.use_thread(
        make, dependencies=[requested, filename, mime_type], intrusive_cancel=False
    )
    if result.state == solara.ResultState.ERROR and result.error:
        raise result.error
    done = requested and result.state == solara.ResultState.FINISHED
    button = solara.Button(
        label,
        icon_name=DOWNLOAD_ICON,
        loading=requested,  # the browser sets it back once it has the file
        attributes={"aria-label": download_name(what, label)},
    )
    FileDownloadWidget.element(  # Solara's: it asks for the file and hands it to the browser
        filename=filename,
        bytes=result.value if done else None,
        request_download=requested,
        on_request_download=set_requested,
        children=[button],
        mime_type=mime_type,
    )


@solara.component
def FigureDownloads(
    draw: Callable[[str], bytes], name: str, what: str, unavailable: str = ""
) -> None:
    """PNG and SVG downloads named after ``name`` of the picture ``what`` (named so for screen
    readers); ``draw(fmt)`` makes their bytes. With ``unavailable`` (why not now) the buttons are
    shown disabled beside that reason."""
    with solara.Row(gap="8px", style={"align-items": "center"}):
        if unavailable:
            for label in ("PNG", "SVG"):
                named = {"aria-label": download_name(what, label)}
                solara.Button(label, icon_name=DOWNLOAD_ICON, disabled=True, attributes=named)
            solara.Text(unavailable, classes=["lg-download-note"])
            return
        Download(lambda: draw("png"), file_name(name, ".png"), "PNG", what, "image/png")
        Download(lambda: draw("svg"), file_name(name, ".svg"), "SVG", what, "image/svg+xml")


@solara.component
def ResultExports(
    comparison: Comparison,
    daily: pd.DataFrame | None,
    made_by: Mapping[str, Any] | None,
    page: str,
) -> None:
    """A comparison's exports: the TOML that reruns it (``longgame compare FILE``) and, once it
    has results, its daily metrics as CSV with their manifest."""
    name = comparison.name
    with solara.Row(gap="8px", classes=["lg-exports"]):
        Download(
            comparison_toml(comparison),
            file_name(name, ".toml"),
            "Scenario TOML",
            "Scenario TOML",
            "application/toml",
        )
        if daily is None or made_by is None:
            return
        CsvDownloads(
            daily, name + "_daily", made_by, page, "Daily metrics", label="Daily metrics CSV"
        )


@solara.component
def CsvDownloads(
    data: pd.DataFrame,
    name: str,
    made_by: Mapping[str, Any],
    page: str,
    what: str,
    label: str = "CSV",
) -> None:
    """``data`` (the table ``what``, as screen readers hear the buttons named) as a CSV download
    named after ``name``, and the manifest that traces it."""
    Download(lambda: table_csv(data), file_name(name, ".csv"), label, what, "text/csv")
    ManifestDownload(made_by, {name: data}, name, page, what)


@solara.component
def ManifestDownload(
    made_by: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    name: str,
    page: str,
    what: str,
) -> None:
    """The "Manifest JSON" download of a page's results ``what`` (``viz.export.manifest_json``):
    what made them, and the SHA-256 of each of ``tables``' CSV downloads."""
    Download(
        lambda: manifest_json(made_by, tables, page),
        file_name(name + "_manifest", ".json"),
        "Manifest JSON",
        what,
        "application/json",
    )


_TWO_LINE = re.compile(r"(?P<value>.*\S) (?P<detail>\[[^\[\],]+, [^\[\],]+\]|\(\d+/\d+ seeds\))")
"""A cell 'value [lo, hi]' or 'day (k/n seeds)' (as ``sim.text.outcome_cells`` writes them)."""

_TABLE_STYLE = (
    "<style>.lg-table{border-collapse:collapse;font-size:14px}"
    ".lg-table th,.lg-table td{border-bottom:1px solid #ddd;padding:4px 6px;"
    "text-align:right;white-space:nowrap}.lg-table th:first-child,"
    ".lg-table td:first-child{text-align:left;white-space:normal}"
    ".lg-table thead th{white-space:normal;vertical-align:bottom}"
    ".lg-table tbody th{font-weight:normal}"  # a row's header looks like its other cells
    ".lg-table tr.lg-two-line td,.lg-table tr.lg-two-line th{vertical-align:baseline}"
    ".lg-table .lg-detail{display:block;font-size:12px;line-height:1.25;color:#616161}</style>"
)


def _breakable(text: str) -> str:
    """Escaped ``text`` that may break after its underscores where it may wrap at all, so that
    a name such as 'consistent_engagement' can take two lines in a narrow window."""
    return html.escape(text).replace("_", "_<wbr>")


def _cell_html(text: str, match: re.Match[str] | None) -> str:
    """A cell's escaped text; a 'value [lo, hi]' or 'day (k/n seeds)' cell (``match`` of
    :data:`_TWO_LINE`) with its interval or count on a second line, small and grey, so that wide
    tables of outcomes fit narrower windows."""
    if match is None:
        return _breakable(text)
    value, detail = (html.escape(match[part]) for part in ("value", "detail"))
    return f'<span class="lg-value">{value}</span><span class="lg-detail">{detail}</span>'


def html_table(table: pd.DataFrame, classes: str = "lg-table", label: str = "") -> str:
    """A small HTML table of strings (escaped), for display, named ``label`` for screen readers
    (if given). The header cells are column headers and each row's first cell (its name) its row
    header. When the table is too wide, headers and the first column wrap, names after their
    underscores; outcome cells show their interval or seed count under the value (see
    :func:`_cell_html`)."""
    head = "".join(f'<th scope="col">{_breakable(str(column))}</th>' for column in table.columns)
    rows = []
    for row in table.itertuples(index=False):
        texts = [str(value) for value in row]
        matches = [_TWO_LINE.fullmatch(text) for text in texts]
        opening = '<tr class="lg-two-line">' if any(matches) else "<tr>"
        cells = "".join(
            f'<th scope="row">{_cell_html(text, match)}</th>'
            if index == 0
            else f"<td>{_cell_html(text, match)}</td>"
            for index, (text, match) in enumerate(zip(texts, matches, strict=True))
        )
        rows.append(f"{opening}{cells}</tr>")
    body = f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
    named = f' aria-label="{html.escape(label)}"' if label else ""
    return f'{_TABLE_STYLE}<table class="{classes}"{named}>{body}</table>'


@solara.component
def TableCard(
    shown: pd.DataFrame,
    data: pd.DataFrame,
    name: str,
    made_by: Mapping[str, Any],
    page: str,
    label: str,
    classes: list[str] | None = None,
) -> None:
    """A table ``shown`` as formatted text, named ``label``, with ``data`` (full precision) as a
    CSV download and its manifest (what made it, ``made_by``; see :func:`ManifestDownload`).
    The table scrolls sideways in its own box, which the keyboard can reach (and scroll with
    the arrow keys) and which screen readers announce as ``label``."""
    with solara.Column(classes=["lg-table-card", *(classes or [])], gap="4px"):
        with solara.Div(  # scrolls alone: see viz/app.py STYLE
            classes=["lg-table-scroll"],
            attributes={"tabindex": "0", "role": "region", "aria-label": label},
        ):
            solara.HTML(tag="div", unsafe_innerHTML=html_table(shown, label=label))
        with solara.Row(gap="8px"):
            CsvDownloads(data, name, made_by, page, label)


@solara.component
def OutcomeGlossary() -> None:
    """What the final-outcome table's columns mean, folded under it."""
    with solara.Details("What the columns mean"):
        solara.Markdown(outcome_glossary(), style={"font-size": "13px"})


@solara.component
def StaleNote(note: str) -> None:
    """``note`` (why the results shown are not the controls' own), or nothing, in a slot of its
    own: its coming and going leaves the results below mounted rather than drawn anew."""
    with solara.Div(classes=["lg-stale-slot"]):
        if note:
            solara.Warning(note, dense=True, classes=["lg-stale"])


@solara.component_vue(str(_HERE / "file_upload.vue"))
def FileUpload(
    label: str, accept: str, max_bytes: int, event_upload: Callable[[dict], None]
) -> None:
    """A file input; ``event_upload({"name", "size", "text"})`` receives the file's text, or an
    empty text when the file is larger than ``max_bytes`` (it is then not sent)."""


@solara.component_vue(str(_HERE / "network.vue"))
def NetworkView(
    points: list,
    edges: str,
    states: list,
    order: list,
    palette: list,
    selected: int,
    size: int,
    radius: float,
    label: str,
    description: str,
    event_select: Callable[[int], None],
) -> None:
    """The follower network as SVG: ``points`` [x, y, person], ``states`` codes into ``palette``,
    drawn in ``order`` (later on top; the unaware, code 0, smaller); clicking a person calls
    ``event_select(person)``. Screen readers take the drawing as one image named ``label`` and
    described by ``description`` (what it shows, in words), a text that is not seen."""


def parse_number(text: str, kind: type[int] | type[float]) -> int | float:
    """The number typed in a box (a whole one for ``int``), or ValueError saying what is wrong."""
    what = "a whole number" if kind is int else "a number"
    try:
        value = kind(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not {what}") from None
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is not {what}")
    return value


def unparsed_problem(unparsed: Mapping[str, str]) -> str:
    """What a page says while some of its boxes hold text that is not a number, or ''."""
    return "; ".join(f"{label}: {message}" for label, message in unparsed.items())


def _without(unparsed: solara.Reactive[dict[str, str]], label: str) -> None:
    unparsed.set({key: value for key, value in unparsed.value.items() if key != label})


@solara.component
def NumberInput(
    label: str,
    value: float,
    on_value: Callable[[float], None],
    unparsed: solara.Reactive[dict[str, str]] | None = None,
    kind: type[int] | type[float] = int,
    disabled: bool = False,
    classes: list[str] | None = None,
) -> None:
    """A box for a number: each number typed goes to ``on_value``; while the text is not a
    number the box says why and ``unparsed`` (label to message) holds it, so that the page can
    say so and refuse to run or save rather than use the last number (Solara's InputInt keeps it
    silently). A new ``value`` from elsewhere (a preset loaded) replaces the text."""
    text, set_text = solara.use_state(str(value))
    try:
        parse_number(text, kind)
        problem = ""
    except ValueError as error:
        problem = str(error)

    def show_new_value() -> None:
        try:
            if parse_number(text, kind) == value:
                return
        except ValueError:
            pass
        set_text(str(value))

    def report() -> Callable[[], None] | None:
        if unparsed is None or not problem:
            return None
        unparsed.set({**unparsed.value, label: problem})
        return lambda: _without(unparsed, label)

    solara.use_effect(show_new_value, [value])
    solara.use_effect(report, [problem])

    def typed(new: str) -> None:
        set_text(new)
        try:
            number = parse_number(new, kind)
        except ValueError:
            return
        if number != value:
            on_value(number)

    solara.InputText(
        label,
        value=text,
        on_value=typed,
        continuous_update=True,
        error=problem or False,
        disabled=disabled,
        classes=classes or [],
    )
