"""Reading parsed request parameters safely: a path into nested structures, scalar values as
strings, and clear errors instead of KeyError/TypeError.

Paths are dotted member names; `[]` after a member flattens a list ("Delete.Objects[].Key",
"TagSpecifications[].Tags"). A member that is absent or None is absent.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime
from typing import Any


class ParameterError(ValueError):
    """A parameter has a shape the mapping cannot read."""


def values_at(params: Mapping[str, Any], path: str) -> list[Any]:
    """Every value at `path` (none when absent)."""
    current: list[Any] = [params]
    for step in path.split("."):
        flatten = step.endswith("[]")
        name = step[:-2] if flatten else step
        found: list[Any] = []
        for node in current:
            if not isinstance(node, Mapping):
                raise ParameterError(f"{path}: expected a structure before {name!r}")
            value = node.get(name)
            if value is None:
                continue
            if flatten:
                if not isinstance(value, list | tuple):
                    raise ParameterError(f"{path}: {name} is not a list")
                found.extend(item for item in value if item is not None)
            else:
                found.append(value)
        current = found
    return current


def scalar_text(value: Any) -> str:
    """A scalar parameter as a condition-key string: booleans as AWS writes them in policies
    ("true"/"false"), numbers in decimal, timestamps in ISO 8601."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise ParameterError(f"expected a scalar, got {type(value).__name__}")


def texts_at(params: Mapping[str, Any], path: str) -> list[str]:
    """Every scalar at `path` as a string; a list at the end of the path is flattened."""
    texts: list[str] = []
    for value in values_at(params, path):
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if item is None:
                continue
            if isinstance(item, Mapping | list | tuple):
                raise ParameterError(f"{path}: expected a value, got a structure")
            texts.append(scalar_text(item))
    return texts


def text(params: Mapping[str, Any], path: str) -> str | None:
    """The single scalar at `path`, or None."""
    texts = texts_at(params, path)
    if len(texts) > 1:
        raise ParameterError(f"{path}: expected one value, got {len(texts)}")
    return texts[0] if texts else None


def present(params: Mapping[str, Any], path: str) -> bool:
    return bool(values_at(params, path))


def name(params: Mapping[str, Any], path: str) -> str | None:
    """The string at `path` (a resource's name or ARN), or None; anything but one string is
    malformed."""
    values = values_at(params, path)
    if not values:
        return None
    if len(values) > 1 or not isinstance(values[0], str):
        raise ParameterError(f"{path} is not a string")
    return values[0]
