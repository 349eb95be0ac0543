"""Static traits of each person: activity, sociability, promo tolerance, brand fit, platforms.

Every base draw is counter-based per person (``sim.rng``): the uniform for person i's trait is
``uniform(seed, Stream.TRAITS, brand, 0, 0, 0, i, slot)`` with one slot per trait, so a person's
draws do not depend on which other people exist. Uniforms become traits by inverse CDF
(tabulated and interpolated to about 1e-9, `sim.audience.quantiles`). Only
fit depends on others: it is smoothed along the follower graph (homophily) and then mapped by
rank onto its Beta marginal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
from scipy.special import ndtri

from sim.audience.graph import FollowerGraph
from sim.audience.quantiles import beta_quantile, gamma_quantile
from sim.rng import Stream, uniform
from sim.schema import Audience, Brand, Platform

__all__ = [
    "Slot",
    "Traits",
    "sample_traits",
]

_HALF_STEP = 2.0**-54
"""Added to uniforms on the grid ``k * 2**-53`` so that they lie strictly inside (0, 1)."""


class Slot(IntEnum):
    """The ``slot`` key field of each trait's draw (membership of platform p: ``MEMBER + p``)."""

    ACTIVITY = 0
    SOCIABILITY = 1
    TOLERANCE = 2
    FIT = 3
    MEMBER = 100


@dataclass(frozen=True, eq=False)
class Traits:
    """Static traits of ``n`` people.

    Attributes
    ----------
    activity : chance of being online on a day, Beta(activity_mean, activity_concentration).
    sociability : tendency to interact, Beta(sociability_mean, sociability_concentration).
    promo_tolerance : fatigue tolerated before muting or unfollowing, Gamma with mean
        promo_tolerance_mean and shape promo_tolerance_shape.
    fit : shape (n_brands, n), fit to each brand in [0, 1], Beta(fit_mean, fit_concentration)
        marginal, clustered along the graph.
    member : shape (n_platforms, n), whether each person is on each platform.
    """

    activity: np.ndarray
    sociability: np.ndarray
    promo_tolerance: np.ndarray
    fit: np.ndarray
    member: np.ndarray

    @property
    def n(self) -> int:
        return int(self.activity.size)


def _unit(seed: int, brand: int, person: np.ndarray, slot: int, hop: int = 0) -> np.ndarray:
    """Counter-based uniforms strictly inside (0, 1) for ``person`` (an id array)."""
    return uniform(seed, Stream.TRAITS, brand, 0, 0, hop, person, slot) + _HALF_STEP


def _beta(mean: float, concentration: float, u: np.ndarray) -> np.ndarray:
    """Beta quantiles at ``u`` for a mean and a concentration (a + b); mean 1 is the point mass
    at 1 (b = 0, e.g. everyone always online in the validation configuration)."""
    if mean >= 1.0:
        return np.ones_like(u, dtype=np.float64)
    return beta_quantile(mean * concentration, (1.0 - mean) * concentration, u)


def _local_mean(graph: FollowerGraph) -> Callable[[np.ndarray], np.ndarray]:
    """A function averaging a per-person array over each person, its followees and followers.

    Counting oneself (a lazy average) avoids the odd-even oscillation of pure neighbour
    averaging on tree-like parts of real graphs.
    """
    from sim.audience.csr_kernels import neighbour_sums

    size = (1 + graph.out_degree + graph.in_degree).astype(np.float64)
    follows_sum, reach_sum = np.empty(graph.n), np.empty(graph.n)

    def mean(values: np.ndarray) -> np.ndarray:
        neighbour_sums(graph.follows_indptr, graph.follows_indices, values, follows_sum)
        neighbour_sums(graph.reach_indptr, graph.reach_indices, values, reach_sum)
        return (values + follows_sum + reach_sum) / size

    return mean


def _standardised(values: np.ndarray) -> np.ndarray:
    """Values shifted and scaled to mean 0 and standard deviation 1 (if they vary)."""
    spread = values.std()
    return (values - values.mean()) / (spread if spread > 0 else 1.0)


def _fit(
    seed: int,
    brand: int,
    brand_fit_mean: float,
    audience: Audience,
    graph: FollowerGraph,
    local_mean: Callable[[np.ndarray], np.ndarray] | None,
) -> np.ndarray:
    """One brand's fit for everyone: a latent normal smoothed along the graph, mapped by rank.

    With h = ``fit_homophily``, the latent starts as ``z0 = sqrt(h/2) * community effect +
    sqrt(1 - h/2) * own noise`` (standard normals); then ``fit_smoothing_rounds`` times ``z =
    sqrt(1 - h) * z0 + sqrt(h) * standardised local mean of z`` (oneself, followees and
    followers): neighbours end up with similar fit, more so for larger h (homophily, McPherson,
    Smith-Lovin & Cook 2001), on generated graphs through communities and the graph, on real
    graphs without communities through the graph alone. The ranks of z take the
    Beta(fit_mean, fit_concentration) quantiles at (rank + 1/2) / n, so the marginal is exactly
    that Beta whatever the smoothing. With h = 0 fit is independent of the graph.
    """
    h = audience.fit_homophily
    people = np.arange(graph.n)
    own = ndtri(_unit(seed, brand, people, Slot.FIT))
    groups = np.arange(int(graph.community.max(initial=0)) + 1)
    effect = ndtri(_unit(seed, brand, groups, Slot.FIT, hop=1))
    start = np.sqrt(h / 2) * effect[graph.community] + np.sqrt(1.0 - h / 2) * own
    latent = start
    if local_mean is not None:
        for _ in range(audience.fit_smoothing_rounds):
            latent = np.sqrt(1.0 - h) * start + np.sqrt(h) * _standardised(local_mean(latent))
    fit = np.empty(graph.n)
    fit[np.argsort(latent, kind="stable")] = _beta(
        brand_fit_mean, audience.fit_concentration, (people + 0.5) / graph.n
    )
    return fit


def sample_traits(
    audience: Audience,
    graph: FollowerGraph,
    brands: list[Brand],
    platforms: list[Platform],
    seed: int,
) -> Traits:
    """Draw every person's static traits (see `Traits`) for a scenario's audience.

    Person i's activity, sociability, tolerance and memberships depend only on (seed, i); fit
    also depends on the graph. Platform p's membership: ``uniform(..., i, MEMBER + p) <
    membership``.
    """
    people = np.arange(graph.n)
    activity = _beta(
        audience.activity_mean,
        audience.activity_concentration,
        _unit(seed, 0, people, Slot.ACTIVITY),
    )
    sociability = _beta(
        audience.sociability_mean,
        audience.sociability_concentration,
        _unit(seed, 0, people, Slot.SOCIABILITY),
    )
    tolerance = (
        gamma_quantile(audience.promo_tolerance_shape, _unit(seed, 0, people, Slot.TOLERANCE))
        * audience.promo_tolerance_mean
        / audience.promo_tolerance_shape
    )
    local_mean = _local_mean(graph) if audience.fit_homophily > 0 else None
    fit = np.empty((len(brands), graph.n))
    for index, brand in enumerate(brands):
        fit[index] = _fit(seed, index, brand.fit_mean, audience, graph, local_mean)
    member = np.empty((len(platforms), graph.n), dtype=bool)
    for index, platform in enumerate(platforms):
        draw = uniform(seed, Stream.TRAITS, 0, 0, 0, 0, people, Slot.MEMBER + index)
        member[index] = draw < platform.membership
    return Traits(activity, sociability, tolerance, fit, member)
