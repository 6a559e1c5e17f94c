"""Step 6, the error side: the HTTP response AWS sends when it refuses a request.

Every protocol writes errors its own way (query: <ErrorResponse><Error>…; ec2: <Response><Errors>…;
rest-xml: <Error>…; json: {"__type": …}; rest-json: an x-amzn-ErrorType header; CBOR for Smithy
RPC v2) and every SDK parses only its service's way. The bytes come from localstack-core's
response serialisers, which LocalStack checks against AWS; this module chooses what to say:

- `access_denied`: the service's own access-denied error — AccessDenied (query, rest-xml),
  UnauthorizedOperation (EC2), AuthorizationError (SNS), AccessDeniedException (JSON protocols),
  shaped the way AWS's shared request front end writes it;
- `auth_failure`: the errors for a request whose signature or credentials do not hold
  (InvalidClientTokenId, SignatureDoesNotMatch, UnrecognizedClientException, AuthFailure, …),
  shaped as the request front end writes them (so are those codes given to `error_response`);
- `protocol_error_response`: the answer to a request that could not be parsed;
- `error_response`: any other error, by code.

Pass the request when there is one: a few services speak several protocols (SQS: JSON or query)
and the answer must be in the one the client used.
"""

from __future__ import annotations

import enum
import functools
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from localstack.aws.api import ServiceException
from localstack.aws.protocol.serializer import create_serializer
from werkzeug.datastructures import Headers

from harness.gateway.protocol import HttpRequest, ProtocolError, protocol_for
from harness.gateway.services import operation_model, protocols_of, service_model

