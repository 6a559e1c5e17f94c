"""The credential store and the Caller each kind of credential stands for.

Caller fields: harness/iam/context.py. What AWS reports per kind (GetCallerIdentity Arn, the
aws:userid and aws:PrincipalType values):
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from harness.gateway.credentials import Credential, CredentialStore, SessionContext
from harness.iam.context import Caller, PrincipalKind

ACCOUNT = "111122223333"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def credential(
    key: str = "AKIAEXAMPLE000000001",
    *,
    kind: PrincipalKind = PrincipalKind.USER,
    arn: str = f"arn:aws:iam::{ACCOUNT}:user/alice",
    identity_arn: str | None = None,
    expires_at: datetime | None = None,
    token: str | None = None,
) -> Credential:
    return Credential(
        access_key_id=key,
        secret_access_key="secret/" + key,
        account=ACCOUNT,
        kind=kind,
        arn=arn,
        identity_arn=identity_arn,
        session_token=token,
        expires_at=expires_at,
    )


# (kind, caller ARN, identity ARN given, expected Caller)
CALLERS = [
    pytest.param(
        PrincipalKind.ROOT,
        f"arn:aws:iam::{ACCOUNT}:root",
        None,
        Caller(
            PrincipalKind.ROOT,
            f"arn:aws:iam::{ACCOUNT}:root",
            ACCOUNT,
            identity_arn=f"arn:aws:iam::{ACCOUNT}:root",
        ),
        id="root",
    ),
    pytest.param(
        PrincipalKind.USER,
        f"arn:aws:iam::{ACCOUNT}:user/division/alice",
        None,
        Caller(
            PrincipalKind.USER,
            f"arn:aws:iam::{ACCOUNT}:user/division/alice",
            ACCOUNT,
            identity_arn=f"arn:aws:iam::{ACCOUNT}:user/division/alice",
        ),
        id="user-with-path",
    ),
    pytest.param(
        PrincipalKind.ROLE_SESSION,
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci-run-7",
        f"arn:aws:iam::{ACCOUNT}:role/platform/ci/Deployer",
        Caller(
            PrincipalKind.ROLE_SESSION,
            f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/ci-run-7",
            ACCOUNT,
            identity_arn=f"arn:aws:iam::{ACCOUNT}:role/platform/ci/Deployer",
        ),
        id="role-session-with-path",
    ),
    pytest.param(
        PrincipalKind.ROLE_SESSION,
        f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForECS/ecs",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        Caller(
            PrincipalKind.ROLE_SESSION,
            f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSServiceRoleForECS/ecs",
            ACCOUNT,
            identity_arn=(
                f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/"
                "AWSServiceRoleForECS"
            ),
            service_linked=True,
        ),
        id="service-linked-role-session",
    ),
    pytest.param(
        PrincipalKind.FEDERATED_USER,
        f"arn:aws:sts::{ACCOUNT}:federated-user/bob",
        f"arn:aws:iam::{ACCOUNT}:user/broker",
        Caller(
            PrincipalKind.FEDERATED_USER,
            f"arn:aws:sts::{ACCOUNT}:federated-user/bob",
            ACCOUNT,
            identity_arn=f"arn:aws:iam::{ACCOUNT}:user/broker",
        ),
        id="federated-user",
    ),
    pytest.param(
        PrincipalKind.USER,
        f"arn:aws-cn:iam::{ACCOUNT}:user/li",
        None,
        Caller(
            PrincipalKind.USER,
            f"arn:aws-cn:iam::{ACCOUNT}:user/li",
            ACCOUNT,
            identity_arn=f"arn:aws-cn:iam::{ACCOUNT}:user/li",
            partition="aws-cn",
        ),
        id="other-partition",
    ),
]


@pytest.mark.parametrize(("kind", "arn", "identity_arn", "expected"), CALLERS)
def test_caller_for_each_kind(
    kind: PrincipalKind, arn: str, identity_arn: str | None, expected: Caller
) -> None:
    assert credential(kind=kind, arn=arn, identity_arn=identity_arn).caller() == expected


def test_a_role_path_merely_containing_the_service_role_path_is_not_service_linked() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/team/aws-service-role/Fake"
    session = credential(
        kind=PrincipalKind.ROLE_SESSION,
        arn=f"arn:aws:sts::{ACCOUNT}:assumed-role/Fake/s",
        identity_arn=role,
    )
    assert not session.caller().service_linked


@pytest.mark.parametrize(
    "kind",
    [PrincipalKind.ROLE, PrincipalKind.ANONYMOUS, PrincipalKind.SAML],
)
def test_only_principals_that_hold_keys_can_be_credentials(kind: PrincipalKind) -> None:
    with pytest.raises(ValueError, match="cannot hold an access key"):
        credential(kind=kind)


def test_a_service_credential_is_the_service_for_the_engine() -> None:
    made = credential(kind=PrincipalKind.SERVICE, arn="lambda.amazonaws.com")
    caller = made.caller()
    assert (caller.kind, caller.service, caller.account) == (
        PrincipalKind.SERVICE, "lambda.amazonaws.com", None)


def test_secrets_stay_out_of_repr() -> None:
    text = repr(credential(token="FwoGZXIvYXdzEXAMPLETOKEN"))
    assert "secret/" not in text
    assert "FwoGZXIvYXdzEXAMPLETOKEN" not in text


def test_temporary_credentials_and_expiry() -> None:
    long_term = credential()
    session = credential("ASIAEXAMPLE000000001", token="tok", expires_at=NOW + timedelta(hours=1))
    assert not long_term.temporary and not long_term.expired(NOW)
    assert session.temporary
    assert not session.expired(NOW)
    assert session.expired(NOW + timedelta(hours=1))
    # naive datetimes are UTC
    assert session.expired((NOW + timedelta(hours=2)).replace(tzinfo=None))


def test_session_context_carries_mfa() -> None:
    context = SessionContext(issued_at=NOW, mfa_authenticated_at=NOW - timedelta(minutes=5))
    assert context.mfa_present
    assert not SessionContext(issued_at=NOW).mfa_present


def test_store_add_get_remove_len() -> None:
    store = CredentialStore()
    alice = credential()
    store.add(alice)
    assert store.get(alice.access_key_id) is alice
    assert alice.access_key_id in store
    assert len(store) == 1
    assert store.get("AKIAUNKNOWN") is None
    store.remove(alice.access_key_id)
    store.remove(alice.access_key_id)  # removing twice is not an error
    assert len(store) == 0


def test_snapshot_and_restore_for_a_scenario_reset() -> None:
    store = CredentialStore()
    store.add(credential("AKIAEXAMPLE000000001"))
    snapshot = store.snapshot()
    store.add(credential("ASIAEXAMPLE000000002", token="t"))
    store.remove("AKIAEXAMPLE000000001")
    snapshot["AKIAMUTATED"] = credential("AKIAMUTATED")  # a snapshot is a copy
    store.restore(snapshot)
    assert set(store.snapshot()) == {"AKIAEXAMPLE000000001", "AKIAMUTATED"}
    snapshot.clear()
    assert len(store) == 2


def test_concurrent_adds_and_gets() -> None:
    store = CredentialStore()
    writers, per_writer = 8, 250
    errors: list[str] = []
    start = threading.Barrier(writers * 2)

    def write(worker: int) -> None:
        start.wait()
        for index in range(per_writer):
            store.add(credential(f"AKIA{worker:04d}{index:012d}"))

    def read(worker: int) -> None:
        start.wait()
        for index in range(per_writer):
            key = f"AKIA{worker:04d}{index:012d}"
            found = store.get(key)
            if found is not None and found.access_key_id != key:
                errors.append(key)
            store.snapshot()
            len(store)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    threads += [threading.Thread(target=read, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(store) == writers * per_writer
