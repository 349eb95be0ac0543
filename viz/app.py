"""The longgame web app: routes to the pages (run with ``longgame app`` or ``make app``).

``solara run viz/app.py`` serves it. ``Layout`` puts the page tabs in the app bar; each browser
session has its own state (``viz.state`` and the pages' reactive variables).
"""

from __future__ import annotations

import solara
import solara.server.settings

from viz.pages.audience import AudiencePage
from viz.pages.builder import BuilderPage
from viz.pages.compare import ComparePage
from viz.pages.longgame import LongGamePage
from viz.pages.sweeps import SweepsPage

__all__ = ["routes", "Layout"]

solara.server.settings.theme.show_banner = False  # Solara's corner badge covered charts

STYLE = """
.v-application { font-size: 15px; }
.lg-chart img { width: 100%; height: auto; }
.lg-sweep-robustness-chart img { max-width: 820px; }  /* alone on its row: not drawn huge */
.lg-table-card { width: 100%; min-width: 0; }
.lg-table-scroll { display: block; width: 100%; overflow-x: auto; contain: inline-size; }
.v-input__details { min-height: 0 !important; }
.lg-tab.lg-tab-current { border-bottom: 3px solid white; border-radius: 0; }
@media (max-width: 960px) {  /* narrow windows: controls above results, one chart per row */
  .lg-columns { flex-wrap: wrap !important; }
  .lg-columns > .v-col { flex-basis: 100% !important; max-width: 100% !important; }
  .lg-chart-grid > div { grid-template-columns: 1fr !important; }
}
"""


@solara.component
def Layout(children: list | None = None) -> None:
    """The app bar with one tab per page, then the current page."""
    current, all_routes = solara.use_route()
    solara.Style(STYLE)
    with solara.AppLayout(title="longgame", navigation=False, sidebar_open=False):
        with solara.AppBar():
            for route in all_routes:
                classes = ["lg-tab"] + (["lg-tab-current"] if route is current else [])
                with solara.Link(solara.resolve_path(route)):
                    solara.Button(route.label, text=True, dark=True, classes=classes)
        with solara.Column(style={"padding": "8px 16px"}):
            for child in children or []:
                solara.display(child)


routes = [
    solara.Route(path="/", component=ComparePage, label="Compare", layout=Layout),
    solara.Route(path="long-game", component=LongGamePage, label="The long game"),
    solara.Route(path="audience", component=AudiencePage, label="Audience"),
    solara.Route(path="builder", component=BuilderPage, label="Strategy builder"),
    solara.Route(path="sweeps", component=SweepsPage, label="Sweeps"),
]
