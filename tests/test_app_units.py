"""Unit tests of the web app's non-UI modules (viz/): no browser, small runs."""

from __future__ import annotations

import threading

import pandas as pd
import pytest
from conftest import make_metrics

from sim import loading, runner
from sim.schema import Strategy
from viz.audience_run import run_audience
from viz.choices import AudienceChoice, audience_for, comparison_for, resolve_strategy
from viz.export import MAX_STEM, comparison_toml, figure_bytes, file_name
from viz.jobs import Job, RunCache, run_strategy
from viz.pages import longgame
from viz.pages.builder import bounds, inactive, slider_step, validate
from viz.pages.longgame import caption, quitting, quitting_value, weeks


@pytest.fixture(scope="module")
def small_comparison():
    strategies = [loading.load_strategy(name) for name in ("consistent_engagement", "broadcasting")]
    return comparison_for(strategies, audience_for(AudienceChoice(preset="small")), 30, 2)


def test_cached_runs_equal_runner_compare(small_comparison):
    expected = runner.compare(small_comparison)
    cache = RunCache()
    frames = [
        run_strategy(cache, small_comparison.scenario, strategy, small_comparison.seeds)
        for strategy in small_comparison.strategies
    ]
    found = pd.concat(frames, ignore_index=True)
    key = ["strategy", "seed", "brand", "day"]
    pd.testing.assert_frame_equal(
        found.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
    )
    # a second identical run comes from the cache: the very same frames
    again = run_strategy(cache, small_comparison.scenario, small_comparison.strategies[0], 2)
    assert cache.has_run(small_comparison.scenario, small_comparison.strategies[0], 42, 30)
    pd.testing.assert_frame_equal(again, frames[0])


def test_comparison_toml_loads_back(small_comparison, tmp_path):
    path = tmp_path / "comparison.toml"
    path.write_text(comparison_toml(small_comparison))
    assert loading.load_comparison(path) == small_comparison


def test_real_graph_audience_is_portable():
    audience = audience_for(AudienceChoice(kind="real", graph="facebook_combined"))
    assert audience.graph.kind == "edgelist" and audience.graph.path == "facebook_combined.txt.gz"
    generated = audience_for(AudienceChoice(kind="generated", generator="sbm", people=700))
    assert generated.graph.kind == "sbm" and generated.graph.people == 700


def test_job_cancel_stops_at_next_check():
    started, stopped = threading.Event(), threading.Event()

    def work(job: Job) -> None:
        started.set()
        while True:
            job.check()

    job = Job(work, on_cancel=stopped.set).start()
    assert started.wait(5)
    job.cancel()
    assert stopped.wait(5)
    job.thread.join(5)
    assert not job.thread.is_alive()


def test_job_reports_errors():
    messages: list[str] = []

    def work(job: Job) -> None:
        raise ValueError("boom")

    job = Job(work, on_error=messages.append).start()
    job.thread.join(5)
    assert messages == ["ValueError: boom"]


def test_quitting_and_weeks():
    strategy = quitting(resolve_strategy("consistent_engagement", {}), 12)
    assert strategy.quit_rule.kpi == "always" and strategy.quit_rule.check_day == 84
    assert strategy.name == "quits at week 12"
    assert weeks(730) == list(range(4, 104, 4))
    assert weeks(120) == [4, 8, 12, 16]


def test_caption_is_computed_from_the_runs():
    df = make_metrics({"keep": 2.0, "quits at week 4": 1.0, "other": 0.5}, days=30)
    text = caption(df, "keep", "quits at week 4", "other", 4)
    assert "keep breaks even on day" in text
    assert "Quitting at week 4" in text and "on the table" in text
    assert "other" in text


def test_caption_states_a_quitters_lead_with_its_own_interval():
    import re

    df = make_metrics({"keep": -1.0, "quits at week 4": 1.0, "other": 0.5}, days=30)
    text = caption(df, "keep", "quits at week 4", "other", 4)
    lead = re.search(r"quitting is ahead by (\S+) \[95% interval (\S+) to (\S+)\]", text)
    assert lead, text
    assert not any(value.startswith("-") for value in lead.groups())
    assert "bottoms out" in text and "then climbs" not in text and "its last day" in text
    one_seed = caption(
        make_metrics({"keep": 2.0, "quit": 1.0, "x": 0.5}, seeds=1), "keep", "quit", "x", 4
    )
    assert "one seed: no interval" in one_seed and "95%" not in one_seed


