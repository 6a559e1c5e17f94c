"""KMS keys named by ciphertext or by alias (harness.gateway.operations.kms_keys), and the
mapping of the operations that name them (rules/security.py).

The ciphertext reader is checked against both backends' own serialisers: what it reads is the
key each backend would decrypt under.
https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pytest
from localstack.services.kms import models as localstack_kms
from moto.kms import utils as moto_kms

from harness.gateway.operations import AuthorizationRequest, InvalidParameters
from harness.gateway.operations import authorization_requests as mapped
from harness.gateway.operations.kms_keys import (
    MIN_CIPHERTEXT_BYTES,
    CiphertextError,
    KmsRequestError,
    ciphertext_key_id,
    resolve_keys,
)

REGION = "eu-west-1"
ME = "111111111111"
KEY_A = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_B = "0987dcba-09fe-87dc-65ba-ab0987654321"
MRK = "mrk-1234abcd12ab34cd56ef1234567890ab"
ARN_A = f"arn:aws:kms:{REGION}:{ME}:key/{KEY_A}"
ARN_B = f"arn:aws:kms:{REGION}:{ME}:key/{KEY_B}"
ALIAS = f"arn:aws:kms:{REGION}:{ME}:alias/orders"


def moto_blob(key_id: str) -> bytes:
    """A ciphertext as moto writes it (moto/kms/utils.py)."""
    return bytes(moto_kms._serialize_ciphertext_blob(moto_kms.Ciphertext(
        key_id=key_id, iv=os.urandom(12), ciphertext=b"card 4111", tag=os.urandom(16))))


def localstack_blob(key_id: str) -> bytes:
    """A ciphertext as LocalStack writes it (localstack/services/kms/models.py)."""
    return bytes(localstack_kms._serialize_ciphertext_blob(localstack_kms.Ciphertext(
        key_id=key_id, iv=os.urandom(16), ciphertext=b"card 4111", tag=os.urandom(16))))


# --------------------------------------------------------------------------- the reader

GOOD_BLOBS = [
    ("moto", moto_blob(KEY_A), KEY_A),
    ("localstack", localstack_blob(KEY_A), KEY_A),
    ("localstack-multi-region", localstack_blob(MRK), MRK),
    ("upper-case-uuid", moto_blob(KEY_A.upper()), KEY_A.upper()),
    ("header-only", KEY_A.encode() + bytes(MIN_CIPHERTEXT_BYTES - 36), KEY_A),
    ("bytearray", bytearray(moto_blob(KEY_A)), KEY_A),
]


@pytest.mark.parametrize(("blob", "key_id"), [(b, k) for _, b, k in GOOD_BLOBS],
                         ids=[name for name, _, _ in GOOD_BLOBS])
def test_the_key_id_is_read_from_a_backend_ciphertext(blob: bytes, key_id: str) -> None:
    assert ciphertext_key_id(blob) == key_id


@pytest.mark.parametrize("blob", [moto_blob(KEY_A), localstack_blob(KEY_A)], ids=["moto", "ls"])
def test_the_reader_reads_the_key_the_backend_reads(blob: bytes) -> None:
    backend = (moto_kms._deserialize_ciphertext_blob(blob) if len(blob) == len(moto_blob(KEY_A))
               else localstack_kms.deserialize_ciphertext_blob(blob))
    assert ciphertext_key_id(blob) == backend.key_id


BAD_BLOBS: list[tuple[str, Any, str]] = [
    ("empty", b"", "0 bytes long"),
    ("garbage", b"not a ciphertext", "16 bytes long"),
    ("one-byte-short", KEY_A.encode() + bytes(MIN_CIPHERTEXT_BYTES - 37), "63 bytes long"),
    ("not-text", b"\xff" * 36 + bytes(40), "are not text"),
    # A key ID shorter than 36 bytes is padded with NULs by the serialisers: no such key.
    ("short-key-id", moto_blob("1234abcd"), "are not a key ID"),
    ("not-a-uuid", moto_blob("x" * 36), "are not a key ID"),
    # LocalStack resolves an alias name where a key ID belongs, then refuses it (IncorrectKey).
    ("alias-name", moto_blob("alias/" + "a" * 30), "are not a key ID"),
    # moto's multi-Region IDs are "mrk-" and a UUID, 40 characters: cut to 36, they name no key.
    ("moto-multi-region", moto_blob("mrk-" + KEY_A), "are not a key ID"),
    ("text", moto_blob(KEY_A).decode("latin-1"), "is str, not binary data"),
    ("none", None, "is NoneType, not binary data"),
]


@pytest.mark.parametrize(("blob", "problem"), [(b, p) for _, b, p in BAD_BLOBS],
                         ids=[name for name, _, _ in BAD_BLOBS])
def test_a_blob_that_names_no_key_is_refused_saying_why(blob: Any, problem: str) -> None:
    with pytest.raises(CiphertextError, match=problem):
        ciphertext_key_id(blob)


# --------------------------------------------------------------------------- the mapping


def _map(operation: str, params: dict[str, Any]) -> list[AuthorizationRequest]:
    return list(mapped("kms", operation, params, region=REGION, account=ME))


def test_decrypt_without_key_id_is_asked_on_the_key_the_ciphertext_names() -> None:
    (request,) = _map("Decrypt", {"CiphertextBlob": moto_blob(KEY_A)})
    assert (request.action, request.resource) == ("kms:Decrypt", ARN_A)
    assert request.resource_policy_required
    assert request.resource_account == ME


@pytest.mark.parametrize("operation", ["Decrypt", "ReEncrypt"])
def test_a_ciphertext_naming_no_key_without_key_id_is_invalid(operation: str) -> None:
    params = {"CiphertextBlob": b"garbage", "DestinationKeyId": KEY_B}
    with pytest.raises(KmsRequestError) as raised:
        _map(operation, params)
    assert isinstance(raised.value, InvalidParameters)  # the mapping fails closed
    assert (raised.value.code, raised.value.status) == ("InvalidCiphertextException", 400)
    assert "the ciphertext is 7 bytes long" in raised.value.reason


def test_a_named_key_is_asked_on_whatever_the_ciphertext() -> None:
    # An asymmetric ciphertext carries no key ID: the request names its key.
    (request,) = _map("Decrypt", {"CiphertextBlob": b"rsa", "KeyId": KEY_B})
    assert request.resource == ARN_B


def test_re_encrypt_without_source_key_id_is_asked_on_the_ciphertext_key() -> None:
    made = _map("ReEncrypt", {"CiphertextBlob": moto_blob(KEY_A), "DestinationKeyId": KEY_B})
    assert [(r.action, r.resource) for r in made] == [
        ("kms:ReEncryptFrom", ARN_A), ("kms:ReEncryptTo", ARN_B)]


def test_delete_alias_is_asked_on_the_alias_and_on_the_key_it_names() -> None:
    made = _map("DeleteAlias", {"AliasName": "alias/orders"})
    assert [(r.resource, r.resource_policy_required) for r in made] == [
        (ALIAS, False),  # the alias: identity policies
        (ALIAS, True),  # the key it points to, for the gateway to resolve: its key policy
    ]


def test_update_alias_is_asked_on_the_alias_the_current_key_and_the_new_key() -> None:
    made = _map("UpdateAlias", {"AliasName": "alias/orders", "TargetKeyId": KEY_B})
    assert [(r.resource, r.resource_policy_required) for r in made] == [
        (ALIAS, False), (ALIAS, True), (ARN_B, True)]


# --------------------------------------------------------------------------- resolution

ALIASES = {(ME, REGION): {"alias/orders": KEY_A, "alias/orders-v2": KEY_A, "alias/b": KEY_B}}


def _aliases(account: str, region: str) -> Mapping[str, str]:
    return ALIASES.get((account, region), {})


def _resolve(operation: str, params: dict[str, Any]) -> list[AuthorizationRequest]:
    return list(resolve_keys(_map(operation, params), operation, params, _aliases))


def test_a_key_named_by_alias_is_asked_on_the_key() -> None:
    for named in ("alias/orders", ALIAS):
        (request,) = _resolve("Encrypt", {"KeyId": named, "Plaintext": b"x"})
        assert request.resource == ARN_A
        assert request.resource_policy_required
        assert request.key("kms:RequestAlias") == ("alias/orders",)
        assert request.key("kms:ResourceAliases") == ("alias/orders", "alias/orders-v2")


def test_a_key_named_by_id_carries_its_aliases_but_no_request_alias() -> None:
    (request,) = _resolve("Encrypt", {"KeyId": KEY_B, "Plaintext": b"x"})
    assert request.resource == ARN_B
    assert request.key("kms:RequestAlias") is None
    assert request.key("kms:ResourceAliases") == ("alias/b",)


def test_a_key_without_aliases_has_no_resource_aliases() -> None:
    other = "5555dcba-09fe-87dc-65ba-ab0987654321"
    (request,) = _resolve("Encrypt", {"KeyId": other, "Plaintext": b"x"})
    assert request.key("kms:ResourceAliases") is None


def test_an_alias_that_does_not_exist_is_not_found() -> None:
    with pytest.raises(KmsRequestError) as raised:
        _resolve("Encrypt", {"KeyId": "alias/missing", "Plaintext": b"x"})
    assert raised.value.code == "NotFoundException"
    assert raised.value.reason == f"Alias arn:aws:kms:{REGION}:{ME}:alias/missing is not found."


def test_alias_operations_keep_the_alias_and_resolve_the_key() -> None:
    made = _resolve("UpdateAlias", {"AliasName": "alias/orders", "TargetKeyId": KEY_B})
    assert [(r.resource, r.resource_policy_required) for r in made] == [
        (ALIAS, False), (ARN_A, True), (ARN_B, True)]
    made = _resolve("UpdateAlias", {"AliasName": "alias/orders", "TargetKeyId": KEY_A})
    assert [r.resource for r in made] == [ALIAS, ARN_A]  # the same key, asked once


DECRYPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("decrypt-by-id", "Decrypt", {"KeyId": KEY_B}),
    ("decrypt-by-arn", "Decrypt", {"KeyId": ARN_B}),
    ("decrypt-by-alias", "Decrypt", {"KeyId": "alias/b"}),
    ("re-encrypt", "ReEncrypt", {"SourceKeyId": "alias/b", "DestinationKeyId": KEY_A}),
]


@pytest.mark.parametrize(("operation", "named"), [(o, n) for _, o, n in DECRYPTIONS],
                         ids=[name for name, _, _ in DECRYPTIONS])
def test_a_named_key_that_did_not_encrypt_the_ciphertext_is_incorrect(
        operation: str, named: dict[str, Any]) -> None:
    with pytest.raises(KmsRequestError) as raised:
        _resolve(operation, {"CiphertextBlob": moto_blob(KEY_A), **named})
    assert raised.value.code == "IncorrectKeyException"
    assert KEY_A in raised.value.reason and ARN_B in raised.value.reason


def test_the_named_key_that_encrypted_the_ciphertext_is_correct() -> None:
    (request,) = _resolve("Decrypt", {"CiphertextBlob": moto_blob(KEY_A),
                                      "KeyId": "alias/orders"})
    assert request.resource == ARN_A


def test_a_named_key_with_a_ciphertext_that_names_none_is_left_to_the_backend() -> None:
    # An asymmetric ciphertext: the backend decrypts under the named key or refuses.
    (request,) = _resolve("Decrypt", {"CiphertextBlob": b"rsa", "KeyId": KEY_B})
    assert request.resource == ARN_B
