"""The agent engine: every person a Mesa agent on the follower network.

The same model as ``sim.engines.vector``, written the way an agent-based modeller reads it. Each
person is a `Person` (a Mesa ``CellAgent``) on a ``mesa.discrete_space.Network`` built from the
follower graph; their relationship with each brand is a `Tie` (trust, salience, fatigue by
source, follows, muted, blocked, customer, ...). What a person does is a method named by its verb
(`Person.see_post`, `Person.respond`, `Person.hear_back`, `Person.hear_recommendation`,
`Person.consider_follow_back`, `Person.maybe_prune`, `Person.maybe_buy`); each calls the shared
formulas of ``sim.behavior`` on scalars and draws from the spec's counter-based keys
(``sim.rng``) with exactly the vector engine's key fields, so the two engines differ only in
control flow. Brands are the same `sim.strategy.BrandAgent` in both engines.

Both engines run the one day of `sim.engines.day.DayOrder.step`: the same phases in the same
order, the same snapshot semantics (a phase decides on the state at its start and writes at its
end), the same lazy decay and the same *known* set per brand, so that every draw is made over the
same people. `sim.engines.docking.dock` runs both engines in lockstep and names the first day,
metric and person where they disagree (the docking test, docs/model.md section 6).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellAgent, Network

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
    Event,
    History,
    channel_name,
    outreach_events,
    post_label,
    purchase_detail,
    reply_event,
)
from sim.engines.initial import initial_audience
from sim.engines.metrics_row import audience_stocks, close_row, count_unfollows
from sim.engines.outside import OutsideLedger
from sim.metrics import FLOWS, STOCKS
from sim.rng import Stream, day_prefix, prefix, uniform_fields, uniform_from
from sim.schema import Behavior, Market, Scenario
from sim.strategy import PROMO, BrandAgent, DayPlan, Post
from sim.text import plural

__all__ = ["AgentEngine", "Person", "Reaction", "Tie"]

by_index = attrgetter("index")


@lru_cache(maxsize=4096)
def _head(seed: int, *fields: int) -> int:
    """The hashed leading key fields of a batch of draws (cached: many people share them)."""
    return prefix(seed, *fields)


# --- a person and their ties to brands ------------------------------------------------------
@dataclass(slots=True)
class Tie:
    """A person's relationship with one brand (docs/model.md section 2, dynamic state).

    Salience, trust and fatigue are lazy: each carries the day it was last brought up to date
    (`Person.catch_up` decays them exactly). ``fatigue`` is kept by source (promo, irrelevance,
    volume, spam) so that an unfollow can be attributed; ``follows`` has one flag per platform.
    """

    follows: list[bool]
    salience: float = 0.0
    salience_day: int = 0
    trust: float = 0.0
    trust_day: int = 0
    last_touch: int = NEVER
    fatigue: list[float] = field(default_factory=lambda: [0.0] * len(FATIGUE_SOURCES))
    fatigue_day: int = 0
    muted: bool = False
    blocked: bool = False
    customer: bool = False
    brand_follows_day: int = -1
    seen_day: int = -1
    seen_count: int = 0
    promo_day: int = -1
    last_content: int = 0
    post_stamp: int = -1

    @property
    def follower(self) -> bool:
        """Follows the brand on at least one platform."""
        return any(self.follows)


@dataclass(frozen=True, slots=True)
class Showing:
    """A post as one pass of viewers meets it: what every viewer's response reads."""

    brand: int
    post: Post
    hop: int
    day: int
    norm: float
    engage_base: float
    type_engagement: float
    type_comment: float
    type_share: float
    type_value: float


@dataclass(slots=True)
class Reaction:
    """What a viewer decided on seeing a post, applied at the end of the pass."""

    engaged: bool
    comment: bool
    share: bool
    fatigue: list[float]
    trust: float
    over: bool
    leave: bool
    follow: bool
    seen_today: int


