"""The enforcing endpoint: WSGI middleware that authorises every request as AWS would, then
forwards it to the backend or answers AccessDenied in the service's own protocol.

    1. authenticate: SigV4 → the credential (or anonymous S3, or an IdP assertion)
    2. parse: the service, the operation and its parameters
    3. map: the IAM authorisation requests the operation makes
    4-5. gather the policies from the backend and decide with the engine
    6. deny → AWS's error; allow → forward; every decision goes to the decision log

Every refusal is one `Refusal` (harness.gateway.refusal), raised by the step that finds it and
logged and answered by `__call__`. Fail closed: any other error while doing this denies the
request, with a message that says what failed, and a "refused" line in the decision log. The
backend's own admin endpoints are never reachable through the gateway, and a client cannot
steer the backend (x-moto-* headers are dropped).

Forwarding adapts an allowed request to what moto needs to carry it out where AWS would: keys
moto does not place in their account (minted root users, GetSessionToken and
GetFederationToken sessions) are replaced by an administrator key of the same account, and a
cross-account call runs in the resource's account. Denials are worded as each service words
them (`service_message`).
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from harness.gateway import forwarding, sessions, simulator, writes
from harness.gateway.authorize import Asker, Transport, decide
from harness.gateway.backend import BackendAccess
from harness.gateway.backend_state import BackendState
from harness.gateway.credentials import Credential, CredentialStore
from harness.gateway.decision_log import DecisionLog, LoggedDecision
from harness.gateway.errors import ErrorResponse, new_request_id
from harness.gateway.operations import UnmappedOperation, authorization_requests
from harness.gateway.operations.kms_keys import KmsRequestError, resolve_keys
from harness.gateway.policy_writes import check_policy_write
from harness.gateway.protocol import (
    HttpRequest,
    ParsedOperation,
    ProtocolError,
    detect_service,
    parse_operation,
)
from harness.gateway.refusal import Refusal, RequestContext
from harness.gateway.request_body import read_body
from harness.gateway.sigv4 import (
    AuthError,
    authenticate,
    canonical_authorization,
    request_scope,
    signed_request_from_environ,
)
from harness.gateway.wsgi_call import call_wsgi
from harness.iam.context import Caller, PrincipalKind
from harness.iam.decision import Decision
from harness.iam.messages import access_denied_message

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DEFAULT_REGION = "us-east-1"
# Paths the backends answer themselves, not as an AWS API: their administration APIs, and the
# routes moto serves before any service (moto_server/werkzeug_app.py: the instance metadata
# service and its icon), which would otherwise be taken for S3 path-style requests to a bucket
# named "latest" or "favicon.ico".
_BLOCKED_PREFIXES = ("/moto-api", "/_localstack", "/_aws", "/_pytest", "/_securecart",
                     "/latest/meta-data/", "/latest/api/", "/favicon.ico")
# Calls that AWS answers without any authorisation. GetCallerIdentity: "No permissions are
# required to perform this operation" (the gateway answers it itself). GetSessionToken: "No
# permissions are required for a user to get a session token ... You cannot use policies to
# control authentication operations."
# https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
_CALLER_IDENTITY = ("sts", "GetCallerIdentity")
_NO_AUTHORIZATION = frozenset({_CALLER_IDENTITY, ("sts", "GetSessionToken")})
# STS calls that carry no signature: the assertion or token is the proof.
_UNSIGNED_STS = frozenset({"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
# Sessions moto does not place in their principal's account (see `_foreign_keys`).
_UNPLACED_SESSIONS = frozenset({"GetSessionToken", "GetFederationToken"})
# Request headers that steer moto itself (x-moto-account-id): never taken from a client.
_BACKEND_HEADERS = ("HTTP_X_MOTO_",)
# Services moto answers across accounts by itself (S3 finds a bucket's owner; SNS reads the
# topic ARN's account); the others look resources up in the caller's account.
_CROSS_ACCOUNT_AWARE = frozenset({"s3", "sns", "sts", "iam", "organizations"})


@dataclass
class GatewayConfig:
    """Known accounts (for S3 bucket owners), where to log decisions, the clock."""

    accounts: tuple[str, ...] = ()
    log: DecisionLog = field(default_factory=DecisionLog)
    clock: Any = None

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Call:
    """One request as the gateway came to understand it."""

    request_id: str
    http: HttpRequest
    parsed: ParsedOperation
    asker: Asker
    environ: WSGIEnvironment
    body: bytes
    authorization: str | None = None
    """The Authorization header rebuilt from what was verified (None: presigned, unsigned)."""


class EnforcingGateway:
    """`EnforcingGateway(backend_app, store, ...)` is itself a WSGI app."""

    def __init__(self, backend: WSGIApplication, store: CredentialStore,
                 config: GatewayConfig | None = None) -> None:
        self.backend = backend
        self.store = store
        self.config = config or GatewayConfig()
        self.access = BackendAccess(backend)
        self.backend_state = BackendState(self.access)
        # Keys the backend does not place in their own account: the root users the gateway
        # mints, and the sessions moto's GetSessionToken / GetFederationToken issue (moto files
        # those under its default account). They are forwarded as an administrator key the
        # backend knows in the same account.
        self._foreign_keys: dict[str, str] = {}
        self._lock = threading.Lock()
        self.written = False
        """Whether a request that may change the backend was forwarded since this was last
        set to False (harness.gateway.writes.changes_state)."""

    # ------------------------------------------------------------------ setup

    def mint_root(self, account: str) -> Credential:
        """Credentials of an account's root user (AWS gives every account one)."""
        credential = Credential(
            access_key_id=f"AKIAROOT{secrets.token_hex(6).upper()}",
            secret_access_key=secrets.token_urlsafe(30),
            account=account, kind=PrincipalKind.ROOT, arn=f"arn:aws:iam::{account}:root",
            user_id=account,
        )
        self.store.add(credential)
        self._forward_as_account(credential.access_key_id, account)
        return credential

    def mint_service(self, service: str, account: str, source_arn: str | None = None
                     ) -> Credential:
        """Credentials with which the harness acts as an AWS service (e.g. lambda.amazonaws.com
        assuming a function's execution role) for a resource of `account`. In AWS the service
        signs with keys of its own; the request's aws:SourceAccount / aws:SourceArn name the
        resource it acts for."""
        credential = Credential(
            access_key_id=f"AKIASVC{secrets.token_hex(6).upper()}",
            secret_access_key=secrets.token_urlsafe(30),
            account=account, kind=PrincipalKind.SERVICE, arn=service, source_arn=source_arn,
        )
        self.store.add(credential)
        self._forward_as_account(credential.access_key_id, account)
        return credential

    def _forward_as_account(self, access_key_id: str, account: str) -> None:
        with self._lock:
            self._foreign_keys[access_key_id] = account

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        head = environ.get("REQUEST_METHOD") == "HEAD"
        context = RequestContext(new_request_id("s3"))
        try:
            return self._handle(environ, start_response, context)
        except Refusal as refusal:
            return self._refuse(refusal, context, start_response, head=head)
        except Exception as error:  # fail closed: never a traceback, never a pass-through
            return self._refuse(_failure(context, error), context, start_response, head=head)

    def _refuse(self, refusal: Refusal, context: RequestContext, start_response: StartResponse,
                *, head: bool) -> Iterable[bytes]:
        """Log `refusal` and answer it in the protocol of the request's service."""
        if refusal.logged:
            self.config.log.append(refusal.record(context))
        return _send(start_response, refusal.response(context), head=head)

    def _handle(self, environ: WSGIEnvironment, start_response: StartResponse,
                context: RequestContext) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(_BLOCKED_PREFIXES) or _squeezed(path).startswith(_BLOCKED_PREFIXES):
            message = ("The backend's own routes (its administration API, instance metadata) are "
                       "not reachable through the harness endpoint.")
            # Answered as S3 answers, whose path-style requests these paths look like.
            raise Refusal(message, code="AccessDenied", reason=f"{path}: {message}",
                          answer_as="s3")
        try:
            # Exactly Content-Length bytes, or the chunks as announced, each read bounded in
            # time: werkzeug's own stream would hand over memory past a lying chunk size.
            body = read_body(environ)
        except ProtocolError as error:
            raise Refusal.of_unreadable(error) from error
        call = self._understand(environ, body, context)
        decisions = self._authorize(call)
        return self._forward(call, decisions, start_response)

    # ------------------------------------------------------------------ steps

    def _understand(self, environ: WSGIEnvironment, body: bytes, context: RequestContext
                    ) -> _Call:
        http = HttpRequest.from_environ(environ, body)
        context.http = http
        signed = signed_request_from_environ(environ, body)
        scope = request_scope(signed)
        signing_name, region = scope if scope else (None, DEFAULT_REGION)
        request_id = context.request_id = new_request_id(signing_name or "s3")
        try:
            service = detect_service(http, signing_name)
            context.service = service
            parsed = parse_operation(http, service, region)
            forwarding.check_one_reading(http, parsed)
        except ProtocolError as error:
            raise Refusal.of_unreadable(error) from error
        context.operation = parsed.operation
        authorization: str | None = None
        if parsed.service == "sts" and parsed.operation in _UNSIGNED_STS and scope is None:
            asker = _federated_asker(parsed)
        else:
            try:
                authenticated = authenticate(signed, self.store, now=self.config.now(),
                                             service=signing_name, routed=service)
            except AuthError as error:
                raise Refusal(error.message, code=error.code, status=error.status) from error
            credential = authenticated.credential
            asker = (Asker(credential.caller(), credential) if credential is not None
                     else Asker(Caller(PrincipalKind.ANONYMOUS, "anonymous")))
            authorization = canonical_authorization(authenticated)
        context.principal = asker.caller.label
        return _Call(request_id, http, parsed, asker, environ, body, authorization)

    def _authorize(self, call: _Call) -> list[Decision]:
        parsed, caller = call.parsed, call.asker.caller
        try:
            if parsed.service == "sts":
                sessions.check_caller(parsed.operation, call.asker.credential)
            if (parsed.service, parsed.operation) in _NO_AUTHORIZATION:
                return []
            wanted = authorization_requests(
                parsed.service, parsed.operation, parsed.params, region=parsed.region,
                account=caller.account or "", partition=caller.partition)
            if parsed.service == "kms":
                # A key named by alias is authorised as the key it points to (backend state).
                wanted = resolve_keys(wanted, parsed.operation, parsed.params,
                                      self.backend_state.kms_aliases)
            transport = self._transport(call.environ)
            decisions = [decide(call.asker, one, transport, self.backend_state, self._accounts())
                         for one in wanted]
        except sessions.SessionRequestError as error:
            raise Refusal(str(error), code=error.code, status=error.status) from error
        except KmsRequestError as error:
            raise Refusal(error.reason, code=error.code, status=error.status) from error
        except UnmappedOperation as error:
            raise _not_authorized(call, f"{error}") from error
        except Exception as error:  # fail closed on anything unexpected (BackendStateError too)
            raise _not_authorized(call, f"the request could not be authorized: "
                                        f"{type(error).__name__}: {error}") from error
        simulating = parsed.service == "iam" and parsed.operation in simulator.OPERATIONS
        if not simulating or not all(d.allowed for d in decisions):
            # An allowed simulation is logged once simulated, with the simulated decisions.
            for decision in decisions:
                self._log(call, decision)
        for decision in decisions:
            if not decision.allowed:
                raise self._denial(call, decision)
        try:
            # The policy document a write carries, judged as its service judges it: AWS
            # authorises the call first, then validates its input.
            check_policy_write(parsed)
        except ProtocolError as error:
            raise Refusal.of_unreadable(error) from error
        if parsed.service == "sts":
            # What STS validates once the caller may make the call (the role's
            # MaxSessionDuration is not told to whom may not assume it).
            try:
                sessions.check_request(parsed.operation, parsed.params, self.backend_state,
                                       call.asker.credential)
            except sessions.SessionRequestError as error:
                raise Refusal(str(error), code=error.code, status=error.status) from error
            except Exception as error:
                raise _not_authorized(call, f"the request could not be authorized: "
                                            f"{type(error).__name__}: {error}") from error
        return decisions

    def _denial(self, call: _Call, decision: Decision) -> Refusal:
        """The refusal of a denied request (its decision is logged): the service's
        access-denied error with AWS's enhanced message, or the service's own error when one of
        AWS's rules outside the policies refused it (UnmodifiableEntity for a protected role)."""
        rule = decision.rule
        if (rule is not None and rule.code is not None and rule.message is not None
                and not rule.code.startswith("AccessDenied")):
            return Refusal(rule.message, code=rule.code, status=rule.status, logged=False)
        return Refusal(self._message(call.parsed.service, decision), logged=False)

    def _message(self, service: str, decision: Decision) -> str:
        """AWS's enhanced message, as the service writes it."""
        return service_message(service, decision, self._same_account_or_organization(decision))

    def _same_account_or_organization(self, decision: Decision) -> bool:
        request = decision.request
        caller_account, resource_account = request.caller.account, request.resource_account
        if caller_account is None:
            return False
        if resource_account is None or resource_account == caller_account:
            return True
        caller_org = self.backend_state.organization(caller_account)
        resource_org = self.backend_state.organization(resource_account)
        return (caller_org is not None and resource_org is not None
                and caller_org.org_id == resource_org.org_id)

    def _forward(self, call: _Call, decisions: list[Decision], start_response: StartResponse
                 ) -> Iterable[bytes]:
        parsed = call.parsed
        if (parsed.service, parsed.operation) == _CALLER_IDENTITY:
            return self._caller_identity(call, start_response)
        if parsed.service == "iam" and parsed.operation in simulator.OPERATIONS:
            return self._simulation(call, decisions, start_response)
        environ = self._backend_environ(call, decisions)
        if writes.changes_state(parsed.service, parsed.operation):
            # Before the call: a write that fails half-way may have changed something too.
            self.written = True
        status, headers, payload = call_wsgi(self.backend, environ)
        status_code = int(status.split(" ", 1)[0])
        if status_code < 300:
            try:
                self._after_success(call, payload)
            except Exception as error:
                # The backend acted, but the gateway could not record what it must (the
                # session it issued): the client gets an error, not credentials that would
                # then be unknown.
                self.backend_state.invalidate()
                why = (f"the backend answered, but the gateway could not record the result: "
                       f"{type(error).__name__}: {error}")
                raise Refusal(why, code="InternalFailure", status=500) from error
        start_response(status, headers)
        return [payload]

    def _after_success(self, call: _Call, payload: bytes) -> None:
        parsed = call.parsed
        if writes.changes_decisions(parsed.service, parsed.operation):
            self.backend_state.invalidate(parsed.service)
        if (parsed.service, parsed.operation) in sessions.ISSUING_OPERATIONS:
            self._record_session(call, payload)

    def _record_session(self, call: _Call, payload: bytes) -> None:
        parsed = call.parsed
        mfa, provider = False, None
        claims: tuple[tuple[str, str], ...] = ()
        tags: tuple[tuple[str, str], ...] = ()
        if parsed.operation == "AssumeRoleWithSAML":
            from harness.identity.saml import SamlError, parse_assertion

            provider = str(parsed.params.get("PrincipalArn", ""))
            try:
                assertion = parse_assertion(str(parsed.params.get("SAMLAssertion", "")))
                mfa, tags = assertion.used_mfa, assertion.principal_tags
            except SamlError:
                mfa = False
        recorded = sessions.record(parsed.operation, parsed.params, payload,
                                   call.asker.credential, self.store, self.backend_state,
                                   self.config.now(), mfa=mfa, provider=provider, claims=claims,
                                   assertion_tags=tags)
        if recorded is not None and parsed.operation in _UNPLACED_SESSIONS:
            self._forward_as_account(recorded.access_key_id, recorded.account)

    def _backend_environ(self, call: _Call, decisions: list[Decision]) -> WSGIEnvironment:
        environ = dict(call.environ)
        environ["wsgi.input"] = io.BytesIO(call.body)
        environ["CONTENT_LENGTH"] = str(len(call.body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        # The client must not steer the backend: moto honours x-moto-account-id over the key,
        # which would run an authorised call in another account than the one decided about.
        for name in [name for name in environ if name.startswith(_BACKEND_HEADERS)]:
            del environ[name]
        if call.authorization is not None:
            # One reading: the backend routes by the header's scope and reads its key with
            # regular expressions of its own; it gets the components that were verified.
            environ["HTTP_AUTHORIZATION"] = call.authorization
        credential = call.asker.credential
        with self._lock:
            account = (self._foreign_keys.get(credential.access_key_id)
                       if credential is not None else None)
        if account is not None and credential is not None:
            _use_backend_key(environ, credential.access_key_id, self.access.key(account))
        if call.parsed.operation in _UNSIGNED_STS:
            # moto files an unsigned call's session under its default account; name the
            # role's account (AWS and other backends ignore the header).
            role_arn = str(call.parsed.params.get("RoleArn", ""))
            if role_arn.count(":") >= 5:
                environ["HTTP_X_MOTO_ACCOUNT_ID"] = role_arn.split(":")[4]
        elif credential is not None and call.parsed.service not in _CROSS_ACCOUNT_AWARE:
            # moto looks most resources up in the caller's account (an SQS queue by its name
            # only): an allowed cross-account call must run in the resource's account.
            owners = {d.request.resource_account for d in decisions} - {None, credential.account}
            if len(owners) == 1:
                environ["HTTP_X_MOTO_ACCOUNT_ID"] = owners.pop()
        forwarding.backend_environ(environ, call.parsed)
        return environ

    def _simulation(self, call: _Call, decisions: list[Decision],
                    start_response: StartResponse) -> Iterable[bytes]:
        """The policy simulator is answered by the engine over the principal's real policies,
        as AWS's simulator does; the backend is not asked. The call's log record carries the
        simulated decisions, so that the statements a simulation exercised are known
        (`securecart mutate` reruns the scenario when one of them changes)."""
        operation, params = call.parsed.operation, call.parsed.params
        account = call.asker.caller.account
        simulated: tuple[Decision, ...] = ()
        try:
            answer = simulator.simulate(operation, params, self.backend_state, call.request_id,
                                        now=self.config.now(), caller_account=account)
            body, simulated = answer.body, answer.decisions
        except simulator.SimulationRequestError as error:
            raise Refusal(error.message, code=error.code, status=error.status, logged=False
                          ) from error
        finally:
            for decision in decisions:
                self._log(call, decision, simulated)
        start_response("200 OK", [("Content-Type", "text/xml"),
                                  ("Content-Length", str(len(body))),
                                  ("x-amzn-RequestId", call.request_id)])
        return [body]

    def _caller_identity(self, call: _Call, start_response: StartResponse) -> Iterable[bytes]:
        """GetCallerIdentity needs no permission and answers from what AWS knows of the key."""
        credential = call.asker.credential
        if credential is None:
            raise Refusal("Request is missing Authentication Token",
                          code="MissingAuthenticationToken", logged=False)
        body = (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetCallerIdentityResult>"
            f"<Arn>{_xml(credential.arn)}</Arn>"
            f"<UserId>{_xml(credential.user_id or credential.account)}</UserId>"
            f"<Account>{credential.account}</Account>"
            "</GetCallerIdentityResult>"
            f"<ResponseMetadata><RequestId>{call.request_id}</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/xml"),
                                  ("Content-Length", str(len(body))),
                                  ("x-amzn-RequestId", call.request_id)])
        return [body]

    # ------------------------------------------------------------------ helpers

    def _transport(self, environ: Mapping[str, Any]) -> Transport:
        return Transport(
            secure=environ.get("wsgi.url_scheme") == "https",
            source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
            now=self.config.now(),
        )

    def _accounts(self) -> tuple[str, ...]:
        if self.config.accounts:
            return self.config.accounts
        return tuple(sorted({c.account for c in self.store.snapshot().values()}))

    def _log(self, call: _Call, decision: Decision, simulated: tuple[Decision, ...] = ()
             ) -> None:
        self.config.log.append(LoggedDecision(call.request_id, call.parsed.service,
                                              call.parsed.operation, decision, simulated))


