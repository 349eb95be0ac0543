"""Behaviour formulas: pure functions over scalars or NumPy arrays, shared by both engines.

Each formula is one mechanism of the model (the step of ``docs/model.md`` section 3 in brackets)
and names its source; parameters come from ``sim.schema``. None of them knows which strategy is
running: outcomes emerge from these mechanisms, never from a per-strategy bonus.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv

__all__ = [
    "decay_factor",
    "decayed",
    "trust_decay_start",
    "trust_decay_days",
    "decayed_trust",
    "closer",
    "post_quality",
    "ranking_factor",
    "feed_chance",
    "engage_chance",
    "content_value",
    "engagement_kind",
    "fatigue_from_post",
    "trust_after_post",
    "trust_after_comment",
    "is_question",
    "boosted",
    "paid_draws",
    "is_wrong_answer",
    "answer_backfires",
    "draws_reprisal",
    "recommendation_follow_chance",
    "trust_from_recommendation",
    "trust_after_purchase",
    "breaks_follow_limits",
    "counted_actions",
    "reads_as_spam",
    "follow_back_chance",
    "follow_chance",
    "social_proof",
    "is_advocate",
    "mean_field_contacts",
    "remembered",
    "may_unfollow_from_fatigue",
    "may_follow_after_post",
    "reply_capacity",
    "purchase_share",
    "bought_followers",
    "prune_hazard",
    "purchase_chance",
    "satisfaction_quantile",
    "satisfied",
]


def pick(condition, if_true, if_false):
    """``if_true`` where ``condition`` holds, else ``if_false``: ``np.where`` for the formulas.

    Compiled kernels get a plain branch instead (``sim.engines.kernels``), which gives the same
    values without allocating an array per person.
    """
    return np.where(condition, if_true, if_false)


def decay_factor(elapsed_days, half_life):
    """The factor by which exponential decay with ``half_life`` shrinks a value over
    ``elapsed_days`` [3.3, 3.8]: ``2 ** (-elapsed / half_life)``."""
    return np.exp2(-np.asarray(elapsed_days, dtype=np.float64) / half_life)


def decayed(value, elapsed_days, half_life: float):
    """Exponential decay with a half-life [3.3 fatigue, 3.8 salience]; exact for lazy updates."""
    return value * decay_factor(elapsed_days, half_life)


def trust_decay_start(last_update, last_touch, grace: float):
    """When trust stored on ``last_update`` starts to decay: ``grace`` days after the last
    two-way contact, and not before it was stored [3.8]."""
    return np.maximum(last_update, last_touch + grace)


def trust_decay_days(last_update, last_touch, day, grace: float):
    """Days of trust decay from ``last_update`` to ``day`` (from `trust_decay_start`) [3.8]."""
    return np.maximum(0.0, day - trust_decay_start(last_update, last_touch, grace))


def decayed_trust(trust, last_update, last_touch, day, grace: float, half_life: float):
    """Trust decays toward 0 only after ``grace`` days since the last two-way contact [3.8].

    Lazy and exact: decay runs from max(last_update, last_touch + grace) to ``day``.
    Relationships need two-way maintenance (assumption, see docs/model.md).
    """
    return trust * decay_factor(trust_decay_days(last_update, last_touch, day, grace), half_life)


def closer(value, step):
    """Move ``value`` a share ``step`` of the way toward 1 (bounded growth in [0, 1])."""
    return value + step * (1.0 - value)


def post_quality(
    hours_per_post,
    half_hours: float,
    automation_share: float,
    automation_quality: float,
    formality: float,
    formal_quality: float,
):
    """Post quality in [0, 1): saturating in hours, lowered by automation and a formal voice [3.1].

    More hours per post give better content with diminishing returns; automated posts feel
    impersonal, and so does a stiff, corporate voice (Kelleher 2009; sizes are assumptions, see
    docs/model.md).
    """
    hours = np.asarray(hours_per_post, dtype=np.float64)
    return (
        hours
        / (hours + half_hours)
        * (1.0 - automation_quality * automation_share)
        * (1.0 - formal_quality * formality)
    )


def ranking_factor(
    engagement_per_impression: float, reference: float, sensitivity: float, low: float, high: float
) -> float:
    """Feed ranking by predicted engagement [3.2]: reach scales with engagement per impression.

    Platforms rank posts by expected engagement (Facebook News Feed, EdgeRank; Bakshy et al.
    2015), so audiences who never engage lower the reach of every post.
    """
    if engagement_per_impression <= 0.0:
        return low
    return float(min(max((engagement_per_impression / reference) ** sensitivity, low), high))


def feed_chance(
    feed_rate: float, ranking: float, restriction: float, posts_today: int, damping: float
) -> float:
    """Chance an online follower sees one post in the feed [3.2].

    Ranking and any spam restriction scale it; several posts the same day share the feed
    (diminishing returns to posting more than once a day, Track Social 2012).
    """
    return min(1.0, feed_rate * ranking * restriction * max(posts_today, 1) ** -damping)


def content_value(quality, type_value, norm, fit):
    """Value of a post to a viewer: quality x type value x platform norm x relevance (fit)."""
    return quality * type_value * norm * fit


def engage_chance(
    base, sociability, type_engagement, quality, norm, fit, trust, fatigue, trust_offset
):
    """Chance an impression turns into an interaction [3.3].

    Rises with content quality and type, relevance (fit), sociability and trust; falls with
    fatigue (Lee, Hosanagar & Nair 2018; de Vries, Gensler & Leeflang 2012). ``base`` is the
    chance of a stranger (trust 0) at full sociability, quality, norm and fit.
    """
    raw = (
        base
        * (1.0 / trust_offset)
        * sociability
        * type_engagement
        * quality
        * norm
        * fit
        * (trust_offset + trust)
        / (1.0 + fatigue)
    )
    return np.minimum(raw, 1.0)


def engagement_kind(u, comment_share, share_share):
    """(comment, share): what an engagement is, by its draw ``u`` [3.3]. Comments take the
    first ``comment_share`` of the draw's range, shares the next ``share_share``, likes the rest."""
    comment = u < comment_share
    return comment, (u >= comment_share) & (u < comment_share + share_share)


