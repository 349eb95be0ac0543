"""Compiled loops over the integer arrays of follower graphs (CSR structures and edge keys).

Each kernel replaces a chain of NumPy calls whose large temporaries cost more than the work
itself at 15 million edges. Integer arithmetic only, apart from truncating given float64 draws
exactly as ``astype`` does and summing neighbours' values in row order as SciPy does, so results
equal the NumPy and SciPy definitions bit for bit (tests/test_graph_kernels.py).

Large outputs are allocated by the caller with NumPy, which backs big arrays with huge pages:
first touch and the kernels' random accesses then cost a fraction of what they do on the small
pages of Numba's own allocator. Callers pass fixed dtypes (int64 ``indptr`` and keys, int32
person ids, float64 draws) so that each kernel compiles once; ``cache=True`` keeps the machine
code in ``__pycache__``. The kernels are plain loops: NumPy calls inside them (slice copies,
``searchsorted``) would add seconds of compile time for nothing. Imported lazily: loading
Numba costs about half a second.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "closing_picks",
    "compact_unique",
    "csr_contains",
    "follow_keys",
    "insert_keys",
    "keys_to_csr",
    "neighbour_sums",
    "ranked_picks",
    "transpose",
]

_BLOCK = 4096
"""`transpose` sorts into blocks of this many columns first: a block's entries fit in L2."""


@njit(cache=True, nogil=True)
def transpose(indptr, indices, t_indptr, t_indices, column):  # pragma: no cover - compiled
    """Fill ``t_indptr``/``t_indices`` with the transpose of the square CSR ``indptr``/``indices``
    (``column`` is uint16 scratch of ``indices.size``); False, with the output unfinished, if an
    index lies outside ``0..n-1``.

    A counting sort in two cache-friendly passes: entries first go, in row order, to the
    stretch of ``t_indices`` of their block of `_BLOCK` columns (noting their column within the
    block), then each block is sorted into its rows (one pass straight into rows would miss the
    cache on almost every entry). Both passes are stable, so each transposed row lists its
    entries by increasing original row, as SciPy's ``tocsc``.
    """
    n = indptr.size - 1
    for j in range(n + 1):
        t_indptr[j] = 0
    for k in range(indices.size):
        if indices[k] < 0 or indices[k] >= n:
            return False
        t_indptr[indices[k] + 1] += 1
    for j in range(n):
        t_indptr[j + 1] += t_indptr[j]
    blocks = (n + _BLOCK - 1) // _BLOCK
    fill = np.empty(max(blocks, _BLOCK), dtype=np.int64)  # next free place of each block, then
    # of each column of the block being sorted
    largest = 0
    for b in range(blocks):
        fill[b] = t_indptr[b * _BLOCK]
        largest = max(largest, t_indptr[min(n, (b + 1) * _BLOCK)] - fill[b])
    for i in range(n):
        for k in range(indptr[i], indptr[i + 1]):
            b = indices[k] // _BLOCK
            t_indices[fill[b]] = i
            column[fill[b]] = indices[k] % _BLOCK
            fill[b] += 1
    rows = np.empty(largest, dtype=np.int32)
    for b in range(blocks):
        first, last = b * _BLOCK, min(n, (b + 1) * _BLOCK)
        start, end = t_indptr[first], t_indptr[last]
        for k in range(end - start):
            rows[k] = t_indices[start + k]
        for c in range(last - first):
            fill[c] = t_indptr[first + c]
        for k in range(end - start):
            c = column[start + k]
            t_indices[fill[c]] = rows[k]
            fill[c] += 1
    return True


@njit(cache=True, nogil=True)
def keys_to_csr(keys, indptr, indices):  # pragma: no cover - compiled
    """Fill the CSR ``indptr``/``indices`` of sorted unique non-negative keys
    ``row * n + column`` (n = ``indptr.size - 1``), in one pass. ``indices`` may share the
    memory of ``keys``' front: each is written after the key at its place was read."""
    n = indptr.size - 1
    indptr[0] = 0
    row = 0
    row_start = np.int64(0)
    for k in range(keys.size):
        while keys[k] >= row_start + n and row < n:
            row += 1
            row_start += n
            indptr[row] = k
        indices[k] = keys[k] - row_start
    for rest in range(row + 1, n + 1):
        indptr[rest] = keys.size


@njit(cache=True, nogil=True)
def compact_unique(keys):  # pragma: no cover - compiled
    """Move the distinct non-negative values of sorted int64 ``keys`` to its front; their count."""
    count = 0
    for k in range(keys.size):
        key = keys[k]
        if key >= 0 and (count == 0 or key != keys[count - 1]):
            keys[count] = key
            count += 1
    return count


