"""Loading TOML files: shipped presets, composition, name resolution, round trips and errors."""

from __future__ import annotations

import os
import pickle
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.loading import (
    list_presets,
    load_audience,
    load_comparison,
    load_platform,
    load_scenario,
    load_strategy,
    parse_toml_text,
    scenario_from_dict,
    shipped_dir,
    strategy_from_dict,
)
from sim.schema import Strategy
from sim.toml_text import dump_toml

LOADERS = {
    "strategy": load_strategy,
    "audience": load_audience,
    "platform": load_platform,
    "scenario": load_scenario,
    "comparison": load_comparison,
}
SHIPPED = [(kind, name) for kind in LOADERS for name, _ in list_presets(kind)]

# What each preset changes relative to the baseline, consistent_engagement (docs/model.md, 4).
PRESET_CHANGES = {
    "consistent_engagement": set(),
    "broadcasting": {"reply_rate", "content_mix"},
    "self_promotion": {"content_mix"},
    "storytelling": {"content_mix"},
    "over_following": {"follow_rate", "targeting", "unfollow_after_days"},
    "quitting_early": {"quit_rule"},
    "too_many_platforms": {"platforms", "adapt_per_platform"},
    "over_automation": {"automation_share", "posts_per_week", "reply_rate"},
    "publish_first": {"review", "policy"},
    "vanity_metrics": {"adaptive", "adapt_kpi", "bought_followers_per_month"},
    "siloed_departments": {"coordination"},
    "no_plan": {"burstiness", "consistency", "targeting"},  # adaptive = false is the baseline's
    "falling_off": {"consistency_decay"},
    "under_resourced": {"weekly_hours"},
    "staying_off": {"weekly_hours"},
    "ignoring_metrics": {"content_mix"},  # adaptive = false is the baseline's
    "not_conversational": {"argue_rate", "formality"},
    "paid_first": {"boost_budget", "boost_rule"},
    "boosting_what_works": {"boost_budget"},  # boost_rule "engaging" is the baseline's
}


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(load, *args) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load(*args)
    return info.value


# ---- shipped files ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), SHIPPED)
def test_every_shipped_file_loads(kind: str, name: str) -> None:
    loaded = LOADERS[kind](name)
    assert loaded.name


def test_shipped_names_and_descriptions() -> None:
    shipped = {name for name, _ in list_presets("strategy")}
    assert shipped == set(PRESET_CHANGES), (
        "each shipped strategy needs an entry in PRESET_CHANGES (tests/test_loading.py), the "
        "fields in which it differs from consistent_engagement (docs/contributing.md)"
    )
    for kind in LOADERS:
        assert all(description for _, description in list_presets(kind)), kind
    assert {name for name, _ in list_presets("scenario")} >= {"base", "competition"}
    assert {name for name, _ in list_presets("comparison")} >= {"default", "headline", "quick"}


@pytest.mark.parametrize("name", sorted(PRESET_CHANGES))
def test_presets_differ_from_the_baseline_only_where_their_mistake_lies(name: str) -> None:
    baseline = load_strategy("consistent_engagement").model_dump()
    preset = load_strategy(name).model_dump()
    changed = {key for key in preset if preset[key] != baseline[key]} - {"name", "description"}
    assert changed == PRESET_CHANGES[name]
    assert preset["name"] == name


def test_baseline_is_the_schema_defaults() -> None:
    baseline = load_strategy("consistent_engagement")
    assert baseline.model_dump(exclude={"name", "description"}) == Strategy().model_dump(
        exclude={"name", "description"}
    )


def test_shipped_comparisons() -> None:
    """The demo compares every preset that buys no reach, but staying off: it is the baseline
    every row is already measured against (a row of zeros in incremental profit)."""
    demo = load_comparison("default")
    unpaid = {name for name in PRESET_CHANGES if load_strategy(name).boost_budget == 0}
    assert {strategy.name for strategy in demo.strategies} == unpaid - {"staying_off"}
    boosting = load_comparison("boosting")
    assert {strategy.name for strategy in boosting.strategies} == {
        "consistent_engagement",
        *(set(PRESET_CHANGES) - unpaid),
    }
    assert demo.seeds == 3 and demo.scenario.days == 730
    assert demo.scenario.name == "base"
    quick = load_comparison("quick")
    assert (quick.seeds, quick.scenario.days, len(quick.strategies)) == (2, 120, 3)
    assert quick.scenario.audience.graph.people == 2000
    assert load_comparison("headline").seeds == 20