__all__ = [
    "AuthFailure",
    "ErrorResponse",
    "access_denied",
    "access_denied_code",
    "auth_failure",
    "error_response",
    "new_request_id",
    "protocol_error_response",
]


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    """An HTTP response, ready for WSGI's start_response(status, headers) and the body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class _Error:
    code: str
    status: int
    message: str = ""


class AuthFailure(enum.Enum):
    """Why a request could not be authenticated (SigV4, credentials, session token)."""

    INVALID_ACCESS_KEY = "invalid access key id"
    SIGNATURE_MISMATCH = "signature does not match"
    MISSING_AUTHENTICATION = "no credentials in the request"
    INCOMPLETE_SIGNATURE = "malformed or incomplete signature"
    EXPIRED_TOKEN = "session token expired"
    INVALID_TOKEN = "session token invalid"
    REQUEST_EXPIRED = "request time outside the allowed window"


# --- the tables: what each protocol family calls each refusal ------------------------------

# Access denied, by protocol. JSON services answer 400 (DynamoDB, KMS, ECS, Organizations …
# "AccessDeniedException … HTTP Status Code: 400" in their API references), REST services 403.
_DENIED: dict[str, _Error] = {
    "query": _Error("AccessDenied", 403),
    "ec2": _Error("UnauthorizedOperation", 403),
    "rest-xml": _Error("AccessDenied", 403),
    "json": _Error("AccessDeniedException", 400),
    "smithy-rpc-v2-cbor": _Error("AccessDeniedException", 400),
    "rest-json": _Error("AccessDeniedException", 403),
}
# Services whose denial is not their protocol's usual one. SNS: "AuthorizationError: Indicates
# that the user has been denied access to the requested resource. HTTP Status Code: 403"
# (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html and every SNS action's errors).
_DENIED_BY_SERVICE: dict[str, _Error] = {"sns": _Error("AuthorizationError", 403)}
# The JSON name of a query error code, for query-compatible services answering in JSON.
_QUERY_TO_JSON_CODE = {"AccessDenied": "AccessDeniedException"}

_INVALID_TOKEN = "The security token included in the request is invalid."
_EXPIRED_TOKEN = "The security token included in the request is expired"
_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_INCOMPLETE = "The request signature does not conform to AWS standards."
_MISSING = "Request is missing Authentication Token"
_EC2_AUTH = "AWS was not able to validate the provided access credentials"

# Authentication failures by family: query (IAM, STS, SNS, SQS, RDS …), ec2, rest-xml (S3),
# json (DynamoDB, KMS …; also Smithy RPC v2), rest-json (Lambda, GuardDuty …).
# https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html,
# https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
_F = AuthFailure
_AUTH: dict[str, dict[AuthFailure, _Error]] = {
    "query": {
        _F.INVALID_ACCESS_KEY: _Error("InvalidClientTokenId", 403, _INVALID_TOKEN),
        _F.SIGNATURE_MISMATCH: _Error("SignatureDoesNotMatch", 403, _MISMATCH),
        _F.MISSING_AUTHENTICATION: _Error("MissingAuthenticationToken", 403, _MISSING),
        _F.INCOMPLETE_SIGNATURE: _Error("IncompleteSignature", 400, _INCOMPLETE),
        _F.EXPIRED_TOKEN: _Error("ExpiredToken", 403, _EXPIRED_TOKEN),
        _F.INVALID_TOKEN: _Error("InvalidClientTokenId", 403, _INVALID_TOKEN),
        # "Signature expired: 20190211T100814Z is now earlier than …": the caller words it.
        _F.REQUEST_EXPIRED: _Error("SignatureDoesNotMatch", 403, "Signature expired"),
    },
    "ec2": {
        _F.INVALID_ACCESS_KEY: _Error("AuthFailure", 401, _EC2_AUTH),
        _F.SIGNATURE_MISMATCH: _Error("AuthFailure", 401, _EC2_AUTH),
        _F.MISSING_AUTHENTICATION: _Error("MissingAuthenticationToken", 401, _MISSING),
        _F.INCOMPLETE_SIGNATURE: _Error("IncompleteSignature", 400, _INCOMPLETE),
        # EC2 answers expired session credentials with RequestExpired.
        _F.EXPIRED_TOKEN: _Error("RequestExpired", 400, "Request has expired."),
        _F.INVALID_TOKEN: _Error("AuthFailure", 401, _EC2_AUTH),
        _F.REQUEST_EXPIRED: _Error("RequestExpired", 400, "Request has expired."),
    },
    "rest-xml": {
        _F.INVALID_ACCESS_KEY: _Error(
            "InvalidAccessKeyId",
            403,
            "The AWS Access Key Id you provided does not exist in our records.",
        ),
        _F.SIGNATURE_MISMATCH: _Error(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        ),
        # S3 treats an unsigned request as anonymous; refusing it is a plain AccessDenied.
        _F.MISSING_AUTHENTICATION: _Error("AccessDenied", 403, "Access Denied"),
        _F.INCOMPLETE_SIGNATURE: _Error(
            "AuthorizationHeaderMalformed", 400, "The authorization header is malformed."
        ),
        _F.EXPIRED_TOKEN: _Error("ExpiredToken", 400, "The provided token has expired."),
        _F.INVALID_TOKEN: _Error(
            "InvalidToken", 400, "The provided token is malformed or otherwise invalid."
        ),
        _F.REQUEST_EXPIRED: _Error(
            "RequestTimeTooSkewed",
            403,
            "The difference between the request time and the current time is too large.",
        ),
    },
    "json": {
        _F.INVALID_ACCESS_KEY: _Error("UnrecognizedClientException", 400, _INVALID_TOKEN),
        _F.SIGNATURE_MISMATCH: _Error("InvalidSignatureException", 400, _MISMATCH),
        _F.MISSING_AUTHENTICATION: _Error("MissingAuthenticationTokenException", 400, _MISSING),
        _F.INCOMPLETE_SIGNATURE: _Error("IncompleteSignatureException", 400, _INCOMPLETE),
        _F.EXPIRED_TOKEN: _Error("ExpiredTokenException", 400, _EXPIRED_TOKEN),
        _F.INVALID_TOKEN: _Error("UnrecognizedClientException", 400, _INVALID_TOKEN),
        _F.REQUEST_EXPIRED: _Error("InvalidSignatureException", 400, "Signature expired"),
    },
    "rest-json": {
        _F.INVALID_ACCESS_KEY: _Error("UnrecognizedClientException", 403, _INVALID_TOKEN),
        _F.SIGNATURE_MISMATCH: _Error("InvalidSignatureException", 403, _MISMATCH),
        _F.MISSING_AUTHENTICATION: _Error(
            "MissingAuthenticationTokenException", 403, "Missing Authentication Token"
        ),
        _F.INCOMPLETE_SIGNATURE: _Error("IncompleteSignatureException", 403, _INCOMPLETE),
        _F.EXPIRED_TOKEN: _Error("ExpiredTokenException", 403, _EXPIRED_TOKEN),
        _F.INVALID_TOKEN: _Error("UnrecognizedClientException", 403, _INVALID_TOKEN),
        _F.REQUEST_EXPIRED: _Error("InvalidSignatureException", 403, "Signature expired"),
    },
}
_AUTH["smithy-rpc-v2-cbor"] = _AUTH["json"]
# The JSON services' authentication errors, answered by AWS's request front end before the
# service sees the request: DynamoDB (JSON 1.0) writes {"__type":
# "com.amazon.coral.service#UnrecognizedClientException", "message": …}, the JSON 1.1 services
# {"__type": "UnrecognizedClientException", "message": …}, REST-JSON services (Lambda,
# GuardDuty) {"message": …} with the code in x-amzn-ErrorType; the message key is lower-case, as
# in DynamoDB's documented error bodies.
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
_FRONT_END_AUTH_CODES = frozenset(
    {
        known.code
        for protocol in ("json", "rest-json")
        for known in _AUTH[protocol].values()
    }
)


# --- public API ------------------------------------------------------------------------------


def error_response(
    service: str,
    operation: str | None,
    code: str,
    message: str,
    status: int,
    request_id: str,
    *,
    request: HttpRequest | None = None,
) -> ErrorResponse:
    """AWS's error `code` with `message` and `status`, in `service`'s protocol.

    A modelled error's extra members (S3's BucketName, …) are left out: only the code and the
    message are known here. A service that speaks several protocols (SQS, CloudWatch) is answered
    in the one `request` used, or else in its default one. Never raises: an unknown service gets
    a query-style XML error.
    """
    protocol = _protocol(service, request)
    if protocol is None:
        return _generic_xml(code, message, status, request_id)
    error = _Error(code, status, message)
    response = _render(service, protocol, operation, error, request_id, request)
    return _front_end_auth_json(service, protocol, error, response)


def access_denied_code(service: str, protocol: str | None = None) -> tuple[str, int]:
    """The code and HTTP status `service` (in `protocol`, default its own) denies access with."""
    protocol = protocol or _protocol(service, None) or "query"
    denial = _denial(service, protocol)
    return denial.code, denial.status


def access_denied(
    service: str,
    operation: str | None,
    message: str,
    request_id: str,
    *,
    request: HttpRequest | None = None,
) -> ErrorResponse:
    """`service`'s access-denied error (see `access_denied_code`) carrying `message`.

    JSON protocols get the body AWS's request front end writes for an authorisation failure:
    DynamoDB: {"__type": "com.amazon.coral.service#AccessDeniedException", "Message": …};
    KMS and the other JSON 1.1 services: {"__type": "AccessDeniedException", "Message": …};
    Lambda and the other REST-JSON services: {"Message": …} with x-amzn-ErrorType.
    """
    protocol = _protocol(service, request)
    if protocol is None:
        return _generic_xml("AccessDenied", message, 403, request_id)
    denial = _denial(service, protocol)
    error = _Error(denial.code, denial.status, message)
    response = _render(service, protocol, operation, error, request_id, request)
    return _front_end_json(service, protocol, error, response)


def auth_failure(
    service: str,
    operation: str | None,
    failure: AuthFailure,
    request_id: str,
    *,
    message: str | None = None,
    request: HttpRequest | None = None,
) -> ErrorResponse:
    """The error `service` answers a request that failed authentication with.

    `message` replaces AWS's standard text (e.g. "Signature expired: <date> is now earlier
    than <date> (<now> - 5 min.)" for REQUEST_EXPIRED).
    """
    protocol = _protocol(service, request)
    family = _AUTH[_auth_family(service, protocol)]
    known = family[failure]
    error = _Error(known.code, known.status, message if message is not None else known.message)
    if protocol is None:
        return _generic_xml(error.code, error.message, error.status, request_id)
    response = _render(service, protocol, operation, error, request_id, request)
    return _front_end_auth_json(service, protocol, error, response)


def _auth_family(service: str, protocol: str | None) -> str:
    """Whose authentication errors `service` answers with in `protocol`: a former query service
    speaking JSON (SQS, CloudWatch) keeps its query codes, which the client reads from the
    x-amzn-query-error header.
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
    """
    if protocol is None or protocol not in _AUTH:
        return "query"
    if protocol != "query" and _is_query_compatible(service, protocol):
        return "query"
    return protocol


def protocol_error_response(
    error: ProtocolError, request_id: str, *, request: HttpRequest | None = None
) -> ErrorResponse:
    """The answer to a request `protocol.py` could not read, in the protocol it was sent in."""
    if error.service is None:
        return _generic_xml(error.code, error.message, error.status, request_id)
    protocol = error.protocol or _protocol(error.service, request)
    if protocol is None:
        return _generic_xml(error.code, error.message, error.status, request_id)
    failure = _Error(error.code, error.status, error.message)
    return _render(error.service, protocol, None, failure, request_id, request)


def new_request_id(service: str) -> str:
    """A request id in the service's format: S3's 16 hex digits, everyone else's UUID."""
    if service == "s3":
        return secrets.token_hex(8).upper()
    return str(uuid.uuid4())


