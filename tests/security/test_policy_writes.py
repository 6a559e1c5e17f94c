"""Policy documents written through the endpoint are judged as their service judges them, and a
policy the backend nonetheless holds unreadable does not lock its owner out.

moto stores `{bad` as a bucket policy and answers 200; from then on the gateway could read no
decision about the bucket, DeleteBucketPolicy included. AWS refuses such a write with the
service's own error (S3 MalformedPolicy, IAM MalformedPolicyDocument, SNS InvalidParameter, SQS
InvalidAttributeValue, KMS and Organizations MalformedPolicyDocumentException, …). Each case here
writes a malformed document as an administrator who may make the call, and checks AWS's answer,
that nothing reached the backend, and that the stored policy is what it was. Valid documents —
including grammar AWS accepts that IAM's own policies may not use — still pass. Then a policy
planted in the backend unreadable: every request on its resource is denied, except the owner's
calls that delete or replace it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from harness.gateway.backend_state import FAILS_CLOSED_SID, SET_ASIDE_SID
from harness.gateway.credentials import Credential
from tests.gateway.conftest import (
    MGMT,
    OUTSIDE,
    PROD,
    REGION,
    World,
    arn_role,
    assert_error,
    document,
    error_of,
    statements,
    trust,
    world,
)

__all__ = ["world"]  # the module-scoped endpoint of tests/gateway, reused here

pytestmark = pytest.mark.slow

BUCKET = "prod-shared-docs"
TOPIC = f"arn:aws:sns:{REGION}:{PROD}:orders"
FUNCTION = "policy-writes-probe"
SECRET = "policy-writes-secret"
ROOT = f"arn:aws:iam::{PROD}:root"


@dataclass(frozen=True)
class Case:
    """A malformed document and AWS's answer to it."""

    name: str
    document: str
    code: str
    message: str
    status: int = 400


def statement(**elements: Any) -> dict[str, Any]:
    """A statement with the given elements; an element given as None is left out."""
    return {key: value for key, value in elements.items() if value is not None}


