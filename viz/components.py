"""Shared page pieces: a chart with PNG/SVG export, CSV/TOML downloads, a file upload, the network.

Every chart in the app goes through :func:`ChartCard` (so every chart exports PNG and SVG) and
every result table through :func:`TableCard` (so every table exports CSV).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import solara
from matplotlib.figure import Figure

from viz.export import figure_bytes, file_name, table_csv

__all__ = ["ChartCard", "TableCard", "FileUpload", "NetworkView", "html_table", "use_background"]

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


@solara.component
def ChartCard(figure: Figure, name: str, classes: list[str] | None = None) -> None:
    """A chart (rendered as an image) with PNG and SVG downloads named after ``name``."""
    with solara.Column(classes=["lg-chart", *(classes or [])], gap="4px"):
        solara.FigureMatplotlib(figure, format="png", dependencies=[id(figure)])
        with solara.Row(gap="8px"):
            solara.FileDownload(
                lambda: figure_bytes(figure, "png"),
                filename=file_name(name, ".png"),
                label="PNG",
                mime_type="image/png",
            )
            solara.FileDownload(
                lambda: figure_bytes(figure, "svg"),
                filename=file_name(name, ".svg"),
                label="SVG",
                mime_type="image/svg+xml",
            )


def html_table(table: pd.DataFrame, classes: str = "lg-table") -> str:
    """A small HTML table of strings (escaped), for display."""
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    style = (
        "<style>.lg-table{border-collapse:collapse;font-size:14px}"
        ".lg-table th,.lg-table td{border-bottom:1px solid #ddd;padding:4px 8px;"
        "text-align:right;white-space:nowrap}.lg-table th:first-child,"
        ".lg-table td:first-child{text-align:left}</style>"
    )
    body = f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody>"
    return f'{style}<table class="{classes}">{body}</table>'


@solara.component
def TableCard(
    shown: pd.DataFrame, data: pd.DataFrame, name: str, classes: list[str] | None = None
) -> None:
    """A table ``shown`` as formatted text, with ``data`` (full precision) as a CSV download."""
    with solara.Column(classes=["lg-table-card", *(classes or [])], gap="4px"):
        with solara.Div(classes=["lg-table-scroll"]):  # scrolls alone: see viz/app.py STYLE
            solara.HTML(tag="div", unsafe_innerHTML=html_table(shown))
        solara.FileDownload(
            lambda: table_csv(data),
            filename=file_name(name, ".csv"),
            label="CSV",
            mime_type="text/csv",
        )


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
    event_select: Callable[[int], None],
) -> None:
    """The follower network as SVG: ``points`` [x, y, person], ``states`` codes into ``palette``,
    drawn in ``order`` (later on top; the unaware, code 0, smaller); clicking a person calls
    ``event_select(person)``."""