def service_message(service: str, decision: Decision, same_account_or_organization: bool
                    ) -> str:
    """The engine's enhanced AccessDenied message, written as `service` writes it.

    - S3 gives the context only for requests from the same account or organisation, and
      quotes the resource; anyone else reads "Access Denied".
      https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
    - SNS spells the action with its prefix in capitals (SNS:Publish).
    - EC2's UnauthorizedOperation starts "You are not authorized to perform this operation."
      https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
    """
    message = access_denied_message(decision)
    request = decision.request
    if service == "s3":
        if not same_account_or_organization:
            return "Access Denied"
        if request.resource == "*":
            return message
        return message.replace(f" on resource: {request.resource}",
                               f' on resource: "{request.resource}"', 1)
    if service == "sns":
        prefix, _, name = request.action.partition(":")
        return message.replace(request.action, f"{prefix.upper()}:{name}")
    if service == "ec2":
        return f"You are not authorized to perform this operation. {message}"
    return message


def _not_authorized(call: _Call, why: str) -> Refusal:
    """AccessDenied for a request that could not be authorised, saying why."""
    return Refusal(f"User: {call.asker.caller.label} is not authorized to perform: "
                   f"{call.parsed.service}:{call.parsed.operation} because {why}")


def _failure(context: RequestContext, error: Exception) -> Refusal:
    """AccessDenied for a request whose handling failed before it was forwarded, in the
    protocol of the service it was found to be for (a generic XML error if that was not known
    yet). Before authentication, the message and the record name the caller "anonymous"."""
    context.principal = context.principal or "anonymous"
    service, operation = context.service, context.operation
    action = f"{service}:{operation}" if service and operation else "the request"
    return Refusal(f"User: {context.principal} is not authorized to perform: {action} because "
                   f"the request could not be handled: {type(error).__name__}: {error}")


