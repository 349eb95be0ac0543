"""``python -m bench``: time the engines, their scaling and sweeps; record peak memory.

Each measurement runs in a fresh process so that its peak RSS is its own. Cases:

- ``scale``: the scaling series (base.toml's brand alone on one platform, 5% of the people
  following it at the start, 730 days) from 10,000 to 1,000,000 people: graph generation, trait
  sampling, the run, peak RSS; at 1,000,000 also the floor (the cost of reading each day's
  standing set once). Then the targets: 1,000,000 people with the preset's own initial state
  (10,000 real followers); ``--huge`` adds 10,000,000 people (one run, needs about 8 GiB).
- ``engines``: the Mesa agent engine and the vector engine on the same 10,000-person scenario,
  and the day's fixed cost (the vector engine with its audience phases skipped); then both on
  base.toml at 10,000 to 100,000 people for a few days (how the ratio changes with N).
- ``default``: a 730-day run on the default audience (20,000 people); ``longgame run`` of the
  default scenario on 20 seeds, ``longgame compare default --seeds 2`` and ``longgame sweep
  smoke`` with 1 and 2 processes (runs per minute).

Writes ``bench/results.json``, ``bench/results.md`` (machine, versions, median and min-max over
repeats) and the scaling plot ``docs/performance-scaling.png``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from queue import Empty

from bench.cases import (
    FOLLOWER_SHARE,
    run_default,
    run_engines_case,
    run_experiment,
    run_ratio_case,
    run_scale,
    run_seeds_case,
    run_sweep,
)

DAYS = 730
SCALE_PEOPLE = (10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000)
TARGET_PEOPLE = (1_000_000,)
HUGE_PEOPLE = 10_000_000
ENGINE_CASE = {"people": 10_000, "vector_days": 365, "agents_days": 30}
RATIO_PEOPLE = (10_000, 20_000, 40_000, 100_000)
RATIO_DAYS = 20
SWEEP_SEEDS = 2
RUN_SEEDS = 20


def measure(target, *args) -> dict:
    """Run ``target(*args, queue)`` in a fresh process and return what it reports."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    while True:  # a process killed (e.g. out of memory) reports nothing: do not wait forever
        try:
            result = queue.get(timeout=5)
            break
        except Empty:
            if not process.is_alive():
                message = f"benchmark process failed (exit code {process.exitcode})"
                raise RuntimeError(message) from None
    process.join()
    return result


def summarise(samples: list[dict]) -> dict:
    """Median, min and max of every numeric field over the samples."""
    return {
        name: {
            "median": statistics.median(s[name] for s in samples),
            "min": min(s[name] for s in samples),
            "max": max(s[name] for s in samples),
        }
        for name in samples[0]
    }


def _report(label: str, index: int, count: int, sample: dict) -> None:
    """One line of progress on standard error: the sample's seconds and ratios."""
    shown = ", ".join(f"{k} {v:.3g}" for k, v in sample.items() if k.endswith(("_s", "ratio")))
    print(f"{label} [{index + 1}/{count}]: {shown}", file=sys.stderr)


def repeat(label: str, count: int, target, *args) -> dict:
    samples = []
    for index in range(count):
        samples.append(measure(target, *args))
        _report(label, index, count, samples[-1])
    return {"repeats": count, **summarise(samples)}


def interleaved(
    label: str, sizes: list[int], count: int, case: Callable[[int], tuple]
) -> dict[int, list[dict]]:
    """``count`` samples of each size, every repeat running each size once (so that a slow
    minute of the machine hits every size alike); ``case(people)`` is ``(target, *args)``."""
    samples: dict[int, list[dict]] = {people: [] for people in sizes}
    for index in range(count):
        for people in sizes:
            samples[people].append(measure(*case(people)))
            _report(f"{label} {people:,}", index, count, samples[people][-1])
    return samples


def scaling_series(sizes: list[int], floor_at: int, count: int) -> dict:
    """The scaling series, sizes interleaved, and the run's growth per doubling of N between
    neighbouring sizes of the same repeat."""
    samples = interleaved(
        "scale",
        sizes,
        count,
        lambda people: (run_scale, people, DAYS, people == floor_at, FOLLOWER_SHARE),
    )
    series = {str(people): {"repeats": count, **summarise(samples[people])} for people in sizes}
    for smaller, people in zip(sizes, sizes[1:], strict=False):
        exponent = 1 / math.log2(people / smaller)
        growth = [
            {"doubling": (large["run_s"] / small["run_s"]) ** exponent}
            for small, large in zip(samples[smaller], samples[people], strict=True)
        ]
        series[str(people)].update(summarise(growth))
    return series


