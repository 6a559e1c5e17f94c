"""End-to-end fixtures: moto served in-process with the enforcing gateway in front, and a small,
purpose-made world built in it.

The world (`build_world`) is an organisation and two outsiders, each piece there for a test:

    org A, management account MGMT ─ root (SCP RootGuardrails; RCPs enabled)
        ├─ OU workloads (SCP WorkloadsGuardrails)
        │    └─ OU prod ─ account PROD (SCP ProdAccountGuardrails)
        ├─ OU sandbox (FullAWSAccess replaced by the allow-list SandboxAllowList) ─ account DEV
        └─ account SHARED (RCP SharedDataPerimeter)
    account OUTSIDE, in no organisation: the partner
    org B, management account OTHER (RCP OrgBPerimeter at its root)

Setup goes through `BackendAccess` (the gateway's own unenforced administrator clients), so it
is not subject to the decisions under test. Everything a test does goes through the endpoint
with boto3 (or the AWS CLI), as a user would: the root users are minted by the gateway, each
account's IAM user `caller` gets its access key from its root *through the endpoint*, and role
sessions are obtained by `caller` calling STS AssumeRole through the endpoint, so the gateway
records every credential exactly as in real use.

moto's state is process-wide: one server per test module (built in a few seconds), stopped and
emptied at the module's end.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harness.backends import ACCOUNT_ID_TAG
from harness.backends.moto import MotoServer
from harness.gateway.app import EnforcingGateway, GatewayConfig
from harness.gateway.credentials import Credential, CredentialStore
from harness.gateway.decision_log import DecisionLog

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REGION = "us-east-1"
MGMT = "100000000001"
PROD = "200000000002"
DEV = "300000000003"
SHARED = "400000000004"
OTHER = "500000000005"
OUTSIDE = "900000000009"
ORG_A = (MGMT, PROD, DEV, SHARED)
ALL_ACCOUNTS = (MGMT, PROD, DEV, SHARED, OTHER, OUTSIDE)

EXTERNAL_ID = "partner-7f3a"
MFA_CODE = "123456"

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
_CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)


def arn_role(account: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{account}:role{path}{name}"


def arn_session(account: str, role: str, session: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role}/{session}"


def arn_user(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def arn_policy(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:policy/{name}"


def inline_policy(owner_arn: str, name: str) -> str:
    """How the decision log names an inline policy (it has no ARN of its own)."""
    return f"inline policy {name} of {owner_arn}"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(*principals: str, condition: dict[str, Any] | None = None,
          actions: Iterable[str] = ("sts:AssumeRole",), sid: str = "Trust") -> str:
    statement: dict[str, Any] = {"Sid": sid, "Effect": "Allow",
                                 "Principal": {"AWS": list(principals)}, "Action": list(actions)}
    if condition:
        statement["Condition"] = condition
    return document(statement)


# --------------------------------------------------------------------------- the recorder


@dataclass(frozen=True, slots=True)
class Seen:
    """One request that reached the backend."""

    method: str
    path: str
    query: str
    authorization: str
    forwarded: bool
    """True when the gateway forwarded a client's request; False for the gateway's own reads
    (in-process clients have no client socket, so no REMOTE_PORT)."""


class Recorder:
    """Wraps the backend app and remembers every request it answers: the proof that a refused
    request was never forwarded."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._seen: list[Seen] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        seen = Seen(str(environ.get("REQUEST_METHOD", "")), str(environ.get("PATH_INFO", "")),
                    str(environ.get("QUERY_STRING", "")),
                    str(environ.get("HTTP_AUTHORIZATION", "")), "REMOTE_PORT" in environ)
        with self._lock:
            self._seen.append(seen)
        return self.app(environ, start_response)

    def mark(self) -> int:
        with self._lock:
            return len(self._seen)

    def forwarded_since(self, mark: int) -> list[Seen]:
        with self._lock:
            return [seen for seen in self._seen[mark:] if seen.forwarded]