class Person(CellAgent):
    """A member of the audience on the follower network.

    Static traits: ``activity``, ``sociability``, ``tolerance`` (promo tolerance), ``fit`` (per
    brand), ``member`` (per platform). Dynamic state: ``ties[b]``, a `Tie` per brand.
    ``audience`` are the people who see this person's activity (their followers: the cell's
    neighbourhood), ``followees`` the accounts they follow. ``history`` holds the last events
    that touched a tracked person (None for the untracked).
    """

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        population: Population,
        n_brands: int,
        seed: int,
        history: deque[Event] | None = None,
    ) -> None:
        super().__init__(model)
        traits = population.traits
        self.index = index
        self.seed = seed
        self.activity = float(traits.activity[index])
        self.sociability = float(traits.sociability[index])
        self.tolerance = float(traits.promo_tolerance[index])
        self.fit = tuple(float(value) for value in traits.fit[:, index])
        self.member = tuple(bool(value) for value in traits.member[:, index])
        self.ties = [Tie([False] * len(self.member)) for _ in range(n_brands)]
        self.audience: list[Person] = []
        self.followees: list[Person] = []
        self.history = history

    # --- randomness and memory ----------------------------------------------------------
    def draw(self, fields: tuple[int, ...], slot: int = 0) -> float:
        """This person's uniform under the key ``fields`` + (person, slot) (``sim.rng``)."""
        return uniform_from(_head(self.seed, *fields), self.index, slot)

    def remember(self, day: int, brand: str, event: str, detail: str = "") -> None:
        """Add an event to a tracked person's history."""
        if self.history is not None:
            self.history.append(Event(day, brand, event, detail))

    # --- lazy state -----------------------------------------------------------------------
    def catch_up(self, b: int, day: int, params: Behavior) -> None:
        """Bring salience, trust and fatigue toward brand ``b`` up to ``day`` (exact decay)."""
        tie = self.ties[b]
        salience = float(
            behavior.decayed(tie.salience, day - tie.salience_day, params.salience_half_life)
        )
        tie.salience = behavior.remembered(salience, params.forgetting_floor)
        tie.salience_day = day
        tie.trust = float(
            behavior.decayed_trust(
                tie.trust,
                tie.trust_day,
                tie.last_touch,
                day,
                params.trust_grace_days,
                params.trust_half_life,
            )
        )
        tie.trust_day = day
        tie.fatigue = behavior.decayed(
            np.array(tie.fatigue), day - tie.fatigue_day, params.fatigue_half_life
        ).tolist()
        tie.fatigue_day = day

    def forgot(self, b: int) -> bool:
        """Neither aware of brand ``b`` nor following it: drops out of its known set."""
        tie = self.ties[b]
        return tie.salience == 0 and not tie.follower

    # --- 2. exposure ----------------------------------------------------------------------
    def is_online(self, day: int) -> bool:
        """Online today: one draw per person per day."""
        return self.draw((Stream.ONLINE, 0, day)) < self.activity

    def can_be_shown(self, b: int, platform: int, stamp: int, followers_ok: bool) -> bool:
        """On the platform, has not blocked or muted the brand, has not seen this post yet."""
        tie = self.ties[b]
        return (
            self.member[platform]
            and not tie.blocked
            and not tie.muted
            and tie.post_stamp != stamp
            and (followers_ok or not tie.follows[platform])
        )

    # --- 3. response ----------------------------------------------------------------------
    def social_proof(self, b: int) -> float:
        """Share of the accounts this person follows that already follow brand ``b``."""
        following = sum(other.ties[b].follower for other in self.followees)
        return behavior.social_proof(following, len(self.followees))

    def see_post(self, showing: Showing, params: Behavior) -> Reaction:
        """Decide how to respond to a post (reads state only; `respond` applies it)."""
        b, post, hop, day = showing.brand, showing.post, showing.hop, showing.day
        tie, fit = self.ties[b], self.fit[b]
        key = (Stream.RESPONSE, b, day, post.number, hop)
        chance = behavior.engage_chance(
            showing.engage_base,
            self.sociability,
            showing.type_engagement,
            post.quality,
            showing.norm,
            fit,
            tie.trust,
            sum(tie.fatigue),
            params.engagement_trust_offset,
        )
        engaged = bool(self.draw(key, 0) < chance)
        comment, share = behavior.engagement_kind(
            self.draw(key, 1), showing.type_comment, showing.type_share
        )
        comment, share = engaged and comment, engaged and share
        value = behavior.content_value(post.quality, showing.type_value, showing.norm, fit)
        seen_today = tie.seen_count if tie.seen_day == day else 0
        added = behavior.fatigue_from_post(
            post.content == PROMO,
            fit,
            seen_today,
            params.promo_fatigue,
            params.irrelevance_fatigue,
            params.volume_fatigue,
        )
        fatigue = [
            level + float(more) for level, more in zip(tie.fatigue, (*added, 0.0), strict=True)
        ]
        over = sum(fatigue) > self.tolerance
        follower = tie.follows[post.platform]
        leave = (
            behavior.may_unfollow_from_fatigue(over, follower)
            and self.draw(key, 2) < params.unfollow_given_fatigue
        )
        proof = self.social_proof(b) if hop != HOP_FEED else 0.0
        follow_p = behavior.follow_chance(
            params.follow_base, value, fit, proof, params.social_proof
        )
        follow = (
            behavior.may_follow_after_post(follower, over, post.gaffe)
            and self.draw(key, 3) < follow_p
        )
        trust = behavior.trust_after_post(
            tie.trust, value, post.gaffe, params.content_trust, params.incident_trust
        )
        return Reaction(
            engaged, comment, share, fatigue, float(trust), over, leave, bool(follow), seen_today
        )

    def respond(self, b: int, post: Post, day: int, reaction: Reaction, params: Behavior) -> None:
        """Apply a reaction: trust, fatigue, salience, what was seen; muting (the end of a pass).

        Unfollowing and following are `leave_platform` and `follow`, called by the engine,
        which counts them.
        """
        tie = self.ties[b]
        tie.trust = reaction.trust
        tie.fatigue = reaction.fatigue
        tie.salience = behavior.closer(tie.salience, params.exposure_salience)
        tie.seen_count = reaction.seen_today + 1
        tie.seen_day = day
        tie.last_content = post.content
        if post.content == PROMO:
            tie.promo_day = day
        if reaction.over and not reaction.leave:
            tie.muted = True

    def main_fatigue(self, b: int) -> str:
        """The largest source of this person's fatigue toward brand ``b``."""
        fatigue = self.ties[b].fatigue
        return FATIGUE_SOURCES[fatigue.index(max(fatigue))]

    def follow(self, b: int, platform: int) -> bool:
        """Follow brand ``b`` on a platform (unmuting it); True if a new follower."""
        tie = self.ties[b]
        new = not tie.follower
        tie.follows[platform] = True
        tie.muted = False
        return new

    def unfollow(self, b: int) -> None:
        """Stop following brand ``b`` everywhere."""
        tie = self.ties[b]
        tie.follows = [False] * len(tie.follows)

    def leave_platform(self, b: int, platform: int) -> bool:
        """Unfollow on one platform; True if no longer following anywhere (then unfollowed)."""
        tie = self.ties[b]
        tie.follows[platform] = False
        if tie.follower:
            return False
        self.unfollow(b)
        return True

    # --- 4. listening ---------------------------------------------------------------------
    def hear_back(
        self, b: int, answered: bool, backfired: bool, day: int, params: Behavior
    ) -> None:
        """One of this person's comments was answered (well, or in a way that backfired) or
        ignored."""
        tie = self.ties[b]
        tie.trust = float(
            behavior.trust_after_comment(
                tie.trust,
                answered,
                backfired,
                params.reply_trust,
                params.wrong_answer_trust,
                params.ignored_trust,
            )
        )
        if answered and not backfired:
            tie.last_touch = day

    # --- 6. advocacy ----------------------------------------------------------------------
    def is_advocate(self, b: int, params: Behavior) -> bool:
        tie = self.ties[b]
        return behavior.is_advocate(tie.trust, tie.blocked, params.advocate_threshold)

    def hear_recommendation(self, b: int, source_trust: float, params: Behavior) -> None:
        """Trust moves toward the advocate's; the brand comes to mind."""
        tie = self.ties[b]
        tie.trust = float(
            behavior.trust_from_recommendation(tie.trust, source_trust, params.trust_transfer)
        )
        tie.salience = behavior.closer(tie.salience, params.recommendation_salience)

    # --- 7. outreach ----------------------------------------------------------------------
    def consider_follow_back(self, b: int, day: int, params: Behavior) -> tuple[bool, bool, bool]:
        """The brand followed this person: (looks like spam, blocks, will follow back).

        A low-fit person who has never heard of the brand reads the follow as spam (fatigue, a
        chance to block); anyone else notices the brand. Some follow back, by reciprocity (the
        engine applies it with `follow`, as a low-intent follow).
        """
        tie = self.ties[b]
        spam = behavior.reads_as_spam(tie.salience, self.fit[b], params.spam_fit)
        key = (Stream.OUTREACH, b, day, 0, 2)
        block = spam and self.draw(key, 0) < params.block_chance
        follow_back = not block and self.draw(key, 1) < behavior.follow_back_chance(
            params.follow_back, self.sociability
        )
        if spam:
            tie.fatigue[SPAM_SRC] += params.spam_fatigue
        tie.salience = behavior.closer(tie.salience, params.outreach_salience)
        if block:
            tie.blocked = True
        return spam, block, follow_back

    # --- 8. churn -------------------------------------------------------------------------
    def maybe_prune(self, b: int, day: int, silent: bool, params: Behavior) -> str | None:
        """A follower may tidy the brand out of their feed, or drop a silent brand.

        Returns the cause ('pruning' or 'dropout') if they unfollowed.
        """
        tie = self.ties[b]
        key = (Stream.CHURN, b, day)
        hazard = behavior.prune_hazard(
            params.prune_rate,
            self.fit[b],
            tie.trust,
            tie.brand_follows_day >= 0,
            params.mutual_prune,
        )
        if self.draw(key, 0) < hazard:
            cause = "pruning"
        elif silent and self.draw(key, 1) < params.dropout_rate:
            cause = "dropout"
        else:
            return None
        self.unfollow(b)
        return cause

    # --- 9. conversion --------------------------------------------------------------------
    def purchase_chance(self, b: int, day: int, market: Market) -> float:
        """Today's chance to buy from brand ``b`` (before brands compete for the purchase)."""
        tie = self.ties[b]
        return float(
            behavior.purchase_chance(
                market.conversion,
                self.fit[b],
                tie.salience,
                tie.trust,
                market.no_relationship,
                tie.customer,
                market.repeat_factor,
                tie.promo_day == day,
                market.promo_nudge,
            )
        )

    def maybe_buy(self, chances: list[float], day: int) -> int | None:
        """Buy at most once today, from one brand: the brand index, or None."""
        total = sum(chances)
        draw = self.draw((Stream.CONVERSION, 0, day))
        lower = upper = 0.0
        for b, chance in enumerate(chances):
            upper += behavior.purchase_share(chance, total)
            if lower <= draw < upper:
                return b
            lower = upper
        return None

    def buy(
        self, b: int, day: int, main_platform: int, market: Market, params: Behavior
    ) -> tuple[bool, bool, bool]:
        """A purchase: satisfaction shapes trust; unhappy customers may complain.

        Returns (happy, complained, new customer).
        """
        tie = self.ties[b]
        key = (Stream.SATISFACTION, b, day)
        happy = bool(
            behavior.satisfied(
                self.draw(key, 0),
                market.satisfaction_mean,
                market.satisfaction_concentration,
                market.satisfaction_threshold,
            )
        )
        tie.trust = float(
            behavior.trust_after_purchase(
                tie.trust, happy, market.satisfied_trust, market.unhappy_trust
            )
        )
        tie.salience = behavior.closer(tie.salience, params.exposure_salience)
        new = not tie.customer
        tie.customer = True
        complained = (
            not happy and self.member[main_platform] and self.draw(key, 1) < market.complaint_chance
        )
        return happy, complained, new


