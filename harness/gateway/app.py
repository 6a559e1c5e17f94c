"""The enforcing endpoint: WSGI middleware that authorises every request as AWS would, then
forwards it to the backend or answers AccessDenied in the service's own protocol.

    1. authenticate: SigV4 → the credential (or anonymous S3, or an IdP assertion)
    2. parse: the service, the operation and its parameters
    3. map: the IAM authorisation requests the operation makes
    4-5. gather the policies from the backend and decide with the engine
    6. deny → AWS's error; allow → forward; every decision goes to the decision log

Fail closed: any error while doing this denies the request, with a message that says what
failed. The backend's own admin endpoints are never reachable through the gateway.
"""

from __future__ import annotations

import io
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wsgi import get_input_stream

from harness.gateway import sessions
from harness.gateway.authorize import Asker, Transport, decide
from harness.gateway.backend import BackendAccess
from harness.gateway.credentials import Credential, CredentialStore
from harness.gateway.decision_log import DecisionLog, LoggedDecision
from harness.gateway.errors import (
    ErrorResponse,
    access_denied,
    error_response,
    new_request_id,
    protocol_error_response,
)
from harness.gateway.operations import UnmappedOperation, authorization_requests
from harness.gateway.protocol import (
    HttpRequest,
    ParsedOperation,
    ProtocolError,
    detect_service,
    parse_operation,
)
from harness.gateway.sigv4 import (
    AuthError,
    authenticate,
    request_scope,
    signed_request_from_environ,
)
from harness.gateway.world import World, WorldError
from harness.iam.context import Caller, PrincipalKind
from harness.iam.decision import Decision
from harness.iam.messages import access_denied_message

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

DEFAULT_REGION = "us-east-1"
_BLOCKED_PREFIXES = ("/moto-api", "/_localstack", "/_aws", "/_pytest")
# Calls that AWS answers without any authorisation, and that the gateway answers itself.
_CALLER_IDENTITY = ("sts", "GetCallerIdentity")
# STS calls that carry no signature: the assertion or token is the proof.
_UNSIGNED_STS = frozenset({"AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"})
_READ_PREFIXES = ("Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select",
                  "Lookup", "Search", "Simulate", "Check", "Validate", "Preview")


@dataclass
class GatewayConfig:
    """Known accounts (for S3 bucket owners), where to log decisions, the clock."""

    accounts: tuple[str, ...] = ()
    log: DecisionLog = field(default_factory=DecisionLog)
    clock: Any = None

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)


class Denied(Exception):
    """A request the gateway refuses, with the response to send."""

    def __init__(self, response: ErrorResponse) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True, slots=True)
class _Call:
    """One request as the gateway came to understand it."""

    request_id: str
    http: HttpRequest
    parsed: ParsedOperation
    asker: Asker
    environ: WSGIEnvironment
    body: bytes


