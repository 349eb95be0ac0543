"""``python -m bench``: time the engines and record peak memory.

Each case runs in a fresh process so its peak RSS is its own. The vector cases time the fast
engine at scale; the engine case runs both engines side by side on the same 10,000-person
scenario (seconds per person-day and their ratio). Writes ``bench/results.json`` and
``bench/results.md`` (machine, versions, median and min-max over repeats).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import statistics
import sys
from pathlib import Path

from bench.cases import run_case, run_engines_case

CASES = {
    "vector_100k_365d": {"people": 100_000, "days": 365, "repeats": 3},
    "vector_20k_730d": {"people": 20_000, "days": 730, "repeats": 3},
}
ENGINE_CASES = {
    "engines_10k": {"people": 10_000, "vector_days": 365, "agents_days": 30, "repeats": 1},
}


def measure(target, *args) -> dict:
    """Run ``target(*args, queue)`` in a fresh process and return what it reports."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def summarise(samples: list[dict]) -> dict:
    return {
        name: {
            "median": statistics.median(s[name] for s in samples),
            "min": min(s[name] for s in samples),
            "max": max(s[name] for s in samples),
        }
        for name in samples[0]
    }


def main() -> None:
    import mesa
    import numpy

    import sim

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=None, help="override repeats per case")
    parser.add_argument("--out", type=Path, default=Path("bench"))
    args = parser.parse_args()
    results = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": multiprocessing.cpu_count(),
            "numpy": numpy.__version__,
            "mesa": mesa.__version__,
            "longgame": sim.__version__,
        },
        "cases": {},
    }
    for name, case in CASES.items():
        repeats = args.repeats or case["repeats"]
        samples = []
        for index in range(repeats):
            samples.append(measure(run_case, case["people"], case["days"]))
            print(
                f"{name} [{index + 1}/{repeats}]: {samples[-1]['total_s']:.2f} s, "
                f"{samples[-1]['peak_rss_mib']:.0f} MiB",
                file=sys.stderr,
            )
        results["cases"][name] = {**case, **summarise(samples)}
    results["engines"] = {}
    for name, case in ENGINE_CASES.items():
        repeats = args.repeats or case["repeats"]
        samples = []
        for index in range(repeats):
            samples.append(
                measure(run_engines_case, case["people"], case["vector_days"], case["agents_days"])
            )
            print(
                f"{name} [{index + 1}/{repeats}]: agents/vector = {samples[-1]['ratio']:.0f}x",
                file=sys.stderr,
            )
        results["engines"][name] = {**case, **summarise(samples)}
    args.out.mkdir(exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        f"Machine: {results['machine']}",
        "",
        "| case | people | days | graph s | run s | total s (min-max) | peak RSS MiB | "
        "µs per person-day |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, case in results["cases"].items():
        lines.append(
            f"| {name} | {case['people']:,} | {case['days']} | {case['graph_s']['median']:.2f} | "
            f"{case['run_s']['median']:.2f} | {case['total_s']['median']:.2f} "
            f"({case['total_s']['min']:.2f}-{case['total_s']['max']:.2f}) | "
            f"{case['peak_rss_mib']['median']:.0f} | {case['per_person_day_us']['median']:.3f} |"
        )
    lines += [
        "",
        "Both engines on the same scenario (base.toml's one brand on a generated graph); the "
        "agent engine runs a shorter horizon and the ratio compares the same days:",
        "",
        "| case | people | agents days | agents µs per person-day | vector µs per person-day "
        "(same days) | agents / vector | vector days | vector µs per person-day (all days) | "
        "agents set-up s | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, case in results["engines"].items():
        lines.append(
            f"| {name} | {case['people']:,} | {case['agents_days']} | "
            f"{case['agents_per_person_day_us']['median']:.2f} | "
            f"{case['vector_first_days_us']['median']:.3f} | {case['ratio']['median']:.0f}x | "
            f"{case['vector_days']} | {case['vector_per_person_day_us']['median']:.3f} | "
            f"{case['agents_setup_s']['median']:.2f} | {case['peak_rss_mib']['median']:.0f} |"
        )
    (args.out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
