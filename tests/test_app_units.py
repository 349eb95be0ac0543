"""Unit tests of the web app's non-UI modules (viz/): no browser, small runs."""

from __future__ import annotations

import re
import threading

import numpy as np
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
from viz.pages.builder import bounds, inactive, range_text, slider_step, validate
from viz.pages.longgame import MIN_DAYS, caption, quitting, quitting_value, weeks


@pytest.fixture(scope="module")
def small_comparison():
    strategies = [loading.load_strategy(name) for name in ("consistent_engagement", "broadcasting")]
    return comparison_for(strategies, audience_for(AudienceChoice(preset="small")), 30, 2)


def test_cached_runs_equal_runner_compare(small_comparison):
    """The same frames as ``runner.compare``, a strategy on another main platform included (it
    is paired with its own no-social run)."""
    elsewhere = Strategy(name="instagram_first", platforms=["instagram", "facebook"])
    comparison = small_comparison.model_copy(
        update={"strategies": [*small_comparison.strategies, elsewhere]}
    )
    expected = runner.compare(comparison)
    cache = RunCache()
    frames = [
        run_strategy(cache, comparison.scenario, strategy, comparison.seeds)
        for strategy in comparison.strategies
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


def test_a_market_scan_shares_the_population_and_equals_runner_compare(small_comparison):
    """Another market size (``sim.market.at_market``) is the same people: the cache builds
    them once, and the runs equal ``runner.compare`` of that market; a brand of another fit is
    other people."""
    from sim.market import at_market

    scenario = small_comparison.scenario
    larger = small_comparison.model_copy(update={"scenario": at_market(scenario, 2.0)})
    cache = RunCache()
    assert cache.population(larger.scenario, 42) is cache.population(scenario, 42)
    found = run_strategy(cache, larger.scenario, larger.strategies[0], larger.seeds)
    expected = runner.compare(larger)
    pd.testing.assert_frame_equal(
        found, expected[expected["strategy"] == found["strategy"][0]].reset_index(drop=True)
    )
    brand = scenario.brands[0].model_copy(update={"fit_mean": 0.6})
    other = scenario.model_copy(update={"brands": [brand]})
    assert cache.population(other, 42) is not cache.population(scenario, 42)


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
    for horizon in range(MIN_DAYS, 120):  # every quit offered shows within the horizon
        assert all(7 * week + 1 + 7 <= horizon for week in weeks(horizon)), horizon
    assert weeks(MIN_DAYS) == [4]


def test_a_strategy_with_its_own_quit_rule_is_kept_going_without_it():
    """Keeping going with quitting_early must not stop on day 90 while "quits at week 48"
    runs on to day 336."""
    scenario = loading.load_scenario("base")
    other = resolve_strategy("broadcasting", {})
    early = resolve_strategy("quitting_early", {})
    keep = longgame.Setup(scenario, early, other, 2).keep
    assert keep.quit_rule.kpi == "never" and keep.name == "quitting_early kept going"
    assert keep.model_copy(update={"quit_rule": early.quit_rule, "name": early.name}) == early
    steady = resolve_strategy("consistent_engagement", {})
    assert longgame.Setup(scenario, steady, other, 2).keep is steady


def test_a_curve_that_stops_falling_is_not_said_to_climb():
    df = make_metrics({"keep": 0.0, "quits at week 4": 1.0, "other": 0.5}, seeds=1, days=30)
    keep = df["strategy"] == "keep"
    df.loc[keep, "incremental_profit"] = np.maximum(-df.loc[keep, "day"], -10.0)
    text = caption(df, "keep", "quits at week 4", "other", 4)
    assert "on day 10, and stays there" in text and "climbs" not in text


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
    df = make_metrics({"keep": 1.0, "x": 0.5}, days=30)
    same = pd.concat([df, df[df["strategy"] == "keep"].assign(strategy="quit")])
    text = caption(same, "keep", "quit", "x", 4)  # identical in every seed: not "uncertain"
    assert "leaves nothing (the same incremental profit in every seed) on the table" in text
    assert "not yet certain" not in text


def test_builder_reads_ranges_from_the_schema():
    assert bounds(Strategy.model_fields["reply_rate"]) == (0, 1)
    assert bounds(Strategy.model_fields["posts_per_week"]) == (0, 70)
    strategy, errors = validate({**Strategy().model_dump(), "reply_rate": 2.0})
    assert strategy is None and [error.field for error in errors] == ["reply_rate"]
    assert "at most 1" in errors[0].message
    strategy, errors = validate(Strategy(name="mine").model_dump())
    assert errors == [] and strategy is not None and strategy.name == "mine"


def test_builder_greys_out_settings_without_effect():
    form = Strategy().model_dump()
    assert inactive(("adapt_rate",), form) and not inactive(("reply_rate",), form)
    assert not inactive(("adapt_rate",), {**form, "adaptive": True})
    assert inactive(("boost_rule",), form)
    assert not inactive(("boost_rule",), {**form, "boost_budget": 50.0})
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


MADE_BY = {"package": "longgame", "engine": "vector", "seeds": [3, 4], "scenario": {"name": "s"}}


def test_figures_export_png_and_svg_that_say_what_made_them():
    import io

    from PIL import Image

    from sim.summary import final_outcomes
    from viz.charts import vanity_chart

    fig = vanity_chart(final_outcomes(make_metrics()))
    png = figure_bytes(fig, "png", MADE_BY)
    assert png.startswith(b"\x89PNG")
    described = Image.open(io.BytesIO(png)).text["Description"]
    assert described.startswith("made by ") and '"seeds": [3, 4]' in described
    svg = figure_bytes(fig, "svg", MADE_BY)
    assert b"<svg" in svg and b"steady" in svg
    assert described.removeprefix("made by ").encode() in svg


def test_a_tables_manifest_traces_its_csv_download_to_what_made_it():
    """Each CSV download has a manifest beside it: what made the table (version, engine, seeds,
    scenario), when, and the SHA-256 of the very bytes the CSV button gives."""
    import hashlib
    import json

    from viz.export import manifest_json, table_csv

    table = make_metrics().head(5)
    info = json.loads(manifest_json(MADE_BY, {"CE vs BC_final": table}, "compare"))
    assert MADE_BY.items() <= info.items() and info["made_in"] == "longgame app, compare page"
    assert info["created_utc"] and info["versions"]["numpy"]
    assert info["files"] == {"CE vs BC_final": "CE_vs_BC_final.csv"}
    digest = hashlib.sha256(table_csv(table).encode()).hexdigest()
    assert info["sha256"] == {"CE_vs_BC_final.csv": digest}


def test_long_titles_keep_their_distinct_ends_in_file_names():
    title = " vs ".join(["consistent_engagement", "broadcasting", "no_plan", "over_automation"])
    names = {file_name(f"{title}_{kind}", ".png") for kind in ("equity", "followers", "vanity")}
    assert len(names) == 3 and all(len(name) <= MAX_STEM + 4 for name in names)
    assert file_name(f"{title}_equity", ".png").endswith("over_automation_equity.png")
    assert file_name(title, ".csv") != file_name(title + "_daily", ".csv")
    assert file_name("CE vs BC", ".csv") == "CE_vs_BC.csv"
    six = "consistent_engagement vs broadcasting vs storytelling vs 3 more_daily"
    assert re.fullmatch(
        r"consistent_engagement_vs_[0-9a-f]{6}_vs_3_more_daily\.csv", file_name(six, ".csv")
    )
    assert file_name("x" * 100, ".csv").startswith("x" * 32 + "_")  # no words: cut anywhere


def test_network_figure_exports_png_and_svg():
    """The Audience page's PNG and SVG buttons draw the network figure (its legend is the
    figure's, below the plot)."""
    import numpy as np

    from viz.charts import network_chart

    positions = np.array([[0.1, 0.2], [0.5, 0.9], [0.8, 0.4]])
    fig = network_chart(positions, np.array([[0, 1], [1, 2]]), np.array([0, 3, 5]), day=7)
    assert figure_bytes(fig, "png", MADE_BY).startswith(b"\x89PNG")
    assert b"Audience on day 7" in figure_bytes(fig, "svg", MADE_BY)


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


def test_the_long_games_scenario_toml_reruns_to_its_results(tmp_path):
    """The long game page exports its picture as a comparison: ``longgame compare`` on that
    TOML gives the page's numbers (kept going, quitting at week W, the other strategy)."""
    keep, other = (resolve_strategy(name, {}) for name in ("quitting_early", "broadcasting"))
    scenario = comparison_for([keep], audience_for(AudienceChoice(preset="small")), 36, 2).scenario
    setup = longgame.Setup(scenario, keep, other, 2)
    cache = RunCache()
    shown = pd.concat(
        [
            run_strategy(cache, scenario, setup.keep, 2),
            longgame.QuitRuns(setup, cache).run(4, [4]),
            run_strategy(cache, scenario, other, 2),
        ],
        ignore_index=True,
    )
    path = tmp_path / "long_game.toml"
    path.write_text(comparison_toml(longgame.as_comparison(setup, 4)))
    rerun = runner.compare(loading.load_comparison(path))
    key = ["strategy", "seed", "brand", "day"]
    pd.testing.assert_frame_equal(
        rerun.sort_values(key).reset_index(drop=True),
        shown.sort_values(key).reset_index(drop=True),
    )


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
    assert "95% interval" in fig.legends[0].get_title().get_text()


def test_jcurve_marks_both_break_even_days_with_labels_at_the_top():
    """The quitter's break-even is marked too, and the labels sit at the top of the axes, clear
    of the curves that climb after break-even."""
    from viz.charts import jcurve_chart

    df = make_metrics({"keep": 2.0, "quit": 1.0, "other": 1.5}, seeds=3, days=20)
    fig = jcurve_chart(
        df, "keep", "quit", ["other"], quit_day=10, break_even_day=6.0, quit_break_even_day=4.0
    )
    ax = fig.axes[0]
    markers = [list(line.get_xydata()[0]) for line in ax.get_lines() if line.get_marker() == "o"]
    assert markers == [[6.0, 0.0], [4.0, 0.0]]
    labels = {text.get_text(): text for text in ax.texts}
    keep = labels["break-even (median seed): day 6"]
    quit_label = labels["quitter's break-even (median seed): day 4"]
    assert keep.xy[1] == quit_label.xy[1] == 1.0  # the top, in axes fraction
    assert quit_label.xyann[1] < keep.xyann[1]  # a row below: the two never overlap
    assert labels["quits (day 10)"].xy[1] == 0.0


def test_long_game_says_break_even_is_a_median_of_first_days():
    note = longgame.break_even_note(3)
    assert "the median over the seeds that got there; never if fewer than half of the 3" in note
    assert "curves are means" in note
    assert "median" not in longgame.break_even_note(1)
    assert longgame._day(106.0, 1, 2) == "day 106 (1 of 2 seeds)"  # the median of one seed
    assert longgame._day(106.0, 2, 2) == "day 106" and longgame._day(None, 0, 2) == "never"


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
    unsure = quitting_value(876.0, 12, (-1560.0, 3320.0))  # the caption's interval, in the label
    assert unsure == ("Value lost by quitting at week 12 (not yet certain)", "876")
    assert quitting_value(8090.0, 12, (4870.0, 11300.0))[0] == "Value lost by quitting at week 12"


@pytest.fixture
def session():
    """The module-level (per-session) state of the pages touched by a test, restored after it."""
    from viz.pages import builder, compare
    from viz.state import custom_strategies

    saved = [
        (variable, variable.value)
        for variable in (
            custom_strategies,
            compare.selected,
            compare.days,
            compare.unparsed,
            builder.form,
            builder.upload_error,
            builder.upload_note,
            builder.started_from,
            builder.unparsed,
            builder.saved_note,
        )
    ]
    yield
    for variable, value in saved:
        variable.set(value)


def test_builder_refuses_a_platform_the_scenario_lacks(session):
    """As the CLI does: a strategy on 'myspace' is refused by the form and by an upload, and
    Compare refuses to run a custom one rather than crash in the run."""
    from viz.pages import builder, compare
    from viz.state import save_custom

    strategy, errors = validate({**Strategy().model_dump(), "platforms": ["myspace"]})
    assert strategy is None and [error.field for error in errors] == ["platforms"]
    assert "platform(s) ['myspace'] not in the scenario; its platforms are" in errors[0].message
    before = builder.form.value
    builder.on_upload({"name": "plat.toml", "text": 'name = "plat"\nplatforms = ["myspace"]\n'})
    assert "plat.toml" in builder.upload_error.value and "myspace" in builder.upload_error.value
    assert builder.form.value == before
    save_custom(Strategy(name="plat", platforms=["myspace"]))
    compare.selected.set(["consistent_engagement", "plat"])
    assert "plat: platform(s) ['myspace'] not in the scenario" in compare._problem()


def test_builder_lists_every_wrong_field():
    data = {**Strategy().model_dump(), "reply_rate": 2.0, "posts_per_week": -1.0}
    strategy, errors = validate(data)
    assert strategy is None
    assert sorted(error.field for error in errors) == ["posts_per_week", "reply_rate"]
    assert not any("more)" in error.message for error in errors)


def test_builder_upload_resets_start_from_and_notes_the_mix(session):
    from viz.pages import builder

    builder.start_from("broadcasting")
    assert builder.started_from.value == "broadcasting"
    builder.on_upload({"name": "mine.toml", "text": 'name = "mine"\n'})
    assert builder.started_from.value is None and builder.form.value["name"] == "mine"
    note = builder.mix_note({"value": 2.0, "story": 2.0, "promo": 0.0, "conversation": 0.0})
    assert (
        note == "values are rescaled to sum to 1: value 50%, story 50%, promo 0%, conversation 0%"
    )


def _render(element):
    import solara

    return solara.render(element, handle_error=False)[1]


def test_a_download_button_spins_while_its_file_is_made():
    """A named download button shows Vuetify's loading spinner from the click until the browser
    has the file (the browser's part played here: it asks, then says it got the bytes)."""
    import time

    import ipyvuetify as v
    from solara.components.file_download import FileDownloadWidget

    from viz.components import Download

    gate = threading.Event()

    def slow() -> str:
        gate.wait(30)
        return "a,b\n1,2\n"

    rc = _render(Download(slow, "t.csv", "CSV", "Final outcomes", "text/csv"))
    try:
        button = rc.find(v.Btn).widget
        widget = rc.find(FileDownloadWidget).widget
        assert button.attributes == {"aria-label": "Final outcomes, CSV"}
        assert not button.loading
        widget.request_download = True  # the click
        assert button.loading and widget.bytes is None  # spinning while the file is made
        gate.set()
        deadline = time.monotonic() + 30
        while widget.bytes is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert widget.bytes == b"a,b\n1,2\n" and button.loading
        widget.request_download = False  # the browser has saved it
        assert not button.loading and widget.bytes is None
        assert rc.find(v.Btn).widget.attributes == {"aria-label": "Final outcomes, CSV"}
    finally:
        gate.set()
        rc.close()


def test_text_in_a_number_box_disables_run(session):
    """Typing '3o' in Compare's horizon says so and disables Run; the last number is not run."""
    import ipyvuetify as v

    from viz.pages import compare

    compare.days.set(30)
    rc = _render(compare.Controls())
    box = rc.find(v.TextField, label="Horizon (days)").widget

    def run_disabled() -> bool:
        return rc.find(v.Btn, children=["Run"]).widget.disabled

    assert not run_disabled()
    box.v_model = "3o"
    assert compare.days.value == 30
    assert "'3o' is not a whole number" in box.messages
    assert run_disabled() and "Horizon (days)" in compare._problem()
    box.v_model = "45"
    assert compare.days.value == 45 and not run_disabled()
    rc.close()


def test_text_in_a_builder_number_box_stops_save(session):
    import ipyvuetify as v

    from viz.pages import builder

    builder.form.set(Strategy(name="mine").model_dump())
    builder.upload_error.set("")  # "Valid strategy." is not shown beside an upload's error
    rc = _render(builder.BuilderPage())
    assert rc.find(v.Alert, children=["Valid strategy."]).widgets
    box = next(
        field.widget
        for field in rc.find(v.TextField)
        if str(field.widget.label).startswith("follow rate")
    )
    box.v_model = "abc"
    assert not rc.find(v.Alert, children=["Valid strategy."]).widgets
    rc.find(v.Btn, children=["Save"]).widget.click()
    assert builder.saved_note.value.startswith("Not saved: follow rate")
    assert "mine" not in builder.custom_strategies.value
    box.v_model = "-1"  # out of range: the loader's error
    assert not builder.saved_note.value  # an edit clears the note of the refused save
    assert any("follow_rate = -1.0" in text for text in _alerts(rc))
    box.v_model = "x"  # the box no longer shows -1: only its own message
    assert not any("follow_rate" in text for text in _alerts(rc))
    assert any("'x' is not a number" in text for text in _alerts(rc))
    box.v_model = "10"
    no_mix = dict.fromkeys(builder.form.value["content_mix"], 0.0)
    builder.form.set({**builder.form.value, "content_mix": no_mix})  # shown in its card too
    # the list's "content_mix: ..." and, in the card, the message alone
    assert "content_mix needs at least one type with a share above 0" in _alerts(rc)
    rc.close()


def _alerts(rc) -> list[str]:
    """The texts of the page's alerts."""
    import ipyvuetify as v

    return [" ".join(map(str, alert.widget.children)) for alert in rc.find(v.Alert)]


def test_number_box_parses_numbers_only():
    from viz.components import parse_number

    assert parse_number(" 30 ", int) == 30 and parse_number("0.5", float) == 0.5
    for text, kind in (("3o", int), ("2.5", int), ("abc", float), ("nan", float), ("", int)):
        with pytest.raises(ValueError, match="is not a"):
            parse_number(text, kind)


def test_table_shows_intervals_under_their_means():
    """A 'mean [lo, hi]' or 'day (k/n seeds)' cell is two lines in HTML (so wide outcome tables
    fit a laptop's window); names may break after underscores; the rest is escaped text."""
    from sim import summary
    from viz.components import html_table
    from viz.tables import final_table

    shown = final_table(summary.final_outcomes(make_metrics({"a<b": 2.0, "flat": 1.0})))
    page = html_table(shown)
    mean, interval = shown.loc[0, "followers"].split(" ", 1)
    cell = f'<td><span class="lg-value">{mean}</span><span class="lg-detail">{interval}</span>'
    assert cell in page and page.count('<tr class="lg-two-line">') == 2
    day, count = shown.loc[0, "break-even day"].split(" ", 1)
    assert f'<span class="lg-value">{day}</span><span class="lg-detail">{count}</span>' in page
    # column headers across the top, each row's name its row header
    assert '<th scope="row">a&lt;b</th>' in page
    for column in ("incremental profit", "break-even day"):
        assert f'<th scope="col">{column}</th>' in page
    assert '<th scope="row">low_<wbr>fit</th>' in html_table(pd.DataFrame({"name": ["low_fit"]}))
    plain = html_table(pd.DataFrame({"trait": ["a & b [1]", "platforms"], "value": ["[1, 2]", ""]}))
    assert 'class="lg-detail"' not in plain and 'class="lg-two-line"' not in plain
    assert '<tr><th scope="row">a &amp; b [1]</th><td>[1, 2]</td></tr>' in plain
    assert "aria-label" not in plain
    assert '<table class="lg-table" aria-label="a &amp; b">' in html_table(shown, label="a & b")
    odd = html_table(pd.DataFrame({"x": ["<b> [<i>, 2]"]}))
    assert '<span class="lg-value">&lt;b&gt;</span>' in odd and "[&lt;i&gt;, 2]" in odd


def test_network_export_draws_people_over_edges_as_on_screen():
    """People above the grey edges, and y pointing down as in the page's SVG view."""
    import numpy as np
    from matplotlib.collections import LineCollection, PathCollection

    from viz.charts import network_chart

    positions = np.array([[0.1, 0.2], [0.5, 0.9], [0.8, 0.4]])
    fig = network_chart(positions, np.array([[0, 1], [1, 2]]), np.array([0, 3, 5]), day=7)
    ax = fig.axes[0]
    edges = next(c for c in ax.collections if isinstance(c, LineCollection))
    people = [c for c in ax.collections if type(c) is PathCollection and len(c.get_offsets())]
    assert people and all(p.get_zorder() > edges.get_zorder() for p in people)
    assert ax.yaxis_inverted()


def test_axis_ticks_get_distinct_compact_labels():
    from sim.charts import CompactFormatter, trajectories_figure
    from sim.text import compact, compact_ticks

    ticks = [990, 992.5, 995, 997.5, 1000, 1002.5, 1005, 1007.5]
    labels = compact_ticks(ticks)
    assert len(set(labels)) == len(ticks) and labels[:5] == ["990", "992.5", "995", "997.5", "1k"]
    assert compact_ticks([0, 5000, 10000, 1.5e6]) == ["0", "5k", "10k", "1.5M"]
    assert compact(1002.5) == "1k"  # unchanged outside axes
    # rounding up to the next unit gives that unit, not 1e+03
    assert [compact(v) for v in (999.4, 999.5, -999.6, 999_999.7, 0.012345)] == [
        "999",
        "1k",
        "-1k",
        "1M",
        "0.0123",
    ]
    df = make_metrics({"a": 0.0, "b": 0.0}, days=10)
    df["followers"] = 990 + df["day"] * 2.0
    fig = trajectories_figure(df, ["followers"])
    ax = fig.axes[0]
    assert isinstance(ax.yaxis.get_major_formatter(), CompactFormatter)
    fig.canvas.draw()
    shown = [label.get_text() for label in ax.get_yticklabels() if label.get_text()]
    assert len(set(shown)) == len(shown), shown


def test_comparison_name_keeps_whole_names():
    from sim.text import comparison_name

    names = [
        "consistent_engagement",
        "broadcasting",
        "storytelling",
        "over_following",
        "over_automation",
        "no_plan",
    ]
    name = comparison_name(names)
    assert len(name) <= 80 and name.endswith(" more")
    kept, more = name.rsplit(" vs ", 1)
    assert kept.split(" vs ") == names[: len(kept.split(" vs "))]
    assert more == f"{len(names) - len(kept.split(' vs '))} more"
    assert comparison_name(names[:2]) == "consistent_engagement vs broadcasting"
    strategies = [resolve_strategy(n, {}) for n in names]
    small = audience_for(AudienceChoice(preset="small"))
    assert comparison_for(strategies, small, 30, 1).name == name


def test_exported_scenario_says_what_was_run(small_comparison):
    description = small_comparison.scenario.description
    assert "small audience (2,000 people)" in description and "30 days" in description
    assert "two years" not in description


def test_jcurve_legend_is_below_and_lists_only_what_is_drawn():
    from viz.charts import jcurve_chart

    df = make_metrics({"keep": 1.0, "quit": 2.0, "other": 1.5}, seeds=2, days=20)
    fig = jcurve_chart(df, "keep", "quit", ["other"], quit_day=10, break_even_day=12.0)
    ax = fig.axes[0]
    assert ax.get_legend() is None  # no legend over the curves or the marker lines
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert labels == ["keep", "quit", "other"]  # keep is never ahead: nothing shaded
    label = next(text for text in ax.texts if text.get_text().startswith("break-even"))
    assert label.get_bbox_patch() is not None  # a box: no line through its text
    ahead = make_metrics({"keep": 2.0, "quit": 1.0}, seeds=2, days=20)
    fig = jcurve_chart(ahead, "keep", "quit", [], quit_day=10, break_even_day=None)
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert "value left on the table by quitting" in labels


def test_compare_status_says_queued_and_cancelled(small_comparison):
    from viz.pages.compare import CompareRun

    progress = {"consistent_engagement": (0, 2, "running"), "broadcasting": (0, 2, "queued")}
    run = CompareRun(1, small_comparison, progress, queued=True)
    assert run.status("consistent_engagement") == "consistent_engagement: queued (0/2 seeds)"
    assert "as each strategy finishes" in run.empty_note()
    cancelled = {name: (0, 2, "cancelled") for name in progress}
    assert "Cancelled" in CompareRun(2, small_comparison, cancelled).empty_note()


def test_sweeps_page_says_when_no_run_broke_even(tmp_path):
    import dataclasses

    import numpy as np
    from test_sweep_views import run_grid_sweep

    from experiments import figures, views
    from viz.pages.sweeps import empty_outcome_note, path_label

    data = views.open_sweep(run_grid_sweep(tmp_path / "grid"))
    strategy = data.strategies[0]
    assert empty_outcome_note(data, "equity", strategy, None) == ""
    never = dataclasses.replace(data, results=data.results.assign(break_even_day=np.nan))
    note = empty_outcome_note(never, "break_even_day", strategy, None)
    assert note == (
        f"No run of {strategy} broke even within {data.experiment.scenario.days} days: "
        "no break-even day to show."
    )
    table = views.heatmap_table(data, "equity", *data.parameter_names[:2], strategy=strategy)
    fig = figures.heatmap_figure(table)
    assert fig.axes[0].texts and all(t.get_fontsize() >= 12 for t in fig.axes[0].texts)
    big = pd.DataFrame(np.full((20, 20), 123456.0))
    assert not figures.heatmap_figure(big).axes[0].texts  # too small a cell for the numbers
    assert path_label([views.DEFAULT_SWEEPS_DIR.resolve()]) == "Or a path relative to out/sweeps"


def test_the_sweeps_page_names_folders_as_the_user_sees_them(tmp_path, monkeypatch):
    """A broken sweep is reported under the folder the path box names, not the server's path."""
    from experiments import views
    from viz.pages import sweeps

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(views.SWEEPS_DIR_ENV, raising=False)
    broken = tmp_path / "out" / "sweeps" / "broken"
    broken.mkdir(parents=True)
    saved = [(r, r.value) for r in (sweeps.sweep, sweeps.problem)]
    try:
        sweeps.open_directory(broken)
        shown = sweeps.problem.value
    finally:
        for variable, value in saved:
            variable.set(value)
    assert shown.startswith("out/sweeps/broken is not a sweep directory")
    assert str(tmp_path) not in shown


def test_choosing_the_versus_strategy_as_the_strategy_swaps_them():
    """Strategy = Versus left Versus naming a difference the heatmap did not show."""
    from viz.pages import sweeps

    saved = [(r, r.value) for r in (sweeps.strategy, sweeps.versus)]
    try:
        sweeps.strategy.set("consistent_engagement")
        sweeps.versus.set("self_promotion")
        sweeps.choose_strategy("self_promotion")
        chosen = (sweeps.strategy.value, sweeps.versus.value)
        sweeps.choose_strategy("storytelling")
        other = (sweeps.strategy.value, sweeps.versus.value)
    finally:
        for variable, value in saved:
            variable.set(value)
    assert chosen == ("self_promotion", "consistent_engagement")
    assert other == ("storytelling", "consistent_engagement")


def test_a_person_known_from_day_0_is_not_told_nothing_happened():
    from viz.pages.audience import no_events_note

    assert no_events_note("unaware") == "nothing has happened to this person yet"
    assert no_events_note("aware").startswith("no events yet: aware from day 0")


def test_the_network_drawing_is_described_from_what_it_draws():
    """The Audience network's text alternative says what its colours, sizes and links show:
    who is drawn, how many of each relationship state, whether the brand's followers sit
    together, and the chosen person."""
    from viz.audience_run import Layout
    from viz.pages.audience import DRAWN_EDGES, network_description, network_label, state_counts

    people = np.array([3, 5, 8, 9, 12, 20])
    edges = np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5]])  # 0, 1, 2 a triangle
    shown = Layout(people, np.zeros((6, 2)), edges)
    # a follower, an advocate and a follower in the triangle; unaware, aware, left apart
    states = np.array([2, 3, 2, 0, 1, 5], dtype=np.int8)
    text = network_description(shown, states, 9, 8, 6)
    assert network_label(9) == "Audience network on day 9"
    many = np.repeat(states, [1200, 1, 1, 1, 1, 1])
    assert state_counts(many).startswith("unaware 1, aware 1, follower 1,201, advocate 1, ")
    assert state_counts(many).endswith(" (of 1,205 shown)")
    assert text.startswith("Day 9: all 6 people of the audience")
    assert "with the 5 follow links among them as grey lines" in text
    assert "unaware 1 (small grey dots); aware 1 (light blue: they remember the brand); " in text
    assert "follower 2 (blue); advocate 1 (green: followers who trust the brand); " in text
    assert "muted 0 (orange: they muted it); left 1 (red: they unfollowed or blocked it)" in text
    assert "3 people follow the brand (followers and advocates), 50% of those shown" in text
    assert "100% of their links lead to others who follow it, so they sit together" in text
    assert text.endswith(
        "Person 8, chosen, is drawn larger with a black outline: follower, "
        "with 2 links to people shown."
    )
    apart = np.array([2, 0, 0, 2, 0, 0], dtype=np.int8)  # followers 3 and 9, each among others
    text = network_description(shown, apart, 0, -1, 4000)
    assert text.startswith("Day 0: 6 people, a sample of the audience's 4,000")
    assert "0% of their links lead to others who follow it, so they are spread out" in text
    assert "chosen" not in text
    assert "No one shown follows" in network_description(shown, np.zeros(6, np.int8), 0, -1, 6)
    many = Layout(np.arange(2), np.zeros((2, 2)), np.zeros((DRAWN_EDGES + 1, 2), dtype=int))
    assert f"(the first {DRAWN_EDGES:,} drawn)" in network_description(
        many, np.array([2, 0], dtype=np.int8), 0, -1, 2
    )


