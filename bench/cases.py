"""Benchmark cases, importable by spawned processes."""

from __future__ import annotations

import resource
import time


def base_scenario(people: int, days: int):
    """scenarios/base.toml (one brand, consistent engagement) on ``people`` for ``days``."""
    from sim.loading import load_scenario
    from sim.schema import Scenario

    data = load_scenario("base").model_dump()
    data["audience"]["graph"]["people"] = people
    data["days"] = days
    return Scenario.model_validate(data)


def run_case(people: int, days: int, queue) -> None:
    """Build the population and run one brand for ``days``; report seconds and peak RSS."""
    from sim.audience import build_population
    from sim.model import EngagementModel

    scenario = base_scenario(people, days)
    start = time.perf_counter()
    population = build_population(scenario, seed=scenario.seed)
    built = time.perf_counter()
    EngagementModel(scenario, seed=scenario.seed, population=population).run(days)
    done = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "graph_s": built - start,
            "run_s": done - built,
            "total_s": done - start,
            "peak_rss_mib": peak_mib,
            "per_person_day_us": (done - built) / people / days * 1e6,
        }
    )


def run_engines_case(people: int, vector_days: int, agents_days: int, queue) -> None:
    """Both engines on the same scenario and population: seconds per person-day and ratio.

    The agent engine runs a shorter horizon (it is the slow, readable reference); the ratio
    compares the engines over that same horizon (the vector engine's first ``agents_days``).
    Set-up (building the agents and their network) is timed apart from the run.
    """
    from sim.audience import build_population
    from sim.model import EngagementModel

    scenario = base_scenario(people, max(vector_days, agents_days))
    population = build_population(scenario, seed=scenario.seed)
    result = {}
    for engine, days in (("agents", agents_days), ("vector", vector_days)):
        start = time.perf_counter()
        model = EngagementModel(scenario, seed=scenario.seed, population=population, engine=engine)
        built = time.perf_counter()
        model.run(min(days, agents_days))
        same_horizon = time.perf_counter()
        model.run(days - min(days, agents_days))
        done = time.perf_counter()
        result[f"{engine}_setup_s"] = built - start
        result[f"{engine}_run_s"] = done - built
        result[f"{engine}_per_person_day_us"] = (done - built) / people / days * 1e6
        result[f"{engine}_first_days_us"] = (same_horizon - built) / people / agents_days * 1e6
        del model
    result["ratio"] = result["agents_first_days_us"] / result["vector_first_days_us"]
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)
