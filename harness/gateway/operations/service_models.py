"""What botocore's service models say about operations: their names and required members.

The gateway's parser (LocalStack's, on the same botocore models) yields parameters named by the
model's input members, so the model is the authority on which parameter identifies a resource.
"""

from __future__ import annotations

from functools import cache

from botocore.exceptions import UnknownServiceError
from botocore.model import OperationNotFoundError, ServiceModel, Shape

from harness.clients import botocore_session


@cache
def service_model(service: str) -> ServiceModel | None:
    try:
        return botocore_session().get_service_model(service)
    except UnknownServiceError:
        return None


@cache
def operation_names(service: str) -> frozenset[str]:
    model = service_model(service)
    return frozenset(model.operation_names) if model is not None else frozenset()


def _input_shape(service: str, operation: str) -> Shape | None:
    """The operation's input shape in botocore's model; None when the service, the operation
    or its input is unknown."""
    model = service_model(service)
    if model is None:
        return None
    try:
        return model.operation_model(operation).input_shape
    except OperationNotFoundError:
        return None


@cache
def required_members(service: str, operation: str) -> frozenset[str]:
    shape = _input_shape(service, operation)
    return frozenset(shape.required_members) if shape is not None else frozenset()


@cache
def input_members(service: str, operation: str) -> frozenset[str]:
    shape = _input_shape(service, operation)
    return frozenset(shape.members) if shape is not None else frozenset()
