"""The day-0 audience of a brand (docs/model.md, section 2), computed once for both engines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.audience import Population
from sim.rng import Stream, prefix, uniform_from
from sim.schema import Scenario
from sim.strategy import BrandAgent

__all__ = ["InitialAudience", "initial_audience"]


@dataclass(frozen=True)
class InitialAudience:
    """Day-0 state of one brand's audience (docs/model.md section 2), computed once for both
    engines.

    ``followers`` (sorted ids) follow the brand with ``trust``, each on the platforms
    ``follows`` lists for them (platform index, sorted ids; the main platform holds them all);
    ``salience`` holds every person's salience; ``known`` (sorted ids) are the followers and the
    aware.
    """

    follows: tuple[tuple[int, np.ndarray], ...]
    followers: np.ndarray
    trust: np.ndarray
    salience: np.ndarray
    known: np.ndarray


def initial_audience(
    scenario: Scenario, population: Population, brand: BrandAgent, seed: int
) -> InitialAudience:
    """Day-0 followers drawn in proportion to fit, and the aware rest of the market.

    Followers are a weighted sample without replacement (Efraimidis & Spirakis 2006 keys
    log(u) / fit) among members of the brand's main platform; each who is on another of the
    brand's platforms follows it there too with chance ``cross_follow``.
    """
    b, n, traits = brand.index, population.n, population.traits
    initial = scenario.brands[b].initial
    fit = traits.fit[b]
    people = np.arange(n)
    head = prefix(seed, Stream.BRAND, b, 0, 0, 9)
    members = np.flatnonzero(traits.member[brand.main_platform])
    weight_draw = uniform_from(head, members, 0)
    with np.errstate(divide="ignore", over="ignore"):  # a fit of 0: key -inf, chosen last
        priority = np.log(np.maximum(weight_draw, 1e-300)) / fit[members]
    count = min(int(round(initial.followers / scenario.market.scale)), len(members))
    follower = np.zeros(n, dtype=bool)
    chosen = np.zeros(0, dtype=np.int64)
    trust = np.zeros(0)
    if count > 0:
        chosen = np.sort(members[np.argpartition(-priority, count - 1)[:count]])
        follower[chosen] = True
        trust_draw = uniform_from(head, chosen, 1)
        spread = initial.follower_trust_spread
        trust = np.minimum(
            1.0, initial.follower_trust * ((1.0 - spread) + 2.0 * spread * trust_draw)
        )
    aware = (uniform_from(head, people, 2) < initial.aware_share) & ~follower
    level = np.where(
        follower, max(initial.aware_salience, initial.follower_salience), initial.aware_salience
    )
    spread = 1.0 + initial.salience_spread * (2.0 * uniform_from(head, people, 3) - 1.0)
    salience = np.where(follower | aware, np.minimum(1.0, level * spread), 0.0)
    follows = [(brand.main_platform, chosen)]
    for platform in brand.platform_indices[1:]:
        on = chosen[traits.member[platform][chosen]]
        follows.append((platform, on[uniform_from(head, on, 4 + platform) < initial.cross_follow]))
    return InitialAudience(
        tuple(follows), chosen, trust, salience, np.flatnonzero(follower | aware)
    )
