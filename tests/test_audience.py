"""Tests of the audience package: follower graph, generators, edge lists, traits, population."""

from __future__ import annotations

import gzip
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import beta as beta_distribution

from sim.audience import (
    SHIPPED_GRAPHS,
    EdgeListError,
    FollowerGraph,
    build_graph,
    build_population,
    load_edgelist,
    resolve_graph_path,
    sample_traits,
    sbm,
    scale_free,
    small_world,
)
from sim.audience.edgelist import GRAPHS_DIR
from sim.schema import Audience, Brand, Graph, Platform, Scenario

N = 3000
GENERATORS = {
    "scale_free": lambda seed: scale_free(N, 15, 0.3, 12, 0.8, 0.2, seed),
    "sbm": lambda seed: sbm(N, 15, 12, 0.8, 0.2, seed),
    "small_world": lambda seed: small_world(N, 15, 0.3, 12, seed),
}


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def generated(request) -> FollowerGraph:
    return GENERATORS[request.param](7)


def edge_arrays(graph: FollowerGraph) -> tuple[np.ndarray, np.ndarray]:
    """(follower, followed) of every edge, from the follows CSR."""
    return np.repeat(np.arange(graph.n), graph.out_degree), graph.follows_indices.astype(np.int64)


def within_share(graph: FollowerGraph) -> float:
    follower, followed = edge_arrays(graph)
    return float(np.mean(graph.community[follower] == graph.community[followed]))


def mutual_pair_share(graph: FollowerGraph) -> float:
    """Share of connected pairs that follow each other (Kwak et al. 2010's reciprocity)."""
    follower, followed = edge_arrays(graph)
    keys = np.sort(follower * graph.n + followed)
    reverse = followed * graph.n + follower
    mutual_edges = np.isin(reverse, keys).sum()
    return mutual_edges / 2 / (keys.size - mutual_edges / 2)


def clustering(graph: FollowerGraph) -> float:
    """Average local clustering coefficient of the undirected version (0 for degree < 2)."""
    follower, followed = edge_arrays(graph)
    a = sp.csr_array((np.ones(follower.size), (follower, followed)), shape=(graph.n, graph.n))
    a = ((a + a.T) > 0).astype(np.float64)
    degree = np.asarray(a.sum(axis=1)).ravel()
    triangles = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel() / 2
    pairs = degree * (degree - 1) / 2
    return float(np.mean(np.divide(triangles, pairs, out=np.zeros(graph.n), where=pairs > 0)))


# --- FollowerGraph -------------------------------------------------------------------------


def assert_consistent(graph: FollowerGraph) -> None:
    """CSR dtypes, sorted rows, no self-loops or duplicates, reach = transpose of follows."""
    assert graph.follows_indptr.dtype == graph.reach_indptr.dtype == np.int64
    assert graph.follows_indices.dtype == graph.reach_indices.dtype == np.int32
    assert graph.community.dtype == np.int32 and graph.community.shape == (graph.n,)
    follower, followed = edge_arrays(graph)
    keys = follower * graph.n + followed
    assert np.all(np.diff(keys) > 0), "follows rows sorted, no duplicates"
    assert not np.any(follower == followed)
    reached = np.repeat(np.arange(graph.n), graph.in_degree)
    assert np.all(np.diff(reached * graph.n + graph.reach_indices) > 0), "reach rows sorted"
    transposed = np.sort(graph.reach_indices.astype(np.int64) * graph.n + reached)
    np.testing.assert_array_equal(transposed, keys)
    assert graph.n_edges == graph.out_degree.sum() == graph.in_degree.sum()


def test_generated_graphs_are_consistent(generated):
    assert_consistent(generated)


def test_from_edges_drops_self_loops_and_duplicates():
    graph = FollowerGraph.from_edges(4, [0, 0, 0, 1, 2, 2, 3], [1, 1, 0, 2, 1, 3, 3])
    assert graph.n_edges == 4
    assert graph.following_of(0).tolist() == [1]
    assert graph.followers_of(1).tolist() == [0, 2]
    assert graph.followers_of(3).tolist() == [2]
    assert graph.following_of(3).tolist() == []
    assert graph.out_degree.tolist() == [1, 1, 2, 0]
    assert graph.in_degree.tolist() == [0, 2, 1, 1]
    assert_consistent(graph)


