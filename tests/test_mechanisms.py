"""Each mechanism points the way docs/model.md says, with hand-computed values.

Docking compares two engines that share ``sim.behavior``, and the kernels' tests build their
references from it, so neither notices a formula that points the wrong way; these do.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from experiments.sweep import extract_outcomes
from sim import behavior, summary
from sim.metrics import FLOWS, STOCKS, finish
from sim.model import EngagementModel
from sim.schema import (
    CONTENT_TYPES,
    Audience,
    Brand,
    Graph,
    Market,
    Platform,
    Scenario,
    Strategy,
)
from sim.strategy import DayPlan


def test_pruning_spares_fitting_trusting_and_followed_back_followers():
    hazard = behavior.prune_hazard(
        0.1, np.array([0.2, 0.2, 0.8]), np.array([0.1, 0.9, 0.1]), False, 0.3
    )
    np.testing.assert_allclose(hazard, [0.072, 0.008, 0.018])
    assert behavior.prune_hazard(0.1, 0.2, 1.0, False, 0.3) == 0.0
    assert behavior.prune_hazard(0.1, 0.2, 0.1, True, 0.3) == pytest.approx(0.3 * 0.072)


def test_a_reply_builds_trust_a_wrong_answer_and_silence_cost_it():
    trust = behavior.trust_after_comment(
        np.full(3, 0.5),
        np.array([True, True, False]),
        np.array([False, True, False]),
        0.2,
        0.3,
        0.1,
    )
    np.testing.assert_allclose(trust, [0.6, 0.35, 0.45])


def test_an_answer_backfires_when_wrong_or_when_it_argues():
    answered = np.array([True, True, True, True, True, False])
    question = np.array([False, True, True, False, True, True])
    routed = np.array([False, False, True, False, True, False])
    argues = np.array([False, False, False, True, True, False])
    wrong = behavior.is_wrong_answer(answered, question, routed)
    np.testing.assert_array_equal(wrong, [False, True, False, False, False, False])
    backfires = behavior.answer_backfires(wrong, argues)
    np.testing.assert_array_equal(backfires, [False, True, False, True, True, False])


def test_a_formal_voice_makes_every_post_duller():
    personal = behavior.post_quality(1.0, 0.5, 0.2, 0.5, 0.0, 0.3)
    formal = behavior.post_quality(1.0, 0.5, 0.2, 0.5, 0.7, 0.3)
    assert personal == 1.0 / 1.5 * 0.9
    assert formal == pytest.approx(personal * (1 - 0.21))
    assert behavior.post_quality(1.0, 0.5, 0.2, 0.5, 1.0, 0.0) == personal


def test_a_soft_sell_works_only_on_people_who_trust_the_brand():
    def chance(trust, saw_promo):
        return behavior.purchase_chance(0.01, 1.0, 1.0, trust, 0.1, False, 1.0, saw_promo, 0.05)

    assert chance(0.0, True) == chance(0.0, False)
    assert chance(0.5, True) == pytest.approx(chance(0.5, False) + 0.05 * 0.5)
    assert chance(0.5, False) > chance(0.0, False)  # the relationship multiplies buying


def test_a_second_post_the_same_day_reaches_fewer_each():
    one = behavior.feed_chance(0.5, 1.0, 1.0, 1, 0.5)
    two = behavior.feed_chance(0.5, 1.0, 1.0, 2, 0.5)
    assert two == pytest.approx(one / np.sqrt(2)) and two < one


def test_fatigue_by_source():
    promo, irrelevance, volume = behavior.fatigue_from_post(True, 0.25, 3, 0.2, 0.1, 0.05)
    assert (promo, irrelevance, volume) == pytest.approx((0.2, 0.075, 0.15))
    assert behavior.fatigue_from_post(False, 0.25, 0, 0.2, 0.1, 0.05)[::2] == (0.0, 0.0)


def test_engagement_rises_with_trust_and_falls_with_fatigue():
    def chance(trust, fatigue):
        return float(behavior.engage_chance(0.05, 1.0, 1.0, 1.0, 1.0, 1.0, trust, fatigue, 0.5))

    assert chance(1.0, 0.0) == pytest.approx(3 * chance(0.0, 0.0))  # offset 0.5: full trust x3
    assert chance(0.0, 1.0) == pytest.approx(chance(0.0, 0.0) / 2)


def test_engagements_split_into_comments_shares_and_likes_by_one_draw():
    draws = np.array([0.0, 0.09, 0.1, 0.29, 0.31, 0.99])
    comment, share = behavior.engagement_kind(draws, 0.1, 0.2)
    assert comment.tolist() == [True, True, False, False, False, False]
    assert share.tolist() == [False, False, True, True, False, False]
    assert behavior.engagement_kind(0.15, 0.1, 0.2) == (False, True)


def test_only_a_poorly_fitting_stranger_reads_a_follow_as_spam():
    assert behavior.reads_as_spam(0.0, 0.1, 0.2)
    assert not behavior.reads_as_spam(0.3, 0.1, 0.2)  # has heard of the brand
    assert not behavior.reads_as_spam(0.0, 0.5, 0.2)  # the brand fits them


def test_follow_backs_and_recommended_follows_rise_with_sociability_and_fit():
    assert behavior.follow_back_chance(0.2, 0.5) == pytest.approx(0.1)
    assert behavior.follow_back_chance(0.2, 1.0) > behavior.follow_back_chance(0.2, 0.5)
    assert behavior.recommendation_follow_chance(0.3, 0.5) == pytest.approx(0.15)
    assert behavior.recommendation_follow_chance(0.3, 0.0) == 0.0


def test_following_rises_with_social_proof():
    alone = float(behavior.follow_chance(0.08, 1.0, 1.0, 0.0, 2.0))
    assert float(behavior.follow_chance(0.08, 1.0, 1.0, 0.5, 2.0)) == pytest.approx(2 * alone)


def test_trust_fades_only_after_the_grace_period():
    assert behavior.decayed_trust(0.8, 0, 0, 60, 60.0, 365.0) == 0.8
    assert behavior.decayed_trust(0.8, 0, 0, 425, 60.0, 365.0) == pytest.approx(0.4)
    assert behavior.decayed_trust(0.8, 0, 10, 30, 60.0, 365.0) == 0.8  # a recent contact


def test_a_purchase_moves_trust_up_when_satisfied_and_down_when_not():
    found = behavior.trust_after_purchase(np.array([0.5, 0.5]), np.array([True, False]), 0.25, 0.3)
    np.testing.assert_allclose(found, [0.625, 0.35])
    assert behavior.trust_after_purchase(1.0, False, 0.25, 0.3) == pytest.approx(0.7)


def test_feed_chance_is_a_chance():
    """Ranking may lift the feed rate past 1; the chance stops at 1 (bought followers'
    impressions use it as an expectation)."""
    assert behavior.feed_chance(0.9, 2.5, 1.0, 1, 0.5) == 1.0
    assert behavior.feed_chance(0.9, 2.5, 1.0, 4, 0.5) == 1.0
    assert behavior.feed_chance(0.4, 1.0, 0.5, 4, 0.5) == pytest.approx(0.1)


def test_a_stranger_engages_at_the_base_chance():
    """``base`` is the chance of a stranger (trust 0) at full sociability, quality, norm and
    fit, unfatigued."""
    assert behavior.engage_chance(0.05, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.5) == pytest.approx(
        0.05
    )


def test_a_post_moves_trust_by_its_value_and_a_gaffe_costs_a_share():
    assert behavior.trust_after_post(0.5, 0.4, False, 0.25, 0.3) == pytest.approx(0.55)
    assert behavior.trust_after_post(0.5, 10.0, False, 0.25, 0.3) == 1.0  # never past 1
    assert behavior.trust_after_post(0.5, 0.4, True, 0.25, 0.3) == pytest.approx(0.35)


def test_satisfaction_is_drawn_from_a_beta_of_its_mean_and_concentration():
    from scipy.stats import beta

    median = behavior.satisfaction_quantile(0.5, 0.7, 10.0)
    assert median == pytest.approx(beta(7.0, 3.0).ppf(0.5), rel=1e-12)
    assert behavior.satisfied(0.5, 0.7, 10.0, 0.6) and not behavior.satisfied(0.5, 0.7, 10.0, 0.8)


def _raw(days: int, **columns: list[float]) -> pd.DataFrame:
    """An engine's raw rows for one brand: every stock and flow 0 but one follower and
    ``columns``."""
    frame = pd.DataFrame({"seed": 1, "brand": "Acme", "day": range(days)})
    for name in (*STOCKS, *FLOWS):
        frame[name] = 0.0
    frame["followers"] = frame["followers_home"] = 1.0
    frame["followers_away"] = frame["posts_home"] = frame["posts_away"] = 0.0
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_finish_computes_roi_incremental_profit_and_the_28_day_engagement_rate():
    days = 30
    posts = [1.0] + [0.0] * (days - 1)
    revenue = [100.0] * days
    cost = [10.0] * days
    engagements = [3.0] + [0.0] * (days - 1)
    raw = _raw(days, posts_home=posts, posts_away=posts, engagements=engagements)
    raw = raw.assign(posts=[2.0 * n for n in posts], revenue=revenue, cost=cost)
    baseline = pd.Series(40.0, index=pd.MultiIndex.from_frame(raw[["brand", "day"]]))
    frame = finish(raw, baseline, margin=0.5)
    last = frame.iloc[-1]
    assert last["cum_cost"] == 300.0 and last["cum_revenue"] == 3000.0
    assert last["roi"] == pytest.approx((0.5 * 3000.0 - 300.0) / 300.0)
    assert last["incremental_profit"] == pytest.approx(0.5 * 60.0 * days - 300.0)
    # one post with 3 engagements to 1 follower; its copy where nobody follows counts for nothing
    assert frame.loc[27, "engagement_rate"] == 3.0
    assert frame.loc[28, "engagement_rate"] == 0.0  # out of the 28-day window


def test_engagement_per_impression_is_over_the_same_28_day_window():
    """Engagements and impressions are summed over the same window: 5 engagements on day 0
    against 10 impressions a day."""
    days = 30
    raw = _raw(days, engagements=[5.0] + [0.0] * (days - 1), impressions=[10.0] * days)
    frame = finish(raw, None, margin=0.5)
    expected = [5.0 / (10.0 * (day + 1)) for day in range(28)] + [0.0, 0.0]
    np.testing.assert_allclose(frame["engagement_per_impression"], expected)


def test_bought_followers_are_paid_for():
    strategy = Strategy(bought_followers_per_month=300, weekly_hours=0, posts_per_week=0)
    scenario = Scenario(
        audience=Audience(graph=Graph(people=300, mean_degree=6)),
        days=30,
        brands=[Brand(strategy=strategy)],
        market=Market(scale=10),
    )
    frame = EngagementModel(scenario, seed=1).run(30).metrics()
    price = scenario.market.fake_follower_price
    np.testing.assert_allclose(frame["cost"], 300 / 30 * price)
    assert frame["fake_followers"].iloc[0] == pytest.approx(300 / 30)  # real accounts, as bought


def test_bought_followers_arrive_in_simulated_accounts_after_the_purge():
    """100 held lose a tenth to the purge; 50 real accounts bought are 5 simulated at scale 10."""
    assert behavior.bought_followers(100.0, 0.1, 50.0, 10.0) == pytest.approx(95.0)
    assert behavior.bought_followers(0.0, 0.5, 0.0, 10.0) == 0.0


def test_ranking_factor_scales_reach_by_engagement_within_its_bounds():
    """Reach follows engagement per impression against the reference, clipped to [low, high];
    an audience that engages with nothing gets the lowest reach, not the highest."""
    low, high = 0.2, 2.5
    assert behavior.ranking_factor(0.0, 0.05, 1.0, low, high) == low
    assert behavior.ranking_factor(0.1, 0.05, 1.0, low, high) == pytest.approx(2.0)
    assert behavior.ranking_factor(0.05, 0.05, 0.7, low, high) == pytest.approx(1.0)
    assert behavior.ranking_factor(0.001, 0.05, 1.0, low, high) == low
    assert behavior.ranking_factor(1.0, 0.05, 1.0, low, high) == high


def test_follow_limits_allow_the_larger_of_the_floor_and_the_ratio():
    """Spam rules: following may reach the larger of the floor and ratio x followers (real
    accounts, ``scale`` per simulated one); daily actions are capped on their own."""

    def breaks(actions: int, following: int, followers: int) -> bool:
        return behavior.breaks_follow_limits(
            actions, following, followers, 10.0, 400.0, 1.1, 5000.0
        )

    assert not breaks(0, 100, 10)  # 1,000 following under the floor of 5,000
    assert breaks(0, 600, 10)  # 6,000 following over the floor; the ratio allows 110
    assert not breaks(0, 600, 1000)  # the ratio allows 11,000 to 10,000 followers
    assert not breaks(40, 0, 0) and breaks(41, 0, 0)  # 400 actions a day at most


def test_a_recommendation_raises_trust_towards_the_advocates_and_never_lowers_it():
    assert behavior.trust_from_recommendation(0.2, 0.6, 0.5) == pytest.approx(0.4)
    assert behavior.trust_from_recommendation(0.8, 0.6, 0.5) == 0.8
    found = behavior.trust_from_recommendation(np.array([0.2, 0.8]), np.array([0.6, 0.6]), 0.5)
    np.testing.assert_allclose(found, [0.4, 0.8])


def test_content_value_is_the_product_of_quality_type_norm_and_fit():
    """A platform's norm for a content type weighs its value (1 on the default platform, so only
    the other platforms show it)."""
    assert behavior.content_value(0.5, 0.8, 0.5, 0.9) == pytest.approx(0.18)
    assert behavior.content_value(0.5, 0.8, 1.2, 0.9) > behavior.content_value(0.5, 0.8, 1.0, 0.9)


@pytest.mark.parametrize("burstiness", [0.0, 1.0])
def test_no_plan_posts_in_bursts_and_gaps(burstiness):
    """At burstiness 1 a week has no posts or twice the planned ones; at 0 it has the plan."""
    strategy = Strategy(posts_per_week=7, burstiness=burstiness)
    scenario = Scenario(
        audience=Audience(graph=Graph(people=200, mean_degree=6)), brands=[Brand(strategy=strategy)]
    )
    brand = EngagementModel(scenario, seed=1).brand_agents[0]
    weeks = {sum(brand.scheduled_posts(7 * week + day) for day in range(7)) for week in range(30)}
    assert weeks == ({0, 14} if burstiness else {7})


def test_the_daily_band_is_the_95_percent_interval_of_each_day(metrics):
    rows = metrics[metrics["strategy"] == "steady"]
    band = summary.daily_band(rows, "equity").set_index("day")
    for day in (0, 17, 29):
        mean, lo, hi = summary.t_interval(rows.loc[rows["day"] == day, "equity"])
        assert band.loc[day, ["mean", "hi"]].tolist() == pytest.approx([mean, hi])
        assert band.loc[day, "lo"] == pytest.approx(max(lo, min(mean, 0.0)))  # cut at 0


def test_a_sweep_runs_break_even_day_is_the_first_day_in_profit():
    frame = pd.DataFrame({"day": range(6), "incremental_profit": [-3, -1, 0, 2, -1, 5]})
    assert extract_outcomes(frame, ("break_even_day",)) == {"break_even_day": 3.0}
    never = frame.assign(incremental_profit=-1.0)
    assert np.isnan(extract_outcomes(never, ("break_even_day",))["break_even_day"])


def test_a_sweep_reads_a_stock_on_its_day_and_totals_a_flow_up_to_it():
    """A daily flow (money spent, arguments) as an outcome is what the run spent or did, not
    its last day's value, which is usually 0 for a brand that boosts once a week."""
    frame = pd.DataFrame(
        {"day": range(4), "ad_spend": [7.0, 0.0, 14.0, 0.0], "equity": [1.0, 2.0, 3.0, 4.0]}
    )
    outcomes = extract_outcomes(frame, ("ad_spend", "ad_spend@2", "equity", "equity@1"))
    assert outcomes == {"ad_spend": 21.0, "ad_spend@2": 21.0, "equity": 4.0, "equity@1": 2.0}