def test_the_two_scales_are_one_market() -> None:
    """docs/model.md compares two_scales_1 and two_scales_10 as one market at two scales: they
    differ in the people simulated and the scale alone, which multiply to the same market."""
    one, ten = (load_comparison(f"two_scales_{scale}") for scale in (1, 10))
    sizes = [
        (c.scenario.audience.graph.people, c.scenario.market.scale, c.scenario.brands[0].initial)
        for c in (one, ten)
    ]
    assert sizes == [(20_000, 1, sizes[0][2]), (2_000, 10, sizes[0][2])]
    differing = {"name", "description", "audience", "market"}
    assert one.scenario.model_dump(exclude=differing) == ten.scenario.model_dump(exclude=differing)
    for part, size in (("market", "scale"), ("audience", "graph")):
        assert getattr(one.scenario, part).model_dump(exclude={size}) == getattr(
            ten.scenario, part
        ).model_dump(exclude={size})
    graphs = (one.scenario.audience.graph, ten.scenario.audience.graph)
    assert graphs[0].model_dump(exclude={"people"}) == graphs[1].model_dump(exclude={"people"})
    assert (one.strategies, one.seeds) == (ten.strategies, ten.seeds)


# ---- composition -----------------------------------------------------------------------------


def test_preset_with_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.toml",
        """
        preset = "broadcasting"
        reply_rate = 0.5
        content_mix.promo = 0.5
        """,
    )
    mine = load_strategy(path)
    assert mine.name == "mine" and mine.reply_rate == 0.5
    assert mine.content_mix.promo == 0.5 and mine.content_mix.value == 0.35  # merged, not replaced
    assert mine.content_mix.conversation == 0.0


def test_a_content_mix_of_nothing_is_refused_where_it_is_written(tmp_path: Path) -> None:
    zeros = "content_mix = { value = 0.0, story = 0.0, promo = 0.0, conversation = 0.0 }\n"
    message = str(error_of(load_strategy, write(tmp_path, "silent.toml", zeros)))
    assert "silent.toml" in message and "content_mix" in message and "[line 1]" in message
    assert "at least one type with a share above 0" in message


def test_partial_nested_table_keeps_the_defaults(tmp_path: Path) -> None:
    mine = load_strategy(write(tmp_path, "s.toml", "content_mix = { promo = 0.5 }\n"))
    assert mine.content_mix.value == Strategy().content_mix.value
    platform = load_platform(write(tmp_path, "p.toml", "norms.story = 2.0\n"))
    assert (platform.norms.story, platform.norms.value) == (2.0, 1.0)


def test_nested_presets_and_inline_tables(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'preset = "broadcasting"\nfollow_rate = 20\n')
    write(tmp_path, "b.toml", 'preset = "a.toml"\nname = "bee"\n')
    scenario = write(
        tmp_path,
        "scenario.toml",
        """
        [[brands]]
        name = "One"
        strategy = "b.toml"

        [[brands]]
        name = "Two"
        strategy = { preset = "self_promotion", weekly_hours = 20 }
        """,
    )
    loaded = load_scenario(scenario)
    one, two = (brand.strategy for brand in loaded.brands)
    assert (one.name, one.reply_rate, one.follow_rate) == ("bee", 0.0, 20.0)
    assert (two.name, two.weekly_hours, two.content_mix.promo) == ("self_promotion", 20.0, 0.75)


def test_preset_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'preset = "b.toml"\n')
    write(tmp_path, "b.toml", 'preset = "a.toml"\n')
    error = error_of(load_strategy, tmp_path / "a.toml")
    assert "cycle" in str(error) and "b.toml" in str(error) and error.field == "preset"