def test_from_edges_rejects_ids_out_of_range():
    with pytest.raises(ValueError, match="0..2"):
        FollowerGraph.from_edges(3, [0, 3], [1, 0])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=200),
        )
    )
)
def test_from_edges_property(case):
    n, edges = case
    follower = np.array([u for u, _ in edges], dtype=np.int64)
    followed = np.array([v for _, v in edges], dtype=np.int64)
    graph = FollowerGraph.from_edges(n, follower, followed)
    assert_consistent(graph)
    expected = {(u, v) for u, v in edges if u != v}
    assert set(zip(*(a.tolist() for a in edge_arrays(graph)), strict=True)) == expected


def test_networkx_round_trip(generated):
    g = generated.to_networkx()
    assert g.number_of_nodes() == generated.n and g.number_of_edges() == generated.n_edges
    person = int(np.argmax(generated.out_degree))
    assert sorted(g.successors(person)) == generated.following_of(person).tolist()
    assert g.nodes[person]["community"] == generated.community[person]
    back = FollowerGraph.from_networkx(g)
    assert back.labels is None
    for name in ("follows_indptr", "follows_indices", "reach_indptr", "reach_indices"):
        np.testing.assert_array_equal(getattr(back, name), getattr(generated, name))
    np.testing.assert_array_equal(back.community, generated.community)


def test_from_networkx_undirected_and_labels():
    g = nx.Graph([("ann", "bob"), ("bob", "cy")])
    g.nodes["cy"]["community"] = 4
    graph = FollowerGraph.from_networkx(g)
    assert graph.labels.tolist() == ["ann", "bob", "cy"]
    assert graph.n_edges == 4
    assert graph.followers_of(1).tolist() == [0, 2]
    assert graph.community.tolist() == [0, 0, 4]
    directed = FollowerGraph.from_networkx(nx.DiGraph([(10, 20)]))
    assert directed.labels.tolist() == [10, 20]
    assert directed.following_of(0).tolist() == [1] and directed.n_edges == 1
    assert directed.to_networkx().nodes[1] == {"community": 0, "label": 20}


# --- generators ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(sorted(GENERATORS)),
    n=st.integers(2, 60),
    mean_degree=st.floats(0.5, 40),
    share=st.floats(0, 1),
    communities=st.integers(1, 80),
    seed=st.integers(0, 2**63 - 1),
)
def test_generators_handle_any_parameters(kind, n, mean_degree, share, communities, seed):
    if kind == "scale_free":
        graph = scale_free(n, mean_degree, share, communities, share, share, seed)
    elif kind == "sbm":
        graph = sbm(n, mean_degree, communities, share, share, seed)
    else:
        graph = small_world(n, mean_degree, share, communities, seed)
    assert graph.n == n
    assert_consistent(graph)
    assert graph.community.min() >= 0 and graph.community.max() < min(communities, n)
    assert graph.out_degree.max() <= n - 1


def test_mean_degree_near_target(generated):
    assert generated.n_edges / generated.n == pytest.approx(15, rel=0.03)


