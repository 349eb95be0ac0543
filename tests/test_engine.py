"""The vector engine: determinism, independence of draws, invariants under random parameters."""

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import stocks_over_everyone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.audience import build_population
from sim.loading import load_scenario, load_strategy
from sim.model import EngagementModel
from sim.runner import (
    baseline_revenue,
    compare,
    paired_baseline,
    simulate,
    with_audience,
    with_strategy,
)
from sim.schema import (
    Audience,
    Behavior,
    Brand,
    Comparison,
    Graph,
    InitialState,
    Market,
    Platform,
    Scenario,
    Strategy,
)

SMALL = Audience(graph=Graph(people=1500, mean_degree=10))


def small_scenario(**strategy) -> Scenario:
    return Scenario(
        audience=SMALL,
        days=60,
        brands=[Brand(strategy=Strategy(**strategy))],
        market=Market(scale=10),
    )


def test_same_seed_gives_bit_identical_output():
    scenario = small_scenario(follow_rate=200, targeting="random", unfollow_after_days=5)
    first = simulate(scenario, 3)
    second = simulate(scenario, 3)
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_different_seeds_differ():
    scenario = small_scenario()
    assert not simulate(scenario, 1).equals(simulate(scenario, 2))


def test_engine_rejects_unknown_names():
    with pytest.raises(ValueError, match="available: vector"):
        EngagementModel(small_scenario(), engine="warp")


def test_config_is_not_stored_in_mesas_scenario_attribute():
    model = EngagementModel(small_scenario(), seed=1)
    assert isinstance(model.config, Scenario)
    assert not isinstance(getattr(model, "scenario", None), Scenario)


def test_inactive_brand_spends_nothing_and_posts_nothing():
    model = EngagementModel(small_scenario(), seed=1, inactive_brands=(0,)).run(30)
    frame = model.metrics()
    assert frame["cost"].sum() == 0 and frame["posts"].sum() == 0
    assert frame["revenue"].sum() > 0  # people already aware still buy


@pytest.mark.parametrize(
    ("counts", "restricted"), [("follows", True), ("unfollows", False), ("both", True)]
)
@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_the_daily_action_limit_counts_what_the_platform_says(counts, restricted, engine):
    """About 200 follows on the first day against a limit of 100: only a limit that counts
    follows is broken before the brand's first unfollows (day 30)."""
    strategy = Strategy(follow_rate=1000, targeting="random", unfollow_after_days=30)
    platform = Platform(limit_counts=counts, follow_limit_per_day=100, following_floor=1e9)
    scenario = small_scenario().model_copy(
        update={"days": 5, "platforms": [platform], "brands": [Brand(strategy=strategy)]}
    )
    frame = EngagementModel(scenario, seed=1, engine=engine).run(5).metrics()
    assert bool(frame["restricted"].any()) is restricted


@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_the_following_ratio_reads_the_followers_the_platform_had_when_outreach_began(engine):
    """A brand that everyone knows and nobody follows follows 50 accounts on day 0, many of whom
    follow back: the platform's ratio rule (following at most 10 x followers) reads the
    followers it had when the outreach began, none, so the brand is restricted (the
    follow-backs do not excuse it)."""
    strategy = Strategy(follow_rate=500, targeting="random")
    platform = Platform(follow_limit_per_day=1e6, following_floor=0, following_ratio_limit=10)
    brand = Brand(strategy=strategy, initial=InitialState(followers=0, aware_share=1.0))
    scenario = small_scenario().model_copy(
        update={
            "days": 2,
            "platforms": [platform],
            "brands": [brand],
            "behavior": Behavior(follow_back=1.0),
        }
    )
    frame = EngagementModel(scenario, seed=1, engine=engine).run(2).metrics()
    assert frame["new_follows"].iloc[0] * 10 > frame["following"].iloc[0] > 0
    assert frame["restricted"].tolist() == [0, 1]


@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_reach_is_restricted_from_the_day_after_a_violation_for_its_stated_days(engine):
    """A violation on day 0 restricts days 1 and 2 (restriction_days = 2), not day 0, whose
    feeds came before the outreach that broke the limit; the action block prevents another."""
    strategy = Strategy(follow_rate=1000, targeting="random")
    platform = Platform(follow_limit_per_day=100, restriction_days=2, block_days=30)
    scenario = small_scenario().model_copy(
        update={"days": 5, "platforms": [platform], "brands": [Brand(strategy=strategy)]}
    )
    frame = EngagementModel(scenario, seed=1, engine=engine).run(5).metrics()
    assert frame["restricted"].tolist() == [0, 1, 1, 0, 0]


