"""Turning a sweep's runs into answers: summaries, global sensitivity and robustness.

All functions take the tables of a sweep directory (:func:`load_sweep`) and return DataFrames or
plain dicts, so the CLI report (:func:`write_report`), the web app and notebooks share them.

- :func:`strategy_summary`: per strategy and outcome, the mean over points with its 95% interval
  (:func:`sim.summary.t_interval`) and the 10th, 50th and 90th percentiles.
- :func:`parameter_effects`: per parameter, the mean outcome of each strategy in each fifth of
  the parameter's range (or at each grid value).
- :func:`sensitivity`: which parameters move each outcome (and each comparison's difference),
  with SALib: Sobol' S1 and ST for ``saltelli`` designs, Morris mu* for ``morris``, first-order
  Sobol' indices by RBD-FAST for ``lhs`` and ``sobol`` samples, the main-effect variance share
  for grids; always with Spearman's rank correlation as a plain-language direction.
- :func:`robustness`: for each headline comparison of the experiment, the share of sampled
  points where it holds (mean paired difference above 0 over the point's seeds; with two or more
  seeds also the share where its 95% interval is above 0, the project's "A beats B"), the
  parameters that drive failure and a box of at most two conditions describing where it fails.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.design import UNIT_PREFIX, salib_problem
from experiments.spec import Comparison, Experiment, Parameter
from experiments.store import load_daily, load_manifest, load_points, load_results
from sim import summary
from sim.output import OutputError, atomic_write, ensure_results_dir, figure_note
from sim.text import did_you_mean, plural

__all__ = [
    "UNRELIABLE_INDICES",
    "SweepData",
    "comparison_table",
    "ensure_report_dir",
    "failure_text",
    "holds_text",
    "json_safe",
    "index_reliability",
    "judged_on",
    "load_sweep",
    "parameter_effects",
    "point_means",
    "robustness",
    "sensitivity",
    "strategy_summary",
    "sweep_provenance",
    "target_names",
    "write_report",
]

ID_COLUMNS = ("run", "point", "replicate", "seed", "strategy")
PEOPLE = "audience.graph.people"
"""The parameter that sets how many people are simulated."""
BINS = 5
SPEARMAN_ONLY = "Spearman only"
"""The sensitivity method where SALib's indices could not be computed."""
RBD_FAST_MIN_POINTS = 44
"""Fewest points for RBD-FAST (SALib's ten harmonics): with fewer its bootstrap, which resamples
half of them, gives intervals of width 0 or fails, and the indices themselves are noise (three
of 1.0 at 21 points where one parameter alone matters)."""
INDEX_TOLERANCE = 0.01
"""How far a sensitivity index (or its interval) may stray before :func:`index_reliability`
flags it."""
REGION_MIN_FAILURES = 5
"""Failures a failure region must hold (fewer are anecdotes, not a region)."""
REGION_MIN_LIFT = 0.5
"""Share of the gap between the overall failure rate and 100% that a failure region's own
failure rate must close (44% overall and 45% inside describes nothing)."""
NO_VARIATION = "none (no variation)"
"""The method of a target that is the same at every point, or has no value in any run: no
index and no correlation exist."""
RUNS_MISSING = "Spearman only (runs missing)"
"""The method where they could not because the sweep is incomplete (Saltelli and Morris need
every point of their design)."""
SALIB_FAILED = "Spearman only (SALib failed"
"""The start of the method where SALib raised an error on a complete design; the error follows
(``Spearman only (SALib failed: ValueError: ...)``)."""
REPORT_MD = "report.md"
ANALYSIS_JSON = "analysis.json"
"""The analysis for machines; its ``made_by`` marks a directory as an analysis's."""
SENSITIVITY_CSV = "sensitivity.csv"
SUMMARY_CSV = "summary.csv"
REPORT_FILES = (REPORT_MD, ANALYSIS_JSON, SENSITIVITY_CSV, SUMMARY_CSV)
"""The files :func:`write_report` writes whatever the experiment (the figures' names depend
on it)."""


def ensure_report_dir(out: Path | str) -> None:
    """Create the report directory ``out``, refusing one that holds files of the report's names
    that an analysis did not write (a user's own summary.csv, a run's results): as
    ``sim.output.ensure_results_dir`` refuses for a run or comparison."""
    ensure_results_dir(
        Path(out),
        REPORT_FILES,
        record=ANALYSIS_JSON,
        kind="analysis",
        what="the analysis of a sweep",
    )


