"""Brands as Mesa agents: turning a strategy into the day's plan (phase 1) and learning (phase 12).

Shared by both engines: a brand's decisions depend only on its strategy, its own records and
counter-based draws, never on how the audience is stored.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field

import mesa
import numpy as np

from sim import behavior
from sim.metrics import (
    WINDOW_DAYS,
    engagement_rate,
    platform_followers_column,
    platform_posts_column,
    roi,
)
from sim.rng import Stream, uniform
from sim.schema import CONTENT_TYPES, Behavior, Market, Platform, Strategy

__all__ = ["Post", "DayPlan", "BrandAgent", "PROMO", "INCIDENT_POST"]

PROMO = CONTENT_TYPES.index("promo")
INCIDENT_POST = 999
"""Post number of an account incident (a rogue post by someone with shared credentials)."""
MOOD_HOP = 1
"""Hop field of the weekly burst/gap draw of a brand without a plan."""
COMMENT_RATE_WEIGHT = 0.2
"""Weight of today's comments in the brand's smoothed comments a day, by which it plans reply
hours (an exponential average whose memory is about five days; a planning habit, not a
behavioural parameter of the audience)."""


@dataclass(frozen=True)
class Post:
    """One post: where, which number today, content type, quality, and whether it is a gaffe."""

    platform: int
    number: int
    content: int
    quality: float
    gaffe: bool


@dataclass
class DayPlan:
    """A brand's actions for one day within its hours budget (docs/model.md §3.1)."""

    posts: list[Post] = field(default_factory=list)
    reply_hours: float = 0.0
    post_hours: float = 0.0
    follows: int = 0
    outreach_hours: float = 0.0

    def posts_on(self, platform: int) -> int:
        """Posts planned today on one platform (incidents included: they share the feed)."""
        return sum(post.platform == platform for post in self.posts)


