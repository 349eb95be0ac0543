"""The web app under load (docs/reliability.md): concurrent browser sessions each run a comparison.

One app server on 127.0.0.1, ``LONGGAME_LOAD_SESSIONS`` sessions (default 3; ``make stress``
runs 10), each a browser context running its own small comparison (its own strategies, horizon
and seeds) at the same time. Each page must show its own result, equal to ``sim.runner.compare``
on the TOML that page exports, and nothing of another's. One more session runs a comparison too
big for the server's time limit (set low for the test): its page shows the time-limit error
while the others finish. The server's resident memory is sampled throughout and must stay
under a bound.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
from pathlib import Path

import psutil
import pytest
from browser_app import TIMEOUT, needs_chromium, open_page, serve_app, shot

from sim.loading import load_comparison
from sim.runner import compare
from sim.summary import final_outcomes

pytestmark = needs_chromium

SESSIONS = int(os.environ.get("LONGGAME_LOAD_SESSIONS", "3"))
RUN_SECONDS = 8
"""The test server's time limit per job (``LONGGAME_WEB_RUN_SECONDS``): far above what a small
comparison needs, far below what the failing session's needs."""
SECONDS_PER_SESSION = 30
"""The time the sessions may take in all, per session (they share the server's two run slots;
measured: 75 s for 3 sessions, 245 s for 10 on a loaded 2-core machine)."""
RSS_BOUND = 500_000_000 + 50_000_000 * SESSIONS
"""Bytes the server may hold (measured: about 370 MB idle, 530 MB peak with 3 sessions)."""
OTHERS = ["storytelling", "no_plan", "publish_first", "self_promotion", "vanity_metrics"]


def _server_rss(url: str) -> int:
    """Resident bytes of the app server serving ``url`` (a child of this process), and its
    children."""
    port = url.rsplit(":", 1)[1]
    for child in psutil.Process().children(recursive=True):
        try:
            if port in child.cmdline():
                family = [child, *child.children(recursive=True)]
                return sum(process.memory_info().rss for process in family)
        except psutil.NoSuchProcess:
            continue
    raise RuntimeError(f"no server process for {url}")


class _Sampler(threading.Thread):
    """Samples the server's RSS every 0.2 s until stopped; keeps the peak."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.peak = 0
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            try:
                self.peak = max(self.peak, _server_rss(self.url))
            except (RuntimeError, psutil.Error):
                return  # the server has stopped
            self.samples += 1
            self._done.wait(0.2)

    def stop(self) -> int:
        self._done.set()
        self.join(5)
        return self.peak


def _choose(page, strategy: str, days: int, seeds: int) -> None:
    """Compare's controls: consistent_engagement and ``strategy`` on the small audience."""
    page.get_by_role("button", name="Run").wait_for()
    page.locator(".lg-audience-preset").click()
    page.get_by_role("option", name="small", exact=True).click()
    page.locator(".lg-strategies").click()
    page.get_by_role("option", name="broadcasting", exact=True).click()  # deselect the default
    page.get_by_role("option", name=strategy, exact=True).click()
    page.keyboard.press("Escape")
    for selector, value in ((".lg-days", days), (".lg-seeds", seeds)):
        box = page.locator(f"{selector} input")
        box.fill(str(value))
        box.press("Enter")


def _download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def test_concurrent_sessions_each_get_their_own_result(browser, tmp_path):
    started = time.monotonic()
    with serve_app({"LONGGAME_WEB_RUN_SECONDS": str(RUN_SECONDS)}, "app-load-test") as url:
        sampler = _Sampler(url)
        sampler.start()
        idle = _server_rss(url)
        plans = [
            (OTHERS[i % len(OTHERS)], 20 + 5 * i, 1 + i % 2) for i in range(SESSIONS)
        ]  # (strategy, days, seeds): every session's comparison differs
        pages = [open_page(browser, url) for _ in plans]
        failing = open_page(browser, url)
        for page, (strategy, days, seeds) in zip(pages, plans, strict=True):
            _choose(page, strategy, days, seeds)
        _choose(failing, "storytelling", 3650, 20)  # within the size limits, not the time
        # all runs start together; the failing one first, so it holds a run slot throughout
        for page in [failing, *pages]:
            page.get_by_role("button", name="Run").click()
        deadline = time.monotonic() + SECONDS_PER_SESSION * (SESSIONS + 1) + TIMEOUT / 1000
        for page, (strategy, days, _) in zip(pages, plans, strict=True):
            page.wait_for_function(
                "() => document.querySelectorAll('.lg-final tbody tr').length == 2",
                timeout=max(1000.0, (deadline - time.monotonic()) * 1000),
            )
            text = page.locator(".lg-final table").inner_text()
            assert f"Final outcomes after {days} days" in page.inner_text("body")
            assert "consistent_engagement" in text and strategy in text
            assert not {other for other in OTHERS if other != strategy} & set(text.split())
            assert page.locator(".lg-run-error").count() == 0
        error = failing.locator(".lg-run-error")
        error.wait_for(timeout=TIMEOUT * 2)
        assert (
            "TimeLimitExceeded" in error.inner_text() and f"{RUN_SECONDS} s" in error.inner_text()
        )
        assert "cancelled" in failing.locator(".lg-progress").inner_text()
        shot(failing, "load_failing_session")
        rows_by_page = []
        for i, page in enumerate(pages):
            toml_file = tmp_path / f"session_{i}.toml"
            toml_file.write_bytes(_download(page, page.get_by_role("button", name="Scenario TOML")))
            table = _download(page, page.locator(".lg-final").get_by_role("button", name="CSV"))
            rows_by_page.append((toml_file, list(csv.DictReader(io.StringIO(table.decode())))))
        peak = sampler.stop()
        for context in [page.context for page in [*pages, failing]]:
            context.close()
    # each page's numbers are the runner's for the comparison that page exported
    for (toml_file, rows), (strategy, days, seeds) in zip(rows_by_page, plans, strict=True):
        comparison = load_comparison(toml_file)
        assert [s.name for s in comparison.strategies] == ["consistent_engagement", strategy]
        assert (comparison.scenario.days, comparison.seeds) == (days, seeds)
        expected = final_outcomes(compare(comparison)).set_index("strategy")
        assert [row["strategy"] for row in rows] == list(expected.index)
        for row in rows:
            for column in ("followers_mean", "revenue_mean", "incremental_profit_mean"):
                value = expected.loc[row["strategy"], column]
                assert float(row[column]) == pytest.approx(value, rel=1e-9, abs=1e-9)
    elapsed = time.monotonic() - started
    print(
        f"\n{SESSIONS} sessions + 1 failing: {elapsed:.0f} s; server RSS idle "
        f"{idle / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB ({sampler.samples} samples)"
    )
    assert sampler.samples > 10 and peak < RSS_BOUND
