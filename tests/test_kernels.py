"""The vector engine's compiled passes (sim.engines.kernels) against the NumPy code they replaced.

Each kernel took the place of a few dozen NumPy calls of ``sim/engines/vector.py`` and must give
the same people, flags and floats bit for bit, or the engines would no longer dock. Each test
builds a small random audience state with the engine's dtypes, runs a kernel, and compares it
with that former NumPy code, restated here as a reference over ``sim.behavior`` and ``sim.rng``.
The states are random enough that every branch is taken, and each test asserts that it was, so
that no comparison passes on empty arrays.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from numba import njit

from sim import behavior
from sim.engines import kernels
from sim.engines.day import NEVER
from sim.engines.kernels import COMMENT, ENGAGED, FOLLOW, LEAVE, OVER, SHARE
from sim.rng import Stream, prefix, uniform_from, uniform_slots

N = 2000
SEED, BRAND, DAY = 11, 1, 12
STAMP = 5
"""The post stamp of the post being shown (some people already carry it)."""
EMPTY = np.zeros(0)
"""No values: "none" for the kernels' optional per-person values (the engine's ``_NO_VALUES``)."""
NO_MASK = np.zeros(0, dtype=bool)
"""No filter: "none" for the kernels' optional per-person flags (the engine's ``_NO_MASK``)."""


def random_state(seed: int, n: int = N) -> SimpleNamespace:
    """One brand's audience on one platform plus the traits, with the engine's dtypes
    (``BrandAudience``, ``Traits``): random floats in [0, 1) (a share of salience 0), random
    flags, and days and stamps that partly equal today's."""
    rng = np.random.default_rng(seed)

    def flags(share: float) -> np.ndarray:
        return rng.random(n) < share

    salience = rng.random(n)
    salience[flags(0.3)] = 0.0
    fatigued = flags(0.7)
    fatigue = np.ascontiguousarray((rng.random((4, n)) * 0.5).T)  # person by person
    fatigue[~fatigued] = 0.0
    follows = flags(0.5)
    days = np.array([-1, DAY - 1, DAY], dtype=np.int32)
    return SimpleNamespace(
        known=np.flatnonzero(flags(0.6)).astype(np.int64),
        salience=salience,
        trust=rng.random(n),
        fit=rng.random(n),
        sociability=rng.random(n),
        promo_tolerance=rng.random(n) * 3.0,
        activity=rng.random(n),
        member=flags(0.8),
        fatigue=fatigue,
        fatigued=fatigued,
        follows=follows,
        follower=follows | flags(0.1),
        muted=flags(0.1),
        blocked=flags(0.1),
        customer=flags(0.3),
        brand_follows_day=np.where(flags(0.3), DAY - 3, -1).astype(np.int32),
        seen_day=rng.choice(days, n),
        seen_count=rng.integers(0, 4, n, dtype=np.int16),
        promo_day=rng.choice(days, n),
        last_content=rng.integers(0, 4, n, dtype=np.int8),
        post_stamp=rng.choice(np.array([-1, STAMP - 1, STAMP], dtype=np.int64), n),
    )


def head(stream: Stream, post: int = 0, hop: int = 0) -> int:
    """The key prefix of today's draws of ``stream`` for the brand (as ``sim.rng`` takes it)."""
    return prefix(SEED, stream, BRAND, DAY, post, hop)


def sample(rng: np.random.Generator, share: float, n: int = N) -> np.ndarray:
    """A sorted random subset of the ``n`` people (int64), each in it with chance ``share``."""
    return np.flatnonzero(rng.random(n) < share).astype(np.int64)


def assert_identical(actual, expected) -> None:
    """Same dtype, shape and values; floats bit for bit (so 0.0 and -0.0 differ)."""
    actual, expected = np.ascontiguousarray(actual), np.ascontiguousarray(expected)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    if actual.dtype.kind == "f":
        actual, expected = actual.view(np.uint64), expected.view(np.uint64)
    np.testing.assert_array_equal(actual, expected)


def assert_same_state(actual: SimpleNamespace, expected: SimpleNamespace) -> None:
    """Every array of two states identical (what a kernel wrote, and that it wrote no more)."""
    for name, value in vars(expected).items():
        assert_identical(getattr(actual, name), value)


def online(state: SimpleNamespace, people: np.ndarray) -> np.ndarray:
    """Whether each person is online today (the engine's former ``online``)."""
    return uniform_from(prefix(SEED, Stream.ONLINE, 0, DAY), people) < state.activity[people]


def online_head() -> np.uint64:
    """The key prefix of today's online draws, as the kernels take it."""
    return np.uint64(prefix(SEED, Stream.ONLINE, 0, DAY))


# --- churn ---------------------------------------------------------------------------------
CHURN = {"rate": 0.5, "mutual_factor": 0.3, "dropout": 0.3}