class BrandAgent(mesa.Agent):
    """A brand: plans posts, replies and outreach within its hours, then learns and decides."""

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        name: str,
        strategy: Strategy,
        platform_indices: list[int],
        platforms: list[Platform],
        behavior_params: Behavior,
        market: Market,
        seed: int,
        active: bool = True,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.strategy = strategy
        self.platform_indices = platform_indices
        self.platforms = platforms
        self.post_columns = [platform_posts_column(platform.name) for platform in platforms]
        self.behavior = behavior_params
        self.market = market
        self.seed = seed
        self.active = active
        self.quit_day: int | None = None if active else 0
        self._set_mix(np.array(strategy.content_mix.shares()))
        self.recent_hours: deque[float] = deque(maxlen=6)
        self.comment_rate = 0.0
        self.queue_length = 0
        self.feed_engagements = {p: 0.0 for p in platform_indices}
        self.feed_impressions = {p: 0.0 for p in platform_indices}
        self.boost_balance = 0.0
        self.today_engagements = {p: 0.0 for p in platform_indices}
        self.today_impressions = {p: 0.0 for p in platform_indices}
        self.restricted_since = {p: 0 for p in platform_indices}
        self.restricted_until = {p: -1 for p in platform_indices}
        self.blocked_until = {p: -1 for p in platform_indices}
        self.last_post_day = 0
        self.fake_followers = 0.0
        self.bought_today = 0.0  # real accounts
        self.type_kpi = np.zeros(len(CONTENT_TYPES))
        self.type_posts = np.zeros(len(CONTENT_TYPES))
        self.window: deque[tuple[float, list[float]]] = deque(maxlen=WINDOW_DAYS)
        self.cum_revenue = 0.0
        self.cum_cost = 0.0

    def _set_mix(self, mix: np.ndarray) -> None:
        """The content mix (shares by type) and its cumulative bounds, which a draw in [0, 1)
        falls between to pick a post's type."""
        self.mix = mix
        self.mix_bounds: list[float] = np.cumsum(mix).tolist()

    @property
    def main_platform(self) -> int:
        """The platform where the brand does outreach (the first of its strategy's platforms)."""
        return self.platform_indices[0]

    def recommended_platform(self, member: np.ndarray) -> np.ndarray:
        """Where people told about the brand would follow it: the first of its platforms (the
        main one first) each is on, or -1 for people on none. ``member``: memberships by
        platform, for a set of people (platforms x people) or for one person."""
        on = np.asarray(member)[self.platform_indices]
        first = np.asarray(self.platform_indices)[np.argmax(on, axis=0)]
        return np.where(on.any(axis=0), first, -1)

    # --- phase 1: plan -------------------------------------------------------------------
    def ranking(self, platform: int) -> float:
        """Today's feed ranking factor on a platform (engagement per follower impression)."""
        params = self.platforms[platform]
        impressions = self.feed_impressions[platform]
        if impressions <= 0:
            return 1.0
        rate = self.feed_engagements[platform] / impressions
        return behavior.ranking_factor(
            rate, params.rank_reference, params.rank_sensitivity, params.rank_min, params.rank_max
        )

    def adaptation(self, platform: int) -> float:
        """Quality multiplier of the brand's content on ``platform``: 1 where the content is made
        for it (adapted to each platform, or the main platform of content made once and cross-
        posted), else the platform's ``unadapted_quality``."""
        if self.strategy.adapt_per_platform or platform == self.main_platform:
            return 1.0
        return self.platforms[platform].unadapted_quality

    def restricted(self, platform: int, day: int) -> bool:
        """Whether the brand's reach on ``platform`` is restricted on ``day`` (from the day after
        a violation, so not on the violation's own day)."""
        return self.restricted_since[platform] <= day <= self.restricted_until[platform]

    def silent(self, day: int) -> bool:
        """Whether the brand has not posted for longer than ``silence_days``, so that its
        followers may drop out (docs/model.md §3.8)."""
        return day - self.last_post_day > self.behavior.silence_days

    def feed_chance(self, platform: int, day: int, posts_today: int) -> float:
        """Chance an online follower sees one of today's posts on ``platform``."""
        params = self.platforms[platform]
        restriction = params.restriction_factor if self.restricted(platform, day) else 1.0
        return behavior.feed_chance(
            params.feed_rate,
            self.ranking(platform),
            restriction,
            posts_today,
            params.frequency_damping,
        )

    def scheduled_posts(self, day: int) -> int:
        """Posts the schedule asks for today on each platform, with bursts and gaps (no plan)."""
        rate = self.strategy.posts_per_week / 7.0
        planned = math.floor((day + 1) * rate) - math.floor(day * rate)
        burstiness = self.strategy.burstiness
        if burstiness > 0:
            mood = uniform(self.seed, Stream.BRAND, self.index, day // 7, 0, MOOD_HOP)
            if mood < burstiness / 2:
                return 0
            if mood < burstiness:
                return 2 * planned
        return planned

    def follows_planned(self, day: int) -> int:
        """Simulated accounts to follow today: the real follow rate divided by ``scale``."""
        rate = self.strategy.follow_rate / self.market.scale
        return math.floor((day + 1) * rate) - math.floor(day * rate)

    def _quality(self, creative_hours: float) -> float:
        """Quality of a post given ``creative_hours`` of work, with the strategy's automation."""
        return float(
            behavior.post_quality(
                creative_hours,
                self.behavior.quality_half_hours,
                self.strategy.automation_share,
                self.behavior.automation_quality,
                self.strategy.formality,
                self.behavior.formal_quality,
            )
        )

    def _funded_shares(self, hours_per_post: float) -> tuple[float, float, float]:
        """The share of its planned hours each use gets over a week of this plan: replies to the
        comments the brand expects first, then the schedule's posts, outreach from what is left,
        so that a shortfall cuts outreach first whichever days each use falls on."""
        strategy = self.strategy
        reply_hours = self.behavior.reply_hours * self.market.scale
        planned = (
            7.0 * strategy.reply_rate * self.comment_rate * reply_hours,
            strategy.posts_per_week * len(self.platform_indices) * hours_per_post,
            7.0 * strategy.follow_rate * self.behavior.follow_hours,
        )
        left, shares = strategy.weekly_hours, []
        for hours in planned:
            funded = min(hours, left)
            shares.append(funded / hours if hours > 0 else 1.0)
            left -= funded
        reply_share, post_share, outreach_share = shares
        return reply_share, post_share, outreach_share

    def plan(self, day: int) -> DayPlan:
        """Turn the strategy into today's posts, reply reserve and outreach (docs/model.md §3.1).

        Each use gets its planned hours; a shortfall cuts outreach first, then posts, the reply
        reserve last. Hours of an action-blocked day go to posts.
        """
        if not self.active:
            return DayPlan()
        strategy = self.strategy
        consistency = strategy.consistency * math.exp(-strategy.consistency_decay * day / 365.0)
        drafts: list[tuple[int, int, int, bool]] = []
        number = 0
        for platform in self.platform_indices:
            for _ in range(self.scheduled_posts(day)):
                happens = uniform(self.seed, Stream.BRAND, self.index, day, number) < consistency
                if happens:
                    pick = uniform(self.seed, Stream.BRAND, self.index, day, number, 0, 0, 1)
                    content = min(bisect_right(self.mix_bounds, pick), len(CONTENT_TYPES) - 1)
                    gaffe = (
                        not strategy.review
                        and uniform(self.seed, Stream.INCIDENTS, self.index, day, number)
                        < self.behavior.gaffe_chance
                    )
                    drafts.append((platform, number, content, gaffe))
                number += 1
        automation_hours = 1.0 - strategy.automation_share * (1.0 - self.behavior.automation_hours)
        post_hours_planned = len(drafts) * strategy.hours_per_post * automation_hours
        follows = self.follows_planned(day)
        outreach_full = follows * self.behavior.follow_hours * self.market.scale
        outreach_planned = outreach_full
        expected = self.queue_length + self.comment_rate
        reserve_comments = math.ceil(strategy.reply_rate * expected) + (strategy.reply_rate > 0)
        reserve_planned = reserve_comments * self.behavior.reply_hours * self.market.scale
        if strategy.budget_priority == "week":
            reply_share, post_share, outreach_share = self._funded_shares(
                strategy.hours_per_post * automation_hours
            )
            reserve_planned *= reply_share
            post_hours_planned *= post_share
            outreach_planned *= outreach_share
        if day <= self.blocked_until[self.main_platform]:
            post_hours_planned += outreach_planned if drafts else 0.0
            outreach_planned, outreach_full, follows = 0.0, 0.0, 0
        available = max(0.0, strategy.weekly_hours - sum(self.recent_hours))
        reply_hours = min(reserve_planned, available)
        post_hours = min(post_hours_planned, available - reply_hours)
        outreach_hours = min(outreach_planned, available - reply_hours - post_hours)
        if outreach_full > 0:
            follows = math.floor(follows * outreach_hours / outreach_full + 1e-9)
        if post_hours <= 0.0 and automation_hours > 0.0:
            drafts = []  # no hours left to make the day's posts
        plan = DayPlan(
            reply_hours=reply_hours,
            post_hours=post_hours,
            follows=follows,
            outreach_hours=outreach_hours,
        )
        if drafts:
            creative_hours = (
                post_hours / len(drafts) / automation_hours
                if automation_hours > 0
                else strategy.hours_per_post  # fully automated posts that cost no hours
            )
            quality = self._quality(creative_hours)
            plan.posts = [
                Post(platform, number, content, quality * self.adaptation(platform), gaffe)
                for platform, number, content, gaffe in drafts
            ]
        if (
            not strategy.policy
            and uniform(self.seed, Stream.INCIDENTS, self.index, day, 0, 1)
            < self.behavior.incident_rate
        ):
            rogue_quality = self._quality(strategy.hours_per_post)  # reaches people like a post
            rogue = Post(self.main_platform, INCIDENT_POST, PROMO, rogue_quality, True)
            plan.posts.append(rogue)
        self.boost_balance += strategy.boost_budget / 7.0
        return plan

    def fake_impressions(self, platform: int, chance: float, activity: float) -> float:
        """Feed impressions of a post on ``platform`` that go to bought followers (who never
        engage): they follow the brand on its main platform only."""
        if platform != self.main_platform:
            return 0.0
        return self.fake_followers * chance * activity

    def boost_spend(self, post: Post, engagements: int, impressions: float) -> float:
        """Money spent boosting ``post`` (0: not boosted), given its feed engagements and
        impressions: a boosted post spends the budget saved since the last boost; an account
        incident is never boosted (docs/model.md §3.2)."""
        if self.boost_balance <= 0 or post.number == INCIDENT_POST:
            return 0.0
        usual = (self.feed_engagements[post.platform], self.feed_impressions[post.platform])
        rule = self.strategy.boost_rule
        if not behavior.boosted(rule, post.content == PROMO, engagements, impressions, usual):
            return 0.0
        spend, self.boost_balance = self.boost_balance, 0.0
        return spend

    # --- phase 11: metrics -----------------------------------------------------------------
    def update_bought_followers(self, purge_rate: float, scale: float) -> None:
        """Tonight's purge of the bought followers, then today's purchase (none once the brand
        has quit); the metrics count them among the followers."""
        per_month = self.strategy.bought_followers_per_month if self.active else 0.0
        self.bought_today = per_month / 30.0
        self.fake_followers = behavior.bought_followers(
            self.fake_followers, purge_rate, self.bought_today, scale
        )

    # --- phase 12: learn and decide ------------------------------------------------------
    def record_feed(self, platform: int, engagements: int, impressions: float) -> None:
        """Count one post's feed engagements and impressions toward today's ranking signal."""
        self.today_engagements[platform] += engagements
        self.today_impressions[platform] += impressions

    def _update_ranking(self) -> None:
        """Once a day: exponential memory of daily feed totals over the platform's window."""
        for platform in self.platform_indices:
            weight = 1.0 / self.platforms[platform].rank_window_days
            engagements = self.today_engagements[platform]
            impressions = self.today_impressions[platform]
            self.feed_engagements[platform] += weight * (
                engagements - self.feed_engagements[platform]
            )
            self.feed_impressions[platform] += weight * (
                impressions - self.feed_impressions[platform]
            )
            self.today_engagements[platform] = 0.0
            self.today_impressions[platform] = 0.0

    def restrict(self, platform: int, day: int) -> None:
        """A spam-rule violation: restricted reach and an action block from tomorrow."""
        params = self.platforms[platform]
        if not self.restricted(platform, day):
            self.restricted_since[platform] = day + 1
        self.restricted_until[platform] = day + params.restriction_days
        self.blocked_until[platform] = day + params.block_days

    def learn(self, day: int, row: dict, plan: DayPlan, type_results: np.ndarray) -> None:
        """Record KPIs, adapt the content mix, apply the quit rule (effective tomorrow)."""
        self._update_ranking()
        self.recent_hours.append(row["hours"])
        comments_today = row["comments"] / self.market.scale
        self.comment_rate += COMMENT_RATE_WEIGHT * (comments_today - self.comment_rate)
        self.cum_revenue += row["revenue"]
        self.cum_cost += row["cost"]
        self.window.append((row["engagements"], [row[column] for column in self.post_columns]))
        if any(post.number != INCIDENT_POST for post in plan.posts):
            self.last_post_day = day
        self.type_kpi += type_results[0]
        self.type_posts += type_results[1]
        strategy = self.strategy
        if strategy.adaptive and day % 7 == 6 and self.type_posts.sum() > 0:
            posted = self.type_posts > 0
            per_post = self.type_kpi[posted] / self.type_posts[posted]
            if per_post.sum() > 0:
                target = self.mix.copy()  # a type not posted this week keeps its share
                target[posted] = per_post / per_post.sum() * self.mix[posted].sum()
                self._set_mix((1.0 - strategy.adapt_rate) * self.mix + strategy.adapt_rate * target)
            self.type_kpi[:] = 0.0
            self.type_posts[:] = 0.0
        rule = strategy.quit_rule
        checked = self.active and rule.kpi != "never" and day == rule.check_day
        if checked and (rule.kpi == "always" or self.kpi(rule.kpi, row) < rule.target):
            self.active = False
            self.quit_day = day + 1

    def kpi(self, name: str, row: dict) -> float:
        """The brand's own view of a KPI today (it cannot see the no-social baseline)."""
        if name == "followers":
            return row["followers"]
        if name == "revenue":
            return self.cum_revenue
        if name == "engagement":
            engagements = sum(e for e, _ in self.window)
            posts = np.sum([posts for _, posts in self.window], axis=0)
            followers = [row[platform_followers_column(p.name)] for p in self.platforms]
            return float(engagement_rate(engagements, posts, followers))
        if name == "roi":
            return float(roi(self.market.margin, self.cum_revenue, self.cum_cost))
        raise ValueError(f"unknown KPI {name!r}: followers, revenue, engagement or roi")
