"""A request the gateway refuses: raised where the refusal is found, answered in one place.

A step of the gateway (`harness.gateway.app`) that refuses a request raises `Refusal`, saying
only what AWS answers: an error code, message and status, or the service's own access-denied
error. The request pipeline catches it, logs it (a "refused" record in the decision log, unless
the decisions logged already say why) and renders it in the service's protocol with what it
knows of the request by then (`RequestContext`), as LocalStack's handler chain answers a
ServiceException. Anything else a step raises is refused the same way, as AccessDenied saying
what failed (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.gateway.decision_log import LoggedRefusal
from harness.gateway.errors import (
    ErrorResponse,
    access_denied,
    error_response,
    protocol_error_response,
)
from harness.gateway.protocol import HttpRequest, ProtocolError


@dataclass(slots=True)
class RequestContext:
    """How far the gateway got with a request: what a refusal's record and answer can say.
    Fields are None until known."""

    request_id: str
    http: HttpRequest | None = None
    service: str | None = None
    operation: str | None = None
    principal: str | None = None
    """The caller's label, once authenticated."""


class Refusal(Exception):
    """A request refused, with AWS's answer to it.

    `code` None is the service's own access-denied error (AccessDenied, AccessDeniedException,
    UnauthorizedOperation…: `errors.access_denied`), logged as AccessDenied. `logged` False: the
    decision log says why already (the denied decision, the simulated ones), or there is nothing
    to say (STS refuses GetCallerIdentity without a key before anything is decided). `reason`:
    what the record says, when more than the message. `answer_as`: the service whose protocol
    answers when the request's is not known yet.
    """

    def __init__(self, message: str, *, code: str | None = None, status: int = 403,
                 logged: bool = True, reason: str | None = None,
                 answer_as: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.logged = logged
        self.reason = reason or message
        self.answer_as = answer_as
        self.unreadable: ProtocolError | None = None

    @classmethod
    def of_unreadable(cls, error: ProtocolError) -> Refusal:
        """A request refused as its service refuses what it cannot take: answered in the
        protocol the error names, and logged under the error's service."""
        refusal = cls(error.message, code=error.code, status=error.status)
        refusal.unreadable = error
        return refusal

    def record(self, context: RequestContext) -> LoggedRefusal:
        service = self.unreadable.service if self.unreadable is not None else context.service
        return LoggedRefusal(context.request_id, service, context.operation, context.principal,
                             self.code or "AccessDenied", self.reason)

    def response(self, context: RequestContext) -> ErrorResponse:
        if self.unreadable is not None:
            return protocol_error_response(self.unreadable, context.request_id,
                                           request=context.http)
        service = self.answer_as or context.service or ""
        if self.code is None:
            return access_denied(service, context.operation, self.message, context.request_id,
                                 request=context.http)
        return error_response(service, context.operation, self.code, self.message, self.status,
                              context.request_id, request=context.http)