def test_an_audience_run_can_be_cancelled():
    """Cancel is offered while a run is in progress and stops it, keeping the days run."""
    import ipyvuetify as v

    from viz.pages import audience

    saved = [(s, s.value) for s in (audience.days, audience.status, audience.job, audience.run)]
    audience.days.set(730)
    rc = _render(audience.Controls())
    cancel = rc.find(v.Btn, children=["Cancel"])
    assert cancel.widget.disabled
    try:
        audience.start()
        assert not cancel.widget.disabled
        cancel.widget.click()
        audience.job.value.thread.join(60)
        assert audience.status.value == "cancelled" and cancel.widget.disabled
    finally:
        rc.close()
        for variable, value in saved:
            variable.set(value)


def test_saving_again_under_a_name_says_whether_it_replaced_anything(session):
    import ipyvuetify as v

    from viz.pages import builder

    builder.form.set(Strategy(name="mine").model_dump())
    rc = _render(builder.BuilderPage())
    save = rc.find(v.Btn, children=["Save"]).widget
    notes = []
    try:
        for change in ({}, {}, {"reply_rate": 0.5}):
            builder.form.set({**builder.form.value, **change})
            save.click()
            notes.append(builder.saved_note.value.split(" for this session")[0])
    finally:
        rc.close()
    assert notes == ["Saved 'mine'", "'mine' is saved, unchanged", "Replaced the saved 'mine'"]
    assert builder.started_from.value == "mine"  # "Start from" names what the form now is


