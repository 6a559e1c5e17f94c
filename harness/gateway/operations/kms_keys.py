"""KMS keys a request names only through something else: the ciphertext it decrypts, or an alias.

AWS authorises a KMS call on the key it uses, against that key's key policy, however the call
names the key. The mapping (rules/security.py) gives each request the key ARN where the request
itself says it; this module supplies the two cases where it does not say it outright.

Ciphertext. "If the ciphertext was encrypted under a symmetric encryption KMS key, the KeyId
parameter is optional. KMS can get this information from metadata that it adds to the symmetric
ciphertext blob." https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
The backends write blobs of their own, not AWS's, and both begin with the key ID:

    moto        moto/kms/utils.py _serialize_ciphertext_blob:
                key ID (36 bytes) | IV (12 bytes) | GCM tag (16 bytes) | ciphertext
    LocalStack  localstack/services/kms/models.py _serialize_ciphertext_blob:
                key ID (36 bytes) | IV (16 bytes) | tag (16 bytes)      | ciphertext

Both read the key ID from those 36 bytes and look the key up in the account and region the
request runs in, so one reader serves both (`ciphertext_key_id`). Whatever either backend can
decrypt, the reader reads the same key from: moto decrypts only when the 36 bytes are the ID of
one of its keys (UUIDs); LocalStack only when they are a UUID or a multi-Region key ID (`mrk-`
and 32 hex digits) of one of its keys. A blob the reader refuses is refused by both.

Alias. "These features do not allow you to identify a KMS key by using an alias in the resource
element of a policy statement. When an alias is the value of a resource element, the policy
applies to the alias resource, not to any KMS key that might be associated with it."
https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
The key an alias points to is backend state: `resolve_keys` replaces each key named by alias
with the key ARN the backend's aliases give, keeps kms:RequestAlias (set by the mapping), and
sets kms:ResourceAliases, the aliases of the key.
https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases

What KMS refuses before any policy is consulted is answered with its own error
(`KmsRequestError`): a ciphertext no key can be read from, an alias that does not exist, a KeyId
that is not the key the ciphertext was encrypted under.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from harness.gateway.operations.results import AuthorizationRequest, InvalidParameters, keys_of
from harness.gateway.operations.spec import Environment

KEY_ID_BYTES = 36
# The shortest header a backend writes: moto's (key ID, 12-byte IV, 16-byte tag). LocalStack's
# is 4 bytes longer; a blob of 64 to 67 bytes that reaches it is refused there
# (InvalidCiphertextException) without any key being used.
MIN_CIPHERTEXT_BYTES = KEY_ID_BYTES + 12 + 16
# A key ID as the backends make them: a UUID, or a multi-Region key's "mrk-" and 32 hex digits
# (LocalStack's MULTI_REGION_PATTERN, AWS's form).
# https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
_KEY_ID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|mrk-[0-9a-fA-F]{32}"
)
_ALIAS_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):kms:(?P<region>[^:]+):(?P<account>\d{12}):(?P<alias>alias/.+)"
)
_KEY_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):kms:(?P<region>[^:]+):(?P<account>\d{12}):key/(?P<id>[^*?]+)"
)
# "The KeyId in a Decrypt request and the SourceKeyId in a ReEncrypt request must identify the
# same KMS key that was used to encrypt the ciphertext." (IncorrectKeyException)
# https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#API_Decrypt_Errors
_DECRYPTING = frozenset({"kms:decrypt", "kms:reencryptfrom"})

AliasTable = Callable[[str, str], Mapping[str, str]]
"""(account, region) → the KMS aliases there: alias name → ID of the key it points to."""


class CiphertextError(ValueError):
    """A ciphertext blob no key ID can be read from; the message says what is wrong."""


class KmsRequestError(InvalidParameters):
    """A request KMS refuses with its own error (`code`, HTTP `status`) before authorising it:
    the gateway answers it so, and forwards nothing."""

    def __init__(self, operation: str, code: str, message: str, status: int = 400) -> None:
        super().__init__("kms", operation, message)
        self.code = code
        self.status = status


def ciphertext_key_id(blob: Any) -> str:
    """The ID of the key a backend's symmetric ciphertext blob was encrypted under (the layouts
    are in the module's docstring). Raises CiphertextError naming the problem."""
    if not isinstance(blob, bytes | bytearray):
        raise CiphertextError(f"the CiphertextBlob is {type(blob).__name__}, not binary data")
    if len(blob) < MIN_CIPHERTEXT_BYTES:
        raise CiphertextError(
            f"the ciphertext is {len(blob)} bytes long, shorter than the "
            f"{MIN_CIPHERTEXT_BYTES}-byte header that names its key"
        )
    try:
        key_id = bytes(blob[:KEY_ID_BYTES]).decode("utf-8")
    except UnicodeDecodeError as error:
        raise CiphertextError(
            f"the ciphertext's first {KEY_ID_BYTES} bytes, where its key ID belongs, are not "
            "text"
        ) from error
    if not _KEY_ID.fullmatch(key_id):
        raise CiphertextError(
            f"the ciphertext's first {KEY_ID_BYTES} bytes are not a key ID: {key_id!r}"
        )
    return key_id


