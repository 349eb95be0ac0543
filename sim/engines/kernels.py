"""Compiled passes of the vector engine (one call instead of dozens of NumPy calls).

The behaviour formulas are not copied here: ``sim.behavior``'s functions are registered with
Numba (``register_jitable``), so a kernel calls the very same source the agent engine runs in
Python, and draws with ``sim.rng_kernel``'s hash. Kernels use only formulas made of ``+ - * /``,
comparisons, minimum and maximum, which IEEE 754 rounds exactly, so results are bit-identical to
NumPy's on any machine (tests/test_kernels.py, the docking tests). Decay (``exp2``) stays in
NumPy: on CPUs with AVX-512 NumPy computes it with its own vector code, whose last bit may
differ from the C library's that Numba calls.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numba import njit
from numba.extending import overload, register_jitable

from sim import behavior, rng_kernel
from sim.rng_kernel import chain, to_unit, uniform_at

__all__ = [
    "ResponseParams",
    "advocacy_speakers",
    "apply_replies",
    "apply_responses",
    "apply_sync",
    "churn_and_purchases",
    "churn_decisions",
    "decay_known",
    "feed_viewers",
    "merge_known",
    "outreach_reactions",
    "outreach_targets",
    "pairwise_sum",
    "proof_shares",
    "purchase_bounds",
    "response_decisions",
    "shown_viewers",
    "spread_hits",
    "stock_sums",
    "sync_decay_days",
]

for _formula in behavior.__all__:
    register_jitable(getattr(behavior, _formula))


@overload(behavior.pick)
def _pick(condition, if_true, if_false):
    """``behavior.pick`` in kernels, on scalars: a branch, not a 0-d array per call."""
    return lambda condition, if_true, if_false: if_true if condition else if_false


def _drop_stale_cache() -> None:
    """Drop this module's cached kernels when the formulas or draws they compile in changed.

    Numba's cache checks only this file's time stamp, not the functions of other modules that
    a kernel inlines; a digest of those modules, kept beside the cache, catches their edits.
    """
    cache = Path(__file__).parent / "__pycache__"
    sources = (Path(behavior.__file__), Path(rng_kernel.__file__))
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()
    stamp = cache / f"{Path(__file__).stem}.formulas"
    try:
        if stamp.read_text() == digest:
            return
    except OSError:
        pass
    try:
        for cached in cache.glob(f"{Path(__file__).stem}.*.nb[ci]"):
            cached.unlink(missing_ok=True)
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only checkout: Numba caches elsewhere or compiles each time
        pass


_drop_stale_cache()


def compiled() -> bool:
    """Whether Numba's cache holds this module's kernels (the first run in a fresh checkout
    compiles them, which takes about a minute)."""
    return any((Path(__file__).parent / "__pycache__").glob(f"{Path(__file__).stem}.*.nbc"))


@njit(cache=True, nogil=True)
def decay_known(
    known,
    salience,
    trust,
    last_touch,
    fatigued,
    fatigue,
    synced_day,
    follower,
    in_known,
    last,
    day,
    salience_factor,
    forgetting_floor,
    trust_factor,
    grace,
    fatigue_factor,
):  # pragma: no cover - compiled
    """Decay the known set by one factor each for salience, trust and fatigue (in place).

    Everyone was last synced on day ``last``. Salience below ``forgetting_floor`` becomes 0;
    people touched within their grace period (``last_touch + grace > last``) keep their trust,
    for the caller to decay person by person; fatigue decays only for the ``fatigued``.
    People who forgot the brand and do not follow it leave ``in_known`` with ``synced_day``
    set to ``day``; the others' ``synced_day`` is not written (the known set's is the caller's
    one day, see `sync_decay_days`). Returns the known set that remains, the graced and their
    days of trust decay (``behavior.trust_decay_days``), and those who left (in known order).
    """
    remaining = np.empty(known.size, dtype=known.dtype)
    left = np.empty(known.size, dtype=known.dtype)
    graced = np.empty(known.size, dtype=known.dtype)
    graced_days = np.empty(known.size)
    kept = count = gone = 0
    for k in range(known.size):
        person = known[k]
        value = behavior.remembered(salience[person] * salience_factor, forgetting_floor)
        salience[person] = value
        if last_touch[person] + grace > last:
            graced[count] = person
            graced_days[count] = behavior.trust_decay_days(last, last_touch[person], day, grace)
            count += 1
        else:
            trust[person] = trust[person] * trust_factor
        if fatigued[person]:
            for source in range(fatigue.shape[1]):
                fatigue[person, source] = fatigue[person, source] * fatigue_factor
        if value > 0 or follower[person]:
            remaining[kept] = person
            kept += 1
        else:
            in_known[person] = False
            synced_day[person] = day
            left[gone] = person
            gone += 1
    return (
        remaining[:kept].copy(),
        graced[:count].copy(),
        graced_days[:count].copy(),
        left[:gone].copy(),
    )


SALIENCE_ROW, FATIGUE_ROW, TRUST_ROW = range(3)
"""Rows of `sync_decay_days` and of the factors `apply_sync` takes."""


@njit(cache=True, nogil=True)
def sync_decay_days(
    people, synced_day, in_known, known_day, last_touch, day, grace
):  # pragma: no cover - compiled
    """Days of decay since each person's last sync: rows salience, fatigue, trust (which
    waits out its grace period, ``behavior.trust_decay_days``). People ``in_known`` were last
    synced on ``known_day``, the others on their ``synced_day``. Their factors come from
    NumPy's ``exp2`` (``behavior.decay_factor``), then `apply_sync` applies them."""
    days = np.empty((3, people.size))
    for i in range(people.size):
        person = people[i]
        synced = known_day if in_known[person] else synced_day[person]
        elapsed = day - synced
        days[SALIENCE_ROW, i] = elapsed
        days[FATIGUE_ROW, i] = elapsed
        days[TRUST_ROW, i] = behavior.trust_decay_days(synced, last_touch[person], day, grace)
    return days


