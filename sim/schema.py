"""The scenario schema: every parameter of the model with its meaning, default, ranges and source.

Pydantic models validate scenario files. Each field's ``description`` says what it means; its
``Field`` bounds (``ge``/``le``) are what the loader *accepts*, often far wider than realistic so
that validation configurations and extreme tests can run. A behavioural parameter made with
:func:`param` also has, in ``json_schema_extra``, its ``source`` (where a study or report supports
the default), its ``unit`` and, in most cases, its *plausible* range (:func:`plausible`): the
values a careful modeller would consider realistic for a brand's market, which a reader and a
sensitivity analysis need. ``docs/model.md`` lists the same parameters.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import annotated_types
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.fields import FieldInfo

from sim.text import repeated

CONTENT_TYPES: tuple[str, ...] = ("value", "story", "promo", "conversation")
ASSUMPTION = "assumption, see docs/model.md"


def param(
    default,
    ge=None,
    le=None,
    *,
    doc: str,
    source: str = ASSUMPTION,
    unit: str = "",
    plausible: tuple[float, float] | None = None,
):
    """A documented model parameter: default, accepted bounds (``ge``/``le``), meaning, source,
    unit and, optionally, the ``plausible`` range (low, high) of realistic values, which lies
    inside the bounds and contains the default (``tests/test_schema_ranges.py`` checks it)."""
    extra: dict = {"source": source, "unit": unit}
    if plausible is not None:
        extra["plausible"] = tuple(plausible)
    return Field(default, ge=ge, le=le, description=doc, json_schema_extra=extra)


def bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    """The accepted range (``ge``, ``le``) of a schema field, None where it is open."""
    low = high = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    return low, high


def plausible(info: FieldInfo) -> tuple[float, float] | None:
    """The plausible range (low, high) of a schema field, or None where it states none."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    found = extra.get("plausible")
    return None if found is None else (found[0], found[1])


def _visible(name: str) -> str:
    """A name labels tables, legends and file names, so it needs a character one can see."""
    if not name.strip():
        raise ValueError("must have a character other than spaces")
    return name


Name = Annotated[str, AfterValidator(_visible)]
"""The name of a strategy, brand, platform, audience, scenario or comparison."""


class Strict(BaseModel):
    """Base for every schema model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ContentWeights(Strict):
    """A weight for each content type (a content mix, or a per-type property)."""

    value: float = Field(0.0, ge=0, le=10, description="informative, useful content")
    story: float = Field(0.0, ge=0, le=10, description="stories with a human element")
    promo: float = Field(0.0, ge=0, le=10, description="promotional, sales-focused content")
    conversation: float = Field(0.0, ge=0, le=10, description="questions and invitations to reply")

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in CONTENT_TYPES)


CONTENT_DIRECTION = "the size is an assumption; the direction is the cited study's"
"""Source note of a content-type weight: the studies order the types, they do not size them."""


def _weight(what: str, content_type: str, default: float, plausible: tuple[float, float]) -> Any:
    """A content type's weight in one of ``Behavior``'s per-type tables (``what`` it weighs),
    with a plausible range."""
    return param(
        default,
        0,
        10,
        doc=f"{what}: {ContentWeights.model_fields[content_type].description}",
        source=CONTENT_DIRECTION,
        plausible=plausible,
    )


_VALUE_OF = "value to a fitting viewer"


class ContentValue(ContentWeights):
    """Value of each content type to a fitting viewer (informative content is the reference)."""

    value: float = _weight(_VALUE_OF, "value", 1.0, (0.7, 1.3))
    story: float = _weight(_VALUE_OF, "story", 0.9, (0.6, 1.2))
    promo: float = _weight(_VALUE_OF, "promo", 0.3, (0.1, 0.7))
    conversation: float = _weight(_VALUE_OF, "conversation", 0.7, (0.4, 1.0))


_ENGAGEMENT_OF = "engagement multiplier"


class ContentEngagement(ContentWeights):
    """Engagement multiplier of each content type (informative content is the reference)."""

    value: float = _weight(_ENGAGEMENT_OF, "value", 1.0, (0.7, 1.3))
    story: float = _weight(_ENGAGEMENT_OF, "story", 1.4, (1.0, 2.0))
    promo: float = _weight(_ENGAGEMENT_OF, "promo", 0.6, (0.3, 1.0))
    conversation: float = _weight(_ENGAGEMENT_OF, "conversation", 1.2, (0.8, 2.0))


_COMMENTS_OF = "share of engagements that are comments"


class ContentComment(ContentWeights):
    """Share of each content type's engagements that are comments."""

    value: float = _weight(_COMMENTS_OF, "value", 0.1, (0.03, 0.2))
    story: float = _weight(_COMMENTS_OF, "story", 0.12, (0.03, 0.25))
    promo: float = _weight(_COMMENTS_OF, "promo", 0.05, (0.01, 0.15))
    conversation: float = _weight(_COMMENTS_OF, "conversation", 0.5, (0.2, 0.7))


_SHARES_OF = "share of engagements that are shares"