def _federated_asker(parsed: ParsedOperation) -> Asker:
    provider = str(parsed.params.get("PrincipalArn") or parsed.params.get("ProviderId") or "")
    kind = (PrincipalKind.SAML if parsed.operation == "AssumeRoleWithSAML"
            else PrincipalKind.WEB_IDENTITY)
    return Asker(Caller(kind, provider or "anonymous", provider=provider or None))


def _use_backend_key(environ: dict[str, Any], minted: str, key: Any) -> None:
    """Present a minted key to the backend as its administrator key for the same account.
    The backend does not verify signatures; it only reads the key to choose the account."""
    authorization = environ.get("HTTP_AUTHORIZATION")
    if isinstance(authorization, str):
        environ["HTTP_AUTHORIZATION"] = authorization.replace(minted, key.access_key_id)
        environ["HTTP_X_AMZ_SECURITY_TOKEN"] = key.session_token
    query = environ.get("QUERY_STRING")
    if isinstance(query, str) and minted in query:
        environ["QUERY_STRING"] = query.replace(minted, key.access_key_id)


def _squeezed(path: str) -> str:
    """The path with repeated slashes made one: the backend's router merges them."""
    while "//" in path:
        path = path.replace("//", "/")
    return path


def _send(start_response: StartResponse, response: ErrorResponse, head: bool = False
          ) -> Iterable[bytes]:
    start_response(f"{response.status} {_REASONS.get(response.status, 'Error')}",
                   response.headers)
    return [] if head else [response.body]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable"}
