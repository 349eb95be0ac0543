"""What a page's controls choose, turned into schema objects: strategies, audiences, comparisons.

A comparison built here is the one ``longgame compare`` builds for the same choices: the shipped
``base`` scenario with its first brand's strategy replaced, the audience and horizon replaced, on
``seeds`` seeds. Its TOML (``sim.toml_text.dump_toml``) therefore reproduces the app's numbers with
``longgame compare FILE.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, get_args

from sim.audience import people_in
from sim.audience.edgelist import SHIPPED_GRAPHS, shipped_direction
from sim.errors import ScenarioError
from sim.loading import (
    audience_from_dict,
    list_presets,
    load_scenario,
    platform_problem,
    shipped_graph,
    strategy_from_dict,
)
from sim.runner import with_audience
from sim.schema import Audience, Comparison, Graph, Platform, Scenario, Strategy
from sim.text import comparison_name, plural

__all__ = [
    "AudienceChoice",
    "GENERATORS",
    "audience_for",
    "comparison_for",
    "platforms",
    "platform_mismatch",
    "scenario_for",
    "strategy_names",
    "resolve_strategy",
    "preset_strategies",
    "preset_audiences",
    "real_graphs",
    "small_market_note",
]

AudienceKind = Literal["preset", "generated", "real"]
GENERATORS: tuple[str, ...] = tuple(
    kind for kind in get_args(Graph.model_fields["kind"].annotation) if kind != "edgelist"
)
"""Graph generators a page can choose (every ``Graph.kind`` except ``edgelist``)."""


@dataclass(frozen=True)
class AudienceChoice:
    """An audience as the Compare page chooses it: a preset, a generated graph or a real one."""

    kind: AudienceKind = "preset"
    preset: str = "small"
    generator: str = "scale_free"
    people: int = 2000
    graph: str = "facebook_combined"

    def label(self) -> str:
        """A short name for the audience (used as ``Audience.name``)."""
        if self.kind == "preset":
            return self.preset
        if self.kind == "generated":
            return f"{self.generator}_{self.people}"
        return self.graph


@cache
def preset_strategies() -> tuple[tuple[str, str], ...]:
    """(name, description) of the shipped strategies."""
    return tuple(list_presets("strategy"))


@cache
def preset_audiences() -> tuple[tuple[str, str], ...]:
    """(name, description) of the shipped audiences."""
    return tuple(list_presets("audience"))


def real_graphs() -> list[str]:
    """Short names of the real graphs shipped in ``data/graphs/``."""
    return list(SHIPPED_GRAPHS)


@cache
def _base() -> Scenario:
    return load_scenario("base")


def audience_for(choice: AudienceChoice) -> Audience:
    """The audience a choice names (shipped graphs by file name, so a TOML export is portable).

    A preset or real graph that is not shipped (a path, say) raises ``ScenarioError``."""
    if choice.kind == "preset":
        return _preset_audience(choice.preset)
    if choice.kind == "generated":
        graph = Graph(kind=choice.generator, people=choice.people)
    else:
        path = shipped_graph(choice.graph)
        graph = Graph(kind="edgelist", path=path.name, direction=shipped_direction(path))
    return Audience(name=choice.label(), graph=graph)


def small_market_note(choice: AudienceChoice) -> str:
    """A caution for an audience smaller than the base scenario's, the one the model is
    calibrated on and its main lessons are checked on (docs/model.md, section 10); or ''."""
    calibrated = people_in(_base().audience.graph)
    try:
        people = people_in(audience_for(choice).graph)
    except ScenarioError:
        return ""
    if people >= calibrated:
        return ""
    return (
        f"A small market: {people:,} people, against the {calibrated:,} the model is calibrated "
        "on. The brand starts with few followers and little happens in a few months, so the "
        "strategies differ less, and some of the main lessons do not hold."
    )


def scenario_for(audience: Audience, days: int) -> Scenario:
    """The ``base`` scenario on ``audience`` over ``days`` days, its brand followed by the same
    share of the people as on its own audience (as ``longgame compare --audience``), described
    as run (the base scenario's own description names its default audience and horizon)."""
    base = Scenario.model_validate({**_base().model_dump(), "days": days})
    scenario = with_audience(base, audience)
    return scenario.model_copy(update={"description": _description(scenario)})


def _description(scenario: Scenario) -> str:
    """What a page runs, in a line: "One brand on the small audience (2,000 people), ..."."""
    return (
        f"{plural(len(scenario.brands), 'brand')} on the {scenario.audience.name} "
        f"audience ({scenario.audience.graph.people:,} people), "
        f"{plural(len(scenario.platforms), 'platform')}, {plural(scenario.days, 'day')} "
        "(the base scenario as the web app ran it)"
    )


def comparison_for(
    strategies: list[Strategy], audience: Audience, days: int, seeds: int
) -> Comparison:
    """The comparison of ``strategies`` that ``longgame compare`` runs for the same choices."""
    name = comparison_name([strategy.name for strategy in strategies])
    return Comparison(
        name=name, scenario=scenario_for(audience, days), strategies=strategies, seeds=seeds
    )


def platforms() -> list[Platform]:
    """The platforms of every scenario the pages run (the ``base`` scenario's)."""
    return _base().platforms


def platform_mismatch(strategies: Sequence[Strategy]) -> str:
    """Why ``strategies`` cannot run on the pages' scenario, as the CLI says it (a platform the
    scenario does not have), or ''."""
    problem = platform_problem(platforms(), [((s.name,), s) for s in strategies])
    if problem is None:
        return ""
    (name, *_), _, message = problem
    return f"{name}: {message}"


def strategy_names(custom: dict[str, Strategy]) -> list[str]:
    """Names a strategy select offers: the presets, then the session's custom strategies."""
    return [name for name, _ in preset_strategies()] + sorted(custom)


def resolve_strategy(name: str, custom: dict[str, Strategy]) -> Strategy:
    """A custom strategy of the session by name, else the shipped preset."""
    if name in custom:
        return custom[name]
    return _preset(name)


@cache
def _preset(name: str) -> Strategy:
    """A shipped strategy, loaded as a web upload is: shipped names only, never a path."""
    return strategy_from_dict({"preset": name}, source="<web>")


@cache
def _preset_audience(name: str) -> Audience:
    """A shipped audience, loaded as a web upload is: shipped names only, never a path."""
    return audience_from_dict({"preset": name}, source="<web>")