def ciphertext_key_arn(blob: Any, operation: str, env: Environment) -> str:
    """The ARN of the key a ciphertext names, in the account and region of the request (where
    the backend looks it up). A blob that names no key is refused as AWS refuses it:
    InvalidCiphertextException, before any authorisation (there is no key to authorise on)."""
    try:
        key_id = ciphertext_key_id(blob)
    except CiphertextError as error:
        raise KmsRequestError(
            operation,
            "InvalidCiphertextException",
            f"The ciphertext names no KMS key ({error}), and the request names none either.",
        ) from error
    return f"arn:{env.partition}:kms:{env.region}:{env.account}:key/{key_id}"


def resolve_keys(
    requests: Sequence[AuthorizationRequest],
    operation: str,
    params: Mapping[str, Any],
    aliases: AliasTable,
) -> tuple[AuthorizationRequest, ...]:
    """The KMS requests of a call with every key named by alias replaced by the key the alias
    points to (NotFoundException when it points to none), kms:ResourceAliases set on requests
    on a key, and a Decrypt's or ReEncrypt's named key checked against the key its ciphertext
    names (IncorrectKeyException when they differ: the backend must not decrypt under a key
    that was not authorised)."""
    resolved = tuple(_on_key(request, operation, aliases) for request in requests)
    _check_ciphertext_key(resolved, operation, params)
    return tuple(dict.fromkeys(resolved))


def _on_key(
    request: AuthorizationRequest, operation: str, aliases: AliasTable
) -> AuthorizationRequest:
    # Only a key has a key policy: a request that needs one and names an alias ARN names a key
    # by its alias (the `key` binder). The alias resource of CreateAlias, UpdateAlias and
    # DeleteAlias needs none, and stays the alias.
    if not request.resource_policy_required:
        return request
    resource = request.resource
    alias = _ALIAS_ARN.fullmatch(resource)
    if alias is not None:
        target = aliases(alias["account"], alias["region"]).get(alias["alias"])
        if target is None:
            # KMS's own words for an alias that does not exist.
            raise KmsRequestError(operation, "NotFoundException", f"Alias {resource} is not found.")
        resource = (f"arn:{alias['partition']}:kms:{alias['region']}:{alias['account']}:"
                    f"key/{target}")
    key = _KEY_ARN.fullmatch(resource)
    if key is None:
        return replace(request, resource=resource)
    names = sorted(name for name, target in aliases(key["account"], key["region"]).items()
                   if target == key["id"])
    if not names:
        return replace(request, resource=resource)
    return replace(request, resource=resource,
                   keys=keys_of([*request.keys, ("kms:ResourceAliases", tuple(names))]))


def _check_ciphertext_key(
    requests: Sequence[AuthorizationRequest], operation: str, params: Mapping[str, Any]
) -> None:
    blob = params.get("CiphertextBlob")
    if blob is None:
        return
    try:
        encrypted_under = ciphertext_key_id(blob)
    except CiphertextError:
        # Only a request that names its key gets here (the mapping refuses the others): an
        # asymmetric ciphertext carries no key ID, and the backend decrypts under the named
        # key or refuses.
        return
    for request in requests:
        if request.action.lower() not in _DECRYPTING:
            continue
        named = _KEY_ARN.fullmatch(request.resource)
        if named is None or named["id"] != encrypted_under:
            raise KmsRequestError(
                operation,
                "IncorrectKeyException",
                f"The ciphertext was encrypted under the key {encrypted_under}, not under "
                f"{request.resource}: the KeyId of a Decrypt (the SourceKeyId of a ReEncrypt) "
                "must identify the key that encrypted it.",
            )
