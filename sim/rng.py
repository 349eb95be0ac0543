"""Counter-based randomness: every draw is a pure function of (seed, stream, brand, day, post, hop,
person, slot), so both engines draw the same numbers whatever order they visit people in.

The key is the SplitMix64 finaliser chained over the fields (docs/model.md, section 6). Works on
scalars and on NumPy arrays of person ids (or slots) alike; arithmetic wraps modulo 2**64.
Scalars are hashed here in Python integers (the definition, which the agent engine's people
use); batches of draws and a single ``uniform`` (the brand's plan) in one compiled call each
(``sim.rng_kernel``, the same integer arithmetic, tested equal).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from enum import IntEnum, unique

import numpy as np

__all__ = [
    "Stream",
    "key",
    "prefix",
    "day_prefix",
    "uniform",
    "uniform_from",
    "uniform_fields",
    "uniform_slots",
    "uniform_fields_slots",
]

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MUL1 = 0xBF58476D1CE4E5B9
MUL2 = 0x94D049BB133111EB
_U64_MUL1 = np.uint64(MUL1)
_U64_MUL2 = np.uint64(MUL2)
_U64_GOLDEN = np.uint64(GOLDEN)
_TO_UNIT = 2.0**-53


@unique
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


def _chain_int(h: int, fields: Iterable[int]) -> int:
    """Chain fields into the hash ``h`` in Python integers (the finaliser inlined: a function
    call per stage would cost a third as much again)."""
    for field in fields:
        z = ((h ^ (int(field) & MASK)) + GOLDEN) & MASK
        z ^= z >> 30
        z = (z * MUL1) & MASK
        z ^= z >> 27
        z = (z * MUL2) & MASK
        h = z ^ (z >> 31)
    return h


def _chain(seed: int, fields: tuple[int, ...]) -> int:
    return _chain_int(_mix_int(int(seed) & MASK), fields)


def prefix(
    seed: int, stream: int, brand: int = 0, day: int = 0, post: int = 0, hop: int = 0
) -> int:
    """Hash of the seed and the key fields up to ``hop`` (unused ones 0), once per batch.

    Complete it with ``uniform_from(head, person, slot)``.
    """
    return _chain_int(day_prefix(seed, stream, brand, day), (post, hop))


@functools.lru_cache(maxsize=256)
def day_prefix(seed: int, stream: int, brand: int, day: int) -> int:
    """Hash up to ``day`` only, for batches whose post and hop vary per item (comment queues).

    Complete it with ``uniform_fields(head, post, hop, person, slot)``. Cached: a day's batches
    of one stream share it (as ``prefix`` does).
    """
    return _chain_int(_brand_prefix(seed, stream, brand), (day,))


@functools.lru_cache(maxsize=64)
def _brand_prefix(seed: int, stream: int, brand: int) -> int:
    """Hash up to ``brand``: the part of ``day_prefix`` that every day of a run shares."""
    return _chain(seed, (stream, brand))


def _extend(h, field):
    """Chain one more field into hash(es) ``h``; arrays broadcast."""
    if isinstance(h, int) and isinstance(field, int | np.integer):
        return _chain_int(h, (field,))
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
    while len(fields) > 1 and isinstance(fields[0], int | np.integer):
        head = _chain_int(head, fields[:1])  # fold leading scalars into the prefix
        fields = fields[1:]
    if fields and not isinstance(fields[0], int | np.integer):
        first = np.asarray(fields[0])
        if first.ndim == 1 and all(
            isinstance(f, int | np.integer) or np.shape(f) == first.shape for f in fields[1:]
        ):
            # The common case (an array of people or posts first): one compiled batch.
            return _batch(head, first, fields[1:], None)[0]
    z = head
    for field in fields:
        z = _extend(z, field)
    if isinstance(z, int):
        return (z >> 11) * _TO_UNIT
    return (z >> np.uint64(11)).astype(np.float64) * _TO_UNIT


_NO_SLOTS = np.empty(0, dtype=np.int64)
_NO_FIELDS = np.empty((0, 0), dtype=np.int64)


@functools.lru_cache(maxsize=64)
def _slot_array(slots: tuple[int, ...]) -> np.ndarray:
    """The int64 array of a tuple of slots (a batch's slots come from a few fixed tuples)."""
    return np.array(slots, dtype=np.int64)


def _rows(fields: tuple, n: int) -> np.ndarray:
    """Key fields (scalars or arrays of ``n``) as the rows of one int64 array."""
    if not fields:
        return _NO_FIELDS
    rows = np.empty((len(fields), n), dtype=np.uint64)
    for row, field in zip(rows, fields, strict=True):
        row[...] = int(field) & MASK if isinstance(field, int | np.integer) else field
    return rows.view(np.int64)


def _batch(head: int, first: np.ndarray, rest: tuple, slots: tuple | None) -> list[np.ndarray]:
    """Uniforms of keys ``head, first, *rest`` (1-d arrays or scalars), then one per slot.

    One compiled call (``sim.rng_kernel``) per batch; a row of the result per slot.
    """
    if slots is None and rest and isinstance(rest[-1], int | np.integer):
        rest, slots = rest[:-1], (int(rest[-1]),)  # the same key: a scalar last field is a slot
    kernel = _kernels().uniform_rows
    slot_array = _slot_array(slots) if slots else _NO_SLOTS
    out = np.empty((max(1, slot_array.size), first.size))
    if first.size:
        first = np.ascontiguousarray(first, dtype=np.int64)
        kernel(np.uint64(head), first, _rows(rest, first.size), slot_array, out)
    return list(out)


@functools.cache
def _kernels():
    """``sim.rng_kernel``, imported on the first compiled draw (Numba loads slowly)."""
    from sim import rng_kernel

    return rng_kernel


def uniform_from(head: int, person, slot=0):
    """Uniform draws in [0, 1) for ``person`` (scalar or array) under a prefix up to ``hop``."""
    if isinstance(slot, int):
        if isinstance(person, int):  # one draw (the agent engine, the brand's plan)
            return (_chain_int(head, (person, slot)) >> 11) * _TO_UNIT
        if isinstance(person, np.ndarray) and person.ndim == 1:
            return _batch(head, person, (), (slot,))[0]  # the vector engine's usual call
    return uniform_fields(head, person, slot)


def uniform_slots(head: int, person, slots) -> list[np.ndarray]:
    """``[uniform_from(head, person, slot) for slot in slots]``, hashing the people once.

    ``person`` is a 1-d id array; the key's person stage is shared by every slot.
    """
    return _batch(head, np.asarray(person), (), tuple(slots))


def uniform_fields_slots(head: int, fields: tuple, slots) -> list[np.ndarray]:
    """``[uniform_fields(head, *fields, slot) for slot in slots]`` for 1-d ``fields[0]``,
    hashing the shared fields once."""
    return _batch(head, np.asarray(fields[0]), tuple(fields[1:]), tuple(slots))


def uniform(seed: int, stream: int, brand=0, day=0, post=0, hop=0, person=0, slot=0):
    """Uniform draw(s) in [0, 1): ``(key >> 11) * 2**-53``.

    A single draw (the brand's plan) is one compiled call, several times cheaper than hashing
    its four remaining fields in Python integers.
    """
    if (
        isinstance(person, int)
        and isinstance(slot, int)
        and isinstance(post, int)
        and isinstance(hop, int)
    ):
        head = np.uint64(day_prefix(seed, stream, brand, day))
        return _kernels().uniform_key(head, post, hop, person, slot)
    return uniform_from(prefix(seed, stream, brand, day, post, hop), person, slot)
