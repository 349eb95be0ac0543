"""Independent cascade against a peer: longgame's share cascade in the validation configuration
(docs/model.md §3.5) and NDlib's ``IndependentCascadesModel`` on the same graph give the same
distribution of cascade sizes (docs/validation.md).

**The configuration** (`cascade_scenario`) is an ordinary scenario with every mechanism but the
share cascade switched off through its parameters: one brand on one platform everyone is on
(membership 1), everyone online (activity 1), a handful of initial followers (the seed set) who
all see the day-0 post (feed rate 1, neutral ranking on day 0) and all share it
(share-given-exposure 1: engagement certain, every engagement of the post's type a share), link
exposure probability = the platform's ``share_link_rate`` = p, a hop limit that cannot bind, and
no discovery, surfacing, fatigue, follows, advocacy, outreach, churn or purchases. One day of the
real model (`EngagementModel`, vector engine) then runs exactly the independent cascade model:
each sharer gives each follower one chance p, a person is exposed at most once and, being
exposed, shares. The cascade size is the seed sharers plus everyone exposed through shares
(``impressions_feed + impressions_share``).

**The peer** gets a ``networkx.DiGraph`` with an edge u -> v when u's shares reach v (v follows u:
information flows from the followed to the follower, `flow_digraph`), the threshold p on every
edge (NDlib silently falls back to 1/degree unless *every* edge has one), the same seed set as
its paired longgame run as the Infected list, and iterates until nobody is infected; NDlib
spreads along successors. Its size is the number of nodes ever infected.

**The test** is a two-sample Kolmogorov-Smirnov test (``scipy.stats.ks_2samp``) per case; the
check passes when it does not reject at 1%. Cascade sizes are discrete, and the KS test is
conservative on discrete data (its p-values are too large), so a pass is weaker evidence than
the nominal level says; the means of both samples are reported beside it.

NDlib (and ``six``, which it needs beside it) is a test-only dependency (``pip install -e
'.[dev]'``); it is imported only inside the check.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.schema import (
    Audience,
    Behavior,
    Brand,
    ContentComment,
    ContentEngagement,
    ContentMix,
    ContentShare,
    ContentWeights,
    Graph,
    InitialState,
    Market,
    Platform,
    Scenario,
    Strategy,
)
from sim.validation.checks import CheckResult, Progress, ValidationCheck, chosen, run_parallel

__all__ = [
    "ALPHA",
    "CHECK",
    "CascadeCase",
    "CaseOutcome",
    "FIGURE",
    "GENERATED",
    "INSTALL_HINT",
    "cascade_cases",
    "cascade_figure",
    "cascade_population",
    "cascade_scenario",
    "compare",
    "flow_digraph",
    "longgame_cascade",
    "peer_cascade",
    "write_figures",
]

ALPHA = 0.01
"""The check fails when the KS test rejects at this level."""
LIMIT = f"p >= {ALPHA:g}"
GENERATED = "scale_free"
"""The ``graph`` name of the generated (directed scale-free) graph; any other name is an edge
list (a shipped short name such as ``facebook_combined``, or a path)."""
SEEDS = 5
"""Size of the seed set: the brand's initial followers, who all see and share the post."""
MAX_HOPS = 10_000
"""The hop limit of the validation configuration: at least people - 1 on every graph here, so it
never binds (a cascade over n people has at most n - 1 hops)."""
FIGURE = "cascade_ks.png"
"""File name of the figure `write_figures` writes (docs/figures/cascade_ks.png)."""
INSTALL_HINT = "install ndlib and six (pip install -e '.[dev]')"
_RUN_SEED0 = 1000
"""Run k of a case uses model seed ``_RUN_SEED0 + k`` (and the peer NumPy seed the same)."""


# --- the configuration ---------------------------------------------------------------------------
def _graph(graph: str, people: int, direction: str | None) -> Graph:
    """The scenario's `Graph`: the generator, or an edge list in its shipped direction."""
    if graph == GENERATED:
        return Graph(kind="scale_free", people=people)
    if direction is None:
        from sim.audience.edgelist import resolve_graph_path, shipped_direction

        direction = shipped_direction(resolve_graph_path(graph)) or "undirected"
    return Graph(kind="edgelist", path=graph, direction=direction)


