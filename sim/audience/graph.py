"""The follower graph as two compressed sparse row (CSR) structures.

An edge ``i -> j`` means *i follows j*: j's posts and shares reach i's feed, so information flows
from the followed to the follower (docs/model.md, section 2). The simulation mostly asks "who sees
j's activity?", answered by the ``reach`` rows; outreach and social proof ask "whom does i
follow?", answered by the ``follows`` rows. Both are kept so that each question is a slice.

Edges are stored once as sorted unique int64 keys ``follower * n + followed`` while building:
sorting and dropping repeated neighbours removes duplicates in O(E log E) without
``np.unique``, which is hash-based and slow on NumPy 2 for tens of millions of keys. The passes
over all edges (dropping repeats, keys to rows, transposing) are compiled kernels
(`sim.audience.csr_kernels`, imported on first use since loading Numba is slow).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

__all__ = [
    "FollowerGraph",
    "dedupe_sorted",
    "edge_keys",
    "keys_to_csr",
    "sort_unique",
    "transpose_csr",
    "unique_edge_keys",
]


def unique_edge_keys(n: int, follower: np.ndarray, followed: np.ndarray) -> np.ndarray:
    """Sorted unique int64 keys ``follower * n + followed`` of the edges, self-loops dropped."""
    follower = np.asarray(follower)
    followed = np.asarray(followed)
    if follower.shape != followed.shape or follower.ndim != 1:
        raise ValueError("follower and followed must be 1-d arrays of the same length")
    if follower.size and (
        min(follower.min(), followed.min()) < 0 or max(follower.max(), followed.max()) >= n
    ):
        raise ValueError(f"person ids must lie in 0..{n - 1}")
    return sort_unique(edge_keys(n, follower, followed))


def edge_keys(
    n: int, follower: np.ndarray, followed: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Unsorted int64 keys ``follower * n + followed``, -1 for self-loops (ids not checked)."""
    keys = np.multiply(follower, n, dtype=np.int64, out=out)
    keys += followed
    keys[follower == followed] = -1
    return keys


def sort_unique(keys: np.ndarray) -> np.ndarray:
    """Sort int64 ``keys`` in place and return its distinct non-negative values (drops -1
    markers), compacted to the front of ``keys`` (a view)."""
    from sim.audience import csr_kernels

    keys.sort()
    return keys[: csr_kernels.compact_unique(keys)]