def bucket_statement(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": ROOT},
                            "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    return statement(**{**base, **changes})


def oversized(limit: int, build: Callable[[list[str]], str]) -> str:
    """A valid document of more than `limit` non-white-space characters."""
    resources: list[str] = []
    text = build(resources)
    while len(text.replace(" ", "")) <= limit:
        resources.append(f"arn:aws:s3:::{BUCKET}/{'x' * 90}{len(resources)}")
        text = build(resources)
    return text


@pytest.fixture(scope="module")
def admin(world: World) -> Credential:
    return world.session_of(arn_role(PROD, "admin"))


@pytest.fixture(scope="module")
def outsider(world: World) -> Credential:
    """A role of another account whose own policies allow every policy write: only the
    resource's side can refuse it."""
    iam = world.backend(OUTSIDE, "iam")
    iam.create_role(RoleName="policy-writer",
                    AssumeRolePolicyDocument=trust(f"arn:aws:iam::{OUTSIDE}:root"))
    iam.put_role_policy(RoleName="policy-writer", PolicyName="write-policies",
                        PolicyDocument=document(statement(
                            Effect="Allow", Resource="*", Action=[
                                "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                                "sqs:SetQueueAttributes", "kms:PutKeyPolicy"])))
    world.gateway.backend_state.invalidate()
    return world.session_of(arn_role(OUTSIDE, "policy-writer"))


@pytest.fixture(scope="module")
def key_id(world: World) -> str:
    key: str = world.backend(PROD, "kms").create_key(Description="policy writes")[
        "KeyMetadata"]["KeyId"]
    return key


@pytest.fixture(scope="module")
def function(world: World) -> Iterator[str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    world.backend(PROD, "lambda").create_function(
        FunctionName=FUNCTION, Runtime="python3.11", Handler="index.handler",
        Role=arn_role(PROD, "app"), Code={"ZipFile": buffer.getvalue()})
    yield FUNCTION


def refused_write(world: World, call: Callable[[], Any], case: Case) -> None:
    mark = world.mark()
    error = world.refused(call)
    assert_error(error, case.code, case.message, case.status)
    refusal = world.decisions(mark)[-1]
    assert (refusal["decision"], refusal["error_code"]) == ("refused", case.code)


# --------------------------------------------------------------------------- S3

S3_CASES = [
    Case("not JSON", "not a policy", "MalformedPolicy",
         "Policies must be valid JSON and the first byte must be '{'"),
    Case("not an object", '["Statement"]', "MalformedPolicy",
         "Policies must be valid JSON and the first byte must be '{'"),
    Case("broken JSON", "{bad", "MalformedPolicy", "This policy contains invalid Json"),
    Case("no statement", "{}", "MalformedPolicy", "Missing required field Statement"),
    Case("empty statement", json.dumps({"Version": "2012-10-17", "Statement": []}),
         "MalformedPolicy", "Could not parse the policy: Statement is empty!"),
    Case("wrong version", json.dumps({"Version": "2012-10-18", "Statement": [
        bucket_statement()]}), "MalformedPolicy", "The policy must contain a valid version string"),
    Case("unknown effect", document(bucket_statement(Effect="allow")), "MalformedPolicy",
         "Invalid effect: allow"),
    Case("no effect", document(bucket_statement(Effect=None)), "MalformedPolicy",
         "Missing required field Effect"),
    Case("no principal", document(bucket_statement(Principal=None)), "MalformedPolicy",
         "Missing required field Principal"),
    Case("empty principal", document(bucket_statement(Principal={"AWS": []})),
         "MalformedPolicy", "Missing required field Principal cannot be empty!"),
    Case("partial wildcard principal", document(bucket_statement(
        Principal={"AWS": "arn:aws:iam::*:root"})), "MalformedPolicy",
         "Invalid principal in policy"),
    Case("another service's action", document(bucket_statement(Action="sqs:SendMessage")),
         "MalformedPolicy", "Policy has invalid action"),
    Case("an action S3 does not have", document(bucket_statement(Action="s3:GetObjekt")),
         "MalformedPolicy", "Policy has invalid action"),
    Case("another bucket", document(bucket_statement(Resource="arn:aws:s3:::other-bucket/*")),
         "MalformedPolicy", "Policy has invalid resource"),
]


def _bucket_policy(world: World, bucket: str = BUCKET) -> str | None:
    try:
        policy: str = world.backend(PROD, "s3").get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchBucketPolicy"
        return None
    return policy


@pytest.mark.parametrize("case", S3_CASES, ids=lambda case: case.name)
def test_a_malformed_bucket_policy_is_refused_as_s3_refuses_it(
        world: World, admin: Credential, case: Case) -> None:
    before = _bucket_policy(world)
    s3 = world.client(admin, "s3")
    refused_write(world, lambda: s3.put_bucket_policy(Bucket=BUCKET, Policy=case.document), case)
    assert _bucket_policy(world) == before


def test_a_bucket_policy_over_20_kb_is_refused(world: World, admin: Credential) -> None:
    text = oversized(20480, lambda resources: document(bucket_statement(
        Resource=[f"arn:aws:s3:::{BUCKET}/*", *resources])))
    before = _bucket_policy(world)
    s3 = world.client(admin, "s3")
    error = world.refused(lambda: s3.put_bucket_policy(Bucket=BUCKET, Policy=text))
    assert_error(error, "MalformedPolicy", "The policy exceeds the maximum size of 20 KB.", 400)
    assert _bucket_policy(world) == before


def test_bucket_policies_iam_would_not_take_are_accepted(world: World, admin: Credential
                                                         ) -> None:
    """S3 takes Sids with spaces, no Version (the 2008-10-17 language) and a principal by
    account id — none of which an IAM policy may use, none of which S3 refuses."""
    text = json.dumps({"Statement": [{
        "Sid": "Allow get requests", "Effect": "Allow", "Principal": {"AWS": PROD},
        "Action": ["s3:GetObject", "s3:List*"],
        "Resource": ["arn:aws:s3:::prod-keep", "arn:aws:s3:::prod-keep/*"]}]})
    world.client(admin, "s3").put_bucket_policy(Bucket="prod-keep", Policy=text)
    assert _bucket_policy(world, "prod-keep") == text


# --------------------------------------------------------------------------- IAM


def _role_policies(world: World) -> tuple[list[str], str]:
    iam = world.backend(PROD, "iam")
    names = list(iam.list_role_policies(RoleName="reader")["PolicyNames"])
    trust_document = iam.get_role(RoleName="reader")["Role"]["AssumeRolePolicyDocument"]
    return names, json.dumps(trust_document, sort_keys=True)


def identity_statement(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",
                            "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    return statement(**{**base, **changes})


IDENTITY_CASES = [
    Case("broken JSON", "{bad", "MalformedPolicyDocument", "Syntax errors in policy."),
    Case("unknown effect", document(identity_statement(Effect="Maybe")),
         "MalformedPolicyDocument", "Syntax errors in policy."),
    Case("effect in lower case", document(identity_statement(Effect="allow")),
         "MalformedPolicyDocument", "The policy failed legacy parsing"),
    Case("unknown condition operator", document(identity_statement(Condition={
        "StringEqual": {"aws:username": "alice"}})), "MalformedPolicyDocument",
         "Syntax errors in policy."),
    Case("not a date", document(identity_statement(Condition={
        "DateGreaterThan": {"aws:CurrentTime": "tomorrow"}})), "MalformedPolicyDocument",
         "The policy failed legacy parsing"),
    Case("duplicate Sids", document(identity_statement(), identity_statement()),
         "MalformedPolicyDocument", "Statement IDs (SID) in a single policy must be unique."),
    Case("a principal", document(identity_statement(Principal={"AWS": ROOT})),
         "MalformedPolicyDocument", "Policy document should not specify a principal."),
    Case("a NotPrincipal", document(identity_statement(Effect="Deny", NotPrincipal={
        "AWS": ROOT})), "MalformedPolicyDocument",
         "Policy document should not specify a principal."),
    Case("no action", document(identity_statement(Action=None)), "MalformedPolicyDocument",
         "Policy statement must contain actions."),
    Case("no resource", document(identity_statement(Resource=None)), "MalformedPolicyDocument",
         "Policy statement must contain resources."),
    Case("resource not an ARN", document(identity_statement(Resource=f"{BUCKET}/*")),
         "MalformedPolicyDocument", f'Resource {BUCKET}/* must be in ARN format or "*".'),
    Case("action without a vendor", document(identity_statement(Action="GetObject")),
         "MalformedPolicyDocument",
         "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    Case("Sid with spaces", document(identity_statement(Sid="read docs")),
         "MalformedPolicyDocument", "Statement IDs (SID) must be alpha-numeric. Check that your "
         "input satisfies the regular expression [0-9A-Za-z]*"),
    Case("role quota", oversized(10240, lambda resources: document(identity_statement(
        Resource=resources or "*"))), "LimitExceeded",
         "Maximum policy size of 10240 bytes exceeded for role reader", 409),
]


@pytest.mark.parametrize("case", IDENTITY_CASES, ids=lambda case: case.name)
def test_a_malformed_inline_policy_is_refused_as_iam_refuses_it(
        world: World, admin: Credential, case: Case) -> None:
    before = _role_policies(world)
    iam = world.client(admin, "iam")
    refused_write(world, lambda: iam.put_role_policy(
        RoleName="reader", PolicyName="malformed", PolicyDocument=case.document), case)
    assert _role_policies(world) == before


def test_a_document_beyond_latin_1_is_refused_by_the_request_validation(
        world: World, admin: Credential) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [identity_statement(
        Resource="arn:aws:s3:::docs-\u0101/*")]}, ensure_ascii=False)
    error = world.refused(lambda: world.client(admin, "iam").put_role_policy(
        RoleName="reader", PolicyName="latin", PolicyDocument=text))
    assert_error(error, "ValidationError", (
        f"1 validation error detected: Value '{text}' at 'policyDocument' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"), 400)


def test_a_managed_policy_over_its_quota_is_refused(world: World, admin: Credential) -> None:
    iam = world.backend(PROD, "iam")
    before = {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]}
    text = oversized(6144, lambda resources: document(identity_statement(
        Resource=resources or "*")))
    case = Case("managed quota", text, "LimitExceeded", "Cannot exceed quota for PolicySize: 6144",
                409)
    refused_write(world, lambda: world.client(admin, "iam").create_policy(
        PolicyName="too-big", PolicyDocument=text), case)
    assert {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]} == before


def trust_statement(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": ROOT},
                            "Action": "sts:AssumeRole"}
    return statement(**{**base, **changes})


TRUST_CASES = [
    Case("broken JSON", "{bad", "MalformedPolicyDocument", "This policy contains invalid Json"),
    Case("no principal", document(trust_statement(Principal=None)), "MalformedPolicyDocument",
         "Missing required field Principal"),
    Case("a resource", document(trust_statement(Resource="*")), "MalformedPolicyDocument",
         "Has prohibited field Resource"),
    Case("an action outside STS", document(trust_statement(Action="s3:GetObject")),
         "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions."),
    Case("an invalid principal", document(trust_statement(Principal={"AWS": "nobody"})),
         "MalformedPolicyDocument", 'Invalid principal in policy: "AWS":"nobody"'),
    Case("trust quota", document(*[trust_statement(Sid=f"Trust{i}", Principal={
        "AWS": [f"arn:aws:iam::{PROD}:role/role-{i}-{j}" for j in range(8)]})
        for i in range(6)]), "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048",
         409),
]


@pytest.mark.parametrize("case", TRUST_CASES, ids=lambda case: case.name)
def test_a_malformed_trust_policy_is_refused_as_iam_refuses_it(
        world: World, admin: Credential, case: Case) -> None:
    before = _role_policies(world)
    iam = world.client(admin, "iam")
    refused_write(world, lambda: iam.update_assume_role_policy(
        RoleName="reader", PolicyDocument=case.document), case)
    refused_write(world, lambda: iam.create_role(
        RoleName="malformed-trust", AssumeRolePolicyDocument=case.document), case)
    assert _role_policies(world) == before
    error = error_of(lambda: world.backend(PROD, "iam").get_role(RoleName="malformed-trust"))
    assert error.response["Error"]["Code"] == "NoSuchEntity"


def test_a_valid_trust_policy_is_accepted(world: World, admin: Credential) -> None:
    """What an identity policy may not hold — principals, no Resource — a trust policy must."""
    text = document(trust_statement(Sid="People", Action=["sts:AssumeRole", "sts:TagSession"]),
                    trust_statement(Sid="Functions", Principal={"Service": "lambda.amazonaws.com"}))
    world.client(admin, "iam").update_assume_role_policy(RoleName="reader", PolicyDocument=text)
    stored = world.backend(PROD, "iam").get_role(RoleName="reader")["Role"]
    assert stored["AssumeRolePolicyDocument"] == json.loads(text)


# --------------------------------------------------------------------------- SNS and SQS

SNS_CASES = [
    Case("broken JSON", "{bad", "InvalidParameter", "Invalid parameter: Policy Error: null"),
    Case("empty", "", "InvalidParameter", "Invalid parameter: Policy Error: null"),
    Case("no principal", document(statement(Effect="Allow", Action="sns:Publish",
                                            Resource=TOPIC)),
         "InvalidParameter", "Invalid parameter: Policy Error: null"),
    Case("another service's action", document(statement(
        Effect="Allow", Principal={"AWS": ROOT}, Action="s3:GetObject", Resource=TOPIC)),
         "InvalidParameter", "Invalid parameter: Policy statement action out of service scope!"),
]


def _topic_policy(world: World) -> str:
    policy: str = world.backend(PROD, "sns").get_topic_attributes(TopicArn=TOPIC)[
        "Attributes"]["Policy"]
    return policy


@pytest.mark.parametrize("case", SNS_CASES, ids=lambda case: case.name)
def test_a_malformed_topic_policy_is_refused_as_sns_refuses_it(
        world: World, admin: Credential, case: Case) -> None:
    before = _topic_policy(world)
    sns = world.client(admin, "sns")
    refused_write(world, lambda: sns.set_topic_attributes(
        TopicArn=TOPIC, AttributeName="Policy", AttributeValue=case.document), case)
    refused_write(world, lambda: sns.create_topic(
        Name="malformed-policy", Attributes={"Policy": case.document}), case)
    assert _topic_policy(world) == before
    topics = world.backend(PROD, "sns").list_topics()["Topics"]
    assert f"arn:aws:sns:{REGION}:{PROD}:malformed-policy" not in {t["TopicArn"] for t in topics}


def test_sns_takes_its_own_default_policy_language(world: World, admin: Credential) -> None:
    """The 2008-10-17 language, SNS:-spelt actions and AWS:SourceOwner, as SNS writes them."""
    text = json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID", "Statement": [{
        "Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:GetTopicAttributes", "SNS:Publish"], "Resource": TOPIC,
        "Condition": {"StringEquals": {"AWS:SourceOwner": PROD}}}]})
    world.client(admin, "sns").set_topic_attributes(TopicArn=TOPIC, AttributeName="Policy",
                                                    AttributeValue=text)
    assert json.loads(_topic_policy(world)) == json.loads(text)