class ContentShare(ContentWeights):
    """Share of each content type's engagements that are shares."""

    value: float = _weight(_SHARES_OF, "value", 0.1, (0.03, 0.2))
    story: float = _weight(_SHARES_OF, "story", 0.25, (0.1, 0.4))
    promo: float = _weight(_SHARES_OF, "promo", 0.03, (0.01, 0.1))
    conversation: float = _weight(_SHARES_OF, "conversation", 0.03, (0.01, 0.1))


class ContentMix(ContentWeights):
    """Shares of each content type among a brand's posts (normalised to sum to 1)."""

    @model_validator(mode="after")
    def _positive_total(self) -> ContentMix:
        if sum(self.as_tuple()) <= 0:
            raise ValueError("content_mix needs at least one type with a share above 0")
        return self

    def shares(self) -> tuple[float, ...]:
        total = sum(self.as_tuple())
        return tuple(weight / total for weight in self.as_tuple())


class QuitRule(Strict):
    """When a brand gives up: its KPI below target on the check day (or unconditionally)."""

    kpi: Literal["never", "always", "followers", "engagement", "revenue", "roi"] = Field(
        "never",
        description="KPI checked on check_day; 'never' keeps going, 'always' stops on check_day",
    )
    target: float = Field(
        0.0, ge=-1e12, le=1e12, description="quit if the KPI is below this on check_day"
    )
    check_day: int = Field(90, ge=1, le=36500, description="day the quit rule is checked")


class Strategy(Strict):
    """A brand's strategy: behavioural parameters only, never a code path."""

    name: Name = Field("custom", min_length=1, max_length=80, description="preset or custom name")
    description: str = Field("", max_length=500, description="one line on what it shows")
    platforms: list[str] = Field(
        default_factory=lambda: ["facebook"],
        min_length=1,
        max_length=8,
        description="names of the scenario's platforms the brand is active on",
    )
    posts_per_week: float = param(
        5.0,
        0,
        70,
        doc="scheduled posts per week on each platform",
        source="Rival IQ 2023 benchmark: median brand posts about 5 per week on Facebook",
        unit="posts/week",
        plausible=(1, 21),
    )
    consistency: float = param(
        0.95, 0, 1, doc="chance a scheduled post actually happens", plausible=(0.5, 1)
    )
    consistency_decay: float = param(
        0.0,
        0,
        10,
        doc="yearly rate at which consistency decays (falling off the wagon)",
        unit="1/year",
        plausible=(0, 1),
    )
    burstiness: float = param(
        0.0,
        0,
        1,
        doc="irregular posting: 0 keeps to the schedule, 1 posts in bursts with long gaps",
        plausible=(0, 0.8),
    )
    content_mix: ContentMix = Field(
        default_factory=lambda: ContentMix(value=0.35, story=0.25, promo=0.15, conversation=0.25),
        description="shares of content types among posts",
    )
    hours_per_post: float = param(
        1.0,
        0.05,
        16,
        doc="staff hours planned per post (creation)",
        unit="hours",
        plausible=(0.25, 4),
    )
    automation_share: float = param(
        0.0, 0, 1, doc="share of posts written and scheduled automatically", plausible=(0, 1)
    )
    adapt_per_platform: bool = Field(True, description="content adapted to each platform's norms")
    review: bool = Field(True, description="posts reviewed before publishing (no gaffe risk)")
    policy: bool = Field(True, description="a social media policy: access and credentials managed")
    reply_rate: float = param(
        0.8,
        0,
        1,
        doc="chance the brand answers a given comment (hours for the expected answers are "
        "reserved first)",
        source="Sprout Social Index 2020: 79% of people expect a reply within 24 hours",
        plausible=(0, 1),
    )
    coordination: float = param(
        0.9,
        0,
        1,
        doc="chance a question for another department is routed and answered well",
        plausible=(0, 1),
    )
    argue_rate: float = param(
        0.0,
        0,
        1,
        doc="chance an answer argues with the person or talks down to them, forcing the brand's "
        "view instead of listening: it costs trust as a wrong answer does and can draw a reprisal",
        source="assumption; the seed articles: never force your view, criticise or offend",
        plausible=(0, 0.5),
    )
    formality: float = param(
        0.0,
        0,
        1,
        doc="how formal and impersonal the brand's voice is (0: personal and conversational, 1: "
        "stiff and corporate): every post loses formal_quality x formality of its quality",
        plausible=(0, 1),
    )
    boost_budget: float = param(
        0.0,
        0,
        1e6,
        doc="money a week for boosting posts: paid impressions of people who do not follow the "
        "brand; a boosted post spends the budget saved since the last boost",
        unit="money/week",
        plausible=(0, 500),
    )
    boost_rule: Literal["engaging", "promo"] = Field(
        "engaging",
        description="which posts are boosted: those whose feed engagement per impression beats "
        "the brand's usual ('engaging': the content's quality decides) or its promotional posts "
        "('promo': paid reach decides)",
    )
    follow_rate: float = param(
        10.0,
        0,
        5000,
        doc="accounts the brand follows per day (real accounts)",
        unit="accounts/day",
        plausible=(0, 400),
    )
    targeting: Literal["fit", "random"] = Field(
        "fit", description="outreach picks people by fit ('fit') or at random"
    )
    unfollow_after_days: int = param(
        0,
        0,
        365,
        doc="follow-unfollow churn: drop followed accounts that did not follow back "
        "after this many days (0: never)",
        unit="days",
        plausible=(0, 90),
    )
    bought_followers_per_month: float = param(
        0.0,
        0,
        1e6,
        doc="fake followers bought per month (real accounts)",
        unit="accounts/month",
        plausible=(0, 5000),
    )
    weekly_hours: float = param(
        12.0,
        0,
        168,
        doc="staff hours per week for social media: a budget that caps the day's posts, "
        "replies and outreach; cost counts the hours they use (the baseline uses about 5 of "
        "its 12)",
        unit="hours/week",
        plausible=(2, 40),
    )
    budget_priority: Literal["day", "week"] = Field(
        "day",
        description="where a shortfall of hours cuts outreach first, then posts, replies last: "
        "in each day's plan ('day'), or over a week of the plan, each day's uses scaled to "
        "their funded share ('week'); decides claims 1-3 (docs/model.md §10)",
    )
    hourly_cost: float = param(
        40.0,
        0,
        1000,
        doc="cost of one staff hour",
        unit="money/hour",
        source="US BLS 2023: median marketing specialist wage about $33/hour before overhead",
        plausible=(20, 100),
    )
    quit_rule: QuitRule = Field(default_factory=QuitRule, description="when the brand gives up")
    adaptive: bool = Field(False, description="shift the content mix toward what worked")
    adapt_kpi: Literal["followers", "engagement", "revenue"] = Field(
        "engagement", description="the KPI an adaptive brand watches"
    )
    adapt_rate: float = param(
        0.1,
        0,
        1,
        doc="how far the mix moves each week toward shares in proportion to each type's KPI per "
        "post",
        plausible=(0.02, 0.5),
    )