@dataclass
class SweepData:
    """A sweep directory loaded: the experiment, its design, the finished runs' results."""

    root: Path
    experiment: Experiment
    manifest: dict[str, Any]
    points: pd.DataFrame
    results: pd.DataFrame
    parameters: list[Parameter]
    comparisons_from: str | None = None
    """The file the comparisons were read from when not the sweep's own (:func:`judged_on`)."""

    @property
    def outcomes(self) -> list[str]:
        """Outcome columns kept by the experiment."""
        return list(self.experiment.outcomes)

    @property
    def strategies(self) -> list[str]:
        """Strategy names in the experiment's order."""
        return [strategy.name for strategy in self.experiment.strategies]

    @property
    def parameter_names(self) -> list[str]:
        """Varied parameters (dotted paths, the column names)."""
        return [parameter.path for parameter in self.parameters]

    def parameter(self, path: str) -> Parameter:
        """The varied parameter called ``path``."""
        self.named("parameter", path)
        return next(parameter for parameter in self.parameters if parameter.path == path)

    def named(self, what: str, name: str) -> str:
        """``name``, if the sweep has a ``what`` (outcome, parameter, strategy or target) of that
        name; else a ValueError with a did-you-mean and the names it has."""
        choices = {
            "outcome": lambda: self.outcomes,
            "parameter": lambda: self.parameter_names,
            "strategy": lambda: self.strategies,
            "target": lambda: target_names(self),
        }[what]()
        if name not in choices:
            raise ValueError(
                f"the sweep has no {what} {name!r}{did_you_mean(name, choices)}; "
                f"its {what}s: {', '.join(choices)}"
            )
        return name

    def daily(self) -> pd.DataFrame:
        """The daily series of the finished runs (empty if none were kept)."""
        return load_daily(self.root)


def load_sweep(root: Path | str) -> SweepData:
    """Load a sweep directory (finished runs only; a partial sweep can be analysed too)."""
    root = Path(root)
    info = load_manifest(root)
    experiment = Experiment.model_validate(info["experiment"])
    results = load_results(root)
    if results.empty:
        from sim.output import OutputError

        raise OutputError(f"{root} has no finished runs yet")
    return SweepData(
        root=root,
        experiment=experiment,
        manifest=info,
        points=load_points(root),
        results=results,
        parameters=experiment.resolved_parameters(),
    )


def judged_on(data: SweepData, experiment: Experiment, source: str) -> SweepData:
    """``data`` judged on ``experiment``'s comparisons instead of its own: comparisons added to a
    finished sweep without running it again. ``experiment`` (read from ``source``) must be the
    sweep's experiment in everything but its name, description and comparisons."""
    ran, given = data.experiment.stable_dump(), experiment.stable_dump()
    judged = {"name", "description", "comparisons"}
    if differing := sorted(
        k for k in (ran.keys() | given.keys()) - judged if ran.get(k) != given.get(k)
    ):
        raise OutputError(
            f"{source} is not the experiment {data.root} ran: its {', '.join(differing)} "
            "differ; only the comparisons may (run the sweep for another experiment)"
        )
    experiment = data.experiment.model_copy(update={"comparisons": experiment.comparisons})
    return dataclasses.replace(data, experiment=experiment, comparisons_from=source)


# ---- summaries ------------------------------------------------------------------------------


def point_means(data: SweepData) -> pd.DataFrame:
    """Mean over seeds of every outcome per (point, strategy), with the point's parameters."""
    columns = [*data.parameter_names, *data.outcomes]
    means = data.results.groupby(["point", "strategy"], sort=False)[columns].mean()
    return means.reset_index()


def strategy_summary(data: SweepData) -> pd.DataFrame:
    """Per strategy and outcome over the sampled space: mean of the point means with its 95%
    interval, and the 10th, 50th and 90th percentiles of the runs."""
    means = point_means(data)
    rows = []
    for strategy in data.strategies:
        runs = data.results[data.results["strategy"] == strategy]
        at_points = means[means["strategy"] == strategy]
        for outcome in data.outcomes:
            mean, lo, hi = summary.t_interval(at_points[outcome].to_numpy(dtype=float))
            values = runs[outcome].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            p10, p50, p90 = np.percentile(values, [10, 50, 90]) if values.size else [math.nan] * 3
            rows.append(
                {
                    "strategy": strategy,
                    "outcome": outcome,
                    "mean": mean,
                    "lo": lo,
                    "hi": hi,
                    "p10": float(p10),
                    "p50": float(p50),
                    "p90": float(p90),
                    "runs": int(values.size),
                }
            )
    return pd.DataFrame(rows)


def _by_value(values: pd.Series, parameter: Parameter) -> bool:
    """Whether a parameter's effects are shown per value (listed values, or few of them) rather
    than per fifth of its range."""
    return parameter.values is not None or values.nunique() <= BINS


def _bins(values: pd.Series, parameter: Parameter) -> pd.Series:
    """Labels of the fifths of a parameter's range (or its grid values)."""
    if _by_value(values, parameter):
        return values.map(lambda v: f"{v:.4g}")
    edges = np.linspace(parameter.low, parameter.high, BINS + 1)
    if parameter.log:
        edges = np.geomspace(parameter.low, parameter.high, BINS + 1)
    labels = [f"{edges[i]:.3g}-{edges[i + 1]:.3g}" for i in range(BINS)]
    return pd.cut(values, edges, labels=labels, include_lowest=True).astype(str)