def reference_churn(s: SimpleNamespace, silent: bool) -> tuple[np.ndarray, np.ndarray]:
    """The former ``_churn``: pruned and dropped-out followers among the known."""
    followers = s.known[s.follower[s.known]]
    hazard = behavior.prune_hazard(
        CHURN["rate"],
        s.fit[followers],
        s.trust[followers],
        s.brand_follows_day[followers] >= 0,
        CHURN["mutual_factor"],
    )
    if silent:
        draws = uniform_slots(head(Stream.CHURN), followers, (0, 1))
        prune = draws[0] < hazard
        dropout = ~prune & (draws[1] < CHURN["dropout"])
    else:
        prune = uniform_from(head(Stream.CHURN), followers, 0) < hazard
        dropout = np.zeros(len(followers), dtype=bool)
    return followers[prune], followers[dropout]


def churn_params(silent: bool) -> tuple:
    """The churn settings as the kernels take them."""
    return (
        np.uint64(head(Stream.CHURN)),
        CHURN["rate"],
        CHURN["mutual_factor"],
        silent,
        CHURN["dropout"],
    )


@pytest.mark.parametrize("silent", [True, False])
def test_churn_decisions_equal_numpy(silent: bool) -> None:
    s = random_state(1)
    pruned, dropped = kernels.churn_decisions(
        s.known, s.follower, s.fit, s.trust, s.brand_follows_day, churn_params(silent)
    )
    expected_pruned, expected_dropped = reference_churn(s, silent)
    assert_identical(pruned, expected_pruned)
    assert_identical(dropped, expected_dropped)
    mutual = s.brand_follows_day[pruned] >= 0
    assert mutual.any() and not mutual.all()
    kept = np.setdiff1d(s.known[s.follower[s.known]], np.union1d(pruned, dropped))
    assert kept.size and (~s.follower[s.known]).any()
    if silent:
        assert dropped.size
        # some of the pruned drew a dropout too: pruning comes first
        assert (uniform_from(head(Stream.CHURN), pruned, 1) < CHURN["dropout"]).any()
    else:
        assert dropped.size == 0


# --- conversion ----------------------------------------------------------------------------
MARKET = {
    "conversion": 0.6,
    "no_relationship": 0.05,
    "repeat_factor": 1.7,
    "promo_nudge": 0.4,
}


def reference_purchases(s: SimpleNamespace, left: np.ndarray) -> tuple[np.ndarray, ...]:
    """The former ``_conversion_one``: the known set's stocks (followers: but those who
    ``left``) and the buyers' positions."""
    known = s.known
    salience, trust, fit = s.salience[known], s.trust[known], s.fit[known]
    follower, seen_day = s.follower[known] & ~np.isin(known, left), s.seen_day[known]
    salient = np.flatnonzero(salience > 0)
    candidates = known[salient]
    draw = uniform_from(head(Stream.CONVERSION), candidates)
    chance = behavior.purchase_chance(
        MARKET["conversion"],
        fit[salient],
        salience[salient],
        trust[salient],
        MARKET["no_relationship"],
        s.customer[candidates],
        MARKET["repeat_factor"],
        s.promo_day[candidates] == DAY,
        MARKET["promo_nudge"],
    )
    return salience, trust, fit, follower, seen_day, salient[draw < chance]


def test_churn_and_purchases_equal_numpy() -> None:
    """One pass gives `churn_decisions`' churn, the former purchases, and the followers that
    are left."""
    s = random_state(2)
    pruned, dropped, stocks, bought = kernels.churn_and_purchases(
        s.known,
        s.follower,
        s.fit,
        s.trust,
        s.brand_follows_day,
        churn_params(True),
        s.salience,
        s.customer,
        s.promo_day,
        s.seen_day,
        DAY,
        (
            np.uint64(head(Stream.CONVERSION)),
            MARKET["conversion"],
            MARKET["no_relationship"],
            MARKET["repeat_factor"],
            MARKET["promo_nudge"],
        ),
    )
    expected_pruned, expected_dropped = reference_churn(s, True)
    assert_identical(pruned, expected_pruned)
    assert_identical(dropped, expected_dropped)
    assert pruned.size and dropped.size
    expected = reference_purchases(s, np.concatenate([pruned, dropped]))
    for actual, wanted in zip((*stocks, bought), expected, strict=True):
        assert_identical(actual, wanted)
    buyers = s.known[bought]
    for flag in (s.customer[buyers], s.promo_day[buyers] == DAY):
        assert flag.any() and not flag.all()
    assert (s.salience[s.known] == 0).any()
    assert buyers.size < np.count_nonzero(s.salience[s.known])


@njit
def _picked_formulas(flag, other, fit, salience, trust):  # pragma: no cover - compiled
    """The formulas that use ``behavior.pick``, person by person in compiled code (rows:
    prune hazard, purchase chance, promo fatigue, trust after purchase)."""
    out = np.empty((4, fit.size))
    for i in range(fit.size):
        out[0, i] = behavior.prune_hazard(0.5, fit[i], trust[i], flag[i], 0.3)
        out[1, i] = behavior.purchase_chance(
            0.6, fit[i], salience[i], trust[i], 0.05, flag[i], 1.7, other[i], 0.4
        )
        out[2, i] = behavior.fatigue_from_post(flag[i], fit[i], 2, 0.25, 0.1, 0.05)[0]
        out[3, i] = behavior.trust_after_purchase(trust[i], other[i], 0.2, 0.35)
    return out