class InitialState(Strict):
    """A brand's standing on day 0."""

    followers: float = param(
        10000.0,
        0,
        1e9,
        doc="followers on day 0, drawn in proportion to fit (real people); at most the members "
        "of the main platform (more are capped at them; a scenario file, or an experiment's fixed "
        "values, asking for more than a generated graph's whole market is refused)",
        unit="people",
        plausible=(0, 100_000),
    )
    follower_trust: float = param(
        0.15, 0, 1, doc="mean trust of initial followers", plausible=(0.05, 0.4)
    )
    follower_trust_spread: float = param(
        0.5,
        0,
        1,
        doc="relative spread of initial followers' trust: uniform within follower_trust x "
        "(1 +/- spread), capped at 1",
        plausible=(0, 1),
    )
    follower_salience: float = param(
        0.5,
        0,
        1,
        doc="least day-0 salience of initial followers (their feeds show the brand), before "
        "salience_spread",
        plausible=(0.2, 0.8),
    )
    cross_follow: float = param(
        0.3,
        0,
        1,
        doc="chance that a day-0 follower who is on another of the strategy's platforms follows "
        "the brand there too: its fans follow it where it has accounts (no effect on one platform)",
        source="assumption; Sprout Social Index XVII (2021): most users of a network follow brands "
        "there (78% of Facebook's users, 84% of Instagram's); how many of one brand's fans follow "
        "it on each of its networks is not published",
        plausible=(0, 0.6),
    )
    aware_share: float = param(
        0.1, 0, 1, doc="share of the rest of the market aware of the brand", plausible=(0.01, 0.5)
    )
    aware_salience: float = param(
        0.3, 0, 1, doc="salience of those aware on day 0", plausible=(0.1, 0.6)
    )
    salience_spread: float = param(
        0.5,
        0,
        1,
        doc="relative spread of day-0 salience: uniform within level x (1 +/- spread), capped "
        "at 1, the level being aware_salience (initial followers: at least follower_salience; "
        "0: everyone the same)",
        plausible=(0, 1),
    )


class Brand(Strict):
    """A brand in the scenario, with its strategy and starting position."""

    name: Name = Field("Brand", min_length=1, max_length=80)
    strategy: Strategy = Field(default_factory=Strategy)
    initial: InitialState = Field(default_factory=InitialState)
    fit_mean: float = param(
        0.4, 0.01, 0.99, doc="mean fit of the audience to this brand", plausible=(0.2, 0.7)
    )