@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_deterministic_per_seed(kind):
    first, again, other = (GENERATORS[kind](seed) for seed in (1, 1, 2))
    for name in ("follows_indptr", "follows_indices", "reach_indices", "community"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
    assert not np.array_equal(first.follows_indices[:1000], other.follows_indices[:1000])


def test_scale_free_in_degree_is_heavy_tailed():
    graph = scale_free(30000, 15, 0.3, 12, 0.8, 0.2, seed=3)
    uniform = sbm(30000, 15, 12, 0.8, 0.2, seed=3)
    assert graph.in_degree.max() > 30 * graph.in_degree.mean()
    assert graph.in_degree.max() > 10 * uniform.in_degree.max()

    def top_share(g: FollowerGraph) -> float:
        return np.sort(g.in_degree)[::-1][: g.n // 100].sum() / g.n_edges

    assert top_share(graph) > 5 * top_share(uniform), "top 1% of accounts hold many follows"
    ccdf = [np.mean(graph.in_degree >= k) for k in (20, 160)]
    slope = np.log(ccdf[1] / ccdf[0]) / np.log(8)
    assert -1.8 < slope < -1.1, "power-law tail with exponent 1 - slope in about 2.1-2.8"
    assert np.median(graph.out_degree) > 5, "everyone follows a handful"


def test_scale_free_triad_closure_raises_clustering():
    levels = [clustering(scale_free(N, 15, c, 12, 0.8, 0.2, seed=4)) for c in (0, 0.3, 0.6, 0.9)]
    assert levels == sorted(levels)
    assert levels[2] > 1.25 * levels[0]
    assert levels[0] > 10 * 15 / N, "communities and hubs already cluster above a random graph"


@pytest.mark.parametrize("kind", ["scale_free", "sbm"])
@pytest.mark.parametrize("reciprocity", [0.0, 0.2, 0.5])
def test_reciprocity_is_share_of_mutual_pairs(kind, reciprocity):
    make = scale_free if kind == "scale_free" else sbm
    kwargs = {"clustering": 0.3} if kind == "scale_free" else {}
    graph = make(
        N, 15, communities=12, within_community=0.8, reciprocity=reciprocity, seed=5, **kwargs
    )
    assert mutual_pair_share(graph) == pytest.approx(reciprocity, abs=0.04)


@pytest.mark.parametrize("within", [0.0, 0.3, 0.8, 1.0])
def test_sbm_within_community_share(within):
    graph = sbm(N, 15, 12, within, 0.2, seed=6)
    assert within_share(graph) == pytest.approx(within, abs=0.02)
    assert np.bincount(graph.community).tolist() == [N // 12] * 12


def test_sbm_matches_networkx_block_model():
    n, blocks, degree, within = 1200, 4, 12.0, 0.7
    size = n // blocks
    p_in = within * degree / (size - 1)
    p_out = (1 - within) * degree / (n - size)
    probabilities = [[p_in if a == b else p_out for b in range(blocks)] for a in range(blocks)]
    reference = FollowerGraph.from_networkx(
        nx.stochastic_block_model([size] * blocks, probabilities, seed=1, directed=True)
    )
    ours = sbm(n, degree, blocks, within, 0.0, seed=1)
    reference_community = np.repeat(np.arange(blocks), size).astype(np.int32)
    reference = FollowerGraph.from_edges(n, *edge_arrays(reference), community=reference_community)
    assert ours.n_edges / n == pytest.approx(reference.n_edges / n, rel=0.05)
    assert within_share(ours) == pytest.approx(within_share(reference), abs=0.03)
    assert ours.in_degree.std() == pytest.approx(reference.in_degree.std(), rel=0.15)


def test_scale_free_homophily():
    assert within_share(scale_free(N, 15, 0.3, 12, 0.9, 0.2, seed=8)) > 0.8
    assert within_share(scale_free(N, 15, 0.3, 12, 0.0, 0.2, seed=8)) < 0.2


def test_small_world_without_rewiring_is_the_ring_lattice():
    graph = small_world(500, 6, 0.0, 5, seed=1)
    lattice = FollowerGraph.from_networkx(nx.watts_strogatz_graph(500, 6, 0.0))
    np.testing.assert_array_equal(graph.follows_indices, lattice.follows_indices)
    np.testing.assert_array_equal(graph.follows_indptr, lattice.follows_indptr)
    assert graph.community.tolist() == np.repeat(np.arange(5), 100).tolist()


def test_small_world_rewiring_lowers_clustering():
    lattice = small_world(N, 10, 0.0, 12, seed=2)
    rewired = small_world(N, 10, 0.2, 12, seed=2)
    random = small_world(N, 10, 1.0, 12, seed=2)
    assert clustering(lattice) > clustering(rewired) > 5 * clustering(random)
    assert rewired.n_edges == lattice.n_edges == 10 * N


def test_build_graph_dispatch(tmp_path):
    lattice = build_graph(
        Graph(kind="small_world", people=300, mean_degree=4, clustering=1.0), None, 3
    )
    assert lattice.following_of(10).tolist() == [8, 9, 11, 12]
    block = build_graph(Graph(kind="sbm", people=600, communities=3), None, 3)
    assert block.community.max() == 2 and block.n == 600
    free = build_graph(Graph(people=600, mean_degree=8), None, 3)
    assert free.n_edges / free.n == pytest.approx(8, rel=0.05)
    twitter = build_graph(Graph(kind="edgelist", path="twitter_ego_12831"), None, 0)
    assert twitter.n_edges == 2477, "shipped direction 'follows' applies, not 'undirected'"
    forced = build_graph(
        Graph(kind="edgelist", path="twitter_ego_12831", direction="undirected"), None, 0
    )
    assert forced.n_edges > 2477
    (tmp_path / "mine.txt").write_text("1 2\n2 3\n")
    mine = build_graph(Graph(kind="edgelist", path="mine.txt", direction="follows"), tmp_path, 0)
    assert mine.n == 3 and mine.n_edges == 2


# --- edge lists ----------------------------------------------------------------------------

README_COUNTS = {  # name: (nodes, directed edges after dropping self-loops and duplicates)
    "facebook_combined": (4039, 2 * 88234),
    "email-Eu-core": (1005, 25571 - 642),
    "twitter_ego_12831": (236, 2478 - 1),  # one self-loop in the file
    "lastfm_asia": (7624, 2 * 27806),
    "musae_facebook": (22470, 2 * (171002 - 179)),
}


@pytest.mark.parametrize("name", sorted(SHIPPED_GRAPHS))
def test_shipped_graphs_load_with_readme_counts(name):
    file, direction = SHIPPED_GRAPHS[name]
    graph = load_edgelist(GRAPHS_DIR / file, direction)
    assert (graph.n, graph.n_edges) == README_COUNTS[name]
    assert graph.labels is not None and np.all(np.diff(graph.labels) > 0)
    assert_consistent(graph)


def internal(graph: FollowerGraph, label: int) -> int:
    return int(np.searchsorted(graph.labels, label))


def test_shipped_graph_directions():
    twitter = load_edgelist(GRAPHS_DIR / "twitter_ego_12831.edges", "follows")
    u, v = internal(twitter, 398874773), internal(twitter, 652193)  # first line: u follows v
    assert u in twitter.followers_of(v) and v in twitter.following_of(u)
    email = load_edgelist(GRAPHS_DIR / "email-Eu-core.txt.gz", "flows")
    assert 1 in email.followers_of(0), "line '0 1': 0 wrote to 1, so 1 sees 0's activity"
    facebook = load_edgelist(GRAPHS_DIR / "facebook_combined.txt.gz", "undirected")
    assert 1 in facebook.followers_of(0) and 0 in facebook.followers_of(1)


def test_email_departments_become_communities():
    email = load_edgelist(resolve_graph_path("email-Eu-core"), "flows")
    assert np.unique(email.community).size == 42
    assert email.community[[0, 1, 2]].tolist() == [1, 1, 21]


def test_a_shipped_graph_must_be_the_file_shipped(tmp_path, monkeypatch):
    """A shipped file cut at a line would run as a smaller audience, and email-Eu-core without
    its labels with other communities: both are refused; a copy of one's own elsewhere is not."""
    import shutil

    from sim.audience import edgelist

    shipped = tmp_path / "graphs"
    shipped.mkdir()
    for name in ("twitter_ego_12831.edges", "email-Eu-core.txt.gz", "SHA256SUMS"):
        shutil.copy(GRAPHS_DIR / name, shipped / name)
    monkeypatch.setattr(edgelist, "GRAPHS_DIR", shipped)
    edgelist._shipped_sums.cache_clear()
    try:
        twitter = shipped / "twitter_ego_12831.edges"
        assert load_edgelist(twitter, "follows").n == README_COUNTS["twitter_ego_12831"][0]
        cut = b"".join(twitter.read_bytes().splitlines(keepends=True)[:1000])
        twitter.write_bytes(cut)
        with pytest.raises(EdgeListError, match="not the file shipped in data/graphs/"):
            load_edgelist(twitter, "follows")
        own = tmp_path / "twitter_ego_12831.edges"
        own.write_bytes(cut)
        assert load_edgelist(own, "follows").n < README_COUNTS["twitter_ego_12831"][0]
        with pytest.raises(EdgeListError, match="labels file .* is missing"):
            load_edgelist(shipped / "email-Eu-core.txt.gz", "flows")
    finally:
        edgelist._shipped_sums.cache_clear()


def test_resolve_graph_path(tmp_path):
    (tmp_path / "local.txt").write_text("1 2\n")
    assert resolve_graph_path("local.txt", tmp_path) == tmp_path / "local.txt"
    assert resolve_graph_path("lastfm_asia", tmp_path) == GRAPHS_DIR / "lastfm_asia_edges.csv.gz"
    shipped = GRAPHS_DIR / "email-Eu-core.txt.gz"
    assert resolve_graph_path("elsewhere/data/graphs/email-Eu-core.txt.gz") == shipped
    with pytest.raises(EdgeListError, match="not found"):  # a mistyped folder is said, not mended
        resolve_graph_path("wrongdir/email-Eu-core.txt.gz", tmp_path)
    shipped = resolve_graph_path("data/graphs/facebook_combined.txt.gz", tmp_path)
    assert shipped == GRAPHS_DIR / "facebook_combined.txt.gz"
    with pytest.raises(EdgeListError, match="nowhere.txt.*tried"):
        resolve_graph_path("nowhere.txt", tmp_path)


def test_plain_and_csv_formats(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("# comment\n\n10\t20\r\n20   30\n# 1 1 1\n30 10  \n")
    graph = load_edgelist(plain, "flows")
    assert graph.labels.tolist() == [10, 20, 30] and graph.n_edges == 3
    assert graph.following_of(1).tolist() == [0], "flows: 10's posts reach 20"
    csv = tmp_path / "friends.csv.gz"
    with gzip.open(csv, "wt") as stream:
        stream.write("id_1,id_2\n5,7\n7,9\n5,5\n")
    graph = load_edgelist(csv, "undirected")
    assert graph.labels.tolist() == [5, 7, 9] and graph.n_edges == 4
    huge = tmp_path / "huge.txt"
    huge.write_text(f"{2**63 - 1} -{2**63}\n")
    assert load_edgelist(huge, "follows").labels.tolist() == [-(2**63), 2**63 - 1]


def test_konect_percent_comments(tmp_path):
    """KONECT's files open with '%' lines; a '%' starts a comment as a '#' does."""
    konect = tmp_path / "out.konect"
    konect.write_text("% sym unweighted\n% 3 2\n10 20\n20 30 % a remark\n%30 10\n")
    graph = load_edgelist(konect, "undirected")
    assert graph.labels.tolist() == [10, 20, 30] and graph.n_edges == 4
    konect.write_text("% header\n1 2 3\n")
    with pytest.raises(EdgeListError, match=r"out.konect, line 2: expected 2 ids, found 3"):
        load_edgelist(konect)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("three.txt", "1 2\n3 4 5\n", r"three.txt, line 2: expected 2 ids, found 3"),
        ("one.txt", "# c\n1 2\n\n3\n", r"one.txt, line 4: expected 2 ids, found 1"),
        ("word.txt", "1 2\n3 4\n5 x\n", r"word.txt, line 3: id 'x' is not an integer"),
        ("float.txt", "1 2.5\n", r"float.txt, line 1: id '2.5' is not an integer"),
        ("big.txt", "1 2\n9223372036854775808 1\n", r"big.txt, line 2: .* 64-bit range"),
        ("bigger.txt", "1 2\n1 99999999999999999999\n", r"bigger.txt, line 2: .* 64-bit"),
        ("header.txt", "u v\n1 2\n", r"header.txt, line 1: id 'u' is not an integer"),
        ("bad.csv", "id_1,id_2\n1,2\n3;4\n", r"bad.csv, line 3: expected 2 ids, found 1"),
        ("empty.txt", "", r"empty.txt, line 1: end of file and no edge found"),
        ("comments.txt", "# a\n# b\n\n", r"comments.txt, line 3: end of file and no edge"),
        ("loops.txt", "1 1\n2 2\n", r"loops.txt: no edges other than self-loops"),
    ],
)
def test_edgelist_errors_name_file_and_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(EdgeListError, match=message):
        load_edgelist(path, "undirected")


def test_gzip_errors(tmp_path):
    data = gzip.compress(b"".join(b"%d %d\n" % (i, i + 1) for i in range(200_000)))
    truncated = tmp_path / "cut.txt.gz"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(EdgeListError, match=r"cut.txt.gz: compressed data truncated .* line \d+"):
        load_edgelist(truncated)
    bad_line = tmp_path / "bad.txt.gz"
    bad_line.write_bytes(gzip.compress(b"1 2\n2 3\n3 x\n"))
    with pytest.raises(EdgeListError, match=r"bad.txt.gz, line 3"):
        load_edgelist(bad_line)
    not_gzip = tmp_path / "plain.txt.gz"
    not_gzip.write_text("1 2\n")
    with pytest.raises(EdgeListError, match=r"plain.txt.gz: compressed data .* after line 0"):
        load_edgelist(not_gzip)
    with pytest.raises(EdgeListError, match="missing.txt: no such file"):
        load_edgelist(tmp_path / "missing.txt")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(-(2**63), 2**63 - 1), st.integers(0, 5)), min_size=1, max_size=30
    ),
    st.sampled_from(["follows", "flows", "undirected"]),
)
def test_load_edgelist_property(tmp_path, pairs, direction):
    path = tmp_path / "random.txt"
    lines = [f"# {len(pairs)} edges"] + [f"{u}\t{v}" for u, v in pairs] + ["1 2"]
    path.write_text("\n".join(lines) + "\n")
    edges = [*pairs, (1, 2)]
    graph = load_edgelist(path, direction)
    assert graph.labels.tolist() == sorted({x for edge in edges for x in edge})
    follower, followed = (graph.labels[a].tolist() for a in edge_arrays(graph))
    loaded = set(zip(follower, followed, strict=True))
    expected = {(u, v) if direction == "follows" else (v, u) for u, v in edges if u != v}
    if direction == "undirected":
        expected |= {(v, u) for u, v in expected}
    assert loaded == expected