def test_a_name_of_spaces_is_not_saved(session):
    import ipyvuetify as v

    from viz.pages import builder

    builder.form.set(Strategy(name="mine").model_dump() | {"name": "   "})
    rc = _render(builder.BuilderPage())
    try:
        rc.find(v.Btn, children=["Save"]).widget.click()
    finally:
        rc.close()
    assert builder.saved_note.value.startswith("Not saved: name")
    assert "other than spaces" in builder.saved_note.value
    assert "   " not in builder.custom_strategies.value


def test_the_days_picture_downloads_only_while_paused():
    """A download clicked during Play was lost (the day, and so the buttons, changed under it):
    while playing the buttons are disabled and say why."""
    import ipyvuetify as v

    from viz.pages import audience

    choice = AudienceChoice(kind="generated", generator="scale_free", people=200)
    strategy = resolve_strategy("consistent_engagement", {})
    run = run_audience(comparison_for([strategy], audience_for(choice), 5, 1).scenario, strategy)
    saved = [(s, s.value) for s in (audience.playing, audience.recorded, audience.day)]
    audience.recorded.set(5)
    shown = {}
    try:
        for playing in (False, True):
            audience.playing.set(playing)
            rc = _render(audience.Network(run))
            try:
                buttons = {b.widget.children[-1]: b.widget.disabled for b in rc.find(v.Btn)}
                texts = [str(t.widget.children) for t in rc.find(v.Html)]
            finally:
                rc.close()
            shown[playing] = (buttons["PNG"], buttons["SVG"], any("Pause to" in t for t in texts))
    finally:
        for variable, value in saved:
            variable.set(value)
    assert shown == {False: (False, False, False), True: (True, True, True)}


