"""Loading scenario files: TOML text to validated schema objects, with presets and clear errors.

Five kinds of file: strategy, audience, platform, scenario and comparison. A name resolves to an
existing path first (relative to the current directory, or to the file that names it), else to the
file shipped in the ``scenarios`` package. Strategy, audience and platform tables may name a
``preset`` and override some of its keys. Every problem becomes a ``ScenarioError`` that names the
file, the field path and the line. docs/scenarios.md describes the files.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from sim.audience import edgelist
from sim.audience.edgelist import SHIPPED_GRAPHS, EdgeListError, is_file, resolve_graph_path
from sim.errors import ScenarioError, allowed_range, is_directory, not_a_file, problem_text
from sim.fields import get_at, literal_choices, model_of
from sim.schema import Audience, Brand, Comparison, Platform, Scenario, Strategy, bounds
from sim.text import comparison_name, did_you_mean, repeated
from sim.toml_text import toml_value

__all__ = [
    "FOLDERS",
    "audience_from_dict",
    "comparison_from_dict",
    "comparison_of",
    "display_name",
    "error_at",
    "files_read",
    "followers_problem",
    "inputs_of",
    "list_presets",
    "load_audience",
    "load_comparison",
    "load_platform",
    "load_scenario",
    "load_strategy",
    "locate",
    "parse_toml_text",
    "platform_problem",
    "read_text",
    "scenario_from_dict",
    "shipped_dir",
    "shipped_graph",
    "shipped_kind",
    "shipped_name",
    "strategy_from_dict",
    "with_comparison",
]

# Where the shipped files of each kind live, inside the `scenarios` package ("" = top level).
FOLDERS: dict[str, tuple[str, ...]] = {
    "strategy": ("strategies",),
    "audience": ("audiences",),
    "platform": ("platforms",),
    "scenario": ("",),
    "comparison": ("comparisons", ""),
}
MODELS: dict[str, type[BaseModel]] = {
    "strategy": Strategy,
    "audience": Audience,
    "platform": Platform,
    "scenario": Scenario,
    "comparison": Comparison,
}

Loc = tuple[str | int, ...]
PathLike = str | Path

MAX_DEPTH = 32
"""Deepest nesting of tables and arrays a file may have (the schema needs 6): deeper input is
an error, not a RecursionError."""


@dataclass(frozen=True)
class _Doc:
    """A TOML text being loaded: its name in messages, the folder its references resolve in (None
    for web uploads: shipped names only) and its text (to find lines)."""

    name: str
    dir: Path | None
    text: str = ""


@dataclass(frozen=True)
class _Site:
    """Where a value was written: its file, its key path in that file and in the loaded result."""

    doc: _Doc
    doc_path: Loc = ()
    at: Loc = ()

    def child(self, *keys: str | int) -> _Site:
        return _Site(self.doc, self.doc_path + keys, self.at + keys)

    def error(self, message: str, value: Any = None) -> ScenarioError:
        shown = None if value is None else _shown(value)
        line = _find_line(self.doc.text, self.doc_path)
        return ScenarioError(message, self.doc.name, _dotted(self.at), line, shown)


class Origins(dict[Loc, _Site]):
    """Which file wrote each key path of the loaded result (presets and overrides mixed), and
    the references that could not be resolved (``unresolved``: where, and the error), kept so
    that the file's other errors are counted too."""

    def __init__(self) -> None:
        super().__init__()
        self.unresolved: list[tuple[Loc, ScenarioError]] = []

    def resolve(self, site: _Site, load: Callable[[], Any], stand_in: Any = None) -> Any:
        """``load()``, what the value at ``site`` names; if it cannot be resolved, the error is
        kept and ``stand_in`` (default an empty table) stands in for it."""
        try:
            return load()
        except ScenarioError as error:
            self.unresolved.append((site.at, error))
            return {} if stand_in is None else stand_in


# ---- public API -------------------------------------------------------------------------------


def load_strategy(name_or_path: PathLike, base_dir: PathLike | None = None) -> Strategy:
    """A strategy from a shipped preset name or a TOML file."""
    return _load("strategy", name_or_path, base_dir)


def load_audience(name_or_path: PathLike, base_dir: PathLike | None = None) -> Audience:
    """An audience from a shipped name or a TOML file."""
    return _load("audience", name_or_path, base_dir)


def load_platform(name_or_path: PathLike, base_dir: PathLike | None = None) -> Platform:
    """A platform from a shipped name or a TOML file."""
    return _load("platform", name_or_path, base_dir)


def load_scenario(name_or_path: PathLike, base_dir: PathLike | None = None) -> Scenario:
    """A scenario from a shipped name or a TOML file, its strategies, audience and platforms
    resolved."""
    return _load("scenario", name_or_path, base_dir)


def load_comparison(name_or_path: PathLike, base_dir: PathLike | None = None) -> Comparison:
    """A comparison from a shipped name or a TOML file; its ``days`` (if any) set the scenario's."""
    return _load("comparison", name_or_path, base_dir)