def _adaptive_brand(adapt_rate: float) -> tuple[Any, dict]:
    """An adaptive brand with an even content mix, and a metrics row to teach it with."""
    mix = {name: 0.25 for name in CONTENT_TYPES}
    strategy = Strategy(adaptive=True, adapt_rate=adapt_rate, content_mix=mix)
    scenario = Scenario(
        audience=Audience(graph=Graph(people=200, mean_degree=6)), brands=[Brand(strategy=strategy)]
    )
    row = dict.fromkeys(("hours", "comments", "revenue", "cost", "engagements", "posts"), 0.0)
    row |= {"posts_facebook": 0.0, "followers": 100.0}
    return EngagementModel(scenario, seed=1).brand_agents[0], row


def test_an_adaptive_brand_moves_its_mix_toward_what_earned_most_per_post():
    """Each week the mix moves ``adapt_rate`` of the way to the types' KPI per post (shares)."""
    brand, row = _adaptive_brand(0.5)
    story = CONTENT_TYPES.index("story")
    results = np.zeros((2, len(CONTENT_TYPES)))
    results[1] = 1.0  # one post of each type a day
    results[0, story] = 3.0  # only stories earn the KPI
    for day in range(6):
        brand.learn(day, row, DayPlan(), results)
        np.testing.assert_allclose(brand.mix, 0.25)  # the mix moves once a week
    brand.learn(6, row, DayPlan(), results)
    expected = np.full(len(CONTENT_TYPES), 0.125)
    expected[story] = 0.625
    np.testing.assert_allclose(brand.mix, expected)