@njit(cache=True, nogil=True)
def apply_sync(
    people, factors, salience, trust, fatigue, synced_day, day, forgetting_floor
):  # pragma: no cover - compiled
    """Multiply each person's salience, trust and fatigue by their decay ``factors`` (rows as
    `sync_decay_days`), forget salience below ``forgetting_floor`` and mark them synced on
    ``day``. Everyone is read before anyone is written, as NumPy's gather and scatter do."""
    n, sources = people.size, fatigue.shape[1]
    new_salience = np.empty(n)
    new_trust = np.empty(n)
    new_fatigue = np.empty((sources, n))
    for i in range(n):
        person = people[i]
        new_salience[i] = behavior.remembered(
            salience[person] * factors[SALIENCE_ROW, i], forgetting_floor
        )
        new_trust[i] = trust[person] * factors[TRUST_ROW, i]
        for source in range(sources):
            new_fatigue[source, i] = fatigue[person, source] * factors[FATIGUE_ROW, i]
    for i in range(n):
        person = people[i]
        salience[person] = new_salience[i]
        trust[person] = new_trust[i]
        for source in range(sources):
            fatigue[person, source] = new_fatigue[source, i]
        synced_day[person] = day


@njit(cache=True, nogil=True)
def merge_known(known, in_known, touched):  # pragma: no cover - compiled
    """The sorted union of the sorted ``known`` set and the ``touched`` not in it yet (marked in
    ``in_known`` on the way, so repeats count once)."""
    new = np.empty(touched.size, dtype=known.dtype)
    count = 0
    for person in touched:
        if not in_known[person]:
            in_known[person] = True
            new[count] = person
            count += 1
    if count == 0:
        return known
    new = np.sort(new[:count])
    merged = np.empty(known.size + count, dtype=known.dtype)
    i = j = 0
    for k in range(merged.size):
        if j == count or (i < known.size and known[i] < new[j]):
            merged[k] = known[i]
            i += 1
        else:
            merged[k] = new[j]
            j += 1
    return merged