class Platform(Strict):
    """A social network's rules: reach, ranking, discovery, norms, limits and spam rules."""

    name: Name = Field("facebook", min_length=1, max_length=40)
    membership: float = param(
        0.7,
        0,
        1,
        doc="share of the audience on this platform",
        source="Pew Research 2024: 68% of US adults use Facebook",
        plausible=(0.2, 0.85),
    )
    feed_rate: float = param(
        0.12,
        0,
        1,
        doc="chance an online follower sees a post at neutral ranking",
        source="calibrated to organic reach 5-7% of followers (Hootsuite 2019-2020)",
        plausible=(0.06, 0.3),
    )
    frequency_damping: float = param(
        0.65,
        0,
        2,
        doc="with n posts on one day each reaches n**-damping of a single post's feed audience",
        source="Track Social 2012: at two posts a day each post gets about 57% of the likes",
        plausible=(0.3, 1),
    )
    rank_window_days: int = param(
        28, 1, 365, doc="memory of the ranking signal", unit="days", plausible=(7, 90)
    )
    rank_reference: float = param(
        0.0125,
        1e-6,
        1,
        doc="engagement per follower impression at which ranking is neutral",
        source="Rival IQ 2023: median engagement per post per follower, by platform",
        plausible=(0.005, 0.15),
    )
    rank_sensitivity: float = param(
        0.5, 0, 3, doc="elasticity of reach to engagement per impression", plausible=(0.2, 1.5)
    )
    rank_min: float = param(0.2, 0.01, 1, doc="lowest ranking factor", plausible=(0.05, 0.5))
    rank_max: float = param(2.5, 1, 20, doc="highest ranking factor", plausible=(1.5, 5))
    engage_base: float = param(
        0.05,
        0,
        1,
        doc="engagement chance of an impression on a stranger (trust 0) at full quality, fit and "
        "sociability",
        source="calibrated to Rival IQ 2023 median engagement per post",
        plausible=(0.03, 0.9),
    )
    discovery_rate: float = param(
        8.0,
        0,
        1000,
        doc="non-follower impressions per follower engagement (explore surfaces)",
        plausible=(1, 100),  # feeds of followers (Facebook, 8) to For You feeds (TikTok, 60)
    )
    surfacing_rate: float = param(
        0.02,
        0,
        1,
        doc="chance each follower of an engager is shown the post",
        plausible=(0.005, 0.1),
    )
    share_link_rate: float = param(
        0.3, 0, 1, doc="chance each follower of a sharer sees the share", plausible=(0.1, 0.6)
    )
    norms: ContentWeights = Field(
        default_factory=lambda: ContentWeights(value=1.0, story=1.0, promo=1.0, conversation=1.0),
        description="how well each content type suits the platform (value multiplier)",
    )
    unadapted_quality: float = param(
        0.7,
        0,
        1,
        doc="quality multiplier for content not adapted to the platform",
        plausible=(0.4, 0.9),
    )
    limit_counts: Literal["follows", "unfollows", "both"] = Field(
        "both",
        description="what the daily action limit counts: the brand's follows, its unfollows, or "
        "both",
        json_schema_extra={
            "source": "assumption: X/Twitter's rules also forbid aggressive follow churn "
            "(following, then unfollowing, in bulk); decides claims 1-3 (docs/model.md §10)",
            "unit": "",
        },
    )
    follow_limit_per_day: float = param(
        400.0,
        0,
        1e6,
        doc="follow actions per day before spam rules trigger (real accounts)",
        source="X/Twitter rules: 400 follows per day",
        unit="accounts/day",
        plausible=(100, 2000),
    )
    following_ratio_limit: float = param(
        1.1,
        1,
        100,
        doc="following may exceed followers by this ratio beyond the floor",
        source="X/Twitter rules: following/follower ratio above 5,000",
        plausible=(1.05, 1.5),
    )
    following_floor: float = param(
        5000.0,
        0,
        1e9,
        doc="following allowed regardless of ratio",
        unit="accounts",
        plausible=(1000, 10_000),
    )
    restriction_days: int = param(
        14, 0, 365, doc="reach restriction after a spam violation", unit="days", plausible=(0, 30)
    )
    restriction_factor: float = param(
        0.3, 0, 1, doc="reach multiplier while restricted", plausible=(0.1, 0.7)
    )
    cpm: float = param(
        10.0,
        0.1,
        1000,
        doc="price of 1,000 paid impressions of a boosted post",
        unit="money",
        source="assumption; published cost-per-thousand benchmarks for Facebook ads mostly lie "
        "between 5 and 15 US dollars",
        plausible=(3, 30),
    )
    block_days: int = param(
        7,
        0,
        365,
        doc="action block (no outreach) after a violation",
        unit="days",
        plausible=(1, 30),
    )
    fake_purge_rate: float = param(
        0.005,
        0,
        1,
        doc="daily share of fake followers purged",
        unit="1/day",
        plausible=(0.0005, 0.02),
    )


