"""Docking: the Mesa agent engine and the vector engine are one model (docs/model.md section 6).

The reduced grid (every strategy preset, the two-brand competition, mean-field mixing and a
no-social baseline on a busy 800-person graph for 45 days) runs both engines in lockstep and
compares the daily metrics, every person's state and the tracked people's histories; the full
grid is ``longgame validate --full`` (docs/docking.md).
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.audience import build_population
from sim.cli import app
from sim.engines import agents
from sim.engines import docking as engine_docking
from sim.engines.agents import AgentEngine, Person
from sim.engines.docking import (
    TOLERANCE,
    DockingCase,
    dock,
    dock_case,
    docking_cases,
    docking_scenario,
)
from sim.engines.history import EVENTS
from sim.loading import load_scenario, load_strategy
from sim.model import ENGINES, EngagementModel
from sim.runner import simulate, with_strategy
from sim.schema import Behavior

QUICK = docking_cases("quick")


def tiny(strategy: str = "consistent_engagement", days: int = 20):
    """A busy 300-person world: small enough for checks that run it several times."""
    scenario = with_strategy(load_scenario("base"), load_strategy(strategy))
    return docking_scenario(scenario, days=days, people=300, busy=True)


EXERCISED = {
    "consistent_engagement": (
        "comments_answered",
        "comments_ignored",
        "recommendations",
        "impressions_share",
        "impressions_discovery",
        "impressions_surfacing",
        "unfollows_pruning",
        "unfollows_irrelevance",
        "mutes",
        "conversions",
        "complaints",
        "new_follows",
    ),
    "broadcasting": ("comments_ignored",),
    "self_promotion": ("unfollows_promo",),
    "storytelling": ("impressions_share", "comments_answered"),
    "over_following": ("blocks", "restricted", "unfollows_spam", "following"),
    "quitting_early": ("unfollows_dropout",),
    "falling_off": ("posts",),
    "under_resourced": ("posts", "comments_answered"),
    "too_many_platforms": ("posts", "followers_instagram", "followers_linkedin"),
    "over_automation": ("mutes",),
    "publish_first": ("incidents",),
    "vanity_metrics": ("fake_followers",),
    "ignoring_metrics": ("unfollows_promo",),
    "siloed_departments": ("wrong_answers", "reprisals"),
    "not_conversational": ("arguments", "reprisals"),
    "paid_first": ("impressions_paid", "ad_spend"),
    "boosting_what_works": ("impressions_paid", "ad_spend"),
    "no_plan": ("posts",),
    "competition": ("conversions", "comments_answered"),
    "mean-field mixing": ("recommendations",),
    "posting four times a day": ("unfollows_volume",),
    "staying_off": ("unfollows_dropout", "comments_ignored"),
    "competition, Blare's no-social baseline": ("conversions", "comments_answered"),
    "every parameter off its value": (
        "impressions_paid",
        "fake_followers",
        "arguments",
        "reprisals",
        "wrong_answers",
        "blocks",
        "recommendations",
        "unfollows_pruning",
    ),
}
"""Per quick case: what must have happened in the docked run (its mistake, or the mechanism
it is there for), so that docking would see a slip in it."""


def test_every_quick_case_says_what_must_happen_in_it():
    """A new preset docks with no check that its mistake happened until it has an entry."""
    assert {case.name.split(" ·")[0] for case in QUICK} == set(EXERCISED)


@pytest.mark.parametrize("case", QUICK, ids=[case.name for case in QUICK])
def test_engines_dock(case):
    for seed in case.seeds:
        docking = dock_case(case, seed)
        assert docking.ok, f"{case.name}, seed {seed}: {docking.problem}"
        assert docking.largest_difference <= TOLERANCE
        totals = pd.DataFrame(docking.rows).groupby("brand").sum(numeric_only=True)
        first = totals.iloc[0]
        for metric in EXERCISED[case.name.split(" ·")[0]]:
            assert first[metric] > 0, f"{case.name}: no {metric} in the docked run"
        if case.name.startswith("broadcasting"):
            assert first["comments_answered"] == 0
        if case.name.startswith("quitting_early"):
            assert pd.DataFrame(docking.rows)["active"].iloc[-1] == 0
        if case.name.startswith("too_many_platforms"):
            assert len(case.scenario.brands[0].strategy.platforms) == 4
        if case.inactive_brands:
            baseline = totals.loc[case.scenario.brands[case.inactive_brands[0]].name]
            assert baseline["posts"] == 0 and baseline["conversions"] > 0


def test_a_divergence_names_the_first_day_metric_and_person(monkeypatch):
    purchase_chance = Person.purchase_chance

    def reluctant(self, b, day, market):
        return purchase_chance(self, b, day, market) / 2

    monkeypatch.setattr(Person, "purchase_chance", reluctant)
    docking = dock(tiny(), seed=5)
    assert not docking.ok
    assert docking.problem.startswith("day ")
    assert "conversions of Acme: vector " in docking.problem
    assert " of person " in docking.problem


def test_a_parameter_one_engine_ignores_is_caught_off_its_value(monkeypatch):
    """The agent engine reading the default fatigue half-life, whatever the scenario says: the
    shipped cases dock (they run at the default), the case off every value does not."""
    catch_up = Person.catch_up
    default = Behavior.model_fields["fatigue_half_life"].default

    def ignoring(self, b, day, params):
        catch_up(self, b, day, params.model_copy(update={"fatigue_half_life": default}))

    monkeypatch.setattr(Person, "catch_up", ignoring)
    shipped, moved = (
        next(case for case in QUICK if case.name.startswith(start))
        for start in ("consistent_engagement", "every parameter off its value")
    )
    assert dock_case(shipped, shipped.seeds[0]).ok
    docking = dock_case(moved, moved.seeds[0])
    assert not docking.ok and "fatigue" in docking.problem, docking.problem


def test_the_quick_grid_catches_a_slip_in_social_proof(monkeypatch):
    monkeypatch.setattr(Person, "social_proof", lambda self, b: 0.0)
    case = next(case for case in QUICK if case.name.startswith("consistent_engagement"))
    docking = dock_case(case, case.seeds[0])
    assert not docking.ok
    assert "new_follows" in docking.problem


def test_differences_below_the_tolerance_pass_and_are_reported(monkeypatch):
    catch_up = Person.catch_up

    def drifting(self, b, day, params):
        catch_up(self, b, day, params)
        self.ties[b].trust *= 1 + 1e-13

    monkeypatch.setattr(Person, "catch_up", drifting)
    docking = dock(tiny(), seed=5)
    assert docking.ok, docking.problem
    assert 0 < docking.largest_difference <= TOLERANCE


def test_a_history_slip_names_the_person_and_event(monkeypatch):
    remember = Person.remember

    def slipping(self, day, brand, event, detail=""):
        remember(self, day, brand, event, detail + ("." if event == "saw_post" else ""))

    monkeypatch.setattr(Person, "remember", slipping)
    docking = dock(tiny(), seed=5)
    assert not docking.ok
    assert docking.problem.startswith("history of person ")


def test_runner_gives_the_same_table_with_either_engine():
    scenario = tiny("over_following", days=15)
    population = build_population(scenario, seed=2)
    frames = [simulate(scenario, 2, engine=engine, population=population) for engine in ENGINES]
    pd.testing.assert_frame_equal(frames[0], frames[1], check_exact=False, rtol=TOLERANCE)


@pytest.mark.parametrize(
    ("strategy", "questions", "expected"),
    [
        ("over_following", 0.2, {"saw_post", "followed_by_brand", "followed", "unfollowed"}),
        ("siloed_departments", 1.0, {"commented", "got_reply", "reprisal"}),
    ],
)
def test_histories_are_identical_bounded_and_use_the_known_events(strategy, questions, expected):
    scenario = tiny(strategy, days=30)
    behavior = scenario.behavior.model_copy(update={"question_share": questions})
    scenario = scenario.model_copy(update={"behavior": behavior})
    population = build_population(scenario, seed=4)
    tracked = list(range(0, population.n, 3))
    models = [
        EngagementModel(
            scenario,
            seed=4,
            engine=engine,
            population=population,
            tracked=tracked,
            history_size=10,
        ).run()
        for engine in ENGINES
    ]
    seen = set()
    for person in tracked:
        events = models[0].history(person)
        assert events == models[1].history(person)
        assert len(events) <= 10
        assert [event.day for event in events] == sorted(event.day for event in events)
        seen.update(event.event for event in events)
    assert seen <= set(EVENTS)
    assert expected <= seen


def test_nobody_is_tracked_by_default():
    model = EngagementModel(tiny(days=2), seed=1, engine="agents").run()
    assert not model.engine.history
    assert all(person.history is None for person in model.engine.people)
    with pytest.raises(ValueError, match="tracked people"):
        EngagementModel(tiny(days=2), seed=1, tracked=[10**6])


def test_people_are_mesa_agents_on_the_follower_network():
    scenario = tiny(days=5)
    model = EngagementModel(scenario, seed=3, engine="agents").run()
    engine = model.engine
    assert isinstance(engine, AgentEngine)
    people = model.agents_by_type[Person]
    assert len(people) == model.population.n
    person = max(engine.people, key=lambda someone: len(someone.audience))
    assert person.cell is engine.network[person.index]
    followers = model.population.graph.followers_of(person.index).tolist()
    assert sorted(other.index for other in person.audience) == sorted(followers)
    tie = person.ties[0]
    assert 0 <= tie.trust <= 1 and 0 <= tie.salience <= 1 and min(tie.fatigue) >= 0
    assert tie.follower == any(tie.follows)
    assert isinstance(tie.muted, bool) and isinstance(tie.customer, bool)


def test_the_datacollector_table_is_the_metrics_table():
    model = EngagementModel(tiny(days=10), seed=3, engine="agents").run()
    table = model.engine.datacollector.get_table_dataframe("metrics")
    raw = model.metrics()
    pd.testing.assert_frame_equal(table, raw[table.columns], check_dtype=False)


def test_validate_prints_a_table_and_exits_1_on_failure(monkeypatch):
    small = [DockingCase("tiny world", tiny(days=10), (5,))]
    monkeypatch.setattr(engine_docking, "docking_cases", lambda grid: small)
    runner = CliRunner()
    passed = runner.invoke(app, ["validate", "--quick", "--only", "tiny", "--workers", "1"])
    assert passed.exit_code == 0, passed.output
    assert "tiny world" in passed.stdout and "pass" in passed.stdout
    monkeypatch.setattr(agents.Person, "is_online", lambda *args: False)
    failed = runner.invoke(app, ["validate", "--only", "tiny", "--workers", "1"])
    assert failed.exit_code == 1
    assert "FAIL" in failed.stdout and "day " in failed.stdout
    unknown = runner.invoke(app, ["validate", "--only", "no such case"])
    assert unknown.exit_code == 2


def test_one_failed_case_makes_the_validation_failed():
    from sim.cli import _verdict
    from sim.validation.checks import CheckResult

    def row(passed: bool) -> CheckResult:
        return CheckResult("docking", "case", 1, 1, passed, "0", "< 1", 0.0)

    assert _verdict([row(True), row(True)]) == "all passed"
    assert _verdict([row(True), row(False)]) == _verdict([row(False), row(True)]) == "FAILED"


def test_validate_reports_each_check_as_it_finishes(monkeypatch, tmp_path):
    """A full validation runs for hours: each check's rows are shown, and the Markdown table
    written, when it finishes, so a validation stopped later keeps them."""
    import sim.cli
    from sim.validation import docking as docking_check
    from sim.validation.checks import ValidationCheck

    def interrupted(grid, only, workers, progress):
        raise KeyboardInterrupt

    small = [DockingCase("tiny world", tiny(days=10), (5,))]
    monkeypatch.setattr(engine_docking, "docking_cases", lambda grid: small)
    later = ValidationCheck("later", lambda grid, only: 1, interrupted)
    monkeypatch.setattr(sim.cli, "validation_checks", lambda: [docking_check.CHECK, later])
    table = tmp_path / "validation.md"
    args = ["validate", "--only", "tiny", "--workers", "1", "--markdown", str(table)]
    stopped = CliRunner().invoke(app, args)
    assert stopped.exit_code == 130
    assert "docking: all passed" in stopped.stderr and "tiny world" in stopped.stderr
    assert "the checks that finished (docking) are reported above" in stopped.stderr
    assert "tiny world" in table.read_text() and "later" not in table.read_text()