@njit(cache=True, nogil=True)
def purchase_bounds(chances):  # pragma: no cover - compiled
    """Upper ends of each brand's slice of every candidate's purchase draw (brands x
    candidates): the running sums of ``behavior.purchase_share`` over the brands, in order."""
    bounds = np.empty_like(chances)
    for i in range(chances.shape[1]):
        total = 0.0
        for b in range(chances.shape[0]):
            total += chances[b, i]
        upper = 0.0
        for b in range(chances.shape[0]):
            upper += behavior.purchase_share(chances[b, i], total)
            bounds[b, i] = upper
    return bounds


@njit(cache=True, nogil=True)
def proof_shares(indptr, indices, people, follower):  # pragma: no cover - compiled
    """Share of the accounts each of ``people`` follows (CSR rows) that follow the brand
    (social proof, docs/model.md §3.3); 0 for people who follow nobody."""
    shares = np.zeros(people.size)
    for i in range(people.size):
        start, end = indptr[people[i]], indptr[people[i] + 1]
        hits = 0
        for k in range(start, end):
            hits += follower[indices[k]]
        shares[i] = behavior.social_proof(hits, end - start)
    return shares


@njit(cache=True, nogil=True)
def apply_replies(
    person,
    answered,
    backfired,
    trust,
    last_touch,
    day,
    reply_trust,
    wrong_answer_trust,
    ignored_trust,
):  # pragma: no cover - compiled
    """Each handled comment moves its author's trust (``behavior.trust_after_comment``), in
    queue order, so a person's comments count one after another; a good reply (answered, not
    backfired) is a two-way contact on ``day``."""
    for k in range(person.size):
        author = person[k]
        trust[author] = behavior.trust_after_comment(
            trust[author], answered[k], backfired[k], reply_trust, wrong_answer_trust, ignored_trust
        )
        if answered[k] and not backfired[k]:
            last_touch[author] = day


@njit(cache=True, nogil=True, inline="always")
def _term(values, weights, i):  # pragma: no cover - compiled
    """``values[i]``, times ``weights[i]`` when weights are given."""
    if weights is None:
        return values[i]
    return values[i] * weights[i]


@njit(cache=True, nogil=True)
def pairwise_sum(values, count, weights=None):  # pragma: no cover - compiled
    """``values[:count].sum()`` (or ``(values * weights)[:count].sum()``) in NumPy's order: its
    float64 ``add`` reduction's ``pairwise_sum``, one by one below 8 values, up to 128 eight
    running sums combined as a tree, above that the two halves split at a multiple of 8. Sums
    agree with NumPy's bit for bit, without a temporary array of products."""
    if count < 8:
        total = 0.0
        for i in range(count):
            total += _term(values, weights, i)
        return total
    if count <= 128:
        s0, s1 = _term(values, weights, 0), _term(values, weights, 1)
        s2, s3 = _term(values, weights, 2), _term(values, weights, 3)
        s4, s5 = _term(values, weights, 4), _term(values, weights, 5)
        s6, s7 = _term(values, weights, 6), _term(values, weights, 7)
        end = count - count % 8
        for i in range(8, end, 8):
            s0 += _term(values, weights, i)
            s1 += _term(values, weights, i + 1)
            s2 += _term(values, weights, i + 2)
            s3 += _term(values, weights, i + 3)
            s4 += _term(values, weights, i + 4)
            s5 += _term(values, weights, i + 5)
            s6 += _term(values, weights, i + 6)
            s7 += _term(values, weights, i + 7)
        total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
        for i in range(end, count):
            total += _term(values, weights, i)
        return total
    half = count // 2
    half -= half % 8
    if weights is None:
        return pairwise_sum(values, half) + pairwise_sum(values[half:], count - half)
    return pairwise_sum(values, half, weights) + pairwise_sum(
        values[half:], count - half, weights[half:]
    )