@pytest.mark.parametrize("engine", ["vector", "agents"])
def test_fully_automated_posts_that_cost_no_hours_are_made(engine):
    """Automation that saves every hour leaves posts at the strategy's creative effort."""
    scenario = small_scenario(automation_share=1.0).model_copy(
        update={"days": 10, "behavior": Behavior(automation_hours=0.0)}
    )
    frame = EngagementModel(scenario, seed=1, engine=engine).run(10).metrics()
    assert frame["posts"].sum() > 0 and frame["hours_posts"].sum() == 0


def test_day_0_followers_are_members_of_the_platform_even_at_zero_fit():
    """A fit that underflows to 0 gives everyone the lowest draw key; followers are still drawn
    among the platform's members, without floating-point warnings."""
    brand = Brand(fit_mean=0.01, initial={"followers": 1e9})
    scenario = Scenario(
        audience=Audience(graph=Graph(people=2000, mean_degree=10), fit_concentration=0.5),
        days=1,
        brands=[brand],
        market=Market(scale=10),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        population = build_population(scenario, seed=3)
        model = EngagementModel(scenario, seed=3, population=population)
    members = population.traits.member[model.brand_agents[0].main_platform]
    assert (population.traits.fit[0] == 0).any()
    assert np.array_equal(model.engine.state[0].follows[0], members)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("behavior.engagement_trust_offset", 0.1),
        ("market.satisfaction_threshold", 0.9),
        ("brands.0.initial.follower_trust_spread", 0.0),
        ("brands.0.initial.follower_salience", 1.0),
        ("audience.sociability_concentration", 0.5),
        ("audience.promo_tolerance_shape", 10.0),
        ("audience.fit_smoothing_rounds", 0),
        ("audience.graph.in_degree_exponent", 3.5),
    ],
)
def test_shape_parameters_reach_the_model(path, value):
    """Numbers once fixed in the code (docs/model.md section 8) change the run when set."""
    data = small_scenario().model_dump()
    *parents, name = path.split(".")
    holder = data
    for part in parents:
        holder = holder[int(part)] if part.isdigit() else holder[part]
    assert holder[name] != value
    holder[name] = value
    changed = Scenario.model_validate({**data, "days": 20})
    assert not simulate(changed, 1).equals(
        simulate(small_scenario().model_copy(update={"days": 20}), 1)
    )


def check_metrics(frame: pd.DataFrame) -> None:
    """Every number in a metrics table finite, every count (all but mean trust) non-negative;
    no more comments handled (answered or ignored) than comments, complaints and reprisals made
    so far; wrong answers and arguments among the answers, and no more reprisals than answers
    that backfired; paid impressions among the impressions, and only where money was spent."""
    assert np.isfinite(frame.select_dtypes("number").to_numpy()).all()
    counts = frame.drop(columns=["seed", "brand", "day", "mean_trust"]).select_dtypes("number")
    assert (counts.to_numpy() >= 0).all()
    for _, run in frame.groupby(["seed", "brand"]):
        handled = (run["comments_answered"] + run["comments_ignored"]).cumsum()
        made = (run["comments"] + run["complaints"] + run["reprisals"]).cumsum()
        assert (handled <= made + 1e-9).all()
    assert (frame["wrong_answers"] <= frame["comments_answered"] + 1e-9).all()
    assert (frame["arguments"] <= frame["comments_answered"] + 1e-9).all()
    assert (frame["reprisals"] <= frame["wrong_answers"] + frame["arguments"] + 1e-9).all()
    assert (frame["impressions_paid"] <= frame["impressions"] + 1e-9).all()
    assert ((frame["ad_spend"] > 0) | (frame["impressions_paid"] == 0)).all()