def test_an_upload_that_is_not_text_is_named_so(session):
    """The browser reads an upload as UTF-8 and replaces the rest: say so, not echo the bytes."""
    from viz.pages import builder

    builder.on_upload({"name": "photo.toml", "text": 'name = "a"\n\x00\ufffd\ufffdJFIF\n'})
    assert builder.upload_error.value == (
        "photo.toml: not UTF-8 text (a strategy file is TOML text) [line 2] (the form is unchanged)"
    )


def test_an_upload_reports_every_mistake_at_once(session):
    """Fixing one mistake per upload: a misspelt key and a number out of range are both said,
    each with its line, and the form is left as it was."""
    from viz.pages import builder

    before = builder.form.value
    text = 'preset = "broadcasting"\nposts_per_week = -3\nreply_rat = 0.5\n'
    builder.on_upload({"name": "two.toml", "text": text})
    lines = builder.upload_error.value.split("\n")
    assert len(lines) == 2 and lines[1].endswith("(the form is unchanged)")
    assert "reply_rat = 0.5: unknown key (did you mean 'reply_rate'?)" in lines[0]
    assert lines[0].endswith("[line 3]")
    assert "posts_per_week = -3" in lines[1] and "[line 2]" in lines[1]
    assert builder.form.value == before


def test_every_column_of_the_final_table_is_explained():
    from sim.summary import final_outcomes
    from viz.tables import final_table, outcome_glossary

    columns = final_table(final_outcomes(make_metrics(days=5))).columns.drop("strategy")
    glossary = outcome_glossary()
    assert [column for column in columns if f"**{column}**: " not in glossary] == []
    assert "roi counts all revenue" in glossary


