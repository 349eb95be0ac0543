"""Web app safety (docs/reliability.md): upload size, data-only parsing, no path traversal from
the web, bounded run size, a run time limit and a bounded queue. No browser: the functions the
pages call."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import pytest

from sim import loading
from sim.audience import edgelist
from sim.errors import ScenarioError
from viz import jobs, limits
from viz.choices import AudienceChoice, audience_for, resolve_strategy
from viz.jobs import Job, RunCache, RunQueue
from viz.pages import builder, compare, longgame

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = [
    "../x",
    "../../etc/passwd",
    "/etc/passwd",
    "~/.ssh/id_rsa",
    "strategies/../../pyproject.toml",
    "data/graphs/../../pyproject.toml",
    "C:\\Windows\\win.ini",
]
"""Names a web scenario might use to reach a file outside the shipped folders."""


# ---- uploads ------------------------------------------------------------------------------------


def test_upload_over_the_limit_is_refused_unread():
    text = 'name = "big"\n' + "# padding\n" * (limits.MAX_UPLOAD_BYTES // 10)
    assert len(text.encode()) > limits.MAX_UPLOAD_BYTES
    builder.on_upload({"name": "big.toml", "size": len(text), "text": text})
    assert "big.toml" in builder.upload_error.value and "64 KiB" in builder.upload_error.value
    # the browser sends only the size of a file over the limit: refused by that alone
    builder.on_upload({"name": "huge.toml", "size": 50_000_000, "text": ""})
    assert "huge.toml is 48,828 KiB" in builder.upload_error.value
    # at the limit a valid file loads
    ok = 'name = "fits"\npreset = "storytelling"\n'
    padded = ok + "#" * (limits.MAX_UPLOAD_BYTES - len(ok) - 1) + "\n"
    assert len(padded.encode()) == limits.MAX_UPLOAD_BYTES
    builder.on_upload({"name": "fits.toml", "size": len(padded), "text": padded})
    assert builder.upload_error.value == "" and builder.form.value["name"] == "fits"


def test_upload_is_parsed_as_data_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ran"
    code = "__import__('os').system('touch ran')"
    builder.on_upload({"name": "code.toml", "text": f'name = "{code}"\npreset = "storytelling"\n'})
    assert not marker.exists()
    assert builder.upload_error.value == "" and builder.form.value["name"] == code
    pickled = b"\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94"
    builder.on_upload({"name": "pickle.toml", "text": pickled.decode("latin-1")})
    assert "pickle.toml" in builder.upload_error.value and "invalid TOML" in (
        builder.upload_error.value
    )


def test_web_code_never_evaluates_or_unpickles():
    """No eval/exec/pickle/marshal/yaml in the code a web upload or choice goes through."""
    banned = {"eval", "exec", "compile", "__import__"}
    banned_modules = {"pickle", "marshal", "shelve", "yaml", "dill", "cloudpickle"}
    files = [*sorted((ROOT / "viz").rglob("*.py")), ROOT / "sim" / "loading.py"]
    for file in files:
        tree = ast.parse(file.read_text(), str(file))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, f"{file}:{node.lineno} calls {node.func.id}"
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                if isinstance(node, ast.ImportFrom) and node.module:
                    names.append(node.module)
                assert not banned_modules & {name.split(".")[0] for name in names}, (
                    f"{file}:{node.lineno} imports {names}"
                )


# ---- path traversal -----------------------------------------------------------------------------


@pytest.mark.parametrize("ref", OUTSIDE)
def test_uploaded_strategy_cannot_name_a_file(ref):
    with pytest.raises(ScenarioError, match="only shipped strategy names can be used here"):
        loading.strategy_from_dict({"preset": ref}, source="upload.toml")
    builder.on_upload({"name": "upload.toml", "text": f"preset = {ref!r}\n"})
    assert "only shipped strategy names" in builder.upload_error.value


@pytest.mark.parametrize("ref", OUTSIDE)
def test_web_scenario_cannot_name_a_file(ref):
    base = loading.load_scenario("base").model_dump()
    audience = {"name": "mine", "graph": {"kind": "edgelist", "path": ref}}
    with pytest.raises(ScenarioError, match="not a shipped graph") as error:
        loading.scenario_from_dict({**base, "audience": audience}, source="web.toml")
    assert error.value.field == "audience.graph.path"
    with pytest.raises(ScenarioError, match="only shipped audience names"):
        loading.scenario_from_dict({**base, "audience": ref}, source="web.toml")
    brands = [{**base["brands"][0], "strategy": ref}, *base["brands"][1:]]
    with pytest.raises(ScenarioError, match="only shipped strategy names"):
        loading.scenario_from_dict({**base, "brands": brands}, source="web.toml")


def test_existing_file_outside_is_refused_but_shipped_graphs_load(tmp_path):
    outside = tmp_path / "edges.txt"
    outside.write_text("1 2\n2 3\n")
    base = loading.load_scenario("base").model_dump()
    for path in (str(outside), "facebook_combined", "facebook_combined.txt.gz"):
        audience = {"name": "mine", "graph": {"kind": "edgelist", "path": path}}
        if path == str(outside):
            with pytest.raises(ScenarioError, match="not a shipped graph"):
                loading.scenario_from_dict({**base, "audience": audience})
        else:
            scenario = loading.scenario_from_dict({**base, "audience": audience})
            assert scenario.audience.graph.path == path


def test_symlink_out_of_the_graphs_folder_is_refused(tmp_path, monkeypatch):
    graphs, secret = tmp_path / "graphs", tmp_path / "secret.txt"
    graphs.mkdir()
    secret.write_text("1 2\n")
    (graphs / "facebook_combined.txt.gz").symlink_to(secret)
    (graphs / "lastfm_asia_edges.csv.gz").write_bytes(b"")
    monkeypatch.setattr(edgelist, "GRAPHS_DIR", graphs)
    with pytest.raises(ScenarioError, match="links outside data/graphs"):
        loading.shipped_graph("facebook_combined")
    with pytest.raises(ScenarioError, match="links outside data/graphs"):
        audience_for(AudienceChoice(kind="real", graph="facebook_combined"))
    assert loading.shipped_graph("lastfm_asia") == (graphs / "lastfm_asia_edges.csv.gz").resolve()


def test_symlink_out_of_the_shipped_presets_is_refused(tmp_path, monkeypatch):
    shipped, outside = tmp_path / "scenarios", tmp_path / "outside.toml"
    (shipped / "strategies").mkdir(parents=True)
    outside.write_text("posts_per_week = 3.0\n")
    (shipped / "strategies" / "linked.toml").symlink_to(outside)
    (shipped / "strategies" / "plain.toml").write_text("posts_per_week = 3.0\n")
    monkeypatch.setattr(loading, "shipped_dir", lambda: shipped)
    with pytest.raises(ScenarioError, match="links outside the shipped files"):
        loading.strategy_from_dict({"preset": "linked"})
    assert loading.strategy_from_dict({"preset": "plain"}).posts_per_week == 3.0
    # the CLI may follow its own links
    assert loading.load_strategy("linked").posts_per_week == 3.0


@pytest.mark.parametrize("ref", OUTSIDE)
def test_page_choices_cannot_name_a_file(ref):
    with pytest.raises(ScenarioError):
        audience_for(AudienceChoice(kind="real", graph=ref))
    with pytest.raises(ScenarioError):
        audience_for(AudienceChoice(kind="preset", preset=ref))
    with pytest.raises(ScenarioError):
        resolve_strategy(ref, {})


# ---- run size -----------------------------------------------------------------------------------


def test_run_size_limits():
    small = audience_for(AudienceChoice(preset="small"))
    assert limits.run_problem(small, 365, 5, 6) == ""
    default = audience_for(AudienceChoice(preset="default"))
    assert limits.run_problem(default, 730, 3, 3) == ""
    large = audience_for(AudienceChoice(preset="large"))
    assert "1,000,000 people" in limits.run_problem(large, 30, 1, 2)
    huge = audience_for(AudienceChoice(kind="generated", people=limits.MAX_PEOPLE + 500))
    assert "50,500 people" in limits.run_problem(huge, 30, 1, 2)
    assert "1 to 3,650 days" in limits.run_problem(small, limits.MAX_DAYS + 1, 1, 2)
    assert "Seeds must be 1 to 20" in limits.run_problem(small, 30, limits.MAX_SEEDS + 1, 2)
    most = audience_for(AudienceChoice(kind="generated", people=limits.MAX_PEOPLE))
    message = limits.run_problem(most, limits.MAX_DAYS, 5, 2)
    assert "Too big for the web app" in message and "person-days" in message
    real = audience_for(AudienceChoice(kind="real", graph="musae_facebook"))
    assert limits.run_problem(real, 730, 5, 6) == ""


def test_the_person_days_limit_counts_the_baseline_run():
    """25,000 people, 2,000 days and 10 seeds are 5e8 person-days a run: one strategy and the
    baseline are the limit exactly, two and the baseline are over it."""
    people = 25_000
    assert people * 2_000 * 10 * 2 == limits.MAX_PERSON_DAYS
    audience = audience_for(AudienceChoice(kind="generated", people=people))
    message = limits.run_problem(audience, 2_000, 10, 2)
    assert "x 3 runs (with the baseline) is 1,500,000,000 person-days" in message
    assert limits.run_problem(audience, 2_000, 10, 1) == ""  # 1e9 exactly, with the baseline


def test_a_real_graphs_run_is_sized_by_its_own_people():
    real = audience_for(AudienceChoice(kind="real", graph="facebook_combined"))
    assert limits.run_problem(real, limits.MAX_DAYS, limits.MAX_SEEDS, 2) == ""  # 4,039 people
    message = limits.run_problem(real, limits.MAX_DAYS, limits.MAX_SEEDS, 6)
    assert "4,039 people x 3,650 days x 20 seeds x 7 runs" in message
    assert "2,063,929,000 person-days; the limit is 1,000,000,000" in message


def test_pages_refuse_runs_over_the_limits(monkeypatch):
    compare.audience.set(AudienceChoice(preset="large"))
    assert "1,000,000 people" in compare._problem()
    started = []
    monkeypatch.setattr(compare, "Job", lambda *args, **kwargs: started.append(args))
    compare.start_run()
    assert started == [] and compare.current.value is None
    compare.audience.set(AudienceChoice())
    compare.seeds.set(21)
    assert "Seeds must be 1 to 20" in compare._problem()
    compare.seeds.set(5)
    assert compare._problem() == ""
    longgame.audience.set("large")
    assert "1,000,000 people" in longgame._problem()
    longgame.compute(12)
    assert longgame.results.value is None
    longgame.audience.set("default")
    longgame.days.set(14)
    assert f"at least {longgame.MIN_DAYS} days" in longgame._problem()
    longgame.days.set(730)
    assert longgame._problem() == ""


# ---- run time and queue -------------------------------------------------------------------------


def _finish(job: Job) -> None:
    job.thread.join(10)
    assert not job.thread.is_alive()


def test_time_limit_counts_time_in_run_slots_only(monkeypatch):
    monkeypatch.setattr(jobs, "RUN_QUEUE", RunQueue(slots=1, waiting=0))
    errors: list[str] = []

    def work(job: Job) -> None:
        time.sleep(0.4)  # outside a run slot (drawing results, say): not counted
        job.check()
        while True:
            with jobs.RUN_QUEUE.slot(job):
                job.check()
                time.sleep(0.01)

    job = Job(work, on_error=errors.append, time_limit=0.2).start()
    _finish(job)
    assert len(errors) == 1 and errors[0].startswith("TimeLimitExceeded: ")
    assert "0.2 s" in errors[0] and 0.2 < job.worked() < 0.4


def test_queue_is_bounded_and_waiting_is_visible_and_not_timed(monkeypatch):
    queue = RunQueue(slots=1, waiting=1)
    monkeypatch.setattr(jobs, "RUN_QUEUE", queue)
    release, holding = threading.Event(), threading.Event()
    errors: dict[str, list[str]] = {"a": [], "b": [], "c": []}
    waits: list[bool] = []

    def hold(job: Job) -> None:
        with queue.slot(job):
            holding.set()
            release.wait(10)

    def short(job: Job) -> None:
        with queue.slot(job):
            job.check()

    a = Job(hold, on_error=errors["a"].append).start()
    assert holding.wait(5)
    b = Job(short, on_error=errors["b"].append, on_wait=waits.append, time_limit=0.3).start()
    deadline = time.monotonic() + 5
    while not b.waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    assert b.waiting and waits == [True] and queue.jobs == 2
    c = Job(short, on_error=errors["c"].append).start()
    _finish(c)
    assert len(errors["c"]) == 1 and errors["c"][0].startswith("ServerBusy: the server is busy")
    time.sleep(0.6)  # b waits twice its time limit: queued time does not count
    release.set()
    _finish(a)
    _finish(b)
    assert errors == {"a": [], "b": [], "c": errors["c"]} and waits == [True, False]
    assert queue.jobs == 0


def test_free_slots_go_to_the_waiting_job_that_joined_first(monkeypatch):
    """Waiting sessions are served in the order they pressed Run, not at random."""
    queue = RunQueue(slots=1, waiting=4)
    monkeypatch.setattr(jobs, "RUN_QUEUE", queue)
    release, holding = threading.Event(), threading.Event()
    served: list[str] = []

    def hold(job: Job) -> None:
        with queue.slot(job):
            holding.set()
            release.wait(10)

    def serve(name: str):
        def work(job: Job) -> None:
            with queue.slot(job):
                served.append(name)

        return work

    first = Job(hold).start()
    assert holding.wait(5)
    waiting = []
    for name in "bcd":
        waiting.append(Job(serve(name)).start())
        deadline = time.monotonic() + 5
        while not waiting[-1].waiting and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waiting[-1].waiting
    release.set()
    for job in [first, *waiting]:
        _finish(job)
    assert served == ["b", "c", "d"]
    assert queue.jobs == 0


def test_cancel_while_queued(monkeypatch):
    queue = RunQueue(slots=1, waiting=2)
    monkeypatch.setattr(jobs, "RUN_QUEUE", queue)
    release, cancelled = threading.Event(), threading.Event()

    def hold(job: Job) -> None:
        with queue.slot(job):
            release.wait(10)

    a = Job(hold).start()
    b = Job(hold, on_cancel=cancelled.set).start()
    deadline = time.monotonic() + 5
    while not b.waiting and time.monotonic() < deadline:
        time.sleep(0.01)
    b.cancel()
    assert cancelled.wait(5)
    release.set()
    _finish(a)
    _finish(b)


def test_run_cache_is_bounded(monkeypatch):
    scenario = compare.comparison_for(
        [resolve_strategy("broadcasting", {})], audience_for(AudienceChoice(preset="small")), 5, 1
    ).scenario
    cache = RunCache(max_runs=2)
    names = ["broadcasting", "storytelling", "consistent_engagement"]
    for name in names:
        cache.run(scenario, resolve_strategy(name, {}), 42, 5)
    kept = [cache.has_run(scenario, resolve_strategy(name, {}), 42, 5) for name in names]
    assert kept == [False, True, True]