def test_pick_in_kernels_equals_numpy_where() -> None:
    s = random_state(3)
    flag, other = s.customer, s.promo_day == DAY
    assert flag.any() and not flag.all() and other.any() and not other.all()
    compiled = _picked_formulas(flag, other, s.fit, s.salience, s.trust)
    expected = [
        behavior.prune_hazard(0.5, s.fit, s.trust, flag, 0.3),
        behavior.purchase_chance(0.6, s.fit, s.salience, s.trust, 0.05, flag, 1.7, other, 0.4),
        behavior.fatigue_from_post(flag, s.fit, 2, 0.25, 0.1, 0.05)[0],
        behavior.trust_after_purchase(s.trust, other, 0.2, 0.35),
    ]
    for row, values in zip(compiled, expected, strict=True):
        assert_identical(row, values)


# --- responses to a post -------------------------------------------------------------------
POST_NUMBER, HOP = 2, 1
QUALITY, CONTENT = 0.8, 3
TYPE = {"engagement": 1.3, "value": 0.9, "norm": 1.1, "comment": 0.3, "share": 0.25}
PARAMS = {
    "engage_base": 1.2,
    "promo_fatigue": 0.3,
    "irrelevance_fatigue": 0.2,
    "volume_fatigue": 0.1,
    "unfollow_given_fatigue": 0.5,
    "follow_base": 1.5,
    "social_proof": 3.0,
    "content_trust": 0.2,
    "incident_trust": 0.4,
    "engagement_trust_offset": 0.3,
}
EXPOSURE_SALIENCE = 0.35


def post_params(promo: bool, gaffe: bool) -> tuple:
    """The ``post`` tuple of `response_decisions`."""
    return (
        QUALITY,
        TYPE["engagement"],
        TYPE["value"],
        TYPE["norm"],
        TYPE["comment"],
        TYPE["share"],
        promo,
        gaffe,
    )


def reference_responses(
    s: SimpleNamespace, viewers: np.ndarray, proof: np.ndarray, promo: bool, gaffe: bool
) -> tuple[np.ndarray, ...]:
    """The former decision part of ``_respond`` for one group of viewers (no proof: empty)."""
    p = PARAMS
    fit, trust = s.fit[viewers], s.trust[viewers]
    fatigue = s.fatigue[viewers].T
    chance = behavior.engage_chance(
        p["engage_base"],
        s.sociability[viewers],
        TYPE["engagement"],
        QUALITY,
        TYPE["norm"],
        fit,
        trust,
        fatigue.sum(axis=0),
        p["engagement_trust_offset"],
    )
    draws = uniform_slots(head(Stream.RESPONSE, POST_NUMBER, HOP), viewers, (0, 1, 2, 3))
    engaged = draws[0] < chance
    comment = engaged & (draws[1] < TYPE["comment"])
    share = engaged & ~comment & (draws[1] < TYPE["comment"] + TYPE["share"])
    value = behavior.content_value(QUALITY, TYPE["value"], TYPE["norm"], fit)
    seen_today = np.where(s.seen_day[viewers] == DAY, s.seen_count[viewers], 0)
    added = behavior.fatigue_from_post(
        promo,
        fit,
        seen_today,
        p["promo_fatigue"],
        p["irrelevance_fatigue"],
        p["volume_fatigue"],
    )
    for source, extra in enumerate(added):  # promo, irrelevance, volume; spam gets nothing
        fatigue[source] += extra
    over = fatigue.sum(axis=0) > s.promo_tolerance[viewers]
    follower = s.follows[viewers]
    leave = over & follower & (draws[2] < p["unfollow_given_fatigue"])
    follow_p = behavior.follow_chance(
        p["follow_base"], value, fit, proof if proof.size else 0.0, p["social_proof"]
    )
    follow = ~follower & ~over & (draws[3] < follow_p) & (not gaffe)
    new_trust = behavior.trust_after_post(
        trust, value, gaffe, p["content_trust"], p["incident_trust"]
    )
    choices = np.zeros((6, len(viewers)), dtype=bool)
    for row, flags in zip(
        (ENGAGED, COMMENT, SHARE, OVER, LEAVE, FOLLOW),
        (engaged, comment, share, over, leave, follow),
        strict=True,
    ):
        choices[row] = flags
    return choices, fatigue, new_trust, seen_today


def decide(
    s: SimpleNamespace, viewers: np.ndarray, proof: np.ndarray, promo: bool, gaffe: bool
) -> tuple[np.ndarray, ...]:
    """`response_decisions` as the engine calls it."""
    return kernels.response_decisions(
        viewers,
        np.uint64(head(Stream.RESPONSE, POST_NUMBER, HOP)),
        s.fit,
        s.trust,
        s.fatigue,
        s.sociability,
        s.promo_tolerance,
        s.seen_day,
        s.seen_count,
        s.follows,
        proof,
        DAY,
        post_params(promo, gaffe),
        kernels.ResponseParams(**PARAMS),
    )