def parameter_effects(
    data: SweepData, outcome: str, parameter: str, means: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Mean of ``outcome`` per strategy (columns) in each fifth of ``parameter``'s range (rows,
    low to high; grid values for grids). ``means`` is :func:`point_means` of ``data`` if the
    caller has it already (else it is computed)."""
    data.named("outcome", outcome)
    means = point_means(data) if means is None else means
    means = means.assign(bin=_bins(means[parameter], data.parameter(parameter)))
    order = list(dict.fromkeys(means.sort_values(parameter)["bin"]))
    table = means.pivot_table(index="bin", columns="strategy", values=outcome, aggfunc="mean")
    return table.reindex(index=order, columns=[s for s in data.strategies if s in table.columns])


def _paired_advantages(data: SweepData, comparison: Comparison) -> pd.Series:
    """Per run (index ``run, point``): how much ``better`` beats ``worse`` on the outcome
    (better - worse, or worse - better where less is better), a side of several strategies
    being its best member at the point. A break-even that never came counts as the day after
    the horizon (the worst); runs where the outcome is undefined for either strategy (neither
    broke even) are left out."""
    better, worse = (_side(data, side, comparison) for side in comparison.sides)
    if comparison.outcome.partition("@")[0] == "break_even_day":
        one_missing = better.isna() ^ worse.isna()
        better = better.where(~(one_missing & better.isna()), float(data.experiment.days))
        worse = worse.where(~(one_missing & worse.isna()), float(data.experiment.days))
    difference = worse - better if comparison.prefers_lower else better - worse
    return difference.dropna().rename("difference")


def _side(data: SweepData, strategies: list[str], comparison: Comparison) -> pd.Series:
    """Per run (index ``run, point``): the outcome of the side's strategy, or of several the
    one with the best mean over the point's seeds (a break-even that never came the worst)."""
    results, outcome = data.results, comparison.outcome
    rows = results[results["strategy"].isin(strategies)]
    if len(strategies) > 1:
        values = rows[outcome]
        if outcome.partition("@")[0] == "break_even_day":
            values = values.fillna(float(data.experiment.days))
        means = values.groupby([rows["point"], rows["strategy"]]).mean().unstack()
        means = means.dropna(how="all")
        best = means.idxmin(axis=1) if comparison.prefers_lower else means.idxmax(axis=1)
        rows = rows[rows["strategy"].to_numpy() == rows["point"].map(best).to_numpy()]
    return rows.set_index(["run", "point"])[outcome]


def comparison_table(data: SweepData, comparison: Comparison) -> pd.DataFrame:
    """Per point where the outcome is defined: how much ``better`` beats ``worse`` (the paired
    difference, the right way round for outcomes where less is better) with its mean and 95%
    interval over the point's seeds, whether it holds, and the point's parameters."""
    diff = _paired_advantages(data, comparison).reset_index()
    seeds = diff.groupby("point")["difference"]
    table = pd.DataFrame({"difference": seeds.mean(), "seeds": seeds.count()})
    half = summary.t_half_width(seeds.std(ddof=1).to_numpy(), table["seeds"].to_numpy())
    table.insert(1, "lo", table["difference"] - half)
    table.insert(2, "hi", table["difference"] + half)
    table.index = table.index.astype(int)
    table = table.join(data.points[data.parameter_names])
    table["holds"] = table["difference"] > 0
    table["significant"] = (table["lo"] > 0) & (table["seeds"] >= 2)
    return table


# ---- sensitivity ----------------------------------------------------------------------------


def _target_name(strategy: str, outcome: str) -> str:
    return f"{strategy}: {outcome}"


def target_names(data: SweepData) -> list[str]:
    """The sensitivity targets: each strategy's outcomes, then each comparison's difference."""
    return [
        *(
            _target_name(strategy, outcome)
            for outcome in data.outcomes
            for strategy in data.strategies
        ),
        *(comparison.label for comparison in data.experiment.comparisons),
    ]


def _targets(data: SweepData, only: str | None = None) -> list[tuple[str, str, str, pd.Series]]:
    """(target, strategy, outcome, Y per point) for every outcome and strategy, and for every
    comparison's difference; only the target named ``only`` if given."""
    means = point_means(data)
    targets = []
    for outcome in data.outcomes:
        for strategy in data.strategies:
            name = _target_name(strategy, outcome)
            if only in (None, name):
                y = means[means["strategy"] == strategy].set_index("point")[outcome]
                targets.append((name, strategy, outcome, y))
    for comparison in data.experiment.comparisons:
        if only not in (None, comparison.label):
            continue
        table = comparison_table(data, comparison)
        targets.append(
            (
                comparison.label,
                _difference_label(comparison),
                comparison.outcome,
                table["difference"],
            )
        )
    return targets


