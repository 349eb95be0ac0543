"""What a tracked person's history records, and the words both engines record it in."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from sim.engines.day import (
    COMPLAINT_POST,
    HOP_CASCADE,
    HOP_DISCOVERY,
    HOP_FEED,
    HOP_PAID,
    HOP_SURFACING,
    REPRISAL_POST,
)
from sim.schema import CONTENT_TYPES, Platform
from sim.strategy import INCIDENT_POST, Post

__all__ = [
    "DROPPED_OUT",
    "EVENTS",
    "PRUNED",
    "Event",
    "History",
    "channel_name",
    "outreach_events",
    "post_label",
    "purchase_detail",
    "reply_event",
]


EVENTS = {
    "saw_post": "saw a post (detail: which, on which platform, through which channel)",
    "engaged": "liked or shared a post",
    "commented": "commented on a post",
    "got_reply": "the brand answered a comment (rightly or wrongly)",
    "comment_ignored": "a comment went unanswered",
    "reprisal": "complained in comments about a wrong answer (detail: platform)",
    "muted": "muted the brand (fatigue above tolerance)",
    "unfollowed": "stopped following the brand (detail: cause)",
    "followed": "started following the brand (detail: platform and what led to it)",
    "recommended": "recommended the brand to followers (an advocate)",
    "heard_recommendation": "heard a recommendation from an advocate",
    "followed_by_brand": "the brand followed the person (outreach)",
    "unfollowed_by_brand": "the brand dropped the person after no follow-back",
    "blocked": "blocked the brand",
    "bought": "bought (detail: satisfied or unhappy)",
}
"""What a tracked person's history records, as (day, brand, event, detail)."""


class Event(NamedTuple):
    """One entry of a tracked person's history."""

    day: int
    brand: str
    event: str
    detail: str


class History:
    """The last ``size`` events that touched each tracked person (identical in both engines).

    Empty (falsy) when nobody is tracked, so an engine's hooks cost one truth test per phase.
    """

    def __init__(self, n: int, tracked: Iterable[int] = (), size: int = 50) -> None:
        ids = sorted({int(person) for person in tracked})
        if ids and (ids[0] < 0 or ids[-1] >= n):
            raise ValueError(f"tracked people must lie in 0..{n - 1}")
        self.log: dict[int, deque[Event]] = {person: deque(maxlen=size) for person in ids}
        self.mask = np.zeros(n if ids else 0, dtype=bool)
        self.mask[ids] = True

    def __bool__(self) -> bool:
        return bool(self.log)

    def among(self, people: np.ndarray) -> np.ndarray:
        """Positions in ``people`` of the tracked ones, in order."""
        return np.flatnonzero(self.mask[people])

    def add(self, person: int, day: int, brand: str, event: str, detail: str = "") -> None:
        """Record one event of a tracked person (others are ignored)."""
        memory = self.log.get(int(person))
        if memory is not None:
            memory.append(Event(int(day), brand, event, detail))

    def record(
        self, people: np.ndarray, day: int, brand: str, event: str, detail: str = ""
    ) -> None:
        """Record the same event for every tracked person among ``people``."""
        for position in self.among(people):
            self.add(people[position], day, brand, event, detail)

    def events(self, person: int) -> list[Event]:
        """A tracked person's events, oldest first (a KeyError that says so for someone not
        tracked)."""
        memory = self.log.get(int(person))
        if memory is None:
            raise KeyError(
                f"person {person} is not tracked; build the model with tracked=[...] naming them"
                f" (tracked now: {len(self.log)})"
            )
        return list(memory)


def channel_name(hop: int) -> str:
    """How a viewer came to see a post, from the response key's hop field."""
    if hop == HOP_FEED:
        return "feed"
    if hop == HOP_DISCOVERY:
        return "discovery"
    if hop == HOP_SURFACING:
        return "surfacing"
    if hop == HOP_PAID:
        return "paid"
    return f"share, hop {hop - HOP_CASCADE}"


def post_label(post: Post, platform: str) -> str:
    """A post as a history detail: its type (or incident), number and platform."""
    if post.number == INCIDENT_POST:
        return f"account incident on {platform}"
    gaffe = " (gaffe)" if post.gaffe else ""
    return f"{CONTENT_TYPES[post.content]} post {post.number}{gaffe} on {platform}"


def reply_event(answered: bool, wrong: bool, argued: bool, post_key: int) -> tuple[str, str]:
    """(event, detail) of a tracked person's comment after listening."""
    label = {COMPLAINT_POST: "complaint", REPRISAL_POST: "reprisal"}.get(post_key, "comment")
    if not answered:
        return "comment_ignored", label
    kinds = [kind for kind, happened in (("wrong", wrong), ("argumentative", argued)) if happened]
    return "got_reply", f"{' and '.join(kinds)} answer to a {label}".lstrip()


def outreach_events(
    spam: bool, block: bool, follow_back: bool, platform: Platform
) -> list[tuple[str, str]]:
    """(event, detail) pairs of a tracked person the brand just followed."""
    events = [("followed_by_brand", "looked like spam" if spam else "noticed")]
    if block:
        events.append(("blocked", "spam-like follow"))
    if follow_back:
        events.append(("followed", f"on {platform.name}: follow-back"))
    return events


PRUNED = "pruned: the brand gave them nothing"
DROPPED_OUT = "the brand went silent"


def purchase_detail(happy: bool, complained: bool) -> str:
    """A purchase as a history detail."""
    if happy:
        return "satisfied"
    return "unhappy, complained" if complained else "unhappy"
