"""Benchmark cases, importable by spawned processes."""

from __future__ import annotations

import resource
import time


def run_case(people: int, days: int, queue) -> None:
    """Build the population and run one brand for ``days``; report seconds and peak RSS."""
    from sim.audience import build_population
    from sim.loading import load_scenario
    from sim.model import EngagementModel
    from sim.schema import Scenario

    base = load_scenario("base")
    data = base.model_dump()
    data["audience"]["graph"]["people"] = people
    data["days"] = days
    scenario = Scenario.model_validate(data)
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
