"""Making an AWS call as the current actor, through the enforcing gateway, and keeping what AWS
answered together with the gateway's decision records for it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError
from botocore.model import OperationModel, Shape

from steps.outcomes import Outcome
from steps.world import World


def method_name(client: Any, operation: str) -> str:
    """boto3's method for an API operation name (`ListObjectsV2` → `list_objects_v2`)."""
    methods: dict[str, str] = client.meta.method_to_api_mapping
    mapping = {api: method for method, api in methods.items()}
    if operation not in mapping:
        raise ValueError(f"{client.meta.service_model.service_name} has no operation {operation}")
    return mapping[operation]


def coerce(shape: Shape, text: str) -> Any:
    """A Gherkin table cell as the API member's type: strings stay as written (a policy document
    is a string to IAM), booleans and numbers are read, structures and lists are JSON."""
    kind = shape.type_name
    if kind == "string":
        return text
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return lowered == "true"
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    return json.loads(text)


def parameters(operation: OperationModel, rows: Sequence[Sequence[str]]) -> dict[str, Any]:
    """The request parameters of a two-column table (name | value)."""
    members = operation.input_shape.members if operation.input_shape is not None else {}
    found: dict[str, Any] = {}
    for row in rows:
        if len(row) != 2:
            raise ValueError(f"a parameter row has two cells (name | value), not {list(row)}")
        name, value = row[0].strip(), row[1].strip()
        if name not in members:
            raise ValueError(f"{operation.name} has no parameter {name} "
                             f"(it has: {', '.join(members)})")
        found[name] = coerce(members[name], value)
    return found


def call(world: World, service: str, operation: str, params: dict[str, Any] | None = None, *,
         rows: Sequence[Sequence[str]] = (), region: str | None = None,
         secure: bool = True) -> Outcome:
    """Call `service` `operation` as the actor; the outcome also becomes the world's last."""
    actor = world.current()
    client = world.stack.client(service, actor.credentials, region, secure=secure)
    method = getattr(client, method_name(client, operation))
    arguments = dict(params or {})
    if rows:
        arguments.update(parameters(client.meta.service_model.operation_model(operation), rows))
    where = f" in {region}" if region else ""
    outcome = Outcome(what=f"{actor.label}: {service} {operation}{where}")
    position = world.stack.log_position()
    try:
        response = method(**arguments)
    except ClientError as error:
        details = error.response.get("Error", {})
        outcome.error_code = str(details.get("Code", "Unknown"))
        outcome.error_message = str(details.get("Message", ""))
        outcome.status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    else:
        outcome.response = response
        outcome.status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    outcome.decisions = world.stack.decisions_since(position)
    world.outcome = outcome
    return outcome
