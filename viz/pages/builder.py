"""Strategy builder: a control for every strategy parameter, generated from the schema.

Ranges, defaults and help text come from ``sim.schema.Strategy`` (the ``Field`` bounds and
descriptions that ``sim.paramdoc`` documents), never retyped here. The form is validated by
``sim.loading.strategy_from_dict`` (what the CLI uses for files) and, as the CLI does, against the
platforms of the scenario the pages run; it is saved as a named custom strategy for the other
pages, downloaded as TOML, or loaded from an uploaded TOML file, whose errors are the loader's own
messages.
"""

from __future__ import annotations

import math
import re
from typing import Any

import solara
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.fields import literal_choices
from sim.loading import parse_toml_text, platform_problem, strategy_from_dict
from sim.schema import CONTENT_TYPES, ContentMix, Strategy, bounds, plausible
from sim.toml_text import toml_value
from viz.choices import platforms, preset_strategies, resolve_strategy, strategy_names
from viz.components import Download, FileUpload, NumberInput, unparsed_problem
from viz.export import file_name, strategy_toml
from viz.limits import MAX_UPLOAD_BYTES, upload_problem
from viz.state import announce, custom_strategies, save_custom

__all__ = ["BuilderPage", "bounds", "inactive", "slider_step", "validate"]

SLIDER_SPAN = 1000
"""Numbers whose range is wider than this get an input box (with the range) instead of a slider."""

form = solara.reactive(Strategy().model_dump())
upload_error = solara.reactive("")
upload_note = solara.reactive("")
saved_note = solara.reactive("")
started_from = solara.reactive(None)  # the strategy "Start from" shows (None after an upload)
unparsed = solara.reactive({})  # number boxes whose text is not a number: label -> why


def slider_step(low: float, high: float) -> tuple[float, int]:
    """A round slider step for a range (1, 2 or 5 times a power of ten, about a two-hundredth
    of it) and the decimals that show its values exactly (no 5.949999999999999 in an export)."""
    raw = (high - low) / 200
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= raw * (1 - 1e-9))
    return step, max(0, -math.floor(math.log10(step)))


def inactive(path: tuple[str, ...], data: dict[str, Any]) -> bool:
    """Whether a field has no effect given the rest of the form (its control is greyed out):
    the adaptation settings of a brand that does not adapt, the boost rule of a brand without a
    boost budget, the target and check day of a quit rule that never checks, the target of one
    that always stops."""
    name = path[-1]
    if name in ("adapt_kpi", "adapt_rate"):
        return not data["adaptive"]
    if name == "boost_rule":
        return not data["boost_budget"]
    kpi = data["quit_rule"]["kpi"]
    return path[:-1] == ("quit_rule",) and (
        (name in ("target", "check_day") and kpi == "never")
        or (name == "target" and kpi == "always")
    )


FORM = "<strategy builder>"
"""The source the loader names in the form's errors (not shown on the page)."""


DEFAULTS = Strategy().model_dump()
"""Every field's default, where :func:`validate` puts a wrong field to look for more errors."""


def validate(
    data: dict[str, Any], source: str = FORM, text: str = ""
) -> tuple[Strategy | None, list[ScenarioError]]:
    """The strategy a form (or an uploaded file's ``text``, named ``source``) describes, or
    every error in it: the loader's, one per field (so that no field's error hides behind
    another's "and 1 more"), and, as the CLI says it, a platform the pages' scenario does not
    have."""
    errors: list[ScenarioError] = []
    checked: dict[str, Any] | None = data
    while checked is not None:  # each round puts one more wrong field back to its default
        try:
            strategy = strategy_from_dict(checked, source=source, text=text)
        except ScenarioError as error:
            errors.append(_alone(error))
            checked = _with_default(checked, error.field)
            continue
        if errors:
            break
        mismatch = platform_error(strategy, source)
        return (strategy, []) if mismatch is None else (None, [mismatch])
    return None, errors


def _alone(error: ScenarioError) -> ScenarioError:
    """The loader's error without its count of the others (:func:`validate` lists them)."""
    message = re.sub(r" \(and \d+ more\)$", "", error.message)
    return ScenarioError(message, error.file, error.field, error.line, error.value)