class Graph(Strict):
    """How the follower graph is made: a generator or a real edge list."""

    kind: Literal["scale_free", "sbm", "small_world", "edgelist"] = Field(
        "scale_free", description="generator, or 'edgelist' to load a real graph"
    )
    people: int = param(20000, 2, 50_000_000, doc="people simulated (generators)", unit="people")
    mean_degree: float = param(
        15.0, 0.5, 1000, doc="mean accounts each person follows", plausible=(5, 100)
    )
    clustering: float = param(
        0.3,
        0,
        1,
        doc="triad closure chance (scale-free); rewiring chance is 1 - clustering (small world)",
        source="Holme & Kim 2002",
        plausible=(0.1, 0.6),
    )
    communities: int = param(12, 1, 10000, doc="interest communities")
    within_community: float = param(
        0.8, 0, 1, doc="share of follows inside one's community", plausible=(0.5, 0.95)
    )
    reciprocity: float = param(
        0.2,
        0,
        1,
        doc="share of follows returned",
        source="Kwak et al. 2010: 22% of Twitter links are mutual",
        plausible=(0.1, 0.7),
    )
    in_degree_exponent: float = param(
        2.3,
        2.05,
        4,
        doc="power-law exponent of followers per person (scale-free)",
        source="Kwak, Lee, Park & Moon 2010: about 2.28 on Twitter",
        plausible=(2.1, 3),
    )
    path: str | None = Field(None, description="edge list file (kind = 'edgelist')")
    direction: Literal["undirected", "follows", "flows"] = Field(
        "undirected",
        description="undirected: both ways; follows: 'u v' u follows v; "
        "flows: 'u v' u's posts reach v",
    )
    mixing: Literal["graph", "mean_field"] = Field(
        "graph", description="word of mouth along the graph, or to anyone (Bass limit)"
    )

    reads: ClassVar[dict[str, frozenset[str]]] = {
        "scale_free": frozenset(
            {
                "people",
                "mean_degree",
                "clustering",
                "communities",
                "within_community",
                "reciprocity",
                "in_degree_exponent",
            }
        ),
        "sbm": frozenset(
            {"people", "mean_degree", "communities", "within_community", "reciprocity"}
        ),
        "small_world": frozenset({"people", "mean_degree", "clustering", "communities"}),
        "edgelist": frozenset(),
    }
    """The numeric fields each kind of graph is built from; it ignores the others (an edge
    list is its file)."""

    @model_validator(mode="after")
    def _path_for_edgelist(self) -> Graph:
        if self.kind == "edgelist" and not self.path:
            raise ValueError("graph.path is required when graph.kind = 'edgelist'")
        if self.kind != "edgelist" and self.path:
            raise ValueError(
                f"graph.path is read only when graph.kind = 'edgelist', and kind is "
                f"'{self.kind}' (a generated graph): add kind = \"edgelist\" to run on the file, "
                "or remove path"
            )
        if self.kind != "edgelist" and self.direction != "undirected":
            raise ValueError(
                f"graph.direction says how to read an edge list's lines, and kind is "
                f"'{self.kind}' (a generated graph, whose follows the generator draws): remove "
                'direction, or set kind = "edgelist" and path'
            )
        return self


class Audience(Strict):
    """The people: their graph and the distributions of their traits."""

    name: Name = Field("custom", min_length=1, max_length=80)
    graph: Graph = Field(default_factory=Graph)
    activity_mean: float = param(
        0.5,
        0.01,
        1,
        doc="mean daily chance of being online (1: everyone always online, the validation "
        "configuration of docs/validation.md)",
        source="Pew Research 2024: about 70% of Facebook users visit "
        "daily, fewer on other platforms (0.5 across platforms: assumption)",
        plausible=(0.3, 0.8),
    )
    activity_concentration: float = param(
        1.5,
        0.1,
        100,
        doc="Beta concentration of activity (lower: more heavy-tailed)",
        plausible=(0.5, 5),
    )
    sociability_mean: float = param(
        0.5, 0.01, 0.99, doc="mean tendency to interact", plausible=(0.2, 0.8)
    )
    sociability_concentration: float = param(
        4.0,
        0.1,
        100,
        doc="Beta concentration of sociability (lower: more unequal)",
        plausible=(1, 20),
    )
    promo_tolerance_mean: float = param(
        2.0,
        0.1,
        20,
        doc="mean fatigue a person tolerates before muting or unfollowing",
        plausible=(1, 5),
    )
    promo_tolerance_shape: float = param(
        2.0,
        0.5,
        50,
        doc="Gamma shape of tolerance (above 1: skewed, and hardly anyone tolerates nothing)",
        plausible=(1, 5),
    )
    fit_homophily: float = param(
        0.6,
        0,
        1,
        doc="how much fit follows one's neighbours (0 independent, 1 fully smoothed)",
        source="McPherson, Smith-Lovin & Cook 2001 on homophily",
        plausible=(0.3, 0.9),
    )
    fit_concentration: float = param(
        4.0, 0.5, 100, doc="Beta concentration of brand fit", plausible=(1, 20)
    )
    fit_smoothing_rounds: int = param(
        2,
        0,
        10,
        doc="rounds of averaging over neighbours that spread fit along the graph",
        plausible=(0, 5),
    )