def ratio_series(sizes: list[int], count: int) -> dict:
    """Both engines' first days at each size, sizes interleaved as in `scaling_series`, and
    each engine's growth per added person between the smallest and the largest size within
    each repeat (agents in µs, vector in ns)."""
    samples = interleaved(
        "engines", sizes, count, lambda people: (run_ratio_case, people, RATIO_DAYS)
    )
    added = sizes[-1] - sizes[0]
    growth = [
        {
            "agents_us": (large["agents_day_ms"] - small["agents_day_ms"]) / added * 1e3,
            "vector_ns": (large["vector_day_ms"] - small["vector_day_ms"]) / added * 1e6,
        }
        for small, large in zip(samples[sizes[0]], samples[sizes[-1]], strict=True)
    ]
    return {
        "by_size": {
            str(people): {"repeats": count, **summarise(samples[people])} for people in sizes
        },
        "marginal": summarise(growth),
    }


def machine() -> dict:
    import mesa
    import numba
    import numpy
    import scipy

    import sim

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": multiprocessing.cpu_count(),
        "memory_gib": round(memory, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "longgame": sim.__version__,
    }


def _m(case: dict, name: str, digits: int = 2) -> str:
    """'median (min-max)' of a summarised field."""
    value = case[name]
    return f"{value['median']:.{digits}f} ({value['min']:.{digits}f}-{value['max']:.{digits}f})"


def _marginal_costs(by_size: dict, marginal: dict) -> str:
    """What a day costs each engine per added person between the smallest and the largest size
    of the ratio's series (no ratio: the vector engine's growth is within its noise)."""
    small, *_, large = (int(people) for people in by_size)
    return (
        f"Per added person ({small:,} to {large:,} people; each repeat ran every size, median "
        f"(min-max) over the repeats): the agent engine's day grows by "
        f"{_m(marginal, 'agents_us')} µs, the vector engine's by {_m(marginal, 'vector_ns', 1)} "
        "ns."
    )