def check_invariants(model: EngagementModel) -> None:
    """Trust and salience in [0,1], fatigue >= 0, follower counts equal to the follow state,
    equity and advocates over everyone, the known set's and the outsiders'."""
    frame = model.metrics()
    check_metrics(frame)
    engine = model.engine
    for brand, state in zip(model.brand_agents, engine.state, strict=True):
        assert (state.trust >= 0).all() and (state.trust <= 1).all()
        assert (state.salience >= 0).all() and (state.salience <= 1).all()
        assert (state.fatigue >= 0).all()
        assert np.array_equal(state.follower, state.follows.any(axis=0))
        assert not (state.follows & ~model.population.traits.member).any()
        assert np.array_equal(state.platform_followers, state.follows.sum(axis=1))
        assert not (state.follower & ~np.isin(np.arange(engine.n), state.known)).any()
        last = frame[frame["brand"] == brand.name].iloc[-1]
        real = (state.follower.sum() + brand.fake_followers) * model.config.market.scale
        assert last["followers"] == pytest.approx(real)
        on_platforms = [last[f"followers_{platform.name}"] for platform in model.config.platforms]
        main = model.config.platforms[brand.main_platform].name
        assert last[f"followers_{main}"] >= brand.fake_followers * model.config.market.scale
        assert max(on_platforms) <= last["followers"] + 1e-9 <= sum(on_platforms) + 1e-9
        assert state.following == (state.brand_follows_day >= 0).sum()
        assert not (state.outside & state.in_known).any()
        assert (state.outsiders.amounts >= 0).all()
        equity, advocates, tolerance = stocks_over_everyone(model, brand.index)
        assert last["equity"] == pytest.approx(equity, rel=1e-12, abs=tolerance)
        assert last["advocates"] == advocates


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    reply_rate=st.floats(0, 1),
    follow_rate=st.floats(0, 2000),
    promo=st.floats(0, 1),
    conversation=st.floats(0.01, 1),
    posts_per_week=st.floats(0, 30),
    weekly_hours=st.floats(0, 60),
    automation=st.floats(0, 1),
    burstiness=st.floats(0, 1),
    review=st.booleans(),
    policy=st.booleans(),
    unfollow_after=st.integers(0, 10),
    discovery=st.floats(0, 50),
    feed_rate=st.floats(0, 1),
    second_platform=st.booleans(),
    cross_follow=st.floats(0, 1),
    argue_rate=st.floats(0, 1),
    formality=st.floats(0, 1),
    boost_budget=st.floats(0, 500),
    boost_rule=st.sampled_from(["engaging", "promo"]),
)
def test_invariants_hold_under_random_parameters(
    reply_rate,
    follow_rate,
    promo,
    conversation,
    posts_per_week,
    weekly_hours,
    automation,
    burstiness,
    review,
    policy,
    unfollow_after,
    discovery,
    feed_rate,
    second_platform,
    cross_follow,
    argue_rate,
    formality,
    boost_budget,
    boost_rule,
):
    strategy = Strategy(
        platforms=["facebook", "instagram"] if second_platform else ["facebook"],
        reply_rate=reply_rate,
        argue_rate=argue_rate,
        formality=formality,
        boost_budget=boost_budget,
        boost_rule=boost_rule,
        follow_rate=follow_rate,
        content_mix={"value": 0.3, "promo": promo, "conversation": conversation},
        posts_per_week=posts_per_week,
        weekly_hours=weekly_hours,
        automation_share=automation,
        burstiness=burstiness,
        review=review,
        policy=policy,
        unfollow_after_days=unfollow_after,
        bought_followers_per_month=follow_rate,
        targeting="random",
    )
    scenario = Scenario(
        audience=Audience(graph=Graph(people=600, mean_degree=8)),
        days=40,
        platforms=[
            Platform(discovery_rate=discovery, feed_rate=feed_rate),
            Platform(name="instagram", membership=0.5),
        ],
        brands=[
            Brand(strategy=strategy, initial={"cross_follow": cross_follow}),
            Brand(name="Rival"),
        ],
        market=Market(scale=5),
    )
    population = build_population(scenario, seed=7)
    model = EngagementModel(scenario, seed=7, population=population).run()
    check_invariants(model)


def test_start_of_day_equals_syncing_the_known_set():
    """The compiled start of day (one factor per quantity, graced trust person by person)
    gives exactly what syncing every known person one by one gives."""
    import copy

    scenario = small_scenario(follow_rate=200, targeting="random", posts_per_week=14)
    model = EngagementModel(scenario, seed=5).run(25)
    engine, brand, day = model.engine, model.engine.brands[0], 400  # some forget by then
    fast, slow = copy.deepcopy(engine), copy.deepcopy(engine)
    fast._start_day(brand, day)
    state = slow.state[0]
    graced = state.last_touch[state.known] + scenario.behavior.trust_grace_days > state.known_day
    assert graced.any() and (~graced).any() and state.fatigued[state.known].any()
    slow._sync(state, state.known, day)
    keep = (state.salience[state.known] > 0) | state.follower[state.known]
    state.in_known[state.known[~keep]] = False
    state.known, state.known_day = state.known[keep], day
    for name in ("salience", "trust", "fatigue", "in_known", "known"):
        np.testing.assert_array_equal(getattr(fast.state[0], name), getattr(state, name), name)
    np.testing.assert_array_equal(fast.state[0].synced_days(), state.synced_days())
    forgotten = engine.state[0].in_known & ~state.in_known
    assert forgotten.any() and (fast.state[0].synced_day[forgotten] == day).all()