class Behavior(Strict):
    """How people respond: salience, trust, fatigue, engagement, word of mouth, churn."""

    salience_half_life: float = param(
        80.0,
        7,
        1e6,
        doc="half-life of brand salience (far above the horizon means never forgotten, as in "
        "the Bass validation configuration)",
        unit="days",
        source="Leone 1995; Clarke 1976: advertising carryover lasts months",
        plausible=(30, 180),
    )
    forgetting_floor: float = param(
        0.02, 1e-4, 0.5, doc="salience below which it is 0", plausible=(0.005, 0.1)
    )
    exposure_salience: float = param(
        0.1, 0, 1, doc="share of the gap to 1 closed per exposure", plausible=(0.03, 0.3)
    )
    trust_half_life: float = param(
        365.0,
        7,
        1e6,
        doc="half-life of trust after the grace period (far above the horizon means no decay, "
        "as in the Bass validation configuration)",
        unit="days",
        plausible=(90, 1825),
    )
    trust_grace_days: float = param(
        60.0,
        0,
        365,
        doc="days after a two-way contact before trust decays",
        unit="days",
        plausible=(0, 180),
    )
    content_trust: float = param(
        0.03, 0, 1, doc="trust gained per impression of full-value content", plausible=(0.01, 0.1)
    )
    reply_trust: float = param(
        0.3,
        0,
        1,
        doc="share of the gap to 1 closed by a reply (reciprocity)",
        source="Sprout Social Index 2020; Gouldner 1960",
        plausible=(0.05, 0.6),
    )
    ignored_trust: float = param(
        0.03, 0, 1, doc="share of trust lost when a comment is ignored", plausible=(0, 0.1)
    )
    wrong_answer_trust: float = param(
        0.15,
        0,
        1,
        doc="share of trust lost on an answer that backfires: a wrong answer or an argument",
        plausible=(0.05, 0.4),
    )
    wrong_answer_reprisal: float = param(
        0.5,
        0,
        1,
        doc="chance a wrong answer or an argument draws a reprisal: the person complains in "
        "comments",
        source="assumption, as complaint_chance; the seed articles: answers that bypass the "
        "right department often draw reprisals",
        plausible=(0.1, 0.8),
    )
    question_share: float = param(
        0.2, 0, 1, doc="share of comments that need another department", plausible=(0.05, 0.4)
    )
    fatigue_half_life: float = param(
        14.0, 1, 365, doc="half-life of fatigue", unit="days", plausible=(3, 60)
    )
    engagement_trust_offset: float = param(
        0.5,
        0.05,
        10,
        doc="the engagement chance grows with trust T as (offset + T) / offset: 0.5 makes full "
        "trust triple a stranger's chance",
        plausible=(0.2, 2),
    )
    promo_fatigue: float = param(
        0.35,
        0,
        10,
        doc="fatigue per promotional impression",
        source="Sprout Social Index 2016: 46% unfollow brands for too many promotional posts",
        plausible=(0.1, 1),
    )
    irrelevance_fatigue: float = param(
        0.3,
        0,
        10,
        doc="fatigue per impression times (1 - fit)",
        source="Sprout Social Index 2016: 41% unfollow for irrelevant content",
        plausible=(0.1, 1),
    )
    volume_fatigue: float = param(
        0.25,
        0,
        10,
        doc="fatigue per extra post seen the same day",
        source="Sprout Social Index 2016: 35% unfollow brands that post too often",
        plausible=(0.05, 1),
    )
    unfollow_given_fatigue: float = param(
        0.5,
        0,
        1,
        doc="chance fatigue past tolerance ends in an unfollow rather than a mute",
        plausible=(0.2, 0.8),
    )
    content_value: ContentValue = Field(
        default_factory=ContentValue,
        description="value of each content type to a fitting viewer (Lee, Hosanagar & Nair 2018)",
    )
    content_engagement: ContentEngagement = Field(
        default_factory=ContentEngagement,
        description="engagement multiplier per type (Lee, Hosanagar & Nair 2018: emotional and "
        "humorous content raises engagement; price and deal content alone lowers it)",
    )
    content_comment: ContentComment = Field(
        default_factory=ContentComment,
        description="share of engagements that are comments (de Vries, Gensler & Leeflang 2012: "
        "questions raise comments)",
    )
    content_share: ContentShare = Field(
        default_factory=ContentShare,
        description="share of engagements that are shares (Berger & Milkman 2012: emotional "
        "content is shared more)",
    )
    automation_quality: float = param(
        0.5, 0, 1, doc="quality lost by a fully automated post", plausible=(0.2, 0.8)
    )
    formal_quality: float = param(
        0.3,
        0,
        1,
        doc="quality lost by a post in an entirely formal, impersonal voice",
        source="Kelleher 2009: a conversational human voice goes with more trust and "
        "satisfaction; the size is an assumption",
        plausible=(0.1, 0.6),
    )
    quality_half_hours: float = param(
        0.5,
        0.01,
        10,
        doc="hours per post at which quality is half its maximum",
        unit="hours",
        plausible=(0.1, 2),
    )
    automation_hours: float = param(
        0.1, 0, 1, doc="share of hours an automated post still needs", plausible=(0.02, 0.3)
    )
    reply_hours: float = param(
        0.05,
        0,
        4,
        doc="staff hours per reply to one real comment",
        unit="hours",
        plausible=(0.02, 0.25),
    )
    follow_hours: float = param(
        0.005,
        0,
        1,
        doc="staff hours per account followed in outreach",
        unit="hours",
        plausible=(0.001, 0.02),
    )
    follow_base: float = param(
        0.08,
        0,
        1,
        doc="follow chance of a non-follower seeing a full-value post at full fit",
        plausible=(0.02, 0.2),
    )
    social_proof: float = param(
        2.0,
        0,
        20,
        doc="follow chance multiplier per share of one's followees already following",
        source="Centola 2010",
        plausible=(0.5, 5),
    )
    max_hops: int = param(
        4,
        0,
        10_000,
        doc="share cascade hops (a limit of at least people - 1 never binds: the independent "
        "cascade of the validation configuration)",
        plausible=(2, 10),
    )
    advocate_threshold: float = param(
        0.6,
        0,
        1,
        doc="trust above which a person is an advocate",
        source="Reichheld 2003: only promoters (9-10 of 10) recommend; where trust meets that "
        "scale is an assumption",
        plausible=(0.4, 0.8),
    )
    advocacy_rate: float = param(
        0.02,
        0,
        1,
        doc="daily chance an advocate recommends the brand",
        unit="1/day",
        source="Goldenberg, Libai & Muller 2001",
        plausible=(0.002, 0.08),
    )
    recommendation_reach: float = param(
        0.2,
        0,
        1,
        doc="chance each follower of an advocate hears a recommendation",
        plausible=(0.05, 0.5),
    )
    trust_transfer: float = param(
        0.3, 0, 1, doc="share of the advocate's trust passed on", plausible=(0.1, 0.6)
    )
    recommendation_salience: float = param(
        0.3, 0, 1, doc="share of the salience gap closed by a recommendation", plausible=(0.1, 0.6)
    )
    recommendation_follow: float = param(
        0.1, 0, 1, doc="follow chance after a recommendation at full fit", plausible=(0.02, 0.3)
    )
    prune_rate: float = param(
        0.0003,
        0,
        1,
        doc="daily unfollow hazard at zero fit and trust",
        unit="1/day",
        source="Kwak, Chun & Moon 2011 (CHI): people unfollow accounts that give them little",
        plausible=(0.0001, 0.002),
    )
    mutual_prune: float = param(
        0.3,
        0,
        1,
        doc="pruning multiplier when the brand follows back",
        source="Kwak, Chun & Moon 2011 (CHI): reciprocated ties are dropped less (the value: "
        "assumption)",
        plausible=(0.1, 0.7),
    )
    dropout_rate: float = param(
        0.002,
        0,
        1,
        doc="daily unfollow hazard once the brand has gone silent",
        unit="1/day",
        plausible=(0.0005, 0.01),
    )
    silence_days: int = param(
        14,
        1,
        365,
        doc="days without a post before followers notice",
        unit="days",
        plausible=(7, 60),
    )
    outreach_salience: float = param(
        0.2, 0, 1, doc="share of the salience gap closed by being followed", plausible=(0.05, 0.4)
    )
    spam_fit: float = param(
        0.3,
        0,
        1,
        doc="fit below which a follow from an unknown brand looks like spam",
        plausible=(0.1, 0.5),
    )
    spam_fatigue: float = param(
        1.0, 0, 10, doc="fatigue from a spam-like follow", plausible=(0.3, 3)
    )
    block_chance: float = param(
        0.1, 0, 1, doc="chance a spam-like follow is blocked", plausible=(0.01, 0.3)
    )
    follow_back: float = param(
        0.3,
        0,
        1,
        doc="follow-back chance at full sociability",
        source="Kwak et al. 2010: reciprocity on Twitter",
        plausible=(0.1, 0.5),
    )
    gaffe_chance: float = param(
        0.01, 0, 1, doc="chance an unreviewed post is a gaffe", plausible=(0.001, 0.05)
    )
    incident_rate: float = param(
        0.003,
        0,
        1,
        doc="daily chance of an account incident without a policy",
        unit="1/day",
        plausible=(0.0005, 0.01),
    )
    incident_trust: float = param(
        0.2,
        0,
        1,
        doc="share of trust lost by a viewer of a gaffe or incident",
        plausible=(0.05, 0.5),
    )

    @field_validator(
        "content_value", "content_engagement", "content_comment", "content_share", mode="before"
    )
    @classmethod
    def _weights_as_given(cls, weights: Any) -> Any:
        """Plain ``ContentWeights`` (every type as given, 0 where unset) are taken as the table's
        own kind, as they were before each table had one."""
        if type(weights) is ContentWeights:
            return weights.model_dump()
        return weights