def strategy_from_dict(data: dict[str, Any], source: str = "<dict>", text: str = "") -> Strategy:
    """A strategy from a parsed table (e.g. uploaded in the web app). Presets resolve to shipped
    names only; pass the TOML ``text`` to get line numbers in errors."""
    return _from_dict("strategy", data, source, text)


def audience_from_dict(data: dict[str, Any], source: str = "<dict>", text: str = "") -> Audience:
    """An audience from a parsed table, like ``strategy_from_dict``."""
    return _from_dict("audience", data, source, text)


def scenario_from_dict(data: dict[str, Any], source: str = "<dict>", text: str = "") -> Scenario:
    """A scenario from a parsed table, like ``strategy_from_dict``."""
    return _from_dict("scenario", data, source, text)


def comparison_from_dict(
    data: dict[str, Any], source: str = "<dict>", text: str = ""
) -> Comparison:
    """A comparison from a parsed table, like ``strategy_from_dict``."""
    return _from_dict("comparison", data, source, text)


def with_comparison(
    model: type[BaseModel],
    data: dict[str, Any],
    source: str,
    text: str,
    base_dir: Path | None,
    reshape: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> tuple[Any, Origins]:
    """A ``model`` object from a file's table whose ``scenario``, ``strategies`` and ``days``
    compose as a comparison's do (presets, files, overrides; ``days`` sets the scenario's), its
    other keys first passed through ``reshape``. Errors name ``source``, the field and the line;
    the origins returned place later errors (:func:`error_at`)."""
    site = _Site(_Doc(source, base_dir, text))
    origins = Origins()
    _mark(origins, data, site)
    pair = {"scenario": data.get("scenario", "base"), "strategies": data.get("strategies", [])}
    pair |= {key: data[key] for key in ("days",) if key in data}
    composed = _comparison(pair, site, origins)
    out = reshape({key: value for key, value in data.items() if key != "days"})
    out["scenario"], out["strategies"] = composed["scenario"], composed["strategies"]
    return _validate(model, out, origins), origins


def comparison_of(
    strategies: Sequence[PathLike | Strategy], scenario: PathLike | Scenario = "base"
) -> Comparison:
    """The comparison ``longgame compare A B ...`` makes: the strategies (preset names, files or
    Strategy objects), each in place of the first brand's, on ``scenario`` (a name, file or
    Scenario; the base scenario by default). Each strategy is compared once, and every platform
    a strategy uses must be the scenario's (a ScenarioError says what to do otherwise)."""
    if isinstance(strategies, str | Path | Strategy) or not strategies:
        raise TypeError(
            "comparison_of takes a list of one or more strategies (names, files or Strategy "
            f"objects), not {strategies!r}"
        )
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    loaded = [s if isinstance(s, Strategy) else load_strategy(s) for s in strategies]
    if twice := repeated(strategy.name for strategy in loaded):
        raise ScenarioError(
            "each strategy is compared once (results are kept by strategy name); "
            f"repeated: {', '.join(twice)}; give each strategy once, or, to compare a variant "
            "with its preset, give the variant its own name in its file or in a comparison file "
            "(docs/scenarios.md, Comparison)"
        )
    named = [
        ((given.name if isinstance(given, Strategy) else str(given),), strategy)
        for given, strategy in zip(strategies, loaded, strict=True)
    ]
    problem = platform_problem(base.platforms, named)
    if problem:
        (where, *_), _, message = problem
        raise ScenarioError(
            f"{where}: {message} (the {base.name} scenario's); to compare strategies on other "
            "platforms, give a comparison file whose scenario lists them "
            "(docs/scenarios.md, Comparison)"
        )
    name = comparison_name([strategy.name for strategy in loaded])
    return Comparison(name=name, scenario=base, strategies=loaded)


def parse_toml_text(text: str, source: str = "<text>") -> dict[str, Any]:
    """The table in TOML text; a syntax error, or nesting deeper than ``MAX_DEPTH``, becomes a
    ScenarioError with the source and line. A leading byte-order mark (as some Windows editors
    write) is ignored."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\s*\(at (?:line (\d+), column \d+|end of document)\)", message)
        line = None if match is None else int(match.group(1) or len(text.splitlines()) or 1)
        detail = message[: match.start()] if match else message
        lines = text.splitlines()
        if line is not None and 0 < line <= len(lines) and lines[line - 1].strip():
            detail += f" in {lines[line - 1].strip()[:80]!r}"
        raise ScenarioError(f"invalid TOML: {detail}", source, line=line) from None
    except RecursionError:  # tomllib parses nested arrays and inline tables recursively
        message = f"invalid TOML: arrays or inline tables nested too deeply (at most {MAX_DEPTH})"
        raise ScenarioError(message, source, line=_too_deep_line(text)) from None
    deep = _too_deep(data)
    if deep is not None:
        message = f"tables and arrays nested too deeply (at most {MAX_DEPTH} levels)"
        raise ScenarioError(message, source, _dotted(deep), _find_line(text, deep)) from None
    return data


def _too_deep_line(text: str) -> int | None:
    """The line where brackets and braces outside strings first open deeper than
    ``MAX_DEPTH``."""
    depth, quote = 0, ""
    for number, line in enumerate(text.splitlines(), 1):
        escaped = False
        for char in line:
            if escaped:
                escaped = False
            elif quote:
                escaped = char == "\\" and quote == '"'
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number
            elif char in "]}":
                depth -= 1
    return None


def _too_deep(data: Any) -> Loc | None:
    """The key path of a value nested deeper than ``MAX_DEPTH`` (a loop, not recursion)."""
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if len(loc) > MAX_DEPTH:
            return loc
        if isinstance(value, dict):
            stack.extend(((*loc, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*loc, index), item) for index, item in enumerate(value))
    return None


def list_presets(kind: str) -> list[tuple[str, str]]:
    """(name, one-line description) of each shipped file of a kind, sorted by name. The
    description is the file's ``description`` key, else the first line of its opening comment."""
    found: dict[str, str] = {}
    for folder in _folders(kind):
        for path in sorted((shipped_dir() / folder).glob("*.toml")):
            text = path.read_text(encoding="utf-8")
            data = parse_toml_text(text, display_name(path))
            if folder == "" and (kind == "comparison") != _is_comparison(data):
                continue
            found.setdefault(path.stem, _describe(path.stem, data, text))
    return sorted(found.items())


def shipped_kind(ref: str, other_than: str | None = None) -> str | None:
    """The kind of the shipped file ``ref`` names (other than ``other_than``), if any, alone or
    in its kind's folder (``quick``, ``comparisons/quick``): tells a user who gave, e.g., a
    comparison's name where a strategy goes where it belongs."""
    return next(
        (
            kind
            for kind in MODELS
            if kind != other_than
            and shipped_name(kind, ref) in {found for found, _ in list_presets(kind)}
        ),
        None,
    )


def shipped_name(kind: str, ref: str) -> str | None:
    """The name of a shipped file of ``kind`` that ``ref`` may mean: ``ref`` itself if it is a
    plain name (``quick``), or the name in a folder of that kind written before it
    (``comparisons/quick``, ``strategies/broadcasting``, as the docs name them); else None."""
    match = re.fullmatch(r"(?:([\w-]+)/)?([\w-]+)", ref)
    if match is None or (match.group(1) is not None and match.group(1) not in _folders(kind)):
        return None
    return match.group(2)


def locate(kind: str, name_or_path: PathLike, base_dir: PathLike | None = None) -> Path:
    """The file a name or path refers to: an existing path first (relative to ``base_dir``,
    default the current directory), else the shipped file of that kind with that name."""
    return _locate(kind, str(name_or_path), Path.cwd() if base_dir is None else Path(base_dir))


def shipped_dir() -> Path:
    """The folder of the shipped TOML files (found through the package, so it works when
    installed)."""
    return Path(str(files("scenarios")))


def shipped_graph(name: str) -> Path:
    """The file of a shipped real graph named by its short name or file name: the only graphs a
    web scenario may use. Any other name or path, or a shipped file that links outside
    ``data/graphs/``, raises ScenarioError."""
    files = {short: file for short, (file, _) in SHIPPED_GRAPHS.items()}
    file = files.get(name, name if name in files.values() else None)
    if file is None:
        raise ScenarioError(
            f"graph {name!r} is not a shipped graph; only these can be used here: "
            + ", ".join(files)
        )
    folder = edgelist.GRAPHS_DIR.resolve()
    path = (folder / file).resolve()
    if not path.is_relative_to(folder) or not is_file(path):
        raise ScenarioError(f"shipped graph {name!r} is missing or links outside data/graphs/")
    return path


# ---- finding and reading files ----------------------------------------------------------------


def _folders(kind: str) -> tuple[str, ...]:
    if kind not in FOLDERS:
        raise ValueError(f"unknown kind {kind!r}; kinds are: {', '.join(FOLDERS)}")
    return FOLDERS[kind]


def _locate(kind: str, ref: str, base_dir: Path | None, site: _Site | None = None) -> Path:
    """Resolves ref (see ``locate``); base_dir None allows shipped names only."""
    folders = _folders(kind)
    if "\0" in ref:
        message = "a file name cannot contain a NUL character"
        raise ScenarioError(message) if site is None else site.error(message, ref)
    candidate = Path(ref).expanduser()
    if base_dir is not None:
        candidate = base_dir / candidate
        if is_file(candidate):
            return candidate.resolve()
    if (name := shipped_name(kind, ref)) is not None:
        if name != ref:  # comparisons/quick: that folder only
            folders = (ref.partition("/")[0],)
        for folder in folders:
            shipped = shipped_dir() / folder / f"{name}.toml"
            if is_file(shipped):
                inside = shipped.resolve().is_relative_to(shipped_dir().resolve())
                if base_dir is None and not inside:
                    refused = f"shipped {kind} {ref!r} links outside the shipped files"
                    raise ScenarioError(refused) if site is None else site.error(refused, ref)
                return shipped.resolve()
    other = shipped_kind(ref, other_than=kind)
    if base_dir is not None and (name is None or is_directory(candidate)) and not other:
        message = not_a_file(candidate)
        file = display_name(candidate)
    elif name is not None or other:
        shipped = [found for found, _ in list_presets(kind)]
        message = (
            f"{ref!r} is a shipped {other}, not {_a(kind)}; {WHERE_IT_GOES[other]}"
            if other
            else f"unknown {kind} {ref!r}{did_you_mean(name, shipped)}; shipped {kind} names "
            f"are: {', '.join(shipped)} (or give a file path)"
        )
        file = None
    else:
        names = ", ".join(name for name, _ in list_presets(kind))
        message = f"only shipped {kind} names can be used here: {names}"
        file = None
    if site is None:
        raise ScenarioError(message, file)
    raise site.error(message if file is None else f"{message}: {file}", ref)


def _read(path: Path) -> tuple[_Doc, dict[str, Any]]:
    name = display_name(path)
    try:
        text = read_text(path, name)
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc}", name) from None
    return _Doc(name, path.parent, text), parse_toml_text(text, name)