def test_comparison_days_and_inline_scenario(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "cmp.toml",
        """
        days = 60
        seeds = 3
        strategies = ["broadcasting", { preset = "storytelling", name = "tales" }]

        [scenario]
        audience = { preset = "small", graph.mean_degree = 8 }
        platforms = ["facebook"]
        """,
    )
    comparison = load_comparison(path)
    assert comparison.name == "cmp" and comparison.scenario.days == 60
    assert comparison.scenario.audience.graph.mean_degree == 8
    assert comparison.scenario.audience.graph.people == 2000
    assert [s.name for s in comparison.strategies] == ["broadcasting", "tales"]


# ---- name resolution -------------------------------------------------------------------------


def test_path_first_then_shipped(tmp_path: Path) -> None:
    write(tmp_path, "broadcasting", "reply_rate = 0.25\n")  # an existing path beats the name
    scenario = write(
        tmp_path,
        "s.toml",
        """
        [[brands]]
        name = "One"
        strategy = "broadcasting"

        [[brands]]
        name = "Two"
        strategy = "storytelling"
        """,
    )
    first, second = (brand.strategy for brand in load_scenario(scenario).brands)
    assert first.reply_rate == 0.25
    assert second == load_strategy("storytelling")


def test_references_are_relative_to_the_file(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path, "project/strategies/mine.toml", 'preset = "../base/common.toml"\n')
    write(tmp_path, "project/base/common.toml", "weekly_hours = 30\n")
    write(tmp_path, "project/graphs/edges.txt", "0 1\n1 2\n")
    write(
        tmp_path,
        "project/world.toml",
        """
        audience = { graph = { kind = "edgelist", path = "graphs/edges.txt" } }

        [[brands]]
        strategy = "strategies/mine.toml"
        """,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = load_scenario(tmp_path / "project" / "world.toml")
    assert scenario.brands[0].strategy.weekly_hours == 30
    assert scenario.brands[0].strategy.name == "mine"
    assert Path(scenario.audience.graph.path) == (tmp_path / "project/graphs/edges.txt").resolve()
    assert load_audience("facebook_ego").graph.path == "facebook_combined.txt.gz"  # left alone
    assert load_comparison("quick").scenario.audience.graph.people == 2000  # shipped, from anywhere
    assert load_strategy("../project/base/common.toml").weekly_hours == 30  # relative to the cwd
    assert load_strategy("common.toml", base_dir=tmp_path / "project/base").weekly_hours == 30


def test_web_uploads_resolve_shipped_names_only() -> None:
    text = 'preset = "over_following"\nfollow_rate = 100\n'
    strategy = strategy_from_dict(parse_toml_text(text, "upload.toml"), "upload.toml", text)
    assert (strategy.name, strategy.follow_rate) == ("over_following", 100.0)
    error = error_of(strategy_from_dict, {"preset": "../secret.toml"}, "upload.toml")
    assert "only shipped strategy names" in str(error) and "upload.toml" in str(error)
    scenario = scenario_from_dict({"audience": "small", "brands": [{"strategy": "no_plan"}]})
    assert scenario.brands[0].strategy.burstiness == 0.8


# ---- writing TOML ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), SHIPPED)
def test_dump_toml_round_trips(kind: str, name: str, tmp_path: Path) -> None:
    loaded = LOADERS[kind](name)
    path = write(tmp_path, "dumped.toml", dump_toml(loaded))
    assert LOADERS[kind](path) == loaded


def test_dump_toml_escapes_strings(tmp_path: Path) -> None:
    strategy = Strategy(name='odd "name"', description="tab\there\\ and é\x7f")
    assert load_strategy(write(tmp_path, "odd.toml", dump_toml(strategy))) == strategy


# ---- errors ----------------------------------------------------------------------------------


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    error = error_of(load_strategy, write(tmp_path, "broken.toml", "reply_rate = 0.5\nposts = \n"))
    assert "broken.toml" in str(error) and error.line == 2 and "[line 2]" in str(error)
    assert "in 'posts ='" in str(error)  # the line's text: which key is meant
    twice = write(tmp_path, "twice.toml", "reply_rate = 0.5\nreply_rate = 0.9\n")
    assert "in 'reply_rate = 0.9'" in str(error_of(load_strategy, twice))


def test_unknown_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "typo.toml",
        """
        [[brands]]
        name = "Acme"

        [brands.strategy]
        preset = "broadcasting"
        reply_rat = 0.5
        """,
    )
    error = error_of(load_scenario, path)
    text = str(error)
    assert "typo.toml" in text and "brands[0].strategy.reply_rat" in text
    assert "unknown key (did you mean 'reply_rate'?)" in text and "posts_per_week" in text
    assert error.line == 7


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "t.toml", 'posts_per_week = "lots"\nreview = 1\n')
    error = error_of(load_strategy, path)
    assert "t.toml" in str(error) and "posts_per_week" in str(error) and "number" in str(error)
    assert "(and 1 more)" in str(error) and error.line == 1