def test_a_type_not_posted_this_week_keeps_its_share_of_the_mix():
    """Nothing was learned about a type the brand did not post: the others share the rest."""
    brand, row = _adaptive_brand(1.0)
    story, promo = CONTENT_TYPES.index("story"), CONTENT_TYPES.index("promo")
    results = np.ones((2, len(CONTENT_TYPES)))
    results[:, promo] = 0.0  # no promo posts this week
    results[0, story] = 4.0
    brand.learn(6, row, DayPlan(), results)
    expected = np.full(len(CONTENT_TYPES), 0.75 / 6)
    expected[story], expected[promo] = 0.75 * 4 / 6, 0.25
    np.testing.assert_allclose(brand.mix, expected)


def _one_brand(
    strategy: Strategy, days: int, people: int = 300, followers: int = 60, **behavior
) -> EngagementModel:
    from sim.schema import Behavior, InitialState

    scenario = Scenario(
        audience=Audience(graph=Graph(people=people, mean_degree=8)),
        days=days,
        brands=[Brand(strategy=strategy, initial=InitialState(followers=followers))],
        behavior=Behavior(silence_days=5, dropout_rate=0.2, **behavior),
        market=Market(scale=1),
    )
    return EngagementModel(scenario, seed=3).run(days)


def test_a_brand_without_hours_publishes_nothing_and_its_followers_drift_away():
    frame = _one_brand(Strategy(weekly_hours=0), 20).metrics()
    assert frame["posts"].sum() == 0 and frame["cost"].sum() == 0
    assert frame.loc[frame["day"] <= 5, "unfollows_dropout"].sum() == 0  # silence_days 5
    assert frame["unfollows_dropout"].sum() > 0