class Clock:
    """The gateway's clock: real time plus an offset a test may move."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    """The running endpoint, the world in it, and helpers to act in it."""

    server: MotoServer
    gateway: EnforcingGateway
    recorder: Recorder
    clock: Clock
    org_id: str = ""
    org_b_id: str = ""
    root_id: str = ""
    policy_arns: dict[str, str] = field(default_factory=dict)
    """Organisation policy name → ARN (SCPs and RCPs)."""
    _roots: dict[str, Credential] = field(default_factory=dict)
    _users: dict[tuple[str, str], Credential] = field(default_factory=dict)
    _clients: dict[tuple[str, str, str, str], Any] = field(default_factory=dict)
    _session: boto3.session.Session = field(default_factory=boto3.session.Session)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def store(self) -> CredentialStore:
        return self.gateway.store

    @property
    def log(self) -> DecisionLog:
        return self.gateway.config.log

    # ------------------------------------------------------------------ principals

    def root(self, account: str) -> Credential:
        """The account's root user (minted by the gateway, as AWS gives every account one)."""
        if account not in self._roots:
            self._roots[account] = self.gateway.mint_root(account)
        return self._roots[account]

    def user(self, account: str, name: str = "caller") -> Credential:
        """An IAM user's long-term key, created by the account's root through the endpoint."""
        if (account, name) not in self._users:
            iam = self.client(self.root(account), "iam")
            key = iam.create_access_key(UserName=name)["AccessKey"]
            recorded = self.store.get(key["AccessKeyId"])
            assert recorded is not None, "the gateway did not record the access key it passed"
            self._users[(account, name)] = recorded
        return self._users[(account, name)]

    def session_of(self, role_arn: str, *, via: Credential | None = None,
                   name: str = "e2e", **params: Any) -> Credential:
        """A session of `role_arn` from STS AssumeRole through the endpoint, called by `via`
        (default: the role account's user `caller`); `params` go to AssumeRole as they are."""
        caller = via or self.user(role_arn.split(":")[4])
        issued = self.client(caller, "sts").assume_role(
            RoleArn=role_arn, RoleSessionName=name, **params)["Credentials"]
        recorded = self.store.get(issued["AccessKeyId"])
        assert recorded is not None, "the gateway did not record the session it passed"
        return recorded

    def mfa_session(self, account: str, name: str = "caller") -> Credential:
        """GetSessionToken with an MFA device's serial number and code."""
        issued = self.client(self.user(account, name), "sts").get_session_token(
            SerialNumber=f"arn:aws:iam::{account}:mfa/{name}", TokenCode=MFA_CODE,
        )["Credentials"]
        recorded = self.store.get(issued["AccessKeyId"])
        assert recorded is not None
        return recorded

    # ------------------------------------------------------------------ clients

    def client(self, credential: Credential, service: str, region: str = REGION,
               **options: Any) -> Any:
        """A boto3 client through the endpoint, signed with `credential`."""
        key = (credential.access_key_id, service, region, repr(sorted(options.items())))
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service, region_name=region, endpoint_url=self.url,
                aws_access_key_id=credential.access_key_id,
                aws_secret_access_key=credential.secret_access_key,
                aws_session_token=credential.session_token,
                config=options.pop("config", _CLIENT_CONFIG), **options)
        return self._clients[key]

    def anonymous(self, service: str = "s3") -> Any:
        from botocore import UNSIGNED

        return self._session.client(service, region_name=REGION, endpoint_url=self.url,
                                    config=_CLIENT_CONFIG.merge(Config(signature_version=UNSIGNED)))

    def backend(self, account: str, service: str, region: str = REGION) -> Any:
        """An administrator client of `account` that bypasses the gateway (setup, and checking
        that a denied call changed nothing)."""
        return self.gateway.access.client(account, service, region)

    # ------------------------------------------------------------------ the decision log

    def mark(self) -> int:
        return len(self.log.records())

    def decisions(self, since: int) -> list[dict[str, Any]]:
        return self.log.records()[since:]

    def decision(self, since: int, action: str) -> dict[str, Any]:
        """The last decision about `action` since `since`."""
        found = [r for r in self.decisions(since) if r.get("action") == action]
        assert found, f"no decision about {action} was logged: {self.decisions(since)}"
        return found[-1]

    def refused(self, call: Callable[[], Any]) -> ClientError:
        """The ClientError `call` raises, having checked that the gateway forwarded nothing."""
        seen = self.recorder.mark()
        error = error_of(call)
        assert self.recorder.forwarded_since(seen) == [], "a refused request reached the backend"
        return error

    def queue_url(self, account: str, name: str) -> str:
        """A queue's URL, as SQS gives it (the account in the path)."""
        return f"{self.url}/{account}/{name}"


