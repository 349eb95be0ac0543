"""The daily metrics table: one row per (seed, brand, day), the columns of docs/model.md section 5.

Counts are reported in real people (simulated counts times the market ``scale``). The final-outcome
names used by the CLI, app and tests map onto these columns in ``FINAL_OUTCOMES``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "STOCKS",
    "FLOWS",
    "WINDOWED",
    "CUMULATIVE",
    "COLUMNS",
    "SIGNED",
    "FINAL_OUTCOMES",
    "finish",
    "engagement_rate",
    "platform_followers_column",
    "platform_posts_column",
    "incremental_profit",
    "roi",
]

STOCKS: dict[str, str] = {
    "followers": "unique followers across the brand's platforms as shown, fakes included",
    "fake_followers": "bought followers not yet purged by the platform",
    "following": "accounts the brand follows",
    "mean_trust": "mean trust of followers",
    "equity": "relationship equity: sum over people of trust x fit, in real people (as many as "
    "would fully trust the brand and fully fit it): an index, not money",
    "advocates": "people with trust above the advocate threshold",
    "aware": "people with salience above the forgetting floor",
    "customers": "people who have bought at least once",
    "active": "1 while the brand is active, 0 after it quit",
    "restricted": "1 on days the brand's reach is restricted by a platform's spam rules "
    "(from the day after a violation)",
}
FLOWS: dict[str, str] = {
    "posts": "posts published",
    "impressions": "post impressions, all channels",
    "impressions_feed": "impressions in followers' feeds",
    "impressions_discovery": "impressions of non-followers on explore surfaces",
    "impressions_surfacing": "impressions of engagers' followers",
    "impressions_share": "impressions through shares (cascade)",
    "impressions_recommendation": "recommendations heard (word of mouth)",
    "impressions_paid": "paid impressions of boosted posts (people who do not follow the brand)",
    "reach": "unique people who saw a post",
    "engagements": "likes + comments + shares",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "comments_answered": "comments and complaints answered",
    "comments_ignored": "comments and complaints left unanswered",
    "wrong_answers": "questions answered wrongly (no routing to the right department)",
    "arguments": "answers that argued with the person, forcing the brand's view",
    "reprisals": "complaints drawn by wrong answers and arguments (comments on the brand, "
    "answered the next day)",
    "new_follows": "new followers",
    "unfollows": "unfollows, all causes",
    "unfollows_promo": "unfollows from fatigue, mostly promotional",
    "unfollows_irrelevance": "unfollows from fatigue, mostly irrelevant content",
    "unfollows_volume": "unfollows from fatigue, mostly posting volume",
    "unfollows_pruning": "unfollows by pruning low-value accounts",
    "unfollows_dropout": "unfollows after the brand went silent",
    "unfollows_spam": "unfollows from fatigue, mostly spam-like outreach (blocks: see blocks)",
    "mutes": "mutes",
    "blocks": "blocks",
    "recommendations": "recommendations made by advocates",
    "conversions": "purchases",
    "complaints": "complaints of unhappy customers (comments on the brand, not on a post)",
    "revenue": "revenue of the day",
    "hours_posts": "hours spent on posts",
    "hours_replies": "hours spent replying",
    "hours_outreach": "hours spent on outreach",
    "hours": "hours spent",
    "ad_spend": "money spent on boosting posts (paid impressions)",
    "cost": "cost of the day (hours x hourly cost, bought followers, boosts)",
    "incidents": "gaffes and account incidents",
    "baseline_revenue": "revenue of the paired no-social-media run",
}
WINDOWED: dict[str, str] = {
    "engagement_rate": "interactions per follower per post over the last 28 days (Rival IQ)",
    "engagement_per_impression": "interactions per impression over the last 28 days",
}
CUMULATIVE: dict[str, str] = {
    "cum_revenue": "revenue since day 0",
    "cum_cost": "cost since day 0",
    "cum_new_follows": "new followers since day 0",
    "cum_unfollows": "unfollows since day 0",
    "roi": "cumulative (gross profit - cost) / cost",
    "incremental_revenue": "cumulative revenue minus the paired baseline's",
    "incremental_profit": "cumulative margin x incremental revenue - cost",
    "incremental_roi": "incremental profit / cumulative cost",
}
COLUMNS: dict[str, str] = {**STOCKS, **FLOWS, **WINDOWED, **CUMULATIVE}
SIGNED = frozenset({"roi", "incremental_revenue", "incremental_profit", "incremental_roi"})
"""The columns that can be negative; every other one counts people, events, hours or money
spent or earned, and is never below 0."""

FINAL_OUTCOMES: dict[str, str] = {
    "followers": "followers",
    "equity": "equity",
    "advocates": "advocates",
    "engagement_rate": "engagement_rate",
    "revenue": "cum_revenue",
    "cost": "cum_cost",
    "roi": "roi",
    "unfollows": "cum_unfollows",
    "incremental_profit": "incremental_profit",
}

WINDOW_DAYS = 28
ID_COLUMNS = ("seed", "brand", "day")


def platform_followers_column(platform: str) -> str:
    """The metrics column of the followers on ``platform`` as shown (the brand's bought
    followers on its main platform), one per platform of the scenario after the fixed columns;
    a person following on two platforms counts on both, ``followers`` counts them once."""
    return f"followers_{platform}"


def platform_posts_column(platform: str) -> str:
    """The metrics column of the brand's posts of the day on ``platform`` (account incidents
    included, as in ``posts``)."""
    return f"posts_{platform}"


def engagement_rate(engagements, posts_by_platform, followers_by_platform):
    """Interactions per follower per post (Rival IQ), over every platform at once: engagements
    over the pairs of a post and a follower on the post's platform, 0 without such pairs.

    ``posts_by_platform`` and ``followers_by_platform`` hold one scalar or array per platform.
    On one platform this is engagements / posts / followers; a brand posting on platforms where
    nobody follows it is not made to look less engaging by those posts.
    """
    pairs = sum(
        np.asarray(posts, dtype=float) * followers
        for posts, followers in zip(posts_by_platform, followers_by_platform, strict=True)
    )
    engagements, pairs = np.broadcast_arrays(np.asarray(engagements, dtype=float), pairs)
    return np.divide(engagements, pairs, out=np.zeros(pairs.shape), where=pairs > 0)


def incremental_profit(margin: float, incremental_revenue, cum_cost):
    """Profit the social activity added: the margin on revenue above the no-social baseline, less
    everything it cost (scalars or arrays)."""
    return margin * incremental_revenue - cum_cost


def roi(margin: float, cum_revenue, cum_cost):
    """Return on the social spend so far: the margin on revenue less the cost, over the cost; 0
    before anything was spent (scalars or arrays)."""
    cum_cost = np.asarray(cum_cost, dtype=np.float64)
    spent = cum_cost > 0
    gross = margin * np.asarray(cum_revenue, dtype=np.float64)
    return np.where(spent, (gross - cum_cost) / np.where(spent, cum_cost, 1.0), 0.0)


def finish(raw: pd.DataFrame, baseline_revenue: pd.Series | None, margin: float) -> pd.DataFrame:
    """Add windowed, cumulative and incremental columns to the engine's raw daily rows.

    ``baseline_revenue`` is the paired no-social run's daily revenue per (brand, day); None
    leaves the incremental columns as if the baseline sold nothing.
    """
    frame = raw.sort_values(["brand", "day"], kind="stable").reset_index(drop=True)
    if baseline_revenue is not None:
        index = pd.MultiIndex.from_frame(frame[["brand", "day"]])
        frame["baseline_revenue"] = baseline_revenue.reindex(index).to_numpy()
    else:
        frame["baseline_revenue"] = 0.0
    by_brand = frame.groupby("brand", sort=False)
    engagements = by_brand["engagements"].transform(_rolling_sum)
    impressions = by_brand["impressions"].transform(_rolling_sum)
    platforms = [
        column.removeprefix(platform_followers_column(""))
        for column in raw.columns
        if column.startswith(platform_followers_column(""))
    ]
    frame["engagement_rate"] = engagement_rate(
        engagements.to_numpy(),
        [by_brand[platform_posts_column(p)].transform(_rolling_sum).to_numpy() for p in platforms],
        [frame[platform_followers_column(p)].to_numpy() for p in platforms],
    )
    frame["engagement_per_impression"] = (engagements / impressions.where(impressions > 0)).fillna(
        0.0
    )
    for name, source in (
        ("cum_revenue", "revenue"),
        ("cum_cost", "cost"),
        ("cum_new_follows", "new_follows"),
        ("cum_unfollows", "unfollows"),
    ):
        frame[name] = by_brand[source].cumsum()
    cost = frame["cum_cost"].where(frame["cum_cost"] > 0)
    frame["roi"] = roi(margin, frame["cum_revenue"], frame["cum_cost"])
    frame["incremental_revenue"] = (
        (frame["revenue"] - frame["baseline_revenue"]).groupby(frame["brand"], sort=False).cumsum()
    )
    frame["incremental_profit"] = incremental_profit(
        margin, frame["incremental_revenue"], frame["cum_cost"]
    )
    frame["incremental_roi"] = (frame["incremental_profit"] / cost).fillna(0.0)
    columns = (platform_followers_column, platform_posts_column)
    per_platform = [column(p) for p in platforms for column in columns]
    return frame[[*ID_COLUMNS, *COLUMNS, *per_platform]]


def _rolling_sum(series: pd.Series) -> pd.Series:
    return series.rolling(WINDOW_DAYS, min_periods=1).sum()
