"""The seed articles' claims as the model's hypotheses (docs/model.md section 9), on the default
audience.

One 1,095-day run of the headline comparison (its 20 seeds) serves both horizons: the model is
causal, so its first 730 days are exactly the 730-day run. With 10 seeds, consistent
engagement's revenue lead over broadcasting at two years (3.7k [1.8k, 5.6k] over 30 seeds) is
within the seed noise. The checks themselves live in ``sim.claims``.
"""

import pandas as pd
import pytest

from sim.claims import CLAIMS, check_claims
from sim.loading import load_comparison
from sim.runner import compare

LONG, TWO_YEARS = 1094, 729


@pytest.fixture(scope="module")
def runs():
    return compare(load_comparison("headline"), days=LONG + 1, workers=2)


@pytest.mark.slow
@pytest.mark.parametrize("day", [TWO_YEARS, LONG])
@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_headline_claim_holds(runs, claim, day):
    result = check_claims(runs, day)[claim]
    print(f"{CLAIMS[claim]} at day {day}: {result.note}")
    assert result.holds, f"{CLAIMS[claim]} fails at day {day}: {result.note}"


def test_claims_fail_when_they_should(runs):
    """The checks can fail: swap the roles of the best and worst strategies."""
    swapped = runs.replace(
        {
            "strategy": {
                "consistent_engagement": "self_promotion",
                "self_promotion": "consistent_engagement",
            }
        }
    )
    verdicts = {name: result.holds for name, result in check_claims(swapped, LONG).items()}
    assert not verdicts["beats_mistakes"] and not verdicts["vanity_vs_value"]


def _synthetic_runs(days: int) -> pd.DataFrame:
    """The headline strategies on made-up runs: consistent engagement leads every column."""
    from conftest import make_metrics

    slopes = {"consistent_engagement": 3.0, "storytelling": 2.5, "over_following": 2.0}
    slopes |= {"broadcasting": 1.0, "self_promotion": 0.8, "quitting_early": 0.5}
    return make_metrics(slopes, seeds=2, days=days)


def test_short_horizons_need_both_early_leaders_to_mislead():
    """Over-following leading day-89 followers is half the claim: the day-89 ROI leader must
    also differ from the horizon's profit leader (here both are consistent engagement)."""
    runs = _synthetic_runs(120)
    runs.loc[runs["strategy"] == "over_following", "followers"] += 1000.0
    result = check_claims(runs, 119)["short_horizons"]
    assert not result.holds
    assert result.note == "followers d89 OF / equity CE; ROI d89 CE / profit CE"


def test_a_j_curve_needs_its_low_more_than_90_days_before_the_end():
    """A curve whose low comes in the last 90 days has not yet climbed out of it."""
    runs = _synthetic_runs(200)
    ours = runs["strategy"] == "consistent_engagement"
    runs.loc[ours, "incremental_profit"] = 5.0
    runs.loc[ours & runs["day"].between(150, 160), "incremental_profit"] = -10.0
    runs.loc[runs["strategy"] == "quitting_early", "incremental_profit"] = -20.0
    result = check_claims(runs, 199)["j_curve"]
    assert not result.holds and "overtakes QE d0" in result.note
    runs.loc[ours & runs["day"].between(150, 160), "incremental_profit"] = 5.0
    runs.loc[ours & runs["day"].between(50, 60), "incremental_profit"] = -10.0
    assert check_claims(runs, 199)["j_curve"].holds
