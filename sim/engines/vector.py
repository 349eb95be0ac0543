"""The vectorized engine: the audience as NumPy arrays, one day as array operations over events.

State is lazy: salience, trust and fatigue carry the day they were last brought up to date and
decay exactly on access, so a day costs work in proportion to the brand's standing audience
(the *known* set: salient people and followers) and to the day's events, not to N.
The order of a day is ``sim.engines.day.DayOrder.step``, shared with the agent engine; each
phase reads the state as it stood at the start of the phase and writes at its end.

Most of a day's batches hold a few to a few thousand people, so a day's cost is mostly the
fixed cost of each NumPy call: rows of 2-d arrays are indexed as ``a[row][people]`` (a view,
then a 1-d gather, 2-3x cheaper than ``a[row, people]``), boolean counts use
``np.count_nonzero``, and phases with nothing to do return before their first call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sim import behavior
from sim.audience import Population
from sim.engines.day import (
    ARGUE_DRAW,
    COMPLAINT_POST,
    FATIGUE_SOURCES,
    HOP_FEED,
    NEVER,
    OUTREACH_DRAWS,
    REPRISAL_DRAW,
    REPRISAL_POST,
    SPAM_SRC,
    DayOrder,
)
from sim.engines.history import (
    DROPPED_OUT,
    PRUNED,
    History,
    channel_name,
    outreach_events,
    post_label,
    purchase_detail,
    reply_event,
)
from sim.engines.initial import InitialAudience, initial_audience
from sim.engines.kernels import (
    ResponseParams,
    advocacy_speakers,
    apply_replies,
    apply_responses,
    apply_sync,
    churn_and_purchases,
    churn_decisions,
    decay_known,
    feed_viewers,
    merge_known,
    outreach_reactions,
    outreach_targets,
    proof_shares,
    purchase_bounds,
    response_decisions,
    shown_viewers,
    spread_hits,
    sync_decay_days,
)
from sim.engines.metrics_row import audience_stocks, close_row, count_unfollows
from sim.engines.outside import OutsideLedger
from sim.rng import (
    Stream,
    day_prefix,
    prefix,
    uniform_fields,
    uniform_fields_slots,
    uniform_from,
    uniform_slots,
)
from sim.rng_kernel import batch_head
from sim.schema import Scenario
from sim.strategy import PROMO, BrandAgent, DayPlan, Post
from sim.text import plural

__all__ = ["VectorEngine"]


@dataclass
class Comments:
    """A queue of comments: (platform, post key, hop, person) in listening order."""

    platform: list[np.ndarray] = field(default_factory=list)
    post: list[np.ndarray] = field(default_factory=list)
    hop: list[np.ndarray] = field(default_factory=list)
    person: list[np.ndarray] = field(default_factory=list)

    def add(self, platform: int, post: int, hop: int, people: np.ndarray) -> None:
        count = len(people)
        if count:
            self.platform.append(np.full(count, platform, dtype=np.int64))
            self.post.append(np.full(count, post, dtype=np.int64))
            self.hop.append(np.full(count, hop, dtype=np.int64))
            self.person.append(np.asarray(people, dtype=np.int64))

    def arrays(self) -> tuple[np.ndarray, ...]:
        if not self.person:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        return tuple(
            np.concatenate(part) for part in (self.platform, self.post, self.hop, self.person)
        )

    def __len__(self) -> int:
        return sum(len(part) for part in self.person)


_NO_VALUES = np.zeros(0)
"""A kernel's optional per-person values, not given (e.g. no social proof for feed viewers)."""
_NO_MASK = np.zeros(0, dtype=bool)
"""A kernel's optional per-person filter, not given (no one excluded)."""


class Decisions(NamedTuple):
    """What one group of viewers decided in a response pass, applied at the pass's end
    (``choices``: rows ``ENGAGED`` ... ``FOLLOW`` of ``sim.engines.kernels``)."""

    hop: int
    viewers: np.ndarray
    choices: np.ndarray
    fatigue: np.ndarray
    trust: np.ndarray
    seen_today: np.ndarray