@njit(cache=True, nogil=True)
def stock_sums(
    trust, fit, follower, salience, seen_day, day, advocate_threshold
):  # pragma: no cover - compiled
    """A known set's stocks (``sim.engines.metrics_row.audience_stocks``): followers, the sum of
    their trust, equity (the sum of trust x fit), advocates, the aware and today's reach; sums
    in NumPy's order (`pairwise_sum`)."""
    n = trust.size
    followers = advocates = aware = reach = 0
    for i in range(n):
        followers += follower[i]
        advocates += trust[i] > advocate_threshold
        aware += salience[i] > 0
        reach += seen_day[i] == day
    follower_trust = np.empty(followers)
    count = 0
    for i in range(n):
        if follower[i]:
            follower_trust[count] = trust[i]
            count += 1
    equity = pairwise_sum(trust, n, fit)
    return followers, pairwise_sum(follower_trust, followers), equity, advocates, aware, reach


STAYS, PRUNES, DROPS_OUT = range(3)
"""What a follower does in `_churn_choice`."""


@njit(cache=True, nogil=True)
def _churn_choice(person, fit, trust, brand_follows_day, churn):  # pragma: no cover - compiled
    """Whether a follower prunes the brand today or, when it is silent, drops out.

    ``churn``: (head, prune rate, mutual factor, silent, dropout rate); slot 0 of the key is
    pruning, slot 1 dropout, which pruning comes before.
    """
    head, rate, mutual_factor, silent, dropout = churn
    hazard = behavior.prune_hazard(
        rate, fit[person], trust[person], brand_follows_day[person] >= 0, mutual_factor
    )
    z = chain(head, person)
    if to_unit(chain(z, 0)) < hazard:
        return PRUNES
    if silent and to_unit(chain(z, 1)) < dropout:
        return DROPS_OUT
    return STAYS


@njit(cache=True, nogil=True)
def _churned(known, choices):  # pragma: no cover - compiled
    """The pruned and the dropped out among ``known`` by their `_churn_choice`, in known
    order."""
    return known[choices == PRUNES], known[choices == DROPS_OUT]


@njit(cache=True, nogil=True)
def churn_decisions(
    known, follower, fit, trust, brand_follows_day, churn
):  # pragma: no cover - compiled
    """Followers among ``known`` who prune the brand today and who drop out (`_churn_choice`),
    in known order."""
    choices = np.zeros(known.size, dtype=np.int8)
    for k in range(known.size):
        person = known[k]
        if follower[person]:
            choices[k] = _churn_choice(person, fit, trust, brand_follows_day, churn)
    return _churned(known, choices)


@njit(cache=True, nogil=True)
def churn_and_purchases(
    known,
    follower,
    fit,
    trust,
    brand_follows_day,
    churn,
    salience,
    customer,
    promo_day,
    seen_day,
    day,
    market,
):  # pragma: no cover - compiled
    """One brand's churn (`churn_decisions`) and purchases in one pass over ``known``, for a
    day on which nothing between the two changes what the purchases read.

    A salient person buys with ``behavior.purchase_chance`` (one draw each; ``market``: head,
    conversion, no-relationship share, repeat factor, promo nudge). Returns the pruned, the
    dropped, the known set's stocks (salience, trust, fit, follower flags after churn and days
    last seen, gathered for the day's metrics) and the buyers' positions in ``known``.
    """
    head, conversion, no_relationship, repeat_factor, promo_nudge = market
    choices = np.zeros(known.size, dtype=np.int8)
    known_salience = np.empty(known.size)
    known_trust = np.empty(known.size)
    known_fit = np.empty(known.size)
    known_follower = np.empty(known.size, dtype=np.bool_)
    known_seen_day = np.empty(known.size, dtype=seen_day.dtype)
    bought = np.empty(known.size, dtype=np.int64)
    count = 0
    for k in range(known.size):
        person = known[k]
        follows = follower[person]
        if follows:
            choices[k] = _churn_choice(person, fit, trust, brand_follows_day, churn)
            follows = choices[k] == STAYS
        known_salience[k] = salience[person]
        known_trust[k] = trust[person]
        known_fit[k] = fit[person]
        known_follower[k] = follows
        known_seen_day[k] = seen_day[person]
        if salience[person] > 0:
            chance = behavior.purchase_chance(
                conversion,
                fit[person],
                salience[person],
                trust[person],
                no_relationship,
                customer[person],
                repeat_factor,
                promo_day[person] == day,
                promo_nudge,
            )
            if uniform_at(head, person, 0) < chance:
                bought[count] = k
                count += 1
    stocks = (known_salience, known_trust, known_fit, known_follower, known_seen_day)
    pruned, dropped = _churned(known, choices)
    return pruned, dropped, stocks, bought[:count].copy()


