"""Verification and validation checks behind ``longgame validate`` (docs/validation.md).

Each check is a `ValidationCheck`: it counts and makes its runs for a grid ('quick', the reduced
sizes ``make test`` runs, or 'full', the sizes the validation page reports) and returns one
`CheckResult` row per case. `all_checks()` lists them in the order the command runs them.
"""

from sim.validation.checks import CheckResult, ValidationCheck, run_parallel

__all__ = ["CheckResult", "ValidationCheck", "run_parallel", "all_checks"]


def all_checks() -> list[ValidationCheck]:
    """Every validation check, in the order ``longgame validate`` runs them."""
    from sim.validation import bass, calibration, cascade, docking, real_graphs

    return [docking.CHECK, bass.CHECK, cascade.CHECK, calibration.CHECK, real_graphs.CHECK]