def test_builder_reads_ranges_from_the_schema():
    assert bounds(Strategy.model_fields["reply_rate"]) == (0, 1)
    assert bounds(Strategy.model_fields["posts_per_week"]) == (0, 70)
    strategy, error = validate({**Strategy().model_dump(), "reply_rate": 2.0})
    assert strategy is None and error.field == "reply_rate" and "at most 1" in error.message
    strategy, error = validate(Strategy(name="mine").model_dump())
    assert error is None and strategy is not None and strategy.name == "mine"


def test_builder_greys_out_settings_without_effect():
    form = Strategy().model_dump()
    assert inactive(("adapt_rate",), form) and not inactive(("reply_rate",), form)
    assert not inactive(("adapt_rate",), {**form, "adaptive": True})
    assert inactive(("quit_rule", "check_day"), form)  # the default rule never checks
    always = {**form, "quit_rule": {**form["quit_rule"], "kpi": "always"}}
    assert inactive(("quit_rule", "target"), always)
    assert not inactive(("quit_rule", "check_day"), always)


def test_builder_sliders_move_in_round_steps():
    assert slider_step(0, 70) == (0.5, 1)  # posts per week
    assert slider_step(0, 168) == (1.0, 0)  # weekly hours
    assert slider_step(0, 1) == (0.005, 3)
    assert slider_step(0, 1000) == (5.0, 0)
    assert slider_step(0, 2) == (0.01, 2)


def test_audience_run_records_states_and_history():
    choice = AudienceChoice(kind="generated", generator="scale_free", people=300)
    scenario = comparison_for(
        [resolve_strategy("consistent_engagement", {})], audience_for(choice), 10, 1
    ).scenario
    run = run_audience(scenario, resolve_strategy("consistent_engagement", {}))
    assert len(run.states) == 11 and run.states[0].shape == (300,)
    assert set(run.states[-1].tolist()) <= set(range(6))
    touched = [p for p in run.layout.people.tolist() if run.history(p)]
    assert touched, "some shown person has a history"
    assert "fit with the brand" in run.traits(touched[0])


def test_figures_export_png_and_svg():
    from sim.summary import final_outcomes
    from viz.charts import vanity_chart

    fig = vanity_chart(final_outcomes(make_metrics()))
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")
    svg = figure_bytes(fig, "svg")
    assert b"<svg" in svg and b"steady" in svg


def test_long_titles_keep_their_distinct_ends_in_file_names():
    title = " vs ".join(["consistent_engagement", "broadcasting", "no_plan", "over_automation"])
    names = {file_name(f"{title}_{kind}", ".png") for kind in ("equity", "followers", "vanity")}
    assert len(names) == 3 and all(len(name) <= MAX_STEM + 4 for name in names)
    assert file_name(f"{title}_equity", ".png").endswith("over_automation_equity.png")
    assert file_name(title, ".csv") != file_name(title + "_daily", ".csv")
    assert file_name("CE vs BC", ".csv") == "CE_vs_BC.csv"


def test_network_figure_exports_png_and_svg():
    """The Audience page's PNG and SVG buttons draw the network figure (its legend is the
    figure's, below the plot)."""
    import numpy as np

    from viz.charts import network_chart

    positions = np.array([[0.1, 0.2], [0.5, 0.9], [0.8, 0.4]])
    fig = network_chart(positions, np.array([[0, 1], [1, 2]]), np.array([0, 3, 5]), day=7)
    assert figure_bytes(fig, "png").startswith(b"\x89PNG")
    assert b"Audience on day 7" in figure_bytes(fig, "svg")


