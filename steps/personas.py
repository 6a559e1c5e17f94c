"""Who acts. Each persona is obtained the way it is in AWS, through the enforcing gateway:
people sign in through the emulated IdP (SAML, with or without MFA); a Lambda function's or an
ECS task's role is assumed by the service for it; the pipeline's role by CodeBuild; the vendor
holds its own integration role's session; root users hold their account's long-term keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from harness.gateway.credentials import Credential
from harness.identity import Credentials
from harness.stack import Stack
from steps import outcomes
from steps.world import Actor

T = TypeVar("T")

LAMBDA = "lambda.amazonaws.com"
ECS_TASKS = "ecs-tasks.amazonaws.com"
CODEBUILD = "codebuild.amazonaws.com"
VENDOR_ACCOUNT, VENDOR_ROLE = "vendor", "vendor-integration"


def _must_succeed(stack: Stack, obtain: Callable[[], T]) -> T:
    """`obtain()` (a session through the gateway), which raises when AWS refuses it: the calls
    it made are recorded as asserted allowed (`steps.outcomes.ASSERTED`)."""
    position = stack.log_position()
    found = obtain()
    ids = sorted({str(r.get("request_id")) for r in stack.decisions_since(position)
                  if r.get("request_id")})
    outcomes.ASSERTED.append({"request_ids": ids, "check": "allowed", "detail": None,
                              "succeeded": True, "error_code": None})
    return found


def person(stack: Stack, name: str, permission_set: str, account: str, *, mfa: bool) -> Actor:
    result = _must_succeed(stack, lambda: stack.login(name, account, permission_set,
                                                      mfa=mfa))
    assert result.used_mfa is mfa, f"{name} signed in with used_mfa={result.used_mfa}"
    return Actor(name, account, result.credentials)


def lambda_function(stack: Stack, function: str, account: str) -> Actor:
    """The session Lambda gets for the function's execution role."""
    functions = stack.landscape.account(account).resources.functions
    found = next((f for f in functions if f.name == function), None)
    assert found is not None, f"no Lambda function {function!r} in the {account} account"
    result = _must_succeed(stack, lambda: stack.assume(found.role, account, as_=LAMBDA))
    return Actor(f"the {function} function", account, result.credentials)


def ecs_task(stack: Stack, role: str, account: str) -> Actor:
    result = _must_succeed(stack, lambda: stack.assume(role, account, as_=ECS_TASKS))
    return Actor(f"the {role} task", account, result.credentials)


def pipeline(stack: Stack, role: str, account: str) -> Actor:
    result = _must_succeed(stack, lambda: stack.assume(role, account, as_=CODEBUILD))
    return Actor(f"the pipeline's {role}", account, result.credentials)


def aws_service(stack: Stack, service: str, account: str,
                source_arn: str | None = None) -> Actor:
    """An AWS service principal acting for a resource of `account` (its requests carry
    aws:SourceAccount, and aws:SourceArn when `source_arn` is given), as when it assumes a role
    or delivers to a bucket on the resource's behalf."""
    label = f"{service} acting for {source_arn or account}"
    return Actor(label, account, as_credentials(stack.service(service, account, source_arn)))


def vendor(stack: Stack) -> Actor:
    return Actor("the vendor", VENDOR_ACCOUNT, stack.role_session(VENDOR_ACCOUNT, VENDOR_ROLE))


def root(stack: Stack, account: str) -> Actor:
    """A landscape account's root user (by name) or an outsider's (by 12-digit id)."""
    return Actor(f"the root user of {account}", account, as_credentials(stack.root(account)))


def as_credentials(credential: Credential) -> Credentials:
    return Credentials(access_key_id=credential.access_key_id,
                       secret_access_key=credential.secret_access_key, arn=credential.arn,
                       session_token=credential.session_token,
                       expiration=credential.expires_at)


def session(label: str, account: str, response: dict[str, object]) -> Actor:
    """The actor holding the session an AssumeRole call returned."""
    return Actor(label, account, Credentials.from_sts(dict(response)))
