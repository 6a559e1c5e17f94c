"""The service authorization reference (harness/catalog.py) reads only files of services: a
policy's text names keys and actions, never a path."""

from __future__ import annotations

import pytest

from harness import catalog


@pytest.mark.parametrize("key", [
    "../actions/s3:foo", "/etc/passwd:x", "s3/../../actions/s3:x", "S3:..:x", "\u0661:x"])
def test_a_key_whose_service_is_no_prefix_has_no_type(key: str) -> None:
    assert catalog.condition_key_type(key) is None


@pytest.mark.parametrize("action", ["../conditionKeys/s3:x", "/tmp/x:GetObject", "s3.:x"])
def test_an_action_whose_service_is_no_prefix_does_not_exist(action: str) -> None:
    assert not catalog.action_exists(action)


def test_the_reference_still_answers_for_services() -> None:
    assert catalog.condition_key_type("s3:prefix") == "String"
    assert catalog.condition_key_type("aws:SecureTransport") == "Bool"
    assert catalog.action_exists("s3:GetObject")
    assert catalog.action_exists("sso-directory:DescribeUsers") or catalog.action_exists(
        "sso:ListInstances")
