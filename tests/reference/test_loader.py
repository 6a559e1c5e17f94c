"""The service authorization reference (harness/reference/loader.py) reads only files of
services: a policy's text names keys and actions, never a path."""

from __future__ import annotations

import pytest

from harness import reference


def _exists(action: str) -> bool:
    service, _, name = action.partition(":")
    return reference.action(service, name) is not None


@pytest.mark.parametrize("key", [
    "../actions/s3:foo", "/etc/passwd:x", "s3/../../actions/s3:x", "S3:..:x", "\u0661:x"])
def test_a_key_whose_service_is_no_prefix_has_no_type(key: str) -> None:
    assert reference.condition_key_type(key) is None
    assert reference.known_key(key) is None


@pytest.mark.parametrize("action", ["../conditionKeys/s3:x", "/tmp/x:GetObject", "s3.:x"])
def test_an_action_whose_service_is_no_prefix_does_not_exist(action: str) -> None:
    assert not _exists(action)


@pytest.mark.parametrize("service", ["../actions/s3", "/etc/passwd", "s3.", "S3/.."])
def test_a_resource_type_of_no_service_does_not_exist(service: str) -> None:
    assert reference.resource_type(service, "bucket") is None


def test_the_reference_still_answers_for_services() -> None:
    assert reference.condition_key_type("s3:prefix") == "String"
    assert reference.condition_key_type("aws:SecureTransport") == "Bool"
    assert _exists("s3:GetObject")
    assert _exists("sso-directory:DescribeUsers") or _exists("sso:ListInstances")
    assert reference.resource_type("S3", "Bucket") is not None