def _difference_label(comparison: Comparison) -> str:
    """The paired difference a comparison is judged on, e.g. "CE - BC" or, where less of the
    outcome is better, "BC - CE"."""
    sides = comparison.sides[::-1]
    pair = tuple("best of " + "/".join(side) if len(side) > 1 else side[0] for side in sides)
    first, second = pair if comparison.prefers_lower else pair[::-1]
    return f"{first} - {second}"


UNRELIABLE_INDICES = (
    "Indices marked **outside [0, 1]** are impossible values even allowing for their 95% "
    "interval, and those marked **uncertain** have an interval wider than the index: the design "
    "is too small (or the outcome too noisy) for them; sample more points."
)
"""What the report (and the Sweeps page) says under indices that should not be read as they are."""


def index_reliability(value: float, conf: float) -> str:
    """Why an index should not be read at face value: ``outside [0, 1]`` when even its 95%
    interval excludes [0, 1] (an estimator broken by too few points or noise), ``uncertain``
    when the interval is wider than the index or the index itself is outside [0, 1]; empty
    otherwise (differences below :data:`INDEX_TOLERANCE` do not count)."""
    if math.isnan(value):
        return ""
    margin = 0.0 if math.isnan(conf) else conf
    low, high = -INDEX_TOLERANCE, 1 + INDEX_TOLERANCE
    if value - margin > high or value + margin < low:
        return "outside [0, 1]"
    if margin > max(abs(value), INDEX_TOLERANCE) or not low <= value <= high:
        return "uncertain"
    return ""


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 3 or np.all(x == x[0]) or np.all(y == y[0]):
        return math.nan
    return float(stats.spearmanr(x, y).statistic)


def _main_effects(x: np.ndarray, y: np.ndarray) -> float:
    """Var(E[Y | x]) / Var(Y) over the distinct values of x (first-order index on a grid)."""
    frame = pd.DataFrame({"x": x, "y": y})
    means = frame.groupby("x")["y"].transform("mean")
    return float(np.var(means) / np.var(y))


def sensitivity(
    data: SweepData, target: str | None = None, progress: Callable[[int], None] | None = None
) -> pd.DataFrame:
    """Global sensitivity of every target (strategy x outcome, and each comparison's difference)
    to every parameter: long table with ``target, strategy, outcome, parameter, method, index,
    conf, spearman``. ``index`` is S1 (RBD-FAST, grid main effect, Saltelli), ST (Saltelli) or
    mu* scaled to the largest (Morris); NaN where the design is too small, the target
    undefined (e.g. a break-even day that never came) or, for Saltelli and Morris, which need
    every point of their design, the sweep incomplete (method :data:`RUNS_MISSING`).
    ``target`` computes that one only (a page asks for one; all of a large sweep take minutes);
    ``progress(1)`` after each target."""
    if target is not None:
        data.named("target", target)
    method = data.experiment.design.method
    names = data.parameter_names
    problem = salib_problem(data.parameters)
    unit = data.points[[UNIT_PREFIX + name for name in names]].to_numpy(dtype=float)
    complete_points = len(data.points)
    incomplete = method in ("saltelli", "morris") and (
        data.results["point"].nunique() < complete_points
    )
    fallback = RUNS_MISSING if incomplete else SPEARMAN_ONLY
    rows = []
    for target_name, strategy, outcome, y_series in _targets(data, target):
        y_full = y_series.reindex(range(complete_points)).to_numpy(dtype=float)
        ok = ~np.isnan(y_full)
        x, y = unit[ok], y_full[ok]
        indices: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        label = {"saltelli": "Sobol' (Saltelli)", "morris": "Morris"}.get(method, "RBD-FAST")
        method_without = fallback
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if y.size == 0 or np.ptp(y) == 0:
                    method_without = NO_VARIATION
                elif method == "grid":
                    label = "main effect"
                    indices["S1"] = (
                        np.array([_main_effects(x[:, j], y) for j in range(len(names))]),
                        None,
                    )
                elif method == "saltelli" and ok.all():
                    from SALib.analyze import sobol

                    result = sobol.analyze(problem, y, calc_second_order=False, seed=1)
                    indices["S1"] = (result["S1"], result["S1_conf"])
                    indices["ST"] = (result["ST"], result["ST_conf"])
                elif method == "morris" and ok.all():
                    from SALib.analyze import morris

                    result = morris.analyze(
                        problem, x, y, num_levels=data.experiment.design.levels, seed=1
                    )
                    top = float(np.max(result["mu_star"])) or 1.0
                    indices["mu_star"] = (
                        np.asarray(result["mu_star"]) / top,
                        np.asarray(result["mu_star_conf"]) / top,
                    )
                elif method in ("lhs", "sobol") and y.size >= RBD_FAST_MIN_POINTS:
                    from SALib.analyze import rbd_fast

                    result = rbd_fast.analyze(problem, x, y, seed=1)
                    indices["S1"] = (result["S1"], result["S1_conf"])
            except (ValueError, ZeroDivisionError, IndexError, FloatingPointError) as error:
                indices = {}
                method_without = f"{SALIB_FAILED}: {type(error).__name__}: {error})"
        for j, name in enumerate(names):
            rho = _spearman(x[:, j], y)
            base = {
                "target": target_name,
                "strategy": strategy,
                "outcome": outcome,
                "parameter": name,
                "spearman": rho,
            }
            if not indices:
                rows.append(
                    {
                        **base,
                        "method": method_without,
                        "index": "",
                        "value": math.nan,
                        "conf": math.nan,
                        "reliability": "",
                    }
                )
            for index, (values, conf) in indices.items():
                rows.append(
                    {
                        **base,
                        "method": label,
                        "index": index,
                        "value": float(values[j]),
                        "conf": float(conf[j]) if conf is not None else math.nan,
                        "reliability": index_reliability(
                            float(values[j]), float(conf[j]) if conf is not None else math.nan
                        ),
                    }
                )
        if progress:
            progress(1)
    return pd.DataFrame(rows)