class BrandAudience:
    """Per-brand state of every person, lazily decayed (arrays of length N).

    ``outside`` marks the people booked in ``outsiders`` (`OutsideLedger`): they left the known
    set and have not been touched since. ``fit`` is everyone's fit to the brand (a trait).
    """

    def __init__(self, n: int, n_platforms: int, outsiders: OutsideLedger, fit: np.ndarray) -> None:
        self.salience = np.zeros(n)
        self.trust = np.zeros(n)
        self.fatigue = np.zeros((n, len(FATIGUE_SOURCES)))  # a person's sources side by side
        self.synced_day = np.zeros(n, dtype=np.int32)  # outside the known set: see synced_days
        self.last_touch = np.full(n, NEVER, dtype=np.int32)
        self.fatigued = np.zeros(n, dtype=bool)  # ever given fatigue (else it is exactly 0)
        self.follows = np.zeros((n_platforms, n), dtype=bool)
        self.platform_followers = np.zeros(n_platforms, dtype=np.int64)  # follows, row by row
        self.follower = np.zeros(n, dtype=bool)
        self.muted = np.zeros(n, dtype=bool)
        self.blocked = np.zeros(n, dtype=bool)
        self.customer = np.zeros(n, dtype=bool)
        self.brand_follows_day = np.full(n, -1, dtype=np.int32)
        self.seen_day = np.full(n, -1, dtype=np.int32)
        self.seen_count = np.zeros(n, dtype=np.int16)
        self.promo_day = np.full(n, -1, dtype=np.int32)
        self.last_content = np.zeros(n, dtype=np.int8)
        self.post_stamp = np.full(n, -1, dtype=np.int64)
        self.known = np.zeros(0, dtype=np.int64)
        self.in_known = np.zeros(n, dtype=bool)
        self.outside = np.zeros(n, dtype=bool)
        self.outsiders = outsiders
        self.fit = fit
        self.known_day = 0  # every known person's lazy state is up to this day at nightfall
        self.stocks: tuple[np.ndarray, ...] | None = None  # the known's, for `_metrics`
        self.bought: np.ndarray | None = None  # tonight's buyers' positions in the known set
        self.touched: list[np.ndarray] = []
        self.followed_on: dict[int, np.ndarray] = {}
        self.following = 0
        self.customers = 0
        self.carried = Comments()

    def synced_days(self) -> np.ndarray:
        """The day everyone's salience, trust and fatigue are of: ``known_day`` for the known
        set (the start of day decays it without writing a day per person), else
        ``synced_day``."""
        return np.where(self.in_known, self.known_day, self.synced_day).astype(np.int32)