# --- rendering -------------------------------------------------------------------------------


def _protocol(service: str, request: HttpRequest | None) -> str | None:
    try:
        if request is not None:
            return protocol_for(request, service)
        return protocols_of(service)[0]
    except Exception:  # an unknown service: the caller gets the generic error
        return None


def _denial(service: str, protocol: str) -> _Error:
    if service in _DENIED_BY_SERVICE:
        return _DENIED_BY_SERVICE[service]
    if protocol != "query" and _is_query_compatible(service, protocol):
        # Former query services (SQS, CloudWatch) keep their query error codes over JSON: the
        # client reads them from the x-amzn-query-error header.
        return _DENIED["query"]
    return _DENIED.get(protocol, _DENIED["query"])


def _is_query_compatible(service: str, protocol: str) -> bool:
    try:
        return bool(service_model(service, protocol).is_query_compatible)
    except Exception:  # an unknown service or protocol has no query heritage to honour
        return False


@functools.cache
def _exception_type(type_name: str) -> type[ServiceException]:
    # LocalStack writes a query-compatible JSON error's "__type" from the exception's class name
    # (and its query code from `code`), as its generated service exceptions are named.
    return type(type_name, (ServiceException,), {})


def _render(
    service: str,
    protocol: str,
    operation: str | None,
    error: _Error,
    request_id: str,
    request: HttpRequest | None,
) -> ErrorResponse:
    try:
        model = service_model(service, protocol)
        exception = _service_exception(service, protocol, error)
        response = create_serializer(model, protocol).serialize_error_to_response(
            exception,
            operation_model(model, operation),
            # werkzeug's Headers: LocalStack looks headers up in lower case (x-amzn-query-mode)
            Headers(list(request.headers.items())) if request is not None else None,
            request_id,
        )
    except Exception:  # the gateway must always be able to answer; fail closed, generically
        return _generic_xml(error.code, error.message, error.status, request_id)
    headers = list(response.headers.items())
    if not any(name.lower() in ("x-amzn-requestid", "x-amz-request-id") for name, _ in headers):
        headers.append(("x-amzn-RequestId", request_id))
    body = bytes(response.get_data())
    if service == "s3":
        body = _with_host_id(body, response.headers.get("x-amz-id-2", ""))
    return _response(int(response.status_code), headers, body)