def test_a_comparisons_days_are_named_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", 'scenario = "base"\nstrategies = ["broadcasting"]\ndays = 0\n')
    error = error_of(load_comparison, path)
    assert error.field == "days" and error.line == 3  # it sets scenario.days
    assert "c.toml: days = 0: must be between 1 and" in str(error)


def test_out_of_range_names_the_range(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "x.toml",
        """
        # two brands
        [[brands]]
        name = "A"

        [[brands]]
        name = "B"
        strategy.quit_rule = { kpi = "roi", check_day = 0 }
        """,
    )
    error = error_of(load_scenario, "x.toml")
    assert str(error) == (
        "x.toml: brands[1].strategy.quit_rule.check_day = 0: must be between 1 and 36500 "
        "(at least 1) [line 8]"
    )


def test_literal_choices(tmp_path: Path) -> None:
    error = error_of(load_strategy, write(tmp_path, "t.toml", 'targeting = "fitted"\n'))
    assert "targeting" in str(error) and "'fit'" in str(error) and "'random'" in str(error)


def test_error_in_a_preset_names_the_preset_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.toml", "\n\nreply_rate = 2\n")
    cmp = write(tmp_path, "c.toml", 'scenario = "base"\nstrategies = ["bad.toml"]\n')
    error = error_of(load_comparison, cmp)
    assert "bad.toml" in error.file and error.field == "strategies[0].reply_rate"
    assert error.line == 3