# ---- robustness -----------------------------------------------------------------------------


def _share(holds: np.ndarray) -> tuple[float, float, float]:
    """Share of True with a 95% Wilson interval."""
    n = holds.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    p = float(holds.mean())
    z = 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def _conditions(table: pd.DataFrame, names: list[str]) -> list[tuple[str, str, float]]:
    candidates = []
    for name in names:
        values = table[name].to_numpy(dtype=float)
        for q in np.unique(np.quantile(values, np.linspace(0.1, 0.9, 9))):
            candidates.append((name, "<=", float(q)))
            candidates.append((name, ">", float(q)))
    return candidates


def _mask(table: pd.DataFrame, condition: tuple[str, str, float]) -> np.ndarray:
    name, op, threshold = condition
    values = table[name].to_numpy(dtype=float)
    return values <= threshold if op == "<=" else values > threshold


def _f1(inside: np.ndarray, fails: np.ndarray) -> float:
    hit = float((inside & fails).sum())
    if hit == 0:
        return 0.0
    precision, recall = hit / inside.sum(), hit / fails.sum()
    return 2 * precision * recall / (precision + recall)


def _clear_region(inside: np.ndarray, fails: np.ndarray) -> bool:
    """Whether a box says more than the base rate: it holds at least
    :data:`REGION_MIN_FAILURES` failures, and its failure rate closes at least
    :data:`REGION_MIN_LIFT` of the gap between the overall failure rate and 100%."""
    base = float(fails.mean())
    rate = float(fails[inside].mean()) if inside.any() else 0.0
    enough = int((inside & fails).sum()) >= REGION_MIN_FAILURES
    return enough and rate - base >= REGION_MIN_LIFT * (1 - base)


def failure_region(table: pd.DataFrame, names: list[str]) -> dict[str, Any] | None:
    """A box of at most two conditions on the parameters that best describes where a comparison
    fails (greedy search on the F1 score of "inside the box" for "fails", thresholds at the
    deciles): conditions, the share of failures it covers and the failure rate inside. None if
    no box is clearly worse than the sampled space as a whole (:func:`_clear_region`)."""
    fails = ~table["holds"].to_numpy(dtype=bool)
    if fails.sum() == 0 or fails.all():
        return None
    inside = np.ones(len(table), dtype=bool)
    chosen: list[tuple[str, str, float]] = []
    best = 0.0
    for _ in range(2):
        options = [
            (c, _f1(inside & _mask(table, c), fails))
            for c in _conditions(table, names)
            if c[0] not in {name for name, _, _ in chosen}
        ]
        if not options:
            break
        condition, score = max(options, key=lambda item: item[1])
        if score <= best + 0.05:  # a second condition must sharpen the box clearly
            break
        chosen.append(condition)
        inside &= _mask(table, condition)
        best = score
    if not chosen or not _clear_region(inside, fails):
        return None
    return {
        "conditions": [{"parameter": n, "op": op, "value": v} for n, op, v in chosen],
        "text": " and ".join(f"{n} {op} {v:.3g}" for n, op, v in chosen),
        "covers": float((inside & fails).sum() / fails.sum()),
        "fail_rate_inside": float(fails[inside].mean()) if inside.any() else math.nan,
        "points_inside": int(inside.sum()),
        "f1": best,
    }