def test_followers_notice_a_quit_brand_after_the_same_silence_as_a_quiet_one():
    from sim.schema import QuitRule

    strategy = Strategy(posts_per_week=7, quit_rule=QuitRule(kpi="always", check_day=4))
    frame = _one_brand(strategy, 20).metrics()
    last_post = int(frame.loc[frame["posts"] > 0, "day"].max())
    assert last_post == 4
    assert frame.loc[frame["day"] <= last_post + 5, "unfollows_dropout"].sum() == 0
    assert frame["unfollows_dropout"].sum() > 0


@pytest.mark.parametrize(("target", "quits"), [(0.0, False), (0.01, True)])
def test_the_quit_rule_quits_only_below_its_target(target, quits):
    """A brand that sold nothing meets a revenue target of 0 (it is not below it) and keeps
    going; a target above 0 makes it quit the day after the check."""
    from sim.schema import QuitRule

    rule = QuitRule(kpi="revenue", target=target, check_day=3)
    scenario = Scenario(
        audience=Audience(graph=Graph(people=300, mean_degree=8)),
        brands=[Brand(strategy=Strategy(posts_per_week=7, quit_rule=rule))],
        market=Market(scale=1, conversion=0.0, promo_nudge=0.0),
    )
    brand = EngagementModel(scenario, seed=3).run(8).brand_agents[0]
    assert brand.cum_revenue == 0.0
    assert brand.quit_day == (4 if quits else None)