# --------------------------------------------------------------------------- assertions


def error_of(call: Callable[[], Any]) -> ClientError:
    """The ClientError `call` raises (fails the test if it succeeds)."""
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value


def assert_error(error: ClientError, code: str, message: str, status: int) -> None:
    got = error.response.get("Error", {})
    meta = error.response.get("ResponseMetadata", {})
    assert (got.get("Code"), meta.get("HTTPStatusCode")) == (code, status), error.response
    assert got.get("Message") == message


def statements(record: dict[str, Any]) -> set[tuple[str, str]]:
    """(policy, Sid) of the statements that decided."""
    return {(s["policy"], s["statement"]) for s in record["deciding"]}


def denied_because(who: str, action: str, resource: str, reason: str) -> str:
    """AWS's enhanced AccessDenied message.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"""
    head = f"User: {who} is not authorized to perform: {action} on resource: {resource}"
    return f"{head} {reason}" if reason else head


def no_allow(kind: str, action: str) -> str:
    return f"because no {kind} allows the {action} action"


def explicit(kind: str, policy_arn: str | None = None) -> str:
    article = "an" if kind[0] in "aeiou" else "a"
    return f"with an explicit deny in {article} {kind}" + (f": {policy_arn}" if policy_arn else "")


# --------------------------------------------------------------------------- building


def _ensure(call: Callable[[], Any]) -> Any:
    return call()


def build_world(world: World) -> None:
    """Everything through the gateway's unenforced administrator clients."""
    _organization_a(world)
    _organization_b(world)
    for account in ALL_ACCOUNTS:
        _common_identities(world, account)
    _prod(world)
    _shared(world)
    _dev(world)
    _management(world)
    _outside(world)
    _other(world)
    world.gateway.backend_state.invalidate()


def _organization_a(world: World) -> None:
    org = world.backend(MGMT, "organizations")
    world.org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    world.root_id = root
    # AWS evaluates a policy type only once it is enabled at the root.
    # https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html
    org.enable_policy_type(RootId=root, PolicyType=SCP)
    org.enable_policy_type(RootId=root, PolicyType=RCP)
    workloads = org.create_organizational_unit(ParentId=root, Name="workloads")[
        "OrganizationalUnit"]["Id"]
    prod_ou = org.create_organizational_unit(ParentId=workloads, Name="prod")[
        "OrganizationalUnit"]["Id"]
    sandbox = org.create_organizational_unit(ParentId=root, Name="sandbox")[
        "OrganizationalUnit"]["Id"]
    for account, name, parent in ((PROD, "prod", prod_ou), (DEV, "dev", sandbox),
                                  (SHARED, "shared", root)):
        org.create_account(AccountName=name, Email=f"{name}@example.com",
                           Tags=[{"Key": ACCOUNT_ID_TAG, "Value": account}])
        if parent != root:
            org.move_account(AccountId=account, SourceParentId=root,
                             DestinationParentId=parent)

    def attach(name: str, kind: str, target: str, *body: dict[str, Any]) -> None:
        created = org.create_policy(Name=name, Description=name, Type=kind,
                                    Content=document(*body))["Policy"]["PolicySummary"]
        world.policy_arns[name] = created["Arn"]
        org.attach_policy(PolicyId=created["Id"], TargetId=target)

    attach("RootGuardrails", SCP, root, {
        # AWS's example region guardrail: global services are exempt.
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
        "Sid": "DenyOutsideApprovedRegions", "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    }, {"Sid": "DenyQueueDeletion", "Effect": "Deny", "Action": "sqs:DeleteQueue",
        "Resource": "*"})
    attach("WorkloadsGuardrails", SCP, workloads, {
        "Sid": "DenyTableDeletion", "Effect": "Deny", "Action": "dynamodb:DeleteTable",
        "Resource": "*"})
    attach("ProdAccountGuardrails", SCP, PROD, {
        "Sid": "DenyBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket",
        "Resource": "*"})
    attach("SandboxAllowList", SCP, sandbox, {
        "Sid": "AllowStorageMessagingAndIdentity", "Effect": "Allow",
        "Action": ["s3:*", "sns:*", "sqs:*", "iam:*", "sts:*"], "Resource": "*"})
    full_access = next(p["Id"] for p in org.list_policies_for_target(
        TargetId=sandbox, Filter=SCP)["Policies"] if p["Name"] == "FullAWSAccess")
    org.detach_policy(PolicyId=full_access, TargetId=sandbox)
    perimeter = {
        # AWS's data-perimeter RCP: only principals of the organisation reach the resources.
        # https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
        "Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
        "Action": ["s3:*", "sqs:*"], "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": world.org_id},
                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}},
    }
    attach("SharedDataPerimeter", RCP, SHARED, perimeter)
    # Attached to the management account too: where AWS ignores it.
    created = org.list_policies(Filter=RCP)["Policies"]
    perimeter_id = next(p["Id"] for p in created if p["Name"] == "SharedDataPerimeter")
    org.attach_policy(PolicyId=perimeter_id, TargetId=MGMT)


