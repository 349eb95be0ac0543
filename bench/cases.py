"""Benchmark cases, importable by spawned processes (each reports to a queue)."""

from __future__ import annotations

import functools
import resource
import statistics
import time

FOLLOWER_SHARE = 0.05
"""Initial followers as a share of the people in the scaling series (base.toml's share: 1,000
simulated followers of 20,000 people), so that the brand's audience grows with N."""


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def base_scenario(people: int, days: int):
    """scenarios/base.toml (one brand, consistent engagement) on ``people`` for ``days``."""
    from sim.loading import load_scenario
    from sim.schema import Scenario

    data = load_scenario("base").model_dump()
    data["audience"]["graph"]["people"] = people
    data["days"] = days
    return Scenario.model_validate(data)


def scale_scenario(people: int, days: int, share: float | None = FOLLOWER_SHARE):
    """The scaling scenario: base.toml's brand (consistent engagement) alone on its one
    platform (facebook), on a generated scale-free graph of ``people`` with mean out-degree 15,
    starting with ``share`` of the people as followers (None: the preset's 10,000 real
    followers, whatever the size)."""
    from sim.schema import Scenario

    data = base_scenario(people, days).model_dump()
    data["platforms"] = [p for p in data["platforms"] if p["name"] == "facebook"]
    data["audience"]["graph"].update(kind="scale_free", mean_degree=15.0)
    scale = data["market"]["scale"]
    if share is not None:
        for brand in data["brands"]:
            brand["initial"]["followers"] = round(share * people) * scale
    return Scenario.model_validate(data)


@functools.cache
def _read_once():
    """A compiled pass that reads each known person's salience and trust and makes one
    counter-based draw for them: the least a day can do with its standing set."""
    import numpy as np
    from numba import njit

    from sim.rng_kernel import uniform_at

    @njit(cache=True, nogil=True)
    def read_once(known, salience, trust, head):
        total = 0.0
        for person in known:
            total += salience[person] + trust[person] + uniform_at(head, person, 0)
        return total

    nobody, no_values = np.zeros(0, dtype=np.int64), np.zeros(0)
    read_once(nobody, no_values, no_values, np.uint64(0))  # compile or load it, untimed
    return read_once


def standing_set_floor(model, day: int) -> float:
    """Seconds to merely read a stepped vector model's standing set once, compiled: salience
    and trust of brand 0's known set and one counter-based draw per member."""
    import numpy as np

    from sim.rng import Stream, prefix

    state, read_once = model.engine.state[0], _read_once()
    before = time.perf_counter()
    head = np.uint64(prefix(model.run_seed, Stream.CONVERSION, 0, day))
    read_once(state.known, state.salience, state.trust, head)
    return time.perf_counter() - before


START_UP_PEOPLE = 2_000
"""People of the small build and run that loads the compiled kernels before the timed phases."""


def start_up(share: float | None) -> float:
    """Seconds to start Numba and load every compiled kernel from its cache (once per process,
    whatever the size): the scaling scenario's graph, traits and a few days at
    `START_UP_PEOPLE`, so that the timed phases measure work on the people alone."""
    from sim.audience import build_population
    from sim.model import EngagementModel

    start = time.perf_counter()
    scenario = scale_scenario(START_UP_PEOPLE, 3, share)
    population = build_population(scenario, seed=scenario.seed)
    EngagementModel(scenario, seed=scenario.seed, population=population).run()
    return time.perf_counter() - start


def run_scale(people: int, days: int, floor: bool, share: float | None, queue) -> None:
    """Start-up, graph, traits and a run of the scaling scenario; seconds, peak RSS, optional
    floor. The total counts all four.

    With ``floor``, after each day the cost of merely reading that day's standing set once
    (salience and trust of the known set, gathered, and one counter-based draw per member) is
    timed apart from the engine's day.
    """
    from sim.audience import Population
    from sim.audience.generators import build_graph
    from sim.audience.traits import sample_traits
    from sim.model import EngagementModel

    start_up_s = start_up(share)
    scenario = scale_scenario(people, days, share)
    start, start_cpu = time.perf_counter(), time.process_time()
    graph = build_graph(scenario.audience.graph, None, scenario.seed)
    graphed, graphed_cpu = time.perf_counter(), time.process_time()
    traits = sample_traits(
        scenario.audience, graph, scenario.brands, scenario.platforms, scenario.seed
    )
    built, built_cpu = time.perf_counter(), time.process_time()
    model = EngagementModel(scenario, seed=scenario.seed, population=Population(graph, traits))
    engine_s = engine_cpu = floor_s = 0.0
    known_total = 0
    for day in range(days):
        before, before_cpu = time.perf_counter(), time.process_time()
        model.step()
        engine_s += time.perf_counter() - before
        engine_cpu += time.process_time() - before_cpu
        if floor:
            floor_s += standing_set_floor(model, day)
            known_total += len(model.engine.state[0].known)
    done = time.perf_counter()
    queue.put(
        {
            "start_up_s": start_up_s,
            "graph_s": graphed - start,
            "traits_s": built - graphed,
            "run_s": engine_s,
            "total_s": start_up_s + built - start + engine_s,
            "wall_s": start_up_s + done - start,
            "build_cpu_s": built_cpu - start_cpu,
            "graph_cpu_s": graphed_cpu - start_cpu,
            "run_cpu_s": engine_cpu,
            "edges": graph.n_edges,
            "peak_rss_mib": peak_rss_mib(),
            "per_person_day_us": engine_s / people / days * 1e6,
            **(
                {
                    "floor_s": floor_s,
                    "engine_over_floor": engine_s / floor_s,
                    "mean_known": known_total / days,
                }
                if floor
                else {}
            ),
        }
    )