def cascade_scenario(
    graph: str,
    p: float,
    seeds_size: int = SEEDS,
    *,
    people: int = 3000,
    direction: str | None = None,
) -> Scenario:
    """The spec's validation configuration: the share cascade alone, with link probability p.

    ``graph`` is ``"scale_free"`` (the generator, ``people`` people) or an edge list (a shipped
    short name or a path, read in ``direction``, by default the shipped one). Every value is
    inside its documented range; see the module docstring for what each setting switches off.
    Engagement is certain because its chance, 2 x engage_base x sociability x
    content_engagement x quality x norm x fit x (0.5 + trust), is capped at 1 and here is at
    least about 99 x sociability x fit (sociability and fit means 0.99; `longgame_cascade` checks
    that every exposed person shared).
    """
    other_types = {"story": 0.0, "promo": 0.0, "conversation": 0.0}
    return Scenario(
        name=f"cascade {graph} p={p:g}",
        description="independent-cascade validation configuration (docs/validation.md)",
        days=1,
        audience=Audience(
            graph=_graph(graph, people, direction),
            activity_mean=1.0,  # everyone online: nobody misses an exposure
            sociability_mean=0.99,
            promo_tolerance_mean=20.0,
            fit_homophily=0.0,
            fit_concentration=100.0,  # fit near 0.99 for everyone: seeds drawn almost uniformly
        ),
        platforms=[
            Platform(
                name="network",
                membership=1.0,
                feed_rate=1.0,  # every follower sees the post (ranking is neutral on day 0)
                frequency_damping=0.0,
                engage_base=1.0,
                discovery_rate=0.0,
                surfacing_rate=0.0,
                share_link_rate=p,  # the IC edge probability
                norms=ContentWeights(value=10.0, story=1.0, promo=1.0, conversation=1.0),
            )
        ],
        brands=[
            Brand(
                name="seed",
                fit_mean=0.99,
                strategy=Strategy(
                    name="one_post",
                    platforms=["network"],
                    posts_per_week=7.0,  # exactly one post on day 0
                    consistency=1.0,
                    content_mix=ContentMix(value=1.0),
                    hours_per_post=1.0,
                    reply_rate=0.0,
                    follow_rate=0.0,
                    weekly_hours=168.0,
                ),
                initial=InitialState(
                    followers=float(seeds_size), follower_trust=0.0, aware_share=0.0
                ),
            )
        ],
        behavior=Behavior(
            content_engagement=ContentEngagement(value=10.0, **other_types),
            content_comment=ContentComment(value=0.0, **other_types),  # no comments ...
            content_share=ContentShare(value=1.0, **other_types),  # ... every engagement is a share
            quality_half_hours=0.01,
            content_trust=0.0,
            promo_fatigue=0.0,
            irrelevance_fatigue=0.0,
            volume_fatigue=0.0,
            follow_base=0.0,
            max_hops=MAX_HOPS,
            advocacy_rate=0.0,
            prune_rate=0.0,
            dropout_rate=0.0,
        ),
        market=Market(scale=1.0, conversion=0.0, no_relationship=0.0, promo_nudge=0.0),
    )


@functools.lru_cache(maxsize=4)
def cascade_population(graph: str, people: int = 3000, direction: str | None = None) -> Any:
    """The `Population` of a graph's validation configuration, built once and reused by every
    run (its traits do not depend on p; the runs differ in their model seed)."""
    from sim.audience import build_population

    return build_population(cascade_scenario(graph, 0.1, people=people, direction=direction))


