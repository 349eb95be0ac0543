"""Experiment files: what a sweep runs, validated like scenarios.

An experiment is a TOML file (examples: ``experiments/smoke.toml``, ``experiments/robustness.toml``;
``docs/sweeps.md`` describes every key). It names a base scenario and the strategies to compare
on it (resolved by :mod:`sim.loading`, so presets, files and inline tables work as in comparison
files), the parameters to vary, how to sample them, seeds per point, the horizon, the outcomes to
keep and the headline comparisons for the robustness report.

Parameters are dotted paths into the scenario: ``behavior.reply_trust``,
``market.no_relationship``, ``brands.0.strategy.reply_rate`` (short: ``strategy.reply_rate``),
``platforms.facebook.follow_limit_per_day`` (by name, by index, or ``platforms.*.x`` / short
``platform.x`` for every platform), ``behavior.content_value.story``. Each is checked against the
schema (:mod:`sim.schema`): it must name a numeric parameter, and its range defaults to, and must
lie within, the schema's documented range. Every problem is a :class:`sim.errors.ScenarioError`
naming the file, the field, the line and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, Field, PrivateAttr, field_validator

from sim import loading, schema
from sim.audience.edgelist import is_file
from sim.errors import ScenarioError, allowed_range, is_directory, not_a_file
from sim.fields import get_at, model_of
from sim.metrics import COLUMNS, FINAL_OUTCOMES
from sim.schema import Comparison as ComparisonFile
from sim.schema import Graph, Scenario, Strategy, Strict, unique_strategies
from sim.text import did_you_mean, repeated

__all__ = [
    "DesignMethod",
    "Comparison",
    "Design",
    "Experiment",
    "Parameter",
    "ParameterRange",
    "apply_values",
    "load_experiment",
    "experiment_from_text",
    "outcome_names",
    "resolve_path",
    "list_experiments",
    "shipped_experiments",
]

DesignMethod = Literal["grid", "lhs", "sobol", "saltelli", "morris"]
"""Design methods: ``grid`` (every combination of each parameter's ``values``), ``lhs`` (Latin
hypercube) and ``sobol`` (scrambled Sobol' sequence) from :mod:`scipy.stats.qmc`, ``saltelli``
(SALib's Saltelli scheme, for full Sobol' indices) and ``morris`` (SALib's Morris trajectories,
for cheap screening)."""

SPECIAL_OUTCOMES = ("break_even_day",)
"""Outcomes computed from the whole run rather than read on one day."""

LOWER_IS_BETTER = frozenset(
    {
        "break_even_day",
        "cost",
        "cum_cost",
        "ad_spend",
        "unfollows",
        "cum_unfollows",
        *(name for name in COLUMNS if name.startswith(("unfollows_", "hours"))),
        "fake_followers",
        "restricted",
        "comments_ignored",
        "wrong_answers",
        "arguments",
        "reprisals",
        "mutes",
        "blocks",
        "complaints",
        "incidents",
    }
)
"""Outcomes (names without ``@DAY``) where less is better: costs, losses and delays."""

Seeding = Literal["common", "independent"]
"""How run seeds vary across design points: ``common`` (replicate r of every point has the same
seed, common random numbers) or ``independent`` (every run its own seed)."""

_ADDED_FIELDS = {"seeds_across_points": None}
_ADDED_COMPARISON_FIELDS = {"lower_is_better": None}
"""Fields added after sweeps were first stored, with the value that means "not given": left out
of the fingerprint at that value, so that older sweep directories still resume."""

_SPEC_KEYS = ("values", "low", "high", "log")
_SHORTHANDS = (("strategy.", "brands.0.strategy."), ("platform.", "platforms.*."))


class ParameterRange(Strict):
    """How one parameter varies: explicit ``values`` (grid) or a range ``low``..``high``.

    Missing bounds default to the schema's documented range; ``log`` samples the range
    log-uniformly (``low`` must then be above 0).
    """

    values: list[float] | None = Field(None, min_length=1, max_length=1000)
    low: float | None = None
    high: float | None = None
    log: bool = False


class Design(Strict):
    """How the parameter space is sampled."""

    method: DesignMethod = Field(
        "lhs", description="grid, lhs, sobol (scipy.stats.qmc), saltelli or morris (SALib)"
    )
    points: int = Field(
        16,
        ge=1,
        le=1_000_000,
        description="lhs/sobol: points; saltelli: base sample N (N*(D+2) points); "
        "morris: trajectories r (r*(D+1) points); not for grid",
    )
    levels: int = Field(4, ge=2, le=100, description="morris: grid levels")


class Comparison(Strict):
    """A headline comparison for the robustness report: ``better`` beats ``worse`` on
    ``outcome``. Either side may be a list of strategies, judged at each point by its best
    member (the highest mean over the point's seeds, or the lowest where less is better): "a
    listening strategy beats every mistake" is ``better = [CE, ST]``, ``worse = [BC, SP, OF, QE]``.
    """

    name: str = Field("", max_length=120)
    better: str | list[str]
    worse: str | list[str]
    outcome: str
    lower_is_better: bool | None = Field(
        None, description="whether less of the outcome is better (default: the outcome's own)"
    )

    @property
    def prefers_lower(self) -> bool:
        """Whether ``better`` should have less of the outcome: as set, else the outcome's
        direction (:data:`LOWER_IS_BETTER`)."""
        if self.lower_is_better is not None:
            return self.lower_is_better
        return self.outcome.partition("@")[0] in LOWER_IS_BETTER

    @field_validator("better", "worse", mode="before")
    @classmethod
    def _a_name_or_names(cls, side: Any) -> Any:
        if isinstance(side, str) or (
            isinstance(side, list) and side and all(isinstance(name, str) for name in side)
        ):
            return side
        raise ValueError("a strategy's name, or a list of one or more names")

    @property
    def pairwise(self) -> bool:
        """Whether each side is one strategy (a heatmap can show the difference)."""
        return isinstance(self.better, str) and isinstance(self.worse, str)

    @property
    def sides(self) -> tuple[list[str], list[str]]:
        """The strategies of ``better`` and of ``worse``, each as a list."""
        return _listed(self.better), _listed(self.worse)

    @property
    def label(self) -> str:
        """The name, or "CE beats BC on equity" built from the strategies' abbreviations (a
        side of several: "CE/ST")."""
        if self.name:
            return self.name
        better, worse = (_side_label(side) for side in self.sides)
        return f"{better} beats {worse} on {self.outcome}"


def _listed(side: str | list[str]) -> list[str]:
    return [side] if isinstance(side, str) else list(side)


def _side_label(strategies: list[str]) -> str:
    """A comparison's side in short: "CE", or "CE/ST" for the best of several."""
    from sim.claims import abbreviation

    return "/".join(abbreviation(strategy) for strategy in strategies)


@dataclass(frozen=True)
class Source:
    """Where an experiment was written: the origins of its keys (file, text, line) as loaded;
    not part of what the experiment is (two equal experiments from two files stay equal)."""

    origins: loading.Origins = field(compare=False)


class Experiment(Strict):
    """A sweep: the base scenario, strategies, parameters, design, seeds, horizon, outcomes.

    ``inputs`` are the files it was loaded from (its own, strategy and scenario files, edge
    lists), for the manifest of a sweep run on it."""

    file_keys: ClassVar[tuple[str, ...]] = ("days",)
    """Keys an experiment file may hold besides the fields (``days`` sets the scenario's)."""

    _source: Source | None = PrivateAttr(None)
    _inputs: list[Path] = PrivateAttr(default_factory=list)

    name: str = Field("experiment", min_length=1, max_length=80)
    description: str = Field("", max_length=2000)
    seed: int = Field(
        1, ge=0, le=2**63 - 1, description="experiment seed; run seeds derive from it"
    )
    scenario: Scenario = Field(default_factory=Scenario)
    strategies: list[Strategy] = Field(min_length=1, max_length=24)
    seeds: int = Field(1, ge=1, le=1000, description="seeds (replicates) per parameter point")
    seeds_across_points: Seeding | None = Field(
        None,
        description="common: replicate r of every point runs on the same seed (the default for "
        "a new sweep); independent: every run its own seed",
    )
    fixed: dict[str, float] = Field(
        default_factory=dict, description="parameters set to one value for the whole sweep"
    )
    parameters: dict[str, ParameterRange] = Field(min_length=1, max_length=64)
    design: Design = Field(default_factory=Design)
    outcomes: list[str] = Field(
        default_factory=lambda: [*FINAL_OUTCOMES, "break_even_day"], min_length=1
    )
    daily: list[str] = Field(default_factory=list, description="metrics kept as daily series")
    daily_every: int = Field(7, ge=1, le=3650, description="keep every n-th day of the series")
    comparisons: list[Comparison] = Field(default_factory=list)

    @field_validator("strategies")
    @classmethod
    def _unique_strategies(cls, strategies: list[Strategy]) -> list[Strategy]:
        return unique_strategies(strategies)

    @property
    def days(self) -> int:
        """The horizon: the scenario's days."""
        return self.scenario.days

    def resolved_parameters(self) -> list[Parameter]:
        """The varied parameters with their schema facts and final bounds, in file order."""
        return [
            resolve_parameter(self.scenario, path, spec) for path, spec in self.parameters.items()
        ]

    def stable_dump(self) -> dict[str, Any]:
        """The experiment as JSON data, without the fields added since sweeps were first stored
        where they are not given (so that it is the dump an older sweep stored)."""
        data = _without(self.model_dump(mode="json"), _ADDED_FIELDS)
        data["comparisons"] = [_without(c, _ADDED_COMPARISON_FIELDS) for c in data["comparisons"]]
        return data

    @property
    def inputs(self) -> list[Path]:
        """The files this experiment was loaded from (none for one built in code)."""
        return list(self._inputs)

    def fingerprint(self) -> str:
        """A short hash of the experiment as resolved (a store holds one experiment)."""
        text = json.dumps(self.stable_dump(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def error(self, loc: tuple[str | int, ...], message: str, value: Any = None) -> ScenarioError:
        """An error at a key path of the experiment (``("design", "points")``), found after
        loading: it names the file and the key's line when the experiment was loaded from
        text, else the experiment's name."""
        if self._source is None:
            return ScenarioError(message, self.name, ".".join(map(str, loc)))
        origins = self._source.origins
        doc = origins[()].doc
        return _error(origins, loc, value, message, doc.text)


def _without(data: dict[str, Any], unset: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the keys of ``unset`` whose value is the one given there."""
    return {k: v for k, v in data.items() if not (k in unset and v == unset[k])}


@dataclass(frozen=True)
class Parameter:
    """A varied parameter, resolved against the schema.

    ``path`` is the name as written (the column name in results), ``locs`` the key paths into
    ``Scenario.model_dump()`` it sets (several for ``platforms.*``), ``integer`` whether the schema
    field is an int (sampled values are rounded), ``low``/``high`` the range sampled, ``values``
    the grid values if any, ``log`` log-uniform sampling, ``description`` the schema's doc.
    """

    path: str
    locs: tuple[tuple[str | int, ...], ...]
    integer: bool
    low: float
    high: float
    log: bool
    values: tuple[float, ...] | None
    description: str


# ---- outcomes ---------------------------------------------------------------------------------


def outcome_names() -> list[str]:
    """Outcome names an experiment may keep (``NAME`` or ``NAME@DAY``)."""
    return [*FINAL_OUTCOMES, *SPECIAL_OUTCOMES, *(c for c in COLUMNS if c not in FINAL_OUTCOMES)]


def _outcome_problem(outcome: str, days: int) -> str | None:
    name, at, day = outcome.partition("@")
    names = outcome_names()
    if name not in names:
        return (
            f"unknown outcome {name!r}{did_you_mean(name, names)}; allowed: "
            f"{', '.join([*FINAL_OUTCOMES, *SPECIAL_OUTCOMES])}, any column of sim.metrics, each "
            "optionally @DAY"
        )
    if at and (not day.isdigit() or int(day) >= days):
        return f"the day after @ must be a whole number from 0 to {days - 1} (the horizon)"
    return None


# ---- parameter paths --------------------------------------------------------------------------


def _expand_shorthand(path: str) -> str:
    for short, full in _SHORTHANDS:
        if path.startswith(short):
            return full + path[len(short) :]
    return path


def _numeric_fields(model: type[BaseModel]) -> list[str]:
    return [
        name
        for name, field in model.model_fields.items()
        if field.annotation in (int, float) or model_of(field.annotation) is not None
    ]


def resolve_path(
    scenario: Scenario, path: str
) -> tuple[tuple[tuple[str | int, ...], ...], Any, dict[str, Any]]:
    """The key paths a dotted parameter name sets, its schema field and the field's bounds.

    Raises ValueError with what is allowed at the first part that does not resolve; the message
    does not repeat ``path`` (the caller names it, e.g. as the error's field).
    """
    parts = _expand_shorthand(path).split(".")
    model: type[BaseModel] = Scenario
    data: Any = scenario.model_dump()
    locs: list[tuple[str | int, ...]] = [()]
    field = None
    i = 0
    while i < len(parts):
        part = parts[i]
        if part not in model.model_fields:
            fields = list(_numeric_fields(model))
            where = ".".join(parts[:i]) or "the scenario"
            raise ValueError(
                f"{part!r} is not a parameter of {where}{did_you_mean(part, fields)}; "
                f"allowed: {', '.join(fields)}"
            )
        field = model.model_fields[part]
        locs = [(*loc, part) for loc in locs]
        if get_origin(field.annotation) is list:
            items = get_at(data, locs[0])
            if i + 1 >= len(parts):
                raise ValueError(f"name an element of {part} (an index, a name or *)")
            choice = parts[i + 1]
            if choice == "*":
                indices = list(range(len(items)))
            elif choice.isdigit() and int(choice) < len(items):
                indices = [int(choice)]
            else:
                names = [item.get("name") for item in items if isinstance(item, dict)]
                if choice not in names:
                    raise ValueError(
                        f"{part} has no element {choice!r}; allowed: indices "
                        f"0..{len(items) - 1}, names {names} or *"
                    )
                indices = [names.index(choice)]
            locs = [(*loc, index) for loc in locs for index in indices]
            i += 1
        sub = model_of(field.annotation)
        if sub is not None:
            if i + 1 >= len(parts):
                raise ValueError(
                    "a table, not a parameter; name one of its parameters: "
                    f"{', '.join(_numeric_fields(sub))}"
                )
            model = sub
        elif i + 1 < len(parts):
            raise ValueError(f"{'.'.join(parts[: i + 1])} is a single value, not a table")
        i += 1
    if field is None or field.annotation not in (int, float):
        raise ValueError("not a numeric parameter (only numbers can be varied)")
    bounds: dict[str, Any] = {"ge": None, "le": None}
    for item in field.metadata:
        for key in ("ge", "le", "gt", "lt"):
            if getattr(item, key, None) is not None:
                bounds[key[0] + "e"] = getattr(item, key)
    return tuple(locs), field, bounds


def _set(data: Any, loc: tuple[str | int, ...], value: Any) -> None:
    for part in loc[:-1]:
        data = data[part]
    data[loc[-1]] = value


def _default_bounds(
    spec: ParameterRange,
    plausible: tuple[float | None, float | None],
    lo_schema: float | None,
    hi_schema: float | None,
) -> tuple[float | None, float | None]:
    """A range's bounds: those given; for a missing one the schema's plausible bound (the range
    a sensitivity analysis should vary, docs/model.md section 8) where it has one that fits the
    bound given, else its accepted bound."""
    low, high = spec.low, spec.high
    if low is None:
        fits = plausible[0] is not None and (high is None or plausible[0] < high)
        low = plausible[0] if fits else lo_schema
    if high is None:
        fits = plausible[1] is not None and (low is None or plausible[1] > low)
        high = plausible[1] if fits else hi_schema
    return low, high


def resolve_parameter(scenario: Scenario, path: str, spec: ParameterRange) -> Parameter:
    """A parameter with its schema facts and bounds; ValueError names what is allowed."""
    locs, field, bounds = resolve_path(scenario, path)
    _check_graph_reads(scenario.audience.graph, locs)
    lo_schema, hi_schema = bounds["ge"], bounds["le"]
    allowed = allowed_range(lo_schema, hi_schema)
    low, high = _default_bounds(spec, schema.plausible(field) or (None, None), lo_schema, hi_schema)
    values = tuple(spec.values) if spec.values is not None else None
    if values is not None and (twice := repeated(values)):
        shown = ", ".join(f"{value:g}" for value in twice)
        raise ValueError(f"values repeat {shown}: give each value once")
    checked = [*(values or ()), *(v for v in (spec.low, spec.high) if v is not None)]
    for value in checked:
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        if field.annotation is int and value in (values or ()) and value != int(value):
            raise ValueError(f"{value:g} is not a whole number; this parameter takes whole ones")
        if (lo_schema is not None and value < lo_schema) or (
            hi_schema is not None and value > hi_schema
        ):
            raise ValueError(f"{value:g} is outside the schema's range: must be {allowed}")
    if values is None:
        if low is None or high is None:
            raise ValueError("give low and high (the schema documents no range)")
        if not low < high:
            raise ValueError(f"low must be below high (got {low:g} and {high:g})")
        if spec.log and low <= 0:
            raise ValueError("log = true needs low above 0")
    else:
        low, high = min(values), max(values)
    return Parameter(
        path=path,
        locs=locs,
        integer=field.annotation is int,
        low=float(low),
        high=float(high),
        log=spec.log,
        values=values,
        description=field.description or "",
    )


def _check_graph_reads(graph: Graph, locs: tuple[tuple[str | int, ...], ...]) -> None:
    """ValueError for a graph field the audience's kind of graph is not built from: setting it
    would change nothing, and a sweep of it would read as a null result."""
    reads = Graph.reads[graph.kind]
    for loc in locs:
        if loc[:2] == ("audience", "graph") and loc[2] not in reads:
            if graph.kind == "edgelist":
                built = f"an edge list ({Path(graph.path or '').name}), whose ties are its file's"
            else:
                built = f"{graph.kind}, built from {', '.join(sorted(reads))} alone"
            raise ValueError(
                f"the audience's graph is {built}: {loc[2]} would change nothing; choose an "
                "audience whose graph is built from it"
            )


def apply_values[T: (Scenario, ComparisonFile)](target: T, values: dict[str, float]) -> T:
    """The scenario (or comparison) with each dotted parameter set (ints rounded), validated
    again. A comparison's ``strategy.*`` values go to each strategy it compares, as a sweep
    applies them (its scenario's own first strategy is replaced by each of them when it runs)."""
    if not isinstance(values, dict):
        raise TypeError(f"apply_values takes a dict of dotted names and numbers, not {values!r}")
    if isinstance(target, ComparisonFile):
        from sim.runner import with_strategy

        strategies = [
            _set_values(with_strategy(target.scenario, strategy), values).brands[0].strategy
            for strategy in target.strategies
        ]
        return ComparisonFile.model_validate(
            {
                **target.model_dump(),
                "scenario": _set_values(target.scenario, values).model_dump(),
                "strategies": [strategy.model_dump() for strategy in strategies],
            }
        )
    if not isinstance(target, Scenario):
        raise TypeError(
            f"apply_values takes a Scenario or a Comparison, not {type(target).__name__}"
        )
    return _set_values(target, values)


def _set_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    data = scenario.model_dump()
    for path, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{path}: {value!r} is not a number")
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value} is not a finite number")
        try:
            locs, field, _ = resolve_path(scenario, path)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        number = int(round(value)) if field.annotation is int else float(value)
        for loc in locs:
            _set(data, loc, number)
    return Scenario.model_validate(data)


# ---- loading ----------------------------------------------------------------------------------


SHIPPED_DIR = Path(__file__).parent
"""Where the shipped experiments are (``longgame sweep NAME`` finds them by name)."""


def list_experiments() -> list[tuple[str, str]]:
    """(name, description) of each experiment shipped in ``experiments/``, sorted by name (an
    unreadable file has no description: ``longgame sweep`` will say what is wrong with it)."""
    found = []
    for path in sorted(SHIPPED_DIR.glob("*.toml")):
        try:
            description = tomllib.loads(path.read_text("utf-8")).get("description", "")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            description = ""
        found.append((path.stem, str(description)))
    return found


def shipped_experiments() -> list[str]:
    """The names of the experiments shipped in ``experiments/``, sorted."""
    return [name for name, _ in list_experiments()]


def _experiment_file(path: str | Path) -> Path:
    """The file a path or a shipped experiment's name refers to. A name that is none says what
    it is (a shipped comparison, ...) or which shipped experiment is closest, and lists them."""
    file = Path(path)
    if is_file(file):
        return file
    ref = str(path)
    match = re.fullmatch(r"(?:([\w-]+)/)?([\w-]+)", ref)
    if match is None:
        raise ScenarioError(not_a_file(file), ref)
    folder, name = match.groups()
    if folder in (None, SHIPPED_DIR.name) and is_file(SHIPPED_DIR / f"{name}.toml"):
        return SHIPPED_DIR / f"{name}.toml"
    if is_directory(file):
        raise ScenarioError(not_a_file(file), ref)
    other = loading.shipped_kind(ref)
    if other is not None:
        raise ScenarioError(
            f"{ref!r} is a shipped {other}, not an experiment; {loading.WHERE_IT_GOES[other]}"
        )
    if folder not in (None, SHIPPED_DIR.name):
        raise ScenarioError(not_a_file(file), ref)
    names = shipped_experiments()
    raise ScenarioError(
        f"unknown experiment {ref!r}{did_you_mean(name, names)}; shipped experiments are: "
        f"{', '.join(names)} (or give a file path)"
    )


def load_experiment(path: str | Path) -> Experiment:
    """An experiment from a TOML file (or the name of one shipped in ``experiments/``)."""
    file = _experiment_file(path)
    name = loading.display_name(file)
    with loading.files_read() as read:
        try:
            text = loading.read_text(file, name)
        except OSError as exc:
            raise ScenarioError(f"cannot read the file: {exc}", name) from None
        experiment = _experiment(text, name, file.resolve().parent)
    if "name" not in loading.parse_toml_text(text, name):
        experiment = experiment.model_copy(update={"name": file.stem})
    experiment._inputs = loading.inputs_of(read, experiment.scenario)
    return experiment


def _flatten(table: Any, prefix: str = "", ranges: bool = True) -> Any:
    """``{behavior = {reply_trust = {low = ..}}}`` (TOML dotted keys) -> ``{"behavior.reply_trust":
    {low = ..}}``. With ``ranges`` (``[parameters]``) a table of plain values (range keys, or
    misspelt ones) is a parameter; without (``[fixed]``, whose parameters are numbers) every
    table is flattened."""
    if not isinstance(table, dict):
        return table
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        is_table = isinstance(value, dict)
        is_range = ranges and is_table and not any(isinstance(v, dict) for v in value.values())
        if is_table and not is_range:
            out.update(_flatten(value, f"{name}.", ranges))
        else:
            out[name] = value
    return out


def experiment_from_text(
    text: str, source: str = "<text>", base_dir: Path | None = None
) -> Experiment:
    """An experiment from TOML text; ``base_dir`` resolves file references (None: shipped names
    only). Errors are ScenarioErrors naming ``source``, the field and the line."""
    with loading.files_read() as read:
        experiment = _experiment(text, source, base_dir)
    experiment._inputs = loading.inputs_of(read, experiment.scenario)
    return experiment


def _experiment(text: str, source: str, base_dir: Path | None) -> Experiment:
    if "=" not in text and text.strip().endswith(".toml"):
        raise ScenarioError(
            f"{text.strip()!r} is a file name, not TOML text: load a file with load_experiment",
            source,
        )
    data = loading.parse_toml_text(text, source)
    _refuse_comparison(data, source)
    design = data.get("design")
    if isinstance(design, dict):
        method = design.get("method", Design.model_fields["method"].default)
        for key, used, message in (
            (
                "points",
                method != "grid",
                "points is for sampled designs; a grid runs every combination of the values",
            ),
            ("levels", method == "morris", f"levels is for morris designs; {method} has none"),
        ):
            if key in design and not used and method in get_args(DesignMethod):
                line = _line_of_key(text, key)
                raise ScenarioError(message, source, field=f"design.{key}", line=line)

    def flatten_parameters(table: dict[str, Any]) -> dict[str, Any]:
        for key in ("parameters", "fixed"):
            if isinstance(table.get(key), dict):
                table[key] = _flatten(table[key], ranges=key == "parameters")
        _check_range_keys(table.get("parameters"), text, source)
        _refuse_choices(table, text, source)
        return table

    experiment: Experiment
    experiment, origins = loading.with_comparison(
        Experiment, data, source, text, base_dir, flatten_parameters
    )
    _check(experiment, origins, text)
    experiment._source = Source(origins)
    return experiment


def _refuse_comparison(data: dict[str, Any], source: str) -> None:
    """Refuse a comparison file given as an experiment: it has no ``parameters`` to vary and
    nothing a comparison file could not hold (else the error would be a missing key)."""
    keys = set(ComparisonFile.model_fields) | set(ComparisonFile.file_keys)
    if (
        "parameters" not in data
        and data.keys() & {"scenario", "strategies"}
        and data.keys() <= keys
    ):
        raise ScenarioError(
            "this is a comparison file, not an experiment (it has no [parameters] to vary); "
            + loading.WHERE_IT_GOES["comparison"],
            source,
        )


def _check_range_keys(parameters: Any, text: str, source: str) -> None:
    """Refuse a misspelt range key (``hihg = 0.5``) by name, with its line and the allowed keys
    (pydantic would only say that the table is not a parameter range)."""
    if not isinstance(parameters, dict):
        return
    for path, spec in parameters.items():
        unknown = [key for key in spec if key not in _SPEC_KEYS] if isinstance(spec, dict) else []
        if unknown:
            key = unknown[0]
            message = (
                f"unknown range key {key!r}{did_you_mean(key, list(_SPEC_KEYS))}; allowed: "
                f"{', '.join(_SPEC_KEYS)}"
            )
            line = _line_of_key(text, path)
            raise ScenarioError(message, source, field=f"parameters.{path}", line=line)


def _refuse_choices(table: dict[str, Any], text: str, source: str) -> None:
    """Refuse a word or a switch (``boost_rule = "promo"``, ``adaptive = true``) fixed or varied
    by a sweep, saying where such a setting goes (pydantic would only say it is not a number)."""
    given = [(f"fixed.{path}", path, value) for path, value in _items(table.get("fixed"))]
    for path, spec in _items(table.get("parameters")):
        values = spec.get("values") if isinstance(spec, dict) else None
        if isinstance(values, list):
            given += [(f"parameters.{path}.values", path, value) for value in values]
    for key, path, value in given:
        if not isinstance(value, str | bool):
            continue
        setting = f"{path.rsplit('.', 1)[-1]} = {json.dumps(value)}"
        if isinstance(value, str) and _is_number(value):
            where = f"write it as a number, without quotes: {value.strip()}"
        elif path.startswith("strategy."):
            where = (
                f"set {setting} in the strategies compared instead, e.g. strategies = "
                f'[{{ preset = "consistent_engagement", name = "...", {setting} }}]'
            )
        else:
            section = path.rsplit(".", 1)[0] if "." in path else ""
            where = f"set {setting} in [scenario{'.' + section if section else ''}] instead"
        message = f"{json.dumps(value)}: only numbers can be fixed or varied in a sweep; {where}"
        raise ScenarioError(message, source, field=key, line=_line_of_key(text, path))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _items(table: Any) -> list[tuple[str, Any]]:
    return list(table.items()) if isinstance(table, dict) else []


def _error(origins: loading.Origins, loc: tuple, value: Any, message: str, text: str):
    """A sweep file's error at ``loc``, on the line of a dotted parameter key where there is one."""
    error = loading.error_at(origins, loc, value, message)
    if len(loc) >= 2 and isinstance(loc[1], str) and "." in loc[1]:
        error.line = _line_of_key(text, loc[1], table=str(loc[0])) or error.line
    return error


def _line_of_key(text: str, dotted: str, table: str | None = None) -> int | None:
    """The line of a parameter written as a quoted dotted key or under a sub-table; with
    ``table``, looked for from that table's header on (where it has one), so that the same
    parameter in ``[fixed]`` and ``[parameters]`` is found in each."""
    last = dotted.rsplit(".", 1)[-1]
    fallback = None
    lines = text.splitlines()
    start = 0
    if table:  # the table's header, or the first of its sub-tables' ([fixed.behavior])
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*[\].]")
        start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
    for number, line in enumerate(lines[start:], start + 1):
        code = line.split("#", 1)[0]
        if dotted in code:
            return number
        if fallback is None and re.search(rf"(^|[\s.\"']){re.escape(last)}[\"']?\s*=", code):
            fallback = number
    return fallback


def _claim(
    seen: dict[tuple[str | int, ...], str],
    parameter: Parameter,
    key: str,
    origins: loading.Origins,
    text: str,
) -> None:
    """Record the scenario fields ``key`` (``fixed.PATH`` or ``parameters.PATH``) sets; error if
    an earlier key sets one of them too (the same field under another name, e.g.
    ``strategy.X`` and ``brands.0.strategy.X``, or ``platform.X`` and ``platforms.0.X``)."""
    for loc in parameter.locs:
        if loc in seen:
            table, path = key.split(".", 1)
            message = (
                f"sets the same parameter ({'.'.join(map(str, loc))}) as {seen[loc]}; "
                "give each parameter once, either fixed or varied"
            )
            raise _error(origins, (table, path), None, message, text)
        table, path = key.split(".", 1)
        line = _line_of_key(text, path, table=table)
        seen[loc] = f"{key}" + (f" (line {line})" if line else "")


def _check(experiment: Experiment, origins: loading.Origins, text: str) -> None:
    """Checks that need the resolved scenario: parameter paths and ranges, outcomes,
    comparisons, the design."""
    scenario = experiment.scenario
    seen: dict[tuple[str | int, ...], str] = {}
    for path, value in experiment.fixed.items():
        try:
            parameter = resolve_parameter(scenario, path, ParameterRange(values=[value]))
            apply_values(scenario, {path: value})
        except ValueError as exc:
            raise _error(origins, ("fixed", path), value, str(exc), text) from None
        _claim(seen, parameter, f"fixed.{path}", origins, text)
    fixed = apply_values(scenario, dict(experiment.fixed)) if experiment.fixed else scenario
    if experiment.fixed and (problem := loading.followers_problem(fixed)):
        (_, brand, *_), followers, message = problem
        name = fixed.brands[brand].name
        message = f"with the fixed values, brand {name} ({followers:,.0f}) asks for {message}"
        raise _error(origins, ("fixed", next(iter(experiment.fixed))), None, message, text)
    for path, spec in experiment.parameters.items():
        try:
            parameter = resolve_parameter(scenario, path, spec)
        except ValueError as exc:
            raise _error(origins, ("parameters", path), None, str(exc), text) from None
        _claim(seen, parameter, f"parameters.{path}", origins, text)
    method = experiment.design.method
    for path, spec in experiment.parameters.items():
        if method == "grid" and spec.values is None:
            message = "design.method = 'grid' needs values = [...] for every parameter"
            raise _error(origins, ("parameters", path), None, message, text)
        if method != "grid" and spec.values is not None:
            message = f"values are for design.method = 'grid'; {method} samples low..high"
            raise _error(origins, ("parameters", path), None, message, text)
        if spec.values is not None and (spec.low is not None or spec.high is not None):
            message = "give values = [...] or low and high, not both (a grid runs the values)"
            raise _error(origins, ("parameters", path), None, message, text)
    days = experiment.days
    for key in ("outcomes", "daily"):
        for index, outcome in enumerate(getattr(experiment, key)):
            problem = _outcome_problem(outcome, days)
            if (
                key == "daily"
                and problem is None
                and ("@" in outcome or outcome in SPECIAL_OUTCOMES)
            ):
                problem = "daily series are metrics columns, without @DAY"
            if problem:
                raise _error(origins, (key, index), outcome, problem, text)
    names = [strategy.name for strategy in experiment.strategies]
    for index, comparison in enumerate(experiment.comparisons):
        for key, side in zip(("better", "worse"), comparison.sides, strict=True):
            listed = not isinstance(getattr(comparison, key), str)
            for position, named in enumerate(side):
                loc = ("comparisons", index, key, *((position,) if listed else ()))
                if named not in names:
                    hint = did_you_mean(named, names)
                    message = f"not one of the experiment's strategies{hint}: {names}"
                    raise _error(origins, loc, named, message, text)
                if named in side[:position]:
                    raise _error(origins, loc, named, "named twice in this list", text)
        if shared := set(comparison.sides[0]) & set(comparison.sides[1]):
            message = f"on both sides of the comparison: {sorted(shared)}"
            raise _error(origins, ("comparisons", index, "worse"), None, message, text)
        if comparison.outcome not in experiment.outcomes:
            hint = did_you_mean(comparison.outcome, experiment.outcomes)
            message = f"not one of the experiment's outcomes{hint}: {experiment.outcomes}"
            loc = ("comparisons", index, "outcome")
            raise _error(origins, loc, comparison.outcome, message, text)
