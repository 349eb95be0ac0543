"""Ablations: remove one mechanism at a time and see which headline claims still hold.

Run ``python -m experiments.ablations [--seeds K] [--days N] [--out docs/ablations.md]``. The
headline comparison (``scenarios/comparisons/headline.toml``) runs once as it is and once per
ablation; each ablation sets parameters of the scenario's ``behavior``, ``market`` or platforms
so that one mechanism does nothing, and the five headline claims are evaluated the way
``tests/test_headline.py`` states them (``sim.claims``). The result is a Markdown table.

``python -m experiments.ablations --calibration`` prints instead what the default parameters
give for the benchmarks of ``docs/calibration.md`` (:func:`calibration_table`); with
``--out docs/calibration.md`` it replaces the table between the markers there.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.claims import CLAIMS, SHORT, abbreviation, check_claims
from sim.loading import load_comparison, load_scenario
from sim.runner import compare
from sim.schema import Comparison, Scenario
from sim.validation import calibration

__all__ = [
    "ABLATIONS",
    "Ablation",
    "ablate",
    "calibration_table",
    "main",
    "render",
    "run_ablations",
]


# --- ablations ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ablation:
    """One mechanism switched off by parameter values (never by a code path)."""

    name: str
    removes: str
    behavior: dict[str, float] = field(default_factory=dict)
    market: dict[str, float] = field(default_factory=dict)
    platforms: dict[str, float] = field(default_factory=dict)

    def settings(self) -> str:
        """The parameter values, as ``section.name = value``."""
        parts = [
            f"{section}.{name} = {value:g}"
            for section, values in (
                ("behavior", self.behavior),
                ("market", self.market),
                ("platforms", self.platforms),
            )
            for name, value in values.items()
        ]
        return ", ".join(parts) if parts else "(none)"


ABLATIONS: tuple[Ablation, ...] = (
    Ablation("as_is", "nothing: the headline comparison as shipped"),
    Ablation(
        "no_reciprocity",
        "trust from replies, and its loss when ignored",
        behavior={"reply_trust": 0.0, "ignored_trust": 0.0},
    ),
    Ablation(
        "no_ranking",
        "feed ranking by engagement per impression",
        platforms={"rank_sensitivity": 0.0, "rank_min": 1.0, "rank_max": 1.0},
    ),
    Ablation(
        "no_pruning",
        "followers pruning accounts that give them nothing",
        behavior={"prune_rate": 0.0},
    ),
    Ablation(
        "no_spam_rules",
        "platform follow limits and their restrictions",
        platforms={"follow_limit_per_day": 1e6, "following_floor": 1e9},
    ),
    Ablation("no_outreach_hours", "the staff time outreach takes", behavior={"follow_hours": 0.0}),
    Ablation(
        "no_trust_decay",
        "trust fading without two-way contact (longest half-life)",
        behavior={"trust_half_life": 3650.0},
    ),
    Ablation(
        "no_satisfaction_trust",
        "trust moved by purchase satisfaction",
        market={"satisfied_trust": 0.0, "unhappy_trust": 0.0},
    ),
    Ablation(
        "no_word_of_mouth", "advocates recommending the brand", behavior={"advocacy_rate": 0.0}
    ),
    Ablation(
        "no_salience_fading",
        "salience fading (longest half-life)",
        behavior={"salience_half_life": 1000.0},
    ),
    Ablation(
        "large_eps", "the need for a relationship to buy (eps = 1)", market={"no_relationship": 1.0}
    ),
    Ablation("no_promo_fatigue", "fatigue from promotional posts", behavior={"promo_fatigue": 0.0}),
    Ablation(
        "no_discovery",
        "discovery and engager surfacing (reach beyond followers)",
        platforms={"discovery_rate": 0.0, "surfacing_rate": 0.0},
    ),
)


def ablate(scenario: Scenario, ablation: Ablation) -> Scenario:
    """The scenario with the ablation's parameters set (on every platform), validated again."""
    data = scenario.model_dump()
    data["behavior"].update(ablation.behavior)
    data["market"].update(ablation.market)
    for platform in data["platforms"]:
        platform.update(ablation.platforms)
    return Scenario.model_validate(data)


