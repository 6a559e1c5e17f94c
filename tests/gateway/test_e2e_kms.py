"""KMS through the endpoint: a key answers to its key policy only, however the call names it.

- A key policy that names one role locks out even the account's root user, whether the call
  names the key or, as Decrypt may, leaves it to the ciphertext: the gateway reads the key from
  the ciphertext as the backend does and asks on that key, so the role decrypts and the root
  user is denied on the key's ARN.
  https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
  https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
- A ciphertext that names no key is refused (InvalidCiphertextException), and a named key that
  did not encrypt the ciphertext too (IncorrectKeyException): nothing is forwarded.
- A key named by alias is authorised as the key: an identity policy naming the key's ARN allows
  the call, one naming only the alias's ARN does not; kms:ResourceAliases carries the key's
  aliases. Deleting or repointing an alias needs the key policy of the key it points to.
  https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
  https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.gateway.conftest import PROD, REGION, World, arn_role, document, trust

pytestmark = pytest.mark.slow

PLAINTEXT = b"card 4111"
ORDERS_ALIAS = "alias/orders-data"


@dataclass(frozen=True)
class Keys:
    sealed: str
    """Key A: its policy lets only the app role use it."""
    ciphertext: bytes
    """PLAINTEXT encrypted under `sealed`."""
    other: str
    """Key B: its policy lets only the app role use it too; alias/other points to it."""
    orders: str
    """Key C: the default key policy (delegates to the account); ORDERS_ALIAS points to it."""
    plain: str
    """Key D: the default key policy, no alias."""


def _alias_arn(name: str) -> str:
    return f"arn:aws:kms:{REGION}:{PROD}:{name}"


@pytest.fixture(scope="module")
def keys(world: World) -> Keys:
    kms = world.backend(PROD, "kms")
    only_app = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyTheAppUsesTheKey", "Effect": "Allow",
        "Principal": {"AWS": arn_role(PROD, "app")}, "Action": "kms:*", "Resource": "*"}]})
    sealed = kms.create_key(Policy=only_app)["KeyMetadata"]["Arn"]
    other = kms.create_key(Policy=only_app)["KeyMetadata"]["Arn"]
    orders = kms.create_key()["KeyMetadata"]["Arn"]
    plain = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/sealed", TargetKeyId=sealed)
    kms.create_alias(AliasName="alias/other", TargetKeyId=other)
    kms.create_alias(AliasName=ORDERS_ALIAS, TargetKeyId=orders)
    iam = world.backend(PROD, "iam")
    use = ["kms:Encrypt", "kms:Decrypt"]
    for role, statement in {
        "kms-key-user": {"Sid": "UseTheOrdersKey", "Effect": "Allow", "Action": use,
                         "Resource": orders},
        "kms-alias-user": {"Sid": "UseTheOrdersAlias", "Effect": "Allow", "Action": use,
                           "Resource": _alias_arn(ORDERS_ALIAS)},
        "kms-abac": {"Sid": "UseKeysAliasedOrdersData", "Effect": "Allow", "Action": use,
                     "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {
                         "kms:ResourceAliases": ORDERS_ALIAS}}},
    }.items():
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{PROD}:root"))
        iam.put_role_policy(RoleName=role, PolicyName="kms", PolicyDocument=document(statement))
    world.gateway.backend_state.invalidate()  # set up behind the gateway's back
    return Keys(sealed, kms.encrypt(KeyId=sealed, Plaintext=PLAINTEXT)["CiphertextBlob"], other,
                orders, plain)


def _kms(world: World, role: str) -> Any:
    return world.client(world.session_of(arn_role(PROD, role)), "kms")


# --------------------------------------------------------------------------- the ciphertext


@pytest.mark.parametrize("names_the_key", [True, False], ids=["key-named", "key-unnamed"])
def test_the_root_user_is_locked_out_by_the_key_policy(world: World, keys: Keys,
                                                      names_the_key: bool) -> None:
    kms = world.client(world.root(PROD), "kms")
    mark = world.mark()
    named = {"KeyId": keys.sealed} if names_the_key else {}
    error = world.refused(lambda: kms.decrypt(CiphertextBlob=keys.ciphertext, **named))
    assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
    assert f"on resource: {keys.sealed} " in error.response["Error"]["Message"]
    record = world.decision(mark, "kms:Decrypt")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "resource-based policy")
    assert record["resource"] == keys.sealed  # the key, not key/*


def test_the_role_the_key_policy_names_decrypts_without_naming_the_key(world: World,
                                                                      keys: Keys) -> None:
    mark = world.mark()
    answer = _kms(world, "app").decrypt(CiphertextBlob=keys.ciphertext)
    assert (answer["Plaintext"], answer["KeyId"]) == (PLAINTEXT, keys.sealed)
    record = world.decision(mark, "kms:Decrypt")
    assert (record["decision"], record["resource"]) == ("allowed", keys.sealed)
    # The key policy is named by the key and its alias: how the reports find the landscape's file.
    assert [s["policy"] for s in record["deciding"]] == [
        f"{keys.sealed} resource policy (alias alias/sealed)"]


@pytest.mark.parametrize("blob", [b"not a ciphertext", b"\xff" * 80], ids=["short", "no-key-id"])
def test_a_ciphertext_that_names_no_key_is_refused(world: World, keys: Keys,
                                                   blob: bytes) -> None:
    kms = _kms(world, "app")
    mark = world.mark()
    error = world.refused(lambda: kms.decrypt(CiphertextBlob=blob))
    assert error.response["Error"]["Code"] == "InvalidCiphertextException", error.response
    message = error.response["Error"]["Message"]
    assert message.startswith("The ciphertext names no KMS key (the ciphertext")
    (refusal,) = [r for r in world.decisions(mark) if r["operation"] == "Decrypt"]
    assert (refusal["decision"], refusal["error_code"]) == ("refused",
                                                           "InvalidCiphertextException")


@pytest.mark.parametrize("named", ["other", "alias/other"], ids=["key-arn", "alias"])
def test_a_key_that_did_not_encrypt_the_ciphertext_cannot_decrypt_it(world: World, keys: Keys,
                                                                     named: str) -> None:
    key_id = keys.other if named == "other" else named
    kms = _kms(world, "app")  # allowed on both keys by their key policies
    for call in (lambda: kms.decrypt(CiphertextBlob=keys.ciphertext, KeyId=key_id),
                 lambda: kms.re_encrypt(CiphertextBlob=keys.ciphertext, SourceKeyId=key_id,
                                        DestinationKeyId=keys.other)):
        error = world.refused(call)
        assert error.response["Error"]["Code"] == "IncorrectKeyException", error.response
        assert keys.other in error.response["Error"]["Message"]


def test_re_encrypt_without_a_source_key_is_asked_on_the_ciphertext_key(world: World,
                                                                        keys: Keys) -> None:
    # The root user may use key C (default key policy), not key A: re-encrypting A's ciphertext
    # under C would let it read what A protects.
    kms = world.client(world.root(PROD), "kms")
    mark = world.mark()
    error = world.refused(lambda: kms.re_encrypt(CiphertextBlob=keys.ciphertext,
                                                 DestinationKeyId=keys.orders))
    assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
    record = world.decision(mark, "kms:ReEncryptFrom")
    assert (record["resource"], record["denied_by"]) == (keys.sealed, "resource-based policy")


# --------------------------------------------------------------------------- aliases


@pytest.mark.parametrize("named", [ORDERS_ALIAS, _alias_arn(ORDERS_ALIAS)],
                         ids=["alias-name", "alias-arn"])
def test_an_identity_policy_on_the_key_allows_its_use_by_alias(world: World, keys: Keys,
                                                              named: str) -> None:
    kms = _kms(world, "kms-key-user")
    mark = world.mark()
    sealed = kms.encrypt(KeyId=named, Plaintext=PLAINTEXT)
    assert sealed["KeyId"] == keys.orders
    record = world.decision(mark, "kms:Encrypt")
    assert (record["decision"], record["resource"]) == ("allowed", keys.orders)
    answer = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], KeyId=named)
    assert answer["Plaintext"] == PLAINTEXT


def test_an_identity_policy_on_the_alias_does_not_allow_the_key(world: World,
                                                                keys: Keys) -> None:
    # "When an alias is the value of a resource element, the policy applies to the alias
    # resource, not to any KMS key that might be associated with it."
    kms = _kms(world, "kms-alias-user")
    mark = world.mark()
    error = world.refused(lambda: kms.encrypt(KeyId=ORDERS_ALIAS, Plaintext=PLAINTEXT))
    assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
    assert f"on resource: {keys.orders} " in error.response["Error"]["Message"]
    record = world.decision(mark, "kms:Encrypt")
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "identity-based policy")


def test_resource_aliases_are_the_aliases_of_the_key(world: World, keys: Keys) -> None:
    kms = _kms(world, "kms-abac")
    assert kms.encrypt(KeyId=keys.orders, Plaintext=PLAINTEXT)["KeyId"] == keys.orders
    error = world.refused(lambda: kms.encrypt(KeyId=keys.plain, Plaintext=PLAINTEXT))
    assert error.response["Error"]["Code"] == "AccessDeniedException", error.response


def test_an_alias_that_does_not_exist_is_not_found(world: World, keys: Keys) -> None:
    kms = _kms(world, "kms-key-user")
    error = world.refused(lambda: kms.encrypt(KeyId="alias/missing", Plaintext=PLAINTEXT))
    assert error.response["Error"]["Code"] == "NotFoundException", error.response
    assert error.response["Error"]["Message"] == (
        f"Alias {_alias_arn('alias/missing')} is not found.")


def test_changing_an_alias_needs_the_key_policy_of_every_key_it_affects(world: World,
                                                                        keys: Keys) -> None:
    # The root user may manage aliases (no policy limits it) and key C, not key A.
    kms = world.client(world.root(PROD), "kms")
    for call, action in (
        (lambda: kms.delete_alias(AliasName="alias/sealed"), "kms:DeleteAlias"),
        (lambda: kms.update_alias(AliasName="alias/sealed", TargetKeyId=keys.orders),
         "kms:UpdateAlias"),
        (lambda: kms.update_alias(AliasName=ORDERS_ALIAS, TargetKeyId=keys.sealed),
         "kms:UpdateAlias"),
    ):
        mark = world.mark()
        error = world.refused(call)
        assert error.response["Error"]["Code"] == "AccessDeniedException", error.response
        denied = [r for r in world.decisions(mark) if r["action"] == action
                  and r["decision"] != "allowed"]
        assert [(r["resource"], r["denied_by"]) for r in denied] == [
            (keys.sealed, "resource-based policy")]
    aliases = world.backend(PROD, "kms").list_aliases()["Aliases"]
    targets = {a["AliasName"]: a.get("TargetKeyId") for a in aliases}
    assert targets["alias/sealed"] == keys.sealed.rsplit("/", 1)[1]
    assert targets[ORDERS_ALIAS] == keys.orders.rsplit("/", 1)[1]
