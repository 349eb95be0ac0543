"""Designs: the parameter points of a sweep, from explicit grids or sampled ranges.

``lhs`` and ``sobol`` use :mod:`scipy.stats.qmc` (scrambled, seeded by the experiment seed);
``saltelli`` and ``morris`` use SALib's samplers, whose structure SALib's Sobol' and Morris
analyses need. Samples are drawn in the unit cube and then scaled to each parameter's range
(log-uniformly where ``log = true``; integer parameters are rounded). The design is a pure
function of the experiment, so every executor runs the same points.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments.spec import Experiment, Parameter

__all__ = ["UNIT_PREFIX", "check_design_size", "design_points", "scale", "salib_problem"]

UNIT_PREFIX = "unit:"
"""Column prefix of each parameter's coordinate in the unit cube (what SALib analyses use)."""


def scale(unit: np.ndarray, parameter: Parameter) -> np.ndarray:
    """Unit-cube coordinates to parameter values (log-uniform if ``log``, rounded if integer)."""
    if parameter.log:
        lo, hi = math.log(parameter.low), math.log(parameter.high)
        values = np.exp(lo + unit * (hi - lo))
    else:
        values = parameter.low + unit * (parameter.high - parameter.low)
    values = np.clip(values, parameter.low, parameter.high)
    return np.round(values) if parameter.integer else values


def _unit_of(values: np.ndarray, parameter: Parameter) -> np.ndarray:
    if parameter.high == parameter.low:
        return np.zeros_like(values, dtype=float)
    if parameter.log:
        lo, hi = math.log(parameter.low), math.log(parameter.high)
        return (np.log(values) - lo) / (hi - lo)
    return (values - parameter.low) / (parameter.high - parameter.low)


def check_design_size(experiment: Experiment) -> None:
    """Refuse a ``sobol`` or ``saltelli`` design whose ``points`` is not a power of 2: the
    Sobol' sequence keeps its balance (and Saltelli's estimates their convergence) only then.
    Checked when a sweep starts, not when a file loads, so older sweeps of such sizes resume."""
    design = experiment.design
    size = design.points
    if design.method in ("sobol", "saltelli") and size & (size - 1):
        below = 1 << (size.bit_length() - 1)
        raise experiment.error(
            ("design", "points"),
            f"{design.method} needs a power of 2 (its Sobol' sequence is balanced only then): "
            f"got {size}; use {below} or {2 * below}",
        )


def salib_problem(parameters: list[Parameter]) -> dict:
    """The SALib problem over the unit cube (names are the dotted parameter paths)."""
    return {
        "num_vars": len(parameters),
        "names": [parameter.path for parameter in parameters],
        "bounds": [[0.0, 1.0]] * len(parameters),
    }


def _unit_sample(experiment: Experiment, parameters: list[Parameter]) -> np.ndarray:
    design, dims = experiment.design, len(parameters)
    seed = experiment.seed % 2**32
    if design.method == "lhs":
        return qmc.LatinHypercube(d=dims, seed=seed).random(design.points)
    if design.method == "sobol":
        sampler = qmc.Sobol(d=dims, scramble=True, seed=seed)
        return sampler.random(design.points)  # powers of 2 keep the balance; others warn
    problem = salib_problem(parameters)
    if design.method == "saltelli":
        from SALib.sample import sobol as saltelli

        return saltelli.sample(problem, design.points, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, design.points, num_levels=design.levels, seed=seed)


def design_points(experiment: Experiment) -> pd.DataFrame:
    """One row per point (index ``point`` 0..P-1): a column per parameter (its value) and, for
    sampled designs, ``unit:<path>`` columns with the point's unit-cube coordinates."""
    parameters = experiment.resolved_parameters()
    if experiment.design.method == "grid":
        grids = [parameter.values or () for parameter in parameters]
        rows = list(itertools.product(*grids))
        values = np.asarray(rows, dtype=float).reshape(len(rows), len(parameters))
        table = pd.DataFrame(values, columns=[parameter.path for parameter in parameters])
        for i, parameter in enumerate(parameters):
            table[UNIT_PREFIX + parameter.path] = _unit_of(values[:, i], parameter)
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # non-2^m: only an older sweep's
            unit = _unit_sample(experiment, parameters)
        table = pd.DataFrame(
            {parameter.path: scale(unit[:, i], parameter) for i, parameter in enumerate(parameters)}
        )
        for i, parameter in enumerate(parameters):
            table[UNIT_PREFIX + parameter.path] = unit[:, i]
    for parameter in parameters:
        if parameter.integer:
            table[parameter.path] = table[parameter.path].round().astype("int64")
    table.index.name = "point"
    return table