def _response(status: int, headers: list[tuple[str, str]], body: bytes) -> ErrorResponse:
    """The response with a Content-Length that matches its (possibly rewritten) body."""
    kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return ErrorResponse(status, [*kept, ("Content-Length", str(len(body)))], body)


def _with_host_id(body: bytes, host_id: str) -> bytes:
    # Every S3 error ends with <HostId>, the x-amz-id-2 header's value; LocalStack writes it
    # only for the errors S3's model declares with one.
    if not host_id or b"<HostId>" in body or not body.rstrip().endswith(b"</Error>"):
        return body
    element = ElementTree.Element("HostId")
    element.text = host_id
    tail = ElementTree.tostring(element)  # US-ASCII with character references, no declaration
    head, _, rest = body.rpartition(b"</Error>")
    return head + tail + b"</Error>" + rest


def _service_exception(service: str, protocol: str, error: _Error) -> ServiceException:
    model = service_model(service, protocol)
    code = error.code
    if model.is_query_compatible and protocol != "query":
        # The body's "__type" has the JSON name (botocore picks the modelled exception class by
        # it); the query code travels in x-amzn-query-error and is what the client reports.
        type_name, code = _query_compatible_names(service, model, error.code)
        cls = _exception_type(type_name)
    else:
        cls = _exception_type("ServiceError")  # the class name is not written anywhere
    # Query errors carry <Type>Sender</Type> (LocalStack writes none for a server fault); EC2
    # and S3 errors carry no Type element at all, so for them the flag must stay off.
    sender_fault = error.status < 500 and protocol not in ("ec2", "rest-xml")
    return cls(error.message, code=code, status_code=error.status, sender_fault=sender_fault)


