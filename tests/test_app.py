"""Browser tests of the web app (viz/): Playwright driving Debian's Chromium, headless.

The app is started once (``solara run viz/app.py`` on a free local port); each browser context
is its own Solara session. Screenshots of every page at 1366x768 and 1920x1080 are saved under
``out/screenshots/``. Runs are small (the 2,000-person ``small`` audience, 30-120 days, 2 seeds).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_app import PHONE, ROOT, SIZES, TIMEOUT, needs_chromium, serve_app
from browser_app import open_page as _page
from browser_app import shot as _shot
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from viz.charts import STATE_COLORS, STATE_NAMES

pytestmark = needs_chromium


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app served by ``solara run`` on a free port (stopped at the end)."""
    with serve_app() as url:
        yield url


def _fill(page, selector: str, value: str) -> None:
    box = page.locator(f"{selector} input")
    box.fill(value)
    box.press("Enter")


WATCH_SPINNER = """(button) => {
  const box = button.closest('.solara-file-download-container');
  window.spinnerShown = '';
  new MutationObserver(() => {
    const shown = box.querySelector('.v-btn.v-btn--loading .v-progress-circular');
    if (shown) window.spinnerShown = shown.closest('.v-btn').getAttribute('aria-label') || '?';
  }).observe(box, { subtree: true, childList: true, attributes: true });
  return button.getAttribute('aria-label');
}"""
"""Watch a download button: ``window.spinnerShown`` becomes its accessible name once it shows a
spinner (Vuetify's loading state); returns its name."""


def _download(page, button) -> bytes:
    """The file a download button gives. The button shows a spinner while the file is made
    (Solara's own download button did; the named ones did not), keeping its name, and not once
    the file is given."""
    name = button.evaluate(WATCH_SPINNER)
    with page.expect_download() as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    assert page.evaluate("() => window.spinnerShown") == name, f"{name}: no spinner"
    page.wait_for_function(
        "(b) => !b.classList.contains('v-btn--loading')", arg=button.element_handle()
    )
    return data


PAGES = {
    "compare": ("", "Run"),
    "long-game": ("long-game", "Run"),
    "audience": ("audience", "Run"),
    "builder": ("builder", "Save"),
}


TAB_STOPS = """(box) => [...box.querySelectorAll('a[href], button, input, [tabindex]')]
    .filter((e) => e.tabIndex >= 0 && !e.disabled).length"""
"""How many Tab stops the element holds."""


LOW_CONTRAST = """() => {
  const rgba = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [...m, 1].slice(0, 4); };
  const lum = (c) => c.slice(0, 3).map((x) => x / 255)
    .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4))
    .reduce((sum, x, i) => sum + x * [0.2126, 0.7152, 0.0722][i], 0);
  const back = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const opacity = (e) => (e ? Number(getComputedStyle(e).opacity) * opacity(e.parentElement) : 1);
  const low = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const e = texts.currentNode.parentElement;
    const text = texts.currentNode.textContent.trim();
    if (!text || !e.getClientRects().length || e.closest('style, script, [disabled], '
        + '.v-btn--disabled, .v-input--disabled, .v-slider-thumb__label')) continue;
    const style = getComputedStyle(e);
    const fg = rgba(style.color), bg = back(e), a = fg[3] * opacity(e);
    const seen = fg.slice(0, 3).map((x, i) => x * a + bg[i] * (1 - a));
    const [hi, lo] = [lum(seen), lum(bg)].sort((x, y) => y - x);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    if ((hi + 0.05) / (lo + 0.05) < (large ? 3 : 4.5)) low.push(text.slice(0, 40));
  }
  return low;
}"""
"""Text on the page whose contrast with its background is under WCAG AA's (4.5:1, large text
3:1), taking colours, opacities and the nearest opaque background into account."""


def _settled_contrast(page) -> None:
    """Wait (up to 5 s) until no text is under WCAG AA's contrast: a page just opened may still
    be fading its alerts in, or applying the session's theme colours, which the layout sets."""
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(f"() => ({LOW_CONTRAST})().length === 0", timeout=5000)