def _organization_b(world: World) -> None:
    org = world.backend(OTHER, "organizations")
    world.org_b_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType=RCP)
    created = org.create_policy(
        Name="OrgBPerimeter", Description="org B perimeter", Type=RCP,
        Content=document({
            "Sid": "OrgBIdentitiesOnly", "Effect": "Deny", "Principal": "*",
            "Action": "sqs:*", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": world.org_b_id}},
        }))["Policy"]["PolicySummary"]
    world.policy_arns["OrgBPerimeter"] = created["Arn"]
    org.attach_policy(PolicyId=created["Id"], TargetId=root)


def _common_identities(world: World, account: str) -> None:
    """Every account: the user `caller` (who assumes roles) and the role `admin`."""
    iam = world.backend(account, "iam")
    iam.create_user(UserName="caller")
    iam.put_user_policy(UserName="caller", PolicyName="caller-permissions",
                        PolicyDocument=document({
                            "Sid": "AssumeRoles", "Effect": "Allow",
                            "Action": ["sts:AssumeRole", "sts:TagSession",
                                       "sts:SetSourceIdentity"],
                            "Resource": "*"}, *_caller_extras(account)))
    iam.create_role(RoleName="admin",
                    AssumeRolePolicyDocument=trust(f"arn:aws:iam::{account}:root"))
    iam.attach_role_policy(RoleName="admin", PolicyArn=ADMINISTRATOR_ACCESS)


