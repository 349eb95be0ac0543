"""The Makefile's targets install what their commands need on a fresh machine."""

from __future__ import annotations

import re
from pathlib import Path

MAKEFILE = Path(__file__).resolve().parents[1] / "Makefile"


def prerequisites(target: str) -> set[str]:
    """The prerequisites of ``target`` as the Makefile writes them."""
    match = re.search(rf"^{re.escape(target)}:([^=\n]*)$", MAKEFILE.read_text(), re.MULTILINE)
    assert match, f"no target {target!r} in the Makefile"
    return set(match.group(1).split())


def test_targets_that_drive_a_browser_install_it_and_the_apps_front_end_files():
    for target in ("test", "stress"):
        assert {"venv", "system-deps", "app-assets"} <= prerequisites(target), target
    assert {"venv", "app-assets"} <= prerequisites("app")


def test_every_target_that_runs_the_project_creates_its_environment():
    for target in ("demo", "test", "bench", "fuzz", "stress", "app", "lint"):
        assert "venv" in prerequisites(target), target