@njit(cache=True, nogil=True)
def follow_keys(n, runs, targets, back, keys, drawn):  # pragma: no cover - compiled
    """Fill ``keys`` with ``source * n + target`` of the edges, then ``target * n + source`` of
    the edges ``back`` (sorted int64 positions), -1 for self-loops (`graph.edge_keys` of both),
    and count each reversed edge in ``drawn`` of its new source.

    The edges' sources are ``runs[r]`` times person ``r % n`` for each run r in turn (the
    ``np.repeat`` that drew ``targets``), so that array need not be kept.
    """
    k = 0
    b = 0
    for r in range(runs.size):
        source = np.int64(r % n)
        for _ in range(runs[r]):
            target = np.int64(targets[k])
            keys[k] = -1 if source == target else source * n + target
            if b < back.size and back[b] == k:
                keys[targets.size + b] = -1 if source == target else target * n + source
                drawn[target] += 1
                b += 1
            k += 1


@njit(cache=True, nogil=True)
def csr_contains(indptr, indices, keys):  # pragma: no cover - compiled
    """Whether each non-negative key ``row * n + column`` is an entry of the sorted rows."""
    n = indptr.size - 1
    found = np.empty(keys.size, dtype=np.bool_)
    for k in range(keys.size):
        row = keys[k] // n
        column = keys[k] - row * n
        low, high = indptr[row], indptr[row + 1]
        while low < high:  # binary search of the row for the first entry >= column
            middle = (low + high) // 2
            if indices[middle] < column:
                low = middle + 1
            else:
                high = middle
        found[k] = low < indptr[row + 1] and indices[low] == column
    return found


@njit(cache=True, nogil=True)
def insert_keys(indptr, indices, keys, new_indptr, new_indices):  # pragma: no cover - compiled
    """Fill ``new_indptr``/``new_indices`` with the sorted rows ``indptr``/``indices`` and the
    entries of sorted keys ``row * n + column`` (none already present) merged in."""
    n = indptr.size - 1
    new_indptr[0] = 0
    e = 0
    out = 0
    for i in range(n):
        row_start = np.int64(i) * n
        k, end = indptr[i], indptr[i + 1]
        while e < keys.size and keys[e] < row_start + n:
            column = keys[e] - row_start
            while k < end and indices[k] < column:
                new_indices[out] = indices[k]
                out += 1
                k += 1
            new_indices[out] = column
            out += 1
            e += 1
        for rest in range(k, end):
            new_indices[out] = indices[rest]
            out += 1
        new_indptr[i + 1] = out


@njit(cache=True, nogil=True)
def ranked_picks(x, community, start, last, by_slot, out):  # pragma: no cover - compiled
    """``out[k] = by_slot[min(int32(x[k]) + start[c], last[c])]`` with ``c = community[k]``:
    the member of (truncated) rank ``x[k]`` of each pick's community."""
    for k in range(x.size):
        c = community[k]
        slot = np.int32(x[k]) + start[c]
        out[k] = by_slot[min(slot, last[c])]


@njit(cache=True, nogil=True)
def closing_picks(
    person, u_followee, u_neighbour, indptr, indices, reverse_indptr, reverse_indices, out
):  # pragma: no cover - compiled
    """For each person p, followee ``j = row p [int64(u_followee * out-degree of p)]``, then
    entry ``int64(u_neighbour * degree of j)`` of j's followees followed by j's followers
    (followees counted from the end of j's row), as in ``_closing_targets``.

    Three passes, each with one cache miss per pick that the next picks' misses overlap (one
    pass would chain three misses per pick). A position ``q < 0`` stands for
    ``reverse_indices[-1 - q]``.
    """
    position = np.empty(person.size, dtype=np.int64)
    for k in range(person.size):
        p = person[k]
        step = np.int64(u_followee[k] * np.float64(indptr[p + 1] - indptr[p]))
        position[k] = indptr[p] + step
    for k in range(person.size):
        j = indices[position[k]]
        out_degree = indptr[j + 1] - indptr[j]
        degree = out_degree + reverse_indptr[j + 1] - reverse_indptr[j]
        step = np.int64(u_neighbour[k] * np.float64(degree)) - out_degree
        position[k] = indptr[j + 1] + step if step < 0 else -1 - (reverse_indptr[j] + step)
    for k in range(person.size):
        q = position[k]
        out[k] = indices[q] if q >= 0 else reverse_indices[-1 - q]


@njit(cache=True, nogil=True)
def neighbour_sums(indptr, indices, values, out):  # pragma: no cover - compiled
    """``out[i]`` = the sum of ``values`` over row i's entries, added in row order from 0.0:
    SciPy's ``csr_matvec`` with unit weights, bit for bit, without a weights array."""
    for i in range(indptr.size - 1):
        total = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            total += values[indices[k]]
        out[i] = total
