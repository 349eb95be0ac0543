"""Shared by the browser tests: the app served on a free port, headless Chromium, pages, shots.

``serve_app`` starts ``solara run viz/app.py`` (with extra environment variables, e.g. the
sweeps folder) and stops it; the ``browser`` fixture (tests/conftest.py) is one Chromium for the
whole session. Screenshots go to ``out/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "out" / "screenshots"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"laptop": (1366, 768), "projector": (1920, 1080), "narrow": (800, 900)}
PHONE = (400, 800)
"""A phone's window, where pages with results are checked too (``tests/test_app.py``)."""
TIMEOUT = 60_000

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("LONGGAME_REQUIRE_BROWSER"),
    reason="chromium is not installed (make system-deps)",
)
"""Browser tests skip without chromium, except under ``make test`` (LONGGAME_REQUIRE_BROWSER=1),
where a missing browser must fail them."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_app(env: Mapping[str, str] | None = None, log_name: str = "app-test") -> Iterator[str]:
    """The app served by ``solara run`` on a free port with ``env`` added to the environment;
    yields its URL and stops it afterwards (its output in ``out/LOG_NAME.log``)."""
    port = _free_port()
    full_env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false", **(env or {})}
    log = (ROOT / "out" / f"{log_name}.log").resolve()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "solara", "run", "viz/app.py", "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-open", "--production"],
            cwd=ROOT,
            env=full_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError(f"the app did not start; see {log}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def launch_chromium() -> Iterator[object]:
    """Headless Chromium (the system one: Playwright cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        yield chromium
        chromium.close()


def open_page(browser, app_url: str, path: str = "", size: str = "laptop"):
    """A new browser context (a new Solara session) at ``app_url/path``."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{app_url}/{path}")
    return page


def shot(page, name: str) -> None:
    """A full-page screenshot in ``out/screenshots/NAME.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
