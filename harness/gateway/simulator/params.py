"""The request's parameters, as the gateway's request parser gives them, read by type: a
member of the wrong type is IAM's InvalidInput, naming the parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.gateway.simulator.errors import invalid
from harness.simulation.custom_policy import SimulationInputError, check_text


def listed(params: Mapping[str, Any], field: str) -> list[Any]:
    value = params.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"{field}: must be a list")
    return value


def numbered(params: Mapping[str, Any], field: str) -> list[tuple[str, Any]]:
    """A list parameter's members under the names AWS gives them: FIELD.N, 1-based."""
    return [(f"{field}.{index}", value)
            for index, value in enumerate(listed(params, field), start=1)]


def strings(params: Mapping[str, Any], field: str) -> tuple[str, ...]:
    values = listed(params, field)
    if not all(isinstance(v, str) and v for v in values):
        raise invalid(f"{field}: every member must be a non-empty string")
    for name, value in numbered(params, field):
        try:
            check_text(value, name)  # the offline simulator's rule: no control characters
        except SimulationInputError as error:
            raise invalid(f"{error.field}: {error.problem}") from error
    return tuple(values)


def required_string(params: Mapping[str, Any], field: str) -> str:
    value = params.get(field)
    if not isinstance(value, str) or not value:
        raise invalid(f"{field}: required")
    return value


def document(value: Any, field: str) -> str:
    """A policy document parameter: JSON text."""
    if not isinstance(value, str) or not value:
        raise invalid(f"{field}: must be a policy document, as JSON text")
    return value
