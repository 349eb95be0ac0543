"""What people outside a brand's known set still hold: their equity and their advocates.

A person who has forgotten a brand and does not follow it leaves its known set at the start of a
day (docs/model.md §2). Their trust is kept as of that day and decays lazily, so it is still
there, fading, until they return, and the spec's equity (the sum over *people* of trust x fit)
and advocates (people with trust above the threshold) count it. The engines visit only the
known set, so each keeps an `OutsideLedger` per brand that adds what the outsiders hold without
visiting them:

- **equity**: when a person leaves, their fit x trust is added to a bucket keyed by the day
  their trust starts to decay, g = max(the day they left, last touch + grace)
  (``behavior.trust_decay_days``): the day they left, or, for someone still in their grace
  period, their last touch + grace, so two buckets per day of the run; the outsiders' equity on
  day t is the sum over buckets of S_g x ``behavior.decay_factor``(max(0, t - g)) (the factors,
  by days of decay, are computed once), work in proportion to the days run, never a pass over
  the people;
- **advocates**: a leaver with trust above the threshold stays an advocate until the first day
  their decayed trust (``behavior.decayed_trust``, the value a return would give them) is no
  longer above it; they are counted in a bucket keyed by that day.

When a person returns (any phase that touches someone outside the known set brings them up to
date first), their stored trust, the day it is of, their last touch and fit are what they were
when they left (nothing writes an outsider's state without touching them), so the same entry is
computed again and taken out. Amounts are kept in fixed point (integers of 2^-36), so taking
out is exact and the ledger does not depend on the order in which people leave or return: both
engines hold the same ledger as long as the same people leave and return on the same days.
People who leave with no trust hold nothing: the engines book only those with trust above 0.
"""

from __future__ import annotations

import numpy as np

from sim import behavior

__all__ = ["FIXED_POINT", "OutsideLedger"]

FIXED_POINT = 2.0**36
"""Units of equity per 1 of trust x fit. Each person's amount is at most 2^36 and a bucket holds
at most 50 million people (the schema's limit), so a bucket's sum stays below 2^62."""