def _keyboard_focus(page, control) -> str:
    """``control`` focused as by the keyboard (Shift+Tab, Tab); its outline colour, or ''."""
    control.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    return control.evaluate(
        "(e) => { const s = getComputedStyle(e); return document.activeElement === e"
        " && s.outlineStyle === 'solid' && s.outlineWidth === '3px' ? s.outlineColor : ''; }"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page_loads(browser, app_url, size):
    page = _page(browser, app_url, "", size)
    for name, (path, button) in PAGES.items():
        label = {"compare": "Compare", "long-game": "The long game", "audience": "Audience"}
        label = label.get(name, "Strategy builder")
        page.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"{app_url}/{path}")
        page.wait_for_function("(t) => document.title === t", arg=f"longgame: {label.lower()}")
        page.get_by_role("button", name=button, exact=True).wait_for()
        _shot(page, f"{name}_{size}")
        assert page.get_by_text("This website runs on").count() == 0  # no badge over charts
        # one Tab stop per page tab (a link, not a link around a button); the current one says so
        assert page.locator(".lg-tabs").evaluate(TAB_STOPS) == 5  # the five pages
        current = page.locator(".lg-tabs [aria-current=page]")
        assert current.count() == 1 and current.get_attribute("href") == f"/{path}"
        _settled_contrast(page)
        assert page.evaluate(LOW_CONTRAST) == [], f"{name}: text under 4.5:1 contrast"
        assert page.locator("h1").all_inner_texts() == [page.title()], "one h1: the title"
    assert page.evaluate("() => document.documentElement.lang") == "en"
    viewport = page.locator("meta[name=viewport]").get_attribute("content")
    assert viewport == "width=device-width, initial-scale=1", "pinch zoom is off"
    # a clear focus ring: black on the page, white on the app bar
    assert _keyboard_focus(page, page.get_by_role("button", name="Save")) == "rgb(0, 0, 0)"
    tab = page.get_by_role("link", name="Compare", exact=True)
    assert _keyboard_focus(page, tab) == "rgb(255, 255, 255)"
    page.context.close()


