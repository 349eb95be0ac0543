"""The longgame web app: routes to the pages (run with ``longgame app`` or ``make app``).

``solara run viz/app.py`` serves it. ``Layout`` puts the page tabs in the app bar; any other URL
shows ``NotFoundPage``. Each browser session has its own state (``viz.state`` and the pages'
reactive variables).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara
import solara.lab
import solara.server.settings

from viz.pages.audience import AudiencePage
from viz.pages.builder import BuilderPage
from viz.pages.compare import ComparePage
from viz.pages.longgame import LongGamePage
from viz.pages.sweeps import SweepsPage
from viz.state import announcement

__all__ = ["routes", "PAGES", "Layout", "NotFoundPage", "page_title"]

solara.server.settings.theme.show_banner = False  # Solara's corner badge covered charts

APP_BAR_COLOR = "#6200EE"
"""The app bar's colour, the light theme's primary: white text on it is 7.6:1 (on the dark
theme's primary, #BB86FC, Solara's default for the bar, it was 2.6:1; WCAG AA asks 4.5:1)."""
ALERT_COLORS = {"success": "#2E7D32", "warning": "#B45309", "info": "#1565C0"}
"""Alert colours whose text on white is at least 5:1 (Vuetify's were 2.4:1 to 3.1:1)."""

STYLE = """
.v-application { font-size: 15px; }
.lg-chart img { width: 100%; height: auto; }
.lg-sweep-robustness-chart img, .lg-chart-market img { max-width: 820px; }  /* alone on a row */
.lg-outcome > .v-col { flex-basis: 520px; }  /* side by side only if each table gets ~500 px */
.lg-outcome .lg-chart img { max-width: 700px; }  /* one above the other: drawn size, not larger */
.lg-table-card { width: 100%; min-width: 0; }
.lg-sticky { position: sticky; top: 8px; max-height: calc(100vh - 80px); overflow-y: auto; }
.v-col:has(> .lg-sticky) { height: auto !important; overflow: visible !important; }  /* its track */
.lg-stale-slot:empty { display: none; }  /* no gap in its column while it holds no note */
.lg-table-scroll { display: block; width: 100%; overflow-x: auto; contain: inline-size; }
.lg-exports, .lg-figures { flex-wrap: wrap; row-gap: 8px; }  /* wrapped, not widening the page */
.v-input__details { min-height: 0 !important; }
.lg-person .lg-table { width: 100%; }  /* a narrow side card: cells wrap, no sideways scroll */
.lg-person .lg-table td { white-space: normal; overflow-wrap: break-word; }
.lg-network-person > .v-col { min-width: 240px; }  /* a phone: the person under the network */
.lg-announce { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }  /* heard, not seen */
.lg-title { display: inline; font: inherit; letter-spacing: inherit; margin: 0; }  /* the bar's */
.lg-sweep-title .jp-RenderedHTMLCommon h2 { font-size: var(--jp-content-font-size3); }  /* as h3 */
.lg-subhead .solara-markdown.jp-RenderedHTMLCommon h3 { font: inherit; margin: 0; }  /* as text */
.lg-tab.lg-tab-current { border-bottom: 3px solid white; border-radius: 0; }
/* keyboard focus shows clearly (white on the app bar); labels and subtitles are dark enough to
   read (4.5:1 or more on white: Vuetify's, at 60% opacity, were 4.3:1) */
.v-btn:focus-visible { outline: 3px solid #000; outline-offset: 2px; }
.lg-table-scroll:focus-visible { outline: 3px solid #000; outline-offset: -3px; }
.v-app-bar .v-btn:focus-visible { outline-color: #fff; outline-offset: -3px; }  /* .lg-tabs clips */
.v-label, .v-card-subtitle { opacity: 1; }
.v-field:not(.v-field--focused):not(.v-field--error) .v-field-label, .v-slider .v-label,
.v-card-subtitle { color: #555; }
.v-app-bar .v-toolbar-title { flex: 1 0 auto; }  /* the title is never cut: the tabs give way */
.lg-tabs { display: flex; align-items: center; min-width: 0; overflow-x: auto; }
@media (max-width: 960px) {  /* narrow windows: controls above results, one chart per row */
  .lg-tabs .lg-tab { padding: 0 8px; font-size: 13px; letter-spacing: 0.02em; }
  .lg-columns { flex-wrap: wrap !important; }
  .lg-columns > .v-col { flex-basis: 100% !important; max-width: 100% !important; }
  .lg-chart-grid > div { grid-template-columns: 1fr !important; }
}
"""


class _AnyOtherPath(str):
    """A route path equal to every page name but the root's: Solara's router matches a URL's
    parts to route paths with ``==`` and refuses unmatched URLs before any layout is drawn."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and other.strip("/") != ""

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__


@solara.component_vue(str(Path(__file__).parent / "page_fixes.vue"))
def PageFixes() -> None:
    """What Solara's page and Vuetify 3 leave out, mended in the browser: Escape closes an open
    select menu (keyboard users could leave one only with Tab); the page says its language
    ("en") and lets a phone zoom (Solara's template set neither); each slider's thumb is named
    after the slider's label (Vuetify 3 leaves it unnamed)."""


@solara.component
def PageLink(route: solara.Route, current: bool = False, **look: Any) -> None:
    """A link to ``route``'s page drawn as a text button (``look``: more of the button's
    arguments): one element, one Tab stop (solara.Link around a Button made two, the link's
    without a focus ring), ``aria-current="page"`` when ``current``, and followed in the app
    (no page reload) as solara.Link does."""
    router = solara.use_router()
    path = solara.resolve_path(route)
    solara.Button(
        route.label,
        on_click=lambda: router.push(path),
        click_event="click.prevent.stop",
        text=True,
        href=path,
        attributes={"aria-current": "page"} if current else {},
        **look,
    )


def page_title(route: solara.Route | None) -> str:
    """The title of ``route``'s page, as the page sets it (solara.Title) and the app bar shows
    it: "longgame: " and its tab's label, or that no page is there."""
    label = getattr(route, "label", None)
    return f"longgame: {label.lower()}" if label else "longgame: page not found"


@solara.component
def Layout(children: list | None = None) -> None:
    """The app bar with the page's title (its one level-1 heading) and one tab per page, then
    the current page."""
    current, _ = solara.use_route()
    light = solara.lab.theme.themes.light  # the session's theme (Solara makes one per session)
    for name, color in ALERT_COLORS.items():
        setattr(light, name, color)
    solara.Style(STYLE)
    PageFixes()
    with solara.AppLayout(
        title="longgame", navigation=False, sidebar_open=False, color=APP_BAR_COLOR
    ):
        with solara.AppBar():
            with solara.AppBarTitle():  # in the bar: another child of AppLayout opens a drawer
                solara.v.Html(tag="h1", children=[page_title(current)], class_="lg-title")
            with solara.Div(classes=["lg-tabs"]):
                for route in PAGES:
                    classes = ["lg-tab"] + (["lg-tab-current"] if route is current else [])
                    PageLink(route, route is current, dark=True, classes=classes)
        with solara.Column(style={"padding": "8px 16px"}):
            solara.Div(  # screen readers read out what happened, as it happens
                children=[announcement.value],
                classes=["lg-announce"],
                attributes={"role": "status", "aria-live": "polite"},
            )
            for child in children or []:
                solara.display(child)


@solara.component
def NotFoundPage() -> None:
    """Any other URL: says so and links to the pages (in the app's layout, not Solara's bare
    error)."""
    solara.Title("longgame: page not found")
    path = solara.use_router().path
    with solara.Card("Page not found", classes=["lg-not-found"]):
        solara.Text(f"There is no page at {path}. The pages are:")
        for route in PAGES:
            PageLink(route, color="primary")


PAGES = [
    solara.Route(path="/", component=ComparePage, label="Compare", layout=Layout),
    solara.Route(path="long-game", component=LongGamePage, label="The long game"),
    solara.Route(path="audience", component=AudiencePage, label="Audience"),
    solara.Route(path="builder", component=BuilderPage, label="Strategy builder"),
    solara.Route(path="sweeps", component=SweepsPage, label="Sweeps"),
]
routes = [*PAGES, solara.Route(path=_AnyOtherPath("*"), component=NotFoundPage)]