class VectorEngine(DayOrder):
    """Runs the model of ``docs/model.md`` on arrays. ``step(day)`` is the order of a day.

    ``tracked`` people get a history of the last ``history_size`` events that touched them
    (``self.history``); the hooks that write it cost nothing when nobody is tracked.
    """

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        brands: list[BrandAgent],
        seed: int,
        tracked: Sequence[int] = (),
        history_size: int = 50,
    ) -> None:
        super().__init__(scenario, population, brands, seed)
        self.graph = population.graph
        self.traits = population.traits
        params = self.behavior
        self.state = [
            BrandAudience(
                self.n,
                len(self.platforms),
                OutsideLedger(
                    params.trust_grace_days, params.trust_half_life, params.advocate_threshold
                ),
                self.traits.fit[brand.index],
            )
            for brand in brands
        ]
        self.content_value = np.array(self.behavior.content_value.as_tuple())
        self.content_engagement = np.array(self.behavior.content_engagement.as_tuple())
        self.content_comment = np.array(self.behavior.content_comment.as_tuple())
        self.content_share = np.array(self.behavior.content_share.as_tuple())
        self.norms = [platform.norms.as_tuple() for platform in self.platforms]
        self._response_params = [ResponseParams.of(params, platform) for platform in self.platforms]
        self.history = History(self.n, tracked, history_size)
        self._factors_by_gap: dict[int, tuple[float, float, float]] = {}
        self._sync_half_lives = np.array(  # rows as kernels.sync_decay_days
            [[params.salience_half_life], [params.fatigue_half_life], [params.trust_half_life]]
        )
        self._known_are_synced = params.forgetting_floor <= min(
            params.exposure_salience, params.recommendation_salience, params.outreach_salience
        )
        for brand in brands:
            self._initial_state(brand, initial_audience(scenario, population, brand, seed))

    # --- set-up ---------------------------------------------------------------------------
    def _initial_state(self, brand: BrandAgent, initial: InitialAudience) -> None:
        """Day-0 followers and the aware rest of the market (see `initial_audience`)."""
        state = self.state[brand.index]
        for platform, followers in initial.follows:
            state.follows[platform][followers] = True
            state.platform_followers[platform] = len(followers)  # distinct ids
        state.follower[initial.followers] = True
        state.trust[initial.followers] = initial.trust
        state.salience[:] = initial.salience
        state.known = initial.known
        state.in_known[state.known] = True

    # --- lazy state -----------------------------------------------------------------------
    def _sync(self, state: BrandAudience, people: np.ndarray, day: int) -> None:
        """Bring salience, trust and fatigue of ``people`` up to ``day`` (exact lazy decay)."""
        params = self.behavior
        days = sync_decay_days(
            people,
            state.synced_day,
            state.in_known,
            state.known_day,
            state.last_touch,
            day,
            params.trust_grace_days,
        )
        apply_sync(
            people,
            behavior.decay_factor(days, self._sync_half_lives),
            state.salience,
            state.trust,
            state.fatigue,
            state.synced_day,
            day,
            params.forgetting_floor,
        )

    def _touch(self, state: BrandAudience, people: np.ndarray, day: int) -> None:
        """Sync people who may be outside the known set and remember them for tonight.

        Known people were synced this morning, and syncing again the same day changes nothing
        unless a salience gain left someone between 0 and the forgetting floor; when every
        salience step is at least the floor that cannot happen, and only the others are synced.
        Outsiders booked in the brand's `OutsideLedger` are taken out of it first, with the
        state they left with.
        """
        if self._known_are_synced:
            people = people[~state.in_known[people]]
        if len(people):
            back = people[state.outside[people]]
            if len(back):
                self._rejoin(state, np.unique(back))
            self._sync(state, people, day)
            state.touched.append(people)

    def _rejoin(self, state: BrandAudience, people: np.ndarray) -> None:
        """Take people who left the known set out of the outside ledger (before their sync)."""
        state.outside[people] = False
        state.outsiders.rejoin(
            state.trust[people],
            state.synced_day[people],
            state.last_touch[people],
            state.fit[people],
        )

    def _head(self, stream: int, brand: int, day: int, post: int = 0, hop: int = 0) -> np.uint64:
        """The key prefix of a batch of draws, as the compiled passes take it."""
        day_head = np.uint64(day_prefix(self.seed, stream, brand, day))
        return np.uint64(batch_head(day_head, post, hop))

    # --- the day --------------------------------------------------------------------------
    @staticmethod
    def _new_comments() -> Comments:
        """An empty list of the day's comments awaiting a reply (``DayOrder.step``)."""
        return Comments()

    def _start_day(self, brand: BrandAgent, day: int) -> None:
        """Decay the known set to today and drop the forgotten who do not follow.

        Same values as ``_sync(state, state.known, day)``, cheaper: every known person was
        brought up to ``known_day`` (yesterday) by last night, so the elapsed time is one number
        and decay is a multiplication by one factor; trust differs only for people within their
        grace period, and fatigue only for people who ever had some (for the others it is 0).
        """
        state, params = self.state[brand.index], self.behavior
        last = state.known_day
        salience_factor, trust_factor, fatigue_factor = self._decay_factors(last, day)
        state.known, graced, graced_days, left = decay_known(
            state.known,
            state.salience,
            state.trust,
            state.last_touch,
            state.fatigued,
            state.fatigue,
            state.synced_day,
            state.follower,
            state.in_known,
            last,
            day,
            salience_factor,
            params.forgetting_floor,
            trust_factor,
            params.trust_grace_days,
            fatigue_factor,
        )
        if len(graced):  # their trust is still yesterday's
            state.trust[graced] *= behavior.decay_factor(graced_days, params.trust_half_life)
        left = left[state.trust[left] > 0]  # their trust is kept, and counted (model.md §5)
        if len(left):
            state.outside[left] = True
            state.outsiders.leave(
                state.trust[left], state.synced_day[left], state.last_touch[left], state.fit[left]
            )
        state.known_day = day
        state.touched = []

    def _decay_factors(self, last: int, day: int) -> tuple[float, float, float]:
        """Factors by which salience, trust (past its grace period) and fatigue decay from
        ``last`` to ``day``; they depend on ``day - last`` only, so each gap is computed once."""
        factors = self._factors_by_gap.get(day - last)
        if factors is None:
            params = self.behavior
            factors = self._factors_by_gap[day - last] = (
                float(behavior.decayed(1.0, day - last, params.salience_half_life)),
                float(
                    behavior.decayed_trust(
                        1.0, last, NEVER, day, params.trust_grace_days, params.trust_half_life
                    )
                ),
                float(behavior.decayed(1.0, day - last, params.fatigue_half_life)),
            )
        return factors

    # --- 2.-3. exposure and response ------------------------------------------------------
    def _feed(
        self, brand: BrandAgent, post: Post, day: int, chance: float, stamp: int
    ) -> np.ndarray:
        """Followers on the post's platform, neither muting nor blocking the brand, online and
        drawn with the feed's ``chance``; they are stamped as shown the post."""
        state = self.state[brand.index]
        return feed_viewers(
            state.known,
            state.follows[post.platform],
            state.muted,
            state.blocked,
            self.traits.activity,
            self._head(Stream.ONLINE, 0, day),
            self._head(Stream.EXPOSURE, brand.index, day, post.number, HOP_FEED),
            chance,
            state.post_stamp,
            stamp,
        )

    @staticmethod
    def _joined(*groups: np.ndarray) -> np.ndarray:
        return np.concatenate(groups)

    def _stamp(self, brand: BrandAgent, people: np.ndarray, stamp: int) -> None:
        self.state[brand.index].post_stamp[people] = stamp

    def _carried(self, brand: BrandAgent) -> Comments:
        return self.state[brand.index].carried

    def _shown(
        self,
        brand: BrandAgent,
        post: Post,
        people: np.ndarray,
        stamp: int,
        day: int,
        followers_ok: bool,
    ) -> np.ndarray:
        """Those of ``people`` on the post's platform who can be shown it now (online, not yet
        seen it; followers only if ``followers_ok``), marked as shown."""
        state, platform = self.state[brand.index], post.platform
        return shown_viewers(
            people,
            self.traits.member[platform],
            state.blocked,
            state.muted,
            _NO_MASK if followers_ok else state.follows[platform],
            state.post_stamp,
            stamp,
            self.traits.activity,
            self._head(Stream.ONLINE, 0, day),
        )

    def _discover(
        self, brand: BrandAgent, post: Post, count: int, day: int, stamp: int, hop: int
    ) -> np.ndarray:
        """``count`` draws of non-followers shown the post: explore surfaces, in proportion to
        engagement (``HOP_DISCOVERY``), or paid impressions (``HOP_PAID``)."""
        if count == 0:
            return np.zeros(0, dtype=np.int64)
        head = prefix(self.seed, Stream.EXPOSURE, brand.index, day, post.number, hop)
        picks = (uniform_from(head, 0, np.arange(count)) * self.n).astype(np.int64)
        picks = _first_unique(picks)
        return np.sort(self._shown(brand, post, picks, stamp, day, followers_ok=False))

    def _spread(
        self,
        brand: BrandAgent,
        sources: np.ndarray,
        stream: int,
        post: int,
        hop: int,
        chance: float,
        day: int,
    ) -> np.ndarray:
        """Each source gives each of its followers one chance; unique receivers, sorted."""
        return spread_hits(
            np.sort(np.asarray(sources, dtype=np.int64)),
            self.graph.reach_indptr,
            self.graph.reach_indices,
            self._head(stream, brand.index, day, post, hop),
            chance,
        )

    def _neighbours(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(source, follower) pairs for everyone who sees the sources' activity."""
        indptr, indices = self.graph.reach_indptr, self.graph.reach_indices
        starts = indptr[sources]
        counts = indptr[sources + 1] - starts
        total = int(counts.sum())
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        return np.repeat(sources, counts), indices[offsets].astype(np.int64)

    def _respond(
        self,
        brand: BrandAgent,
        post: Post,
        day: int,
        groups: list[tuple[int, np.ndarray]],
        row: dict,
        comments: Comments,
        results: np.ndarray,
        channel: str | None,
        comment_post: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Viewers engage, gain trust or fatigue, mute, unfollow or follow (docs/model.md §3.3).

        Every group reads the state at the start of the pass; all writes happen at its end.
        Returns (engagers, sharers).
        """
        b, p, state = brand.index, post.platform, self.state[brand.index]
        params = self.behavior
        norm = self.norms[p][post.content]
        content = post.content
        post_params = (
            post.quality,
            self.content_engagement[content],
            self.content_value[content],
            norm,
            self.content_comment[content],
            self.content_share[content],
            content == PROMO,
            post.gaffe,
        )
        decisions = []
        for hop, viewers in groups:
            if len(viewers) == 0:
                continue
            self._touch(state, viewers, day)
            proof = (
                proof_shares(
                    self.graph.follows_indptr, self.graph.follows_indices, viewers, state.follower
                )
                if hop != HOP_FEED
                else _NO_VALUES
            )
            choices, new_fatigue, new_trust, seen_today = response_decisions(
                viewers,
                self._head(Stream.RESPONSE, b, day, post.number, hop),
                self.traits.fit[b],
                state.trust,
                state.fatigue,
                self.traits.sociability,
                self.traits.promo_tolerance,
                state.seen_day,
                state.seen_count,
                state.follows[p],
                proof,
                day,
                post_params,
                self._response_params[p],
            )
            decisions.append(Decisions(hop, viewers, choices, new_fatigue, new_trust, seen_today))
        engagers, sharers = [], []
        for hop, viewers, choices, new_fatigue, new_trust, seen_today in decisions:
            engaged, comment, share, over, leave, follow = choices
            engagements, comments_made, shares_made, mutes, leaves = apply_responses(
                viewers,
                choices,
                new_fatigue,
                new_trust,
                seen_today,
                state.trust,
                state.fatigue,
                state.fatigued,
                state.salience,
                state.seen_count,
                state.seen_day,
                state.last_content,
                state.promo_day,
                state.muted,
                day,
                content,
                content == PROMO,
                params.exposure_salience,
            )
            row["mutes"] += mutes
            if leaves:
                self._unfollow_fatigue(state, viewers[leave], new_fatigue[:, leave], p, row)
            self._follow(state, viewers[follow], p, row)
            row["engagements"] += engagements
            row["comments"] += comments_made
            row["shares"] += shares_made
            row["likes"] += engagements - comments_made - shares_made  # the other engagements
            row["impressions"] += len(viewers)
            if channel:
                row[channel] += len(viewers)
            comment_key = post.number if comment_post is None else comment_post
            comments.add(p, comment_key, hop, viewers[comment])
            engagers.append(viewers[engaged])
            sharers.append(viewers[share])
            results[0, post.content] += self._type_kpi(brand, engagements, follow)
            if self.history:
                self._remember_responses(
                    brand,
                    post,
                    day,
                    hop,
                    viewers,
                    comment,
                    share,
                    engaged,
                    over & ~leave,
                    leave,
                    follow,
                    new_fatigue,
                )
        empty = np.zeros(0, dtype=np.int64)
        return (
            np.concatenate(engagers) if engagers else empty,
            np.concatenate(sharers) if sharers else empty,
        )

    def _remember_responses(
        self,
        brand: BrandAgent,
        post: Post,
        day: int,
        hop: int,
        viewers: np.ndarray,
        comment: np.ndarray,
        share: np.ndarray,
        engaged: np.ndarray,
        mute: np.ndarray,
        leave: np.ndarray,
        follow: np.ndarray,
        fatigue: np.ndarray,
    ) -> None:
        """History of tracked viewers: saw the post, engaged, then muted, left or followed."""
        platform = self.platforms[post.platform].name
        label = post_label(post, platform)
        channel = channel_name(hop)
        for k in self.history.among(viewers):
            person, add = viewers[k], self.history.add
            add(person, day, brand.name, "saw_post", f"{label} via {channel}")
            if comment[k]:
                add(person, day, brand.name, "commented", label)
            elif engaged[k]:
                add(person, day, brand.name, "engaged", ("share " if share[k] else "like ") + label)
            source = FATIGUE_SOURCES[int(np.argmax(fatigue[:, k]))]
            if mute[k]:
                add(person, day, brand.name, "muted", f"fatigue, mostly {source}")
            elif leave[k]:
                add(
                    person,
                    day,
                    brand.name,
                    "unfollowed",
                    f"fatigue, mostly {source}, on {platform}",
                )
            elif follow[k]:
                add(person, day, brand.name, "followed", f"on {platform} via {channel}")

    @staticmethod
    def _type_kpi(brand: BrandAgent, engagements: int, follow: np.ndarray) -> float:
        """What an adaptive brand credits a post with: follows or engagements it saw (revenue
        is credited at purchase, to the last post type a buyer saw that day)."""
        kpi = brand.strategy.adapt_kpi
        if kpi == "followers":
            return float(np.count_nonzero(follow))
        return float(engagements) if kpi == "engagement" else 0.0

    def _follow(
        self,
        state: BrandAudience,
        people: np.ndarray,
        platform: int,
        row: dict,
    ) -> None:
        if len(people) == 0:
            return
        new = people[~state.follower[people]]
        state.platform_followers[platform] += len(people) - np.count_nonzero(
            state.follows[platform][people]
        )
        state.follows[platform][people] = True
        state.follower[people] = True
        state.muted[people] = False
        row["new_follows"] += len(new)

    def _unfollow(self, state: BrandAudience, people: np.ndarray, row: dict, cause: str) -> None:
        if len(people) == 0:
            return
        state.platform_followers -= np.count_nonzero(_take_columns(state.follows, people), axis=1)
        _put_columns(state.follows, people, False)
        _lose_followers(state, people, row, {cause: len(people)})

    def _unfollow_fatigue(
        self,
        state: BrandAudience,
        people: np.ndarray,
        fatigue: np.ndarray,
        platform: int,
        row: dict,
    ) -> None:
        """Unfollow on the platform; the cause is the largest source of fatigue."""
        if len(people) == 0:
            return
        state.platform_followers[platform] -= np.count_nonzero(state.follows[platform][people])
        state.follows[platform][people] = False
        left_everywhere = ~_take_columns(state.follows, people).any(axis=0)
        gone = people[left_everywhere]
        if len(gone) == 0:
            return
        causes = np.bincount(
            np.argmax(fatigue[:, left_everywhere], axis=0), minlength=len(FATIGUE_SOURCES)
        )
        _lose_followers(state, gone, row, dict(zip(FATIGUE_SOURCES, causes.tolist(), strict=True)))

    # --- 4. listening ---------------------------------------------------------------------
    def _listen(
        self, brand: BrandAgent, plan: DayPlan, day: int, row: dict, today: Comments
    ) -> None:
        """Answer comments in queue order from the reply reserve (docs/model.md §3.4)."""
        b, state, params = brand.index, self.state[brand.index], self.behavior
        carried = state.carried
        state.carried = Comments()
        brand.queue_length = 0
        if len(carried) + len(today) == 0:
            return
        queue = [carried.arrays(), today.arrays()]
        platform, post, hop, person = (np.concatenate(part) for part in zip(*queue, strict=True))
        cost = params.reply_hours * self.market.scale
        capacity = behavior.reply_capacity(plan.reply_hours, cost, len(person))
        head = day_prefix(self.seed, Stream.LISTENING, b, day)
        argue_rate = brand.strategy.argue_rate
        slots = (0, 1, 2, ARGUE_DRAW) if argue_rate > 0 else (0, 1, 2)
        draws = uniform_fields_slots(head, (post, hop, person), slots)
        willing = draws[0] < brand.strategy.reply_rate
        answered = willing & (np.cumsum(willing) <= capacity)
        question = behavior.is_question(draws[1], params.question_share, post == REPRISAL_POST)
        routed = draws[2] < brand.strategy.coordination
        argued = answered & (draws[3] < argue_rate) if argue_rate > 0 else np.zeros_like(answered)
        wrong = behavior.is_wrong_answer(answered, question, routed)
        backfired = behavior.answer_backfires(wrong, argued)
        self._touch(state, np.unique(person), day)
        apply_replies(
            person,
            answered,
            backfired,
            state.trust,
            state.last_touch,
            day,
            params.reply_trust,
            params.wrong_answer_trust,
            params.ignored_trust,
        )
        if self.history:
            for k in self.history.among(person):
                self.history.add(
                    person[k],
                    day,
                    brand.name,
                    *reply_event(answered[k], wrong[k], argued[k], post[k]),
                )
        row["comments_answered"] += int(answered.sum())
        row["comments_ignored"] += int((~answered).sum())
        row["wrong_answers"] += int(wrong.sum())
        row["arguments"] += int(argued.sum())
        row["hours_replies"] += float(answered.sum()) * cost
        if backfired.any():
            self._reprisals(
                brand, day, row, head, np.flatnonzero(backfired), platform, post, hop, person
            )

    def _reprisals(
        self,
        brand: BrandAgent,
        day: int,
        row: dict,
        head: int,
        backfired: np.ndarray,
        platform: np.ndarray,
        post: np.ndarray,
        hop: np.ndarray,
        person: np.ndarray,
    ) -> None:
        """Answers that backfired (queue positions ``backfired``: wrong answers and arguments)
        may draw reprisals: complaints queued for tomorrow, at most one per person and platform,
        by platform, then person id."""
        draws = uniform_fields(
            head, post[backfired], hop[backfired], person[backfired], REPRISAL_DRAW
        )
        reprised = backfired[behavior.draws_reprisal(draws, self.behavior.wrong_answer_reprisal)]
        carried = self.state[brand.index].carried
        for where in np.unique(platform[reprised]).tolist():
            people = np.unique(person[reprised][platform[reprised] == where])
            carried.add(where, REPRISAL_POST, where, people)
            row["reprisals"] += len(people)
            if self.history:
                self.history.record(people, day, brand.name, "reprisal", self.platforms[where].name)

    # --- 6. advocacy ----------------------------------------------------------------------
    def _advocacy(self, brand: BrandAgent, day: int, row: dict) -> None:
        """Advocates recommend the brand to their followers at a daily rate (docs/model.md §3.6)."""
        b, state, params = brand.index, self.state[brand.index], self.behavior
        speakers = advocacy_speakers(
            state.known,
            state.trust,
            state.blocked,
            params.advocate_threshold,
            self._head(Stream.ADVOCACY, b, day),
            params.advocacy_rate,
        )
        row["recommendations"] += len(speakers)
        if len(speakers) == 0:
            return
        if self.mean_field:
            senders, receivers = self._mean_field_contacts(speakers, day, b)
        else:
            senders, receivers = self._neighbours(speakers)
            contact = prefix(self.seed, Stream.ADVOCACY, b, day, 0, 1)
            hit = uniform_from(contact, receivers, senders) < params.recommendation_reach
            senders, receivers = senders[hit], receivers[hit]
        keep = ~state.blocked[receivers] & (receivers != senders)
        senders, receivers = senders[keep], receivers[keep]
        if self.history:
            for k in self.history.among(speakers):
                reached = int((senders == speakers[k]).sum())
                self.history.add(speakers[k], day, brand.name, "recommended", f"reached {reached}")
        if len(receivers) == 0:
            return
        heard = np.unique(receivers)
        best_trust = np.zeros(len(heard))
        np.maximum.at(best_trust, np.searchsorted(heard, receivers), state.trust[senders])
        self._touch(state, heard, day)
        trust = state.trust[heard]
        fit = self.traits.fit[b][heard]
        platform = brand.recommended_platform(self.traits.member[:, heard])
        can_follow = ~state.follower[heard] & (platform >= 0)
        follow_head = prefix(self.seed, Stream.ADVOCACY, b, day, 0, 2)
        follow = can_follow & (
            uniform_from(follow_head, heard)
            < behavior.recommendation_follow_chance(params.recommendation_follow, fit)
        )
        state.trust[heard] = behavior.trust_from_recommendation(
            trust, best_trust, params.trust_transfer
        )
        state.salience[heard] = behavior.closer(
            state.salience[heard], params.recommendation_salience
        )
        for p in brand.platform_indices:
            self._follow(state, heard[follow & (platform == p)], p, row)
        row["impressions_recommendation"] += len(heard)
        if self.history:
            for k in self.history.among(heard):
                count = int((receivers == heard[k]).sum())
                add = self.history.add
                add(heard[k], day, brand.name, "heard_recommendation", plural(count, "time"))
                if follow[k]:
                    add(
                        heard[k],
                        day,
                        brand.name,
                        "followed",
                        f"on {self.platforms[platform[k]].name} after a recommendation",
                    )

    def _mean_field_contacts(
        self, speakers: np.ndarray, day: int, brand: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean-field mixing: each recommendation reaches random people (Bass limit)."""
        per_speaker = behavior.mean_field_contacts(
            self.behavior.recommendation_reach, self.graph.n_edges, self.n
        )
        head = prefix(self.seed, Stream.ADVOCACY, brand, day, 0, 1)
        senders = np.repeat(speakers, per_speaker)
        slots = np.tile(np.arange(per_speaker), len(speakers))
        receivers = (uniform_from(head, senders, slots) * self.n).astype(np.int64)
        return senders, receivers

    # --- 7. outreach ----------------------------------------------------------------------
    def _outreach(self, brand: BrandAgent, plan: DayPlan, day: int, row: dict) -> None:
        """The brand follows accounts; some follow back, some see spam (docs/model.md §3.7)."""
        state, main = self.state[brand.index], brand.main_platform
        strategy = brand.strategy
        followers = int(state.platform_followers[main]) + brand.fake_followers  # phase's start
        unfollowed = 0
        if strategy.unfollow_after_days > 0:
            dropped = state.followed_on.pop(day - strategy.unfollow_after_days, None)
            if dropped is not None:
                dropped = dropped[
                    (state.brand_follows_day[dropped] >= 0) & ~state.follower[dropped]
                ]
                state.brand_follows_day[dropped] = -1
                state.following -= len(dropped)
                unfollowed = len(dropped)
                if self.history:
                    detail = f"no follow-back after {strategy.unfollow_after_days} days"
                    self.history.record(dropped, day, brand.name, "unfollowed_by_brand", detail)
        followed = self._follow_accounts(brand, plan.follows, day, row) if plan.follows else 0
        platform = self.platforms[main]
        if behavior.breaks_follow_limits(
            behavior.counted_actions(platform.limit_counts, followed, unfollowed),
            state.following,
            followers,
            self.market.scale,
            platform.follow_limit_per_day,
            platform.following_ratio_limit,
            platform.following_floor,
        ):
            brand.restrict(main, day)

    def _follow_accounts(self, brand: BrandAgent, count: int, day: int, row: dict) -> int:
        """Up to ``count`` new accounts the brand follows, and their reactions; how many."""
        b, state, params = brand.index, self.state[brand.index], self.behavior
        main = brand.main_platform
        chosen = outreach_targets(
            count,
            OUTREACH_DRAWS * count,
            self.n,
            self._head(Stream.OUTREACH, b, day),
            self._head(Stream.OUTREACH, b, day, 0, 1),
            self.traits.member[main],
            state.brand_follows_day,
            state.blocked,
            state.follower,
            self.traits.fit[b] if brand.strategy.targeting == "fit" else _NO_VALUES,
        )
        row["hours_outreach"] += len(chosen) * params.follow_hours * self.market.scale
        self._touch(state, chosen, day)
        state.brand_follows_day[chosen] = day
        state.followed_on[day] = chosen
        state.following += len(chosen)
        spam, block, follow_back = outreach_reactions(
            chosen,
            self._head(Stream.OUTREACH, b, day, 0, 2),
            self.traits.fit[b],
            self.traits.sociability,
            state.salience,
            state.fatigue,
            state.fatigued,
            state.blocked,
            params.spam_fit,
            params.block_chance,
            params.follow_back,
            params.outreach_salience,
            params.spam_fatigue,
            SPAM_SRC,
        )
        row["blocks"] += np.count_nonzero(block)
        self._follow(state, chosen[follow_back], main, row)
        if self.history:
            platform = self.platforms[main]
            for k in self.history.among(chosen):
                for event, detail in outreach_events(spam[k], block[k], follow_back[k], platform):
                    self.history.add(chosen[k], day, brand.name, event, detail)
        return len(chosen)

    # --- 8. churn -------------------------------------------------------------------------
    def _churn(self, brand: BrandAgent, day: int, row: dict) -> None:
        """Pruning of accounts that give nothing, and dropout once the brand is silent.

        With one brand, tonight's purchase decisions are made in the same pass over the known
        set, which also gathers the day's stocks (`_conversion_one` applies the purchases): the
        unfollows between the two change only who follows, which purchases do not read.
        """
        b, state, params = brand.index, self.state[brand.index], self.behavior
        if state.touched:
            state.known = merge_known(state.known, state.in_known, np.concatenate(state.touched))
        state.touched = []
        silent = brand.silent(day)
        churn = (
            self._head(Stream.CHURN, b, day),
            params.prune_rate,
            params.mutual_prune,
            silent,
            params.dropout_rate,
        )
        decide = (
            state.known,
            state.follower,
            self.traits.fit[b],
            state.trust,
            state.brand_follows_day,
            churn,
        )
        if len(self.brands) == 1:
            market = self.market
            pruned, dropped, state.stocks, state.bought = churn_and_purchases(
                *decide,
                state.salience,
                state.customer,
                state.promo_day,
                state.seen_day,
                day,
                (
                    self._head(Stream.CONVERSION, 0, day),
                    market.conversion,
                    market.no_relationship,
                    market.repeat_factor,
                    market.promo_nudge,
                ),
            )
        else:
            pruned, dropped = churn_decisions(*decide)
        self._unfollow(state, pruned, row, "pruning")
        self._unfollow(state, dropped, row, "dropout")
        if self.history:
            self.history.record(pruned, day, brand.name, "unfollowed", PRUNED)
            self.history.record(dropped, day, brand.name, "unfollowed", DROPPED_OUT)

    # --- 9. conversion --------------------------------------------------------------------
    def _conversion(self, day: int, rows: list[dict], results: list[np.ndarray]) -> None:
        """Each salient person buys at most once a day, from one brand (docs/model.md §3.9)."""
        market = self.market
        if len(self.brands) == 1:
            self._conversion_one(day, rows[0], results[0])
            return
        salient = [s.known[s.salience[s.known] > 0] for s in self.state]
        candidates = np.unique(np.concatenate(salient))
        if len(candidates) == 0:
            return
        draw = uniform_from(prefix(self.seed, Stream.CONVERSION, 0, day), candidates)
        chances = np.zeros((len(self.brands), len(candidates)))
        for brand in self.brands:
            state = self.state[brand.index]
            chances[brand.index] = behavior.purchase_chance(
                market.conversion,
                self.traits.fit[brand.index][candidates],
                state.salience[candidates],
                state.trust[candidates],
                market.no_relationship,
                state.customer[candidates],
                market.repeat_factor,
                state.promo_day[candidates] == day,
                market.promo_nudge,
            )
        upper = purchase_bounds(chances)
        for brand in self.brands:
            lower = upper[brand.index - 1] if brand.index > 0 else 0.0
            buyers = candidates[(draw >= lower) & (draw < upper[brand.index])]
            self._purchase(brand, buyers, day, rows[brand.index], results[brand.index])

    def _conversion_one(self, day: int, row: dict, results: np.ndarray) -> None:
        """`_conversion` for a single brand, decided in `_churn`'s pass over the known set,
        which also gathered the metrics' stocks: one brand's chance is at most 1, so its
        normalised slice is [0, chance), and between here and the metrics only the buyers
        change (their trust and salience are re-read into the stocks)."""
        brand, state = self.brands[0], self.state[0]
        bought, state.bought = state.bought, None
        buyers = state.known[bought]
        self._purchase(brand, buyers, day, row, results)
        salience, trust = state.stocks[0], state.stocks[1]
        salience[bought] = state.salience[buyers]
        trust[bought] = state.trust[buyers]

    def _purchase(
        self, brand: BrandAgent, buyers: np.ndarray, day: int, row: dict, results: np.ndarray
    ) -> None:
        """Satisfaction shapes trust; unhappy customers may complain in comments."""
        b, state, market = brand.index, self.state[brand.index], self.market
        row["conversions"] += len(buyers) * market.scale
        row["revenue"] += len(buyers) * market.scale * market.price
        if len(buyers) == 0:
            return
        if brand.strategy.adapt_kpi == "revenue":
            attributed = buyers[state.seen_day[buyers] == day]
            np.add.at(results[0], state.last_content[attributed], market.price * market.scale)
        head = prefix(self.seed, Stream.SATISFACTION, b, day)
        draws = uniform_slots(head, buyers, (0, 1))
        happy = behavior.satisfied(
            draws[0],
            market.satisfaction_mean,
            market.satisfaction_concentration,
            market.satisfaction_threshold,
        )
        state.trust[buyers] = behavior.trust_after_purchase(
            state.trust[buyers], happy, market.satisfied_trust, market.unhappy_trust
        )
        state.salience[buyers] = behavior.closer(
            state.salience[buyers], self.behavior.exposure_salience
        )
        state.customers += int((~state.customer[buyers]).sum())
        state.customer[buyers] = True
        complain = (
            ~happy
            & self.traits.member[brand.main_platform][buyers]
            & (draws[1] < market.complaint_chance)
        )
        state.carried.add(brand.main_platform, COMPLAINT_POST, 0, buyers[complain])
        row["complaints"] += int(np.count_nonzero(complain))
        if self.history:
            for k in self.history.among(buyers):
                detail = purchase_detail(happy[k], complain[k])
                self.history.add(buyers[k], day, brand.name, "bought", detail)

    # --- 11. metrics ----------------------------------------------------------------------
    def _metrics(self, brand: BrandAgent, plan: DayPlan, day: int, row: dict) -> None:
        """Stocks of the day over the known set (and the outsiders' equity and advocates),
        then the shared row closing."""
        b, state = brand.index, self.state[brand.index]
        known = state.known
        if state.stocks is not None:  # gathered by `_churn` tonight
            salience, trust, fit, follower, seen_day = state.stocks
            state.stocks = None
        else:
            salience, trust, fit, follower, seen_day = (
                state.salience[known],
                state.trust[known],
                self.traits.fit[b][known],
                state.follower[known],
                state.seen_day[known],
            )
        stocks = audience_stocks(
            trust,
            fit,
            follower,
            salience,
            seen_day,
            day,
            self.behavior.advocate_threshold,
            state.outsiders,
        )
        close_row(
            brand,
            plan,
            day,
            row,
            stocks,
            state.platform_followers,
            state.following,
            state.customers,
            self.scenario,
        )
        brand.queue_length = len(state.carried)


def _lose_followers(
    state: BrandAudience, gone: np.ndarray, row: dict, causes: dict[str, int]
) -> None:
    """People who follow the brand on no platform any more: their follower flag, and the day's
    unfollows in all and by cause."""
    state.follower[gone] = False
    count_unfollows(row, causes)


def _take_columns(matrix: np.ndarray, people: np.ndarray) -> np.ndarray:
    """``matrix[:, people]`` (np.take along the columns is several times faster)."""
    return np.take(matrix, people, axis=1)


def _put_columns(matrix: np.ndarray, people: np.ndarray, values: np.ndarray | bool) -> None:
    """``matrix[:, people] = values``, row by row (faster than 2-d fancy assignment)."""
    if isinstance(values, np.ndarray):
        for row, value in zip(matrix, values, strict=True):
            row[people] = value
    else:
        for row in matrix:
            row[people] = values


def _first_unique(values: np.ndarray) -> np.ndarray:
    """Unique values in order of first appearance (a dict keeps insertion order; for the few
    to a few thousand draws of a day this is several times faster than ``np.unique``)."""
    return np.array(list(dict.fromkeys(values.tolist())), dtype=values.dtype)