def robustness(data: SweepData) -> dict[str, Any]:
    """The robustness report as a JSON-ready dict: for each comparison the share of sampled
    points where it holds (Wilson 95% interval), the share where it is significant, its drivers
    (Spearman correlation of each parameter with the difference, failure rate per fifth of its
    range) and the failure region."""
    names = data.parameter_names
    sampled = int(data.results["point"].nunique())
    items = []
    for comparison in data.experiment.comparisons:
        table = comparison_table(data, comparison)
        holds = table["holds"].to_numpy(dtype=bool)
        share, lo, hi = _share(holds)
        seeds = int(table["seeds"].min()) if len(table) else 0
        significant = _share(table["significant"].to_numpy(dtype=bool)) if seeds >= 2 else None
        drivers = []
        for spec in data.parameters:
            name = spec.path
            rho = _spearman(table[name].to_numpy(dtype=float), table["difference"].to_numpy())
            bins = _bins(table[name], spec)
            order = list(dict.fromkeys(bins[table[name].sort_values().index]))
            rates = (~table["holds"]).groupby(bins).mean().reindex(order)
            drivers.append(
                {
                    "parameter": name,
                    "spearman": None if math.isnan(rho) else rho,
                    "fail_rate_by_fifth": {k: float(v) for k, v in rates.items()},
                    "fail_spread": float(rates.max() - rates.min()) if len(rates) else 0.0,
                }
            )
        drivers.sort(key=lambda d: -abs(d["spearman"] or 0.0))
        items.append(
            {
                "name": comparison.label,
                "better": comparison.better,
                "worse": comparison.worse,
                "outcome": comparison.outcome,
                "points": int(len(table)),
                "points_tied": int((table["difference"] == 0).sum()),
                "points_sampled": sampled,
                "lower_is_better": comparison.prefers_lower,
                "seeds_per_point": seeds,
                "share_holds": share,
                "share_holds_lo": lo,
                "share_holds_hi": hi,
                "share_significant": None if significant is None else significant[0],
                "mean_difference": float(table["difference"].mean()),
                "median_difference": float(table["difference"].median()),
                "drivers": drivers,
                "failure_region": failure_region(table, names),
            }
        )
    return {
        "experiment": data.experiment.name,
        "points": int(data.results["point"].nunique()),
        "runs": int(data.results["run"].nunique()),
        "rule": "holds at a point when the mean paired difference over the point's seeds is in "
        "favour of the better strategy (better - worse, or worse - better where less of the "
        "outcome is better; a break-even that never came counts as the worst); significant "
        "when its 95% t-interval is too; points where the outcome is undefined for both "
        "strategies are not used",
        "comparisons": items,
    }


# ---- the report -----------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    return str(value)


def _md_table(frame: pd.DataFrame, index: bool = True) -> str:
    frame = frame.reset_index() if index else frame
    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def json_safe(value: Any) -> Any:
    """``value`` with NumPy scalars as Python ones and NaN or infinity as None (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _percent(share: float) -> str:
    """A share as a percentage, with a decimal near 0 and 100% so that 511/512 is not 100%
    ("-" for none: a comparison never evaluated)."""
    if math.isnan(share):
        return "-"
    digits = 1 if 0 < share < 0.01 or 0.99 < share < 1 else 0
    return f"{share:.{digits}%}"


def holds_text(item: dict[str, Any]) -> str:
    """Where a comparison of :func:`robustness` holds: "share [lo, hi]" of the points."""
    share, lo, hi = (item[key] for key in ("share_holds", "share_holds_lo", "share_holds_hi"))
    return f"{_percent(share)} [{_percent(lo)}, {_percent(hi)}]"


def failure_text(item: dict[str, Any]) -> str:
    """Where a comparison of :func:`robustness` fails, in words (a tie is not a win: how many
    of the failures are ties is said)."""
    if item["points"] == 0:
        return "could not be evaluated: no point had the outcome for both strategies"
    tied = item.get("points_tied", 0)
    if tied == item["points"]:
        return "everywhere, as a tie: the outcome is the same for both strategies at every point"
    ties = f" ({tied} of the failing points are ties)" if tied else ""
    region = item["failure_region"]
    if region:
        return (
            f"{region['text']} ({region['fail_rate_inside']:.0%} of these points fail; "
            f"{region['covers']:.0%} of all failures){ties}"
        )
    fails = round((1 - item["share_holds"]) * item["points"])
    if fails == 0:
        return "nowhere sampled"
    if fails == item["points"]:
        return f"everywhere{ties}"
    return f"at {fails} of {item['points']} points; no region describes the failures{ties}"


def _top_rows(sens: pd.DataFrame, target: str, count: int) -> list[Any]:
    """The ``count`` rows of a target with the largest index (or |Spearman| without one), with
    that ``score``."""
    rows = sens[sens["target"] == target]
    preferred = "ST" if (rows["index"] == "ST").any() else None
    if preferred:
        rows = rows[rows["index"] == preferred]
    elif (rows["index"] != "").any():
        rows = rows[rows["index"] == rows["index"][rows["index"] != ""].iloc[0]]
    score = rows["value"].where(rows["value"].notna(), rows["spearman"].abs())
    ranked = rows.assign(score=score.astype(float)).sort_values("score", ascending=False)
    return list(ranked.head(count).itertuples())


def _top_text(row: Any) -> str:
    """One parameter of the report's sensitivity table: its index, with its interval and a
    warning when the index is unreliable (:func:`index_reliability`)."""
    text = f"`{row.parameter}` {row.score:.2f}"
    if not math.isnan(row.conf):
        text += f" ± {row.conf:.2f}"
    reliability = getattr(row, "reliability", "")
    return f"{text} (**{reliability}**)" if reliability else text


def _audience(experiment: Experiment) -> str:
    """The simulated audience of the sweep's runs, as [fixed] sets it (or that it varies)."""
    if PEOPLE in experiment.parameters:
        return "simulated people varied (a swept parameter)"
    people = experiment.fixed.get(PEOPLE, experiment.scenario.audience.graph.people)
    return f"{int(people):,} simulated people"


