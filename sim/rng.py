"""Counter-based randomness: every draw is a pure function of (seed, stream, brand, day, post, hop,
person, slot), so both engines draw the same numbers whatever order they visit people in.

The key is the SplitMix64 finaliser chained over the fields (model spec, section 5). Works on
scalars and on NumPy arrays of person ids (or slots) alike; arithmetic wraps modulo 2**64.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from enum import IntEnum

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
_CHUNK = 16384
"""Draws hashed per vectorised step: in-place temporaries of this size stay in cache."""
_SMALL = 16
"""Up to this many hash stages a batch is hashed in Python integers rather than NumPy (about
the break-even: some 25 NumPy calls of about 1 us against about 1.5 us a stage)."""


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


def _mix_in_place(z: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """`_mix_array` on a uint64 array, in place (``scratch``: a buffer of the same shape)."""
    # Shifts by a Python int take NumPy's fast path (same uint64 result as np.uint64 shifts).
    np.right_shift(z, 30, out=scratch)
    z ^= scratch
    z *= _U64_MUL1
    np.right_shift(z, 27, out=scratch)
    z ^= scratch
    z *= _U64_MUL2
    np.right_shift(z, 31, out=scratch)
    z ^= scratch
    return z


def _stage(z: np.ndarray, field, scratch: np.ndarray) -> np.ndarray:
    """Chain one more field into the uint64 hashes ``z``, in place."""
    if isinstance(field, int | np.integer):
        if field:  # z ^ 0 is z: the common slot 0 costs no pass
            z ^= np.uint64(int(field) & MASK)
    else:
        z ^= np.asarray(field).astype(np.uint64, copy=False)
    z += _U64_GOLDEN
    return _mix_in_place(z, scratch)


def _people_stage(head: int, person) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of ``head`` chained with each person (a fresh uint64 array) and a scratch buffer."""
    z = person.astype(np.uint64)  # a copy: the ids are cast, never changed
    z ^= np.uint64(head)
    z += _U64_GOLDEN
    scratch = np.empty_like(z)
    return _mix_in_place(z, scratch), scratch


def _to_unit(z: np.ndarray) -> np.ndarray:
    """Uniforms ``(z >> 11) * 2**-53`` of uint64 hashes (``z`` is overwritten)."""
    z >>= 11
    # Below 2**53: the int64 view converts exactly to float64 (faster than from uint64).
    return np.multiply(z.view(np.int64), _TO_UNIT)


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
    while len(fields) > 1 and isinstance(fields[0], int | np.integer):
        head = _mix_int(((head ^ (int(fields[0]) & MASK)) + GOLDEN) & MASK)  # fold scalars
        fields = fields[1:]
    if fields and not isinstance(fields[0], int | np.integer):
        first = np.asarray(fields[0])
        if first.ndim == 1 and all(
            isinstance(f, int | np.integer) or np.shape(f) == first.shape for f in fields[1:]
        ):
            # The common case (an array of people or posts first): in place, in chunks.
            return _chunked(head, first, fields[1:], None)[0]
    z = head
    for field in fields:
        z = _extend(z, field)
    if isinstance(z, int):
        return (z >> 11) * _TO_UNIT
    return (z >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def _slice(field, begin: int, end: int):
    """A chunk of an array field (scalars stand for every item)."""
    return field if isinstance(field, int | np.integer) else field[begin:end]


def _chunked(head: int, first: np.ndarray, rest: tuple, slots: tuple | None) -> list[np.ndarray]:
    """Uniforms of keys ``head, first, *rest`` (1-d arrays or scalars), then one per slot.

    Runs in chunks so that the in-place temporaries stay in cache; the slots are hashed
    together as the rows of one 2-d array (fewer NumPy calls for small batches).
    """
    n = first.size
    rows = len(slots) if slots else 1
    if n == 0:
        return [np.empty(0) for _ in range(rows)]
    if n * (1 + len(rest) + (len(slots) if slots else 0)) <= _SMALL:
        return _small(head, first, rest, slots)
    step = max(1, _CHUNK // rows)
    parts = []
    for begin in range(0, n, step):
        end = min(n, begin + step)
        z, scratch = _people_stage(head, first[begin:end])
        for field in rest:
            _stage(z, _slice(field, begin, end), scratch)
        if slots is None:
            parts.append(_to_unit(z).reshape(1, -1))
            continue
        both = np.empty((rows, end - begin), dtype=np.uint64)
        both[...] = z
        both ^= np.array(slots, dtype=np.uint64).reshape(rows, 1)
        both += _U64_GOLDEN
        parts.append(_to_unit(_mix_in_place(both, np.empty_like(both))))
    return list(parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1))


def _small(head: int, first: np.ndarray, rest: tuple, slots: tuple | None) -> list[np.ndarray]:
    """`_chunked` for a handful of draws, in Python integers (a NumPy call costs more)."""
    columns = [first.tolist()] + [
        [int(field)] * first.size if isinstance(field, int | np.integer) else field.tolist()
        for field in rest
    ]
    hashes = [_chain_int(head, fields) for fields in zip(*columns, strict=True)]
    if slots is None:
        return [np.array([(z >> 11) * _TO_UNIT for z in hashes])]
    return [np.array([(_chain_int(z, (slot,)) >> 11) * _TO_UNIT for z in hashes]) for slot in slots]


def uniform_from(head: int, person, slot=0):
    """Uniform draws in [0, 1) for ``person`` (scalar or array) under a prefix up to ``hop``."""
    if isinstance(person, np.ndarray) and person.ndim == 1 and isinstance(slot, int):
        return _chunked(head, person, (slot,), None)[0]  # the engines' usual call, unchecked
    return uniform_fields(head, person, slot)


def uniform_slots(head: int, person, slots) -> list[np.ndarray]:
    """``[uniform_from(head, person, slot) for slot in slots]``, hashing the people once.

    ``person`` is a 1-d id array; the key's person stage is shared by every slot.
    """
    return _chunked(head, np.asarray(person), (), tuple(slots))


def uniform_fields_slots(head: int, fields: tuple, slots) -> list[np.ndarray]:
    """``[uniform_fields(head, *fields, slot) for slot in slots]`` for 1-d ``fields[0]``,
    hashing the shared fields once."""
    return _chunked(head, np.asarray(fields[0]), tuple(fields[1:]), tuple(slots))


def uniform(seed: int, stream: int, brand=0, day=0, post=0, hop=0, person=0, slot=0):
    """Uniform draw(s) in [0, 1): ``(key >> 11) * 2**-53``."""
    return uniform_from(prefix(seed, stream, brand, day, post, hop), person, slot)