class OutsideLedger:
    """The equity and advocates of one brand's outsiders, by the day their trust starts to
    decay and the day they stop being advocates (see the module's description).

    ``grace``, ``half_life``: trust's grace period and half-life; ``threshold``: the advocate
    threshold. `leave` and `rejoin` take the people's stored trust, the day it is of (a day of
    the run, 0 or later), their last touch and their fit (arrays, any order).

    ``amounts[0, k]`` holds the fixed-point trust x fit of those who left on day k past their
    grace period (their trust decays from k), ``amounts[1, k]`` of those who left within it and
    were last touched on day k (it decays from k + grace). ``expiries`` (sorted) and
    ``advocate_counts`` count the outside advocates by the first day they are no longer one.
    """

    def __init__(self, grace: float, half_life: float, threshold: float) -> None:
        self.grace = grace
        self.half_life = half_life
        self.threshold = threshold
        self.amounts = np.zeros((2, 0), dtype=np.int64)
        self.expiries = np.zeros(0, dtype=np.int64)
        self.advocate_counts = np.zeros(0, dtype=np.int64)
        # decay factors by days since a column's day: row 0 from that day, row 1 after grace
        self._factors = np.zeros((2, 0))

    def leave(self, trust, synced_day, last_touch, fit) -> None:
        """People who left the known set, with trust as of ``synced_day``."""
        self._book(1, trust, synced_day, last_touch, fit)

    def rejoin(self, trust, synced_day, last_touch, fit) -> None:
        """People back in the known set, with the stored values they left with (before any
        update of today): their entries are taken out exactly."""
        self._book(-1, trust, synced_day, last_touch, fit)

    def equity(self, day: int) -> float:
        """The outsiders' sum of trust x fit on ``day``, their trust decayed to it."""
        columns = self.amounts.shape[1]
        if columns == 0:
            return 0.0
        past = min(columns, day + 1)  # later columns have not started to decay
        if self._factors.shape[1] <= day:
            self._grow_factors(day + 1)
        factors = self._factors[:, day::-1][:, :past]  # column k: day - k days of decay
        total = (self.amounts[:, :past] * factors).sum()
        if columns > past:
            total += self.amounts[:, past:].sum()
        return float(total / FIXED_POINT)

    def advocates(self, day: int) -> int:
        """Outsiders whose trust decayed to ``day`` is above the advocate threshold."""
        if self.expiries.size == 0:
            return 0
        first = np.searchsorted(self.expiries, day, side="right")
        return int(self.advocate_counts[first:].sum())

    # --- bookkeeping ---------------------------------------------------------------------
    def _book(self, sign: int, trust, synced_day, last_touch, fit) -> None:
        trust = np.asarray(trust, dtype=np.float64)
        if trust.size == 0:
            return
        synced_day = np.asarray(synced_day, dtype=np.int64)
        last_touch = np.asarray(last_touch, dtype=np.int64)
        amount = np.rint(trust * np.asarray(fit, dtype=np.float64) * FIXED_POINT).astype(np.int64)
        graced = last_touch + self.grace > synced_day
        where = (graced.astype(np.int64), np.where(graced, last_touch, synced_day))
        if self.amounts.shape[1] <= (last := int(where[1].max())):
            self.amounts = _widened(self.amounts, last + 1)
        np.add.at(self.amounts, where, sign * amount)
        if sign < 0 and self.amounts[where].min() < 0:
            np.add.at(self.amounts, where, amount)  # as it was
            raise ValueError("an outsider returned with more trust than was booked")
        above = trust > self.threshold
        if above.any():
            expiry = self._expiry(trust[above], synced_day[above], last_touch[above])
            self._count_advocates(sign, expiry)

    def _grow_factors(self, days: int) -> None:
        """Decay factors for 0 to at least ``days`` - 1 days (doubling)."""
        days = max(days, 2 * self._factors.shape[1])
        elapsed = np.arange(self._factors.shape[1], days, dtype=np.float64)
        more = behavior.decay_factor(
            np.stack([elapsed, np.maximum(0.0, elapsed - self.grace)]), self.half_life
        )
        self._factors = np.concatenate([self._factors, more], axis=1)

    def _count_advocates(self, sign: int, expiry: np.ndarray) -> None:
        """Book advocates in (``sign`` 1) or out (-1) by the day they stop being one."""
        days, counts = np.unique(expiry, return_counts=True)
        merged = np.union1d(self.expiries, days)
        if merged.size != self.expiries.size:
            if sign < 0:
                raise ValueError("an outside advocate returned who was not booked")
            totals = np.zeros(merged.size, dtype=np.int64)
            totals[np.searchsorted(merged, self.expiries)] = self.advocate_counts
        else:
            totals = self.advocate_counts.copy()
        totals[np.searchsorted(merged, days)] += sign * counts
        if (totals < 0).any():
            raise ValueError("more outside advocates returned than were booked")
        kept = totals > 0
        self.expiries, self.advocate_counts = merged[kept], totals[kept]

    def _still_advocate(self, trust, synced_day, last_touch, day) -> np.ndarray:
        decayed = behavior.decayed_trust(
            trust, synced_day, last_touch, day, self.grace, self.half_life
        )
        return decayed > self.threshold

    def _expiry(self, trust, synced_day, last_touch) -> np.ndarray:
        """The first whole day on which each advocate's decayed trust is no longer above the
        threshold (after ``synced_day``, on which it is): estimated from the logarithm, then
        settled by bisection on the very formula a return would apply."""
        start = behavior.trust_decay_start(synced_day, last_touch, self.grace)
        with np.errstate(divide="ignore"):
            halvings = np.log2(trust / self.threshold) if self.threshold > 0 else np.inf
        # past 1,100 half-lives any trust in [0, 1] has decayed to 0 (2^-1100 underflows)
        halvings = np.minimum(halvings, 1100.0)
        guess = np.floor(start + self.half_life * halvings)
        low = np.maximum(synced_day, guess - 1)  # an advocate that day
        high = np.maximum(low + 1, guess + 2)  # no longer one
        low = np.where(self._still_advocate(trust, synced_day, last_touch, low), low, synced_day)
        far = np.ceil(start + self.half_life * 1100.0) + 1
        high = np.where(self._still_advocate(trust, synced_day, last_touch, high), far, high)
        while (wide := high - low > 1).any():
            middle = np.floor((low + high) / 2)
            above = self._still_advocate(trust, synced_day, last_touch, middle)
            low = np.where(wide & above, middle, low)
            high = np.where(wide & ~above, middle, high)
        return high.astype(np.int64)


def _widened(amounts: np.ndarray, columns: int) -> np.ndarray:
    """``amounts`` with at least ``columns`` columns (doubling), the new ones 0."""
    columns = max(columns, 2 * amounts.shape[1])
    wider = np.zeros((amounts.shape[0], columns), dtype=amounts.dtype)
    wider[:, : amounts.shape[1]] = amounts
    return wider