@njit(cache=True, nogil=True)
def _ordered_sum(values):  # pragma: no cover - compiled
    """``values.sum()`` for a few values in NumPy's order for them (first to last)."""
    total = values[0]
    for k in range(1, values.size):
        total += values[k]
    return total


ENGAGED, COMMENT, SHARE, OVER, LEAVE, FOLLOW = range(6)
"""Rows of the choices array of `response_decisions`."""


class ResponseParams(NamedTuple):
    """The parameters :func:`response_decisions` reads on one platform, by name (a compiled
    pass takes them as one value; a plain tuple would swap two of them silently)."""

    engage_base: float
    promo_fatigue: float
    irrelevance_fatigue: float
    volume_fatigue: float
    unfollow_given_fatigue: float
    follow_base: float
    social_proof: float
    content_trust: float
    incident_trust: float
    engagement_trust_offset: float

    @classmethod
    def of(cls, behavior: Any, platform: Any) -> ResponseParams:
        """The values of a scenario's ``behavior`` on ``platform``."""
        return cls(
            platform.engage_base,
            *(getattr(behavior, name) for name in cls._fields[1:]),
        )


@njit(cache=True, nogil=True)
def response_decisions(
    viewers,
    head,
    fit,
    trust,
    fatigue,
    sociability,
    promo_tolerance,
    seen_day,
    seen_count,
    follows,
    proof,
    day,
    post,
    params,
):  # pragma: no cover - compiled
    """What each viewer of a post decides (docs/model.md §3.3), reading the state only.

    ``post`` is (quality, type engagement, type value, norm, comment share, share share,
    promo, gaffe) and ``params`` the platform's :class:`ResponseParams`; ``proof`` is each
    viewer's social proof share (empty: none). Draws under ``head``, slots 0-3: engage, its
    kind, unfollow, follow. Returns the choices (rows ENGAGED ... FOLLOW),
    the new fatigue by source, the new trust and the posts seen earlier today.
    """
    quality, type_engagement, type_value, norm, comment_share, share_share, promo, gaffe = post
    m = viewers.size
    choices = np.zeros((6, m), dtype=np.bool_)
    new_fatigue = np.empty((fatigue.shape[1], m))
    new_trust = np.empty(m)
    seen_today = np.empty(m, dtype=seen_count.dtype)
    for i in range(m):
        person = viewers[i]
        person_fit, person_trust = fit[person], trust[person]
        chance = behavior.engage_chance(
            params.engage_base,
            sociability[person],
            type_engagement,
            quality,
            norm,
            person_fit,
            person_trust,
            _ordered_sum(fatigue[person]),
            params.engagement_trust_offset,
        )
        z = chain(head, person)
        engaged = to_unit(chain(z, 0)) < chance
        if engaged:
            kind = to_unit(chain(z, 1))
            comment, share = behavior.engagement_kind(kind, comment_share, share_share)
            choices[COMMENT, i] = comment
            choices[SHARE, i] = share
        choices[ENGAGED, i] = engaged
        value = behavior.content_value(quality, type_value, norm, person_fit)
        seen_today[i] = seen_count[person] if seen_day[person] == day else 0
        added = behavior.fatigue_from_post(
            promo,
            person_fit,
            seen_today[i],
            params.promo_fatigue,
            params.irrelevance_fatigue,
            params.volume_fatigue,
        )
        for source in range(fatigue.shape[1]):
            new_fatigue[source, i] = fatigue[person, source]
        # promo, irrelevance, volume (sources 0-2; spam fatigue comes from outreach only)
        new_fatigue[0, i] = new_fatigue[0, i] + added[0]
        new_fatigue[1, i] = new_fatigue[1, i] + added[1]
        new_fatigue[2, i] = new_fatigue[2, i] + added[2]
        over = _ordered_sum(new_fatigue[:, i]) > promo_tolerance[person]
        follower = follows[person]
        choices[OVER, i] = over
        choices[LEAVE, i] = (
            behavior.may_unfollow_from_fatigue(over, follower)
            and to_unit(chain(z, 2)) < params.unfollow_given_fatigue
        )
        if behavior.may_follow_after_post(follower, over, gaffe):
            chance = behavior.follow_chance(
                params.follow_base,
                value,
                person_fit,
                proof[i] if proof.size else 0.0,
                params.social_proof,
            )
            choices[FOLLOW, i] = to_unit(chain(z, 3)) < chance
        new_trust[i] = behavior.trust_after_post(
            person_trust, value, gaffe, params.content_trust, params.incident_trust
        )
    return choices, new_fatigue, new_trust, seen_today