SQS_CASES = [
    Case("broken JSON", "{bad", "InvalidAttributeValue", "Invalid value for the parameter Policy."),
    Case("not an object", "[1]", "InvalidAttributeValue",
         "Invalid value for the parameter Policy."),
    Case("no principal", document(statement(
        Effect="Allow", Action="sqs:SendMessage", Resource="*")), "InvalidAttributeValue",
         "Invalid value for the parameter Policy."),
    Case("over 8 KB", oversized(8192, lambda resources: document(statement(
        Effect="Allow", Principal={"AWS": ROOT}, Action="sqs:SendMessage",
        Resource=resources or "*"))), "InvalidAttributeValue",
         "Invalid value for the parameter Policy."),
]


def _queue_policy(world: World, name: str = "work") -> str | None:
    sqs = world.backend(PROD, "sqs")
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    policy: str | None = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get(
        "Attributes", {}).get("Policy")
    return policy


@pytest.mark.parametrize("case", SQS_CASES, ids=lambda case: case.name)
def test_a_malformed_queue_policy_is_refused_as_sqs_refuses_it(
        world: World, admin: Credential, case: Case) -> None:
    before = _queue_policy(world)
    sqs = world.client(admin, "sqs")
    refused_write(world, lambda: sqs.set_queue_attributes(
        QueueUrl=world.queue_url(PROD, "work"), Attributes={"Policy": case.document}), case)
    refused_write(world, lambda: sqs.create_queue(
        QueueName="malformed-policy", Attributes={"Policy": case.document}), case)
    assert _queue_policy(world) == before
    assert not world.backend(PROD, "sqs").list_queues(QueueNamePrefix="malformed-policy").get(
        "QueueUrls")


