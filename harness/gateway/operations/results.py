"""What mapping an operation yields: its IAM authorisation requests, or `UnmappedOperation`
(fail closed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Keys = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """One authorisation AWS makes for an API call: may the caller do `action` on `resource`?

    `keys` are the request-specific condition keys (service keys, aws:RequestTag/*, aws:TagKeys,
    aws:RequestedRegion …), each with its values as strings; whether a key is multivalued is the
    reference's business (harness.reference.condition_key_type says ArrayOf…). `resource_account`
    is the owner when the ARN says it (None for S3 buckets and objects, whose ARNs have no
    account: the gateway looks the owner up). `resource_policy_required` marks requests that a
    resource policy must allow even within one account: sts:AssumeRole* on a role (the trust
    policy) and KMS actions on a key (the key policy).
    """

    action: str
    resource: str
    keys: Keys = ()
    resource_account: str | None = None
    resource_policy_required: bool = False

    def key(self, name: str) -> tuple[str, ...] | None:
        """The values of a key (case-insensitive), or None when the request does not set it."""
        lowered = name.lower()
        for key, values in self.keys:
            if key.lower() == lowered:
                return values
        return None


class UnmappedOperation(Exception):
    """The operation has no IAM mapping (or its parameters cannot be mapped): the gateway denies
    it with this message. Fail closed: never forward a call that was not authorised."""

    def __init__(self, service: str, operation: str, reason: str = "") -> None:
        self.service = service
        self.operation = operation
        self.reason = reason or "no IAM authorisation mapping is known for this operation"
        super().__init__(f"{service}:{operation} cannot be authorised: {self.reason}")


class InvalidParameters(UnmappedOperation):
    """The operation is mapped, but its parameters do not say which resource it acts on
    (a required parameter is missing, of the wrong type, or malformed)."""


def keys_of(pairs: Iterable[tuple[str, Iterable[str]]]) -> Keys:
    """Keys in a stable order, later values of a key replacing earlier ones."""
    merged: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, values in pairs:
        merged[name.lower()] = (name, tuple(values))
    return tuple(merged[lowered] for lowered in sorted(merged))
