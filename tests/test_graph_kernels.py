"""The compiled graph kernels (sim.audience.csr_kernels) against plain NumPy/SciPy references.

Each kernel replaced NumPy code in building follower graphs, and the graphs must stay the same
bit for bit, so each is checked here against that NumPy definition on small random inputs.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from sim.audience import csr_kernels
from sim.audience.graph import edge_keys, keys_to_csr, sort_unique, transpose_csr

SIZES = [1, 2, 7, 300, 9000]  # 9000 > csr_kernels._BLOCK: several blocks of columns


def random_csr(rng: np.random.Generator, n: int, mean: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of random (unsorted, repeated, some empty) columns; int64 indptr, int32 indices."""
    degree = rng.poisson(mean, size=n)
    indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
    return indptr, rng.integers(0, n, size=indptr[-1], dtype=np.int32)


def reference_keys_to_csr(n: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The former NumPy definition: row pointers by binary search, columns by remainder."""
    indptr = np.searchsorted(keys, np.arange(n + 1, dtype=np.int64) * n).astype(np.int64)
    return indptr, (keys % n).astype(np.int32)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("mean", [0.5, 6.0])
def test_transpose_equals_scipy_csr_to_csc(n: int, mean: float) -> None:
    rng = np.random.default_rng(n)
    indptr, indices = random_csr(rng, n, mean)
    indices[: indices.size // 3] = rng.integers(0, n)  # one heavy column, a popular account
    t_indptr, t_indices = transpose_csr(n, indptr, indices)
    csc = sp.csr_array(
        (np.ones(indices.size, dtype=bool), indices, indptr.astype(np.int32)), shape=(n, n)
    ).tocsc()
    assert t_indptr.dtype == np.int64 and t_indices.dtype == np.int32
    np.testing.assert_array_equal(t_indptr, csc.indptr)
    np.testing.assert_array_equal(t_indices, csc.indices)


def test_transpose_of_no_people() -> None:
    t_indptr, t_indices = transpose_csr(0, np.zeros(1, dtype=np.int64), np.empty(0, np.int32))
    assert t_indptr.tolist() == [0] and t_indices.size == 0


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("overwrite", [False, True])
def test_sort_unique_and_keys_to_csr_equal_numpy(n: int, overwrite: bool) -> None:
    rng = np.random.default_rng(n + 1)
    follower = rng.integers(0, n, size=8 * n + 5, dtype=np.int32)
    followed = rng.integers(0, n, size=follower.size, dtype=np.int32)
    keys = sort_unique(edge_keys(n, follower, followed))
    expected = np.unique(follower.astype(np.int64) * n + followed)
    expected = expected[(expected // n) != (expected % n)]
    np.testing.assert_array_equal(keys, expected)
    want_indptr, want_indices = reference_keys_to_csr(n, expected)
    indptr, indices = keys_to_csr(n, keys, overwrite=overwrite)
    np.testing.assert_array_equal(indptr, want_indptr)
    np.testing.assert_array_equal(indices, want_indices)
    assert indptr.dtype == np.int64 and indices.dtype == np.int32


@pytest.mark.parametrize("n", SIZES)
def test_follow_keys_equal_edge_keys_of_edges_and_follow_backs(n: int) -> None:
    rng = np.random.default_rng(n + 2)
    runs = rng.integers(0, 4, size=2 * n)
    sources = np.repeat(np.concatenate([np.arange(n), np.arange(n)]).astype(np.int32), runs)
    targets = rng.integers(0, n, size=sources.size, dtype=np.int32)
    back = np.flatnonzero(rng.random(sources.size) < 0.3)
    keys = np.empty(sources.size + back.size, dtype=np.int64)
    drawn = np.zeros(n, dtype=np.int64)
    csr_kernels.follow_keys(n, runs, targets, back, keys, drawn)
    expected = np.concatenate(
        [edge_keys(n, sources, targets), edge_keys(n, targets[back], sources[back])]
    )
    np.testing.assert_array_equal(keys, expected)
    np.testing.assert_array_equal(drawn, np.bincount(targets[back], minlength=n))


@pytest.mark.parametrize("n", SIZES)
def test_contains_and_insert_keys_equal_numpy_on_keys(n: int) -> None:
    rng = np.random.default_rng(n + 3)
    pairs = np.unique(rng.integers(0, n * n, size=6 * n + 3))
    present, extra = pairs[rng.random(pairs.size) < 0.8], pairs[rng.random(pairs.size) < 0.1]
    extra = np.setdiff1d(extra, present)
    indptr, indices = keys_to_csr(n, present)
    probe = np.sort(np.concatenate([extra, present[::3]]))
    found = csr_kernels.csr_contains(indptr, indices, probe)
    np.testing.assert_array_equal(found, np.isin(probe, present))
    new_indptr = np.empty(n + 1, dtype=np.int64)
    new_indices = np.empty(indices.size + extra.size, dtype=np.int32)
    csr_kernels.insert_keys(indptr, indices, extra, new_indptr, new_indices)
    merged = np.insert(present, np.searchsorted(present, extra), extra)
    want_indptr, want_indices = reference_keys_to_csr(n, merged)
    np.testing.assert_array_equal(new_indptr, want_indptr)
    np.testing.assert_array_equal(new_indices, want_indices)


def test_ranked_picks_equal_numpy() -> None:
    rng = np.random.default_rng(4)
    size = np.array([5, 1, 40], dtype=np.int32)
    bounds = np.concatenate([[0], np.cumsum(size)]).astype(np.int32)
    start, last = bounds[:-1], bounds[1:] - 1
    by_slot = rng.permutation(bounds[-1]).astype(np.int32)
    community = rng.integers(0, size.size, size=5000, dtype=np.int32)
    x = rng.random(community.size) * (size[community] + 0.5)  # some ranks past the last
    out = np.empty(community.size, dtype=np.int32)
    csr_kernels.ranked_picks(x, community, start, last, by_slot, out)
    slot = np.minimum(x.astype(np.int32) + start[community], last[community])
    np.testing.assert_array_equal(out, by_slot[slot])


@pytest.mark.parametrize("n", [2, 300, 9000])
def test_closing_picks_equal_numpy(n: int) -> None:
    rng = np.random.default_rng(n + 5)
    degree = 1 + rng.poisson(3, size=n)
    indptr = np.concatenate([[0], np.cumsum(degree)]).astype(np.int64)
    indices = rng.integers(0, n, size=indptr[-1], dtype=np.int32)
    reverse_indptr, reverse_indices = transpose_csr(n, indptr, indices)
    person = np.sort(rng.integers(0, n, size=4 * n)).astype(np.int32)
    u_followee, u_neighbour = rng.random(person.size), rng.random(person.size)
    out = np.empty(person.size, dtype=np.int32)
    csr_kernels.closing_picks(
        person, u_followee, u_neighbour, indptr, indices, reverse_indptr, reverse_indices, out
    )
    out_degree = np.diff(indptr)
    step = (u_followee * out_degree[person]).astype(np.int64)
    followee = indices[indptr[person] + step]
    step = (u_neighbour * (out_degree + np.diff(reverse_indptr))[followee]).astype(np.int64)
    step -= out_degree[followee]
    onward = step < 0
    expected = np.where(
        onward,
        indices[np.where(onward, indptr[followee + 1] + step, 0)],
        reverse_indices[np.where(onward, 0, reverse_indptr[followee] + step)],
    )
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("bad", [-1, 3])
def test_transpose_rejects_ids_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="0..2"):
        transpose_csr(3, np.array([0, 1, 2, 2]), np.array([1, bad], dtype=np.int32))


@pytest.mark.parametrize("n", SIZES)
def test_neighbour_sums_equal_scipy_matvec_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n + 7)
    indptr, indices = random_csr(rng, n, 6.0)
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, size=n)  # rounding matters
    out = np.empty(n)
    csr_kernels.neighbour_sums(indptr, indices, values, out)
    matrix = sp.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))
    assert out.tobytes() == (matrix @ values).tobytes()
