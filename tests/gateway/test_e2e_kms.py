"""KMS through the endpoint: a key answers to its key policy only. A key policy that names one
role locks out even the account's root user, whether the call names the key or, as Decrypt
may, leaves the key to the ciphertext (the gateway then asks on key/*, and no default key
policy stands in for a key it cannot name).
https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
"""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import PROD, World, arn_role

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sealed(world: World) -> tuple[str, bytes]:
    """A key whose policy lets only the app role use it, and a text it encrypted."""
    kms = world.backend(PROD, "kms")
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyTheAppUsesTheKey", "Effect": "Allow",
        "Principal": {"AWS": arn_role(PROD, "app")}, "Action": "kms:*", "Resource": "*"}]}
    key = kms.create_key(Policy=json.dumps(policy))["KeyMetadata"]["Arn"]
    return key, kms.encrypt(KeyId=key, Plaintext=b"card 4111")["CiphertextBlob"]


@pytest.mark.parametrize("names_the_key", [True, False], ids=["key-named", "key-unnamed"])
def test_the_root_user_is_locked_out_by_the_key_policy(world: World, sealed: tuple[str, bytes],
                                                      names_the_key: bool) -> None:
    key, ciphertext = sealed
    kms = world.client(world.root(PROD), "kms")
    mark = world.mark()
    named = {"KeyId": key} if names_the_key else {}
    error = world.refused(lambda: kms.decrypt(CiphertextBlob=ciphertext, **named))
    assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
    record = world.decision(mark, "kms:Decrypt")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "resource-based policy")