def test_unknown_preset_lists_the_shipped_names(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", '[[brands]]\nstrategy = "broadcast"\n')
    error = error_of(load_scenario, path)
    text = str(error)
    assert "s.toml" in text and "brands[0].strategy" in text and error.line == 2
    assert "(did you mean 'broadcasting'?)" in text and "storytelling" in text
    assert "no_plan" in str(error_of(load_strategy, "not_a_preset"))
    assert "did you mean" not in str(error_of(load_strategy, "not_a_preset"))


def test_missing_file_names_file_and_referrer(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", 'audience = "audiences/mine.toml"\n')
    error = error_of(load_scenario, path)
    assert "s.toml" in str(error) and "audience" in str(error) and "mine.toml" in str(error)
    assert "not found" in str(error_of(load_scenario, tmp_path / "absent.toml"))


def test_missing_platform_referenced_by_a_brand(tmp_path: Path) -> None:
    unknown = write(tmp_path, "u.toml", 'platforms = ["facebook", "myspace"]\n')
    error = error_of(load_scenario, unknown)
    assert "u.toml" in str(error) and "platforms[1]" in str(error) and "instagram" in str(error)
    absent = write(
        tmp_path,
        "a.toml",
        'platforms = ["facebook"]\n[[brands]]\nstrategy = "too_many_platforms"\n',
    )
    error = error_of(load_scenario, absent)
    assert "a.toml" in str(error) and "brands[0].strategy.platforms" in str(error)
    assert "instagram" in str(error) and error.line == 3
    inline = write(tmp_path, "i.toml", '[[brands]]\n[brands.strategy]\nplatforms = ["tiktok"]\n')
    assert error_of(load_scenario, inline).line == 3
    typo = write(tmp_path, "t.toml", '[[brands]]\n[brands.strategy]\nplatforms = ["facebok"]\n')
    assert "(did you mean 'facebook'?)" in str(error_of(load_scenario, typo))


def test_comparison_strategies_must_use_the_scenarios_platforms(tmp_path: Path) -> None:
    path = write(tmp_path, "c.toml", 'scenario = "quick"\nstrategies = ["too_many_platforms"]\n')
    assert "is a shipped comparison, not a scenario" in str(error_of(load_comparison, path))
    path = write(
        tmp_path,
        "d.toml",
        'scenario = { platforms = ["facebook"] }\nstrategies = ["too_many_platforms"]\n',
    )
    error = error_of(load_comparison, path)
    assert "d.toml" in str(error) and "strategies[0].platforms" in str(error)


def test_comparison_strategies_need_distinct_names(tmp_path: Path) -> None:
    """A variant that keeps its preset's name would be reported as that preset."""
    path = write(
        tmp_path,
        "wagon.toml",
        'scenario = "base"\nstrategies = [\n  "consistent_engagement",\n'
        '  { preset = "consistent_engagement", consistency_decay = 0.5 },\n]\n',
    )
    error = error_of(load_comparison, path)
    assert error.file.endswith("wagon.toml") and (error.field, error.line) == ("strategies", 2)
    assert "repeated: consistent_engagement" in str(error) and "name =" in str(error)
    fixed = path.read_text().replace("0.5 }", '0.5, name = "wagon" }')
    names = [s.name for s in load_comparison(write(tmp_path, "ok.toml", fixed)).strategies]
    assert names == ["consistent_engagement", "wagon"]


@pytest.mark.parametrize(
    ("loader", "text", "field"),
    [
        (load_strategy, 'name = "  "\n', "name"),
        (load_scenario, '[[brands]]\nname = "\\t"\n', "brands[0].name"),
    ],
)
def test_a_name_of_spaces_is_refused(loader, text: str, field: str, tmp_path: Path) -> None:
    """A name labels tables, legends and file names: one that shows nothing is an error."""
    error = error_of(loader, write(tmp_path, "blank.toml", text))
    assert error.field == field and "must have a character other than spaces" in str(error)


def test_brands_need_distinct_names(tmp_path: Path) -> None:
    """Results are kept by brand name: two brands of one name would be merged (and crashed)."""
    path = write(
        tmp_path,
        "twins.toml",
        '[[brands]]\nname = "A"\n\n[[brands]]\nname = "A"\nstrategy = "broadcasting"\n',
    )
    error = error_of(load_scenario, path)
    assert error.file.endswith("twins.toml") and (error.field, error.line) == ("brands", 1)
    assert "repeated: A" in str(error)


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "notepad.toml"
    path.write_bytes("\ufeffreply_rate = 0.5\n".encode())
    assert load_strategy(path).reply_rate == 0.5


def test_a_file_of_another_kind_is_named_as_such() -> None:
    shipped = shipped_dir()
    error = error_of(load_strategy, shipped / "base.toml")
    assert "this is a scenario file, not a strategy" in str(error) and "longgame run" in str(error)
    assert error.field and error.line  # the first key a strategy does not have
    error = error_of(load_audience, shipped / "base.toml")
    assert "not an audience" in str(error)
    strategy_file = shipped / "strategies" / "broadcasting.toml"
    assert "a strategy file, not a scenario" in str(error_of(load_scenario, strategy_file))
    assert "a shipped comparison, not a scenario" in str(error_of(load_scenario, "quick"))
    assert "a shipped scenario, not a strategy" in str(error_of(load_strategy, "base"))


def test_scenario_and_comparison_files_are_not_mixed_up() -> None:
    assert "comparison" in str(error_of(load_scenario, "default"))
    assert "not a comparison" in str(error_of(load_comparison, "base"))


def test_scenario_error_format_and_pickling() -> None:
    error = ScenarioError("must be at most 1", "x.toml", "a.b", 12, "1.5")
    assert str(error) == "x.toml: a.b = 1.5: must be at most 1 [line 12]"
    assert str(ScenarioError("file not found", "y.toml")) == "y.toml: file not found"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.file, copy.field, copy.line, copy.value) == ("x.toml", "a.b", 12, "1.5")


NUMERIC_FIELDS = [
    name
    for name, field in Strategy.model_fields.items()
    if field.annotation in (float, int) and name not in ("name", "description")
]
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from(["1", True, [1], {"a": 1}]),
)