@njit(cache=True, nogil=True)
def apply_responses(
    viewers,
    choices,
    new_fatigue,
    new_trust,
    seen_today,
    trust,
    fatigue,
    fatigued,
    salience,
    seen_count,
    seen_day,
    last_content,
    promo_day,
    muted,
    day,
    content,
    promo,
    exposure_salience,
):  # pragma: no cover - compiled
    """Write one group's decisions (`response_decisions`) to the state; returns how many
    engaged, commented, shared, muted (over their tolerance without leaving) and left."""
    mutes = 0
    for i in range(viewers.size):
        person = viewers[i]
        trust[person] = new_trust[i]
        for source in range(fatigue.shape[1]):
            fatigue[person, source] = new_fatigue[source, i]
        fatigued[person] = True
        salience[person] = behavior.closer(salience[person], exposure_salience)
        seen_count[person] = seen_today[i] + 1
        seen_day[person] = day
        last_content[person] = content
        if promo:
            promo_day[person] = day
        if choices[OVER, i] and not choices[LEAVE, i]:
            muted[person] = True
            mutes += 1
    return (
        _row_count(choices, ENGAGED),
        _row_count(choices, COMMENT),
        _row_count(choices, SHARE),
        mutes,
        _row_count(choices, LEAVE),
    )


@njit(cache=True, nogil=True)
def _row_count(matrix, row):  # pragma: no cover - compiled
    """How many of a boolean matrix's ``row`` are true."""
    count = 0
    for value in matrix[row]:
        count += value
    return count


@njit(cache=True, nogil=True)
def outreach_targets(
    count, draws, n, head, target_head, member, brand_follows_day, blocked, follower, fit
):  # pragma: no cover - compiled
    """The first ``count`` distinct accounts, among ``draws`` uniform picks of the ``n`` people
    (key ``head, 0, slot``), that the brand may follow: on the platform, not followed by it,
    not blocking it, not following it, and (with ``fit``, else empty) passing the fit target
    (key ``target_head, person, slot``). Sorted."""
    chosen = np.empty(count, dtype=np.int64)
    taken = 0
    for slot in range(draws):
        if taken == count:
            break
        person = np.int64(uniform_at(head, 0, slot) * n)
        if not member[person] or brand_follows_day[person] >= 0:
            continue
        if blocked[person] or follower[person]:
            continue
        if fit.size and not uniform_at(target_head, person, slot) < fit[person]:
            continue
        if person in chosen[:taken]:
            continue
        chosen[taken] = person
        taken += 1
    return np.sort(chosen[:taken])


