"""Strategy builder: a control for every strategy parameter, generated from the schema.

Ranges, defaults and help text come from ``sim.schema.Strategy`` (the ``Field`` bounds and
descriptions that ``sim.paramdoc`` documents), never retyped here. The form is validated by
``sim.loading.strategy_from_dict`` (what the CLI uses for files), saved as a named custom
strategy for the other pages, downloaded as TOML, or loaded from an uploaded TOML file, whose
errors are the loader's own messages.
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_args, get_origin

import solara
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.errors import ScenarioError
from sim.loading import parse_toml_text, strategy_from_dict
from sim.schema import Scenario, Strategy, bounds
from viz.choices import (
    AudienceChoice,
    audience_for,
    preset_strategies,
    resolve_strategy,
    scenario_for,
    strategy_names,
)
from viz.components import FileUpload
from viz.export import file_name, strategy_toml
from viz.limits import MAX_UPLOAD_BYTES, upload_problem
from viz.state import custom_strategies, save_custom

__all__ = ["BuilderPage", "bounds", "inactive", "slider_step", "validate"]

SLIDER_SPAN = 1000
"""Numbers whose range is wider than this get an input box (with the range) instead of a slider."""

form = solara.reactive(Strategy().model_dump())
upload_error = solara.reactive("")
upload_note = solara.reactive("")
saved_note = solara.reactive("")


def slider_step(low: float, high: float) -> tuple[float, int]:
    """A round slider step for a range (1, 2 or 5 times a power of ten, about a two-hundredth
    of it) and the decimals that show its values exactly (no 5.949999999999999 in an export)."""
    raw = (high - low) / 200
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= raw * (1 - 1e-9))
    return step, max(0, -math.floor(math.log10(step)))


def inactive(path: tuple[str, ...], data: dict[str, Any]) -> bool:
    """Whether a field has no effect given the rest of the form (its control is greyed out):
    the adaptation settings of a brand that does not adapt, the target and check day of a quit
    rule that never checks, the target of one that always stops."""
    name = path[-1]
    if name in ("adapt_kpi", "adapt_rate"):
        return not data["adaptive"]
    kpi = data["quit_rule"]["kpi"]
    return path[:-1] == ("quit_rule",) and (
        (name in ("target", "check_day") and kpi == "never")
        or (name == "target" and kpi == "always")
    )


FORM = "<strategy builder>"
"""The source the loader names in the form's errors (not shown on the page)."""


def validate(data: dict[str, Any]) -> tuple[Strategy | None, ScenarioError | None]:
    """The strategy a form describes, or the loader's error."""
    try:
        return strategy_from_dict(data, source=FORM), None
    except ScenarioError as error:
        return None, error


def _help(info: FieldInfo) -> str:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    parts = [info.description or ""]
    if extra.get("unit"):
        parts.append(f"unit: {extra['unit']}")
    if extra.get("source"):
        parts.append(f"source: {extra['source']}")
    return " · ".join(part for part in parts if part)


def _set(path: tuple[str, ...], value: Any) -> None:
    data = dict(form.value)
    target = data
    for key in path[:-1]:
        target[key] = dict(target[key])
        target = target[key]
    target[path[-1]] = value
    form.set(data)


@solara.component
def Field(
    path: tuple[str, ...], info: FieldInfo, value: Any, disabled: bool = False, problem: str = ""
) -> None:
    """One parameter's control, chosen by its type and range, with its help text (greyed out
    when ``disabled``) and what is wrong with its value (``problem``)."""
    name = path[-1]
    label = " / ".join(path).replace("_", " ")
    annotation = info.annotation
    low, high = bounds(info)

    def on_value(new: Any) -> None:
        _set(path, new)

    with solara.Column(gap="0", classes=["lg-field", f"lg-field-{'-'.join(path)}"]):
        if get_origin(annotation) is Literal:
            solara.Select(
                label,
                values=list(get_args(annotation)),
                value=value,
                on_value=on_value,
                disabled=disabled,
            )
        elif annotation is bool:
            solara.Checkbox(label=label, value=value, on_value=on_value, disabled=disabled)
        elif name == "platforms":
            known = [platform.name for platform in scenario_for_platforms().platforms]
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
                box = solara.InputInt if annotation is int else solara.InputFloat
                box(
                    f"{label} ({low:g} to {high:g})",
                    value=value,
                    on_value=on_value,
                    disabled=disabled,
                )
        elif annotation is str:
            solara.InputText(label, value=str(value), on_value=on_value, continuous_update=False)
        else:
            solara.Text(f"{label}: {value}")
        solara.Text(_help(info), style={"font-size": "12px", "color": "#555"})
        if problem:
            solara.Error(problem, dense=True, classes=["lg-field-error"])