@settings(max_examples=200, deadline=None)
@given(overrides=st.dictionaries(st.sampled_from(NUMERIC_FIELDS), NUMBERS, max_size=4))
def test_random_overrides_load_or_raise_scenario_error(overrides: dict) -> None:
    try:
        strategy = strategy_from_dict({"preset": "consistent_engagement", **overrides})
    except ScenarioError as error:
        assert error.file == "<dict>" and error.field in overrides
    else:
        assert all(getattr(strategy, key) == value for key, value in overrides.items())


def test_missing_graph_file_names_the_file_and_field(tmp_path):
    path = tmp_path / "graphless.toml"
    path.write_text('name = "g"\n[audience.graph]\nkind = "edgelist"\npath = "nope.txt"\n')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "graphless.toml" in message and "audience.graph.path" in message
    assert "facebook_combined.txt.gz" in message and "[line 4]" in message
    assert "more)" not in message


def test_a_graph_file_without_kind_edgelist_is_refused_not_ignored(tmp_path):
    """A path (or a direction) beside a generator's kind used to run on a generated graph while
    the manifest recorded the file: the results looked as if they came from the user's data."""
    write(tmp_path, "edges.txt", "1 2\n2 3\n")
    path = write(tmp_path, "a.toml", '[audience.graph]\npath = "edges.txt"\n')
    error = error_of(load_scenario, path)
    assert error.field == "audience.graph" and error.line == 1
    assert 'kind = "edgelist"' in error.message and "'scale_free'" in error.message
    path = write(tmp_path, "d.toml", '[audience.graph]\nkind = "sbm"\ndirection = "follows"\n')
    assert "remove direction" in error_of(load_scenario, path).message


