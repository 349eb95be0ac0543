"""The Bass limit: with mean-field word of mouth the adopted share follows the Bass curve.

Bass (1969): a non-adopter adopts at the yearly hazard p + q F(t), p the external influence
(the brand's own presence), q the internal one (adopters' word of mouth), F the adopted share;
F(t) = (1 - e^-(p+q)t) / (1 + (q/p) e^-(p+q)t) with t in years. The validation configuration
(`bass_scenario`) sets the model's parameters so that its own mechanisms reduce to exactly that:

- adoption is the first purchase (``customers``); nobody follows the brand and nothing churns;
- **innovation p**: everyone is aware of the brand and never forgets it (salience 1, brand
  exposure held), fit is all but uniform, and buying without a relationship happens at the daily
  chance ``conversion x fit x eps`` = p / 365 (docs/model.md §3.9);
- **imitation q**: a satisfied purchase makes a customer an advocate (trust 1 above the advocate
  threshold), advocates recommend at ``advocacy_rate`` = q / 365 a day to one random person
  (mean-field mixing, docs/model.md §3.6), and a recommendation passes 98% of the advocate's
  trust, which makes the hearer buy the same day (chance 0.97) while staying below the advocate
  threshold until they do.

The check compares the ensemble mean of simulated adoption with the closed form at every day
(max absolute error, share of the population) in both engines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.schema import Scenario
from sim.validation.checks import CheckResult, Progress, ValidationCheck, chosen, run_parallel

__all__ = ["BassCase", "bass_curve", "bass_scenario", "adoption", "cases", "CHECK", "figure"]

LIMIT = 0.02
"""Largest allowed absolute error of the ensemble mean, as a share of the population."""
FIT = 0.99
"""Mean fit in the validation configuration (the schema's highest): all but uniform."""
CONCENTRATION = 100.0
"""Beta concentration of fit: Beta(99, 1), standard deviation 0.01."""
HEARD_TRUST = 0.98
"""Trust a recommendation passes from a customer (trust 1): below the advocate threshold."""
ADVOCATE_THRESHOLD = 0.99
"""Above the hearers' 0.98; customers' trust 1 stays above it for `TRUST_HALF_LIFE` x
log2(1 / 0.99) = 14,500 days (it decays, very slowly, after the grace period)."""
TRUST_HALF_LIFE = 1e6


@dataclass(frozen=True)
class BassCase:
    """One (p, q) pair on ``people`` people over ``years``, with seeds per engine."""

    name: str
    p: float
    q: float
    people: int
    years: float
    vector_seeds: int
    agent_seeds: int
    """Seeds also run in the agent engine (the first ones): each must equal the vector run of
    the same seed bit for bit, so the ensemble is the same in both engines (an agent run on
    10,000 people over 15 years takes about half an hour)."""

    @property
    def days(self) -> int:
        return int(round(self.years * 365))


def bass_curve(t_years: np.ndarray, p: float, q: float) -> np.ndarray:
    """Adopted share of the closed-form Bass model at times ``t_years`` (years)."""
    t = np.asarray(t_years, dtype=np.float64)
    decay = np.exp(-(p + q) * t)
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def bass_scenario(p: float, q: float, people: int, days: int, seed: int = 1969) -> Scenario:
    """The validation configuration for yearly coefficients ``p`` and ``q`` (module docstring).

    Raises ValueError for horizons over which customers' slowly decaying trust would fall below
    the advocate threshold (about 40 years).
    """
    if np.exp2(-days / TRUST_HALF_LIFE) <= ADVOCATE_THRESHOLD:
        raise ValueError(f"{days} days is too long for the Bass configuration")
    from sim.loading import load_scenario

    data = load_scenario("base").model_dump()
    data.update(name=f"bass p={p} q={q}", seed=seed, days=days)
    data["platforms"] = data["platforms"][:1]
    audience = data["audience"]
    audience["graph"].update(kind="scale_free", people=people, mixing="mean_field")
    audience.update(fit_homophily=0.0, fit_concentration=CONCENTRATION)
    brand = data["brands"][0]
    brand["fit_mean"] = FIT
    brand["initial"].update(followers=0.0, aware_share=1.0, aware_salience=1.0, salience_spread=0.0)
    brand["strategy"].update(
        platforms=[data["platforms"][0]["name"]], follow_rate=0.0, bought_followers_per_month=0.0
    )
    brand["strategy"]["quit_rule"]["kpi"] = "never"
    data["behavior"].update(
        salience_half_life=1e6,
        trust_grace_days=365.0,
        trust_half_life=TRUST_HALF_LIFE,
        advocate_threshold=ADVOCATE_THRESHOLD,
        advocacy_rate=q / 365.0,
        recommendation_reach=0.0,
        trust_transfer=HEARD_TRUST,
        recommendation_follow=0.0,
        prune_rate=0.0,
        dropout_rate=0.0,
    )
    data["market"].update(
        scale=1.0,
        conversion=1.0,
        no_relationship=p / 365.0 / FIT,
        promo_nudge=0.0,
        repeat_factor=0.0,
        satisfaction_mean=0.99,
        satisfaction_concentration=1000.0,
        satisfied_trust=1.0,
        complaint_chance=0.0,
    )
    return Scenario.model_validate(data)


def adoption(scenario: Scenario, seed: int, engine: str = "vector") -> np.ndarray:
    """Adopted share (customers / people) at the end of each day of one run."""
    from sim.audience import build_population
    from sim.model import EngagementModel

    population = build_population(scenario, seed=seed)
    model = EngagementModel(scenario, seed=seed, engine=engine, population=population)
    metrics = model.run(scenario.days).metrics()
    customers = metrics["customers"].to_numpy(dtype=np.float64)
    return customers / (population.graph.n * scenario.market.scale)


def cases(grid: str) -> list[BassCase]:
    """The (p, q) pairs of a grid.

    Full: the meta-analysis means p = 0.03, q = 0.38 (Sultan, Farley & Lehmann 1990) and an
    imitation-led and an innovation-led pair, 10,000 people, 15 years. Quick: the classic pair
    on 2,000 people with time running fifteen times faster (p and q per year x 15 over one year:
    the same curve in scaled time).
    """
    if grid == "quick":
        return [BassCase("p=0.03 q=0.38, x15 speed", 0.45, 5.7, 1000, 1.0, 8, 1)]
    return [
        BassCase("p=0.03 q=0.38 (meta-analysis means)", 0.03, 0.38, 10_000, 15.0, 10, 1),
        BassCase("p=0.005 q=0.8 (imitation-led)", 0.005, 0.8, 10_000, 15.0, 10, 1),
        BassCase("p=0.1 q=0.1 (innovation-led)", 0.1, 0.1, 10_000, 15.0, 10, 1),
    ]


def _selected(grid: str, only: str | None) -> list[BassCase]:
    return [case for case in cases(grid) if chosen(only, "bass", case.name)]


def _tasks(grid: str, only: str | None) -> list[tuple[BassCase, int, str]]:
    tasks = []
    for case in _selected(grid, only):
        tasks += [(case, seed, "vector") for seed in range(case.vector_seeds)]
        tasks += [(case, seed, "agents") for seed in range(case.agent_seeds)]
    return tasks


def _timed_adoption(case: BassCase, seed: int, engine: str) -> tuple[np.ndarray, float]:
    """One run's adoption curve and its seconds. Top-level, so process pools can run it."""
    start = time.perf_counter()
    scenario = bass_scenario(case.p, case.q, case.people, case.days)
    curve = adoption(scenario, scenario.seed + seed, engine)
    return curve, time.perf_counter() - start


def analytic(case: BassCase) -> np.ndarray:
    """The closed form at the end of each simulated day (day d ends at t = (d + 1) / 365)."""
    return bass_curve((np.arange(case.days) + 1) / 365.0, case.p, case.q)


def check(grid: str, only: str | None, workers: int, progress: Progress) -> list[CheckResult]:
    """One row per case and engine: the ensemble mean's largest distance from the closed form.

    The agent engine's runs must also equal the vector engine's runs of the same seeds.
    """
    tasks = _tasks(grid, only)
    outcomes = run_parallel(_timed_adoption, tasks, workers, progress)
    rows = []
    for case in _selected(grid, only):
        closed = analytic(case)
        runs: dict[str, list[np.ndarray]] = {"vector": [], "agents": []}
        seconds = {"vector": 0.0, "agents": 0.0}
        for (task_case, _, engine), (curve, spent) in zip(tasks, outcomes, strict=True):
            if task_case == case:
                runs[engine].append(curve)
                seconds[engine] += spent
        for engine, curves in runs.items():
            if not curves:
                continue
            error = float(np.abs(np.mean(curves, axis=0) - closed).max())
            if engine == "vector":
                limit = f"mean < {LIMIT}"
                problem = "ensemble mean too far from the Bass curve" if error >= LIMIT else ""
            else:
                limit = "same runs as vector"
                same = all(
                    np.array_equal(curve, runs["vector"][k]) for k, curve in enumerate(curves)
                )
                problem = "" if same else "agent runs differ from vector runs"
            rows.append(
                CheckResult(
                    "bass",
                    f"{case.name}, {case.people:,} people, {engine}",
                    len(curves),
                    case.days,
                    not problem,
                    f"max |error| {error:.4f}",
                    limit,
                    seconds[engine],
                    problem,
                    figure=_figure_writer(case, runs["vector"], engine),
                )
            )
    return rows


def _figure_writer(case: BassCase, vector: list, engine: str):
    """Writes the case's figure (vector engine only: the agent engine's runs are the same)."""
    if engine != "vector":
        return None
    return lambda directory: figure(case, vector, Path(directory) / figure_name(case))


def figure_name(case: BassCase) -> str:
    """File name of a case's figure, e.g. bass_p0_03_q0_38.png."""
    return f"bass_p{case.p:g}_q{case.q:g}".replace(".", "_") + ".png"


def figure(case: BassCase, curves: list[np.ndarray], path: Path) -> Path:
    """Simulated runs, their mean and the closed form, adopted share over years (PNG)."""
    from matplotlib.figure import Figure

    years = (np.arange(case.days) + 1) / 365.0
    fig = Figure(figsize=(6.4, 4.0), dpi=120)
    ax = fig.subplots()
    for curve in curves:
        ax.plot(years, curve, color="#9ecae1", linewidth=0.6)
    ax.plot(years, np.mean(curves, axis=0), color="#08519c", label=f"model, mean of {len(curves)}")
    ax.plot(years, analytic(case), "k--", linewidth=1.2, label="Bass closed form")
    ax.set(xlabel="years", ylabel="adopted share", ylim=(0, 1), title=f"Bass limit: {case.name}")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    return path


CHECK = ValidationCheck("bass", lambda grid, only: len(_tasks(grid, only)), check)