def test_narrow_app_bar_keeps_the_title_whole(browser, app_url):
    """At 800 px the app bar shows its longest title (the builder's) uncut and every tab in the
    window, and the page does not scroll sideways."""
    page = _page(browser, app_url, "builder", "narrow")
    title = page.locator(".v-toolbar-title__placeholder")
    page.wait_for_function(
        "() => (document.querySelector('.v-toolbar-title__placeholder') || {}).innerText"
        " === 'longgame: strategy builder'"
    )
    cut = title.evaluate("(e) => e.scrollWidth > e.clientWidth")
    _shot(page, "app_bar_narrow")
    assert not cut, "the title is cut short"
    width = SIZES["narrow"][0]
    for box in (tab.bounding_box() for tab in page.locator(".lg-tab").all()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.context.close()


def test_unknown_page_links_to_the_pages(browser, app_url):
    """An unknown URL shows the app bar and a note linking to every page, not a bare error."""
    page = _page(browser, app_url, "no-such-page")
    note = page.locator(".lg-not-found")
    note.get_by_text("/no-such-page").wait_for()
    assert page.locator(".lg-tab").count() == 5
    _shot(page, "not_found")
    assert note.evaluate(TAB_STOPS) == 5 and note.locator("[aria-current]").count() == 0
    assert page.locator("h1").all_inner_texts() == ["longgame: page not found"]
    note.get_by_role("link", name="Audience", exact=True).click()
    page.wait_for_url(f"{app_url}/audience")
    page.get_by_role("button", name="Run", exact=True).wait_for()
    page.context.close()


def _shots(page, name: str, fits: str = "") -> None:
    """Screenshots of the page as it is, at each size and a phone's; at none does the page scroll
    sideways (wide tables scroll inside their own box), a narrow window shows the controls above
    the results, and at the laptop and projector sizes the boxes ``fits`` selects do not scroll
    either."""
    for size, (width, height) in {**SIZES, "phone": PHONE}.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        _shot(page, f"{name}_{size}")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{name} at {size}: page {widths[0]} px wide > window"
        if size in ("laptop", "projector") and fits:
            overflows = page.locator(fits).evaluate_all(
                "(boxes) => boxes.map((b) => b.scrollWidth - b.clientWidth)"
            )
            assert overflows and max(overflows) <= 1, f"{name}: {fits} scrolls at {size}"
        if size == "narrow":  # the controls stand above the results
            columns = page.locator(".lg-columns > .v-col")
            controls, results = (columns.nth(i).bounding_box() for i in (0, 1))
            assert results["y"] >= controls["y"] + controls["height"] - 1, name
    width, height = next(iter(SIZES.values()))
    page.set_viewport_size({"width": width, "height": height})  # the test goes on as it began


def _images_say_what_they_show(page, count: int) -> list[str]:
    """The text alternatives of the page's ``count`` images, none empty (axe's image-alt)."""
    alts = page.locator("img").evaluate_all(
        "(images) => images.map((i) => (i.getAttribute('alt') || '').trim())"
    )
    assert len(alts) == count and all(alts), f"an image has no text alternative: {alts}"
    return alts


def _download_names_are_unique(page) -> list[str]:
    """The accessible names of the page's download buttons, none twice (each says what it
    downloads, not "PNG" or "CSV" alone)."""
    names = page.locator(".solara-file-download-container .v-btn").evaluate_all(
        "(buttons) => buttons.map((b) => b.getAttribute('aria-label') || b.innerText.trim())"
    )
    assert names and len(set(names)) == len(names), f"download buttons named alike: {names}"
    return names


def _wait_said(page, *texts: str) -> None:
    """Wait (5 s at most) until the page's status region, which screen readers read out, says
    one of ``texts`` (in part)."""
    assert page.locator("[role=status].lg-announce").count() == 1, "no status region"
    page.wait_for_function(
        "(texts) => { const said = document.querySelector('[role=status].lg-announce');"
        " return said && texts.some((t) => said.innerText.includes(t)); }",
        arg=list(texts),
        timeout=5000,
    )


def _stays_when_stale(page, shown: str, control: str, value: str) -> None:
    """A changed control brings the note that the results are not its own, and the results
    stay as they are (not drawn anew)."""
    page.evaluate("(s) => { window.shownBefore = document.querySelector(s); }", shown)
    _fill(page, control, value)
    page.locator(".lg-stale").wait_for()
    page.wait_for_timeout(1000)  # time for a redraw, were the note to cause one
    assert page.evaluate("() => document.contains(window.shownBefore)"), f"{shown} drawn anew"


def test_compare_matches_cli_and_exports(browser, app_url, tmp_path):
    page = _page(browser, app_url)
    page.get_by_role("button", name="Run").wait_for()
    page.locator(".lg-strategies").click()
    page.get_by_role("option", name="storytelling").click()
    page.get_by_role("option", name="broadcasting").click()  # deselect the default
    page.keyboard.press("Escape")  # closes the menu (Vuetify's alone kept it open)
    page.wait_for_function(
        "() => !document.querySelector('.v-overlay--active .v-list')", timeout=5000
    )
    # the page stays responsive during a run, and Cancel stops it
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("consistent_engagement: cancelled").wait_for()
    _fill(page, ".lg-days", "60")
    _fill(page, ".lg-seeds", "2")
    page.get_by_role("button", name="Run").click()
    table = page.locator(".lg-final table")
    page.wait_for_function(
        "() => document.querySelectorAll('.lg-final tbody tr').length == 2", timeout=TIMEOUT
    )
    page.locator(".lg-chart-followers img").wait_for()
    _images_say_what_they_show(page, 6)
    _wait_said(page, "Run finished: consistent_engagement vs storytelling")  # read out
    followers = page.locator(".lg-chart-followers img").get_attribute("alt")
    assert followers.startswith("Followers over 60 days for the 2 strategies")
    _shots(page, "compare_results", fits=".lg-final .lg-table-scroll")
    text = table.inner_text()
    assert "consistent_engagement" in text and "storytelling" in text
    # each row's name is its header; the table's box is a named region the keyboard reaches
    assert table.locator("tbody th[scope=row]").all_inner_texts() == [
        "consistent_engagement",
        "storytelling",
    ]
    assert table.locator("thead th[scope=col]").count() == table.locator("thead th").count()
    region = page.get_by_role("region", name="Final outcomes after 60 days")
    assert region.get_attribute("tabindex") == "0" and region.locator("table").count() == 1
    mean, interval = (
        table.locator(f".lg-{part}").first.bounding_box() for part in ("value", "detail")
    )
    assert interval["y"] >= mean["y"] + mean["height"] - 1, "the interval is under its mean"
    assert abs(interval["x"] + interval["width"] - mean["x"] - mean["width"]) <= 1

    # both lines are in the chart (the SVG export keeps text as text)
    svg = _download(page, page.locator(".lg-chart-followers").get_by_role("button", name="SVG"))
    assert b"consistent_engagement" in svg and b"storytelling" in svg
    png = _download(page, page.locator(".lg-chart-followers").get_by_role("button", name="PNG"))
    assert png.startswith(b"\x89PNG") and b'"engine": "vector"' in png  # says what made it

    final = page.locator(".lg-final")
    csv_bytes = _download(page, final.get_by_role("button", name="CSV"))
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode())))
    assert [row["strategy"] for row in rows] == ["consistent_engagement", "storytelling"]
    # the manifest beside the CSV says what made it and names the very bytes downloaded
    made = json.loads(_download(page, final.get_by_role("button", name="Manifest JSON")))
    assert list(made["sha256"].values()) == [hashlib.sha256(csv_bytes).hexdigest()]
    assert made["engine"] == "vector" and len(made["seeds"]) == 2
    assert [s["name"] for s in made["scenario"]["strategies"]] == [row["strategy"] for row in rows]

    toml_file = tmp_path / "comparison.toml"
    toml_file.write_bytes(_download(page, page.get_by_role("button", name="Scenario TOML")))
    cli = subprocess.run(
        [sys.executable, "-m", "sim.cli", "compare", str(toml_file), "--json"]
        + ["--out", str(tmp_path / "cli")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(cli.stdout)
    assert expected["seeds"] == 2 and expected["days"] == 60
    for row, result in zip(rows, expected["results"], strict=True):
        assert row["strategy"] == result["strategy"]
        for outcome, stats in result["final"].items():
            if outcome == "break_even_day":
                continue
            for stat, value in stats.items():
                assert float(row[f"{outcome}_{stat}"]) == pytest.approx(value, rel=1e-9, abs=1e-9)
    # the table shows the same numbers
    from sim.text import number

    followers = number(expected["results"][1]["final"]["followers"]["mean"])
    assert followers in text

    # the break-even market size: the comparison again in markets a quarter to four times as
    # large, the comparison's own size taken from the runs above
    page.get_by_role("button", name="Scan market sizes").click()
    market = page.locator(".lg-market")
    market.locator(".lg-chart-market img").wait_for()
    assert market.locator(".lg-chart-market img").bounding_box()["width"] <= 820  # alone on a row
    assert "against market size" in _images_say_what_they_show(page, 7)[-1]
    names = _download_names_are_unique(page)
    assert "Followers chart, PNG" in names and "Final outcomes after 60 days, CSV" in names
    scanned = list(
        csv.DictReader(
            io.StringIO(_download(page, market.get_by_role("button", name="CSV")).decode())
        )
    )
    assert sorted({float(row["factor"]) for row in scanned}) == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert len(scanned) == 10
    own = [row for row in scanned if float(row["factor"]) == 1.0]
    for row, result in zip(own, expected["results"], strict=True):
        profit = result["final"]["incremental_profit"]["mean"]
        assert float(row["incremental_profit_mean"]) == pytest.approx(profit, rel=1e-9, abs=1e-9)
    assert market.locator("tbody tr").count() == 2 and "people" in market.inner_text()
    _stays_when_stale(page, ".lg-chart-followers img", ".lg-days", "61")

    # a second session sees none of this one's results or state
    other = _page(browser, app_url)
    other.get_by_role("button", name="Run").wait_for()
    other.wait_for_timeout(1000)
    assert other.locator(".lg-final").count() == 0
    assert "storytelling" not in other.locator(".lg-strategies").inner_text()
    other.context.close()
    page.context.close()


def test_long_game_moves_with_w(browser, app_url):
    page = _page(browser, app_url, "long-game")
    page.get_by_role("button", name="Run").wait_for()
    page.locator(".lg-controls .v-select").first.click()
    page.get_by_role("option", name="small", exact=True).click()
    _fill(page, ".lg-days", "120")
    _fill(page, ".lg-seeds", "2")
    page.get_by_role("button", name="Run").click()
    lost = page.locator(".lg-value-lost")
    try:
        lost.wait_for()
    except Exception:
        _shot(page, "long_game_failure")
        raise
    before = (lost.inner_text(), page.locator(".lg-caption").inner_text())
    assert page.locator(".lg-break-even").inner_text()
    assert "fewer than half of the 2 did" in page.locator(".lg-break-even-note").inner_text()
    (alt,) = _images_say_what_they_show(page, 1)  # the J-curve says what its caption says
    assert alt.startswith("J-curve") and alt.endswith(before[1])
    _shots(page, "long_game_results")
    slider = page.locator(".lg-week [role=slider]")
    assert slider.get_attribute("aria-label") == "Quit at week W"  # named after its label
    slider.focus()
    started = time.monotonic()
    for _ in range(3):
        slider.press("ArrowRight")
    page.wait_for_function(  # each text arrives in its own message: wait for both
        "(old) => { const e = document.querySelector('.lg-value-lost');"
        " const c = document.querySelector('.lg-caption');"
        " return e && c && e.innerText !== old && c.innerText.includes('week 16'); }",
        arg=before[0],
    )
    assert time.monotonic() - started < 30
    after = (lost.inner_text(), page.locator(".lg-caption").inner_text())
    assert after[0] != before[0] and after[1] != before[1]
    assert "week 16" in after[1]  # 12 + 3 steps of 4 weeks, capped by the 120-day horizon
    _wait_said(page, *(f"Value {how} by quitting at week 16" for how in ("lost", "gained")))
    exports = page.locator(".lg-exports")  # the picture as a comparison that reruns it
    made = json.loads(_download(page, exports.get_by_role("button", name="Manifest JSON")))
    assert [s["name"] for s in made["scenario"]["strategies"]][1] == "quits at week 16"
    assert (
        "quits at week 16"
        in _download(page, exports.get_by_role("button", name="Scenario TOML")).decode()
    )
    _stays_when_stale(page, ".lg-jcurve img", ".lg-seeds", "3")
    page.context.close()


def test_audience_click_shows_history(browser, app_url):
    page = _page(browser, app_url, "audience")
    page.get_by_role("button", name="Run").wait_for()
    _fill(page, ".lg-days", "120")
    page.get_by_role("button", name="Run").click()
    page.wait_for_function(  # the view's points arrive after the rest of the page
        "() => document.querySelectorAll('circle.lg-node').length > 100", timeout=TIMEOUT * 2
    )
    assert page.locator(".lg-status").inner_text() == "running the agent engine..."
    page.evaluate("() => { window.drawnWhileRunning = document.querySelector('circle.lg-node'); }")
    page.wait_for_function(
        "() => (document.querySelector('.lg-status') || {}).innerText === 'done'",
        timeout=TIMEOUT * 2,
    )
    page.wait_for_function(  # the finished run is shown on its last day
        "() => { const s = document.querySelector('.lg-day [role=slider]');"
        " return s && s.getAttribute('aria-valuenow') === '120'; }"
    )
    page.wait_for_timeout(1000)  # time for a redraw, were the finished run to cause one
    assert page.evaluate("() => document.contains(window.drawnWhileRunning)"), (
        "the network view is kept, not drawn anew, when the run finishes"
    )
    nodes = page.locator("circle.lg-node")
    person = nodes.nth(7).get_attribute("data-person")
    panel = page.locator(".lg-person")
    for _ in range(3):  # a click while the page still syncs after "done" can be lost: again
        page.locator(f'circle.lg-node[data-person="{person}"]').dispatch_event("click")
        try:
            panel.wait_for(timeout=TIMEOUT // 4)
            break
        except PlaywrightTimeout:
            continue
    panel.wait_for()
    assert f"Person {person}" in panel.inner_text()
    page.wait_for_function(  # the selected person is drawn last, over the others
        "(p) => { const n = document.querySelectorAll('circle.lg-node');"
        " return n[n.length - 1].getAttribute('data-person') === p; }",
        arg=person,
    )
    fills = nodes.evaluate_all("(n) => n.slice(0, -1).map((c) => c.getAttribute('fill'))")
    codes = [STATE_COLORS.index(fill) for fill in fills]
    assert codes == sorted(codes), "the unaware are drawn first, under the people reached"
    # the keyboard's way: the person's id in a box (a click writes it there), then Enter
    box = page.locator(".lg-person-id input")
    assert box.count() == 1
    page.wait_for_function(
        "(p) => document.querySelector('.lg-person-id input').value === p", arg=person
    )
    other = nodes.nth(3).get_attribute("data-person")
    box.fill(other)
    box.press("Enter")
    panel.get_by_text(f"Person {other}").wait_for()
    assert page.locator(".lg-day [role=slider]").get_attribute("aria-label") == "Day"
    # to screen readers the drawing is one named image, described in words from what it draws:
    # as many people of each colour as there are dots of it, and the chosen person
    network = page.get_by_role("img", name="Audience network on day 120", exact=True)
    expect(network).to_have_accessible_description(re.compile(f"Person {other}, chosen"))
    described = network.evaluate(
        "(s) => document.getElementById(s.getAttribute('aria-describedby')).textContent"
    )
    fills = nodes.evaluate_all("(n) => n.map((c) => c.getAttribute('fill'))")
    assert f"all {len(fills):,} people of the audience" in described
    for code, name in enumerate(STATE_NAMES):
        assert f"{name} {fills.count(STATE_COLORS[code]):,} (" in described, name
    page.locator(".lg-history table").wait_for()  # drawn just after the panel
    for width, height in (PHONE, SIZES["laptop"]):  # on a phone the card is under the network
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        widths = panel.locator(".lg-table-scroll").evaluate_all(
            "(boxes) => boxes.map((b) => b.scrollWidth - b.clientWidth)"
        )
        assert widths and max(widths) <= 1, f"the person's tables scroll in their card at {width}"
    _shots(page, "audience_person")
    assert f"Person {other}'s history, CSV" in _download_names_are_unique(page)
    png = _download(page, page.get_by_role("button", name="PNG"))
    assert png.startswith(b"\x89PNG") and b'"engine": "agents"' in png
    page.context.close()


def test_builder_upload_shows_validation_error(browser, app_url, tmp_path):
    page = _page(browser, app_url, "builder")
    page.on("filechooser", lambda chooser: None)  # file pickers caught from now on (else at
    # times one opened by a key before Playwright caught them, and expect_file_chooser missed it)
    page.get_by_role("button", name="Save").wait_for()
    broken = tmp_path / "broken_strategy.toml"
    broken.write_text('preset = "consistent_engagement"\nreply_rate = 1.5\n')
    # the upload is a control of its own, reached by Tab from Download TOML, with a focus ring,
    # and opens the file picker with Enter
    page.get_by_role("button", name="Download TOML").focus()
    page.keyboard.press("Tab")
    focused = "() => document.activeElement.matches('input.lg-upload-input')"
    assert page.evaluate(focused), "Tab from Download TOML does not reach the upload"
    ring = page.locator(".lg-upload-button").evaluate("(e) => getComputedStyle(e).outlineStyle")
    assert ring == "solid", "the focused upload shows no focus ring"
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Enter")
    chooser.value.set_files(str(broken))
    error = page.locator(".lg-upload-error")
    error.wait_for()
    message = error.inner_text()
    assert "broken_strategy.toml" in message and "reply_rate" in message
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("reply_rate = = 0.5\n")
    with page.expect_file_chooser() as chooser:  # Space opens the picker too
        page.locator("input.lg-upload-input").press("Space")
    chooser.value.set_files(str(syntax))
    page.wait_for_function(
        "() => document.querySelector('.lg-upload-error').innerText.includes('syntax.toml')"
    )
    _shots(page, "builder_upload_error")
    _fill(page, ".lg-field-follow_rate", "99999")  # beyond the range: said at the field
    page.locator(".lg-field-follow_rate .lg-field-error").get_by_text("at most").wait_for()
    download = page.get_by_role("button", name="Download TOML")
    assert download.is_disabled()  # greyed while a field is wrong, not gone
    page.locator("[class*='lg-field-']").last.scroll_into_view_if_needed()  # a long form
    save = page.get_by_role("button", name="Save").bounding_box()
    assert 0 <= save["y"] <= page.viewport_size["height"], "Save stays in view beside the form"
    assert "<strategy builder>" not in page.locator(".lg-form-error").inner_text()
    good = tmp_path / "good.toml"
    good.write_text('name = "my_plan"\npreset = "storytelling"\nposts_per_week = 3.0\n')
    page.locator("input.lg-upload-input").set_input_files(str(good))
    card = page.locator(".lg-controls")  # the card: the status region says the same, unseen
    card.get_by_text("Loaded good.toml").wait_for()
    page.get_by_text("posts per week: 3", exact=True).wait_for()  # sliders say their value
    page.get_by_role("button", name="Save").click()
    card.get_by_text("Saved 'my_plan'").wait_for()
    _wait_said(page, "Saved 'my_plan' for this session (Compare offers it).")  # read out
    _fill(page, ".lg-field-name", "storytelling")  # a preset's name: not saved
    page.get_by_text("'storytelling' is the preset storytelling's name").wait_for()
    page.locator(".lg-field-name input").fill("renamed_plan")  # no Enter: the click commits it
    page.get_by_role("button", name="Save").click()
    card.get_by_text("Saved 'renamed_plan'").wait_for()
    page.context.close()


def test_text_in_a_number_box_disables_run(browser, app_url):
    """Typed in the browser, '3o' in the horizon is said beside the field and disables Run
    (Solara's InputInt kept the last number and ran it); a number enables Run again."""
    page = _page(browser, app_url)
    run = page.get_by_role("button", name="Run", exact=True)
    run.wait_for()
    page.locator(".lg-days input").fill("3o")
    page.locator(".lg-problem").get_by_text("'3o' is not a whole number").wait_for()
    assert run.is_disabled()
    page.locator(".lg-days input").fill("30")
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "(b) => b.innerText.trim() === 'RUN' && !b.disabled)"
    )
    # the audience's kind buttons say which is chosen
    kinds = page.locator(".lg-audience-kind .v-btn")
    pressed = "(buttons) => buttons.map((b) => b.getAttribute('aria-pressed'))"
    assert kinds.evaluate_all(pressed) == ["true", "false", "false"]
    kinds.nth(1).click()
    page.wait_for_function(
        "() => (document.querySelector('.lg-audience-kind .v-btn[aria-pressed=true]') || {})"
        ".innerText?.trim().toLowerCase() === 'generated'",
        timeout=10_000,
    )
    assert kinds.evaluate_all(pressed) == ["false", "true", "false"]
    page.context.close()
