"""The seed articles' claims as the model's hypotheses (docs/model.md section 9), on the default
audience.

One 1,095-day comparison with 10 seeds serves both horizons: the model is causal, so its first
730 days are exactly the 730-day run. The checks themselves live in ``sim.claims``.
"""

import pytest

from sim.claims import CLAIMS, check_claims
from sim.loading import load_comparison
from sim.runner import compare

LONG, TWO_YEARS = 1094, 729


@pytest.fixture(scope="module")
def runs():
    return compare(load_comparison("headline"), days=LONG + 1, seeds=10, workers=2)


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