def _caller_extras(account: str) -> list[dict[str, Any]]:
    if account != PROD:
        return []
    # MFA: AWS's two idioms. Bool on an absent key does not match (long-term keys carry no
    # aws:MultiFactorAuthPresent); BoolIfExists …false matches it.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
    return [
        {"Sid": "ReadReportsWithMfa", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::prod-app-data/reports/*",
         "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
        {"Sid": "PublishOrders", "Effect": "Allow", "Action": "sns:Publish",
         "Resource": f"arn:aws:sns:{REGION}:{PROD}:orders"},
        {"Sid": "DenyPublishWithoutMfa", "Effect": "Deny", "Action": "sns:Publish",
         "Resource": "*",
         "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    ]


def _role(world: World, account: str, name: str, *, trusted: str | None = None,
          inline: dict[str, list[dict[str, Any]]] | None = None, managed: Iterable[str] = (),
          boundary: str | None = None, tags: dict[str, str] | None = None,
          trust_document: str | None = None, path: str = "/", max_session: int = 3600) -> None:
    iam = world.backend(account, "iam")
    params: dict[str, Any] = {
        "RoleName": name, "Path": path, "MaxSessionDuration": max_session,
        "AssumeRolePolicyDocument": (trust_document
                                     or trust(trusted or f"arn:aws:iam::{account}:root")),
    }
    if boundary:
        params["PermissionsBoundary"] = boundary
    if tags:
        params["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    iam.create_role(**params)
    for policy_name, body in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name,
                            PolicyDocument=document(*body))
    for arn in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)


def _managed(world: World, account: str, name: str, *body: dict[str, Any]) -> str:
    arn: str = world.backend(account, "iam").create_policy(
        PolicyName=name, PolicyDocument=document(*body))["Policy"]["Arn"]
    return arn


def _bucket(world: World, account: str, name: str, objects: Iterable[str] = (),
            policy: list[dict[str, Any]] | None = None, region: str = REGION) -> None:
    s3 = world.backend(account, "s3", region)
    s3.create_bucket(Bucket=name)
    for key in objects:
        s3.put_object(Bucket=name, Key=key, Body=f"content of {key}".encode())
    if policy:
        s3.put_bucket_policy(Bucket=name, Policy=document(*policy))


def _queue(world: World, account: str, name: str, policy: list[dict[str, Any]] | None = None,
           region: str = REGION, tags: dict[str, str] | None = None) -> None:
    sqs = world.backend(account, "sqs", region)
    attributes = {"Policy": document(*policy)} if policy else {}
    sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags or {})


def _table(world: World, account: str, name: str) -> None:
    world.backend(account, "dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])


def _prod(world: World) -> None:
    topic = f"arn:aws:sns:{REGION}:{PROD}:orders"
    sns = world.backend(PROD, "sns")
    sns.create_topic(Name="orders")
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=document(
        {"Sid": "OwnerMayPublish", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": "sns:Publish", "Resource": topic},
        {"Sid": "PartnerMayPublish", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, "Action": "sns:Publish",
         "Resource": topic},
        {"Sid": "PartnerNeverSubscribes", "Effect": "Deny",
         "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, "Action": "sns:Subscribe",
         "Resource": topic}))
    sns.create_topic(Name="internal")
    _bucket(world, PROD, "prod-app-data",
            ["reports/q1.csv", "secret/keys.txt", "orders/existing.txt"])
    _bucket(world, PROD, "prod-shared-docs", ["docs/guide.txt"], policy=[
        {"Sid": "AccountMayRead", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::prod-shared-docs/*"},
        {"Sid": "ReaderRoleMayList", "Effect": "Allow",
         "Principal": {"AWS": arn_role(PROD, "reader")}, "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::prod-shared-docs"},
        {"Sid": "NamedSessionMayWrite", "Effect": "Allow",
         "Principal": {"AWS": arn_session(PROD, "reader", "named-session")},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::prod-shared-docs/inbox/*"},
        {"Sid": "NobodyDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": "arn:aws:s3:::prod-shared-docs/*"},
        {"Sid": "PartnerMayRead", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::prod-shared-docs/*"},
        {"Sid": "PartnerNeverWritesDocs", "Effect": "Deny",
         "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::prod-shared-docs/docs/*"},
    ])
    _bucket(world, PROD, "prod-public-assets", ["public/logo.txt", "private/plan.txt"], policy=[
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::prod-public-assets/public/*"},
    ])
    _bucket(world, PROD, "prod-tls-only", ["doc.txt"], policy=[
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::prod-tls-only", "arn:aws:s3:::prod-tls-only/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ])
    _bucket(world, PROD, "prod-keep")
    _bucket(world, PROD, "prod-policy-later", ["note.txt"])
    _queue(world, PROD, "work")
    _queue(world, PROD, "doomed")
    _queue(world, PROD, "slr-doomed")
    _queue(world, PROD, "orders-q", tags={"team": "orders", "protected": "true"})
    _queue(world, PROD, "payments-q", tags={"team": "payments"})
    _table(world, PROD, "app-table")
    _table(world, PROD, "keep-table")

    table_access = _managed(world, PROD, "app-table-access", {
        "Sid": "WriteAppTable", "Effect": "Allow",
        "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
        "Resource": f"arn:aws:dynamodb:{REGION}:{PROD}:table/app-table"})
    _role(world, PROD, "app", tags={"team": "orders"}, managed=[table_access], inline={
        "app-permissions": [
            {"Sid": "ReadWriteAppData", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject"],
             "Resource": "arn:aws:s3:::prod-app-data/*"},
            {"Sid": "ListAppData", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::prod-app-data"},
            {"Sid": "DenySecrets", "Effect": "Deny", "Action": "s3:*",
             "Resource": "arn:aws:s3:::prod-app-data/secret/*"},
            {"Sid": "PublishOrders", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic},
            {"Sid": "UseQueues", "Effect": "Allow",
             "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
             "Resource": [f"arn:aws:sqs:{REGION}:{PROD}:work",
                          f"arn:aws:sqs:{REGION}:{SHARED}:shared-work",
                          f"arn:aws:sqs:{REGION}:{SHARED}:shared-inbox"]},
        ]})
    boundary = _managed(world, PROD, "storage-boundary", {
        "Sid": "BoundaryAllowsStorage", "Effect": "Allow", "Action": ["s3:*", "sqs:*"],
        "Resource": "*"}, {
        "Sid": "BoundaryDeniesObjectDeletion", "Effect": "Deny", "Action": "s3:DeleteObject",
        "Resource": "*"})
    _role(world, PROD, "bounded", boundary=boundary, inline={"bounded-permissions": [
        {"Sid": "AllowEverything", "Effect": "Allow", "Action": "*", "Resource": "*"}]})
    _role(world, PROD, "broad", inline={"broad-permissions": [
        {"Sid": "AppDataAndOrders", "Effect": "Allow", "Action": ["s3:*", "sns:Publish"],
         "Resource": ["arn:aws:s3:::prod-app-data", "arn:aws:s3:::prod-app-data/*", topic]}]})
    _managed(world, PROD, "session-reports-only", {
        "Sid": "ReportsOnly", "Effect": "Allow", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::prod-app-data/reports/*"})
    _managed(world, PROD, "session-no-publishing", {
        "Sid": "NoPublishing", "Effect": "Deny", "Action": "sns:Publish", "Resource": "*"})
    _role(world, PROD, "reader")
    _role(world, PROD, "tagged", tags={"team": "orders"},
          trust_document=trust(f"arn:aws:iam::{PROD}:root",
                               actions=("sts:AssumeRole", "sts:TagSession")),
          inline={"team-prefix": [
              {"Sid": "OwnTeamPrefix", "Effect": "Allow", "Action": "s3:PutObject",
               "Resource": "arn:aws:s3:::prod-app-data/teams/${aws:PrincipalTag/team}/*"}]})
    _role(world, PROD, "creator", inline={"create-tagged": [
        {"Sid": "CreateTaggedQueues", "Effect": "Allow",
         "Action": ["sqs:CreateQueue", "sqs:TagQueue"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "orders"},
                       "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}},
        {"Sid": "CreateTaggedTopics", "Effect": "Allow",
         "Action": ["sns:CreateTopic", "sns:TagResource"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "orders"}}}]})
    # Attribute-based access control: the role's team tag against the queue's.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html
    _role(world, PROD, "abac", tags={"team": "orders"}, inline={"team-queues": [
        {"Sid": "SendToOwnTeamQueues", "Effect": "Allow", "Action": "sqs:SendMessage",
         "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Sid": "PurgeQueues", "Effect": "Allow", "Action": "sqs:PurgeQueue", "Resource": "*"},
        {"Sid": "ProtectTaggedQueues", "Effect": "Deny", "Action": "sqs:PurgeQueue",
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}},
    ]})
    _role(world, PROD, "regional", inline={"eu-west-only": [
        {"Sid": "EuWestOnly", "Effect": "Allow", "Action": ["sqs:ListQueues", "sqs:CreateQueue"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}]})
    _role(world, PROD, "external", trust_document=trust(
        f"arn:aws:iam::{OUTSIDE}:root", sid="TrustPartnerWithExternalId",
        condition={"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}))
    _role(world, PROD, "open-to-partner", trusted=f"arn:aws:iam::{OUTSIDE}:root")
    _role(world, PROD, "mfa-role", trust_document=trust(
        f"arn:aws:iam::{PROD}:root", sid="OnlyWithMfa",
        condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    _role(world, PROD, "short")
    _role(world, PROD, "long", max_session=7200)
    _role(world, PROD, "slr", path="/aws-service-role/test.amazonaws.com/",
          managed=[ADMINISTRATOR_ACCESS])
    iam = world.backend(PROD, "iam")
    iam.create_user(UserName="grouped")
    iam.create_group(GroupName="report-readers")
    iam.put_group_policy(GroupName="report-readers", PolicyName="read-reports",
                         PolicyDocument=document({
                             "Sid": "GroupReadsReports", "Effect": "Allow",
                             "Action": "s3:GetObject",
                             "Resource": "arn:aws:s3:::prod-app-data/reports/*"}))
    iam.add_user_to_group(GroupName="report-readers", UserName="grouped")
    iam.put_user_policy(UserName="grouped", PolicyName="federate", PolicyDocument=document({
        "Sid": "MayFederate", "Effect": "Allow", "Action": "sts:GetFederationToken",
        "Resource": "*"}))


def _shared(world: World) -> None:
    _queue(world, SHARED, "shared-work", policy=[
        {"Sid": "ProdAppMaySend", "Effect": "Allow", "Principal": {"AWS": arn_role(PROD, "app")},
         "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{SHARED}:shared-work"},
        {"Sid": "NobodyPurges", "Effect": "Deny", "Principal": "*", "Action": "sqs:PurgeQueue",
         "Resource": f"arn:aws:sqs:{REGION}:{SHARED}:shared-work"}])
    _queue(world, SHARED, "work")  # the same name as PROD's, to catch a call run in SHARED
    _queue(world, SHARED, "shared-inbox", policy=[
        {"Sid": "PartnerAndProdMaySend", "Effect": "Allow",
         "Principal": {"AWS": [f"arn:aws:iam::{OUTSIDE}:root", f"arn:aws:iam::{PROD}:root"]},
         "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{SHARED}:shared-inbox"}])
    _table(world, SHARED, "shared-table")
    _bucket(world, SHARED, "shared-scratch")


def _dev(world: World) -> None:
    _table(world, DEV, "dev-table")


def _management(world: World) -> None:
    _queue(world, MGMT, "mgmt-doomed")
    _queue(world, MGMT, "mgmt-inbox", policy=[
        {"Sid": "PartnerMaySend", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{OUTSIDE}:root"}, "Action": "sqs:SendMessage",
         "Resource": f"arn:aws:sqs:{REGION}:{MGMT}:mgmt-inbox"}])


def _outside(world: World) -> None:
    _role(world, OUTSIDE, "partner", inline={"partner-access": [
        {"Sid": "PartnerAccess", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "sns:Publish", "sns:Subscribe",
                    "sqs:SendMessage", "sts:AssumeRole"],
         "Resource": "*"}]})
    _role(world, OUTSIDE, "bystander")


def _other(world: World) -> None:
    _queue(world, OTHER, "other-inbox", policy=[
        {"Sid": "ProdMaySend", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
         "Action": "sqs:SendMessage", "Resource": f"arn:aws:sqs:{REGION}:{OTHER}:other-inbox"}])


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    server = MotoServer()
    clock = Clock()
    store = CredentialStore()
    config = GatewayConfig(accounts=ALL_ACCOUNTS, clock=clock)
    made: dict[str, Any] = {}

    def middleware(app: WSGIApplication) -> WSGIApplication:
        recorder = Recorder(app)
        made["recorder"] = recorder
        made["gateway"] = EnforcingGateway(recorder, store, config)
        return made["gateway"]  # type: ignore[no-any-return]

    server.set_middleware(middleware)
    server.start()
    try:
        built = World(server, made["gateway"], made["recorder"], clock)
        build_world(built)
        yield built
    finally:
        server.stop()