def markdown(results: dict) -> str:
    lines = [f"Machine: {results['machine']}", ""]
    scale = results["scale"]
    if scale:
        lines += [
            f"Scaling series: base.toml's brand alone on one platform, {DAYS} days, 5% of the "
            "people following it at the start (median (min-max) over the repeats; seconds; the "
            "sizes interleaved; the run's growth per doubling of N over the next smaller size, "
            "within each repeat; start-up is Numba's start and the loading of the compiled "
            "kernels from its cache, once per process whatever the size, timed apart by a small "
            "build and run first; the total counts it):",
            "",
            "| people | edges | start-up s | graph s | traits s | run s | total s | "
            "run growth per doubling | µs per person-day | CPU s: build, run | peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for people, case in scale.items():
            doubling = f"{_m(case, 'doubling')}x" if "doubling" in case else ""
            lines.append(
                f"| {int(people):,} | {case['edges']['median']:,.0f} | {_m(case, 'start_up_s')} | "
                f"{_m(case, 'graph_s')} | {_m(case, 'traits_s')} | {_m(case, 'run_s')} | "
                f"{_m(case, 'total_s')} | {doubling} | {case['per_person_day_us']['median']:.3f} | "
                f"{case['build_cpu_s']['median']:.2f}, {case['run_cpu_s']['median']:.2f} | "
                f"{case['peak_rss_mib']['median']:.0f} |"
            )
        floors = [(p, c) for p, c in scale.items() if "floor_s" in c]
        for people, case in floors:
            lines += [
                "",
                f"Floor at {int(people):,} people: reading each day's standing set once (salience "
                "and trust of the known set gathered, one counter-based draw per member) takes "
                f"{_m(case, 'floor_s')} s over {DAYS} days (mean known set "
                f"{case['mean_known']['median']:,.0f} people); the engine's days take "
                f"{case['engine_over_floor']['median']:.1f}x that.",
            ]
    target = results["target"]
    if target:
        lines += [
            "",
            "Targets: base.toml's brand alone on one platform with the preset's initial state "
            f"(10,000 real followers = 1,000 simulated, 10% of the market aware), {DAYS} days:",
            "",
            "| people | edges | start-up s | graph s | traits s | run s | total s | "
            "engine / floor | CPU s: graph, traits, run | peak RSS MiB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for people, case in target.items():
            over = case.get("engine_over_floor")
            lines.append(
                f"| {int(people):,} | {case['edges']['median']:,.0f} | {_m(case, 'start_up_s')} | "
                f"{_m(case, 'graph_s')} | {_m(case, 'traits_s')} | {_m(case, 'run_s')} | "
                f"{_m(case, 'total_s')} | {f'{over["median"]:.1f}x' if over else ''} | "
                f"{case['graph_cpu_s']['median']:.2f}, "
                f"{case['build_cpu_s']['median'] - case['graph_cpu_s']['median']:.2f}, "
                f"{case['run_cpu_s']['median']:.2f} | "
                f"{case['peak_rss_mib']['median']:.0f} |"
            )
    engines = results["engines"]
    if engines:
        case = engines
        lines += [
            "",
            "Both engines on the same 10,000-person scenario (base.toml's brand; the agent engine "
            f"runs {case['agents_days']} days, the ratio compares the same days):",
            "",
            "| agents µs per person-day | vector µs per person-day (same days) | agents / vector | "
            "agents / vector, CPU time | "
            f"vector µs per person-day ({case['vector_days']} days) | agents set-up s | "
            "peak RSS MiB |",
            "|---|---|---|---|---|---|---|",
            f"| {_m(case, 'agents_first_days_us')} | {_m(case, 'vector_first_days_us', 4)} | "
            f"{case['ratio']['median']:.0f}x ({case['ratio']['min']:.0f}-"
            f"{case['ratio']['max']:.0f}) | {case['cpu_ratio']['median']:.0f}x "
            f"({case['cpu_ratio']['min']:.0f}-{case['cpu_ratio']['max']:.0f}) | "
            f"{_m(case, 'vector_per_person_day_us', 4)} | "
            f"{_m(case, 'agents_setup_s')} | {case['peak_rss_mib']['median']:.0f} |",
            "",
            "The vector engine runs those days once untimed first (loading its compiled kernels "
            f"takes most of that warm-up: {_m(case, 'vector_warm_up_s')} s, once per process).",
            "",
            "The day's fixed cost (the vector engine with every audience phase skipped: Mesa's "
            "step, the day order, the brand's plan and learning, the metrics row): "
            f"{_m(case, 'orchestration_day_us', 1)} µs a day, against "
            f"{case['agents_day_us']['median'] / 1e3:.1f} ms for the agent engine's day; a "
            "vector engine whose audience phases cost nothing would be "
            f"{case['ratio_ceiling']['median']:.0f}x ({case['ratio_ceiling']['min']:.0f}-"
            f"{case['ratio_ceiling']['max']:.0f}) faster. Reading the day's standing set once "
            f"(the floor, as above) costs {_m(case, 'floor_day_us', 1)} µs a day here; a vector "
            "engine that did only that beside the fixed cost would be "
            f"{case['ratio_ceiling_with_floor']['median']:.0f}x "
            f"({case['ratio_ceiling_with_floor']['min']:.0f}-"
            f"{case['ratio_ceiling_with_floor']['max']:.0f}) faster.",
        ]
        by_size = case.get("by_size", {})
        if by_size:
            lines += [
                "",
                f"Both engines on base.toml's scenario at more people (first {RATIO_DAYS} days, "
                "each size in its own process, the sizes interleaved, the vector engine warmed "
                "first):",
                "",
                "| people | agents ms a day | vector ms a day | agents / vector |",
                "|---|---|---|---|",
                *(
                    f"| {int(people):,} | {_m(size, 'agents_day_ms', 1)} | "
                    f"{_m(size, 'vector_day_ms', 3)} | {size['ratio']['median']:.0f}x "
                    f"({size['ratio']['min']:.0f}-{size['ratio']['max']:.0f}) |"
                    for people, size in by_size.items()
                ),
            ]
            if "marginal" in case:
                lines += ["", _marginal_costs(by_size, case["marginal"])]
    default = results["default"]
    if default:
        run = default["run"]
        lines += [
            "",
            f"Default audience (20,000 people), {DAYS} days: population "
            f"{_m(run, 'population_s')} s, "
            f"one run {_m(run, 'run_s')} s (median of the runs in each process; CPU time "
            f"{run['run_cpu_s']['median']:.2f} s), peak "
            f"{run['peak_rss_mib']['median']:.0f} MiB.",
            "",
            "Runs per minute and scaling efficiency (rate with N workers / (N x rate with 1)):",
            "",
            "| command | workers | runs | wall s | runs per minute | efficiency |",
            "|---|---|---|---|---|---|",
        ]
        for label, cases in (
            ("`longgame run base`", default.get("seeds", {})),
            ("`longgame compare default --seeds 2`", default["sweeps"]),
            ("`longgame sweep smoke`", default.get("experiment", {})),
        ):
            single = cases.get("1", {}).get("runs_per_minute", {}).get("median")
            for workers, sweep in cases.items():
                rate = sweep["runs_per_minute"]["median"]
                efficiency = f"{rate / (int(workers) * single):.0%}" if single else ""
                lines.append(
                    f"| {label} | {workers} | {sweep['runs']['median']:.0f} | "
                    f"{_m(sweep, 'wall_s', 1)} | {_m(sweep, 'runs_per_minute', 0)} | {efficiency} |"
                )
    return "\n".join(lines) + "\n"


def plot(results: dict, path: Path) -> None:
    """Run time and total (start-up, graph, traits, run) against people, log-log, with linear
    slopes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scale = results["scale"]
    people = [int(p) for p in scale]
    figure, axis = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    for field, label, marker in (
        ("total_s", "total (start-up, graph, traits, run)", "o"),
        ("run_s", f"run ({DAYS} days)", "s"),
        ("graph_s", "graph generation", "^"),
        ("traits_s", "traits", "v"),
    ):
        median = [scale[str(p)][field]["median"] for p in people]
        low = [m - scale[str(p)][field]["min"] for p, m in zip(people, median, strict=True)]
        high = [scale[str(p)][field]["max"] - m for p, m in zip(people, median, strict=True)]
        axis.errorbar(people, median, yerr=[low, high], marker=marker, label=label, capsize=2)
    anchor = scale[str(people[0])]["run_s"]["median"]
    axis.plot(
        people,
        [anchor * p / people[0] for p in people],
        linestyle=":",
        color="grey",
        label="linear in N",
    )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("people N")
    axis.set_ylabel("seconds (median, min-max)")
    axis.set_title("Vector engine: cost against audience size")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3, help="repeats per case (default 3)")
    parser.add_argument(
        "--only", choices=("scale", "engines", "default"), action="append", help="cases to run"
    )
    parser.add_argument("--max-people", type=int, default=SCALE_PEOPLE[-1])
    parser.add_argument("--huge", action="store_true", help="add 10,000,000 people (one run)")
    parser.add_argument("--out", type=Path, default=Path("bench"))
    parser.add_argument("--plot", type=Path, default=Path("docs/performance-scaling.png"))
    args = parser.parse_args()
    only = set(args.only or ("scale", "engines", "default"))
    results: dict = {"scale": {}, "target": {}, "engines": {}, "default": {}}
    previous = args.out / "results.json"
    if args.only and previous.exists():  # keep the cases not run now
        results.update(json.loads(previous.read_text()))
    results["machine"] = machine()
    for case in only:
        results[case] = {}
    if "scale" in only:
        results["target"] = {}
        results["scale"] = scaling_series(
            [p for p in SCALE_PEOPLE if p <= args.max_people],
            min(args.max_people, SCALE_PEOPLE[-1]),
            args.repeats,
        )
        sizes = [p for p in TARGET_PEOPLE if p <= args.max_people]
        if args.huge:
            sizes.append(HUGE_PEOPLE)
        for people in sizes:
            try:
                results["target"][str(people)] = repeat(
                    f"target {people:,}",
                    args.repeats if people < HUGE_PEOPLE else 1,
                    run_scale,
                    people,
                    DAYS,
                    people < HUGE_PEOPLE,
                    None,
                )
            except RuntimeError as error:
                print(f"target {people:,}: {error}", file=sys.stderr)
    if "engines" in only:
        results["engines"] = {
            **ENGINE_CASE,
            **repeat(
                "engines",
                args.repeats,
                run_engines_case,
                ENGINE_CASE["people"],
                ENGINE_CASE["vector_days"],
                ENGINE_CASE["agents_days"],
            ),
            **ratio_series(list(RATIO_PEOPLE), args.repeats),
        }
    if "default" in only:
        results["default"] = {
            "run": repeat("default run", args.repeats, run_default, DAYS, 5),
            "seeds": {
                str(workers): repeat(
                    f"run base, {workers} process(es)", 1, run_seeds_case, workers, RUN_SEEDS
                )
                for workers in (1, 2)
            },
            "sweeps": {
                str(workers): repeat(
                    f"compare, {workers} process(es)", 1, run_sweep, workers, SWEEP_SEEDS
                )
                for workers in (1, 2)
            },
            "experiment": {
                str(workers): repeat(
                    f"sweep smoke, {workers} worker(s)", 1, run_experiment, workers
                )
                for workers in (1, 2)
            },
        }
    args.out.mkdir(exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    text = markdown(results)
    (args.out / "results.md").write_text(text)
    if len(results["scale"]) > 1:
        plot(results, args.plot)
    print(text)


if __name__ == "__main__":
    main()