def audience_skipped(scenario, population, brands, seed):
    """The vector engine with every audience phase skipped: what is left of a day is the cost
    any engine pays under the spec (Mesa's step, the day order, the brand agents' plan and
    learning, the metrics row), the floor of the vector engine's day at small N."""
    import numpy as np

    from sim.engines.metrics_row import AudienceStocks, close_row
    from sim.engines.vector import VectorEngine

    nobody = np.zeros(0, dtype=np.int64)
    no_stocks = AudienceStocks(0, 0.0, 0.0, 0, 0, 0)
    nobody_anywhere = [0] * len(scenario.platforms)

    def skip(self, *args) -> None:
        pass

    class AudienceSkipped(VectorEngine):
        _start_day = _listen = _cascade = _advocacy = _outreach = _churn = _conversion = skip

        def _expose_post(self, *args):
            return nobody, nobody

        def _metrics(self, brand, plan, day, row):
            close_row(brand, plan, day, row, no_stocks, nobody_anywhere, 0, 0, self.scenario)

    return AudienceSkipped(scenario, population, brands, seed)


def run_engines_case(people: int, vector_days: int, agents_days: int, queue) -> None:
    """Both engines on the same scenario and population: seconds per person-day and ratio.

    The agent engine runs a shorter horizon (it is the slow, readable reference); the ratio
    compares the engines over that same horizon (the vector engine's first ``agents_days``).
    One-time costs are timed apart from the runs: the agent engine's set-up (its agents and
    their network) and the vector engine's warm-up (an untimed first run of those days, which
    loads its compiled kernels from Numba's cache, about 0.1 s once per process). Then the
    vector engine with its audience phases skipped (`audience_skipped`): the day's fixed cost,
    and the ratio the agent engine's day allows over it, alone and with the standing set's
    floor (`standing_set_floor`) added.
    """
    from sim.audience import build_population
    from sim.model import EngagementModel

    scenario = base_scenario(people, max(vector_days, agents_days))
    population = build_population(scenario, seed=scenario.seed)
    start = time.perf_counter()
    EngagementModel(scenario, seed=scenario.seed, population=population).run(agents_days)
    result = {"vector_warm_up_s": time.perf_counter() - start}
    for engine, days in (("agents", agents_days), ("vector", vector_days)):
        start = time.perf_counter()
        model = EngagementModel(scenario, seed=scenario.seed, population=population, engine=engine)
        built, built_cpu = time.perf_counter(), time.process_time()
        model.run(min(days, agents_days))
        same_horizon, same_cpu = time.perf_counter(), time.process_time()
        model.run(days - min(days, agents_days))
        done = time.perf_counter()
        result[f"{engine}_setup_s"] = built - start
        result[f"{engine}_run_s"] = done - built
        result[f"{engine}_per_person_day_us"] = (done - built) / people / days * 1e6
        result[f"{engine}_first_days_us"] = (same_horizon - built) / people / agents_days * 1e6
        result[f"{engine}_first_days_cpu_us"] = (same_cpu - built_cpu) / people / agents_days * 1e6
        del model
    model = EngagementModel(scenario, seed=scenario.seed, population=population)
    model.engine = audience_skipped(scenario, population, model.brand_agents, scenario.seed)
    built = time.perf_counter()
    model.run(vector_days)
    done = time.perf_counter()
    result["orchestration_day_us"] = (done - built) / vector_days * 1e6
    model = EngagementModel(scenario, seed=scenario.seed, population=population)
    floor_s = 0.0
    for day in range(agents_days):
        model.step()
        floor_s += standing_set_floor(model, day)
    result["floor_day_us"] = floor_s / agents_days * 1e6
    result["agents_day_us"] = result["agents_first_days_us"] * people
    result["ratio_ceiling"] = result["agents_day_us"] / result["orchestration_day_us"]
    result["ratio_ceiling_with_floor"] = result["agents_day_us"] / (
        result["orchestration_day_us"] + result["floor_day_us"]
    )
    result["ratio"] = result["agents_first_days_us"] / result["vector_first_days_us"]
    result["cpu_ratio"] = result["agents_first_days_cpu_us"] / result["vector_first_days_cpu_us"]
    result["peak_rss_mib"] = peak_rss_mib()
    queue.put(result)


