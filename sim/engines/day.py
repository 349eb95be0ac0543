"""The order of a day (docs/model.md section 2), once, for both engines.

An engine supplies the phases (exposure and response, listening, cascade, word of mouth,
outreach, churn, conversion, metrics) over its own representation of the audience: arrays in
``VectorEngine``, Mesa agents in ``AgentEngine``. Because both run this one ``step``, they cannot
drift apart in the order of events, which the docking test relies on.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.metrics import FLOWS
from sim.schema import CONTENT_TYPES
from sim.strategy import BrandAgent, Post

__all__ = ["DayOrder"]


class DayOrder:
    """``step(day)``: one day in the spec's order; the phases are the engine's methods."""

    brands: list[BrandAgent]

    def step(self, day: int) -> list[dict]:
        """One day in the spec's order; returns one metrics row per brand."""
        rows = [self._new_row(brand) for brand in self.brands]
        for brand in self.brands:
            self._start_day(brand, day)
        plans = [brand.plan(day) for brand in self.brands]  # 1. brand plans
        results = [np.zeros((2, len(CONTENT_TYPES))) for _ in self.brands]
        shares: list[list[tuple[Post, Any, Any]]] = [[] for _ in self.brands]
        for brand, plan, row in zip(self.brands, plans, rows, strict=True):
            today = self._new_comments()
            for post in plan.posts:  # 2.-3. exposure and response, three passes
                sharers, viewers = self._expose_post(
                    brand, post, plan.posts_on(post.platform), day, row, today, results[brand.index]
                )
                shares[brand.index].append((post, sharers, viewers))
            self._listen(brand, plan, day, row, today)  # 4. listening
            for post, sharers, viewers in shares[brand.index]:  # 5. share cascade
                self._cascade(brand, post, sharers, viewers, day, row, results[brand.index])
            self._advocacy(brand, day, row)  # 6. word of mouth
            self._outreach(brand, plan, day, row)  # 7. outreach
            self._churn(brand, day, row)  # 8. pruning and dropout
        self._conversion(day, rows, results)  # 9. purchases (brands compete for each purchase)
        for brand, plan, row in zip(self.brands, plans, rows, strict=True):
            self._metrics(brand, plan, day, row)  # 11. metrics (10. incidents: in exposure)
            brand.learn(day, row, plan, results[brand.index])  # 12. learn and decide
        return rows

    @staticmethod
    def _new_row(brand: BrandAgent) -> dict:
        """The day's metrics row of ``brand``: every flow at zero."""
        row = dict.fromkeys(FLOWS, 0.0)
        row["brand"] = brand.name
        return row