def test_a_missing_graph_file_does_not_hide_the_files_other_errors(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(
        '[audience.graph]\nkind = "edgelist"\npath = "nope.txt"\n'
        '[[brands]]\nstrategy = { preset = "broadcasting", reply_rate = 2.0 }\n'
    )
    error = error_of(load_scenario, path)
    assert "graph file not found" in str(error) and "(and 1 more)" in str(error)
    assert error.field == "audience.graph.path" and error.line == 3


def test_shipped_names_may_name_their_folder_as_the_docs_do() -> None:
    from sim.cli import _is_comparison

    assert load_comparison("comparisons/quick") == load_comparison("quick")
    assert load_strategy("strategies/broadcasting") == load_strategy("broadcasting")
    assert _is_comparison("comparisons/headline") and not _is_comparison("broadcasting")
    with pytest.raises(ScenarioError, match="unknown comparison 'comparisons/quik'.*'quick'"):
        load_comparison("comparisons/quik")
    with pytest.raises(ScenarioError, match="'comparisons/quick' is a shipped comparison, not a"):
        load_strategy("comparisons/quick")  # not a strategy's folder: said what it is
    with pytest.raises(ScenarioError, match="'strategies/broadcasting' is a shipped strategy"):
        load_scenario("strategies/broadcasting")
    with pytest.raises(ScenarioError, match="file not found"):
        load_strategy("elsewhere/quick")


def test_an_unknown_name_is_shown_with_a_count_of_the_other_errors(tmp_path: Path) -> None:
    """An unresolvable reference no longer hides the file's other errors: the first is shown
    with how many more there are, as for schema errors (docs/scenarios.md, Errors)."""
    world = """
        audience = "small"
        platforms = ["facebook"]

        [[brands]]
        name = "Acme"
        strategy = { preset = "consistent_engagement", reply_rat = 0.5 }

        [[brands]]
        name = "Rival"
        strategy = "broadcast"
        """
    error = error_of(load_scenario, write(tmp_path, "world.toml", world))
    assert error.field == "brands[1].strategy" and error.line == 11
    assert "unknown strategy 'broadcast'" in error.message and error.message.endswith(
        "(and 1 more)"
    )
    alone = world.replace("reply_rat", "reply_rate")
    assert "more)" not in str(error_of(load_scenario, write(tmp_path, "alone.toml", alone)))
    twice = write(
        tmp_path,
        "twice.toml",
        'scenario = "base"\nstrategies = ["broadcast", "storytelin"]\ndays = 0\n',
    )  # the two empty tables standing in have the same name: no error of theirs is counted
    error = error_of(load_comparison, twice)
    assert error.field == "strategies[0]" and error.message.endswith("(and 2 more)")


def test_a_platform_of_the_default_strategy_says_where_it_comes_from(tmp_path: Path) -> None:
    path = write(tmp_path, "tk.toml", 'platforms = ["tiktok"]\n[[brands]]\nname = "A"\n')
    error = error_of(load_scenario, path)
    assert error.field == "brands[0].strategy.platforms" and error.line == 2  # the brand
    assert "brands[0] sets no strategy, so it has the default one" in error.message
    assert "set the brand's strategy, or brands[0].strategy.platforms" in error.message
    inline = 'platforms = ["tiktok"]\n[[brands]]\nname = "A"\nstrategy = { reply_rate = 0.5 }\n'
    error = error_of(load_scenario, write(tmp_path, "inline.toml", inline))
    assert error.line == 4 and "strategy sets no platforms, so it has the default" in error.message


def test_a_shipped_file_is_named_by_a_path_that_opens_from_here(tmp_path, monkeypatch) -> None:
    """An error in a shipped file given by its path names it by one that exists from the
    current directory, not as scenarios/... relative to the repository."""
    monkeypatch.chdir(tmp_path)
    typed = Path(os.path.relpath(shipped_dir() / "base.toml"))
    error = error_of(load_strategy, typed)
    assert "this is a scenario file, not a strategy" in error.message
    assert Path(error.file).resolve() == (shipped_dir() / "base.toml").resolve()
    monkeypatch.chdir(shipped_dir())
    assert error_of(load_strategy, "base.toml").file == "base.toml"


def test_error_wordings_of_choices_numbers_lists_and_directories(tmp_path: Path) -> None:
    audience = write(tmp_path, "a.toml", '[graph]\nkind = "edgelst"\n')
    assert "(did you mean 'edgelist'?)" in str(error_of(load_audience, audience))
    for value in ("nan", "inf", "-inf"):
        text = str(error_of(load_strategy, write(tmp_path, "n.toml", f"reply_rate = {value}\n")))
        assert "must be a finite number; allowed: between 0 and 1" in text, text
    error = error_of(load_scenario, write(tmp_path, "p.toml", "platforms = []\n"))
    assert str(error).endswith("platforms = []: must have at least 1 item [line 1]")
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert str(error_of(load_strategy, folder)).endswith(": is a directory, not a file")
    path = write(tmp_path, "s.toml", '[[brands]]\nstrategy = "folder.toml"\n')
    assert "is a directory, not a file" in str(error_of(load_scenario, path))


def test_day0_followers_beyond_the_whole_market_are_refused(tmp_path):
    """More day-0 followers than the market has people used to be capped without a word."""
    path = write(
        tmp_path, "f.toml", 'audience = "small"\n[[brands]]\nname = "A"\ninitial.followers = 1e9\n'
    )
    error = error_of(load_scenario, path)
    assert error.field == "brands[0].initial.followers" and error.line == 4
    assert "2,000 simulated people x market.scale 10 = 20,000 real people" in error.message
    path = write(
        tmp_path, "g.toml", 'audience = "small"\n[[brands]]\nname = "A"\ninitial.followers = 2e4\n'
    )
    assert load_scenario(path).brands[0].initial.followers == 20_000
    path = write(
        tmp_path, "h.toml", '[audience]\npreset = "small"\ngraph = { people = 300 }\n[[brands]]\n'
    )
    assert "(the default: the brand sets none)" in error_of(load_scenario, path).message


def test_people_beside_an_edge_list_are_refused_and_the_files_number_recorded(tmp_path):
    """An edge list has the people its file names: a file's other number would be unused, and
    the loaded scenario (what a manifest records) says how many people run."""
    path = write(tmp_path, "e.toml", '[audience]\npreset = "facebook_ego"\ngraph.people = 1000\n')
    error = error_of(load_scenario, path)
    assert error.field == "audience.graph.people" and error.line == 3
    assert "as many people as its file names (4,039 in facebook_combined.txt.gz)" in error.message
    loaded = load_scenario(write(tmp_path, "f.toml", 'audience = "facebook_ego"\n'))
    assert loaded.audience.graph.people == 4039
    recorded = loaded.model_dump(mode="json")
    assert scenario_from_dict(recorded).audience.graph.people == 4039  # a manifest loads again