def sweep_provenance(data: SweepData) -> dict[str, Any]:
    """What made the sweep's results (package, version, source digest, engine, the experiment's
    name and fingerprint), without the time or command line: the analyses of two runs of the
    same sweep are the same files."""
    made_by = {
        key: data.manifest.get(key) for key in ("package", "version", "source_digest", "engine")
    }
    ran = data.manifest.get("fingerprint") if data.comparisons_from else None
    return made_by | {
        "experiment": data.experiment.name,
        "fingerprint": ran or data.experiment.fingerprint(),
        **({"comparisons_from": data.comparisons_from} if data.comparisons_from else {}),
    }


def _points_text(data: SweepData) -> str:
    """The analysed points and their seeds, counts that multiply to the runs analysed: "64
    parameter points x 2 seeds", or for an unfinished sweep "48 parameter points: 47 with 2
    seeds, 1 with 1 seed"."""
    per_point = data.results.groupby("point")["run"].nunique()
    counts = per_point.value_counts().sort_index(ascending=False)
    points = plural(int(per_point.size), "parameter point")
    if len(counts) <= 1:
        seeds = int(counts.index[0]) if len(counts) else data.experiment.seeds
        return f"{points} x {plural(seeds, 'seed')}"
    parts = [f"{int(number)} with {plural(int(seeds), 'seed')}" for seeds, number in counts.items()]
    return f"{points}: {', '.join(parts)}"


