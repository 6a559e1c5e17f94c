"""Coverage: every operation of every landscape service's botocore model is either mapped (an
explicit rule, or an IAM action of the same name in the Service Authorization Reference) or
fails closed. Against the locked botocore the list is exact: every unmapped operation is listed,
with its reason, as unsupported. A newer botocore (installed over the lock) brings operations no
rule knows: each of them must fail closed, and `tox -e upstream` lists them to be mapped. Then
every mapped operation is called with parameters generated from its model, and must map or fail
closed."""

from __future__ import annotations

from typing import Any

import botocore
import pytest
from botocore.model import Shape
from botocore.session import get_session

from harness import reference
from harness.gateway.operations import (
    InvalidParameters,
    UnmappedOperation,
    authorization_requests,
    mapped_operations,
    unsupported_operations,
)
from harness.gateway.operations.registry import SPECS
from requirements.lock import LOCKS, pins

LOCKED_BOTOCORE = next(pin.version for pin in pins(LOCKS[0].path) if pin.name == "botocore")
AT_THE_LOCK = botocore.__version__ == LOCKED_BOTOCORE

LANDSCAPE = (
    "s3",
    "sns",
    "sqs",
    "lambda",
    "dynamodb",
    "rds",
    "ec2",
    "ecs",
    "iam",
    "sts",
    "organizations",
    "kms",
    "cloudtrail",
    "guardduty",
    "config",
    "sso-admin",
    "identitystore",
    "cloudformation",
    "logs",
    "support",
)

SHARE_FLOOR = {
    # AWS Support has 20 operations; its four attachment-upload ones (GetAttachmentUploadLinks,
    # CompleteAttachmentUpload, DescribeAttachmentUploadStatus, GetAttachmentDownloadLink) are
    # newer than the reference and fail closed.
    "support": 0.8,
}


def _operations(service: str) -> list[str]:
    return list(get_session().get_service_model(service).operation_names)


def test_every_landscape_service_is_registered() -> None:
    assert set(LANDSCAPE) <= set(SPECS)
    assert SPECS["sso-admin"].prefix == "sso"


def _fails_closed(service: str, operation: str) -> None:
    with pytest.raises(UnmappedOperation) as caught:
        authorization_requests(service, operation, {}, region="eu-west-1", account="1" * 12)
    assert f"{service}:{operation}" in str(caught.value)


@pytest.mark.parametrize("service", LANDSCAPE)
def test_every_operation_is_mapped_or_fails_closed(
    service: str, capsys: pytest.CaptureFixture[str]
) -> None:
    operations = _operations(service)
    mapped = mapped_operations(service)
    unsupported = unsupported_operations(service)
    prefix = SPECS[service].prefix
    known = [op for op in operations if reference.action(prefix, op) is not None]
    assert not mapped & set(unsupported)
    unlisted = [op for op in operations if op not in mapped and op not in unsupported]
    for operation in unlisted:
        _fails_closed(service, operation)
    assert set(known) - set(unsupported) <= mapped
    for reason in unsupported.values():
        assert reason
    share = len(mapped & set(operations)) / len(operations)
    with capsys.disabled():
        print(
            f"\n{service}: {len(mapped & set(operations))}/{len(operations)} operations mapped "
            f"({share:.0%}), {len(known)} named like an IAM action, "
            f"{len(unsupported)} unsupported"
        )
        if unlisted:
            print(f"{service}: botocore {botocore.__version__} is newer than the lock "
                  f"({LOCKED_BOTOCORE}); {len(unlisted)} operations no rule maps fail closed: "
                  f"{', '.join(unlisted)}")
    if AT_THE_LOCK:
        # Exact at the lock: each unmapped operation is a decision, written down with its reason.
        assert unlisted == [], f"{service}: neither mapped nor listed as unsupported: {unlisted}"
        # The landscape's services are mapped nearly whole: what is left out is newer than the
        # reference or outside the emulation (directory buckets, S3 Tables).
        assert share >= SHARE_FLOOR.get(service, 0.9)


@pytest.mark.parametrize(
    ("service", "operation"),
    [(s, op) for s in LANDSCAPE for op in sorted(unsupported_operations(s))],
)
def test_unsupported_operations_fail_closed(service: str, operation: str) -> None:
    _fails_closed(service, operation)


def _generate(shape: Shape | None, prefix: str, name: str = "", depth: int = 0) -> Any:
    """Parameters with every required member filled with a plausible value."""
    if shape is None:
        return {}
    kind = shape.type_name
    if kind == "structure":
        if depth > 5:
            return {}
        members: dict[str, Shape] = shape.members
        required = shape.required_members
        return {m: _generate(s, prefix, m, depth + 1) for m, s in members.items() if m in required}
    if kind == "list":
        return [_generate(shape.member, prefix, name, depth + 1)]
    if kind == "map":
        return {"k": _generate(shape.value, prefix, name, depth + 1)}
    if kind == "boolean":
        return True
    if kind in ("integer", "long", "double", "float"):
        return 1
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return "2026-01-01T00:00:00Z"
    lowered = name.lower()
    if lowered == "queueurl":
        return "https://sqs.eu-west-1.amazonaws.com/222222222222/q"
    if lowered.endswith(("arn", "arns")):
        if "role" in lowered:
            return "arn:aws:iam::222222222222:role/r"
        return f"arn:aws:{prefix}:eu-west-1:222222222222:name-1"
    return "name-1"


@pytest.mark.parametrize("service", LANDSCAPE)
def test_every_mapped_operation_maps_or_fails_closed(service: str) -> None:
    model = get_session().get_service_model(service)
    mapped = 0
    for operation in sorted(mapped_operations(service)):
        params = _generate(model.operation_model(operation).input_shape, SPECS[service].prefix)
        try:
            requests = authorization_requests(
                service, operation, params, region="eu-west-1", account="111111111111"
            )
        except InvalidParameters:
            continue  # generated values that name no resource: refused with a message
        mapped += 1
        for request in requests:
            assert request.resource == "*" or request.resource.startswith("arn:aws:")
            assert reference.action(*request.action.split(":", 1)) is not None
    assert mapped >= 0.8 * len(mapped_operations(service))