def _with_default(data: dict[str, Any], field: str | None) -> dict[str, Any] | None:
    """``data`` with the dotted ``field`` put back to its default (an unknown top-level key, as
    a file may have, left out), or None where that changes nothing."""
    path = re.sub(r"\[\d+\]", "", field or "").split(".")
    if len(path) == 1 and path[0] in data and path[0] not in DEFAULTS:
        return {key: value for key, value in data.items() if key != path[0]}
    default: Any = DEFAULTS
    for key in path:
        if not isinstance(default, dict) or key not in default:
            return None
        default = default[key]
    changed = _replaced(data, tuple(path), default)
    return None if changed == data else changed


def _replaced(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of the nested ``data`` with ``value`` at ``path`` (missing tables are made)."""
    head, *rest = path
    inner = data.get(head)
    new = _replaced(inner if isinstance(inner, dict) else {}, tuple(rest), value) if rest else value
    return {**data, head: new}


def platform_error(strategy: Strategy, source: str) -> ScenarioError | None:
    """The CLI's error for a strategy on platforms the pages' scenario lacks, or None."""
    problem = platform_problem(platforms(), [((), strategy)])
    if problem is None:
        return None
    _, value, message = problem
    return ScenarioError(message, source, "platforms", value=toml_value(value))


def range_text(low: float, high: float) -> str:
    """A field's range in a label: "0 to 36,500", or "any number" for the wide bounds that
    only keep numbers finite (a quit rule's target)."""
    if min(abs(low), abs(high)) >= 1e9:
        return "any number"
    return f"{low:,g} to {high:,g}"


def _help(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    parts = [info.description or ""]
    realistic = plausible(info)
    if realistic is not None:
        parts.append(f"plausible: {range_text(*realistic)}")
    if extra.get("unit"):
        parts.append(f"unit: {extra['unit']}")
    if extra.get("source"):
        parts.append(f"source: {extra['source']}")
    return " · ".join(part for part in parts if part)


def _set(path: tuple[str, ...], value: Any) -> None:
    """Change one field of the form (an upload's or a save's message no longer applies to it)."""
    form.set(_replaced(form.value, path, value))
    upload_error.set("")
    upload_note.set("")
    saved_note.set("")


@solara.component
def Field(
    path: tuple[str, ...], info: FieldInfo, value: Any, disabled: bool = False, problem: str = ""
) -> None:
    """One parameter's control, chosen by its type and range, with its help text (greyed out
    when ``disabled``) and what is wrong with its value (``problem``)."""
    name = path[-1]
    label = field_label(".".join(path))
    annotation = info.annotation
    low, high = bounds(info)

    def on_value(new: Any) -> None:
        _set(path, new)

    with solara.Column(gap="0", classes=["lg-field", f"lg-field-{'-'.join(path)}"]):
        if literal_choices(annotation):
            solara.Select(
                label,
                values=list(literal_choices(annotation)),
                value=value,
                on_value=on_value,
                disabled=disabled,
            )
        elif annotation is bool:
            solara.Checkbox(label=label, value=value, on_value=on_value, disabled=disabled)
        elif name == "platforms":
            known = [platform.name for platform in platforms()]
            solara.SelectMultiple(label, values=list(value), all_values=known, on_value=on_value)
        elif annotation in (int, float) and low is not None and high is not None:
            if high - low <= SLIDER_SPAN:
                shown = f"{label}: {value:.3g}"  # a slider alone does not say where it stands
                if annotation is int:
                    solara.SliderInt(
                        shown,
                        value=int(value),
                        min=int(low),
                        max=int(high),
                        on_value=on_value,
                        disabled=disabled,
                    )
                else:
                    step, decimals = slider_step(low, high)
                    solara.SliderFloat(
                        shown,
                        value=float(value),
                        min=low,
                        max=high,
                        step=step,
                        on_value=lambda new: on_value(round(new, decimals)),
                        disabled=disabled,
                    )
            else:
                NumberInput(
                    f"{label} ({range_text(low, high)})",
                    value,
                    on_value,
                    unparsed,
                    kind=annotation,
                    disabled=disabled,
                )
        elif annotation is str:
            solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False)
        else:
            solara.Text(f"{label}: {value}")
        solara.Text(_help(info), style={"font-size": "12px", "color": "#555"})
        if problem:
            solara.Error(problem, dense=True, classes=["lg-field-error"])


@solara.component
def Fields(
    model: type[BaseModel],
    data: dict[str, Any],
    prefix: tuple[str, ...] = (),
    errors: tuple[ScenarioError, ...] = (),
) -> None:
    """Controls for every field of ``model`` at ``prefix`` in the form ``data`` (nested models
    become their own card); each field the loader's ``errors`` name shows its message."""
    values = data
    for part in prefix:
        values = values[part]
    problems = {error.field: error.message for error in errors}
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            with solara.Card(name.replace("_", " "), subtitle=info.description or ""):
                note = mix_note(values[name]) if annotation is ContentMix else ""
                if note:  # in the card, not its subtitle: a subtitle does not wrap
                    solara.Text(note, classes=["lg-card-note"], style={"font-size": "13px"})
                problem = problems.get(".".join(path), "")
                if problem:  # about the card as a whole (a mix with no share above 0)
                    solara.Error(problem, dense=True, classes=["lg-field-error"])
                Fields(annotation, data, path, errors)
        else:
            problem = problems.get(".".join(path), "")
            Field(path, info, values[name], disabled=inactive(path, data), problem=problem)


def mix_note(values: dict[str, Any]) -> str:
    """What the model makes of a content mix: its values rescaled to shares summing to 1."""
    try:
        shares = ContentMix.model_validate(values).shares()
    except ValueError:
        return ""
    parts = ", ".join(
        f"{name} {share:.0%}" for name, share in zip(CONTENT_TYPES, shares, strict=True)
    )
    return f"values are rescaled to sum to 1: {parts}"


def on_upload(file: dict) -> None:
    """Validate an uploaded TOML strategy like the CLI does (data only: TOML, never code); load
    it or show the error. Files over ``MAX_UPLOAD_BYTES`` are refused unread."""
    name, text = str(file.get("name", "upload.toml")), str(file.get("text", ""))
    reported = file.get("size")
    size = max(reported if isinstance(reported, int) else 0, len(text.encode()))
    try:
        problem = upload_problem(name, size)
        if problem:
            raise ScenarioError(problem)
        undecoded = text.find("\ufffd")  # the browser reads UTF-8, replacing what is not
        if undecoded >= 0:
            line = text.count("\n", 0, undecoded) + 1
            raise ScenarioError("not UTF-8 text (a strategy file is TOML text)", name, line=line)
        strategy, errors = validate(parse_toml_text(text, source=name), source=name, text=text)
    except ScenarioError as error:
        errors = [error]
    if errors:
        upload_error.set("\n".join(map(str, errors)) + " (the form is unchanged)")
        upload_note.set("")
        announce(f"{name} not loaded: " + upload_error.value)
        return
    form.set(strategy.model_dump())
    started_from.set(None)
    upload_error.set("")
    upload_note.set(f"Loaded {name}: {strategy.name}")
    announce(upload_note.value)


def start_from(name: str) -> None:
    """Fill the form with a preset or a custom strategy of the session."""
    form.set(resolve_strategy(name, custom_strategies.value).model_dump())
    started_from.set(name)
    upload_error.set("")
    upload_note.set("")
    saved_note.set("")


def form_problems(errors: list[ScenarioError], typed: dict[str, str]) -> list[str]:
    """What is wrong with the form, as the page lists it: number boxes whose text is not a
    number, then the loader's errors (:func:`current_errors`)."""
    shown = [unparsed_problem(typed)] if typed else []
    return shown + [str(error).removeprefix(f"{FORM}: ") for error in errors]


def current_errors(errors: list[ScenarioError], typed: dict[str, str]) -> list[ScenarioError]:
    """The loader's errors but those about a number box whose text is not a number: the form
    still holds the box's last number, which the page no longer shows."""
    labels = {label.split(" (")[0] for label in typed}
    return [error for error in errors if field_label(error.field or "") not in labels]


def field_label(field: str) -> str:
    """The label of a form field's control (``content_mix.story`` -> "content mix / story")."""
    return field.replace(".", " / ").replace("_", " ")


def checked_form() -> tuple[Strategy | None, list[ScenarioError], list[str]]:
    """The form as a strategy (None while anything is wrong with it), the loader's errors the
    page shows (:func:`current_errors`) and every problem as the page lists it."""
    strategy, errors = validate(form.value)
    errors = current_errors(errors, unparsed.value)
    problems = form_problems(errors, unparsed.value)
    return (None if problems else strategy), errors, problems


RESERVED_NAMES = {"baseline": "the no-social-media run every strategy is measured against"}
"""Names a saved strategy may not take, besides the presets', and what they already name."""


def name_problem(name: str) -> str:
    """Why a saved strategy may not be called ``name`` (a preset's name, in any case, or a
    reserved one, which would read as something else in Compare's tables), or ''."""
    key = name.strip().lower()
    presets = {preset.lower(): preset for preset, _ in preset_strategies()}
    if key in presets:
        return f"'{name}' is the preset {presets[key]}'s name: choose another name to save it."
    if key in RESERVED_NAMES:
        return f"'{name}' names {RESERVED_NAMES[key]}: choose another name to save it."
    return ""


def save() -> None:
    """Save the form's strategy for this session, or say why not. Save is never disabled: a
    text box commits when it loses focus, which the click on Save causes, so the form is read
    at the click (a disabled button would drop the click that makes the form valid)."""
    strategy, _, problems = checked_form()
    if taken := name_problem(form.value.get("name", "")):
        saved_note.set(f"Not saved: {taken}")
        announce(saved_note.value)
        return
    if strategy is None:
        saved_note.set(f"Not saved: {problems[0]}")
        announce(saved_note.value)
        return
    replaced = custom_strategies.value.get(strategy.name)
    save_custom(strategy)
    started_from.set(strategy.name)  # the form is now that saved strategy
    if replaced is None:
        done = f"Saved '{strategy.name}'"
    elif replaced == strategy:
        done = f"'{strategy.name}' is saved, unchanged"
    else:
        done = f"Replaced the saved '{strategy.name}'"
    saved_note.set(f"{done} for this session (Compare offers it).")
    announce(saved_note.value)


@solara.component
def BuilderPage() -> None:
    """The Strategy builder page."""
    solara.Title("longgame: strategy builder")
    strategy, errors, problems = checked_form()
    name = form.value.get("name", "")
    with solara.Columns([1, 2], classes=["lg-columns"]):
        with solara.Card("Strategy", classes=["lg-controls", "lg-sticky"]):
            solara.Select(
                "Start from",
                values=strategy_names(custom_strategies.value),
                value=started_from.value,
                on_value=start_from,
            )
            with solara.Column(gap="4px"):  # one child, so that Save stays the same widget
                for problem in problems:
                    solara.Error(problem, dense=True, classes=["lg-form-error"])
                if not problems and not upload_error.value:  # not beside a failed upload's error
                    solara.Success("Valid strategy.", dense=True)
                if taken := name_problem(name):
                    solara.Warning(taken)
            solara.Button("Save", color="primary", on_click=save)
            if saved_note.value:
                solara.Text(saved_note.value, classes=["lg-saved"])
            if strategy is not None:
                Download(
                    lambda: strategy_toml(strategy),
                    file_name(strategy.name, ".toml"),
                    "Download TOML",
                    "Download TOML",
                    "application/toml",
                )
            else:  # shown, greyed, rather than gone while a field is wrong
                solara.Button(
                    "Download TOML", icon_name="mdi-cloud-download-outline", disabled=True
                )
            solara.Markdown("**Upload a strategy (TOML)**")
            FileUpload(
                label="Upload TOML",
                accept=".toml,text/plain",
                max_bytes=MAX_UPLOAD_BYTES,
                event_upload=on_upload,
            )
            if upload_error.value:
                solara.Error(
                    upload_error.value, classes=["lg-upload-error"], style="white-space: pre-line"
                )
            if upload_note.value:
                solara.Success(upload_note.value, dense=True)
            if custom_strategies.value:
                solara.Markdown("**Saved this session:** " + ", ".join(custom_strategies.value))
        with solara.Column(style={"min-width": "0"}):
            Fields(Strategy, form.value, errors=tuple(errors))