def test_a_week_of_hours_that_covers_a_post_a_day_posts_every_day():
    """The weekly budget is what the last six days left of ``weekly_hours``: seven 1-hour posts
    a week on seven hours a week all run."""
    strategy = Strategy(
        posts_per_week=7,
        consistency=1.0,
        hours_per_post=1.0,
        weekly_hours=7.0,
        reply_rate=0.0,
        follow_rate=0.0,
        automation_share=0.0,
    )
    frame = _one_brand(strategy, 21).metrics()
    assert (frame["posts"] == 1).all()
    np.testing.assert_allclose(frame["hours"], 1.0)


def test_the_brand_expects_comments_in_simulated_accounts():
    """The brand's smoothed comment count (what it reserves reply hours for) follows the day's
    comments in simulated accounts: the reported count over the market's scale."""
    from sim.strategy import COMMENT_RATE_WEIGHT

    scenario = Scenario(
        audience=Audience(graph=Graph(people=2000, mean_degree=8)),
        brands=[Brand(strategy=Strategy(posts_per_week=14, reply_rate=1.0))],
        market=Market(scale=10),
    )
    model = EngagementModel(scenario, seed=4).run(20)
    expected = 0.0
    for comments in model.metrics()["comments"]:
        expected += COMMENT_RATE_WEIGHT * (comments / 10 - expected)
    assert expected > 0
    assert model.brand_agents[0].comment_rate == pytest.approx(expected, rel=1e-12)


def test_a_weekly_priority_funds_a_weeks_replies_before_posts():
    """With the week's hours exactly a week of expected replies, replies get all of them and
    posts and outreach none."""
    from sim.schema import Behavior

    strategy = Strategy(posts_per_week=7, reply_rate=1.0, follow_rate=10, budget_priority="week")
    scenario = Scenario(
        audience=Audience(graph=Graph(people=300, mean_degree=8)),
        brands=[Brand(strategy=strategy)],
        behavior=Behavior(reply_hours=0.05),
        market=Market(scale=10),
    )
    brand = EngagementModel(scenario, seed=3).brand_agents[0]
    brand.comment_rate = 2.0
    week_of_replies = 7 * 2.0 * 0.05 * 10
    brand.strategy = strategy.model_copy(update={"weekly_hours": week_of_replies})
    assert brand._funded_shares(1.0) == pytest.approx((1.0, 0.0, 0.0))


def test_an_account_incident_is_a_post_but_not_the_brand_speaking():
    """A rogue post (no policy) draws engagement like a post (so it can be shared on) and counts
    among the posts the engagement rate divides by, but does not keep a silent brand's followers
    from noticing the silence."""
    strategy = Strategy(posts_per_week=0, policy=False)
    frame = _one_brand(strategy, 20, people=4000, followers=2000, incident_rate=1.0).metrics()
    assert frame["incidents"].sum() == 20 and frame["posts"].sum() == 20
    assert frame["engagements"].sum() > 0
    assert frame["unfollows_dropout"].sum() > 0