def test_compare_cautions_about_markets_smaller_than_the_calibrated_one():
    from viz.choices import small_market_note

    note = small_market_note(AudienceChoice(preset="small"))
    assert note.startswith("A small market: 2,000 people, against the 20,000")
    assert small_market_note(AudienceChoice(kind="real", graph="facebook_combined")).startswith(
        "A small market: 4,039 people"
    )
    for calibrated_or_larger in (
        AudienceChoice(preset="default"),
        AudienceChoice(kind="generated", people=20_000),
        AudienceChoice(kind="real", graph="musae_facebook"),
    ):
        assert small_market_note(calibrated_or_larger) == ""


def test_compare_says_when_its_results_no_longer_match_the_controls(session):
    from viz.pages import compare
    from viz.state import save_custom

    compare.selected.set(["consistent_engagement", "mine"])
    compare.days.set(30)
    save_custom(Strategy(name="mine"))
    shown = compare.CompareRun(1, compare._chosen(), {})
    assert compare.stale_note(shown) == ""
    compare.days.set(31)
    assert compare.stale_note(shown).startswith("The controls have changed since this run")
    compare.days.set(30)
    save_custom(Strategy(name="mine", reply_rate=0.5))  # the same name, other parameters
    assert compare.stale_note(shown) != ""


