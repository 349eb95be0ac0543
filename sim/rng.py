"""Counter-based randomness: every draw is a pure function of (seed, stream, brand, day, post, hop,
person, slot), so both engines draw the same numbers whatever order they visit people in.

The key is the SplitMix64 finaliser chained over the fields (model spec, section 5). Works on
scalars and on NumPy arrays of person ids (or slots) alike; arithmetic wraps modulo 2**64.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

__all__ = ["Stream", "key", "prefix", "day_prefix", "uniform", "uniform_from", "uniform_fields"]

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MUL1 = 0xBF58476D1CE4E5B9
MUL2 = 0x94D049BB133111EB
_U64_MUL1 = np.uint64(MUL1)
_U64_MUL2 = np.uint64(MUL2)
_U64_GOLDEN = np.uint64(GOLDEN)
_TO_UNIT = 2.0**-53


class Stream(IntEnum):
    """The named random streams, numbered in the spec's order."""

    GRAPH = 0
    TRAITS = 1
    BRAND = 2
    ONLINE = 3
    EXPOSURE = 4
    RESPONSE = 5
    LISTENING = 6
    CASCADE = 7
    ADVOCACY = 8
    OUTREACH = 9
    CHURN = 10
    CONVERSION = 11
    SATISFACTION = 12
    INCIDENTS = 13


def _mix_int(z: int) -> int:
    z ^= z >> 30
    z = (z * MUL1) & MASK
    z ^= z >> 27
    z = (z * MUL2) & MASK
    return z ^ (z >> 31)


def _mix_array(z: np.ndarray) -> np.ndarray:
    z = z ^ (z >> np.uint64(30))
    z *= _U64_MUL1
    z ^= z >> np.uint64(27)
    z *= _U64_MUL2
    return z ^ (z >> np.uint64(31))


def _chain(seed: int, fields: tuple[int, ...]) -> int:
    h = _mix_int(int(seed) & MASK)
    for field in fields:
        h = _mix_int(((h ^ (int(field) & MASK)) + GOLDEN) & MASK)
    return h


def prefix(
    seed: int, stream: int, brand: int = 0, day: int = 0, post: int = 0, hop: int = 0
) -> int:
    """Hash of the seed and the key fields up to ``hop`` (unused ones 0), once per batch.

    Complete it with ``uniform_from(head, person, slot)``.
    """
    return _chain(seed, (stream, brand, day, post, hop))


def day_prefix(seed: int, stream: int, brand: int, day: int) -> int:
    """Hash up to ``day`` only, for batches whose post and hop vary per item (comment queues).

    Complete it with ``uniform_fields(head, post, hop, person, slot)``.
    """
    return _chain(seed, (stream, brand, day))


def _extend(h, field):
    """Chain one more field into hash(es) ``h``; arrays broadcast."""
    if isinstance(h, int) and isinstance(field, int | np.integer):
        return _mix_int(((h ^ (int(field) & MASK)) + GOLDEN) & MASK)
    h_arr = np.asarray(h, dtype=np.uint64) if not isinstance(h, int) else np.uint64(h)
    field_arr = np.asarray(field).astype(np.uint64, copy=False)
    return _mix_array((h_arr ^ field_arr) + _U64_GOLDEN)


def key(seed: int, stream: int, brand=0, day=0, post=0, hop=0, person=0, slot=0):
    """The 64-bit key of one draw (a Python int for scalar fields, else a uint64 array)."""
    return _extend(_extend(prefix(seed, stream, brand, day, post, hop), person), slot)


def uniform_fields(head: int, *fields):
    """Uniform draw(s) completing a ``prefix`` with the remaining key fields (scalars or arrays).

    The caller passes every field after the prefix, so the key always has all seven fields.
    """
    z = head
    for field in fields:
        z = _extend(z, field)
    if isinstance(z, int):
        return (z >> 11) * _TO_UNIT
    return (z >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def uniform_from(head: int, person, slot=0):
    """Uniform draws in [0, 1) for ``person`` (scalar or array) under a prefix up to ``hop``."""
    return uniform_fields(head, person, slot)


def uniform(seed: int, stream: int, brand=0, day=0, post=0, hop=0, person=0, slot=0):
    """Uniform draw(s) in [0, 1): ``(key >> 11) * 2**-53``."""
    return uniform_from(prefix(seed, stream, brand, day, post, hop), person, slot)