def test_content_made_once_suits_the_main_platform_and_loses_quality_elsewhere():
    from sim.schema import Platform

    platforms = [Platform(name=name, unadapted_quality=0.6) for name in ("home", "away")]
    strategy = Strategy(platforms=["home", "away"], adapt_per_platform=False)
    scenario = Scenario(
        audience=Audience(graph=Graph(people=200, mean_degree=6)),
        platforms=platforms,
        brands=[Brand(strategy=strategy)],
    )
    brand = EngagementModel(scenario, seed=1).brand_agents[0]
    home, away = brand.platform_indices
    assert (brand.adaptation(home), brand.adaptation(away)) == (1.0, 0.6)
    posts = [post for day in range(14) for post in brand.plan(day).posts]
    quality = {post.platform: post.quality for post in posts}
    assert quality[away] == quality[home] * 0.6  # so irrelevance fatigue rises there too
    adapted = strategy.model_copy(update={"adapt_per_platform": True})
    brand.strategy = adapted
    assert (brand.adaptation(home), brand.adaptation(away)) == (1.0, 1.0)


def test_the_engagement_kpi_counts_posts_only_where_someone_follows():
    """Engagements per follower per post, pooled over the brand's platforms (a post on a
    platform without followers reaches nobody and lowers nothing)."""
    from sim.schema import Platform

    platforms = [Platform(name=name) for name in ("home", "away")]
    scenario = Scenario(
        audience=Audience(graph=Graph(people=200, mean_degree=6)),
        platforms=platforms,
        brands=[Brand(strategy=Strategy(platforms=["home", "away"]))],
    )
    brand = EngagementModel(scenario, seed=1).brand_agents[0]
    row = dict.fromkeys(("hours", "comments", "revenue", "cost"), 0.0)
    row |= {"engagements": 6.0, "posts": 2.0, "posts_home": 1.0, "posts_away": 1.0}
    row |= {"followers": 2.0, "followers_home": 2.0, "followers_away": 0.0}
    brand.learn(0, row, DayPlan(), np.zeros((2, 4)))
    assert brand.kpi("engagement", row) == 3.0


@pytest.mark.parametrize("reprisal", [0.0, 1.0])
def test_a_wrong_answer_draws_a_reprisal_that_waits_in_the_queue(reprisal):
    """Half the comments are unrouted questions, so their answers are wrong. A reprisal is a
    complaint answered the next day (every comment, complaint and reprisal made is handled or
    still queued) about a question, so an unrouted reply to it is wrong again."""
    from sim.engines.docking import docking_scenario
    from sim.loading import load_scenario, load_strategy
    from sim.runner import with_strategy

    strategy = load_strategy("siloed_departments").model_copy(
        update={"reply_rate": 1.0, "weekly_hours": 160.0}
    )
    busy = docking_scenario(
        with_strategy(load_scenario("base"), strategy), days=30, people=600, busy=True
    )
    behavior = busy.behavior.model_copy(
        update={"question_share": 0.5, "wrong_answer_reprisal": reprisal}
    )
    scenario = busy.model_copy(update={"behavior": behavior})
    model = EngagementModel(scenario, seed=2, tracked=range(600), history_size=1000).run()
    frame = model.metrics()
    assert frame["wrong_answers"].sum() > 0
    assert (frame["reprisals"] <= frame["wrong_answers"]).all()
    assert (frame["reprisals"].sum() > 0) == (reprisal > 0)
    made = frame[["comments", "complaints", "reprisals"]].to_numpy().sum()
    handled = frame[["comments_answered", "comments_ignored"]].to_numpy().sum()
    queued = model.brand_agents[0].queue_length * busy.market.scale
    assert handled == made - queued
    replies = [
        event.detail
        for person in range(600)
        for event in model.history(person)
        if event.event == "got_reply"
    ]
    assert "answer to a comment" in replies and "wrong answer to a comment" in replies
    assert ("wrong answer to a reprisal" in replies) == (reprisal > 0)
    assert "answer to a reprisal" not in replies


def test_a_weekly_priority_keeps_the_posts_and_cuts_outreach():
    """Five 1-hour posts and 28 hours of outreach a week on a 12-hour budget. Over the week,
    outreach gets what the posts leave, and every post keeps its hour. With the priority applied
    to each day's plan, outreach on days without posts spends the hours; post days go without."""
    from sim.schema import Behavior, Platform

    def run(priority: str) -> pd.DataFrame:
        strategy = Strategy(
            posts_per_week=5,
            follow_rate=200,
            targeting="random",
            reply_rate=0,
            budget_priority=priority,
        )
        scenario = Scenario(
            audience=Audience(graph=Graph(people=5000, mean_degree=6)),
            platforms=[Platform(follow_limit_per_day=1e6)],
            brands=[Brand(strategy=strategy)],
            behavior=Behavior(follow_hours=0.02),
            market=Market(scale=10),
        )
        return EngagementModel(scenario, seed=1).run(28).metrics()

    daily, weekly = run("day"), run("week")
    assert (weekly["hours_posts"] == weekly["posts"]).all()  # an hour for every post
    assert weekly["posts"].sum() >= 17 > 12 >= daily["posts"].sum()  # of 20 scheduled
    assert weekly["hours_outreach"].sum() < daily["hours_outreach"].sum()
    assert max(daily["hours"].sum(), weekly["hours"].sum()) <= 4 * 12 + 1e-9