def fatigue_from_post(promo, fit, seen_today, promo_fatigue, irrelevance_fatigue, volume_fatigue):
    """Fatigue one post adds, by source: (promo, irrelevance, volume) [3.3].

    Promotional content tires (``promo_fatigue`` per promo post), irrelevant content tires in
    proportion to 1 - fit whatever its quality, and every earlier post seen today adds volume
    fatigue (Sprout Social Index 2016 on why people unfollow brands). Kept by source so that an
    unfollow can be attributed to its main cause.
    """
    promo_part = pick(promo, promo_fatigue, 0.0)
    return (
        promo_part,
        irrelevance_fatigue * (1.0 - fit),
        volume_fatigue * seen_today,
    )


def trust_after_post(trust, value, gaffe: bool, content_trust: float, incident_trust: float):
    """Trust after seeing a post: valuable content adds a little, a gaffe costs a share [3.3, 3.10].

    The step is at most the whole gap to 1 (post values above 1 / ``content_trust`` would
    overshoot). Assumption, see docs/model.md.
    """
    if gaffe:
        return trust * (1.0 - incident_trust)
    return closer(trust, np.minimum(content_trust * value, 1.0))


def trust_after_comment(
    trust, answered, backfired, reply_trust: float, wrong_answer_trust: float, ignored_trust: float
):
    """Trust after one comment of the person's was handled [3.4].

    A good reply is a two-way contact (reciprocity, Gouldner 1960: trust moves ``reply_trust``
    of the way to 1); an answer that backfires (``answer_backfires``: wrong, or arguing) costs a
    share, so does being ignored (assumption, see docs/model.md).
    """
    good = np.logical_and(answered, np.logical_not(backfired))
    trust = pick(good, closer(trust, reply_trust), trust)
    trust = pick(backfired, trust * (1.0 - wrong_answer_trust), trust)
    return pick(np.logical_not(answered), trust * (1.0 - ignored_trust), trust)


def is_question(u, question_share: float, reprisal):
    """Whether a comment needs another department [3.4]: a share of comments do (drawn by
    ``u``), and so does every reprisal, a complaint about an answer that needed one."""
    return np.logical_or(u < question_share, reprisal)


def boosted(
    rule: str, promotional: bool, engagements: int, impressions: float, usual: tuple[float, float]
) -> bool:
    """Whether a post is boosted [3.2]: under ``"promo"`` every promotional post (paid reach
    picks the content); under ``"engaging"`` a post whose feed engagement per impression is at
    least the brand's usual (``usual``: remembered engagements, impressions; the seed articles:
    let the content's quality decide which posts to boost)."""
    if rule == "promo":
        return promotional
    usual_engagements, usual_impressions = usual
    return engagements > 0 and engagements * usual_impressions >= usual_engagements * impressions