# --- what the engine keeps per brand ----------------------------------------------------------
Comment = tuple[int, int, int, Person]
"""A queued comment: (platform, post key, hop, person)."""


@dataclass
class Ledger:
    """Per-brand bookkeeping: the known set, today's touched people, outreach, queues, and the
    people who left the known set and have not been touched since (``outside``), booked in
    ``outsiders`` (their equity and advocates, `OutsideLedger`)."""

    known: mesa.agent.AgentSet
    outsiders: OutsideLedger
    outside: set[Person] = field(default_factory=set)
    touched: set[Person] = field(default_factory=set)
    followed_on: dict[int, list[Person]] = field(default_factory=dict)
    following: int = 0
    customers: int = 0
    carried: list[Comment] = field(default_factory=list)


class AgentEngine(DayOrder):
    """Runs the model of ``docs/model.md`` with a Mesa agent per person.

    Same constructor and ``step(day) -> list[dict]`` contract as `VectorEngine`; the Mesa model
    is the brands' (``brands[0].model``). ``tracked`` people keep a history of the last
    ``history_size`` events that touched them (``self.history``, as in the vector engine).
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
        self.population = population
        self.model = brands[0].model
        self.history = History(self.n, tracked, history_size)
        follows = population.graph.to_networkx()
        self.network = Network(follows.reverse(copy=False), layout=None, random=self.model.random)
        self.people = self._place_people(follows)
        self.ledgers = [self._initial_state(brand) for brand in brands]
        self.datacollector = mesa.DataCollector(
            tables={"metrics": ["brand", "day", *STOCKS, *FLOWS]}
        )

    # --- set-up ---------------------------------------------------------------------------
    def _place_people(self, follows: nx.DiGraph) -> list[Person]:
        """One Person per cell of the network.

        The network's edges run from a person to those who see their activity (the follower
        graph reversed), so a cell's neighbours are the person's audience; ``follows`` (i -> j:
        i follows j) gives the accounts they follow.
        """
        people = [
            Person(
                self.model,
                index,
                self.population,
                len(self.brands),
                self.seed,
                self.history.log.get(index),
            )
            for index in range(self.n)
        ]
        for person in people:
            person.cell = self.network[person.index]
            person.audience = [people[node] for node in person.cell.connections]
        for person in people:
            person.followees = [people[node] for node in follows.successors(person.index)]
        return people

    def _initial_state(self, brand: BrandAgent) -> Ledger:
        """Copy the day-0 audience (`initial_audience`, shared with the vector engine)."""
        b = brand.index
        initial = initial_audience(self.scenario, self.population, brand, self.seed)
        for person, trust in zip(initial.followers.tolist(), initial.trust.tolist(), strict=True):
            self.people[person].ties[b].trust = trust
        for platform, followers in initial.follows:
            for person in followers.tolist():
                self.people[person].ties[b].follows[platform] = True
        for person in self.people:
            person.ties[b].salience = float(initial.salience[person.index])
        known = [self.people[person] for person in initial.known.tolist()]
        params = self.behavior
        return Ledger(
            known=mesa.agent.AgentSet(known, random=self.model.random),
            outsiders=OutsideLedger(
                params.trust_grace_days, params.trust_half_life, params.advocate_threshold
            ),
        )

    # --- lazy state and draws ---------------------------------------------------------------
    def _touch(self, b: int, people: list[Person], day: int) -> None:
        """Bring people up to date; those outside the known set join it tonight (those who
        left it are taken out of the outside ledger first, with the state they left with)."""
        ledger = self.ledgers[b]
        back = [person for person in dict.fromkeys(people) if person in ledger.outside]
        if back:
            ledger.outside.difference_update(back)
            ledger.outsiders.rejoin(*self._kept_trust(b, back))
        for person in people:
            person.catch_up(b, day, self.behavior)
            if person not in ledger.known:
                ledger.touched.add(person)

    @staticmethod
    def _kept_trust(b: int, people: list[Person]) -> tuple[np.ndarray, ...]:
        """Trust toward brand ``b``, the day it is of, the last touch and fit of ``people``
        (what `OutsideLedger` books)."""
        ties = [person.ties[b] for person in people]
        return (
            np.array([tie.trust for tie in ties]),
            np.array([tie.trust_day for tie in ties]),
            np.array([tie.last_touch for tie in ties]),
            np.array([person.fit[b] for person in people]),
        )

    def _known(self, b: int) -> list[Person]:
        """The brand's known set in ascending person order (the vector engine's array order)."""
        return sorted(self.ledgers[b].known, key=by_index)

    # --- the day --------------------------------------------------------------------------
    @staticmethod
    def _new_comments() -> list[Comment]:
        """An empty list of the day's comments awaiting a reply (``DayOrder.step``)."""
        return []

    def _start_day(self, brand: BrandAgent, day: int) -> None:
        """Bring the known set up to today and drop the forgotten who do not follow (their
        trust is kept and counted: the outside ledger books them)."""
        b, ledger = brand.index, self.ledgers[brand.index]
        ledger.known.do("catch_up", b, day, self.behavior)
        left = [person for person in ledger.known if person.forgot(b)]
        if left:
            gone = set(left)
            ledger.known.select(lambda person: person not in gone, inplace=True)
            kept = sorted((person for person in left if person.ties[b].trust > 0), key=by_index)
            ledger.outside.update(kept)
            ledger.outsiders.leave(*self._kept_trust(b, kept))
        ledger.touched = set()

    # --- 2.-3. exposure and response ------------------------------------------------------
    def _feed(
        self, brand: BrandAgent, post: Post, day: int, chance: float, stamp: int
    ) -> list[Person]:
        """Followers on the post's platform, neither muting nor blocking the brand, online and
        drawn with the feed's ``chance``; they are stamped as shown the post."""
        b, p = brand.index, post.platform
        feed_key = (Stream.EXPOSURE, b, day, post.number, HOP_FEED)
        feed = [
            person
            for person in self._known(b)
            if person.ties[b].follows[p]
            and not person.ties[b].muted
            and not person.ties[b].blocked
            and person.is_online(day)
            and person.draw(feed_key) < chance
        ]
        for person in feed:
            person.ties[b].post_stamp = stamp
        return feed

    @staticmethod
    def _joined(*groups: list[Person]) -> list[Person]:
        return [person for group in groups for person in group]

    def _stamp(self, brand: BrandAgent, people: list[Person], stamp: int) -> None:
        for person in people:
            person.ties[brand.index].post_stamp = stamp

    def _carried(self, brand: BrandAgent) -> list[Comment]:
        return self.ledgers[brand.index].carried

    def _shown(
        self,
        brand: BrandAgent,
        post: Post,
        people: list[Person],
        stamp: int,
        day: int,
        followers_ok: bool,
    ) -> list[Person]:
        """Those of ``people`` who can be shown the post now; they are stamped as shown."""
        b = brand.index
        shown = [
            person
            for person in people
            if person.can_be_shown(b, post.platform, stamp, followers_ok) and person.is_online(day)
        ]
        for person in shown:
            person.ties[b].post_stamp = stamp
        return shown

    def _discover(
        self, brand: BrandAgent, post: Post, count: int, day: int, stamp: int, hop: int
    ) -> list[Person]:
        """``count`` draws of non-followers shown the post: explore surfaces, in proportion to
        engagement (``HOP_DISCOVERY``), or paid impressions (``HOP_PAID``)."""
        if count == 0:
            return []
        head = _head(self.seed, Stream.EXPOSURE, brand.index, day, post.number, hop)
        picks = [int(uniform_from(head, 0, slot) * self.n) for slot in range(count)]
        people = [self.people[index] for index in dict.fromkeys(picks)]
        shown = self._shown(brand, post, people, stamp, day, followers_ok=False)
        return sorted(shown, key=by_index)

    def _spread(
        self,
        brand: BrandAgent,
        sources: list[Person],
        stream: int,
        post: int,
        hop: int,
        chance: float,
        day: int,
    ) -> list[Person]:
        """Each source gives each person in its audience one chance; unique receivers, sorted."""
        key = (stream, brand.index, day, post, hop)
        reached = {
            receiver
            for source in sources
            for receiver in source.audience
            if receiver.draw(key, source.index) < chance
        }
        return sorted(reached, key=by_index)

    def _showing(self, brand: BrandAgent, post: Post, hop: int, day: int) -> Showing:
        params, platform = self.behavior, self.platforms[post.platform]
        content = post.content
        return Showing(
            brand=brand.index,
            post=post,
            hop=hop,
            day=day,
            norm=platform.norms.as_tuple()[content],
            engage_base=platform.engage_base,
            type_engagement=params.content_engagement.as_tuple()[content],
            type_comment=params.content_comment.as_tuple()[content],
            type_share=params.content_share.as_tuple()[content],
            type_value=params.content_value.as_tuple()[content],
        )

    def _respond(
        self,
        brand: BrandAgent,
        post: Post,
        day: int,
        groups: list[tuple[int, list[Person]]],
        row: dict,
        comments: list[Comment],
        results: np.ndarray,
        channel: str | None,
        comment_post: int | None = None,
    ) -> tuple[list[Person], list[Person]]:
        """Viewers see the post and react (docs/model.md §3.3): all decide first, then all apply.

        Returns (engagers, sharers).
        """
        b, p, params = brand.index, post.platform, self.behavior
        decisions = []
        for hop, viewers in groups:
            if not viewers:
                continue
            self._touch(b, viewers, day)
            showing = self._showing(brand, post, hop, day)
            decisions.append(
                (hop, [(person, person.see_post(showing, params)) for person in viewers])
            )
        engagers: list[Person] = []
        sharers: list[Person] = []
        comment_key = post.number if comment_post is None else comment_post
        for hop, reactions in decisions:
            for person, reaction in reactions:
                person.respond(b, post, day, reaction, params)
                row["mutes"] += reaction.over and not reaction.leave
                if reaction.leave and person.leave_platform(b, p):
                    count_unfollows(row, {person.main_fatigue(b): 1})
                if reaction.follow:
                    row["new_follows"] += person.follow(b, p)
                row["engagements"] += reaction.engaged
                row["comments"] += reaction.comment
                row["shares"] += reaction.share
                row["likes"] += reaction.engaged and not reaction.comment and not reaction.share
                if reaction.comment:
                    comments.append((p, comment_key, hop, person))
                if reaction.engaged:
                    engagers.append(person)
                if reaction.share:
                    sharers.append(person)
                if person.history is not None:
                    self._remember_response(brand, post, day, hop, person, reaction)
            row["impressions"] += len(reactions)
            if channel:
                row[channel] += len(reactions)
            if brand.strategy.adapt_kpi != "revenue":
                kpi = "follow" if brand.strategy.adapt_kpi == "followers" else "engaged"
                results[0, post.content] += float(sum(getattr(r, kpi) for _, r in reactions))
        return engagers, sharers

    def _remember_response(
        self, brand: BrandAgent, post: Post, day: int, hop: int, person: Person, reaction: Reaction
    ) -> None:
        """History of a tracked viewer: saw the post, engaged, then muted, left or followed."""
        platform = self.platforms[post.platform].name
        label = post_label(post, platform)
        channel = channel_name(hop)
        name = brand.name
        person.remember(day, name, "saw_post", f"{label} via {channel}")
        if reaction.comment:
            person.remember(day, name, "commented", label)
        elif reaction.engaged:
            person.remember(day, name, "engaged", ("share " if reaction.share else "like ") + label)
        source = FATIGUE_SOURCES[reaction.fatigue.index(max(reaction.fatigue))]
        if reaction.over and not reaction.leave:
            person.remember(day, name, "muted", f"fatigue, mostly {source}")
        elif reaction.leave:
            person.remember(day, name, "unfollowed", f"fatigue, mostly {source}, on {platform}")
        elif reaction.follow:
            person.remember(day, name, "followed", f"on {platform} via {channel}")

    # --- 4. listening ---------------------------------------------------------------------
    def _listen(
        self, brand: BrandAgent, plan: DayPlan, day: int, row: dict, today: list[Comment]
    ) -> None:
        """Answer comments in queue order from the reply reserve (docs/model.md §3.4)."""
        b, ledger, params = brand.index, self.ledgers[brand.index], self.behavior
        queue = ledger.carried + today
        ledger.carried = []
        brand.queue_length = 0
        if not queue:
            return
        cost = params.reply_hours * self.market.scale
        capacity = behavior.reply_capacity(plan.reply_hours, cost, len(queue))
        head = day_prefix(self.seed, Stream.LISTENING, b, day)
        argue_rate = brand.strategy.argue_rate
        self._touch(b, sorted({person for *_, person in queue}, key=by_index), day)
        willing_so_far = answered_count = 0
        reprisals = set()
        for platform, post, hop, person in queue:
            willing = uniform_fields(head, post, hop, person.index, 0) < brand.strategy.reply_rate
            willing_so_far += willing
            answered = willing and willing_so_far <= capacity
            question = behavior.is_question(
                uniform_fields(head, post, hop, person.index, 1),
                params.question_share,
                post == REPRISAL_POST,
            )
            routed = uniform_fields(head, post, hop, person.index, 2) < brand.strategy.coordination
            argued = (
                answered
                and argue_rate > 0
                and uniform_fields(head, post, hop, person.index, ARGUE_DRAW) < argue_rate
            )
            wrong = bool(behavior.is_wrong_answer(answered, question, routed))
            backfired = bool(behavior.answer_backfires(wrong, argued))
            person.hear_back(b, answered, backfired, day, params)
            if person.history is not None:
                person.remember(day, brand.name, *reply_event(answered, wrong, argued, post))
            if backfired and behavior.draws_reprisal(
                uniform_fields(head, post, hop, person.index, REPRISAL_DRAW),
                params.wrong_answer_reprisal,
            ):
                reprisals.add((platform, person))
            answered_count += answered
            row["comments_ignored"] += not answered
            row["wrong_answers"] += wrong
            row["arguments"] += argued
        row["comments_answered"] += answered_count
        row["hours_replies"] += float(answered_count) * cost
        for platform, person in sorted(reprisals, key=lambda pair: (pair[0], pair[1].index)):
            ledger.carried.append((platform, REPRISAL_POST, platform, person))
            person.remember(day, brand.name, "reprisal", self.platforms[platform].name)
        row["reprisals"] += len(reprisals)

    # --- 6. advocacy ----------------------------------------------------------------------
    def _advocacy(self, brand: BrandAgent, day: int, row: dict) -> None:
        """Advocates recommend the brand to their followers at a daily rate (docs/model.md §3.6)."""
        b, params = brand.index, self.behavior
        advocates = self.ledgers[b].known.select(lambda person: person.is_advocate(b, params))
        speaking = (Stream.ADVOCACY, b, day)
        speakers = sorted(
            (person for person in advocates if person.draw(speaking) < params.advocacy_rate),
            key=by_index,
        )
        row["recommendations"] += len(speakers)
        if not speakers:
            return
        contacts = [
            (speaker, receiver)
            for speaker, receiver in self._contacts(speakers, b, day)
            if not receiver.ties[b].blocked and receiver is not speaker
        ]
        for speaker in speakers:
            if speaker.history is not None:
                reached = sum(sender is speaker for sender, _ in contacts)
                speaker.remember(day, brand.name, "recommended", f"reached {reached}")
        if not contacts:
            return
        source_trust: dict[Person, float] = {}
        heard_times: dict[Person, int] = {}
        for speaker, receiver in contacts:
            source_trust[receiver] = max(source_trust.get(receiver, 0.0), speaker.ties[b].trust)
            heard_times[receiver] = heard_times.get(receiver, 0) + 1
        heard = sorted(source_trust, key=by_index)
        self._touch(b, heard, day)
        follows_key = (Stream.ADVOCACY, b, day, 0, 2)
        for person in heard:
            platform = int(brand.recommended_platform(person.member))
            follows = (
                not person.ties[b].follower
                and platform >= 0
                and person.draw(follows_key)
                < behavior.recommendation_follow_chance(params.recommendation_follow, person.fit[b])
            )
            person.hear_recommendation(b, source_trust[person], params)
            if follows:
                row["new_follows"] += person.follow(b, platform)
            if person.history is not None:
                times = plural(heard_times[person], "time")
                person.remember(day, brand.name, "heard_recommendation", times)
                if follows:
                    name = self.platforms[platform].name
                    person.remember(
                        day, brand.name, "followed", f"on {name} after a recommendation"
                    )
        row["impressions_recommendation"] += len(heard)

    def _contacts(self, speakers: list[Person], b: int, day: int) -> list[tuple[Person, Person]]:
        """(speaker, receiver) pairs a recommendation reaches: followers, or anyone (mean field)."""
        params = self.behavior
        reach_key = (Stream.ADVOCACY, b, day, 0, 1)
        if self.mean_field:
            per_speaker = behavior.mean_field_contacts(
                params.recommendation_reach, self.population.graph.n_edges, self.n
            )
            return [
                (speaker, self.people[int(speaker.draw(reach_key, slot) * self.n)])
                for speaker in speakers
                for slot in range(per_speaker)
            ]
        return [
            (speaker, receiver)
            for speaker in speakers
            for receiver in speaker.audience
            if receiver.draw(reach_key, speaker.index) < params.recommendation_reach
        ]

    # --- 7. outreach ----------------------------------------------------------------------
    def _outreach(self, brand: BrandAgent, plan: DayPlan, day: int, row: dict) -> None:
        """The brand follows accounts; some follow back, some see spam (docs/model.md §3.7)."""
        b, ledger, params = brand.index, self.ledgers[brand.index], self.behavior
        main = brand.main_platform
        strategy = brand.strategy
        on_main = sum(person.ties[b].follows[main] for person in (*ledger.known, *ledger.touched))
        followers = on_main + brand.fake_followers  # at the phase's start
        unfollowed = 0
        if strategy.unfollow_after_days > 0:
            dropped = ledger.followed_on.pop(day - strategy.unfollow_after_days, None)
            if dropped is not None:
                unfollowed = self._drop_non_followers(brand, dropped, day)
        chosen = self._outreach_targets(brand, plan.follows, day)
        row["hours_outreach"] += len(chosen) * params.follow_hours * self.market.scale
        self._touch(b, chosen, day)
        for person in chosen:
            person.ties[b].brand_follows_day = day
        ledger.followed_on[day] = chosen
        ledger.following += len(chosen)
        platform = self.platforms[main]
        for person in chosen:
            spam, block, follow_back = person.consider_follow_back(b, day, params)
            row["blocks"] += block
            if follow_back:
                row["new_follows"] += person.follow(b, main)
            if person.history is not None:
                for event, detail in outreach_events(spam, block, follow_back, platform):
                    person.remember(day, brand.name, event, detail)
        if behavior.breaks_follow_limits(
            behavior.counted_actions(platform.limit_counts, len(chosen), unfollowed),
            ledger.following,
            followers,
            self.market.scale,
            platform.follow_limit_per_day,
            platform.following_ratio_limit,
            platform.following_floor,
        ):
            brand.restrict(main, day)

    def _drop_non_followers(self, brand: BrandAgent, followed: list[Person], day: int) -> int:
        """Follow-unfollow churn: stop following those who did not follow back."""
        b, ledger = brand.index, self.ledgers[brand.index]
        dropped = [
            person
            for person in followed
            if person.ties[b].brand_follows_day >= 0 and not person.ties[b].follower
        ]
        detail = f"no follow-back after {brand.strategy.unfollow_after_days} days"
        for person in dropped:
            person.ties[b].brand_follows_day = -1
            person.remember(day, brand.name, "unfollowed_by_brand", detail)
        ledger.following -= len(dropped)
        return len(dropped)

    def _outreach_targets(self, brand: BrandAgent, count: int, day: int) -> list[Person]:
        """Up to ``count`` accounts to follow, drawn at random (or by fit), sorted."""
        b, main = brand.index, brand.main_platform
        head = _head(self.seed, Stream.OUTREACH, b, day)
        targeting = (Stream.OUTREACH, b, day, 0, 1)
        chosen: dict[Person, None] = {}
        for slot in range(OUTREACH_DRAWS * count):
            person = self.people[int(uniform_from(head, 0, slot) * self.n)]
            tie = person.ties[b]
            ok = (
                person.member[main]
                and tie.brand_follows_day < 0
                and not tie.blocked
                and not tie.follower
            )
            if ok and brand.strategy.targeting == "fit":
                ok = person.draw(targeting, slot) < person.fit[b]
            if ok:
                chosen[person] = None
        return sorted(list(chosen)[:count], key=by_index)

    # --- 8. churn -------------------------------------------------------------------------
    def _churn(self, brand: BrandAgent, day: int, row: dict) -> None:
        """Pruning of accounts that give nothing, and dropout once the brand is silent."""
        b, ledger, params = brand.index, self.ledgers[brand.index], self.behavior
        for person in ledger.touched:
            ledger.known.add(person)
        ledger.touched = set()
        silent = brand.silent(day)
        followers = ledger.known.select(lambda person: person.ties[b].follower)
        for person in followers:
            cause = person.maybe_prune(b, day, silent, params)
            if cause is not None:
                count_unfollows(row, {cause: 1})
                person.remember(
                    day, brand.name, "unfollowed", PRUNED if cause == "pruning" else DROPPED_OUT
                )

    # --- 9. conversion --------------------------------------------------------------------
    def _conversion(self, day: int, rows: list[dict], results: list[np.ndarray]) -> None:
        """Each salient person buys at most once a day, from one brand (docs/model.md §3.9)."""
        candidates = set()
        for brand in self.brands:
            b = brand.index
            candidates.update(p for p in self.ledgers[b].known if p.ties[b].salience > 0)
        buyers: list[list[Person]] = [[] for _ in self.brands]
        for person in sorted(candidates, key=by_index):
            chances = [
                person.purchase_chance(brand.index, day, self.market) for brand in self.brands
            ]
            choice = person.maybe_buy(chances, day)
            if choice is not None:
                buyers[choice].append(person)
        for brand in self.brands:
            self._purchase(brand, buyers[brand.index], day, rows[brand.index], results[brand.index])

    def _purchase(
        self,
        brand: BrandAgent,
        buyers: list[Person],
        day: int,
        row: dict,
        results: np.ndarray,
    ) -> None:
        """Satisfaction shapes trust; unhappy customers may complain in comments."""
        b, ledger, market = brand.index, self.ledgers[brand.index], self.market
        row["conversions"] += len(buyers) * market.scale
        row["revenue"] += len(buyers) * market.scale * market.price
        if brand.strategy.adapt_kpi == "revenue":
            for person in buyers:
                if person.ties[b].seen_day == day:
                    results[0, person.ties[b].last_content] += market.price * market.scale
        main = brand.main_platform
        complaints = []
        for person in buyers:
            happy, complained, new = person.buy(b, day, main, market, self.behavior)
            ledger.customers += new
            if complained:
                complaints.append((main, COMPLAINT_POST, 0, person))
            person.remember(day, brand.name, "bought", purchase_detail(happy, complained))
        ledger.carried.extend(complaints)
        row["complaints"] += len(complaints)

    # --- 11. metrics ----------------------------------------------------------------------
    def _metrics(self, brand: BrandAgent, plan: DayPlan, day: int, row: dict) -> None:
        """Stocks of the day over the known set (and the outsiders' equity and advocates),
        then the shared row closing."""
        b, ledger = brand.index, self.ledgers[brand.index]
        known = self._known(b)
        ties = [person.ties[b] for person in known]
        stocks = audience_stocks(
            np.array([tie.trust for tie in ties]),
            np.array([person.fit[b] for person in known]),
            np.array([tie.follower for tie in ties], dtype=bool),
            np.array([tie.salience for tie in ties]),
            np.array([tie.seen_day for tie in ties]),
            day,
            self.behavior.advocate_threshold,
            ledger.outsiders,
        )
        platform_followers = [
            sum(tie.follows[p] for tie in ties) for p in range(len(self.platforms))
        ]
        close_row(
            brand,
            plan,
            day,
            row,
            stocks,
            platform_followers,
            ledger.following,
            ledger.customers,
            self.scenario,
        )
        brand.queue_length = len(ledger.carried)
        self.datacollector.add_table_row("metrics", row)
