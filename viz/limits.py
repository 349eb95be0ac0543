"""What the web app accepts: upload size, run size and run time (docs/reliability.md).

Runs from the web are bounded before they start (people, days, seeds and their product in
person-days) and while they run (a time limit, enforced by the job's cancel checks between
simulated days). Queueing is bounded in ``viz.jobs``. The CLI has none of these limits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sim.audience import people_in
from sim.errors import ScenarioError
from sim.schema import Audience, Strategy
from sim.text import plural

if TYPE_CHECKING:
    from viz.choices import AudienceChoice

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_PEOPLE",
    "MAX_DAYS",
    "MAX_SEEDS",
    "MAX_PERSON_DAYS",
    "RUN_SECONDS",
    "upload_problem",
    "run_problem",
    "setup_problem",
]

MAX_UPLOAD_BYTES = 64 * 1024
"""Largest TOML upload (a full strategy with every parameter is about 2 KiB)."""
MAX_PEOPLE = 50_000
MAX_DAYS = 3_650
MAX_SEEDS = 20
MAX_PERSON_DAYS = 1_000_000_000
"""people x days x seeds x runs (strategies and the baseline): about 3 minutes of one core."""
RUN_SECONDS = float(os.environ.get("LONGGAME_WEB_RUN_SECONDS", "600"))
"""A web job's time limit, not counting time queued for a run slot (the environment variable
lets an operator, or the load test, change it)."""


def upload_problem(name: str, size: int) -> str:
    """Why an upload of ``size`` bytes is refused, or '' if it is accepted."""
    if size > MAX_UPLOAD_BYTES:
        return (
            f"{name} is {size / 1024:,.0f} KiB; uploads are limited to "
            f"{MAX_UPLOAD_BYTES // 1024} KiB (a strategy file is about 2 KiB)"
        )
    return ""


def run_problem(audience: Audience, days: int, seeds: int, runs: int) -> str:
    """Why a web run of ``runs`` strategies (and the baseline) on ``audience`` over ``days`` days
    and ``seeds`` seeds is too big, or '' if it may start."""
    people = people_in(audience.graph)
    if people > MAX_PEOPLE:
        return f"{people:,} people is more than the web app runs ({MAX_PEOPLE:,}); use the CLI."
    if not 1 <= days <= MAX_DAYS:
        return f"The horizon must be 1 to {MAX_DAYS:,} days in the web app."
    if not 1 <= seeds <= MAX_SEEDS:
        return f"Seeds must be 1 to {MAX_SEEDS} in the web app."
    person_days = people * days * seeds * (runs + 1)
    if person_days > MAX_PERSON_DAYS:
        return (
            f"Too big for the web app: {people:,} people x {days:,} days x {plural(seeds, 'seed')} "
            f"x {runs + 1} runs (with the baseline) is {person_days:,} person-days; the limit "
            f"is {MAX_PERSON_DAYS:,}. Use fewer people, days or seeds, or the CLI."
        )
    return ""


def setup_problem(
    unparsed: Mapping[str, str],
    own: str,
    strategies: Sequence[Strategy],
    audience: AudienceChoice | None,
    days: int,
    seeds: int,
    runs: int,
) -> str:
    """Why a page's setup cannot run, or '': a number box holding text, then the page's own rule
    (``own``, its message or ''), the strategies' platforms, the audience and the run's size
    (``audience`` None: the page checks neither, as the Audience page, whose agent engine has
    its own day limit)."""
    from viz.choices import audience_for, platform_mismatch
    from viz.components import unparsed_problem

    if unparsed:
        return unparsed_problem(unparsed)
    problem = own or platform_mismatch(strategies)
    if problem or audience is None:
        return problem
    try:
        chosen = audience_for(audience)
    except ScenarioError as error:
        return str(error)
    return run_problem(chosen, days, seeds, runs)