# --- traits --------------------------------------------------------------------------------

BRANDS = [Brand(name="a", fit_mean=0.4), Brand(name="b", fit_mean=0.7)]
PLATFORMS = [Platform(name="facebook", membership=0.7), Platform(name="x", membership=0.2)]


@pytest.fixture(scope="module")
def big_graph() -> FollowerGraph:
    return scale_free(20000, 12, 0.3, 12, 0.8, 0.2, seed=11)


def test_trait_ranges_and_means(big_graph):
    audience = Audience(activity_mean=0.3, sociability_mean=0.6, promo_tolerance_mean=3.0)
    traits = sample_traits(audience, big_graph, BRANDS, PLATFORMS, seed=1)
    assert traits.n == big_graph.n
    for values in (traits.activity, traits.sociability, traits.fit):
        assert values.min() >= 0 and values.max() <= 1
    assert traits.promo_tolerance.min() > 0
    assert traits.activity.mean() == pytest.approx(0.3, abs=0.01)
    assert traits.sociability.mean() == pytest.approx(0.6, abs=0.01)
    assert traits.promo_tolerance.mean() == pytest.approx(3.0, rel=0.03)
    assert traits.fit.shape == (2, big_graph.n)
    assert traits.fit.mean(axis=1) == pytest.approx([0.4, 0.7], abs=1e-3)
    assert traits.member.shape == (2, big_graph.n) and traits.member.dtype == bool
    assert traits.member.mean(axis=1) == pytest.approx([0.7, 0.2], abs=0.015)
    assert np.mean(traits.activity < 0.05) > 0.1, "activity is heavy tailed: many rarely online"