_READ: ContextVar[list[Path] | None] = ContextVar("files_read", default=None)
"""Where :func:`files_read` collects the files read (None: not collecting)."""


@contextlib.contextmanager
def files_read() -> Iterator[list[Path]]:
    """The files read (:func:`read_text`) within the block, resolved, each once, in the order
    read, except the shipped presets (``sim.source_digest`` covers them): the inputs a result's
    manifest records."""
    outer = _READ.get()
    read: list[Path] = []
    token = _READ.set(read)
    try:
        yield read
    finally:
        _READ.reset(token)
        if outer is not None:  # a block inside another: the outer one read these too
            outer.extend(path for path in read if path not in outer)


def inputs_of(read: list[Path], scenario: Scenario) -> list[Path]:
    """The files a result is made from, for its manifest: those loaded (``read``, from
    :func:`files_read`) and the edge list of the scenario's audience, if it has one, with the
    labels file read beside it."""
    graph = scenario.audience.graph
    if graph.kind != "edgelist":
        return list(read)
    return [*read, *edgelist.files_of(resolve_graph_path(graph.path or ""))]


def read_text(path: Path, name: str) -> str:
    """A file's text; bytes that are not UTF-8 are a ScenarioError naming ``name`` and the
    line."""
    data = path.read_bytes()
    if (read := _READ.get()) is not None:
        resolved = path.resolve()
        if resolved not in read and not resolved.is_relative_to(shipped_dir().resolve()):
            read.append(resolved)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text: {exc.reason} (byte {exc.start})"
        raise ScenarioError(message, name, line=line) from None