class Market(Strict):
    """Money and purchases: scale, price, margin and conversion."""

    scale: float = param(
        10.0, 1, 1e6, doc="real people per simulated person", unit="people", plausible=(2.5, 40)
    )
    price: float = param(60.0, 0, 1e6, doc="revenue per purchase", unit="money", plausible=(5, 500))
    margin: float = param(0.5, 0, 1, doc="gross margin", plausible=(0.2, 0.8))
    conversion: float = param(
        0.004,
        0,
        1,
        doc="daily purchase chance at full fit, salience and trust",
        unit="1/day",
        plausible=(0.001, 0.02),
    )
    no_relationship: float = param(
        0.1,
        0,
        1,
        doc="eps: buying without any relationship (added to trust)",
        plausible=(0.02, 0.5),
    )
    promo_nudge: float = param(
        0.005,
        0,
        1,
        doc="purchase chance on a day a promo was seen, times fit and trust",
        plausible=(0.001, 0.02),
    )
    repeat_factor: float = param(
        1.5,
        0,
        10,
        doc="purchase multiplier for existing customers",
        source="Sprout Social 2019: 57% of connected customers spend more",
        plausible=(1, 3),
    )
    fake_follower_price: float = param(
        0.015, 0, 100, doc="price of one bought follower", unit="money", plausible=(0.005, 0.1)
    )
    satisfaction_mean: float = param(
        0.75,
        0.01,
        0.99,
        doc="mean purchase satisfaction",
        source="Anderson 1998; ACSI scores around 75 of 100",
        plausible=(0.6, 0.9),
    )
    satisfaction_concentration: float = param(
        6.0, 0.1, 1000, doc="Beta concentration of satisfaction", plausible=(2, 20)
    )
    satisfaction_threshold: float = param(
        0.5,
        0,
        1,
        doc="satisfaction from which a customer is satisfied (below: unhappy, may complain)",
        plausible=(0.3, 0.7),
    )
    satisfied_trust: float = param(
        0.25,
        0,
        1,
        doc="share of the trust gap closed by a satisfied purchase",
        plausible=(0.05, 0.5),
    )
    unhappy_trust: float = param(
        0.3, 0, 1, doc="share of trust lost by an unhappy purchase", plausible=(0.1, 0.6)
    )
    complaint_chance: float = param(
        0.5, 0, 1, doc="chance an unhappy customer complains in comments", plausible=(0.1, 0.7)
    )