# --- one cascade on each side --------------------------------------------------------------------
def longgame_cascade(
    graph: str,
    p: float,
    seeds_size: int,
    people: int,
    run_seed: int,
    direction: str | None = None,
) -> tuple[int, tuple[int, ...], str, float]:
    """One day of the real model in the validation configuration.

    Returns (cascade size, the seed set, a problem or "", seconds). The problem names a run in
    which someone exposed did not share or a seed was not exposed (the configuration would then
    not be the independent cascade).
    """
    from sim.model import EngagementModel

    start = time.perf_counter()
    scenario = cascade_scenario(graph, p, seeds_size, people=people, direction=direction)
    model = EngagementModel(
        scenario,
        seed=run_seed,
        engine="vector",
        population=cascade_population(graph, people, direction),
    )
    seeds = tuple(int(person) for person in np.flatnonzero(model.engine.state[0].follower))
    model.step()
    row = model.rows[0]
    size = int(row["impressions_feed"] + row["impressions_share"])
    problem = ""
    if row["impressions_feed"] != len(seeds):
        problem = f"seed {run_seed}: {row['impressions_feed']:g} of {len(seeds)} seeds saw the post"
    elif row["shares"] != size or row["impressions"] != size:
        problem = f"seed {run_seed}: {row['shares']:g} shares from {size} exposed"
    return size, seeds, problem, time.perf_counter() - start


def flow_digraph(graph: Any, reverse: bool = False) -> Any:
    """A ``networkx.DiGraph`` of a `FollowerGraph` in the direction information flows: edge
    u -> v when u's activity reaches v (v follows u); ``reverse`` gives the follow direction
    (u -> v when u follows v), the wrong one for a cascade."""
    import networkx as nx

    source = np.repeat(np.arange(graph.n), np.diff(graph.reach_indptr)).tolist()
    target = graph.reach_indices.tolist()
    digraph = nx.DiGraph()
    digraph.add_nodes_from(range(graph.n))
    digraph.add_edges_from(
        zip(target, source, strict=True) if reverse else zip(source, target, strict=True)
    )
    return digraph


@functools.lru_cache(maxsize=4)
def _peer_model(graph: str, people: int, direction: str | None, p: float, reverse: bool) -> Any:
    """NDlib's independent cascade model on the flow graph, threshold p on every edge."""
    import ndlib.models.epidemics as epidemics
    import ndlib.models.ModelConfig as model_config

    digraph = flow_digraph(cascade_population(graph, people, direction).graph, reverse)
    model = epidemics.IndependentCascadesModel(digraph)
    config = model_config.Configuration()
    for edge in digraph.edges():
        config.add_edge_configuration("threshold", edge, p)
    config.add_model_initial_configuration("Infected", [0])
    model.set_initial_status(config)
    if len(model.params["edges"].get("threshold", {})) != digraph.number_of_edges():
        raise RuntimeError("NDlib did not take the per-edge thresholds")
    return model


def peer_cascade(
    graph: str,
    p: float,
    people: int,
    seeds: Sequence[int],
    run_seed: int,
    direction: str | None = None,
    reverse: bool = False,
) -> tuple[int, int, float]:
    """One NDlib independent cascade from ``seeds``: (size, hops, seconds).

    NDlib draws from NumPy's global generator, seeded here with ``run_seed``. Size counts the
    nodes ever infected; hops counts the generations that infected someone.
    """
    start = time.perf_counter()
    model = _peer_model(graph, people, direction, p, reverse)
    np.random.seed(run_seed)  # noqa: NPY002 (NDlib draws from the global generator)
    model.reset(list(seeds))
    model.iteration(node_status=False)  # iteration 0 reports the initial status
    hops = -1
    while True:
        hops += 1
        if model.iteration(node_status=False)["node_count"][1] == 0:
            break
    size = sum(1 for status in model.status.values() if status != 0)
    return size, hops, time.perf_counter() - start


# --- cases, comparison, check --------------------------------------------------------------------
@dataclass(frozen=True)
class CascadeCase:
    """One row of the check: a graph, a link probability and the runs per side."""

    graph: str
    p: float
    runs: int
    people: int = 3000
    seeds_size: int = SEEDS
    direction: str | None = None

    @property
    def label(self) -> str:
        if self.graph == GENERATED:
            return f"scale_free_{self.people}"
        return {"facebook_combined": "ego_facebook", "email-Eu-core": "email_eu_core"}.get(
            self.graph, Path(self.graph).name
        )

    @property
    def name(self) -> str:
        return f"{self.label} p={self.p:g}"