def _query_compatible_names(service: str, model: Any, code: str) -> tuple[str, str]:
    """(JSON type, query code) of error `code`, given by either name."""
    shapes_by_query_code = _error_shapes_by_query_code(service)
    if code in shapes_by_query_code:
        return shapes_by_query_code[code], code
    for query_code, shape_name in shapes_by_query_code.items():
        if shape_name == code:
            return shape_name, query_code
    return _json_type(model, _QUERY_TO_JSON_CODE.get(code, code)), code


@functools.cache
def _error_shapes_by_query_code(service: str) -> dict[str, str]:
    # Query codes are declared on the error shapes, in the JSON model (CloudWatch) or only in
    # the query one (SQS: LocalStack's 'sqs-query' spec).
    names: dict[str, str] = {}
    for protocol in protocols_of(service):
        for shape in service_model(service, protocol).error_shapes:
            query_code = shape.metadata.get("error", {}).get("code")
            if query_code:
                names.setdefault(str(query_code), str(shape.name))
    return names


def _json_type(model: Any, code: str) -> str:
    """A JSON error's "__type" as AWS's request front end writes it, for `code`.

    JSON 1.0 services (DynamoDB, SQS) qualify it with the front end's namespace.
    """
    if model.metadata.get("jsonVersion") == "1.0":
        return f"com.amazon.coral.service#{code}"
    return code


def _front_end_json(
    service: str, protocol: str, error: _Error, response: ErrorResponse
) -> ErrorResponse:
    """Rewrite a JSON access-denied body the way the request front end writes it.

    LocalStack writes {"__type": code, "message": …}; AWS's authorisation layer answers
    {"__type": …, "Message": …} (JSON) and {"Message": …} (REST-JSON). SDKs accept either;
    we follow AWS. Query-compatible services (SQS) keep LocalStack's body, which matches theirs.
    """
    content_type = {k.lower(): v for k, v in response.headers}.get("content-type", "")
    if protocol not in ("json", "rest-json") or "json" not in content_type:
        return response  # not JSON, or the generic fallback
    model = service_model(service, protocol)
    if model.is_query_compatible:
        return response
    body: dict[str, str] = {"Message": error.message}
    if protocol == "json":
        body = {"__type": _json_type(model, error.code), **body}
    return _response(response.status, response.headers, json.dumps(body).encode())


def _front_end_auth_json(
    service: str, protocol: str, error: _Error, response: ErrorResponse
) -> ErrorResponse:
    """Rewrite a JSON authentication error the way the request front end writes it (see
    `_FRONT_END_AUTH_CODES`); any other response is returned as it is."""
    content_type = {k.lower(): v for k, v in response.headers}.get("content-type", "")
    if error.code not in _FRONT_END_AUTH_CODES or "json" not in content_type:
        return response
    if protocol not in ("json", "rest-json") or _is_query_compatible(service, protocol):
        return response
    body: dict[str, str] = {"message": error.message}
    if protocol == "json":
        body = {"__type": _json_type(service_model(service, protocol), error.code), **body}
    return _response(response.status, response.headers, json.dumps(body).encode())


def _generic_xml(code: str, message: str, status: int, request_id: str) -> ErrorResponse:
    """A query-protocol error, for requests whose service (and so protocol) is unknown."""
    root = ElementTree.Element("ErrorResponse")
    error = ElementTree.SubElement(root, "Error")
    ElementTree.SubElement(error, "Type").text = "Sender" if status < 500 else "Receiver"
    ElementTree.SubElement(error, "Code").text = code
    ElementTree.SubElement(error, "Message").text = message
    ElementTree.SubElement(root, "RequestId").text = request_id
    body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return _response(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body)