def random_proof(rng: np.random.Generator, size: int) -> np.ndarray:
    """Social proof shares of ``size`` viewers, a third of them 0 (nobody they follow does)."""
    proof = rng.random(size)
    proof[rng.random(size) < 0.33] = 0.0
    return proof


@pytest.mark.parametrize("with_proof", [True, False])
@pytest.mark.parametrize("gaffe", [True, False])
@pytest.mark.parametrize("promo", [True, False])
def test_response_decisions_equal_numpy(promo: bool, gaffe: bool, with_proof: bool) -> None:
    s = random_state(4)
    rng = np.random.default_rng(40)
    viewers = sample(rng, 0.4)
    proof = random_proof(rng, viewers.size) if with_proof else EMPTY
    before = copy.deepcopy(s)
    result = decide(s, viewers, proof, promo, gaffe)
    expected = reference_responses(s, viewers, proof, promo, gaffe)
    for actual, wanted in zip(result, expected, strict=True):
        assert_identical(actual, wanted)
    assert_same_state(s, before)  # it only reads the state
    choices, _, _, seen_today = result
    for row in (ENGAGED, COMMENT, SHARE, OVER, LEAVE):
        assert choices[row].any() and not choices[row].all()
    assert choices[FOLLOW].any() != gaffe
    assert (seen_today > 0).any() and ((seen_today == 0) & (s.seen_count[viewers] > 0)).any()
    if with_proof and not gaffe:  # the proof changed some decisions to follow
        unproven = reference_responses(s, viewers, EMPTY, promo, gaffe)[0]
        assert (unproven[FOLLOW] != choices[FOLLOW]).any()


def reference_apply(
    s: SimpleNamespace, viewers: np.ndarray, decided: tuple[np.ndarray, ...], promo: bool
) -> tuple[int, ...]:
    """The former write part of ``_respond`` for one group (in place); returns the counts of
    engagements, comments, shares, mutes and unfollows."""
    choices, new_fatigue, new_trust, seen_today = decided
    s.trust[viewers] = new_trust
    s.fatigue[viewers] = new_fatigue.T
    s.fatigued[viewers] = True
    s.salience[viewers] = behavior.closer(s.salience[viewers], EXPOSURE_SALIENCE)
    s.seen_count[viewers] = seen_today + 1
    s.seen_day[viewers] = DAY
    s.last_content[viewers] = CONTENT
    if promo:
        s.promo_day[viewers] = DAY
    mute = choices[OVER] & ~choices[LEAVE]
    s.muted[viewers[mute]] = True
    return tuple(
        int(np.count_nonzero(flags))
        for flags in (choices[ENGAGED], choices[COMMENT], choices[SHARE], mute, choices[LEAVE])
    )


@pytest.mark.parametrize("promo", [True, False])
def test_apply_responses_writes_as_numpy(promo: bool) -> None:
    s = random_state(5)
    viewers = sample(np.random.default_rng(50), 0.4)
    decided = decide(s, viewers, EMPTY, promo, gaffe=False)
    expected = copy.deepcopy(s)
    expected_counts = reference_apply(expected, viewers, decided, promo)
    counts = kernels.apply_responses(
        viewers,
        *decided,
        s.trust,
        s.fatigue,
        s.fatigued,
        s.salience,
        s.seen_count,
        s.seen_day,
        s.last_content,
        s.promo_day,
        s.muted,
        DAY,
        CONTENT,
        promo,
        EXPOSURE_SALIENCE,
    )
    assert counts == expected_counts and min(counts) > 0
    assert_same_state(s, expected)
    choices = decided[0]
    assert (choices[OVER] & choices[LEAVE]).any() and not choices[OVER].all()
    assert (s.promo_day[viewers] != DAY).any() != promo


# --- outreach ------------------------------------------------------------------------------
OUTREACH = {
    "spam_fit": 0.4,
    "block_chance": 0.5,
    "follow_back": 0.6,
    "outreach_salience": 0.15,
    "spam_fatigue": 0.45,
}
OUTREACH_DRAWS = 10
"""Candidate draws per planned follow, as in the engine."""
OUTREACH_N = 500
"""A small population, so that the draws repeat people."""


def outreach_picks(draws: int) -> np.ndarray:
    """The people of the ``draws`` candidate draws of the day's outreach."""
    return (uniform_from(head(Stream.OUTREACH), 0, np.arange(draws)) * OUTREACH_N).astype(np.int64)