def test_the_long_game_names_what_it_compares_and_says_when_the_setup_changed():
    import types

    state = (longgame.strategy_name, longgame.other_name, longgame.days, longgame.audience)
    saved = [(variable, variable.value) for variable in state]
    try:
        longgame.strategy_name.set("consistent_engagement")
        longgame.other_name.set("storytelling")
        longgame.audience.set("small")
        longgame.days.set(60)
        assert "(consistent_engagement)" in longgame.intro(None)
        assert "runs storytelling" in longgame.intro(None)
        shown = longgame._setup()
        assert longgame.stale_note(shown) == ""
        longgame.other_name.set("broadcasting")
        assert longgame.stale_note(shown).startswith("The setup has changed since this run")
        assert "runs storytelling" in longgame.intro(types.SimpleNamespace(setup=shown))
    finally:
        for variable, value in saved:
            variable.set(value)


def test_custom_strategies_are_offered_after_the_presets_in_name_order():
    from viz.choices import preset_strategies, strategy_names

    custom = {name: Strategy(name=name) for name in ("zeta", "alpha", "mid")}
    presets = [name for name, _ in preset_strategies()]
    assert strategy_names(custom) == [*presets, "alpha", "mid", "zeta"]


def test_the_long_game_can_be_cancelled_and_says_so(monkeypatch):
    import ipyvuetify as v

    from viz.state import RunCache

    monkeypatch.setattr(longgame, "run_cache", RunCache)  # outside a browser session

    state = (longgame.audience, longgame.days, longgame.seeds, longgame.results, longgame.job)
    saved = [(variable, variable.value) for variable in state]
    try:
        longgame.audience.set("small")
        longgame.days.set(730)
        longgame.seeds.set(1)
        longgame.results.set(None)
        rc = _render(longgame.Controls())
        cancel = rc.find(v.Btn, children=["Cancel"])
        try:
            assert cancel.widget.disabled
            longgame.compute(12)
            assert not cancel.widget.disabled
            cancel.widget.click()
            longgame.job.value.thread.join(60)
            assert cancel.widget.disabled
        finally:
            rc.close()
        current = longgame.results.value
        assert current.cancelled and 12 not in current.by_week
        picture = _render(longgame.Picture(current, 12, longgame.version.value))
        try:
            assert picture.find(v.Alert, children=["Cancelled. Run, or move W, to go on."])
        finally:
            picture.close()
    finally:
        for variable, value in saved:
            variable.set(value)