def test_an_empty_queue_policy_removes_the_policy(world: World, admin: Credential) -> None:
    sqs, url = world.client(admin, "sqs"), world.queue_url(PROD, "work")
    text = document(statement(Effect="Allow", Principal={"AWS": ROOT}, Action="sqs:SendMessage",
                              Resource=f"arn:aws:sqs:{REGION}:{PROD}:work"))
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": text})
    assert json.loads(_queue_policy(world) or "null") == json.loads(text)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert _queue_policy(world) is None


# --------------------------------------------------------------------------- KMS


def key_statement(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                            "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}
    return statement(**{**base, **changes})


KMS_CASES = [
    Case("broken JSON", "{bad", "MalformedPolicyDocumentException",
         "The request was rejected because the specified policy is not syntactically or "
         "semantically correct."),
    Case("no principal", document(key_statement(Principal=None)),
         "MalformedPolicyDocumentException", "Policy contains a statement with no principal."),
    Case("an invalid principal", document(key_statement(Principal={"AWS": "root"})),
         "MalformedPolicyDocumentException",
         "Policy contains a statement with one or more invalid principals."),
]


@pytest.mark.parametrize("case", KMS_CASES, ids=lambda case: case.name)
def test_a_malformed_key_policy_is_refused_as_kms_refuses_it(
        world: World, admin: Credential, key_id: str, case: Case) -> None:
    backend = world.backend(PROD, "kms")
    before = backend.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
    keys = backend.list_keys()["Keys"]
    kms = world.client(admin, "kms")
    refused_write(world, lambda: kms.put_key_policy(KeyId=key_id, PolicyName="default",
                                                    Policy=case.document), case)
    refused_write(world, lambda: kms.create_key(Policy=case.document), case)
    assert backend.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == before
    assert backend.list_keys()["Keys"] == keys


# --------------------------------------------------------------------------- Organizations

_MALFORMED_ORG = ("MalformedPolicyDocumentException",
                  "The provided policy document does not meet the requirements of the specified "
                  "policy type.")
# (name, SCP content, whether UpdatePolicy refuses it too: UpdatePolicy does not say the
# policy's type, so content valid as an RCP is not refused there.)
ORGANIZATION_CASES = [
    ("SCP with a principal", document(statement(
        Effect="Deny", Principal="*", Action="s3:*", Resource="*")), False),
    ("SCP without Version", json.dumps({"Statement": [statement(
        Effect="Deny", Action="s3:*", Resource="*")]}), True),
    ("broken JSON", "{bad", True),
]


@pytest.mark.parametrize(("name", "content", "on_update"), ORGANIZATION_CASES,
                         ids=[case[0] for case in ORGANIZATION_CASES])
def test_a_malformed_scp_is_refused_as_organizations_refuses_it(
        world: World, name: str, content: str, on_update: bool) -> None:
    org = world.backend(MGMT, "organizations")
    guardrails = world.policy_arns["RootGuardrails"].rsplit("/", 1)[1]
    before = org.describe_policy(PolicyId=guardrails)["Policy"]["Content"]
    listed = org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
    client = world.client(world.session_of(arn_role(MGMT, "admin")), "organizations")
    expected = Case(name, content, *_MALFORMED_ORG)
    refused_write(world, lambda: client.create_policy(
        Name="malformed", Description="malformed", Type="SERVICE_CONTROL_POLICY",
        Content=content), expected)
    if on_update:
        refused_write(world, lambda: client.update_policy(PolicyId=guardrails,
                                                          Content=content), expected)
    assert org.describe_policy(PolicyId=guardrails)["Policy"]["Content"] == before
    assert org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"] == listed


def test_an_scp_over_5120_characters_is_refused(world: World) -> None:
    text = oversized(5120, lambda resources: document(statement(
        Effect="Deny", Action="s3:DeleteObject", Resource=resources or "*")))
    client = world.client(world.session_of(arn_role(MGMT, "admin")), "organizations")
    error = world.refused(lambda: client.create_policy(
        Name="too-big", Description="too big", Type="SERVICE_CONTROL_POLICY", Content=text))
    assert_error(error, "ConstraintViolationException",
                 "You attempted to create a policy that is larger than the maximum size.", 400)


# --------------------------------------------------------------------------- the others


def test_a_malformed_secret_policy_is_refused(world: World, admin: Credential) -> None:
    backend = world.backend(PROD, "secretsmanager")
    backend.create_secret(Name=SECRET, SecretString="s3cr3t")
    before = backend.get_resource_policy(SecretId=SECRET).get("ResourcePolicy")
    case = Case("broken JSON", "{bad", "MalformedPolicyDocumentException",
                "You provided a resource-based policy with syntax errors.")
    refused_write(world, lambda: world.client(admin, "secretsmanager").put_resource_policy(
        SecretId=SECRET, ResourcePolicy=case.document), case)
    assert backend.get_resource_policy(SecretId=SECRET).get("ResourcePolicy") == before


def test_a_malformed_table_policy_is_refused(world: World, admin: Credential) -> None:
    table = f"arn:aws:dynamodb:{REGION}:{PROD}:table/app-table"
    case = Case("no effect", document(statement(
        Principal={"AWS": ROOT}, Action="dynamodb:GetItem", Resource=table)),
        "ValidationException", "One or more parameter values were invalid: Invalid policy "
        "document: Missing required field Effect")
    refused_write(world, lambda: world.client(admin, "dynamodb").put_resource_policy(
        ResourceArn=table, Policy=case.document), case)
    error = error_of(lambda: world.backend(PROD, "dynamodb").get_resource_policy(
        ResourceArn=table))
    assert error.response["Error"]["Code"] == "PolicyNotFoundException"


def test_lambda_refuses_a_principal_it_cannot_name(world: World, admin: Credential,
                                                   function: str) -> None:
    client = world.client(admin, "lambda")
    case = Case("principal", "", "InvalidParameterValueException",
                "The provided principal was invalid. Please check the principal and try again.")
    refused_write(world, lambda: client.add_permission(
        FunctionName=function, StatementId="nobody", Action="lambda:InvokeFunction",
        Principal="not a principal"), case)
    error = error_of(lambda: world.backend(PROD, "lambda").get_policy(FunctionName=function))
    assert error.response["Error"]["Code"] == "ResourceNotFoundException"
    client.add_permission(FunctionName=function, StatementId="events",
                          Action="lambda:InvokeFunction", Principal="events.amazonaws.com")
    client.add_permission(FunctionName=function, StatementId="partner",
                          Action="lambda:InvokeFunction", Principal=OUTSIDE)
    policy = json.loads(world.backend(PROD, "lambda").get_policy(FunctionName=function)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["events", "partner"]


# --------------------------------------------------------------------------- the lock-out

LOCKED = "prod-policy-later"
LOCKED_ARN = f"arn:aws:s3:::{LOCKED}"


def plant(world: World, call: Callable[[], Any]) -> None:
    """Write straight into the backend, as moto takes it, and drop the gateway's cache."""
    call()
    world.gateway.backend_state.invalidate()


def _resource_statements(record: dict[str, Any]) -> set[str]:
    return {sid for policy, sid in statements(record) if "unreadable" in policy}


def refused_by_the_resource(world: World, call: Callable[[], Any], action: str) -> None:
    mark = world.mark()
    world.refused(call)
    record = world.decision(mark, action)
    assert (record["decision"], record["denied_by"]) == ("implicitDeny", "resource-based policy")


def test_an_unreadable_bucket_policy_does_not_lock_its_owner_out(
        world: World, admin: Credential, outsider: Credential) -> None:
    plant(world, lambda: world.backend(PROD, "s3").put_bucket_policy(Bucket=LOCKED,
                                                                     Policy="{bad"))
    s3 = world.client(admin, "s3")
    # Any other request on the bucket fails closed, naming the unreadable policy in the log.
    mark = world.mark()
    error = world.refused(lambda: s3.get_object(Bucket=LOCKED, Key="note.txt"))
    assert_error(error, "AccessDenied", (
        f'User: {admin.arn} is not authorized to perform: s3:GetObject on resource: '
        f'"{LOCKED_ARN}/note.txt" with an explicit deny in a resource-based policy'), 403)
    record = world.decision(mark, "s3:GetObject")
    assert record["decision"] == "explicitDeny"
    assert _resource_statements(record) == {FAILS_CLOSED_SID}
    assert all("not JSON" in policy for policy, _ in statements(record))
    world.refused(lambda: s3.get_bucket_policy(Bucket=LOCKED))
    # Without the resource policy a caller of another account has no grant: still refused.
    other = world.client(outsider, "s3")
    refused_by_the_resource(world, lambda: other.delete_bucket_policy(Bucket=LOCKED),
                            "s3:DeleteBucketPolicy")
    # A caller of the owner's account whose identity policies do not allow it: refused.
    reader = world.client(world.session_of(arn_role(PROD, "reader")), "s3")
    world.refused(lambda: reader.delete_bucket_policy(Bucket=LOCKED))
    assert _bucket_policy(world, LOCKED) == "{bad"
    # The owner's administrator deletes it, decided without it, and the log says so.
    mark = world.mark()
    s3.delete_bucket_policy(Bucket=LOCKED)
    record = world.decision(mark, "s3:DeleteBucketPolicy")
    assert record["decision"] == "allowed"
    assert _resource_statements(record) == {SET_ASIDE_SID}
    assert _bucket_policy(world, LOCKED) is None
    assert s3.get_object(Bucket=LOCKED, Key="note.txt")["Body"].read()


def test_an_unreadable_bucket_policy_can_be_replaced(world: World, admin: Credential) -> None:
    plant(world, lambda: world.backend(PROD, "s3").put_bucket_policy(
        Bucket=LOCKED, Policy=document(bucket_statement(Effect="allow"))))
    s3 = world.client(admin, "s3")
    world.refused(lambda: s3.list_objects_v2(Bucket=LOCKED))
    replacement = document(bucket_statement(
        Sid="OwnerReads", Resource=f"{LOCKED_ARN}/*"))
    s3.put_bucket_policy(Bucket=LOCKED, Policy=replacement)
    assert _bucket_policy(world, LOCKED) == replacement
    mark = world.mark()
    assert s3.get_object(Bucket=LOCKED, Key="note.txt")["Body"].read()
    assert (f"{LOCKED_ARN} resource policy", "OwnerReads") in statements(
        world.decision(mark, "s3:GetObject"))
    s3.delete_bucket_policy(Bucket=LOCKED)


def test_an_unreadable_queue_policy_can_be_replaced_by_its_owner_only(
        world: World, admin: Credential, outsider: Credential) -> None:
    """moto stores any JSON as a queue policy; a lower-case Effect is one the engine cannot
    read."""
    unreadable = document(statement(Effect="allow", Principal="*", Action="sqs:SendMessage",
                                    Resource="*"))
    plant(world, lambda: world.backend(PROD, "sqs").set_queue_attributes(
        QueueUrl=world.backend(PROD, "sqs").get_queue_url(QueueName="doomed")["QueueUrl"],
        Attributes={"Policy": unreadable}))
    sqs, url = world.client(admin, "sqs"), world.queue_url(PROD, "doomed")
    world.refused(lambda: sqs.send_message(QueueUrl=url, MessageBody="lost"))
    other = world.client(outsider, "sqs")
    refused_by_the_resource(world, lambda: other.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": ""}), "sqs:SetQueueAttributes")
    assert json.loads(_queue_policy(world, "doomed") or "null") == json.loads(unreadable)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert _queue_policy(world, "doomed") is None
    assert sqs.send_message(QueueUrl=url, MessageBody="delivered")["MessageId"]


def test_an_unreadable_key_policy_can_be_replaced_by_the_accounts_iam_policies(
        world: World, admin: Credential, outsider: Credential) -> None:
    """A key policy must allow every KMS call; the stand-in delegates PutKeyPolicy to the
    owner account's IAM policies, as AWS's default key policy does."""
    backend = world.backend(PROD, "kms")
    key = backend.create_key(Description="locked")["KeyMetadata"]["KeyId"]
    plant(world, lambda: backend.put_key_policy(KeyId=key, PolicyName="default",
                                                Policy="{bad"))
    kms = world.client(admin, "kms")
    world.refused(lambda: kms.describe_key(KeyId=key))
    reader = world.client(world.session_of(arn_role(PROD, "reader")), "kms")
    world.refused(lambda: reader.put_key_policy(KeyId=key, PolicyName="default",
                                                Policy=document(key_statement())))
    key_arn = f"arn:aws:kms:{REGION}:{PROD}:key/{key}"
    other = world.client(outsider, "kms")
    refused_by_the_resource(world, lambda: other.put_key_policy(
        KeyId=key_arn, PolicyName="default", Policy=document(key_statement())),
        "kms:PutKeyPolicy")
    kms.put_key_policy(KeyId=key, PolicyName="default", Policy=document(key_statement()))
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key


def test_an_unreadable_trust_policy_fails_closed_and_can_be_replaced(
        world: World, admin: Credential) -> None:
    """A role's trust policy is read only to decide sts:AssumeRole*: assuming the role fails
    closed, naming the policy, while the IAM calls that replace it are decided as ever."""
    unreadable = document(trust_statement(Principal={"AWS": "nobody"}))
    plant(world, lambda: world.backend(PROD, "iam").update_assume_role_policy(
        RoleName="short", PolicyDocument=unreadable))
    sts = world.client(world.user(PROD), "sts")
    error = world.refused(lambda: sts.assume_role(RoleArn=arn_role(PROD, "short"),
                                                  RoleSessionName="locked"))
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert ("the backend holds a policy the engine cannot read: MalformedPolicyDocument: "
            'Invalid principal in policy: "AWS":"nobody"') in error.response["Error"]["Message"]
    world.client(admin, "iam").update_assume_role_policy(
        RoleName="short", PolicyDocument=document(trust_statement()))
    assert world.session_of(arn_role(PROD, "short")).arn.startswith(
        f"arn:aws:sts::{PROD}:assumed-role/short/")