def cascade_cases(grid: str) -> list[CascadeCase]:
    """The cases of a grid. 'full': 300 runs per side for p = 0.05 and 0.1 on a generated
    scale-free graph of 3,000 people, ego-Facebook (undirected) and email-Eu-core (directed:
    here direction matters). 'quick' (what ``make test`` runs): 60 runs per side, the generated
    graph with 1,000 people for both p and ego-Facebook with p = 0.05."""
    if grid == "full":
        return [
            CascadeCase(graph, p, 300)
            for graph in (GENERATED, "facebook_combined", "email-Eu-core")
            for p in (0.05, 0.1)
        ]
    if grid == "quick":
        return [
            CascadeCase(GENERATED, 0.05, 60, people=1000),
            CascadeCase(GENERATED, 0.1, 60, people=1000),
            CascadeCase("facebook_combined", 0.05, 60),
        ]
    raise ValueError(f"unknown grid {grid!r}; use 'quick' or 'full'")


@dataclass
class CaseOutcome:
    """Both samples of one case and the KS test between them."""

    case: CascadeCase
    longgame: np.ndarray
    peer: np.ndarray
    statistic: float
    pvalue: float
    seconds: float
    peer_hops: int
    problem: str = ""
    seeds: list[tuple[int, ...]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problem and self.pvalue >= ALPHA

    def result(self, figure: Callable[[Path], Path] | None = None) -> CheckResult:
        """The row of the validation table (``figure`` writes the figure into a directory)."""
        measured = (
            f"KS D={self.statistic:.3f} p={self.pvalue:.2f}, "
            f"mean {self.longgame.mean():.1f} vs {self.peer.mean():.1f}"
        )
        problem = self.problem
        if not problem and not self.passed:
            problem = f"KS rejects at {ALPHA:g}: the distributions differ"
        return CheckResult(
            "cascade",
            self.case.name,
            len(self.longgame) + len(self.peer),
            1,
            self.passed,
            measured,
            LIMIT,
            self.seconds,
            problem,
            figure=figure,
            details=(
                f"{len(self.longgame)} longgame and {len(self.peer)} NDlib cascades from the "
                f"same seed sets; medians {np.median(self.longgame):g} and "
                f"{np.median(self.peer):g}; deepest peer cascade {self.peer_hops} hops",
            ),
        )


_LAST: list[CaseOutcome] = []
"""Outcomes of the last `check` (or `compare`) in this process, for `write_figures`."""


def _selected(grid: str, only: str | None) -> list[CascadeCase]:
    return [case for case in cascade_cases(grid) if chosen(only, "cascade", case.name)]


def peer_available() -> bool:
    """Whether NDlib (and six beside it) can be imported."""
    try:
        import ndlib.models.epidemics  # noqa: F401
        import ndlib.models.ModelConfig  # noqa: F401
        import six  # noqa: F401
    except ImportError:
        return False
    return True


def compare(
    cases: Sequence[CascadeCase],
    workers: int = 1,
    progress: Progress = lambda _: None,
    reverse_peer: bool = False,
    peer_p: float | None = None,
) -> list[CaseOutcome]:
    """Run each case's longgame cascades, then the peer's from the same seed sets, and KS-test.

    ``reverse_peer`` and ``peer_p`` mis-wire the peer on purpose (edges reversed, another link
    probability): the tests use them to show the check would notice.
    """
    from scipy.stats import ks_2samp

    ours = [
        (case.graph, case.p, case.seeds_size, case.people, _RUN_SEED0 + k, case.direction)
        for case in cases
        for k in range(case.runs)
    ]
    ours_out = run_parallel(longgame_cascade, ours, workers, progress)
    theirs = [
        (
            args[0],
            args[1] if peer_p is None else peer_p,
            args[3],
            out[1],
            args[4],
            args[5],
            reverse_peer,
        )
        for args, out in zip(ours, ours_out, strict=True)
    ]
    theirs_out = run_parallel(peer_cascade, theirs, workers, progress)
    outcomes, start = [], 0
    for case in cases:
        mine = ours_out[start : start + case.runs]
        peer = theirs_out[start : start + case.runs]
        start += case.runs
        sizes = np.array([size for size, _, _, _ in mine])
        peer_sizes = np.array([size for size, _, _ in peer])
        test = ks_2samp(sizes, peer_sizes)
        problems = [problem for _, _, problem, _ in mine if problem]
        hops = max(h for _, h, _ in peer)
        if hops >= MAX_HOPS:
            problems.append(f"a peer cascade took {hops} hops, above longgame's limit")
        outcomes.append(
            CaseOutcome(
                case,
                sizes,
                peer_sizes,
                float(test.statistic),
                float(test.pvalue),
                sum(out[3] for out in mine) + sum(out[2] for out in peer),
                hops,
                problems[0] if problems else "",
                [out[1] for out in mine],
            )
        )
    return outcomes


def check(grid: str, only: str | None, workers: int, progress: Progress) -> list[CheckResult]:
    """One row per (graph, p): the KS test of longgame's cascade sizes against NDlib's.

    Without NDlib every case is a FAIL row asking to install it. The outcomes are kept for
    `write_figures`; in the full grid the first row's ``figure`` writes `FIGURE` (the empirical
    CDFs of every case run) into the directory it is given.
    """
    cases = _selected(grid, only)
    if not peer_available():
        return [
            CheckResult("cascade", case.name, 0, 1, False, "no peer", LIMIT, 0.0, INSTALL_HINT)
            for case in cases
        ]
    outcomes = compare(cases, workers, progress)
    _LAST[:] = outcomes
    rows = [outcome.result() for outcome in outcomes]
    if grid == "full" and rows:  # one figure for all cases, written once (``--figures DIR``)
        rows[0].figure = lambda directory: cascade_figure(outcomes, Path(directory) / FIGURE)
    return rows


# A case's runs count both sides (longgame and NDlib), as its progress calls do.
CHECK = ValidationCheck(
    "cascade", lambda grid, only: 2 * sum(case.runs for case in _selected(grid, only)), check
)


# --- the figure ----------------------------------------------------------------------------------
def cascade_figure(outcomes: Sequence[CaseOutcome], path: str | Path) -> Path:
    """Empirical CDFs of the cascade sizes of longgame and NDlib, one panel per case (a row per
    graph, a column per p), with the KS statistic and p-value; written as PNG to ``path``."""
    from matplotlib.figure import Figure

    from sim.output import atomic_write

    graphs = list(dict.fromkeys(outcome.case.label for outcome in outcomes))
    ps = sorted({outcome.case.p for outcome in outcomes})
    figure = Figure(figsize=(4.2 * len(ps), 3.2 * len(graphs)), layout="constrained")
    axes = figure.subplots(len(graphs), len(ps), squeeze=False)
    for ax in axes.flat:
        ax.set_visible(False)
    for outcome in outcomes:
        ax = axes[graphs.index(outcome.case.label), ps.index(outcome.case.p)]
        ax.set_visible(True)
        for sample, name, style in (
            (outcome.longgame, "longgame", {"color": "C0", "linewidth": 1.8}),
            (outcome.peer, "NDlib", {"color": "C1", "linewidth": 1.2, "linestyle": "--"}),
        ):
            values = np.sort(sample)
            ax.step(
                values,
                np.arange(1, values.size + 1) / values.size,
                where="post",
                label=f"{name} (mean {sample.mean():.1f})",
                **style,
            )
        ax.set_title(
            f"{outcome.case.name}: D={outcome.statistic:.3f}, p={outcome.pvalue:.2f}", fontsize=9
        )
        ax.set_xlabel("cascade size (people)", fontsize=8)
        ax.set_ylabel("share of runs", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=7, loc="best")
    figure.suptitle(
        f"Cascade sizes, longgame vs NDlib independent cascade ({outcomes[0].case.runs} runs each)",
        fontsize=10,
    )
    path = Path(path)
    atomic_write(path, lambda target: figure.savefig(target, dpi=120, format="png"))
    return path


def write_figures(directory: str | Path) -> list[Path]:
    """Write the figure of the last `check` run in this process (``cascade_ks.png`` in
    ``directory``); nothing if no check ran or NDlib was missing."""
    if not _LAST:
        return []
    return [cascade_figure(_LAST, Path(directory) / FIGURE)]