def test_network_draws_reached_people_over_the_unaware():
    """The network view draws people by state code (the grey unaware first) and the selected
    person last, so no follower or lost person hides under an unaware one."""
    import numpy as np

    from viz.charts import draw_order

    states = np.array([2, 0, 5, 0, 1, 2])
    assert draw_order(states).tolist() == [1, 3, 4, 0, 5, 2]
    assert draw_order(states, on_top=3).tolist() == [1, 4, 0, 5, 2, 3]


@pytest.mark.parametrize("keep_name", ["consistent_engagement", "quitting_early"])
@pytest.mark.parametrize("budget", [longgame.SNAPSHOT_BUDGET, 0])
def test_quit_runs_equal_full_runs(keep_name, budget, monkeypatch):
    """Sharing the days before quitting (with or without kept copies) changes no number."""
    monkeypatch.setattr(longgame, "SNAPSHOT_BUDGET", budget)
    keep = resolve_strategy(keep_name, {})
    other = resolve_strategy("broadcasting", {})
    scenario = comparison_for([keep], audience_for(AudienceChoice(preset="small")), 120, 2).scenario
    cache = RunCache()
    quits = longgame.QuitRuns(longgame.Setup(scenario, keep, other, 2), cache)
    order = [8, 12, 4, 16]  # nearest 8 first, as the page asks
    for done, week in enumerate(order):
        found = quits.run(week, order[done:])
        expected = run_strategy(cache, scenario, quitting(keep, week), 2)
        pd.testing.assert_frame_equal(found, expected)
    assert not quits._copies  # every kept copy was used


def test_jcurve_draws_the_kept_strategy_on_top():
    from viz.charts import jcurve_chart

    df = make_metrics({"keep": 2.0, "quit": 1.0, "other": 1.5}, seeds=2, days=20)
    fig = jcurve_chart(df, "keep", "quit", ["other"], quit_day=10, break_even_day=None)
    lines = {line.get_label(): line.get_zorder() for line in fig.axes[0].get_lines()}
    assert lines["keep"] > max(lines["quit"], lines["other"])


def test_jcurve_marks_break_even_on_the_zero_line_as_the_median_seed():
    from viz.charts import jcurve_chart

    df = make_metrics({"keep": 2.0, "quit": 1.0, "other": 1.5}, seeds=3, days=20)
    fig = jcurve_chart(df, "keep", "quit", ["other"], quit_day=10, break_even_day=6.0)
    ax = fig.axes[0]
    marker = next(line for line in ax.get_lines() if line.get_marker() == "o")
    assert list(marker.get_xydata()[0]) == [6.0, 0.0]
    assert any("break-even (median seed): day 6" in text.get_text() for text in ax.texts)
    assert "95% interval" in ax.get_legend().get_title().get_text()


def test_a_smaller_audience_keeps_the_brands_share_of_followers():
    """On the 2,000-person audience the base brand is followed by 5% of the people, as on its
    20,000, not by half of them (which reversed the lessons of the Compare page's default)."""
    from viz.choices import scenario_for

    base = loading.load_scenario("base")
    scale = base.market.scale
    share = base.brands[0].initial.followers / scale / base.audience.graph.people
    for choice, people in (
        (AudienceChoice(preset="small"), 2000),
        (AudienceChoice(kind="generated", people=1000), 1000),
    ):
        followers = scenario_for(audience_for(choice), 30).brands[0].initial.followers
        assert followers == round(share * people) * scale
    data = base.model_dump()
    data["brands"][0]["initial"]["followers"] = 1e9  # more than the market: everyone, no more
    everyone = type(base).model_validate(data)
    small = audience_for(AudienceChoice(preset="small"))
    assert runner.with_audience(everyone, small).brands[0].initial.followers == 2000 * scale
    data["brands"][0]["initial"]["followers"] = 0.0
    newcomer = type(base).model_validate(data)
    assert (
        runner.with_audience(newcomer, audience_for(AudienceChoice())).brands[0].initial.followers
        == 0
    )


def test_the_long_game_never_shows_a_negative_loss():
    assert quitting_value(8090.0, 12) == ("Value lost by quitting at week 12", "8.09k")
    assert quitting_value(-592.0, 4) == ("Value gained by quitting at week 4", "592")
