"""The order of a day (docs/model.md section 3), once, for both engines.

An engine supplies the phases (exposure and response, listening, cascade, word of mouth,
outreach, churn, conversion, metrics) over its own representation of the audience: arrays in
``VectorEngine``, Mesa agents in ``AgentEngine``. The order inside a post's exposure (feed,
discovery, surfacing) and inside its share cascade (hop by hop) is here too, over the engine's
primitives (who sees the feed, who can be shown a post, who a spread reaches). Because both
engines run this one ``step``, they cannot drift apart in the order of events, which the docking
test relies on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim import behavior
from sim.audience import Population
from sim.metrics import FLOWS, platform_posts_column
from sim.rng import Stream
from sim.schema import CONTENT_TYPES, Behavior, Platform, Scenario
from sim.strategy import BrandAgent, Post

__all__ = [
    "CARRIED_POST",
    "COMPLAINT_POST",
    "FATIGUE_SOURCES",
    "NEVER",
    "OUTREACH_DRAWS",
    "REPRISAL_DRAW",
    "ARGUE_DRAW",
    "REPRISAL_POST",
    "SPAM_SRC",
    "HOP_CASCADE",
    "HOP_DISCOVERY",
    "HOP_FEED",
    "HOP_PAID",
    "HOP_SURFACING",
    "DayOrder",
    "post_stamp",
]

HOP_FEED, HOP_DISCOVERY, HOP_SURFACING = 0, 1, 2
"""How a viewer came to see a post: the hop field of the response draws' key."""
HOP_CASCADE = 2
"""Cascade hop h (1..max_hops) uses hop field HOP_CASCADE + h."""
HOP_PAID = 1 << 20
"""Paid impressions of a boosted post (above any cascade hop: max_hops is at most 10,000)."""
CARRIED_POST = 1000
"""Listening key offset of comments carried over from yesterday's cascades."""
COMPLAINT_POST = 2000
"""Listening key of complaints by unhappy customers (answered the next day)."""
REPRISAL_POST = 3000
"""Listening key of reprisals: complaints drawn by a wrong answer (answered the next day). Their
hop field is the platform, so that one person's reprisals on two platforms draw apart."""
REPRISAL_DRAW = 3
"""Listening slot of a wrong answer's reprisal draw (slots 0-2: willing, question, routed)."""
ARGUE_DRAW = 4
"""Listening slot of whether an answer argues (drawn only by brands with an ``argue_rate``)."""
FATIGUE_SOURCES = ("promo", "irrelevance", "volume", "spam")
"""A person's fatigue with a brand, by source (rows of the vector engine's fatigue matrix)."""
SPAM_SRC = FATIGUE_SOURCES.index("spam")
NEVER = -(10**6)
"""A day before any: the last touch of someone the brand never reached."""
OUTREACH_DRAWS = 10
"""Candidate draws per planned follow (fit targeting rejects many candidates)."""


def post_stamp(day: int, n_brands: int, brand: int, number: int) -> int:
    """A post's unique stamp: a person sees a stamped post at most once."""
    return (day * n_brands + brand) * 1024 + number