def _ablated_comparison(comparison: Comparison, ablation: Ablation) -> Comparison:
    return comparison.model_copy(update={"scenario": ablate(comparison.scenario, ablation)})


# --- running --------------------------------------------------------------------------------
def run_ablations(
    names: list[str] | None = None,
    *,
    seeds: int = 4,
    days: int = 730,
    workers: int = 2,
    cache: Path | None = None,
    log: Callable[[str], object] = print,
) -> dict[str, pd.DataFrame]:
    """The headline comparison's runs per ablation (all of :data:`ABLATIONS` by default).

    With ``cache`` (a folder), each ablation's runs are stored as Parquet and reused when the
    same ablation, seeds and days are asked for again on the same code (:func:`code_fingerprint`).
    """
    comparison = load_comparison("headline")
    chosen = [a for a in ABLATIONS if names is None or a.name in names]
    results = {}
    fingerprint = code_fingerprint()
    for ablation in chosen:
        path = cache / f"{ablation.name}_s{seeds}_d{days}_{fingerprint}.parquet" if cache else None
        if path is not None and path.exists():
            results[ablation.name] = pd.read_parquet(path)
            log(f"{ablation.name}: cached ({path})")
            continue
        started = time.perf_counter()
        runs = compare(
            _ablated_comparison(comparison, ablation), days=days, seeds=seeds, workers=workers
        )
        log(f"{ablation.name}: {time.perf_counter() - started:.0f} s")
        if code_fingerprint() != fingerprint:
            raise RuntimeError(
                f"the model's code changed while {ablation.name} ran; run again on stable code"
            )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            runs.to_parquet(path)
        results[ablation.name] = runs
    return results