def reference_targets(s: SimpleNamespace, count: int, by_fit: bool) -> tuple[np.ndarray, ...]:
    """The former target choice of ``_follow_accounts``; also the picks and which passed."""
    slots = np.arange(OUTREACH_DRAWS * count)
    picks = outreach_picks(slots.size)
    ok = s.member[picks] & (s.brand_follows_day[picks] < 0) & ~s.blocked[picks] & ~s.follower[picks]
    if by_fit:
        target = head(Stream.OUTREACH, 0, 1)
        ok &= uniform_from(target, picks, slots) < s.fit[picks]
    first_unique = np.array(list(dict.fromkeys(picks[ok].tolist())), dtype=np.int64)
    return np.sort(first_unique[:count]), picks, ok


@pytest.mark.parametrize(("count", "enough"), [(15, True), (200, False)])
@pytest.mark.parametrize("by_fit", [True, False])
def test_outreach_targets_equal_numpy(by_fit: bool, count: int, enough: bool) -> None:
    s = random_state(6, OUTREACH_N)
    chosen = kernels.outreach_targets(
        count,
        OUTREACH_DRAWS * count,
        OUTREACH_N,
        np.uint64(head(Stream.OUTREACH)),
        np.uint64(head(Stream.OUTREACH, 0, 1)),
        s.member,
        s.brand_follows_day,
        s.blocked,
        s.follower,
        s.fit if by_fit else EMPTY,
    )
    expected, picks, ok = reference_targets(s, count, by_fit)
    assert_identical(chosen, expected)
    assert (chosen.size == count) == enough  # else the draws ran out, each one read
    for rejected in (~s.member, s.brand_follows_day >= 0, s.blocked, s.follower):
        assert rejected[picks].any()
    if not enough:
        assert np.unique(picks[ok]).size < np.count_nonzero(ok)  # repeated candidates
    if by_fit:  # the fit target rejected some who passed the rest
        assert reference_targets(s, count, by_fit=False)[2].sum() > ok.sum()


def reference_reactions(s: SimpleNamespace, chosen: np.ndarray) -> np.ndarray:
    """The former reactions of ``_follow_accounts`` (written to ``s``); (spam, block, follow
    back) per account."""
    o = OUTREACH
    spam = (s.salience[chosen] == 0) & (s.fit[chosen] < o["spam_fit"])
    draws = uniform_slots(head(Stream.OUTREACH, 0, 2), chosen, (0, 1))
    block = spam & (draws[0] < o["block_chance"])
    follow_back = ~block & (draws[1] < o["follow_back"] * s.sociability[chosen])
    s.salience[chosen] = behavior.closer(s.salience[chosen], o["outreach_salience"])
    s.fatigue[chosen[spam], 3] += o["spam_fatigue"]
    s.fatigued[chosen[spam]] = True
    s.blocked[chosen[block]] = True
    return np.array([spam, block, follow_back])


def test_outreach_reactions_write_as_numpy() -> None:
    s = random_state(7)
    chosen = sample(np.random.default_rng(70), 0.3)
    strangers = s.salience[chosen] == 0
    expected = copy.deepcopy(s)
    expected_reactions = reference_reactions(expected, chosen)
    reactions = kernels.outreach_reactions(
        chosen,
        np.uint64(head(Stream.OUTREACH, 0, 2)),
        s.fit,
        s.sociability,
        s.salience,
        s.fatigue,
        s.fatigued,
        s.blocked,
        *OUTREACH.values(),
        3,
    )
    assert_identical(reactions, expected_reactions)
    assert_same_state(s, expected)
    spam, block, follow_back = reactions
    for flags in (spam, block, follow_back, spam & ~block & follow_back):
        assert flags.any() and not flags.all()
    assert (strangers & ~spam).any()  # strangers who fit see no spam


# --- exposure ------------------------------------------------------------------------------
FEED_CHANCE = 0.6


def reference_feed(s: SimpleNamespace) -> np.ndarray:
    """The former feed part of ``_expose_post`` (stamps written to ``s``)."""
    followers = s.known[s.follows[s.known]]
    visible = followers[~s.muted[followers] & ~s.blocked[followers]]
    visible = visible[online(s, visible)]
    draw = uniform_from(head(Stream.EXPOSURE, POST_NUMBER, 0), visible)
    feed = visible[draw < FEED_CHANCE]
    s.post_stamp[feed] = STAMP
    return feed


def test_feed_viewers_equal_numpy() -> None:
    s = random_state(8)
    expected = copy.deepcopy(s)
    expected_feed = reference_feed(expected)
    feed = kernels.feed_viewers(
        s.known,
        s.follows,
        s.muted,
        s.blocked,
        s.activity,
        online_head(),
        np.uint64(head(Stream.EXPOSURE, POST_NUMBER, 0)),
        FEED_CHANCE,
        s.post_stamp,
        STAMP,
    )
    assert_identical(feed, expected_feed)
    assert_same_state(s, expected)
    followers = s.known[s.follows[s.known]]
    assert (~s.follows[s.known]).any() and s.muted[followers].any() and s.blocked[followers].any()
    reachable = followers[~s.muted[followers] & ~s.blocked[followers]]
    assert 0 < feed.size < np.count_nonzero(online(s, reachable)) < reachable.size


