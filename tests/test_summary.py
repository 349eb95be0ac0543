"""Statistics over seeds (sim.summary) on synthetic metrics tables."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import make_metrics
from scipy import stats

from sim import summary
from sim.metrics import FINAL_OUTCOMES


def test_t_interval_matches_scipy():
    values = [3.0, 5.0, 4.5, 6.0, 2.5]
    mean, lo, hi = summary.t_interval(values)
    expected = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert mean == pytest.approx(np.mean(values))
    assert (lo, hi) == pytest.approx(expected)


def test_t_interval_edge_cases():
    assert summary.t_interval([7.0]) == (7.0, 7.0, 7.0)
    assert summary.t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert all(math.isnan(x) for x in summary.t_interval([]))
    assert summary.t_interval([1.0, float("nan"), 3.0]) == pytest.approx(
        summary.t_interval([1.0, 3.0])
    )
    assert summary.t_interval(np.array([1.0, 2.0]))[0] == 1.5
    assert summary.t_interval(x for x in (1.0, 2.0))[0] == 1.5


def _profit_table(first_days: list[int | None], days: int = 20) -> pd.DataFrame:
    """One strategy; seed k's incremental profit turns positive on first_days[k] (never if None)."""
    frames = []
    for seed, first in enumerate(first_days):
        day = np.arange(days)
        profit = np.where(day >= first, 1.0, -1.0) if first is not None else -np.ones(days)
        frames.append(
            pd.DataFrame(
                {
                    "strategy": "s",
                    "seed": seed,
                    "brand": 0,
                    "day": day,
                    "incremental_profit": profit,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_break_even_median_over_seeds_that_broke_even():
    assert summary.break_even(_profit_table([4, 10, None, 6])) == (6.0, 3, 4)
    assert summary.break_even(_profit_table([4, 10, None, None])) == (7.0, 2, 4)  # half: shown


def test_break_even_none_if_fewer_than_half():
    assert summary.break_even(_profit_table([4, None, None, None])) == (None, 1, 4)
    assert summary.break_even(_profit_table([None, None])) == (None, 0, 2)


def test_break_even_uses_first_positive_day_even_if_it_dips_again():
    table = _profit_table([3])
    table.loc[table["day"] == 5, "incremental_profit"] = -1.0
    assert summary.break_even(table) == (3.0, 1, 1)


def test_break_even_respects_day_limit():
    assert summary.break_even(_profit_table([4, 10]), day=8) == (4.0, 1, 2)


def test_final_outcomes_shape_and_values(metrics):
    final = summary.final_outcomes(metrics)
    assert list(final["strategy"]) == ["steady", "flat"]
    assert set(final["day"]) == {29}
    assert set(final["seeds"]) == {4}
    for outcome in FINAL_OUTCOMES:
        assert {f"{outcome}_mean", f"{outcome}_lo", f"{outcome}_hi"} <= set(final.columns)
    steady = metrics[(metrics["strategy"] == "steady") & (metrics["day"] == 29)]
    mean, lo, hi = summary.t_interval(steady["cum_revenue"])
    row = final.iloc[0]
    assert (row["revenue_mean"], row["revenue_lo"], row["revenue_hi"]) == pytest.approx(
        (mean, lo, hi)
    )
    assert row["break_even_count"] == 4
    assert 4 <= row["break_even_day"] <= 6  # 2 * day - 10 > 0 from day 6, give or take noise


def test_final_outcomes_at_a_given_day(metrics):
    final = summary.final_outcomes(metrics, day=3)
    assert set(final["day"]) == {3}
    assert final["break_even_day"].isna().all()  # nobody breaks even by day 3
    with pytest.raises(ValueError, match="day 99"):
        summary.final_outcomes(metrics, day=99)


def test_final_outcomes_per_brand():
    final = summary.final_outcomes(make_metrics(seeds=2, days=5, brands=2))
    assert len(final) == 4
    assert list(final[["strategy", "brand"]].itertuples(index=False, name=None)) == [
        ("steady", 0),
        ("steady", 1),
        ("flat", 0),
        ("flat", 1),
    ]


def test_paired_difference_and_beats(metrics):
    mean, lo, hi = summary.paired_difference(metrics, "steady", "flat", "revenue")
    at_end = metrics[metrics["day"] == 29].pivot(
        index="seed", columns="strategy", values="cum_revenue"
    )
    assert (mean, lo, hi) == pytest.approx(summary.t_interval(at_end["steady"] - at_end["flat"]))
    assert lo > 0
    assert summary.beats(metrics, "steady", "flat", "revenue")
    assert not summary.beats(metrics, "flat", "steady", "revenue")
    assert not summary.beats(metrics, "steady", "flat", "revenue", day=0)  # both start at 0


def test_paired_difference_pairs_on_common_seeds(metrics):
    fewer = metrics[~((metrics["strategy"] == "flat") & (metrics["seed"] == 42))]
    diff = summary.paired_difference(fewer, "steady", "flat", "followers")
    at_end = fewer[fewer["day"] == 29].pivot(index="seed", columns="strategy", values="followers")
    assert diff == pytest.approx(summary.t_interval((at_end["steady"] - at_end["flat"]).dropna()))
    with pytest.raises(ValueError, match="nope"):
        summary.paired_difference(metrics, "steady", "nope", "followers")


def test_crossover_day():
    days = np.arange(10)
    rows = []
    for seed in (1, 2):
        for day in days:
            # 'late' is below 'early' until day 6 and above from then on; a brief lead at day 2
            late = 10.0 if day == 2 else (0.0 if day < 6 else 20.0)
            rows.append(
                {"strategy": "late", "seed": seed, "brand": 0, "day": day, "cum_revenue": late}
            )
            rows.append(
                {"strategy": "early", "seed": seed, "brand": 0, "day": day, "cum_revenue": 5.0}
            )
    table = pd.DataFrame(rows)
    assert summary.crossover_day(table, "late", "early", "revenue") == 6
    assert summary.crossover_day(table, "early", "late", "revenue") is None


def test_daily_band(metrics):
    band = summary.daily_band(metrics[metrics["strategy"] == "steady"], "followers")
    assert list(band["day"]) == list(range(30))
    assert (band["lo"] <= band["mean"]).all() and (band["mean"] <= band["hi"]).all()
    one_seed = summary.daily_band(
        metrics[(metrics["seed"] == 42) & (metrics["strategy"] == "flat")], "followers"
    )
    assert (one_seed["lo"] == one_seed["mean"]).all()


def test_intervals_stop_at_zero_where_an_outcome_cannot_be_negative():
    """Two seeds far apart: the t-interval of their mean reaches below 0, which a revenue or
    an equity cannot; a profit can."""
    wide = make_metrics({"spread": 1.0}, seeds=2, days=3)
    wide.loc[wide["seed"] == 42, ["cum_revenue", "equity", "incremental_profit"]] = 1.0
    wide.loc[wide["seed"] == 43, ["cum_revenue", "equity", "incremental_profit"]] = 100.0
    row = summary.final_outcomes(wide).iloc[0]
    assert row["revenue_lo"] == 0.0 and row["revenue_hi"] > 100.0
    assert row["incremental_profit_lo"] < 0.0
    assert (summary.daily_band(wide, "equity")["lo"] == 0.0).all()
    assert (summary.daily_band(wide, "incremental_profit")["lo"] < 0.0).all()


def test_to_json_shape(metrics):
    payload = summary.to_json(summary.final_outcomes(metrics))
    json.dumps(payload, allow_nan=False)  # strictly valid JSON
    assert payload["days"] == 30  # days 0..29
    assert payload["day"] == 29
    assert payload["seeds"] == 4
    assert [item["strategy"] for item in payload["results"]] == ["steady", "flat"]
    final = payload["results"][0]["final"]
    assert set(final) == {*FINAL_OUTCOMES, "break_even_day"}
    assert set(final["followers"]) == {"mean", "lo", "hi"}
    assert set(final["break_even_day"]) == {"median", "count"}
    assert final["break_even_day"]["count"] == 4


def test_to_json_nan_and_missing_break_even(metrics):
    table = metrics.drop(columns=["incremental_profit"])
    payload = summary.to_json(summary.final_outcomes(table))
    final = payload["results"][0]["final"]
    assert final["incremental_profit"] == {"mean": None, "lo": None, "hi": None}
    assert final["break_even_day"] == {"median": None, "count": 0}
    json.dumps(payload, allow_nan=False)


def test_a_strategy_that_never_breaks_even_beside_one_that_does():
    """A column of days and None must keep the None ("none"), not turn it into NaN."""
    from sim.text import outcome_cells

    table = summary.final_outcomes(make_metrics({"steady": 2.0, "never": 0.0}, seeds=1))
    steady, never = (outcome_cells(row, ["followers"])[-1] for _, row in table.iterrows())
    assert steady in ("5 (1/1 seeds)", "6 (1/1 seeds)") and never == "none (0/1 seeds)"
    assert summary.to_json(table)["results"][1]["final"]["break_even_day"]["median"] is None


def test_table_cells_show_the_engagement_rate_in_percent():
    """Rates are tiny shares (Rival IQ reports them in percent); other outcomes stay numbers."""
    from sim.text import outcome_cells, percent

    assert (percent(0.000577), percent(0.0412), percent(float("nan"))) == ("0.0577%", "4.12%", "-")
    table = summary.final_outcomes(make_metrics({"steady": 2.0}, seeds=3))
    row = table.iloc[0]
    rate, followers = outcome_cells(row, ["engagement_rate", "followers"])[:2]
    low, high = (percent(row[f"engagement_rate_{stat}"]) for stat in ("lo", "hi"))
    assert rate == f"{percent(row['engagement_rate_mean'])} [{low}, {high}]"
    assert "%" not in followers


def test_table_cells_keep_their_trailing_zeros_so_digits_line_up():
    """A mean and its interval show the same significant digits: '4.80k [1.82k, 7.78k]', not
    '4.8k'; an exact 0 stays '0'. Axis ticks keep their short form."""
    from sim.text import compact, mean_cell, number, percent

    assert [number(v) for v in (4800, -0.89, 36, 433, 0, 1e6)] == [
        "4.80k",
        "-0.890",
        "36.0",
        "433",
        "0",
        "1.00M",
    ]
    assert (percent(0.005), percent(0.0)) == ("0.500%", "0%")
    assert mean_cell(85.7, 36.0, 135.0, 3) == "85.7 [36.0, 135]"
    assert mean_cell(0.0055, 0.0, 0.012, 3, percent) == "0.550% [0%, 1.20%]"
    assert (compact(4800), compact(0.5)) == ("4.8k", "0.5")


def test_charts_show_the_engagement_rate_in_percent_like_the_tables():
    from sim.charts import trajectories_figure

    figure = trajectories_figure(make_metrics(days=5), ["engagement_rate", "followers"])
    figure.canvas.draw()
    rate, followers = (
        [label.get_text() for label in axes.get_yticklabels()] for axes in figure.axes[:2]
    )
    assert all(text.endswith("%") for text in rate)
    assert not any(text.endswith("%") for text in followers)


def test_chart_axes_of_counts_and_of_quantities_that_cannot_be_negative():
    """People come in whole numbers, and an outcome that is never negative gets no axis below
    0 (a flat 0, or a wide band over few seeds, would draw one)."""
    from sim.charts import trajectories_figure

    df = make_metrics({"only": 0.1}, seeds=2, days=5)
    df["engagement_rate"] = 0.0
    df["followers"] = 990 + 0.5 * df["day"]  # 990 to 992: ticks every half person unless whole
    df["incremental_profit"] = -df["incremental_profit"].abs()
    columns = ["followers", "engagement_rate", "equity", "incremental_profit"]
    figure = trajectories_figure(df, columns)
    figure.canvas.draw()
    followers, rate, equity, profit = figure.axes[:4]
    assert all(float(tick).is_integer() for tick in followers.get_yticks())
    assert rate.get_ylim()[0] == 0 and equity.get_ylim()[0] == 0
    assert profit.get_ylim()[0] < 0  # a signed outcome keeps its negative side


@pytest.mark.parametrize(("seeds", "legend"), [(1, "one seed"), (3, "band: 95% interval")])
def test_chart_legend_claims_a_band_only_over_seeds(seeds, legend):
    from sim.charts import trajectories_figure

    figure = trajectories_figure(make_metrics(seeds=seeds, days=5), ["equity"])
    assert legend in figure.legends[0].get_title().get_text()


def test_importing_the_chart_modules_leaves_the_backend_alone():
    """A notebook's matplotlib backend (its inline plots) survives importing every module that
    draws: they build Figure objects and never switch the backend."""
    code = (
        "import matplotlib; matplotlib.use('svg'); "
        "import sim.charts, experiments.figures, viz.charts, sim.validation.bass, "
        "sim.validation.cascade; print(matplotlib.get_backend())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "svg"


def test_chart_files_are_the_same_bytes_each_time(tmp_path):
    from sim.charts import trajectories_figure
    from sim.output import write_results

    df = make_metrics(days=5)
    files = []
    for name in ("a", "b"):
        paths = write_results(df, tmp_path / name, figures={"chart": trajectories_figure(df)})
        files.append([paths[kind].read_bytes() for kind in ("chart", "chart_svg")])
    assert files[0] == files[1] and b"<dc:date>" not in files[0][1]


def test_chart_tells_sixteen_strategies_apart():
    """Ten colours, then the same colours dashed: no two lines look alike."""
    from sim.charts import trajectories_figure

    strategies = {f"s{index}": float(index) for index in range(16)}
    figure = trajectories_figure(make_metrics(strategies, seeds=2, days=5), ["equity"])
    lines = figure.axes[0].get_lines()
    looks = {(line.get_color(), line.get_linestyle()) for line in lines}
    assert len(lines) == len(looks) == 16
    bands = [band for band in figure.axes[0].collections if band.get_alpha()]
    assert all(band.get_alpha() < 0.1 for band in bands)


def test_paired_differences_count_and_use_only_the_shared_seeds():
    """A strategy run on seeds the reference lacks is paired on the seeds both have."""
    df = make_metrics({"A": 2.0, "B": 1.0}, seeds=3)
    df = df[(df["strategy"] == "A") | (df["seed"] < 44)]  # B lacks seed 44
    found = summary.paired_with(df, "B").iloc[0]
    assert found["strategy"] == "A" and found["seeds"] == 2
    last = df[(df["day"] == df["day"].max()) & (df["seed"] < 44)].set_index(["seed", "strategy"])
    gaps = last["followers"].unstack()
    assert found["followers_mean"] == pytest.approx((gaps["A"] - gaps["B"]).mean())


def test_strategies_that_posted_but_got_no_comment_are_named():
    """The CLI's note that replies had nothing to act on: a strategy that posted and got no
    comment in any run; not one that got comments, nor one that never posted."""
    rows = [
        {"strategy": "quiet", "brand": "A", "seed": 0, "day": 0, "posts": 1.0, "comments": 0.0},
        {"strategy": "quiet", "brand": "A", "seed": 1, "day": 0, "posts": 1.0, "comments": 0.0},
        {"strategy": "talked", "brand": "A", "seed": 0, "day": 0, "posts": 1.0, "comments": 0.0},
        {"strategy": "talked", "brand": "A", "seed": 1, "day": 0, "posts": 1.0, "comments": 2.0},
        {"strategy": "absent", "brand": "A", "seed": 0, "day": 0, "posts": 0.0, "comments": 0.0},
    ]
    assert summary.without_comments(pd.DataFrame(rows)) == ["quiet"]
    two_brands = pd.DataFrame([{**rows[0], "brand": "B"}, rows[2], rows[3]])
    assert summary.without_comments(two_brands) == ["quiet / B"]