@njit(cache=True, nogil=True)
def outreach_reactions(
    chosen,
    head,
    fit,
    sociability,
    salience,
    fatigue,
    fatigued,
    blocked,
    spam_fit,
    block_chance,
    follow_back,
    outreach_salience,
    spam_fatigue,
    spam_source,
):  # pragma: no cover - compiled
    """How the accounts the brand just followed react (docs/model.md §3.7), written to the state.

    Strangers (salience 0) who fit poorly see spam: they gain spam fatigue (column
    ``spam_source`` of ``fatigue``) and may block the brand; the others notice it. Draws
    under ``head``, slot 0: block, slot 1: follow back. Returns (spam, block, follows back)
    per account.
    """
    reactions = np.zeros((3, chosen.size), dtype=np.bool_)
    for i in range(chosen.size):
        person = chosen[i]
        z = chain(head, person)
        spam = behavior.reads_as_spam(salience[person], fit[person], spam_fit)
        block = spam and to_unit(chain(z, 0)) < block_chance
        reactions[0, i] = spam
        reactions[1, i] = block
        reactions[2, i] = not block and to_unit(chain(z, 1)) < behavior.follow_back_chance(
            follow_back, sociability[person]
        )
        if spam:
            fatigue[person, spam_source] = fatigue[person, spam_source] + spam_fatigue
            fatigued[person] = True
        salience[person] = behavior.closer(salience[person], outreach_salience)
        if block:
            blocked[person] = True
    return reactions


@njit(cache=True, nogil=True)
def _online(online_head, person, activity):  # pragma: no cover - compiled
    """Whether ``person`` is online today (key ``online_head, person, 0``)."""
    return uniform_at(online_head, person, 0) < activity[person]


@njit(cache=True, nogil=True)
def feed_viewers(
    known, follows, muted, blocked, activity, online_head, head, chance, post_stamp, stamp
):  # pragma: no cover - compiled
    """Followers on the platform (``follows``) among ``known`` who see a post in their feed:
    drawn with ``chance`` (key ``head, person, 0``), not muting or blocking the brand, and
    online. They are marked with the post's ``stamp``; in known order. The draw comes first
    because most followers miss it (the conditions are independent, so the order changes
    nothing else): the others' flags and activity need not be read."""
    shown = np.empty(known.size, dtype=np.int64)
    count = 0
    for person in known:
        if not follows[person] or not uniform_at(head, person, 0) < chance:
            continue
        if muted[person] or blocked[person] or not _online(online_head, person, activity):
            continue
        post_stamp[person] = stamp
        shown[count] = person
        count += 1
    return shown[:count].copy()


@njit(cache=True, nogil=True)
def shown_viewers(
    people, member, blocked, muted, follows, post_stamp, stamp, activity, online_head
):  # pragma: no cover - compiled
    """Those of ``people`` who can be shown a post now and are: on the platform, not blocking
    or muting the brand, not following it on the platform (``follows``; empty: followers
    too), online, and not yet shown this post (``stamp``, which they get). In input order."""
    shown = np.empty(people.size, dtype=np.int64)
    count = 0
    for person in people:
        if not member[person] or blocked[person] or muted[person]:
            continue
        if post_stamp[person] == stamp or (follows.size and follows[person]):
            continue
        if _online(online_head, person, activity):
            post_stamp[person] = stamp
            shown[count] = person
            count += 1
    return shown[:count].copy()


@njit(cache=True, nogil=True)
def advocacy_speakers(known, trust, blocked, threshold, head, rate):  # pragma: no cover - compiled
    """Advocates among ``known`` (trust above ``threshold``, not blocking the brand) who
    recommend it today (key ``head, person, 0`` below ``rate``); in known order."""
    speakers = np.empty(known.size, dtype=np.int64)
    count = 0
    for person in known:
        if not behavior.is_advocate(trust[person], blocked[person], threshold):
            continue
        if uniform_at(head, person, 0) < rate:
            speakers[count] = person
            count += 1
    return speakers[:count].copy()


@njit(cache=True, nogil=True)
def spread_hits(sources, indptr, indices, head, chance):  # pragma: no cover - compiled
    """Everyone reached when each of ``sources`` gives each of its graph neighbours (CSR rows
    ``indptr``, ``indices``) one ``chance`` (key ``head, neighbour, source``); unique, sorted."""
    total = 0
    for source in sources:
        total += indptr[source + 1] - indptr[source]
    hits = np.empty(total, dtype=np.int64)
    count = 0
    for source in sources:
        for k in range(indptr[source], indptr[source + 1]):
            receiver = np.int64(indices[k])
            if uniform_at(head, receiver, source) < chance:
                hits[count] = receiver
                count += 1
    return np.unique(hits[:count])