PAID_DRAWS_PER_PERSON = 10
"""Most draws a boost makes per simulated person: by then each person has been drawn with
chance 1 - e^-10, so more money buys no more reach (the market is saturated), and no budget or
price can ask for more draws than memory holds."""


def paid_draws(spend: float, cpm: float, scale: float, reachable: float, people: int) -> int:
    """Simulated people drawn for a boost of ``spend`` [3.2]: ``spend`` / ``cpm`` thousand real
    impressions, divided by ``scale``, and by ``reachable``, the share of draws expected to be
    members online (so that about the impressions paid for are delivered); at most
    ``PAID_DRAWS_PER_PERSON`` per person of the ``people``."""
    if reachable <= 0:
        return 0
    wanted = spend / cpm * 1000.0 / scale / reachable
    return int(round(min(wanted, PAID_DRAWS_PER_PERSON * people)))


def is_wrong_answer(answered, question, routed):
    """Whether an answer is wrong [3.4]: a question for another department, answered without
    routing it there."""
    return np.logical_and(np.logical_and(answered, question), np.logical_not(routed))


def answer_backfires(wrong, argues):
    """Whether an answer costs trust instead of building it [3.4]: a wrong answer, or an answer
    that argues with the person (forcing the brand's view)."""
    return np.logical_or(wrong, argues)


def draws_reprisal(u, reprisal_chance: float):
    """Whether an answer that backfired (wrong, or arguing) draws a reprisal [3.4] (with chance
    ``reprisal_chance``, drawn by ``u``): the person complains in comments."""
    return u < reprisal_chance


def recommendation_follow_chance(recommendation_follow, fit):
    """Chance that hearing a recommendation makes a person follow the brand [3.6]: in proportion
    to how well the brand fits them."""
    return recommendation_follow * fit


def trust_from_recommendation(trust, source_trust, transfer: float):
    """Trust after hearing a recommendation: a share of the gap to the advocate's trust [3.6].

    Trust transfers through the tie (Goldenberg, Libai & Muller 2001); it never falls.
    """
    return trust + transfer * np.maximum(0.0, source_trust - trust)


def trust_after_purchase(trust, happy, satisfied_trust: float, unhappy_trust: float):
    """Trust after a purchase: satisfied customers trust more, unhappy ones less [3.9].

    Anderson 1998; Reichheld 2003 on satisfaction and recommendation.
    """
    return pick(happy, closer(trust, satisfied_trust), trust * (1.0 - unhappy_trust))


def counted_actions(limit_counts: str, follows: int, unfollows: int) -> int:
    """A day's outreach actions that count toward a platform's daily limit [3.7]: its follows,
    its unfollows or both, as the platform's ``limit_counts`` says."""
    return follows * (limit_counts != "unfollows") + unfollows * (limit_counts != "follows")


def breaks_follow_limits(
    actions: int,
    following: int,
    followers: float,
    scale: float,
    limit_per_day: float,
    ratio_limit: float,
    floor: float,
) -> bool:
    """Whether a day's outreach breaks a platform's spam rules [3.7].

    ``actions`` (follows, plus unfollows where they count), ``following`` and ``followers``
    (the platform's, as it counts them at the start of outreach: bought ones included) are
    simulated accounts; limits are stated in real accounts, hence ``scale``. The following
    limit is the larger of ``floor`` and ``ratio_limit`` x followers (platform rules, see
    scenarios/platforms/).
    """
    limit = max(floor, ratio_limit * (followers * scale))
    return actions * scale > limit_per_day or following * scale > limit


def social_proof(followees_following: int, followees: int) -> float:
    """Share of the accounts a person follows that already follow the brand; 0 for someone who
    follows nobody [3.3, 3.5]."""
    return followees_following / followees if followees > 0 else 0.0


def is_advocate(trust: float, blocked: bool, advocate_threshold: float) -> bool:
    """Whether a person recommends the brand when the day's draw allows: trust above the
    advocate threshold, and not blocking the brand [3.6]."""
    return trust > advocate_threshold and not blocked


def mean_field_contacts(recommendation_reach: float, edges: int, people: int) -> int:
    """Random people one recommendation reaches under mean-field mixing: as many as it would
    reach on the graph on average (reach x mean out-degree), at least one [3.6]."""
    return max(1, int(round(recommendation_reach * edges / max(people, 1))))


