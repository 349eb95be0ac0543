"""Reading the schema's pydantic fields, for the loaders, the sweeps, the docs and the builder:
the model a field holds, the values a ``Literal`` field allows, the value at a key path."""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

__all__ = ["get_at", "literal_choices", "model_of"]


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The schema model a field holds (itself, or as the items of a list), if any."""
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def literal_choices(annotation: Any) -> tuple[Any, ...]:
    """The values a ``Literal`` field allows (also when it is optional); () for other fields."""
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return tuple(choice for arg in get_args(annotation) for choice in literal_choices(arg))


def get_at(data: Any, loc: tuple[str | int, ...]) -> Any:
    """The value at a key path of nested dicts and lists (``("brands", 0, "strategy")``)."""
    for part in loc:
        data = data[part]
    return data