def write_report(
    data: SweepData,
    out: Path | str,
    *,
    figures: bool = True,
    progress: Callable[[int], None] | None = None,
    robust: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write ``report.md``, ``analysis.json``, ``sensitivity.csv``, ``summary.csv`` and the PNG
    figures into ``out``; returns the paths by kind. ``progress`` counts sensitivity targets
    (:func:`target_names`), most of the time on a large sweep; ``robust`` is
    :func:`robustness` of ``data`` if the caller has it already (else it is computed)."""
    out = Path(out)
    ensure_report_dir(out)
    experiment = data.experiment
    summ = strategy_summary(data)
    sens = sensitivity(data, progress=progress)
    robust = robustness(data) if robust is None else robust
    paths: dict[str, Path] = {}
    pictures: dict[str, str] = {}
    if figures:
        from experiments import figures as fig

        pictures = fig.write_figures(data, sens, robust, out, figure_note(sweep_provenance(data)))
    lines = [
        f"# Sweep analysis: {experiment.name}",
        "",
        *([experiment.description, ""] if experiment.description else []),
        f"- runs analysed: {robust['runs']} of {data.manifest.get('total_runs')} "
        f"({_points_text(data)}), strategies: {', '.join(data.strategies)}",
        f"- horizon: {experiment.days} days; audience: {_audience(experiment)}; design: "
        f"{experiment.design.method}; experiment seed {experiment.seed}, seeds across points: "
        f"{data.manifest.get('seeds_across_points', 'independent')}",
        f"- fixed: {', '.join(f'{k} = {v:g}' for k, v in experiment.fixed.items()) or 'nothing'}",
        f"- made by longgame {data.manifest.get('version')}, {data.manifest.get('engine')} "
        f"engine (`{data.manifest.get('command')}`)",
        *(
            [f"- comparisons judged as written in {data.comparisons_from}, not the sweep's own"]
            if data.comparisons_from
            else []
        ),
        "",
        "## Parameters varied",
        "",
        "| parameter | range | sampling | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for p in data.parameters:
        sampling = "grid" if p.values else ("log-uniform" if p.log else "uniform")
        span = ", ".join(f"{v:g}" for v in p.values) if p.values else f"{p.low:g} - {p.high:g}"
        lines.append(f"| `{p.path}` | {span} | {sampling} | {p.description} |")
    if robust["comparisons"]:
        lines += [
            "",
            "## Robustness of the headline comparisons",
            "",
            f"Rule: {robust['rule']}. Share over the sampled points with a 95% Wilson interval.",
            "",
            "| comparison | points used | holds at | significant at | median difference "
            "| drivers (Spearman) | where it fails |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for item in robust["comparisons"]:
            drivers = ", ".join(
                f"`{d['parameter']}` {d['spearman']:+.2f}"
                for d in item["drivers"][:3]
                if d["spearman"] is not None
            )
            significant = (
                "-" if item["share_significant"] is None else _percent(item["share_significant"])
            )
            lines.append(
                f"| {item['name']} | {item['points']} of {item['points_sampled']} | "
                f"{holds_text(item)} | "
                f"{significant} | {_fmt(item['median_difference'])} | {drivers} | "
                f"{failure_text(item)} |"
            )
        for name, picture in pictures.items():
            if name in ("robustness", "heatmap") or name.startswith("failure:"):
                lines += ["", f"![{name}]({picture})"]
    lines += [
        "",
        "## Outcomes per strategy over the sampled space",
        "",
        "Mean of the point means [95% interval], and the 10th / 50th / 90th percentiles of runs.",
        "",
    ]
    table = summ.assign(
        value=lambda f: [
            f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]; {_fmt(a)} / {_fmt(b)} / {_fmt(c)}"
            if not math.isnan(m)
            else "none in any run"  # break_even_day when no run broke even within the horizon
            for m, lo, hi, a, b, c in zip(
                f["mean"], f["lo"], f["hi"], f["p10"], f["p50"], f["p90"], strict=True
            )
        ]
    ).pivot(index="outcome", columns="strategy", values="value")
    lines.append(_md_table(table.reindex(index=data.outcomes, columns=data.strategies)))
    lines += ["", "## Sensitivity: which parameters matter", ""]
    methods = [
        m
        for m in dict.fromkeys(sens["method"])
        if not m.startswith(SPEARMAN_ONLY) and m != NO_VARIATION
    ]
    failed = [m for m in dict.fromkeys(sens["method"]) if m.startswith(SALIB_FAILED)]
    if methods:
        method = f"{methods[0]} (SALib)"
    elif failed:
        method = f"Spearman's rank correlation only ({failed[0].removeprefix(SPEARMAN_ONLY + ' (')}"
    elif RUNS_MISSING in set(sens["method"]):
        total = data.manifest.get("total_runs")
        method = (
            f"Spearman's rank correlation only (the sweep is incomplete: {robust['runs']} of "
            f"{total} runs finished, and {experiment.design.method} needs every point of its "
            "design; finish it with longgame sweep --resume)"
        )
    else:
        method = "Spearman's rank correlation only (the design is too small for SALib's indices)"
    direction = "" if not methods else "; Spearman's rank correlation gives the direction"
    lines += [
        f"Method: {method}{direction}. The three most influential parameters per target (index "
        "± the half-width of its 95% interval, or |Spearman| without one):",
        "",
        "| target | most influential parameters |",
        "| --- | --- |",
    ]
    flagged = False
    for target in dict.fromkeys(sens["target"]):
        top = [row for row in _top_rows(sens, target, 3) if not math.isnan(row.score)]
        text = ", ".join(_top_text(row) for row in top) or "undefined (no variation)"
        lines.append(f"| {target} | {text} |")
        flagged = flagged or any(getattr(row, "reliability", "") for row in top)
    if flagged:
        lines += ["", UNRELIABLE_INDICES]
    for name, picture in pictures.items():
        if name.startswith("sensitivity"):
            lines += ["", f"![{name}]({picture})"]
    means = point_means(data)
    compared = list(dict.fromkeys(c.outcome for c in experiment.comparisons))
    lines += ["", f"## Parameter effects on the {'compared ' if compared else ''}outcomes", ""]
    effects_json = []
    for outcome in compared or data.outcomes:
        for parameter in data.parameter_names:
            by_value = _by_value(means[parameter], data.parameter(parameter))
            per = "value" if by_value else "fifth"
            effects = parameter_effects(data, outcome, parameter, means)
            lines += [f"Mean `{outcome}` per {per} of `{parameter}`:", "", _md_table(effects), ""]
            effects_json.append(
                {
                    "outcome": outcome,
                    "parameter": parameter,
                    "per": per,
                    "means": effects.reset_index().to_dict(orient="records"),
                }
            )
    text = "\n".join(lines).rstrip() + "\n"
    document = json_safe(
        {
            "made_by": sweep_provenance(data),
            "experiment": experiment.model_dump(mode="json"),
            "summary": summ.to_dict(orient="records"),
            "sensitivity": sens.to_dict(orient="records"),
            "robustness": robust,
            "parameter_effects": effects_json,
            "figures": pictures,
        }
    )
    paths["markdown"] = atomic_write(out / REPORT_MD, lambda tmp: tmp.write_text(text, "utf-8"))
    body = json.dumps(document, indent=1, allow_nan=False) + "\n"
    paths["json"] = atomic_write(out / ANALYSIS_JSON, lambda tmp: tmp.write_text(body, "utf-8"))
    paths["sensitivity"] = atomic_write(
        out / SENSITIVITY_CSV, lambda tmp: sens.to_csv(tmp, index=False)
    )
    paths["summary"] = atomic_write(out / SUMMARY_CSV, lambda tmp: summ.to_csv(tmp, index=False))
    return paths