class Scenario(Strict):
    """A world to simulate: audience, platforms, brands and their strategies, horizon, seed."""

    name: Name = Field("scenario", min_length=1, max_length=80)
    description: str = Field("", max_length=2000)
    seed: int = Field(42, ge=0, le=2**63 - 1, description="scenario seed")
    days: int = Field(730, ge=1, le=36500, description="horizon in days")
    audience: Audience = Field(default_factory=Audience)
    platforms: list[Platform] = Field(
        default_factory=lambda: [Platform()], min_length=1, max_length=8
    )
    brands: list[Brand] = Field(default_factory=lambda: [Brand()], min_length=1, max_length=8)
    behavior: Behavior = Field(default_factory=Behavior)
    market: Market = Field(default_factory=Market)

    @field_validator("brands")
    @classmethod
    def _unique_brand_names(cls, brands: list[Brand]) -> list[Brand]:
        """Results are kept by brand name, so two brands of one name would be merged."""
        names = [brand.name for brand in brands]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(
                f"brand names must be unique; repeated: {', '.join(repeated)} (give each brand "
                "its own name)"
            )
        return brands

    @model_validator(mode="after")
    def _brands_on_known_platforms(self) -> Scenario:
        known = [platform.name for platform in self.platforms]
        if len(set(known)) != len(known):
            raise ValueError(f"platform names must be unique, got {known}")
        for brand in self.brands:
            unknown = [name for name in brand.strategy.platforms if name not in known]
            if unknown:
                raise ValueError(
                    f"brand {brand.name!r} uses platform(s) {unknown} not in this scenario; "
                    f"allowed: {known}"
                )
        return self


class Comparison(Strict):
    """A scenario plus the strategies to compare on it (each replaces the first brand's)."""

    file_keys: ClassVar[tuple[str, ...]] = ("days",)
    """Keys a comparison file may hold besides the fields (``days`` sets the scenario's)."""

    name: Name = Field("comparison", min_length=1, max_length=80)
    description: str = Field("", max_length=500, description="one line on what it shows")
    scenario: Scenario = Field(default_factory=Scenario)
    strategies: Annotated[list[Strategy], Field(min_length=1, max_length=24)]
    seeds: int = Field(5, ge=1, le=1000, description="seeds per strategy")

    @field_validator("strategies")
    @classmethod
    def _unique_strategies(cls, strategies: list[Strategy]) -> list[Strategy]:
        return unique_strategies(strategies)


def unique_strategies(strategies: list[Strategy]) -> list[Strategy]:
    """``strategies`` if their names differ: results are kept by strategy name, so two of the
    same name would be reported as one."""
    if twice := repeated(strategy.name for strategy in strategies):
        raise ValueError(
            f"strategy names must be unique; repeated: {', '.join(twice)} (give a variant its "
            f'own name, e.g. {{ preset = "{twice[0]}", name = "{twice[0]}_variant", ... }})'
        )
    return strategies