def _two_platform_scenario(platforms: list[str], cross_follow: float) -> Scenario:
    return Scenario(
        audience=Audience(graph=Graph(people=3000, mean_degree=8)),
        platforms=[Platform(name="home"), Platform(name="away", membership=0.6)],
        days=1,
        brands=[
            Brand(strategy=Strategy(platforms=platforms), initial={"cross_follow": cross_follow})
        ],
        market=Market(scale=1),
    )


def test_day_0_followers_also_follow_on_the_brands_other_platforms_they_use():
    """Each day-0 follower on another of the strategy's platforms follows there with chance
    ``cross_follow``; the same people follow whatever the strategy's platforms."""
    both = EngagementModel(_two_platform_scenario(["home", "away"], 0.5), seed=4)
    state, member = both.engine.state[0], both.population.traits.member
    home, away = state.follows
    assert home.sum() > 500
    assert not (away & ~(home & member[1])).any()
    share = away.sum() / (home & member[1]).sum()
    assert 0.45 < share < 0.55
    one = EngagementModel(_two_platform_scenario(["home"], 0.5), seed=4).engine.state[0]
    assert np.array_equal(one.follower, state.follower) and not one.follows[1].any()
    none = EngagementModel(_two_platform_scenario(["home", "away"], 0.0), seed=4)
    assert not none.engine.state[0].follows[1].any()


def test_recommended_people_follow_on_the_first_of_the_brands_platforms_they_use():
    scenario = _two_platform_scenario(["away", "home"], 0.0)
    brand = EngagementModel(scenario, seed=1).brand_agents[0]
    home, away = 0, 1
    member = np.array([[True, False, True, False], [False, True, True, False]])
    assert brand.recommended_platform(member).tolist() == [home, away, away, -1]
    assert int(brand.recommended_platform((True, False))) == home


@pytest.fixture(scope="module")
def four_platforms() -> Scenario:
    """The base scenario (four platforms) on a small audience, 60 days."""
    base = load_scenario("base").model_copy(update={"days": 60})
    return with_audience(base, SMALL)


def test_a_strategy_on_another_main_platform_gets_its_own_no_social_baseline(four_platforms):
    """``compare`` shares a seed's no-social run among strategies; one whose day-0 followers are
    drawn on another main platform is paired with its own, the run ``simulate`` pairs it with."""
    instagram = Strategy(name="instagram_first", platforms=["instagram", "facebook"])
    comparison = Comparison(scenario=four_platforms, strategies=[Strategy(), instagram], seeds=1)
    together = compare(comparison)
    alone = simulate(with_strategy(four_platforms, instagram), four_platforms.seed)
    paired = together[together["strategy"] == "instagram_first"].drop(columns="strategy")
    pd.testing.assert_frame_equal(paired.reset_index(drop=True), alone)


def test_a_brand_doing_nothing_differs_between_strategies_only_by_its_main_platform(
    four_platforms,
):
    """What lets strategies with one main platform share a baseline: the other platforms and
    every other choice of the strategy leave a no-social run's revenue as it is."""
    population = build_population(four_platforms, seed=3)
    shared = baseline_revenue(four_platforms, 3, 60, population)
    for strategy in (
        load_strategy("too_many_platforms"),
        load_strategy("over_following").model_copy(update={"weekly_hours": 40.0}),
        Strategy(platforms=["facebook", "x"], bought_followers_per_month=900.0, reply_rate=0.1),
    ):
        variant = with_strategy(four_platforms, strategy)
        assert paired_baseline(four_platforms, variant) is four_platforms
        own = baseline_revenue(variant, 3, 60, population)
        pd.testing.assert_series_equal(own, shared)
    elsewhere = with_strategy(four_platforms, Strategy(platforms=["x"]))
    assert paired_baseline(four_platforms, elsewhere) is elsewhere