def run_ratio_case(people: int, days: int, queue) -> None:
    """Both engines on base.toml at ``people`` for their first ``days`` days (the vector engine
    warmed first): milliseconds a day and the ratio, to see how it changes with N."""
    from sim.audience import build_population
    from sim.model import EngagementModel

    scenario = base_scenario(people, days)
    population = build_population(scenario, seed=scenario.seed)
    EngagementModel(scenario, seed=scenario.seed, population=population).run(days)
    result = {}
    for engine in ("agents", "vector"):
        model = EngagementModel(scenario, seed=scenario.seed, population=population, engine=engine)
        start = time.perf_counter()
        model.run(days)
        result[f"{engine}_day_ms"] = (time.perf_counter() - start) / days * 1e3
        del model
    result["ratio"] = result["agents_day_ms"] / result["vector_day_ms"]
    queue.put(result)


def run_default(days: int, runs: int, queue) -> None:
    """The default audience (base.toml, 20,000 people): population, then ``runs`` runs of
    ``days`` on it (as a comparison runs each strategy), the median run and the total."""
    from sim.audience import build_population
    from sim.model import EngagementModel

    scenario = base_scenario(20_000, days)
    start = time.perf_counter()
    population = build_population(scenario, seed=scenario.seed)
    built = time.perf_counter()
    times, cpu = [], []
    for _ in range(runs):
        before, before_cpu = time.perf_counter(), time.process_time()
        EngagementModel(scenario, seed=scenario.seed, population=population).run(days)
        times.append(time.perf_counter() - before)
        cpu.append(time.process_time() - before_cpu)
    queue.put(
        {
            "population_s": built - start,
            "run_s": statistics.median(times),
            "run_min_s": min(times),
            "run_max_s": max(times),
            "run_cpu_s": statistics.median(cpu),
            "peak_rss_mib": peak_rss_mib(),
        }
    )


def run_seeds_case(workers: int, seeds: int, queue) -> None:
    """``longgame run`` of the default scenario (base.toml, 20,000 people, 730 days) on
    ``seeds`` seeds with ``workers`` processes: each seed builds its audience and runs the
    scenario and its no-social baseline. Runs per minute count the scenario's runs."""
    from sim.runner import run_seeds

    scenario = base_scenario(20_000, 730)
    start = time.perf_counter()
    run_seeds(scenario, seeds, workers=workers)
    elapsed = time.perf_counter() - start
    queue.put({"runs": seeds, "wall_s": elapsed, "runs_per_minute": seeds / elapsed * 60})


def run_sweep(workers: int, seeds: int, queue) -> None:
    """``longgame compare default`` (every strategy preset and the no-social baseline per seed,
    20,000 people, 730 days) on ``seeds`` seeds with ``workers`` processes: runs per minute."""
    from sim.loading import load_comparison
    from sim.runner import compare

    comparison = load_comparison("default")
    start = time.perf_counter()
    compare(comparison, seeds=seeds, workers=workers)
    elapsed = time.perf_counter() - start
    runs = seeds * (len(comparison.strategies) + len(comparison.scenario.brands))
    queue.put({"runs": runs, "wall_s": elapsed, "runs_per_minute": runs / elapsed * 60})


def run_experiment(workers: int, queue) -> None:
    """``longgame sweep experiments/smoke.toml`` (16 runs) into a fresh store, serially or on a
    local pool of ``workers`` processes: runs per minute through the sweep machinery (spawning
    workers, storing every run) rather than the simulation alone."""
    import tempfile

    from experiments.executors import make_executor
    from experiments.spec import load_experiment
    from experiments.sweep import Sweep

    with tempfile.TemporaryDirectory() as out:
        sweep = Sweep(load_experiment("smoke"), out)
        start = time.perf_counter()
        report = sweep.execute(make_executor(workers))
        elapsed = time.perf_counter() - start
    queue.put(
        {"runs": report.total, "wall_s": elapsed, "runs_per_minute": report.total / elapsed * 60}
    )
