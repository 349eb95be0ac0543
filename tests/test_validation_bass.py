"""The Bass limit (docs/validation.md): the model's mean-field configuration follows Bass."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from sim import behavior
from sim.validation import bass


@pytest.mark.parametrize(("p", "q"), [(0.03, 0.38), (0.005, 0.8), (0.1, 0.1)])
def test_the_closed_form_solves_the_bass_equation(p, q):
    years = np.linspace(0, 15, 61)
    solved = solve_ivp(
        lambda t, f: (p + q * f) * (1 - f), (0, 15), [0.0], t_eval=years, rtol=1e-10, atol=1e-12
    )
    assert np.abs(solved.y[0] - bass.bass_curve(years, p, q)).max() < 1e-7


def test_the_configuration_sets_innovation_and_imitation_per_day():
    scenario = bass.bass_scenario(0.03, 0.38, people=500, days=10)
    market = scenario.market
    stranger = behavior.purchase_chance(
        market.conversion, bass.FIT, 1.0, 0.0, market.no_relationship, False, 0.0, False, 0.0
    )
    assert stranger == pytest.approx(0.03 / 365)
    assert scenario.behavior.advocacy_rate == pytest.approx(0.38 / 365)
    assert scenario.audience.graph.mixing == "mean_field"
    heard = behavior.trust_from_recommendation(0.0, 1.0, scenario.behavior.trust_transfer)
    assert heard < scenario.behavior.advocate_threshold < 1.0


def test_the_quick_check_passes_in_both_engines():
    rows = bass.check("quick", None, 1, lambda done: None)
    assert {row.case.rsplit(", ", 1)[1] for row in rows} == {"vector", "agents"}
    assert all(row.passed for row in rows), [(row.case, row.measured, row.problem) for row in rows]


def test_without_word_of_mouth_the_model_misses_the_curve():
    """The check can fail: switch imitation off and adoption falls far behind Bass."""
    case = bass.cases("quick")[0]
    scenario = bass.bass_scenario(case.p, case.q, case.people, case.days)
    data = scenario.model_dump()
    data["behavior"]["advocacy_rate"] = 0.0
    silent = type(scenario).model_validate(data)
    curve = bass.adoption(silent, silent.seed)
    assert np.abs(curve - bass.analytic(case)).max() > 0.3


def test_customers_stay_advocates_over_the_whole_horizon():
    """Customers' trust decays slowly after the grace period: over the full grid's 15 years it
    must stay above the advocate threshold (a threshold of 0.999 once broke this)."""
    longest = max(case.days for case in bass.cases("full"))
    scenario = bass.bass_scenario(0.03, 0.38, people=500, days=longest)
    remaining = behavior.decayed_trust(1.0, 0, 0, longest, 0.0, scenario.behavior.trust_half_life)
    assert remaining > scenario.behavior.advocate_threshold
    with pytest.raises(ValueError, match="too long"):
        bass.bass_scenario(0.03, 0.38, people=500, days=36500)
