"""The five headline claims (docs/model.md section 9), checked on a comparison's runs.

One definition serves the tests (tests/test_headline.py), the ablations
(experiments/ablations.py) and validation: each check returns whether the claim holds and the
numbers behind the verdict. "A beats B" is the paired 95% interval of the difference above 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim import summary

__all__ = ["CLAIMS", "SHORT", "ClaimResult", "check_claims", "abbreviation"]

SHORT = 89
"""Last day of the short horizon (the first 90 days)."""
LISTENING = ("consistent_engagement", "storytelling")
MISTAKES = ("broadcasting", "self_promotion", "over_following", "quitting_early")
VALUE = ("equity", "cum_revenue")
ABBREVIATIONS = {
    "consistent_engagement": "CE",
    "storytelling": "ST",
    "broadcasting": "BC",
    "self_promotion": "SP",
    "over_following": "OF",
    "quitting_early": "QE",
}
CLAIMS: dict[str, str] = {
    "listening_tops": "1. a listening strategy tops equity and revenue",
    "beats_mistakes": "2. CE beats BC, SP, OF, QE on equity and revenue",
    "vanity_vs_value": "3. OF leads on followers at some point, trails CE on equity",
    "j_curve": "4. CE's incremental profit is a J-curve that overtakes QE's",
    "short_horizons": "5. day-89 followers and ROI leaders differ from horizon equity and "
    "profit leaders",
}
"""The five headline claims (docs/model.md section 9), by key."""


@dataclass(frozen=True)
class ClaimResult:
    """Whether a claim holds, and the numbers behind the verdict."""

    holds: bool
    note: str


def abbreviation(strategy: str) -> str:
    """Two-letter name of a headline strategy (CE, ST, BC, SP, OF, QE)."""
    return ABBREVIATIONS.get(strategy, strategy)


def _means_at(runs: pd.DataFrame, column: str, day: int) -> pd.Series:
    return runs[runs["day"] == day].groupby("strategy")[column].mean()


def _k(value: float) -> str:
    """A number in thousands with a sign where it matters: 12.3k, -4.1k."""
    return f"{value / 1000:.1f}k" if abs(value) >= 1000 else f"{value:.0f}"


def _claim_listening(runs: pd.DataFrame, day: int) -> ClaimResult:
    leaders = {column: _means_at(runs, column, day).idxmax() for column in VALUE}
    holds = all(leader in LISTENING for leader in leaders.values())
    return ClaimResult(
        holds,
        f"equity {abbreviation(leaders['equity'])}, revenue {abbreviation(leaders['cum_revenue'])}",
    )


def _claim_mistakes(runs: pd.DataFrame, day: int) -> ClaimResult:
    failed = []
    for mistake in MISTAKES:
        for column in VALUE:
            _, lo, _ = summary.paired_difference(
                runs, "consistent_engagement", mistake, column, day
            )
            if not lo > 0:
                failed.append(f"{abbreviation(mistake)} {'eq' if column == 'equity' else 'rev'}")
    total = len(MISTAKES) * len(VALUE)
    note = f"{total - len(failed)}/{total}"
    return ClaimResult(not failed, note + (f"; not: {', '.join(failed)}" if failed else ""))


def _claim_vanity(runs: pd.DataFrame, day: int) -> ClaimResult:
    followers = runs[runs["day"] <= day].groupby(["day", "strategy"])["followers"].mean()
    leaders = followers.groupby("day").idxmax().map(lambda key: key[1])
    lead_days = leaders.index[leaders == "over_following"]
    mean, lo, _ = summary.paired_difference(
        runs, "consistent_engagement", "over_following", "equity", day
    )
    leads = len(lead_days) > 0
    holds = leads and lo > 0
    lead = (
        f"OF leads followers on {len(lead_days)} days (d{lead_days.min()}-d{lead_days.max()})"
        if leads
        else "OF never leads followers"
    )
    return ClaimResult(holds, f"{lead}; CE-OF equity {_k(mean)} (lo {_k(lo)})")


def _claim_j_curve(runs: pd.DataFrame, day: int) -> ClaimResult:
    upto = runs[runs["day"] <= day]
    ours = upto[upto["strategy"] == "consistent_engagement"]
    curve = ours.groupby("day")["incremental_profit"].mean()
    dip = bool(curve.min() < 0 < curve.iloc[-1] and curve.idxmin() < curve.index[-1] - 90)
    crossing = summary.crossover_day(
        upto, "consistent_engagement", "quitting_early", "incremental_profit"
    )
    overtakes = crossing is not None and crossing < day
    note = f"low {_k(curve.min())} on d{curve.idxmin()}, end {_k(curve.iloc[-1])}; " + (
        f"overtakes QE d{crossing}" if overtakes else "does not overtake QE"
    )
    return ClaimResult(dip and overtakes, note)


def _claim_short_horizons(runs: pd.DataFrame, day: int, short: int) -> ClaimResult:
    early_followers = _means_at(runs, "followers", short).idxmax()
    early_roi = _means_at(runs, "roi", short).idxmax()
    late_equity = _means_at(runs, "equity", day).idxmax()
    late_profit = _means_at(runs, "incremental_profit", day).idxmax()
    holds = early_followers != late_equity and early_roi != late_profit
    note = (
        f"followers d{short} {abbreviation(early_followers)} / equity {abbreviation(late_equity)}; "
        f"ROI d{short} {abbreviation(early_roi)} / profit {abbreviation(late_profit)}"
    )
    return ClaimResult(holds, note)


def check_claims(runs: pd.DataFrame, day: int, short: int = SHORT) -> dict[str, ClaimResult]:
    """The five headline claims at ``day`` on a comparison's runs, with the numbers behind them.

    ``runs`` is what ``sim.runner.compare`` returns for the headline comparison (at least the
    strategies consistent_engagement, storytelling, broadcasting, self_promotion,
    over_following, quitting_early, and days 0..``day``). The checks are those of
    the spec's: "A beats B" is the paired 95% interval above 0.
    """
    return {
        "listening_tops": _claim_listening(runs, day),
        "beats_mistakes": _claim_mistakes(runs, day),
        "vanity_vs_value": _claim_vanity(runs, day),
        "j_curve": _claim_j_curve(runs, day),
        "short_horizons": _claim_short_horizons(runs, day, short),
    }
