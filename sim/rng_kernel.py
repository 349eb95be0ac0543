"""The counter-based draws of a batch, compiled: one call hashes every key of the batch.

``sim.rng`` defines the key (SplitMix64 finaliser chained over the fields); this kernel is the
same arithmetic over arrays, with no temporaries and one Python-level call per batch instead of
some 25 NumPy calls (most batches of a day hold a few to a few hundred people, where the calls'
fixed cost dominates). Integer arithmetic only, so its results equal the scalar definition bit
for bit (tests/test_rng.py). Imported lazily by ``sim.rng``: loading Numba costs about half a
second, which commands that never draw (``--help``, validating a file) do not pay.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["batch_head", "chain", "to_unit", "uniform_at", "uniform_key", "uniform_rows"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_MUL2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0**-53


@njit(cache=True, nogil=True)
def chain(z, field):  # pragma: no cover - compiled
    """Chain one more key field (int64 or uint64) into the hash ``z`` (uint64)."""
    z = (z ^ np.uint64(field)) + _GOLDEN
    z = (z ^ (z >> _S30)) * _MUL1
    z = (z ^ (z >> _S27)) * _MUL2
    return z ^ (z >> _S31)


@njit(cache=True, nogil=True)
def to_unit(z):  # pragma: no cover - compiled
    """The uniform in [0, 1) of a complete key: ``(key >> 11) * 2**-53``."""
    return (z >> _S11) * _TO_UNIT


@njit(cache=True, nogil=True)
def batch_head(day_head, post, hop):  # pragma: no cover - compiled
    """``sim.rng.prefix`` completed from its ``day_prefix`` (uint64): a batch's key prefix."""
    return chain(chain(day_head, post), hop)


@njit(cache=True, nogil=True)
def uniform_at(head, person, slot):  # pragma: no cover - compiled
    """One draw: ``sim.rng.uniform_from(head, person, slot)`` inside compiled code."""
    return to_unit(chain(chain(head, person), slot))


@njit(cache=True, nogil=True)
def uniform_key(day_head, post, hop, person, slot):  # pragma: no cover - compiled
    """One draw from its ``day_prefix`` (uint64) and the remaining key fields."""
    return uniform_at(batch_head(day_head, post, hop), person, slot)


@njit(cache=True, nogil=True)
def uniform_rows(head, first, rest, slots, out):  # pragma: no cover - compiled
    """Fill ``out[r, i]`` with the uniform of key ``head, first[i], *rest[:, i], slots[r]``
    (no ``slots``: ``out[0, i]`` of key ``head, first[i], *rest[:, i]``).

    ``head`` is a uint64 prefix hash; ``first`` int64; ``rest`` a 2-d int64 array with a row
    per further field (no rows: none); ``slots`` int64.
    """
    n = first.size
    for i in range(n):
        z = chain(head, first[i])
        for field in range(rest.shape[0]):
            z = chain(z, rest[field, i])
        if slots.size == 0:
            out[0, i] = to_unit(z)
        for r in range(slots.size):
            out[r, i] = to_unit(chain(z, slots[r]))
