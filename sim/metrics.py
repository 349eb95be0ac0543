"""The daily metrics table: one row per (seed, brand, day), the columns of model spec section 4.

Counts are reported in real people (simulated counts times the market ``scale``). The final-outcome
names used by the CLI, app and tests map onto these columns in ``FINAL_OUTCOMES``.
"""

from __future__ import annotations

__all__ = ["STOCKS", "FLOWS", "WINDOWED", "CUMULATIVE", "COLUMNS", "FINAL_OUTCOMES"]

STOCKS: dict[str, str] = {
    "followers": "unique followers across the brand's platforms (real people, fakes excluded)",
    "fake_followers": "bought followers not yet purged by the platform",
    "following": "accounts the brand follows",
    "mean_trust": "mean trust of followers",
    "equity": "relationship equity: sum over people of trust x fit (real people)",
    "advocates": "people with trust above the advocate threshold",
    "aware": "people with salience above the forgetting floor",
    "customers": "people who have bought at least once",
    "active": "1 while the brand is active, 0 after it quit",
    "restricted": "1 on days the brand's reach is restricted by a platform's spam rules",
}
FLOWS: dict[str, str] = {
    "posts": "posts published",
    "impressions": "post impressions, all channels",
    "impressions_feed": "impressions in followers' feeds",
    "impressions_discovery": "impressions of non-followers on explore surfaces",
    "impressions_surfacing": "impressions of engagers' followers",
    "impressions_share": "impressions through shares (cascade)",
    "impressions_recommendation": "recommendations heard (word of mouth)",
    "reach": "unique people who saw a post",
    "engagements": "likes + comments + shares",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "comments_answered": "comments answered",
    "comments_ignored": "comments left unanswered",
    "wrong_answers": "questions answered wrongly (no routing to the right department)",
    "new_follows": "new followers",
    "unfollows": "unfollows, all causes",
    "unfollows_promo": "unfollows from fatigue, mostly promotional",
    "unfollows_irrelevance": "unfollows from fatigue, mostly irrelevant content",
    "unfollows_volume": "unfollows from fatigue, mostly posting volume",
    "unfollows_pruning": "unfollows by pruning low-value accounts",
    "unfollows_dropout": "unfollows after the brand went silent",
    "unfollows_spam": "unfollows and blocks as a reaction to spam-like outreach",
    "mutes": "mutes",
    "blocks": "blocks",
    "recommendations": "recommendations made by advocates",
    "conversions": "purchases",
    "revenue": "revenue of the day",
    "hours_posts": "hours spent on posts",
    "hours_replies": "hours spent replying",
    "hours_outreach": "hours spent on outreach",
    "hours": "hours spent",
    "cost": "cost of the day (hours x hourly cost, bought followers)",
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