def code_fingerprint() -> str:
    """A short hash of what the model does, to tell which code produced a result.

    It hashes the shipped scenario files and the output of a short run of the ``quick``
    comparison made in a fresh process (this process may hold modules older than the files), so
    edits that leave results unchanged, such as refactoring, keep the fingerprint.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.glob("scenarios/**/*.toml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    probe = "from experiments.ablations import _behaviour_digest; print(_behaviour_digest())"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    )
    digest.update(done.stdout.strip().encode())
    return digest.hexdigest()[:12]


def _behaviour_digest() -> str:
    """Hash of the daily metrics of the ``quick`` comparison, one seed, 120 days."""
    runs = compare(load_comparison("quick"), days=120, seeds=1)
    return hashlib.sha256(pd.util.hash_pandas_object(runs, index=False).to_numpy()).hexdigest()


def _commit() -> str:
    """The repository's commit, marked when the model's files have uncommitted changes."""
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=root
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "sim", "scenarios"],
            capture_output=True,
            text=True,
            cwd=root,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (
        f"{head or 'unknown'}{' with uncommitted changes to sim/ or scenarios/' if dirty else ''}"
    )


def _version() -> str:
    try:
        return metadata.version("longgame")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def render(
    results: dict[str, pd.DataFrame],
    *,
    seeds: int,
    days: int,
    command: str,
    fingerprint: str | None = None,
) -> str:
    """The Markdown report: one row per ablation, one column per claim (✓/✗ and numbers)."""
    day = days - 1
    by_name = {a.name: a for a in ABLATIONS}
    lines = [
        "# Ablations: which mechanisms the headline claims depend on",
        "",
        "Generated by `experiments/ablations.py`; do not edit by hand. Each row runs the headline",
        "comparison (`scenarios/comparisons/headline.toml`: consistent engagement CE, "
        "storytelling ST,",
        "broadcasting BC, self-promotion SP, over-following OF, quitting early QE) with one "
        "mechanism",
        "switched off through its parameters, and checks the five headline claims of docs/model.md",
        'the way `tests/test_headline.py` states them ("A beats B": paired 95% interval above 0).',
        "",
        f"- command: `{command}`",
        f"- seeds: {seeds} (scenario seed 42 + 0..{seeds - 1}); horizon: {days} days (claims at "
        f"day {day}, short horizon day {SHORT}); longgame {_version()}, code fingerprint "
        f"`{fingerprint or code_fingerprint()}` (scenario files and a short probe run); "
        f"commit {_commit()}",
        "",
        "## Claims per ablation",
        "",
        "| ablation | " + " | ".join(CLAIMS.values()) + " |",
        "| --- | " + " | ".join("---" for _ in CLAIMS) + " |",
    ]
    for name, runs in results.items():
        checked = check_claims(runs, day)
        cells = [f"{'✓' if r.holds else '✗'} {r.note}" for r in checked.values()]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## What each ablation sets",
        "",
        "| ablation | removes | parameters |",
        "| --- | --- | --- |",
    ]
    for name in results:
        ablation = by_name[name]
        lines.append(f"| `{name}` | {ablation.removes} | `{ablation.settings()}` |")
    lines += [
        "",
        f"## Means at day {day}",
        "",
        "Mean over seeds of followers, relationship equity, cumulative revenue and "
        "incremental profit.",
        "",
        "| ablation | strategy | followers | equity | revenue | incremental profit |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in results.items():
        final = (
            runs[runs["day"] == day]
            .groupby("strategy", sort=False)[
                ["followers", "equity", "cum_revenue", "incremental_profit"]
            ]
            .mean()
        )
        for strategy, row in final.iterrows():
            lines.append(
                f"| `{name}` | {abbreviation(strategy)} | {row['followers']:,.0f} | "
                f"{row['equity']:,.0f} | {row['cum_revenue']:,.0f} | "
                f"{row['incremental_profit']:,.0f} |"
            )
    return "\n".join(lines) + "\n"


# --- calibration ----------------------------------------------------------------------------
CALIBRATION_BEGIN = "<!-- BEGIN calibration_table -->"
CALIBRATION_END = "<!-- END calibration_table -->"
"""With ``--calibration --out FILE``, a FILE holding these markers gets the table between them."""


def calibration_table(seeds: int = 3, days: int = 365) -> str:
    """What the defaults give on the calibration benchmarks (Markdown), base scenario, CE.

    Measured by `sim.validation.calibration.measure`: engagement and organic reach per post per
    follower as the benchmarks define them, over the whole run and on the median posting day.
    """
    found = calibration.measure(seeds, days)
    rows: list[tuple[str, str, str, str]] = []
    for platform, (engagement, engagement_day) in found.engagement.items():
        reach, reach_day = found.reach[platform]
        published, source = calibration.BENCHMARKS.get(platform, (0, 0, "no benchmark", "-"))[2:]
        rows.append(
            (
                f"{platform}: engagements per post per follower (median posting day)",
                f"{engagement:.3%} ({engagement_day:.3%})",
                published,
                source,
            )
        )
        facebook = platform == "facebook"
        rows.append(
            (
                f"{platform}: organic reach, feed impressions per post per follower "
                "(median posting day)",
                f"{reach:.1%} ({reach_day:.1%})",
                calibration.REACH_BENCHMARK[2] if facebook else "-",
                calibration.REACH_BENCHMARK[3] if facebook else "-",
            )
        )
    fatigue = found.unfollows.iloc[:3]
    rows.append(
        (
            "fatigue unfollows by cause: promo / irrelevance / volume",
            " / ".join(f"{share:.0%}" for share in found.fatigue_shares)
            + f" (of {fatigue.sum():,.0f} in {days} days)",
            "46% / 41% / 35% name each reason (normalised 38% / 34% / 29%)",
            "Sprout Social Index 2016",
        )
    )
    rows.append(
        (
            f"unfollows in {days} days (mean over seeds): promo / irrelevance / volume / "
            "pruning / dropout / spam",
            " / ".join(f"{value:,.0f}" for value in found.unfollows),
            "-",
            "-",
        )
    )
    rows.append(
        (
            "comments answered the same day",
            f"{found.answered:.0%}",
            "79% expect a reply within 24 hours",
            "Sprout Social Index 2020",
        )
    )
    rows.append(
        (
            "likes per post at 2 posts a day, relative to 1 post a day",
            f"{found.two_a_day:.0%}",
            "57%",
            "Track Social 2012",
        )
    )
    base = load_scenario("base")
    rows.append(
        (
            "linked pairs of people following each other (generated graph)",
            f"{calibration.reciprocity(base, base.seed):.0%}",
            "22% of linked pairs on Twitter",
            "Kwak et al. 2010",
        )
    )
    half_life = base.behavior.salience_half_life
    faded = half_life * np.log2(10)
    rows.append(
        (
            "salience: days until 90% of an exposure's effect has faded",
            f"{faded:.0f} ({faded / 30.4:.1f} months)",
            "90% duration interval 6-9 months",
            "Leone 1995; Clarke 1976",
        )
    )
    runs = found.facebook
    last = runs[runs["day"] == runs["day"].max()]
    lines = [
        f"Measured by `python -m experiments.ablations --calibration --seeds {seeds} "
        f"--days {days}`: base scenario, consistent_engagement, seeds 42..{41 + seeds} "
        f"(other platforms: {min(seeds, 2)} seeds), {days} days; longgame {_version()}, code "
        f"fingerprint `{code_fingerprint()}`, commit {_commit()}.",
        "",
        "| quantity | model | published | source |",
        "| --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        f"Facebook brand on day {days - 1} (mean over seeds): followers "
        f"{last['followers'].mean():,.0f} (from 10,000), aware {last['aware'].mean():,.0f}, "
        f"customers {last['customers'].mean():,.0f}, mean follower trust "
        f"{last['mean_trust'].mean():.2f}, advocates {last['advocates'].mean():,.0f}.",
    ]
    return "\n".join(lines) + "\n"


# --- command line ---------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.ablations", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seeds", type=int, default=10, help="seeds per strategy (default 10)")
    parser.add_argument("--days", type=int, default=730, help="horizon in days (default 730)")
    parser.add_argument(
        "--out", type=Path, default=None, help="write the Markdown here (default: stdout)"
    )
    parser.add_argument(
        "--only", default=None, help="comma-separated ablation names (default: all)"
    )
    parser.add_argument("--workers", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder to store and reuse each ablation's runs (Parquet)",
    )
    parser.add_argument(
        "--calibration",
        action="store_true",
        help="measure the calibration benchmarks instead of ablations",
    )
    args = parser.parse_args(argv)
    if args.days <= SHORT + 1:
        parser.error(f"--days must exceed {SHORT + 1} (the short horizon)")
    if args.calibration:
        text = calibration_table(seeds=args.seeds, days=args.days)
    else:
        names = args.only.split(",") if args.only else None
        unknown = sorted(set(names or []) - {a.name for a in ABLATIONS})
        if unknown:
            parser.error(
                f"unknown ablation(s) {unknown}; known: {', '.join(a.name for a in ABLATIONS)}"
            )
        results = run_ablations(
            names,
            seeds=args.seeds,
            days=args.days,
            workers=args.workers,
            cache=args.cache,
            log=lambda m: print(m, file=sys.stderr),
        )
        command = "python -m experiments.ablations " + " ".join(
            part
            for part in (
                f"--seeds {args.seeds}",
                f"--days {args.days}",
                f"--only {args.only}" if args.only else "",
                f"--out {args.out}" if args.out else "",
            )
            if part
        )
        fingerprint = code_fingerprint()
        text = render(
            results, seeds=args.seeds, days=args.days, command=command, fingerprint=fingerprint
        )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        old = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if args.calibration and CALIBRATION_BEGIN in old and CALIBRATION_END in old:
            start = old.index(CALIBRATION_BEGIN) + len(CALIBRATION_BEGIN)
            text = old[:start] + "\n" + text + old[old.index(CALIBRATION_END) :]
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
