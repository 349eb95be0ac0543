"""``python -m bench``: time the vector engine and record peak memory.

Each case runs in a fresh process so its peak RSS is its own. Writes ``bench/results.json``
and ``bench/results.md`` (machine, versions, median and min-max over repeats).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import statistics
import sys
from pathlib import Path

from bench.cases import run_case

CASES = {
    "vector_100k_365d": {"people": 100_000, "days": 365, "repeats": 3},
    "vector_20k_730d": {"people": 20_000, "days": 730, "repeats": 3},
}


def measure(people: int, days: int) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=run_case, args=(people, days, queue))
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
            samples.append(measure(case["people"], case["days"]))
            print(
                f"{name} [{index + 1}/{repeats}]: {samples[-1]['total_s']:.2f} s, "
                f"{samples[-1]['peak_rss_mib']:.0f} MiB",
                file=sys.stderr,
            )
        results["cases"][name] = {**case, **summarise(samples)}
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
    (args.out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