def remembered(salience: float, forgetting_floor: float) -> float:
    """Salience, or 0 once it has fallen below the forgetting floor: the brand is forgotten
    [3.8]. One person's (both engines call it person by person)."""
    return 0.0 if salience < forgetting_floor else salience


def may_unfollow_from_fatigue(over_tolerance: bool, follower: bool) -> bool:
    """Whether a post can make this viewer unfollow (with ``unfollow_given_fatigue``): a
    follower whose fatigue is over their tolerance [3.3]."""
    return over_tolerance and follower


def may_follow_after_post(follower: bool, over_tolerance: bool, gaffe: bool) -> bool:
    """Whether a post can win this viewer as a follower (with ``follow_chance``): not yet a
    follower, not over their tolerance, and the post is no gaffe [3.3]."""
    return not follower and not over_tolerance and not gaffe


def reply_capacity(reply_hours_planned: float, hours_per_reply: float, queued: int) -> int:
    """Comments the brand can answer today: its planned reply hours over the hours one answer
    takes (in simulated people), or the whole queue when answers cost nothing [3.4]."""
    if hours_per_reply <= 0:
        return queued
    return int(reply_hours_planned / hours_per_reply + 1e-9)


def purchase_share(chance: float, total_chance: float) -> float:
    """A brand's slice of a person's one purchase draw a day: its chance, scaled down when the
    brands' chances sum above 1 (brands compete for each purchase) [3.9]. One person's."""
    return chance / max(total_chance, 1.0)


def bought_followers(held: float, purge_rate: float, bought_today: float, scale: float) -> float:
    """Bought followers (simulated accounts) at the end of a day: the platform purges a share of
    those held, then the day's purchase (real accounts) arrives [3.11]."""
    return held * (1.0 - purge_rate) + bought_today / scale


def reads_as_spam(salience, fit, spam_fit):
    """Whether a follow from the brand looks like spam [3.7]: to a stranger (salience 0) whom
    the brand fits poorly (fit below ``spam_fit``)."""
    return (salience == 0) & (fit < spam_fit)


def follow_back_chance(follow_back, sociability):
    """Chance that a person the brand follows follows back [3.7]: reciprocity, in proportion to
    sociability (a low-intent follow)."""
    return follow_back * sociability


def follow_chance(base, value, fit, proof_share, proof_weight):
    """Chance a non-follower who sees a post follows the brand [3.3, 3.5].

    Rises with post value, fit and social proof: the share of one's followees who follow
    already (complex contagion, Centola 2010).
    """
    return np.minimum(base * value * fit * (1.0 + proof_weight * proof_share), 1.0)


def prune_hazard(rate, fit, trust, mutual, mutual_factor):
    """Daily chance a follower prunes the brand: (1 - fit)(1 - trust), lower if mutual [3.8].

    People tidy their feeds of accounts that give them nothing (Kwak, Chun & Moon 2011).
    """
    return rate * (1.0 - fit) * (1.0 - trust) * pick(mutual, mutual_factor, 1.0)


def purchase_chance(
    conversion,
    fit,
    salience,
    trust,
    no_relationship,
    customer,
    repeat_factor,
    saw_promo,
    promo_nudge,
):
    """Daily purchase chance c*fit*S*(eps+T) (x repeat for customers) + promo nudge [3.9].

    Sales depend on salience and the relationship; soft sells work on people who already
    trust the brand (Sprout Social 2019).
    """
    base = conversion * fit * salience * (no_relationship + trust)
    base = base * pick(customer, repeat_factor, 1.0)
    return np.minimum(base + pick(saw_promo, promo_nudge * fit * trust, 0.0), 1.0)


def satisfaction_quantile(u, mean: float, concentration: float):
    """A customer's satisfaction drawn by ``u``: the inverse CDF of a Beta distribution given by
    its mean and concentration (``sim.audience.quantiles.beta_quantile`` takes its shapes)."""
    return betaincinv(mean * concentration, (1.0 - mean) * concentration, u)


def satisfied(u, mean: float, concentration: float, threshold: float):
    """Whether a purchase satisfies [3.9]: the customer's satisfaction, Beta(mean,
    concentration) drawn by ``u``, reaches ``threshold`` (Anderson 1998)."""
    return satisfaction_quantile(u, mean, concentration) >= threshold
