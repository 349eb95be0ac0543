"""The day's metrics row of a brand: its audience stocks, then every count in real people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from sim.engines.kernels import stock_sums
from sim.engines.outside import OutsideLedger
from sim.metrics import platform_followers_column
from sim.schema import Scenario
from sim.strategy import BrandAgent, DayPlan

__all__ = ["SCALED_FLOWS", "AudienceStocks", "audience_stocks", "close_row", "count_unfollows"]

SCALED_FLOWS = (
    "impressions",
    "impressions_feed",
    "impressions_discovery",
    "impressions_paid",
    "impressions_surfacing",
    "impressions_share",
    "impressions_recommendation",
    "engagements",
    "likes",
    "comments",
    "shares",
    "complaints",
    "comments_answered",
    "comments_ignored",
    "wrong_answers",
    "arguments",
    "reprisals",
    "new_follows",
    "unfollows",
    "unfollows_promo",
    "unfollows_irrelevance",
    "unfollows_volume",
    "unfollows_pruning",
    "unfollows_dropout",
    "unfollows_spam",
    "mutes",
    "blocks",
    "recommendations",
)
"""Flows counted in simulated people during the day and reported in real people (x scale)."""


class AudienceStocks(NamedTuple):
    """A brand's audience stocks at the end of a day, in simulated people."""

    followers: int
    mean_trust: float
    equity: float
    advocates: int
    aware: int
    reach: int


def audience_stocks(
    trust: np.ndarray,
    fit: np.ndarray,
    follower: np.ndarray,
    salience: np.ndarray,
    seen_day: np.ndarray,
    day: int,
    advocate_threshold: float,
    outsiders: OutsideLedger,
) -> AudienceStocks:
    """Stocks over the known set, given as arrays in ascending person order (docs/model.md
    section 5); equity and advocates also count the people outside it (``outsiders``), whose
    trust is kept: the spec sums them over all people."""
    followers, trust_sum, equity, advocates, aware, reach = stock_sums(
        trust, fit, follower, salience, seen_day, day, advocate_threshold
    )
    return AudienceStocks(
        followers=followers,
        mean_trust=trust_sum / followers if followers else 0.0,
        equity=equity + outsiders.equity(day),
        advocates=advocates + outsiders.advocates(day),
        aware=aware,
        reach=reach,
    )


def close_row(
    brand: BrandAgent,
    plan: DayPlan,
    day: int,
    row: dict,
    stocks: AudienceStocks,
    platform_followers: Sequence[int],
    following: int,
    customers: int,
    scenario: Scenario,
) -> None:
    """Fill the day's metrics row in real people (x ``scale``), hours and cost.

    ``platform_followers`` counts the followers on each of the scenario's platforms.
    """
    market = scenario.market
    scale = market.scale
    row.update(
        day=day,
        followers=(stocks.followers + brand.fake_followers) * scale,
        fake_followers=brand.fake_followers * scale,
        following=following * scale,
        mean_trust=stocks.mean_trust,
        equity=stocks.equity * scale,
        advocates=stocks.advocates * scale,
        aware=stocks.aware * scale,
        customers=customers * scale,
        active=int(brand.active),
        restricted=int(any(brand.restricted(p, day) for p in brand.platform_indices)),
        reach=stocks.reach * scale,
        hours_posts=plan.post_hours,
    )
    for index, (platform, count) in enumerate(
        zip(scenario.platforms, platform_followers, strict=True)
    ):
        fakes = brand.fake_followers if index == brand.main_platform else 0.0
        row[platform_followers_column(platform.name)] = (count + fakes) * scale
    for name in SCALED_FLOWS:
        row[name] *= scale
    row["hours"] = row["hours_posts"] + row["hours_replies"] + row["hours_outreach"]
    row["incidents"] = sum(post.gaffe for post in plan.posts)
    row["cost"] = (
        row["hours"] * brand.strategy.hourly_cost
        + brand.bought_today * market.fake_follower_price
        + row["ad_spend"]
    )


def count_unfollows(row: dict, causes: dict[str, int]) -> None:
    """Add the day's unfollows, in all and by cause (``unfollows_<cause>``), to its row."""
    for cause, count in causes.items():
        row["unfollows"] += count
        row[f"unfollows_{cause}"] += count
