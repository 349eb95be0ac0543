"""The Sweeps page in a browser: a small grid sweep made by the sweep API in a temporary sweeps
folder, the app served with LONGGAME_SWEEPS_DIR pointing there, the directory chosen, the charts
and tables shown with the numbers of experiments.views, and paths outside the folder refused."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_app import needs_chromium, open_page, serve_app, shot
from test_sweep_views import GRID, ce_minus_bc_equity, run_grid_sweep

from experiments import views
from experiments.executors import SerialExecutor
from experiments.spec import experiment_from_text
from experiments.sweep import Sweep
from sim.text import number
from viz.pages.sweeps import robustness_shown

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def sweeps_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweeps")
    run_grid_sweep(root / "grid")
    sampled = GRID  # the same parameters' ranges, four Latin hypercube points
    for grid, lhs in (
        ('"grid"', '"sampled"'),
        ('method = "sampled"', 'method = "lhs"\npoints = 4'),
        ("values = [0.1, 0.3, 0.5]", "low = 0.1, high = 0.5"),
        ("values = [0.05, 0.4]", "low = 0.05, high = 0.4"),
    ):
        assert grid in sampled
        sampled = sampled.replace(grid, lhs)
    Sweep(experiment_from_text(sampled, "sampled.toml"), root / "sampled").execute(SerialExecutor())
    (root.parent / "outside").mkdir()
    return root


@pytest.fixture(scope="module")
def sweeps_url(sweeps_root) -> Iterator[str]:
    with serve_app({views.SWEEPS_DIR_ENV: str(sweeps_root)}, log_name="app-sweeps-test") as url:
        yield url


def _download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def test_sweeps_page_shows_heatmap_sensitivity_and_robustness(browser, sweeps_url, sweeps_root):
    page = open_page(browser, sweeps_url, "sweeps")
    page.locator(".lg-sweep-select").click()
    page.get_by_role("option", name=f"{sweeps_root.name}/grid").click()
    for chart in (".lg-sweep-heatmap", ".lg-sweep-sensitivity", ".lg-sweep-robustness-chart"):
        page.locator(f"{chart} img").wait_for()
    page.locator(".lg-sweep-robustness table").wait_for()
    alts = page.locator("img").evaluate_all("(images) => images.map((i) => i.alt.trim())")
    assert len(alts) == 3 and all(alts), f"a chart has no text alternative: {alts}"
    assert alts[0].startswith("Heatmap of the mean")
    shot(page, "sweeps_laptop")
    headings = page.locator("h1, h2, h3").evaluate_all(
        "(hs) => hs.map((h) => h.tagName + ' ' + h.innerText.split(' ')[0])"
    )
    assert headings == ["H1 longgame:", "H2 grid", "H3 Sensitivity", "H3 Robustness"]
    names = page.locator(".solara-file-download-container .v-btn").evaluate_all(
        "(buttons) => buttons.map((b) => b.getAttribute('aria-label') || b.innerText.trim())"
    )
    assert len(names) == 12 and len(set(names)) == 12, f"download buttons named alike: {names}"
    hidden = page.locator(
        ".lg-sweep-heatmap-table .lg-table-scroll, .lg-sweep-sensitivity-table .lg-table-scroll"
    ).evaluate_all("(boxes) => boxes.map((b) => b.scrollWidth - b.clientWidth)")
    assert len(hidden) == 2 and max(hidden) <= 1, "a table hides its last columns at 1366 px"

    # the numbers shown are experiments.views' own
    data = views.open_sweep(sweeps_root / "grid")
    table = ce_minus_bc_equity(data)
    assert table.shape == (2, 3)
    heatmap_text = page.locator(".lg-sweep-heatmap-table table").inner_text()
    rows = page.locator(".lg-sweep-heatmap-table tbody tr")  # each row's y value is its header
    assert page.locator(".lg-sweep-heatmap-table tbody th[scope=row]").count() == rows.count() == 2
    regions = page.get_by_role("region").evaluate_all("(r) => r.map((e) => e.ariaLabel)")
    assert len(regions) == 3 and all(regions), "every table's box is a region named after it"
    for value in table.to_numpy().ravel():
        assert number(value) in heatmap_text
    robustness = robustness_shown(views.robustness_table(views.robustness_report(data)))
    shown = page.locator(".lg-sweep-robustness table").inner_text()
    assert robustness["holds at"].iloc[0] in " ".join(shown.split())  # interval on its own line
    bars = views.sensitivity_table(data, "CE beats BC on equity")
    sensitivity_text = page.locator(".lg-sweep-sensitivity-table").inner_text()
    assert number(bars["value"].iloc[0]) in sensitivity_text
    flagged = bars["reliability"].astype(bool).any()  # said above the bars, as the report says
    assert page.locator(".lg-sweep-unreliable").count() == int(flagged)

    # exports: PNG and SVG of the chart, CSV of the table at full precision
    heatmap = page.locator(".lg-sweep-heatmap")
    assert _download(page, heatmap.get_by_role("button", name="PNG")).startswith(b"\x89PNG")
    svg = _download(page, heatmap.get_by_role("button", name="SVG"))
    assert b"consistent_engagement - broadcasting" in svg
    csv_bytes = _download(
        page, page.locator(".lg-sweep-heatmap-table").get_by_role("button", name="CSV")
    )
    rows = list(csv.reader(io.StringIO(csv_bytes.decode())))
    assert float(rows[1][1]) == pytest.approx(table.iloc[0, 0], rel=1e-12)
    # what made them is the sweep's: its runs' code and engine, the experiment's fingerprint
    fingerprint = data.experiment.fingerprint()
    assert f'"fingerprint": "{fingerprint}"'.encode() in svg
    manifest = page.locator(".lg-sweep-heatmap-table").get_by_role("button", name="Manifest JSON")
    made = json.loads(_download(page, manifest))
    assert made["fingerprint"] == fingerprint and made["made_in"] == "longgame app, sweeps page"
    assert list(made["sha256"].values()) == [hashlib.sha256(csv_bytes).hexdigest()]

    assert page.locator(".lg-bins").count() == 0  # a grid's cells are its values: no Bins box

    # a path outside the allowed folder is refused, one inside opens
    path = page.locator(".lg-sweep-path input")
    for escape in ("../outside", str(sweeps_root.parent / "outside"), "/etc"):
        path.fill(escape)
        page.get_by_role("button", name="Open").click()
        page.locator(".lg-sweep-error").wait_for()
        assert "outside the folders" in page.locator(".lg-sweep-error").inner_text()
        assert page.locator(".lg-sweep-heatmap").count() == 0
    path.fill("grid")
    page.get_by_role("button", name="Open").click()
    page.locator(".lg-sweep-heatmap img").wait_for()
    assert page.locator(".lg-sweep-error").count() == 0
    page.context.close()


def test_sweeps_page_bins_a_sampled_design(browser, sweeps_url, sweeps_root):
    page = open_page(browser, sweeps_url, "sweeps")
    page.locator(".lg-sweep-select").click()
    page.get_by_role("option", name=f"{sweeps_root.name}/sampled").click()
    table = page.locator(".lg-sweep-heatmap-table table")
    table.wait_for()
    bins = page.locator(".lg-bins input")
    bins.fill("1")
    bins.press("Enter")
    page.wait_for_function(  # one bin per parameter: the four points in one cell
        "() => document.querySelectorAll('.lg-sweep-heatmap-table tbody tr').length === 1"
    )
    whole = ce_minus_bc_equity(views.open_sweep(sweeps_root / "sampled"), bins=1)
    assert whole.shape == (1, 1) and number(whole.iloc[0, 0]) in table.inner_text()
    for text, message in (("0", "1 to 20 bins."), ("eight", "'eight' is not a whole number")):
        bins.fill(text)
        bins.press("Enter")
        page.get_by_text(message).first.wait_for()
    page.context.close()