def test_fit_marginal_is_exactly_beta(big_graph):
    audience = Audience(fit_concentration=6.0)
    fit = sample_traits(audience, big_graph, BRANDS[:1], PLATFORMS, seed=2).fit[0]
    n = big_graph.n
    quantiles = beta_distribution.ppf((np.arange(n) + 0.5) / n, 0.4 * 6, 0.6 * 6)
    np.testing.assert_allclose(np.sort(fit), quantiles, atol=1e-9)


def neighbour_correlation(graph: FollowerGraph, fit: np.ndarray) -> tuple[float, float]:
    follower, followed = edge_arrays(graph)
    shuffled = np.random.default_rng(0).permutation(followed)
    return (
        float(np.corrcoef(fit[follower], fit[followed])[0, 1]),
        float(np.corrcoef(fit[follower], fit[shuffled])[0, 1]),
    )


@pytest.mark.parametrize("source", ["generated", "facebook"])
def test_fit_clusters_along_the_graph(big_graph, source):
    graph = (
        big_graph
        if source == "generated"
        else load_edgelist(resolve_graph_path("facebook_combined"))
    )

    def fit(homophily: float) -> np.ndarray:
        return sample_traits(Audience(fit_homophily=homophily), graph, BRANDS, PLATFORMS, 3).fit

    clustered = fit(0.6)
    neighbours, random_pairs = neighbour_correlation(graph, clustered[0])
    assert neighbours > 0.3 and abs(random_pairs) < 0.03
    assert abs(np.corrcoef(clustered[0], clustered[1])[0, 1]) < 0.9, "each brand its own draws"
    neighbours, random_pairs = neighbour_correlation(graph, fit(0.0)[0])
    assert abs(neighbours) < 0.03 and abs(random_pairs) < 0.03
    weak, strong = (neighbour_correlation(graph, fit(h)[0])[0] for h in (0.3, 0.9))
    assert weak + 0.2 < strong