def eligible(s: SimpleNamespace, people: np.ndarray, followers_ok: bool) -> np.ndarray:
    """Which of ``people`` the former ``_eligible`` kept before asking who is online."""
    ok = s.member[people] & ~s.blocked[people] & ~s.muted[people] & (s.post_stamp[people] != STAMP)
    if not followers_ok:
        ok &= ~s.follows[people]
    return ok


def reference_shown(s: SimpleNamespace, people: np.ndarray, followers_ok: bool) -> np.ndarray:
    """The former ``_eligible`` and its callers' stamping (written to ``s``)."""
    people = people[eligible(s, people, followers_ok)]
    shown = people[online(s, people)]
    s.post_stamp[shown] = STAMP
    return shown


@pytest.mark.parametrize("followers_ok", [True, False])
def test_shown_viewers_equal_numpy(followers_ok: bool) -> None:
    s = random_state(9)
    people = np.random.default_rng(90).permutation(N)[: N // 2]  # unique, unsorted
    before = copy.deepcopy(s)
    expected = copy.deepcopy(s)
    expected_shown = reference_shown(expected, people, followers_ok)
    shown = kernels.shown_viewers(
        people,
        s.member,
        s.blocked,
        s.muted,
        NO_MASK if followers_ok else s.follows,
        s.post_stamp,
        STAMP,
        s.activity,
        online_head(),
    )
    assert_identical(shown, expected_shown)
    assert_same_state(s, expected)
    assert (np.diff(shown) < 0).any()  # input order kept
    assert s.follows[shown].any() == followers_ok
    for excluded in (~before.member, before.blocked, before.muted, before.post_stamp == STAMP):
        assert excluded[people].any()
    assert 0 < shown.size < np.count_nonzero(eligible(before, people, followers_ok))  # offline


# --- advocacy ------------------------------------------------------------------------------
ADVOCACY = {"threshold": 0.5, "rate": 0.4}


def reference_speakers(s: SimpleNamespace) -> np.ndarray:
    """The former speakers of ``_advocacy``."""
    trusting = s.known[s.trust[s.known] > ADVOCACY["threshold"]]
    advocates = trusting[~s.blocked[trusting]]
    return advocates[uniform_from(head(Stream.ADVOCACY), advocates) < ADVOCACY["rate"]]


def test_advocacy_speakers_equal_numpy() -> None:
    s = random_state(10)
    speakers = kernels.advocacy_speakers(
        s.known,
        s.trust,
        s.blocked,
        ADVOCACY["threshold"],
        np.uint64(head(Stream.ADVOCACY)),
        ADVOCACY["rate"],
    )
    assert_identical(speakers, reference_speakers(s))
    trusting = s.known[s.trust[s.known] > ADVOCACY["threshold"]]
    assert trusting.size < s.known.size and s.blocked[trusting].any()
    assert 0 < speakers.size < np.count_nonzero(~s.blocked[trusting])


# --- spread --------------------------------------------------------------------------------
def reference_spread(indptr, indices, sources, chance: float) -> np.ndarray:
    """The former ``_spread``: each source's neighbours, one draw per pair, unique and sorted."""
    starts = indptr[sources]
    counts = indptr[sources + 1] - starts
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    senders, receivers = np.repeat(sources, counts), indices[offsets].astype(np.int64)
    hit = uniform_from(head(Stream.CASCADE, 3, 1), receivers, senders) < chance
    return np.unique(receivers[hit])


def test_spread_hits_equal_numpy() -> None:
    rng = np.random.default_rng(11)
    degrees = rng.integers(0, 12, N)
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    indices = rng.integers(0, N, indptr[-1]).astype(np.int32)
    sources = np.sort(rng.choice(N, 300, replace=True)).astype(np.int64)
    reached = kernels.spread_hits(
        sources, indptr, indices, np.uint64(head(Stream.CASCADE, 3, 1)), 0.3
    )
    assert_identical(reached, reference_spread(indptr, indices, sources, 0.3))
    neighbours = np.unique(np.concatenate([indices[indptr[i] : indptr[i + 1]] for i in sources]))
    assert 0 < reached.size < neighbours.size
    assert np.unique(sources).size < sources.size  # a repeated source draws again (same keys)
    empty = kernels.spread_hits(
        sources[:0], indptr, indices, np.uint64(head(Stream.CASCADE, 3, 1)), 0.3
    )
    assert_identical(empty, np.zeros(0, dtype=np.int64))


# --- lazy decay of people outside the known set ---------------------------------------------
SYNC = {"grace": 7.5, "floor": 0.2, "half_lives": (30.0, 10.0, 60.0)}
"""Forgetting floor and half-lives of salience, fatigue and trust (the rows of the kernels)."""


def sync_days(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Days each person was last synced, and of their last two-way contact (some never)."""
    synced = rng.integers(DAY - 40, DAY + 1, n).astype(np.int32)
    last_touch = np.where(rng.random(n) < 0.3, NEVER, synced - rng.integers(0, 15, n))
    return synced, last_touch.astype(np.int32)


def reference_sync(s: SimpleNamespace, people: np.ndarray, known_day: int) -> None:
    """The former ``_sync``: salience, trust and fatigue decayed to today by gathers and
    scatters over ``sim.behavior``'s formulas (the known set's day is ``known_day``)."""
    salience_half_life, fatigue_half_life, trust_half_life = SYNC["half_lives"]
    synced = np.where(s.in_known[people], known_day, s.synced_day[people])
    elapsed = DAY - synced
    salience = behavior.decayed(s.salience[people], elapsed, salience_half_life)
    s.salience[people] = np.where(salience < SYNC["floor"], 0.0, salience)
    s.trust[people] = behavior.decayed_trust(
        s.trust[people], synced, s.last_touch[people], DAY, SYNC["grace"], trust_half_life
    )
    s.fatigue[people] = behavior.decayed(s.fatigue[people].T, elapsed, fatigue_half_life).T
    s.synced_day[people] = DAY


def test_sync_equals_numpy() -> None:
    """``sync_decay_days``, NumPy's factors and ``apply_sync`` equal the former ``_sync``, with
    a person listed twice decayed once (gather, then scatter), and the known set's day read
    from ``known_day``."""
    rng = np.random.default_rng(21)
    s = random_state(21)
    s.synced_day, s.last_touch = sync_days(N, rng)
    s.in_known = rng.random(N) < 0.3
    known_day = DAY - 3
    people = sample(rng, 0.5)
    people = np.concatenate([people, people[:5]])
    known = people[s.in_known[people]]
    assert known.size and (s.synced_day[known] != known_day).any()  # their own day is ignored
    expected = copy.deepcopy(s)
    reference_sync(expected, people, known_day)
    days = kernels.sync_decay_days(
        people, s.synced_day, s.in_known, known_day, s.last_touch, DAY, SYNC["grace"]
    )
    factors = behavior.decay_factor(days, np.array(SYNC["half_lives"])[:, None])
    kernels.apply_sync(
        people, factors, s.salience, s.trust, s.fatigue, s.synced_day, DAY, SYNC["floor"]
    )
    assert_same_state(s, expected)
    trust_days = days[kernels.TRUST_ROW]
    assert (trust_days == 0).any() and (trust_days > 0).any()
    assert (trust_days < days[kernels.SALIENCE_ROW]).any()  # part of the gap was grace
    forgotten = (expected.salience[people] == 0) & (s.salience[people] == 0)
    assert forgotten.any() and (expected.salience[people] > 0).any()


def reference_merge(known: np.ndarray, in_known: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """The former ``_merge``: the new of ``touched`` marked, de-duplicated and merged in."""
    new = touched[~in_known[touched]]
    if len(new) == 0:
        return known
    in_known[new] = True
    return np.sort(np.concatenate([known, np.unique(new)]), kind="stable")


@pytest.mark.parametrize("share", [0.0, 0.2])
def test_merge_known_equals_numpy(share: float) -> None:
    rng = np.random.default_rng(31)
    s = random_state(31)
    s.in_known = np.zeros(N, dtype=bool)
    s.in_known[s.known] = True
    touched = rng.choice(s.known, 50)  # already known: no change
    if share:
        touched = np.concatenate([touched, sample(rng, share), sample(rng, share)])
    expected = copy.deepcopy(s)
    expected_known = reference_merge(expected.known, expected.in_known, touched)
    merged = kernels.merge_known(s.known, s.in_known, touched)
    assert_identical(merged, expected_known)
    assert_same_state(s, expected)
    assert (merged.size > s.known.size) == bool(share)


def reference_proof(indptr, indices, people, follower) -> np.ndarray:
    """The former ``sim.behavior.social_proof_share``: per-person sums by ``np.bincount``."""
    starts = indptr[people]
    counts = indptr[people + 1] - starts
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
    hits = follower[indices[offsets]]
    sums = np.bincount(
        np.repeat(np.arange(len(people)), counts), weights=hits, minlength=len(people)
    )
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)


def test_proof_shares_equal_numpy() -> None:
    rng = np.random.default_rng(41)
    s = random_state(41)
    degrees = rng.integers(0, 9, N)
    indptr = np.concatenate([[0], np.cumsum(degrees)]).astype(np.int64)
    indices = rng.integers(0, N, indptr[-1]).astype(np.int32)
    people = sample(rng, 0.5)
    shares = kernels.proof_shares(indptr, indices, people, s.follower)
    assert_identical(shares, reference_proof(indptr, indices, people, s.follower))
    assert (degrees[people] == 0).any() and 0 < np.count_nonzero(shares) < people.size
    assert ((shares > 0) & (shares < 1)).any()


def test_purchase_bounds_equal_numpy() -> None:
    """The former NumPy lines of the vector engine's competing purchases, bit for bit: shares
    scaled down where the chances sum above 1 (and not where they do not), then running sums."""
    rng = np.random.default_rng(43)
    chances = rng.uniform(0, 0.7, (3, 500))
    expected = np.cumsum(chances / np.maximum(chances.sum(axis=0), 1.0), axis=0)
    bounds = kernels.purchase_bounds(chances)
    assert_identical(bounds, expected)
    assert (chances.sum(axis=0) > 1).any() and (chances.sum(axis=0) < 1).any()


# --- listening -----------------------------------------------------------------------------
REPLIES = {"reply_trust": 0.3, "wrong_answer_trust": 0.2, "ignored_trust": 0.1}


def reference_replies(
    s: SimpleNamespace, person: np.ndarray, answered: np.ndarray, wrong: np.ndarray
) -> None:
    """The former listening writes: round r applies each author's r-th comment, in queue
    order (a stable sort by author ranks the comments)."""
    order = np.argsort(person, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(person[order])) + 1]
    rank = np.empty(person.size, dtype=np.int64)
    rank[order] = np.arange(person.size) - np.repeat(starts, np.diff(np.r_[starts, person.size]))
    for r in range(rank.max() + 1):
        who = np.flatnonzero(rank == r)
        s.trust[person[who]] = behavior.trust_after_comment(
            s.trust[person[who]], answered[who], wrong[who], *REPLIES.values()
        )
        good = who[answered[who] & ~wrong[who]]
        s.last_touch[person[good]] = DAY


def test_apply_replies_equals_numpy() -> None:
    rng = np.random.default_rng(51)
    s = random_state(51)
    s.last_touch = np.full(N, NEVER, dtype=np.int32)
    person = rng.integers(0, 300, 600)  # most authors comment more than once
    answered = rng.random(person.size) < 0.6
    wrong = answered & (rng.random(person.size) < 0.3)
    expected = copy.deepcopy(s)
    reference_replies(expected, person, answered, wrong)
    kernels.apply_replies(person, answered, wrong, s.trust, s.last_touch, DAY, *REPLIES.values())
    assert_same_state(s, expected)
    assert (~answered).any() and wrong.any() and (answered & ~wrong).any()
    assert np.bincount(person).max() > 2


# --- metrics -------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 127, 128, 129, 1000, 4099, 70001])
def test_pairwise_sum_is_numpys_sum(size: int) -> None:
    """Sums in NumPy's order, so that the stocks do not change in the last bit; values of very
    different magnitudes make any other order show."""
    rng = np.random.default_rng(size)
    values = rng.random(size) * rng.choice([1e-9, 1.0, 1e9], size)
    weights = rng.random(size)
    assert_identical(kernels.pairwise_sum(values, size), values.sum())
    assert_identical(kernels.pairwise_sum(values, size, weights), (values * weights).sum())
    if size > 128:
        in_order = 0.0
        for value in values:
            in_order += value
        assert in_order != values.sum()  # the order matters for these values


def test_stock_sums_equal_numpy() -> None:
    s = random_state(61)
    known = s.known
    trust, fit, follower = s.trust[known], s.fit[known], s.follower[known]
    salience, seen_day = s.salience[known], s.seen_day[known]
    sums = kernels.stock_sums(trust, fit, follower, salience, seen_day, DAY, 0.6)
    expected = (
        np.count_nonzero(follower),
        trust[follower].sum(),
        (trust * fit).sum(),
        np.count_nonzero(trust > 0.6),
        np.count_nonzero(salience > 0),
        np.count_nonzero(seen_day == DAY),
    )
    assert sums[0::3] == expected[0::3] and sums[4:] == expected[4:]
    assert_identical(np.array(sums[1:3]), np.array(expected[1:3]))
    assert min(expected[0::3] + expected[4:]) > 0 and max(expected[4:]) < known.size


# --- the cache of compiled kernels ---------------------------------------------------------
def test_cached_kernels_are_dropped_when_the_formulas_change(tmp_path, monkeypatch) -> None:
    """Numba's cache checks only the kernels' own file; editing ``sim/behavior.py`` must drop
    the cached kernels, or they would keep the old formulas."""
    package = tmp_path / "engines"
    cache = package / "__pycache__"
    cache.mkdir(parents=True)
    formulas = tmp_path / "behavior.py"
    draws = tmp_path / "rng_kernel.py"
    formulas.write_text("old formulas")
    draws.write_text("draws")
    monkeypatch.setattr(kernels, "__file__", str(package / "kernels.py"))
    monkeypatch.setattr(kernels.behavior, "__file__", str(formulas))
    monkeypatch.setattr(kernels.rng_kernel, "__file__", str(draws))
    kernels._drop_stale_cache()
    compiled = cache / "kernels.churn_decisions-1.py312.nbi"
    compiled.write_text("index")
    kernels._drop_stale_cache()
    assert compiled.exists()  # unchanged formulas: the cache stays
    formulas.write_text("new formulas")
    kernels._drop_stale_cache()
    assert not compiled.exists()
    other = cache / "graph.something-1.py312.nbi"
    other.write_text("index")
    compiled.write_text("index")
    draws.write_text("new draws")
    kernels._drop_stale_cache()
    assert not compiled.exists() and other.exists()  # only this module's kernels go