@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_word_of_mouth_brings_followers_to_a_platform_the_brand_starts_without(engine):
    """A recommended person follows on the first of the brand's platforms they use, so an
    account without followers on day 0 gains some from people off the main platform."""
    from sim.schema import Behavior, InitialState, Platform

    strategy = Strategy(platforms=["home", "away"], posts_per_week=0)

    def away_followers(recommendation_follow: float) -> pd.Series:
        scenario = Scenario(
            audience=Audience(graph=Graph(people=400, mean_degree=8)),
            platforms=[Platform(name="home", membership=0.5), Platform(name="away")],
            days=10,
            brands=[Brand(strategy=strategy, initial=InitialState(followers=100, cross_follow=0))],
            behavior=Behavior(
                advocate_threshold=0, advocacy_rate=1, recommendation_follow=recommendation_follow
            ),
            market=Market(scale=1),
        )
        return EngagementModel(scenario, seed=2, engine=engine).run(10).metrics()["followers_away"]

    assert (away_followers(0.0) == 0).all()
    assert away_followers(1.0).iloc[-1] > 0


def test_content_made_once_engages_the_brands_followers_elsewhere_less():
    """Followers on a second platform (day-0 fans who follow there too) see the main
    platform's content there, at the lower quality of unadapted content: fewer engagements and
    less trust than content made for each platform."""
    from sim.schema import InitialState, Platform

    def outcomes(adapt: bool) -> tuple[float, float]:
        strategy = Strategy(platforms=["home", "away"], adapt_per_platform=adapt, posts_per_week=14)
        scenario = Scenario(
            audience=Audience(graph=Graph(people=2000, mean_degree=8)),
            platforms=[Platform(name="home"), Platform(name="away", unadapted_quality=0.3)],
            days=60,
            brands=[Brand(strategy=strategy, initial=InitialState(followers=1500, cross_follow=1))],
            market=Market(scale=1),
        )
        frame = EngagementModel(scenario, seed=5).run(60).metrics()
        return frame["engagements"].sum(), frame["equity"].iloc[-1]

    adapted, made_once = outcomes(adapt=True), outcomes(adapt=False)
    assert adapted[0] > made_once[0] and adapted[1] > made_once[1]


@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_an_argument_costs_the_trust_a_good_reply_would_have_built(engine):
    """Every answer argues (``argue_rate`` 1) and no question goes unrouted: the answers are
    all arguments, none wrong; they draw reprisals, which are argued with in turn, and leave the
    brand's followers trusting it less than the same answers given well."""
    from sim.engines.docking import docking_scenario
    from sim.loading import load_scenario

    def run(argue_rate: float) -> EngagementModel:
        strategy = Strategy(
            reply_rate=1.0, weekly_hours=160.0, coordination=1.0, argue_rate=argue_rate
        )
        busy = docking_scenario(
            load_scenario("base").model_copy(
                update={"brands": [Brand(name="Acme", strategy=strategy)]}
            ),
            days=20,
            people=400,
            busy=True,
        )
        return EngagementModel(
            busy, seed=2, engine=engine, tracked=range(400), history_size=1000
        ).run()

    arguing, listening = run(1.0), run(0.0)
    frame = arguing.metrics()
    assert frame["arguments"].sum() == frame["comments_answered"].sum() > 0
    assert frame["wrong_answers"].sum() == 0 and frame["reprisals"].sum() > 0
    assert listening.metrics()["arguments"].sum() == 0
    assert frame["mean_trust"].iloc[-1] < listening.metrics()["mean_trust"].iloc[-1]
    replies = {
        event.detail
        for person in range(400)
        for event in arguing.history(person)
        if event.event == "got_reply"
    }
    assert "argumentative answer to a comment" in replies
    assert "argumentative answer to a reprisal" in replies
    assert "answer to a comment" not in replies


def test_a_post_is_boosted_by_its_type_or_by_beating_the_brands_usual():
    assert behavior.boosted("promo", True, 0, 100.0, (10.0, 500.0))
    assert not behavior.boosted("promo", False, 50, 100.0, (10.0, 500.0))
    assert behavior.boosted("engaging", False, 3, 100.0, (10.0, 500.0))  # 3% against 2%
    assert not behavior.boosted("engaging", True, 1, 100.0, (10.0, 500.0))
    assert not behavior.boosted("engaging", False, 0, 100.0, (0.0, 0.0))
    assert behavior.boosted("engaging", False, 1, 100.0, (0.0, 0.0))  # nothing to beat yet


def test_a_boost_buys_its_spend_over_the_price_of_a_thousand_impressions():
    assert behavior.paid_draws(100.0, 10.0, 10.0, 0.5, 20_000) == 2000
    assert behavior.paid_draws(100.0, 10.0, 10.0, 1.0, 20_000) == 1000
    assert behavior.paid_draws(100.0, 10.0, 10.0, 0.0, 20_000) == 0


