"""End to end: an exception anywhere in the gateway's own work denies the request with AWS's
error in the service's protocol — never a traceback, never a 5xx passed through, never a
forwarded request. Exceptions are injected with monkeypatch into the engine, the policy
gathering, the request parsing and the authentication.

docs/architecture.md, "Rules of the house": "Fail closed. Any error while authenticating, parsing,
mapping or evaluating a request denies it, with a message that says what failed."
"""

from __future__ import annotations

import importlib
from typing import Any, NoReturn

import pytest
import requests

import harness.authorization.decide as authorization_decide
import harness.gateway.app as gateway_app
import harness.gateway.sessions as gateway_sessions
from harness.gateway.backend_state import BackendState, BackendStateError
from harness.gateway.credentials import Credential
from tests.gateway.conftest import PROD, REGION, World, arn_role, assert_error, error_of

pytestmark = pytest.mark.slow

# The module (harness.iam re-exports its function under the same name).
engine = importlib.import_module("harness.iam.evaluate")

OBJECT = "arn:aws:s3:::prod-app-data/reports/q1.csv"
TABLE = f"arn:aws:dynamodb:{REGION}:{PROD}:table/app-table"


def _explode(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("injected failure")


@pytest.fixture
def app(world: World) -> Credential:
    session = world.session_of(arn_role(PROD, "app"))
    # The clients are made (and their first, allowed, calls answered) before the injection.
    assert world.client(session, "s3").get_object(Bucket="prod-app-data", Key="reports/q1.csv")
    return session


def _last(world: World, mark: int) -> dict[str, Any]:
    records = world.decisions(mark)
    assert records, "nothing was logged"
    return records[-1]


def test_an_exception_inside_the_engine_is_an_implicit_deny(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine._Evaluation, "decide", _explode)
    s3, dynamodb = world.client(app, "s3"), world.client(app, "dynamodb")
    mark = world.mark()
    error = world.refused(lambda: s3.get_object(Bucket="prod-app-data", Key="reports/q1.csv"))
    assert_error(error, "AccessDenied", (
        f'User: {app.arn} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "because the request could not be authorized: RuntimeError: injected failure"), 403)
    record = _last(world, mark)
    assert (record["decision"], record["action"]) == ("implicitDeny", "s3:GetObject")
    error = world.refused(lambda: dynamodb.get_item(TableName="app-table",
                                                    Key={"id": {"S": "x"}}))
    assert_error(error, "AccessDeniedException", (
        f"User: {app.arn} is not authorized to perform: dynamodb:GetItem on resource: {TABLE} "
        "because the request could not be authorized: RuntimeError: injected failure"), 400)


def test_an_exception_around_the_engine_is_a_refusal(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(authorization_decide, "evaluate", _explode)
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "sns").publish(
        TopicArn=f"arn:aws:sns:{REGION}:{PROD}:orders", Message="m"))
    assert_error(error, "AuthorizationError", (
        f"User: {app.arn} is not authorized to perform: sns:Publish because the request could "
        "not be authorized: RuntimeError: injected failure"), 403)
    record = _last(world, mark)
    assert (record["decision"], record["operation"], record["error_code"]) == (
        "refused", "Publish", "AccessDenied")


def test_a_failure_reading_the_policies_is_a_refusal(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(self: BackendState, role_arn: str) -> NoReturn:
        raise BackendStateError(f"reading role {role_arn}: the backend is gone")

    monkeypatch.setattr(BackendState, "role", unreadable)
    error = world.refused(lambda: world.client(app, "dynamodb").put_item(
        TableName="app-table", Item={"id": {"S": "unread"}}))
    assert_error(error, "AccessDeniedException", (
        f"User: {app.arn} is not authorized to perform: dynamodb:PutItem because the request "
        "could not be authorized: BackendStateError: reading role "
        f"{arn_role(PROD, 'app')}: the backend is gone"), 400)
    assert "Item" not in world.backend(PROD, "dynamodb").get_item(
        TableName="app-table", Key={"id": {"S": "unread"}})


def test_an_exception_while_parsing_is_a_denial(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway_app, "parse_operation", _explode)
    mark = world.mark()
    error = world.refused(lambda: world.client(app, "sqs").send_message(
        QueueUrl=world.queue_url(PROD, "work"), MessageBody="m"))
    # Parsing failed: the operation is not known, the service is.
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error.response["Error"]["Message"] == (
        "User: anonymous is not authorized to perform: the request because the request could "
        "not be handled: RuntimeError: injected failure")
    assert _last(world, mark)["decision"] == "refused"


def test_an_exception_while_authenticating_is_a_denial(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway_app, "authenticate", _explode)
    seen = world.recorder.mark()
    response = requests.get(f"{world.url}/prod-app-data/reports/q1.csv", timeout=30)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content
    assert b"RuntimeError: injected failure" in response.content
    assert world.recorder.forwarded_since(seen) == []


def test_a_failure_to_record_an_issued_session_is_an_aws_error(
        world: World, app: Credential, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend issued the keys, the gateway could not record them: the caller gets an
    AWS-shaped InternalFailure, not keys the gateway would not know."""
    sts = world.client(world.user(PROD), "sts")
    monkeypatch.setattr(gateway_sessions, "record", _explode)
    before = len(world.store)
    failed = error_of(lambda: sts.assume_role(RoleArn=arn_role(PROD, "reader"),
                                              RoleSessionName="unrecorded"))
    assert_error(failed, "InternalFailure", "the backend answered, but the gateway could not "
                 "record the result: RuntimeError: injected failure", 500)
    assert len(world.store) == before