def scenario_for_platforms() -> Scenario:
    """The scenario whose platforms a strategy may use (the base scenario's)."""
    return scenario_for(audience_for(AudienceChoice()), days=1)


@solara.component
def Fields(
    model: type[BaseModel],
    data: dict[str, Any],
    prefix: tuple[str, ...] = (),
    error: ScenarioError | None = None,
) -> None:
    """Controls for every field of ``model`` at ``prefix`` in the form ``data`` (nested models
    become their own card); the field the loader's ``error`` names shows its message."""
    values = data
    for part in prefix:
        values = values[part]
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            with solara.Card(name.replace("_", " "), subtitle=info.description or ""):
                Fields(annotation, data, path, error)
        else:
            named = error is not None and error.field == ".".join(path)
            problem = error.message if named else ""
            Field(path, info, values[name], disabled=inactive(path, data), problem=problem)


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
        strategy = strategy_from_dict(parse_toml_text(text, source=name), source=name, text=text)
    except ScenarioError as error:
        upload_error.set(str(error))
        upload_note.set("")
        return
    upload_error.set("")
    upload_note.set(f"Loaded {name}: {strategy.name}")
    form.set(strategy.model_dump())


@solara.component
def BuilderPage() -> None:
    """The Strategy builder page."""
    solara.Title("longgame: strategy builder")
    strategy, error = validate(form.value)
    problem = "" if error is None else str(error).removeprefix(f"{FORM}: ")
    presets = {name for name, _ in preset_strategies()}
    name = form.value.get("name", "")
    with solara.Columns([1, 2], classes=["lg-columns"]):
        with solara.Card("Strategy", classes=["lg-controls"]):
            solara.Select(
                "Start from",
                values=strategy_names(custom_strategies.value),
                value=None,
                on_value=lambda chosen: form.set(
                    resolve_strategy(chosen, custom_strategies.value).model_dump()
                ),
            )
            if problem:
                solara.Error(problem, classes=["lg-form-error"])
            else:
                solara.Success("Valid strategy.", dense=True)
            clash = name in presets
            if clash:
                solara.Warning(f"'{name}' is a preset: choose another name to save it.")

            def save() -> None:
                if strategy is not None:
                    save_custom(strategy)
                    saved_note.set(f"Saved '{strategy.name}' for this session (Compare offers it).")

            solara.Button(
                "Save", color="primary", on_click=save, disabled=strategy is None or clash
            )
            if saved_note.value:
                solara.Text(saved_note.value, classes=["lg-saved"])
            if strategy is not None:
                solara.FileDownload(
                    lambda: strategy_toml(strategy),
                    filename=file_name(strategy.name, ".toml"),
                    label="Download TOML",
                    mime_type="application/toml",
                )
            solara.Markdown("**Upload a strategy (TOML)**")
            FileUpload(
                label="Upload TOML",
                accept=".toml,text/plain",
                max_bytes=MAX_UPLOAD_BYTES,
                event_upload=on_upload,
            )
            if upload_error.value:
                solara.Error(upload_error.value, classes=["lg-upload-error"])
            if upload_note.value:
                solara.Success(upload_note.value, dense=True)
            if custom_strategies.value:
                solara.Markdown("**Saved this session:** " + ", ".join(custom_strategies.value))
        with solara.Column(style={"min-width": "0"}):
            Fields(Strategy, form.value, error=error)