def display_name(path: Path) -> str:
    """A file's name in messages, one that opens from the current directory: relative to it
    when inside it, else absolute (a shipped file too: ``scenarios/...`` would name no file from
    another directory)."""
    path = path.resolve()
    cwd = Path.cwd()
    return str(path.relative_to(cwd)) if path.is_relative_to(cwd) else str(path)


def _describe(name: str, data: dict[str, Any], text: str) -> str:
    """The ``description`` key, else the opening comment's first line (without "name: ")."""
    description = data.get("description")
    if isinstance(description, str) and description:
        return description
    comments = (line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    first = next((line for line in comments if line), "").removeprefix(f"{name}: ").rstrip(".")
    return first[:1].upper() + first[1:]


def _is_comparison(data: dict[str, Any]) -> bool:
    return "strategies" in data or "scenario" in data


WHERE_IT_GOES = {
    "strategy": "compare strategies with 'longgame compare'",
    "audience": "give it with --audience",
    "platform": "name it in a scenario's platforms",
    "scenario": "run it with 'longgame run'",
    "comparison": "run it alone with 'longgame compare'",
}
"""Where a file of each kind is used, for a file given in the wrong place."""


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _keys(model: type[BaseModel]) -> list[str]:
    """The keys a file of ``model`` may hold: its fields, and any taken out before validation."""
    return [*model.model_fields, *getattr(model, "file_keys", ())]


def _wrong_kind(kind: str, data: dict[str, Any]) -> str | None:
    """The kind ``data`` is when it is plainly not a ``kind``: its keys are not all this kind's
    but are all another's (a file given in the wrong place)."""
    keys = set(data) - {"name", "description", "preset"}

    def fits(model: type[BaseModel]) -> bool:
        return keys <= set(_keys(model))

    if not keys or fits(MODELS[kind]):
        return None
    return next((other for other, model in MODELS.items() if other != kind and fits(model)), None)


# ---- composing: presets, references, relative paths -------------------------------------------


def _load(kind: str, ref: PathLike, base_dir: PathLike | None) -> Any:
    origins = Origins()
    path = locate(kind, ref, base_dir)
    return _validate(MODELS[kind], _load_file(kind, path, (), origins), origins)


def _from_dict(kind: str, data: dict[str, Any], source: str, text: str) -> Any:
    origins = Origins()
    expanded = _expand(kind, data, _Site(_Doc(source, None, text)), origins)
    return _validate(MODELS[kind], expanded, origins)


def _load_file(
    kind: str,
    path: Path,
    at: Loc,
    origins: Origins,
    chain: tuple[Path, ...] = (),
    ref: _Site | None = None,
) -> Any:
    """A file of a kind, expanded; its name defaults to the file name. ``chain`` holds the files
    being loaded (a preset naming one of them is a cycle); ``ref`` is what named this file."""
    if path in chain and ref is not None:
        cycle = " -> ".join(display_name(item) for item in (*chain, path))
        raise ref.error(f"presets form a cycle: {cycle}")
    doc, data = _read(path)
    if (other := _wrong_kind(kind, data)) is not None:
        if ref is not None:
            raise ref.error(f"{doc.name} is a {other} file, not {_a(kind)}")
        allowed = _keys(MODELS[kind])
        stranger = next(key for key in data if key not in allowed)  # the first to tell
        message = f"this is a {other} file, not {_a(kind)}; {WHERE_IT_GOES[other]}"
        raise _Site(doc).child(stranger).error(message)
    result = _expand(kind, data, _Site(doc, (), at), origins, (*chain, path))
    if isinstance(result, dict) and "name" not in data:
        result["name"] = path.stem
    return result


def _expand(
    kind: str, value: Any, site: _Site, origins: Origins, chain: tuple[Path, ...] = ()
) -> Any:
    """A value of a kind with every reference in it replaced by the table it names."""
    origins.setdefault(site.at, site)
    if kind == "scenario":
        return _scenario(value, site, origins)
    if kind == "comparison":
        return _comparison(value, site, origins)
    return _compose(kind, value, site, origins, chain)


def _compose(kind: str, value: Any, site: _Site, origins: Origins, chain: tuple[Path, ...]) -> Any:
    """A strategy, audience or platform: a name or path, or a table that may name a ``preset``
    whose table its keys override (tables merge recursively, other values replace)."""
    if isinstance(value, str):
        loaded = origins.resolve(site, lambda: _referenced(kind, value, site, origins, chain))
        origins[site.at] = site  # the table as a whole comes from the reference
        return loaded
    if not isinstance(value, dict):
        return value  # validation reports the wrong type
    table = dict(value)
    base: dict[str, Any] = {}
    if "preset" in table:
        ref, ref_site = table.pop("preset"), site.child("preset")
        if not isinstance(ref, str):
            raise ref_site.error("must be a preset name or the path of a TOML file", ref)
        base = origins.resolve(
            ref_site, lambda: _referenced(kind, ref, ref_site, origins, chain, at=site.at)
        )
    if kind == "audience":
        table = origins.resolve(
            site.child("graph", "path"), lambda: _absolute_graph_path(table, site), table
        )
    _mark(origins, table, site)
    return _merge(base, table)


def _referenced(
    kind: str,
    ref: str,
    site: _Site,
    origins: Origins,
    chain: tuple[Path, ...] = (),
    at: Loc | None = None,
) -> Any:
    """The file of a kind that ``ref``, written at ``site``, names, expanded (at ``at`` in the
    result: default the site's own key path)."""
    path = _locate(kind, ref, site.doc.dir, site)
    return _load_file(kind, path, site.at if at is None else at, origins, chain, site)


def _scenario(value: Any, site: _Site, origins: Origins) -> Any:
    """A scenario table with its audience, platforms and brand strategies expanded."""
    if not isinstance(value, dict):
        return value
    if _is_comparison(value):
        key = "scenario" if "scenario" in value else "strategies"
        message = (
            "this is a comparison, not a scenario (it has 'scenario'/'strategies'); "
            "run it with 'longgame compare'"
        )
        raise site.child(key).error(message)
    _mark(origins, value, site)
    out = dict(value)
    if "audience" in out:
        out["audience"] = _compose("audience", out["audience"], site.child("audience"), origins, ())
    if isinstance(out.get("platforms"), list):
        out["platforms"] = [
            _compose("platform", item, site.child("platforms", i), origins, ())
            for i, item in enumerate(out["platforms"])
        ]
    if isinstance(out.get("brands"), list):
        out["brands"] = [
            {
                **brand,
                "strategy": _compose(
                    "strategy", brand["strategy"], site.child("brands", i, "strategy"), origins, ()
                ),
            }
            if isinstance(brand, dict) and "strategy" in brand
            else brand
            for i, brand in enumerate(out["brands"])
        ]
    return out


def _comparison(value: dict[str, Any], site: _Site, origins: Origins) -> dict[str, Any]:
    """A comparison table with its scenario and strategies expanded and its ``days`` applied."""
    if not _is_comparison(value):
        raise site.child("strategies").error(
            "missing: this is a scenario, not a comparison (a comparison has a 'scenario' and "
            "its 'strategies')"
        )
    _mark(origins, value, site)
    out = dict(value)
    days = out.pop("days", None)
    scenario = out.get("scenario", {})
    if isinstance(scenario, str):
        ref, name = site.child("scenario"), scenario
        scenario = origins.resolve(ref, lambda: _referenced("scenario", name, ref, origins))
    else:
        scenario = _scenario(scenario, site.child("scenario"), origins)
    if days is not None and isinstance(scenario, dict):
        scenario = {**scenario, "days": days}
        origins[("scenario", "days")] = site.child("days")
    out["scenario"] = scenario
    if isinstance(out.get("strategies"), list):
        out["strategies"] = [
            _compose("strategy", item, site.child("strategies", i), origins, ())
            for i, item in enumerate(out["strategies"])
        ]
    return out


def _absolute_graph_path(table: dict[str, Any], site: _Site) -> dict[str, Any]:
    """graph.path made absolute when it names a file next to the TOML file; a shipped graph's
    name is left for the audience builder; anything else is an error naming the field."""
    graph = table.get("graph")
    directory = site.doc.dir
    if not isinstance(graph, dict) or not isinstance(graph.get("path"), str):
        return table
    if directory is None:  # web: shipped graphs only
        try:
            shipped_graph(graph["path"])
        except ScenarioError as error:
            raise site.child("graph", "path").error(error.message, graph["path"]) from None
        return table
    candidate = directory / Path(graph["path"]).expanduser()
    if is_file(candidate):
        return {**table, "graph": {**graph, "path": str(candidate.resolve())}}
    try:
        resolve_graph_path(graph["path"], directory)
        return table
    except EdgeListError:
        pass
    shipped = ", ".join(file for file, _ in SHIPPED_GRAPHS.values())
    problem = not_a_file(candidate) if is_directory(candidate) else "graph file not found"
    raise site.child("graph", "path").error(
        f"{problem} (looked next to the file: {candidate}); allowed: an existing "
        f"edge-list file or a shipped graph: {shipped}",
        graph["path"],
    )


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: tables merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = _merge(out[key], value) if both else value
    return out


def _mark(origins: Origins, value: Any, site: _Site) -> None:
    origins[site.at] = site
    if isinstance(value, dict):
        for key, item in value.items():
            _mark(origins, item, site.child(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _mark(origins, item, site.child(i))


# ---- validating and explaining errors ---------------------------------------------------------


def _validate(model: type[BaseModel], data: Any, origins: Origins) -> Any:
    data = _with_defaults(model, data)
    try:
        result = model.model_validate(data, strict=True)
    except ValidationError as exc:
        if origins.unresolved:
            raise _unresolved_error(origins, exc.errors()) from None
        raise _convert(exc, model, data, origins) from None
    if origins.unresolved:
        raise _unresolved_error(origins, [])
    if isinstance(result, Comparison):
        strategies = [(("strategies", i), s) for i, s in enumerate(result.strategies)]
        problem = platform_problem(result.scenario.platforms, strategies)
        if problem:
            raise _platform_error(origins, *problem)
    scenario = getattr(result, "scenario", result)
    if isinstance(scenario, Scenario) and (problem := followers_problem(scenario)):
        loc = (*(("scenario",) if scenario is not result else ()), *problem[0])
        unset = "" if loc in origins else " (the default: the brand sets none)"
        raise error_at(origins, loc, problem[1], problem[2] + unset)
    return _sized_edge_list(result, origins)


def _sized_edge_list(result: Any, origins: Origins) -> Any:
    """``result`` with its edge-list audience's ``people`` set to the file's, so the scenario a
    manifest records says how many people ran. A file's own ``people`` naming another number is
    refused: the file decides who is in it, so the number would be silently unused."""
    scenario = getattr(result, "scenario", result)
    audience = getattr(scenario, "audience", scenario)
    if not isinstance(audience, Audience) or audience.graph.kind != "edgelist":
        return result
    from sim.audience import people_in

    try:
        people = people_in(audience.graph)
    except EdgeListError:
        return result  # the run says what is wrong with the file, at its line
    loc = (
        *(("scenario",) if scenario is not result else ()),
        *(("audience",) if audience is not scenario else ()),
        "graph",
        "people",
    )
    if loc in origins and audience.graph.people != people:
        name = Path(audience.graph.path or "").name
        message = (
            f"an edge list has as many people as its file names ({people:,} in {name}), so "
            "people would be unused: remove it, or use a generated graph to choose the number"
        )
        raise error_at(origins, loc, audience.graph.people, message)
    sized = audience.model_copy(
        update={"graph": audience.graph.model_copy(update={"people": people})}
    )
    if audience is not scenario:
        sized = scenario.model_copy(update={"audience": sized})
    return result.model_copy(update={"scenario": sized}) if scenario is not result else sized


def followers_problem(scenario: Scenario) -> tuple[Loc, Any, str] | None:
    """A brand asking for more day-0 followers than the whole market has people (the engines
    cap them at the main platform's members, which in a file is a mistake worth saying)."""
    graph = scenario.audience.graph
    if graph.kind == "edgelist":
        return None  # its people are known once the file is read
    market = graph.people * scenario.market.scale
    for index, brand in enumerate(scenario.brands):
        if brand.initial.followers > market:
            message = (
                f"more day-0 followers than the whole market: {graph.people:,} simulated people "
                f"x market.scale {scenario.market.scale:g} = {market:,.0f} real people; lower "
                "it, or enlarge the audience (audience.graph.people or market.scale)"
            )
            return ("brands", index, "initial", "followers"), brand.initial.followers, message
    return None


def _with_defaults(model: type[BaseModel], data: Any) -> Any:
    """Fills the keys a nested table leaves out from the field's default, so that a partial table
    such as ``norms = { story = 1.3 }`` changes only what it names (plain pydantic would set the
    other content types to 0)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for name, field in model.model_fields.items():
        sub, value = model_of(field.annotation), out.get(name)
        if sub is None:
            continue
        if isinstance(value, dict):
            default = field.get_default(call_default_factory=True)
            base = default.model_dump(exclude_none=True) if isinstance(default, BaseModel) else {}
            out[name] = _with_defaults(sub, _merge(base, value))
        elif isinstance(value, list):
            out[name] = [_with_defaults(sub, item) for item in value]
    return out


def _convert(
    exc: ValidationError, model: type[BaseModel], data: Any, origins: Origins
) -> ScenarioError:
    """The first validation error as a ScenarioError (with the count of the others); an unknown
    key comes first, since a misspelt key is often why a required one is missing."""
    errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
    first, more = errors[0], f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    loc = tuple(first["loc"])
    if first["type"] == "value_error" and _model_at(model, loc) is Scenario:
        problem = _scenario_platform_problem(get_at(data, loc))
        if problem:
            field, value, message = problem
            return _platform_error(origins, loc + field, value, message, more)
    value = first["input"]
    if first["type"] == "missing" or _has_table(value):
        value = None
    return error_at(origins, loc, value, _explain(first, model) + more)


def _unresolved_error(origins: Origins, errors: list[Any]) -> ScenarioError:
    """The first reference that could not be resolved, with the count of the other errors: the
    other such references, and the validation ``errors`` not caused by one (an error at, inside
    or around an unresolved reference may come from the empty table standing in for it)."""
    (_, first), *others = origins.unresolved
    places = [at for at, _ in origins.unresolved]

    def caused(loc: Loc) -> bool:
        return any(loc[: len(at)] == at or at[: len(loc)] == loc for at in places)

    count = len(others) + sum(not caused(tuple(error["loc"])) for error in errors)
    if not count:
        return first
    message = f"{first.message} (and {count} more)"
    return ScenarioError(message, first.file, first.field, first.line, first.value)


def _has_table(value: Any) -> bool:
    """A table, or an array holding one (too long to repeat in a message)."""
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(item, dict) for item in value)
    )


def _origin(origins: Origins, loc: Loc) -> tuple[_Site, Loc]:
    """The site that wrote the nearest recorded key above loc, and the rest of loc below it."""
    known = next(k for k in range(len(loc), -1, -1) if loc[:k] in origins)
    return origins[loc[:known]], loc[known:]


def error_at(
    origins: Origins, loc: Loc, value: Any, message: str, where: Loc | None = None
) -> ScenarioError:
    """An error at a key path of the loaded result (``where``, default the same path, says which
    key's file and line to report). The field is named as written: a comparison's ``days``, not
    the ``scenario.days`` it sets."""
    site, rest = _origin(origins, loc if where is None else where)
    line = _find_line(site.doc.text, site.doc_path + rest)
    if line is None:
        line = _find_line(site.doc.text, site.doc_path)
    shown = None if value is None else _shown(value)
    field = loc if where is not None else site.at + rest
    return ScenarioError(message, site.doc.name, _dotted(field), line, shown)


def _explain(error: Any, model: type[BaseModel]) -> str:
    """What is wrong and what is allowed, from the error and the schema."""
    kind, loc = error["type"], tuple(error["loc"])
    if kind == "extra_forbidden":
        holder = _model_at(model, loc[:-1])
        keys = _keys(holder) if holder else []
        return f"unknown key{did_you_mean(str(loc[-1]), keys)}; allowed keys are: {', '.join(keys)}"
    if kind == "missing":
        return "a required key is missing"
    field = _field_at(model, loc)
    return problem_text(
        error,
        _allowed_range(field),
        [str(choice) for choice in literal_choices(field.annotation if field else None)],
    )


def _platform_error(
    origins: Origins, loc: Loc, value: Any, message: str, more: str = ""
) -> ScenarioError:
    """A strategy's platforms missing from the scenario: reported where the strategy's platforms
    were written, unless they came from a preset (then where the strategy was named), or are
    the defaults, written nowhere (then where the strategy, or the brand that sets none, is,
    saying so). ``more`` counts the other errors."""
    strategy = loc[:-1]
    if loc[-1:] == ("platforms",) and loc not in origins:  # the defaults, written nowhere
        if strategy in origins:
            where, change = strategy, f"set {_dotted(loc)}"
            unset = f"{_dotted(strategy)} sets no platforms, so it has the default ones"
        else:
            where, change = strategy[:-1], f"set the brand's strategy, or {_dotted(loc)}"
            unset = (
                f"{_dotted(where)} sets no strategy, so it has the default one (the settings of "
                "consistent_engagement) and its platforms"
            )
        message += f" ({unset}; {change})"
        return error_at(origins, loc, value, message + more, where=where)
    same_file = _origin(origins, loc)[0].doc is _origin(origins, strategy)[0].doc
    return error_at(origins, loc, value, message + more, where=loc if same_file else strategy)


def _scenario_platform_problem(data: Any) -> tuple[Loc, Any, str] | None:
    """The scenario check on platforms, at the field that breaks it (the schema's own check
    reports only the scenario)."""
    if not isinstance(data, dict):
        return None
    values = {}
    for name in ("platforms", "brands"):
        field = Scenario.model_fields[name]
        if name not in data:
            values[name] = field.get_default(call_default_factory=True)
            continue
        try:
            values[name] = TypeAdapter(field.annotation).validate_python(data[name], strict=True)
        except ValidationError:
            return None
    brands: list[Brand] = values["brands"]
    strategies = [(("brands", i, "strategy"), brand.strategy) for i, brand in enumerate(brands)]
    return platform_problem(values["platforms"], strategies)


def platform_problem(
    platforms: list[Platform], strategies: list[tuple[Loc, Strategy]]
) -> tuple[Loc, Any, str] | None:
    """Platform names must be unique and every strategy must use the scenario's platforms."""
    known = [platform.name for platform in platforms]
    if twice := repeated(known):
        return ("platforms",), None, f"platform names must be unique; repeated: {twice}"
    for loc, strategy in strategies:
        unknown = [name for name in strategy.platforms if name not in known]
        if unknown:
            hint = did_you_mean(unknown[0], known)
            message = f"platform(s) {unknown} not in the scenario{hint}; its platforms are: {known}"
            return (*loc, "platforms"), strategy.platforms, message
    return None


def _model_at(model: type[BaseModel] | None, loc: Loc) -> type[BaseModel] | None:
    for part in loc:
        if isinstance(part, str):
            field = model.model_fields.get(part) if model else None
            model = model_of(field.annotation) if field else None
    return model


def _field_at(model: type[BaseModel], loc: Loc) -> FieldInfo | None:
    names = [part for part in loc if isinstance(part, str)]
    holder = _model_at(model, tuple(names[:-1]))
    return holder.model_fields.get(names[-1]) if holder and names else None


def _allowed_range(field: FieldInfo | None) -> str:
    return allowed_range(*bounds(field)) if field else ""


def _dotted(loc: Loc) -> str | None:
    """('brands', 0, 'strategy') -> 'brands[0].strategy'."""
    text = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    return text.lstrip(".") or None


_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]")


def _find_line(text: str, path: Loc) -> int | None:
    """The line where the key at path is written (a simple scan that knows table headers, arrays
    of tables, dotted keys and inline tables), or None."""
    names = [part for part in path if isinstance(part, str)]
    if not text or not names:
        return None
    key, tables = names[-1], names[:-1]
    indices = {
        tuple(p for p in path[:i] if isinstance(p, str)): part
        for i, part in enumerate(path)
        if isinstance(part, int)
    }
    key_re = re.compile(rf"(?:^|[\s{{,.\"']){re.escape(key)}[\"']?\s*=")
    header: list[str] = []
    counts: dict[tuple[str, ...], int] = {}
    best: tuple[int, int] | None = None  # (score, line)

    def in_element() -> bool:
        return all(
            counts.get(prefix, index) == index
            for prefix, index in indices.items()
            if tuple(header[: len(prefix)]) == prefix
        )

    for number, line in enumerate(text.splitlines(), 1):
        if match := _HEADER.match(line):
            header = [part.strip().strip("\"'") for part in match.group(2).split(".")]
            if match.group(1):
                counts[tuple(header)] = counts.get(tuple(header), -1) + 1
            if header == names and in_element():
                return number
            continue
        code = line.split("#", 1)[0]
        if key_re.search(code) and header == tables[: len(header)] and in_element():
            score = len(header) + sum(name in code for name in tables[len(header) :])
            if best is None or score > best[0]:
                best = (score, number)
    return best[1] if best else None


def _shown(value: Any, limit: int = 80) -> str:
    """A bad value as the user wrote it, shortened for messages."""
    try:
        text = toml_value(value)
    except TypeError:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