def dedupe_sorted(keys: np.ndarray) -> np.ndarray:
    """Drop repeated values from a sorted array (sort + diff)."""
    if keys.size < 2:
        return keys
    keep = np.empty(keys.size, dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def transpose_csr(n: int, indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR (int64, int32) of the transposed graph by an O(E + n) counting sort; each row lists
    its entries by increasing original row (sorted when rows hold no duplicates)."""
    from sim.audience import csr_kernels

    if indptr.shape != (n + 1,) or indptr[-1] != indices.size:
        raise ValueError(f"inconsistent CSR for {n} people")
    t_indptr = np.empty(n + 1, dtype=np.int64)
    t_indices = np.empty(indices.size, dtype=np.int32)
    if not csr_kernels.transpose(
        indptr.astype(np.int64, copy=False),
        indices.astype(np.int32, copy=False),
        t_indptr,
        t_indices,
        np.empty(indices.size, dtype=np.uint16),
    ):
        raise ValueError(f"person ids must lie in 0..{n - 1}")
    return t_indptr, t_indices


def keys_to_csr(n: int, keys: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """CSR (int64, int32) of sorted unique keys ``follower * n + followed``.

    With ``overwrite`` the indices are written over the front of ``keys`` (C-contiguous int64,
    consumed), which saves allocating fresh memory at a build's peak; the indices are then a
    view that keeps all of ``keys``' memory alive.
    """
    from sim.audience import csr_kernels

    keys = keys.astype(np.int64, copy=False)
    indptr = np.empty(n + 1, dtype=np.int64)
    indices = keys.view(np.int32)[: keys.size] if overwrite else np.empty_like(keys, np.int32)
    csr_kernels.keys_to_csr(keys, indptr, indices)
    return indptr, indices


@dataclass(frozen=True, eq=False)
class FollowerGraph:
    """A directed follower graph over people ``0..n-1``.

    Attributes
    ----------
    n : number of people.
    reach_indptr, reach_indices : CSR (int64, int32); row j lists j's followers, the people who
        see j's activity.
    follows_indptr, follows_indices : CSR (int64, int32); row i lists the accounts i follows.
        Rows of both structures are sorted; there are no self-loops or duplicate edges.
    community : int32 interest community of each person (0 where unknown).
    labels : original id of each person of a loaded graph (index = internal id), else None.
    """

    n: int
    reach_indptr: np.ndarray
    reach_indices: np.ndarray
    follows_indptr: np.ndarray
    follows_indices: np.ndarray
    community: np.ndarray
    labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in ("reach", "follows"):
            indptr = getattr(self, f"{name}_indptr")
            indices = getattr(self, f"{name}_indices")
            if indptr.shape != (self.n + 1,) or indptr[-1] != indices.size:
                raise ValueError(f"inconsistent {name} CSR for {self.n} people")
        if self.reach_indices.size != self.follows_indices.size:
            raise ValueError("reach and follows hold different numbers of edges")
        if self.community.shape != (self.n,):
            raise ValueError("community needs one entry per person")
        if self.labels is not None and len(self.labels) != self.n:
            raise ValueError("labels need one entry per person")

    @classmethod
    def from_keys(
        cls,
        n: int,
        keys: np.ndarray,
        community: np.ndarray | None = None,
        labels: np.ndarray | None = None,
    ) -> FollowerGraph:
        """Build from sorted unique keys ``follower * n + followed`` (see `unique_edge_keys`)."""
        return cls.from_csr(n, *keys_to_csr(n, keys), community, labels)

    @classmethod
    def from_csr(
        cls,
        n: int,
        follows_indptr: np.ndarray,
        follows_indices: np.ndarray,
        community: np.ndarray | None = None,
        labels: np.ndarray | None = None,
    ) -> FollowerGraph:
        """Build from the follows CSR (int64, int32; rows sorted, no duplicates or self-loops)."""
        reach_indptr, reach_indices = transpose_csr(n, follows_indptr, follows_indices)
        if community is None:
            community = np.zeros(n, dtype=np.int32)
        return cls(
            n=n,
            reach_indptr=reach_indptr,
            reach_indices=reach_indices,
            follows_indptr=follows_indptr,
            follows_indices=follows_indices,
            community=np.asarray(community, dtype=np.int32),
            labels=labels,
        )

    @classmethod
    def from_edges(
        cls,
        n: int,
        follower: np.ndarray,
        followed: np.ndarray,
        community: np.ndarray | None = None,
        labels: np.ndarray | None = None,
    ) -> FollowerGraph:
        """Build from edge arrays (``follower[k]`` follows ``followed[k]``).

        Self-loops and duplicate edges are dropped.
        """
        return cls.from_keys(n, unique_edge_keys(n, follower, followed), community, labels)

    @classmethod
    def from_networkx(cls, graph: nx.Graph) -> FollowerGraph:
        """Build from a NetworkX graph: a directed edge ``i -> j`` means i follows j.

        An undirected graph gives both directions. Nodes are numbered in the graph's node order;
        unless they already are ``0..n-1`` their names are kept in ``labels``. The node attribute
        ``community`` (default 0) is kept.
        """
        nodes = list(graph.nodes)
        n = len(nodes)
        index = {node: k for k, node in enumerate(nodes)}
        edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64)
        edges = edges.reshape(-1, 2)
        follower, followed = edges[:, 0], edges[:, 1]
        if not graph.is_directed():
            follower, followed = (
                np.concatenate([follower, followed]),
                np.concatenate([followed, follower]),
            )
        community = np.array([graph.nodes[node].get("community", 0) for node in nodes])
        labels = None
        if nodes != list(range(n)):
            if all(isinstance(node, int | np.integer) for node in nodes):
                labels = np.array(nodes, dtype=np.int64)
            else:
                labels = np.fromiter(nodes, dtype=object, count=n)
        return cls.from_edges(n, follower, followed, community.reshape(n), labels)

    def to_networkx(self) -> nx.DiGraph:
        """A ``nx.DiGraph`` on ``0..n-1`` with edge ``i -> j`` when i follows j.

        Nodes carry ``community`` and, for a loaded graph, ``label`` (the original id).
        """
        graph = nx.DiGraph()
        for person in range(self.n):
            attributes = {"community": int(self.community[person])}
            if self.labels is not None:
                attributes["label"] = self.labels[person]
            graph.add_node(person, **attributes)
        follower = np.repeat(np.arange(self.n), self.out_degree)
        graph.add_edges_from(zip(follower.tolist(), self.follows_indices.tolist(), strict=True))
        return graph

    def followers_of(self, j: int) -> np.ndarray:
        """The people who follow j (who see j's activity), as a view."""
        return self.reach_indices[self.reach_indptr[j] : self.reach_indptr[j + 1]]

    def following_of(self, i: int) -> np.ndarray:
        """The accounts i follows, as a view."""
        return self.follows_indices[self.follows_indptr[i] : self.follows_indptr[i + 1]]

    @property
    def out_degree(self) -> np.ndarray:
        """Accounts each person follows."""
        return np.diff(self.follows_indptr)

    @property
    def in_degree(self) -> np.ndarray:
        """Followers of each person."""
        return np.diff(self.reach_indptr)

    @property
    def n_edges(self) -> int:
        """Number of directed follow edges."""
        return int(self.follows_indices.size)