class DayOrder:
    """``step(day)``: one day in the spec's order; the phases are the engine's methods.

    Besides the phases (``_start_day``, ``_respond``, ``_listen``, ``_advocacy``, ``_outreach``,
    ``_churn``, ``_conversion``, ``_metrics``), an engine supplies the primitives that a post's
    exposure and cascade are made of: ``_feed`` (followers who see it in their feed),
    ``_discover``, ``_spread`` (whom a set of people reaches), ``_shown`` (who of them can be
    shown the post now), ``_stamp``, ``_carried`` (tomorrow's comment queue) and ``_joined``
    (concatenating groups of people).
    """

    def __init__(
        self, scenario: Scenario, population: Population, brands: list[BrandAgent], seed: int
    ) -> None:
        self.scenario = scenario
        self.behavior: Behavior = scenario.behavior
        self.market = scenario.market
        self.platforms: list[Platform] = scenario.platforms
        self.post_columns = [platform_posts_column(platform.name) for platform in self.platforms]
        self.brands = brands
        self.seed = seed
        self.n = population.n
        self.mean_field = scenario.audience.graph.mixing == "mean_field"

    def step(self, day: int) -> list[dict]:
        """One day in the spec's order; returns one metrics row per brand."""
        rows = [self._new_row(brand) for brand in self.brands]
        for brand in self.brands:
            self._start_day(brand, day)
        plans = [brand.plan(day) for brand in self.brands]  # 1. brand plans
        results = [np.zeros((2, len(CONTENT_TYPES))) for _ in self.brands]
        shares: list[list[tuple[Post, Any, Any]]] = [[] for _ in self.brands]
        for brand, plan, row in zip(self.brands, plans, rows, strict=True):
            today = self._new_comments()
            for post in plan.posts:  # 2.-3. exposure and response, three passes
                sharers, viewers = self._expose_post(
                    brand, post, plan.posts_on(post.platform), day, row, today, results[brand.index]
                )
                shares[brand.index].append((post, sharers, viewers))
            self._listen(brand, plan, day, row, today)  # 4. listening
            for post, sharers, viewers in shares[brand.index]:  # 5. share cascade
                self._cascade(brand, post, sharers, viewers, day, row, results[brand.index])
            self._advocacy(brand, day, row)  # 6. word of mouth
            self._outreach(brand, plan, day, row)  # 7. outreach
            self._churn(brand, day, row)  # 8. pruning and dropout
        self._conversion(day, rows, results)  # 9. purchases (brands compete for each purchase)
        for brand, plan, row in zip(self.brands, plans, rows, strict=True):
            purge_rate = self.platforms[brand.main_platform].fake_purge_rate
            brand.update_bought_followers(purge_rate, self.market.scale)
            self._metrics(brand, plan, day, row)  # 11. metrics (10. incidents: in exposure)
            brand.learn(day, row, plan, results[brand.index])  # 12. learn and decide
        return rows

    def _expose_post(
        self,
        brand: BrandAgent,
        post: Post,
        posts_today: int,
        day: int,
        row: dict,
        comments: Any,
        results: np.ndarray,
    ) -> tuple[Any, Any]:
        """Feed, then discovery and engager surfacing (docs/model.md §3.2-3.3); returns (sharers,
        everyone shown it)."""
        b, p = brand.index, post.platform
        platform = self.platforms[p]
        stamp = post_stamp(day, len(self.brands), b, post.number)
        row["posts"] += 1
        row[self.post_columns[p]] += 1
        results[1, post.content] += 1
        # (a) followers' feeds
        chance = brand.feed_chance(p, day, posts_today)
        feed = self._feed(brand, post, day, chance, stamp)
        engaged_feed, sharers_feed = self._respond(
            brand, post, day, [(HOP_FEED, feed)], row, comments, results, "impressions_feed"
        )
        fake_impressions = brand.fake_impressions(p, chance, self.scenario.audience.activity_mean)
        brand.record_feed(p, len(engaged_feed), len(feed) + fake_impressions)
        # (b) discovery and engager surfacing, driven by follower engagement only
        restriction = platform.restriction_factor if brand.restricted(p, day) else 1.0
        n_discovery = int(round(platform.discovery_rate * len(engaged_feed) * restriction))
        discovered = self._discover(brand, post, n_discovery, day, stamp, HOP_DISCOVERY)
        surfaced = self._surface(brand, post, engaged_feed, day, stamp)
        # (b') paid reach: a boosted post is shown to people the brand pays to reach
        spend = brand.boost_spend(post, len(engaged_feed), len(feed) + fake_impressions)
        reachable = platform.membership * self.scenario.audience.activity_mean
        draws = behavior.paid_draws(spend, platform.cpm, self.market.scale, reachable, self.n)
        paid = self._discover(brand, post, draws, day, stamp, HOP_PAID)
        groups = [(HOP_DISCOVERY, discovered), (HOP_SURFACING, surfaced)]
        if len(paid):
            groups.append((HOP_PAID, paid))
        # (c) their response
        _, sharers_new = self._respond(brand, post, day, groups, row, comments, results, None)
        row["impressions_discovery"] += len(discovered)
        row["impressions_surfacing"] += len(surfaced)
        row["impressions_paid"] += len(paid)
        row["ad_spend"] += spend
        return self._joined(sharers_feed, sharers_new), self._joined(
            feed, discovered, surfaced, paid
        )

    def _surface(self, brand: BrandAgent, post: Post, engagers: Any, day: int, stamp: int) -> Any:
        """Each engagement shows the post to some of the engager's own followers."""
        rate = self.platforms[post.platform].surfacing_rate
        reached = self._spread(
            brand, engagers, Stream.EXPOSURE, post.number, HOP_SURFACING, rate, day
        )
        return self._shown(brand, post, reached, stamp, day, followers_ok=False)

    # --- 5. cascade -----------------------------------------------------------------------
    def _cascade(
        self,
        brand: BrandAgent,
        post: Post,
        sharers: Any,
        viewers: Any,
        day: int,
        row: dict,
        results: np.ndarray,
    ) -> None:
        """Shares expose the sharers' followers hop by hop (independent cascade, model.md §3.5).

        Everyone who saw the post in its three passes is marked again first: a later post of the
        same day may have replaced their mark, and a person sees a given post at most once.
        """
        platform = self.platforms[post.platform]
        stamp = post_stamp(day, len(self.brands), brand.index, post.number)
        self._stamp(brand, viewers, stamp)
        frontier = sharers
        for hop in range(1, self.behavior.max_hops + 1):
            if len(frontier) == 0:
                break
            reached = self._spread(
                brand, frontier, Stream.CASCADE, post.number, hop, platform.share_link_rate, day
            )
            exposed = self._shown(brand, post, reached, stamp, day, followers_ok=True)
            _, frontier = self._respond(
                brand,
                post,
                day,
                [(HOP_CASCADE + hop, exposed)],
                row,
                self._carried(brand),
                results,
                "impressions_share",
                comment_post=CARRIED_POST + post.number,
            )

    def _new_row(self, brand: BrandAgent) -> dict:
        """The day's metrics row of ``brand``: every flow at zero, posts by platform too."""
        row = dict.fromkeys(FLOWS, 0.0)
        row.update(dict.fromkeys(self.post_columns, 0.0))
        row["brand"] = brand.name
        return row