def test_a_generated_audience_is_sized_in_a_number_box_within_its_range(session):
    import ipyvuetify as v

    from viz.pages import compare

    saved = compare.audience.value
    compare.selected.set(["consistent_engagement", "broadcasting"])
    try:
        compare.audience.set(AudienceChoice(kind="generated", people=100))
        assert compare._problem() == ("A generated audience has 500 to 50,000 people (100 chosen).")
        compare.audience.set(AudienceChoice(kind="generated", people=3000))
        assert compare._problem() == ""
        rc = _render(compare.AudienceControls())
        try:
            box = rc.find(v.TextField, label="People (500 to 50,000)").widget
            box.v_model = "1200"
            assert compare.audience.value.people == 1200
        finally:
            rc.close()
    finally:
        compare.audience.set(saved)


def test_builder_ranges_read_as_numbers():
    assert range_text(1, 36500) == "1 to 36,500"
    assert range_text(0.05, 0.5) == "0.05 to 0.5"
    assert range_text(-1e12, 1e12) == "any number"


def test_finished_charts_are_drawn_once_however_often_their_page_is_shown(monkeypatch):
    """Coming back to a page redrew every chart (seconds on a busy server): a finished run's
    figures and their PNGs are kept for the last few runs."""
    from matplotlib.figure import Figure

    from viz import components

    monkeypatch.setattr(components, "_KEPT", components.OrderedDict())
    calls = []
    first = components.kept(("t", 1), lambda: calls.append(1) or Figure())
    assert components.kept(("t", 1), lambda: calls.append(1) or Figure()) is first
    assert len(calls) == 1
    for number in range(2, components.KEPT_RESULTS + 2):
        components.kept(("t", number), Figure)
    assert ("t", 1) not in components._KEPT and len(components._KEPT) == components.KEPT_RESULTS
    drawn = []
    original = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: drawn.append(1) or original(*a, **k))
    png = components.shown_png(first)
    assert components.shown_png(first) is png and png.startswith(b"\x89PNG") and drawn == [1]