def test_a_boost_saturates_the_market_instead_of_drawing_without_end():
    """The most any budget at any accepted price buys is ten draws per person."""
    assert behavior.paid_draws(100.0, 10.0, 10.0, 0.5, 150) == 1500
    assert behavior.paid_draws(1e6, 0.1, 1.0, 0.01, 300) == 3000


def test_the_largest_budget_at_the_lowest_price_saturates_a_small_market():
    """The accepted extremes (1e6 a week at 0.1 per thousand, some 10^10 impressions a boost)
    show the boosted posts to the people there are, in bounded memory and time."""
    from sim.schema import InitialState, Platform

    strategy = Strategy(boost_budget=1e6, boost_rule="promo", content_mix={"promo": 1.0})
    scenario = Scenario(
        audience=Audience(graph=Graph(people=300, mean_degree=8)),
        days=10,
        platforms=[Platform(name="facebook", cpm=0.1)],
        brands=[Brand(strategy=strategy, initial=InitialState(followers=30))],
        market=Market(scale=1),
    )
    frame = EngagementModel(scenario, seed=3).run(10).metrics()
    assert frame["ad_spend"].sum() > 1e6
    assert 0 < frame["impressions_paid"].max() <= 300


@pytest.mark.parametrize("promo", [0.0, 1.0])
def test_a_boost_spends_the_budget_saved_on_the_posts_its_rule_picks(promo):
    """Boosting promotional posts: a brand that posts none spends nothing; one that posts only
    promotions spends the budget as it is saved, on most of the impressions it pays for, and the
    money is part of the day's cost."""
    strategy = Strategy(
        boost_budget=7.0,
        boost_rule="promo",
        posts_per_week=7,
        content_mix={"promo": promo, "value": 1.0 - promo},
    )
    frame = _one_brand(strategy, 60, people=4000, followers=400).metrics()
    spent = frame["ad_spend"].sum()
    if promo == 0.0:
        assert spent == 0 and frame["impressions_paid"].sum() == 0
        return
    assert 60 * 1.0 - 1.0 * 7 <= spent <= 60 * 1.0
    bought = spent / 10.0 * 1000.0  # the platform's price of 1,000 impressions is 10
    # fewer are delivered: draws of followers, of people already shown the post, duplicates
    assert 0.5 * bought <= frame["impressions_paid"].sum() <= bought
    staff = frame["hours"] * 40.0  # the default hourly cost
    np.testing.assert_allclose(frame["cost"], staff + frame["ad_spend"])


def _feed_records(bought: float) -> tuple[int, list[tuple[int, int, float]]]:
    """The brand's main platform and what its posts record toward the feed ranking on days 0
    and 1 (the first day the bought followers, bought at the end of day 0, are there)."""
    strategy = Strategy(
        platforms=["facebook", "x"], posts_per_week=14, bought_followers_per_month=bought
    )
    scenario = Scenario(
        audience=Audience(graph=Graph(people=400, mean_degree=6)),
        platforms=[Platform(name="facebook"), Platform(name="x")],
        days=2,
        brands=[Brand(strategy=strategy)],
    )
    model = EngagementModel(scenario, seed=3)
    records: list[tuple[int, int, float]] = []
    brand = model.brand_agents[0]
    record_feed = brand.record_feed

    def recorded(platform: int, engagements: int, impressions: float) -> None:
        records.append((platform, engagements, impressions))
        record_feed(platform, engagements, impressions)

    brand.record_feed = recorded
    model.run(2)
    return brand.main_platform, records


def test_bought_followers_dilute_the_ranking_on_the_main_platform_only():
    """Bought followers follow the brand on its main platform: its posts there get impressions
    that never engage, its posts elsewhere do not."""
    main, honest = _feed_records(bought=0.0)
    _, bought = _feed_records(bought=30_000.0)
    assert {platform for platform, _, _ in honest} == {0, 1}
    assert [record for record in bought if record[0] != main] == [
        record for record in honest if record[0] != main
    ]
    assert sum(i for p, _, i in bought if p == main) > sum(i for p, _, i in honest if p == main)


def test_staying_off_is_the_no_social_baseline_as_a_strategy():
    """The staying_off preset spends nothing and earns what the paired run without social media
    earns, day by day: its incremental profit is 0 by construction, not by tuning."""
    from sim.loading import load_scenario, load_strategy
    from sim.runner import simulate, with_strategy

    scenario = with_strategy(load_scenario("base"), load_strategy("staying_off"))
    scenario = Scenario.model_validate({**scenario.model_dump(), "days": 60})
    daily = simulate(scenario, 7)
    assert (daily["cost"] == 0).all() and (daily["posts"] == 0).all()
    assert (daily["revenue"] == daily["baseline_revenue"]).all()
    assert (daily["incremental_profit"] == 0).all()
    assert daily["followers"].iloc[-1] < daily["followers"].iloc[0]  # a silent brand fades