class EnforcingGateway:
    """`EnforcingGateway(backend_app, store, ...)` is itself a WSGI app."""

    def __init__(self, backend: WSGIApplication, store: CredentialStore,
                 config: GatewayConfig | None = None) -> None:
        self.backend = backend
        self.store = store
        self.config = config or GatewayConfig()
        self.access = BackendAccess(backend)
        self.world = World(self.access)
        # Keys the gateway minted (root users): forwarded as an administrator key the backend
        # knows for the same account.
        self._minted: dict[str, str] = {}
        self._lock = threading.Lock()

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
        with self._lock:
            self._minted[credential.access_key_id] = account
        return credential

    # ------------------------------------------------------------------ WSGI

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith(_BLOCKED_PREFIXES):
            return _send(start_response, error_response(
                "s3", None, "AccessDenied", "The backend's administration API is not "
                "reachable through the harness endpoint.", 403, new_request_id("s3")))
        body = get_input_stream(environ).read()
        try:
            call = self._understand(environ, body)
            self._authorize(call)
            return self._forward(call, start_response)
        except Denied as denied:
            return _send(start_response, denied.response, head=environ["REQUEST_METHOD"] == "HEAD")

    # ------------------------------------------------------------------ steps

    def _understand(self, environ: WSGIEnvironment, body: bytes) -> _Call:
        http = HttpRequest.from_environ(environ, body)
        signed = signed_request_from_environ(environ, body)
        scope = request_scope(signed)
        signing_name, region = scope if scope else (None, DEFAULT_REGION)
        request_id = new_request_id(signing_name or "s3")
        try:
            service = detect_service(http, signing_name)
            parsed = parse_operation(http, service, region)
        except ProtocolError as error:
            raise Denied(protocol_error_response(error, request_id, request=http)) from error
        if parsed.service == "sts" and parsed.operation in _UNSIGNED_STS and scope is None:
            asker = _federated_asker(parsed)
        else:
            try:
                authenticated = authenticate(signed, self.store, now=self.config.now(),
                                             service=signing_name)
            except AuthError as error:
                raise Denied(error_response(parsed.service, parsed.operation, error.code,
                                            error.message, error.status, request_id,
                                            request=http)) from error
            credential = authenticated.credential
            asker = (Asker(credential.caller(), credential) if credential is not None
                     else Asker(Caller(PrincipalKind.ANONYMOUS, "anonymous")))
        return _Call(request_id, http, parsed, asker, environ, body)

    def _authorize(self, call: _Call) -> None:
        parsed, caller = call.parsed, call.asker.caller
        if (parsed.service, parsed.operation) == _CALLER_IDENTITY:
            return
        try:
            wanted = authorization_requests(
                parsed.service, parsed.operation, parsed.params, region=parsed.region,
                account=caller.account or "", partition=caller.partition)
            if parsed.service == "sts":
                sessions.check_duration(parsed.operation, parsed.params, self.world)
            transport = self._transport(call.environ)
            decisions = [decide(call.asker, one, transport, self.world, self._accounts())
                         for one in wanted]
        except sessions.SessionRequestError as error:
            raise Denied(error_response(parsed.service, parsed.operation, "ValidationError",
                                        str(error), 400, call.request_id, request=call.http)
                         ) from error
        except UnmappedOperation as error:
            raise self._refusal(call, f"{error}") from error
        except (WorldError, Exception) as error:  # fail closed on anything unexpected
            raise self._refusal(call, f"the request could not be authorized: "
                                      f"{type(error).__name__}: {error}") from error
        for decision in decisions:
            self._log(call, decision)
        for decision in decisions:
            if not decision.allowed:
                raise Denied(access_denied(parsed.service, parsed.operation,
                                           access_denied_message(decision), call.request_id,
                                           request=call.http))

    def _refusal(self, call: _Call, why: str) -> Denied:
        caller = call.asker.caller
        message = (f"User: {caller.label} is not authorized to perform: "
                   f"{call.parsed.service}:{call.parsed.operation} because {why}")
        return Denied(access_denied(call.parsed.service, call.parsed.operation, message,
                                    call.request_id, request=call.http))

    def _forward(self, call: _Call, start_response: StartResponse) -> Iterable[bytes]:
        parsed = call.parsed
        if (parsed.service, parsed.operation) == _CALLER_IDENTITY:
            return self._caller_identity(call, start_response)
        environ = self._backend_environ(call)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None
                    ) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.backend(environ, capture)
        try:
            payload = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status_code = int(str(captured["status"]).split(" ", 1)[0])
        if status_code < 300:
            self._after_success(call, payload)
        start_response(captured["status"], captured["headers"])
        return [payload]

    def _after_success(self, call: _Call, payload: bytes) -> None:
        parsed = call.parsed
        if (parsed.service, parsed.operation) in sessions.ISSUING_OPERATIONS:
            self._record_session(call, payload)
        if not parsed.operation.startswith(_READ_PREFIXES):
            # A write may have changed a policy, an attachment or an owner: read afresh.
            self.world.invalidate()

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
        sessions.record(parsed.operation, parsed.params, payload, call.asker.credential,
                        self.store, self.world, self.config.now(), mfa=mfa, provider=provider,
                        claims=claims, assertion_tags=tags)

    def _backend_environ(self, call: _Call) -> WSGIEnvironment:
        environ = dict(call.environ)
        environ["wsgi.input"] = io.BytesIO(call.body)
        environ["CONTENT_LENGTH"] = str(len(call.body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        credential = call.asker.credential
        with self._lock:
            minted_account = (self._minted.get(credential.access_key_id)
                              if credential is not None else None)
        if minted_account is not None and credential is not None:
            _use_backend_key(environ, credential.access_key_id,
                             self.access.key(minted_account))
        if call.parsed.operation in _UNSIGNED_STS:
            # moto files an unsigned call's session under its default account; name the
            # role's account (AWS and other backends ignore the header).
            role_arn = str(call.parsed.params.get("RoleArn", ""))
            if role_arn.count(":") >= 5:
                environ["HTTP_X_MOTO_ACCOUNT_ID"] = role_arn.split(":")[4]
        return environ

    def _caller_identity(self, call: _Call, start_response: StartResponse) -> Iterable[bytes]:
        """GetCallerIdentity needs no permission and answers from what AWS knows of the key."""
        credential = call.asker.credential
        if credential is None:
            raise Denied(error_response("sts", "GetCallerIdentity", "MissingAuthenticationToken",
                                        "Request is missing Authentication Token", 403,
                                        call.request_id, request=call.http))
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

    def _log(self, call: _Call, decision: Decision) -> None:
        self.config.log.append(LoggedDecision(call.request_id, call.parsed.service,
                                              call.parsed.operation, decision))


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


def _send(start_response: StartResponse, response: ErrorResponse, head: bool = False
          ) -> Iterable[bytes]:
    start_response(f"{response.status} {_REASONS.get(response.status, 'Error')}",
                   response.headers)
    return [] if head else [response.body]


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 500: "Internal Server Error"}