def test_the_network_svg_keeps_its_edges_as_one_image():
    """Thousands of edges as SVG paths made a 4 MB file: they are embedded as one image."""
    from viz.charts import network_chart

    rng = np.random.default_rng(0)
    positions, edges = rng.random((300, 2)), rng.integers(0, 300, (3000, 2))
    svg = figure_bytes(network_chart(positions, edges, rng.integers(0, 6, 300), 1), "svg", MADE_BY)
    assert svg.count(b"<image") == 1 and svg.count(b"<path") < 1000  # not one path an edge


def test_a_presets_name_in_another_case_or_baseline_is_not_saved(session):
    """'Broadcasting' saved and then sat in Compare beside the preset it is not; 'baseline' read
    as the no-social-media run every strategy is measured against."""
    import ipyvuetify as v

    from viz.pages import builder

    for name, says in (
        ("Broadcasting", "is the preset broadcasting's name"),
        ("baseline", "names"),
    ):
        builder.form.set(Strategy(name="mine").model_dump() | {"name": name})
        rc = _render(builder.BuilderPage())
        try:
            rc.find(v.Btn, children=["Save"]).widget.click()
        finally:
            rc.close()
        assert builder.saved_note.value.startswith(f"Not saved: '{name}' {says}")
        assert name not in builder.custom_strategies.value
    assert builder.name_problem("my_broadcasting") == ""