def test_person_draws_do_not_depend_on_other_people():
    small = sample_traits(Audience(), sbm(500, 8, seed=1), BRANDS, PLATFORMS, seed=9)
    large = sample_traits(Audience(), scale_free(800, 10, seed=2), BRANDS, PLATFORMS, seed=9)
    for name in ("activity", "sociability", "promo_tolerance"):
        np.testing.assert_array_equal(getattr(small, name), getattr(large, name)[:500])
    np.testing.assert_array_equal(small.member, large.member[:, :500])
    other_seed = sample_traits(Audience(), sbm(500, 8, seed=1), BRANDS, PLATFORMS, seed=10)
    assert not np.array_equal(small.activity, other_seed.activity)


def test_traits_deterministic(big_graph):
    first = sample_traits(Audience(), big_graph, BRANDS, PLATFORMS, seed=4)
    again = sample_traits(Audience(), big_graph, BRANDS, PLATFORMS, seed=4)
    for name in ("activity", "sociability", "promo_tolerance", "fit", "member"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))


# --- population ----------------------------------------------------------------------------


def test_build_population():
    scenario = Scenario(
        seed=5,
        audience=Audience(graph=Graph(people=2000, mean_degree=10)),
        platforms=PLATFORMS,
        brands=BRANDS,
    )
    population = build_population(scenario)
    assert population.n == population.graph.n == population.traits.n == 2000
    assert population.traits.fit.shape == (2, 2000)
    assert population.traits.member.shape == (2, 2000)
    same = build_population(scenario, seed=5)
    np.testing.assert_array_equal(same.graph.follows_indices, population.graph.follows_indices)
    np.testing.assert_array_equal(same.traits.fit, population.traits.fit)
    other = build_population(scenario, seed=6)
    assert not np.array_equal(other.traits.activity, population.traits.activity)


