"""Compiled passes of the vector engine over the known set (one call instead of dozens).

They apply factors that the shared formulas of ``sim.behavior`` computed, and only multiply and
compare: each element gets exactly the floating-point operations NumPy would apply, so results
are bit-identical to the array code they replace (tests/test_engine.py, the docking tests).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["decay_known"]


@njit(cache=True, nogil=True)
def decay_known(
    known,
    salience,
    trust,
    last_touch,
    fatigued,
    fatigue,
    synced_day,
    follower,
    in_known,
    last,
    day,
    salience_factor,
    forgetting_floor,
    trust_factor,
    grace,
    fatigue_factor,
):  # pragma: no cover - compiled
    """Decay the known set by one factor each for salience, trust and fatigue (in place).

    Everyone was last synced on day ``last``. Salience below ``forgetting_floor`` becomes 0;
    people touched within their grace period (``last_touch + grace > last``) keep their trust,
    for the caller to decay person by person; fatigue decays only for the ``fatigued``.
    Everyone's ``synced_day`` becomes ``day``, and people who forgot the brand and do not
    follow it leave ``in_known``. Returns the known set that remains and the positions (in
    ``known``) of the graced.
    """
    remaining = np.empty(known.size, dtype=known.dtype)
    graced = np.empty(known.size, dtype=np.int64)
    kept = count = 0
    for k in range(known.size):
        person = known[k]
        value = salience[person] * salience_factor
        if value < forgetting_floor:
            value = 0.0
        salience[person] = value
        if last_touch[person] + grace > last:
            graced[count] = k
            count += 1
        else:
            trust[person] = trust[person] * trust_factor
        if fatigued[person]:
            for source in range(fatigue.shape[0]):
                fatigue[source, person] = fatigue[source, person] * fatigue_factor
        synced_day[person] = day
        if value > 0 or follower[person]:
            remaining[kept] = person
            kept += 1
        else:
            in_known[person] = False
    return remaining[:kept].copy(), graced[:count].copy()