def test_build_population_from_edgelist(tmp_path: Path):
    (tmp_path / "graphs").mkdir()
    (tmp_path / "graphs" / "tiny.csv").write_text("id_1,id_2\n1,2\n2,3\n3,1\n")
    scenario = Scenario(
        audience=Audience(graph=Graph(kind="edgelist", path="graphs/tiny.csv")),
    )
    population = build_population(scenario, base_dir=tmp_path)
    assert population.graph.n == 3 and population.graph.n_edges == 6
    assert population.traits.fit.shape == (1, 3)


_OTHER_VALUES = {
    "people": 301,
    "mean_degree": 9.0,
    "clustering": 0.6,
    "communities": 5,
    "within_community": 0.5,
    "reciprocity": 0.5,
    "in_degree_exponent": 2.8,
}


@pytest.mark.parametrize("kind", ["scale_free", "sbm", "small_world"])
def test_each_kind_of_graph_is_built_from_the_fields_graph_reads_names(kind):
    """``Graph.reads`` (what a sweep may vary) matches what the builder uses: changing a field it
    names changes the graph, changing any other leaves it as it was."""
    assert set(_OTHER_VALUES) == set().union(*Graph.reads.values())

    def arrays(**change):
        graph = build_graph(Graph(kind=kind, **({"people": 300} | change)), None, seed=1)
        return [graph.follows_indptr, graph.follows_indices, graph.community]

    before = arrays()
    for field, value in _OTHER_VALUES.items():
        after = arrays(**{field: value})
        same = len(before[0]) == len(after[0]) and all(
            np.array_equal(a, b) for a, b in zip(before, after, strict=True)
        )
        assert same == (field not in Graph.reads[kind]), field
