"""Step 2 of the gateway: which AWS service and operation an HTTP request is, and its parameters.

The work is LocalStack's: its service router tells services apart (signing name, X-Amz-Target,
path and host, the query Action) and its request parsers read every AWS protocol the way the
services do. This module adapts the gateway's view of a request to theirs and turns every way
they can fail into `ProtocolError`, carrying the error AWS itself answers such a request with.

It also refuses what AWS's front ends refuse before any service reads a request — a method no
operation has, a header section over S3's limit, a key S3 cannot decode, an XML body with a
document type declaration, a JSON body in a content type the service does not route. The body
itself is read by `harness.gateway.request_body`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from localstack.aws.protocol.parser import (
    OperationNotFoundParserError,
    ProtocolParserError,
    create_parser,
)
from localstack.aws.protocol.service_router import (
    determine_aws_service_model,
    match_available_protocols,
)
from localstack.aws.spec import ProtocolName
from localstack.http import Request

from harness.gateway.services import protocols_of, service_catalog, service_model

__all__ = [
    "HeaderMap",
    "HttpRequest",
    "ParsedOperation",
    "ProtocolError",
    "detect_service",
    "parse_operation",
    "protocol_for",
]


class HeaderMap(Mapping[str, str]):
    """Read-only HTTP headers, looked up without regard to case (RFC 9110 §5.1).

    Iterates over the names as received. Repeated fields are joined with ',' (RFC 9110 §5.3).
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = fields.items() if isinstance(fields, Mapping) else fields
        merged: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in merged:
                merged[key] = (merged[key][0], f"{merged[key][1]},{value}")
            else:
                merged[key] = (name, value)
        self._fields = merged

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __repr__(self) -> str:
        return f"HeaderMap({dict(self.items())!r})"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """The gateway's view of one request.

    `path` is the path as the client sent it, still percent-encoded and without the query (SigV4
    signs it that way, and S3 keys may contain anything); `query_string` is the raw query.
    Header values are WSGI strings: each byte as one Latin-1 character, so no byte is lost.
    """

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes
    host: str

    def __post_init__(self) -> None:
        # Header names are case-insensitive whoever builds the request (a dict would not be).
        if not isinstance(self.headers, HeaderMap):
            object.__setattr__(self, "headers", HeaderMap(self.headers))

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], body: bytes) -> HttpRequest:
        """Build from a WSGI environ; `body` is the request body, read once by the caller."""
        headers = HeaderMap(_environ_headers(environ))
        return cls(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            path=_raw_path(environ),
            query_string=str(environ.get("QUERY_STRING", "")),
            headers=headers,
            body=body,
            host=headers.get("host") or _server_host(environ),
        )


@dataclass(frozen=True, slots=True)
class ParsedOperation:
    """What a request asks for, in botocore's terms (service model name, shape member names)."""

    service: str
    operation: str
    params: dict[str, Any]
    region: str
    # The protocol the client spoke ('query', 'json', …): errors must be answered in it.
    protocol: str = ""


class ProtocolError(Exception):
    """A request the gateway cannot read; `code`/`message`/`status` are AWS's answer to it.

    `service` and `protocol` say in which protocol to answer, when they are known.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        service: str | None = None,
        protocol: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.service = service
        self.protocol = protocol


def detect_service(request: HttpRequest, signing_name: str | None) -> str:
    """The botocore name of the service `request` is for ('s3', 'sqs', 'sso-admin', …).

    `signing_name` is the service of the SigV4 credential scope, when the caller has one; it is
    the strongest clue and the only one a presigned URL carries besides its path.
    """
    only = _sole_service(signing_name) if signing_name else None
    if only is not None:
        return only
    try:
        model = determine_aws_service_model(
            _to_localstack(request, signing_name), service_catalog()
        )
    except Exception as error:  # the router has no error contract: any failure means "unknown"
        raise _unknown_service(request, signing_name) from error
    if model is None:
        raise _unknown_service(request, signing_name)
    return str(model.service_name)


@functools.cache
def _sole_service(signing_name: str) -> str | None:
    """The service a SigV4 signing name names on its own, without LocalStack's router (the
    router costs a fraction of a millisecond per request); None when several services share
    the name (s3 and s3control, …) or it is unknown."""
    try:
        names = {identifier.name for identifier in service_catalog().by_signing_name(
            signing_name)}
    except Exception:  # an unknown name: let the router decide
        return None
    return names.pop() if len(names) == 1 else None


def protocol_for(request: HttpRequest, service: str) -> str:
    """The protocol the client used for `service`.

    Most services speak one; SQS speaks JSON or query, CloudWatch and some 45 others Smithy RPC
    v2 CBOR or JSON (botocore picks JSON for them).
    """
    return _protocol_of(request, service)


def parse_operation(request: HttpRequest, service: str, region: str) -> ParsedOperation:
    """Parse `request` as an operation of `service`. Raises nothing but `ProtocolError`."""
    try:
        ls_request = _to_localstack(request)
        protocol = _protocol_of(ls_request, service)
        model = service_model(service, protocol)
    except Exception as error:
        raise ProtocolError(
            "UnrecognizedService", f"Unknown service: {service!r}", service=service
        ) from error
    try:
        _precheck(request, ls_request, model, protocol, service)
        # create_parser is cached by LocalStack per (model, protocol); our models are cached
        # objects, so each service's parser is built once.
        operation, params = create_parser(model, protocol).parse(ls_request)
        _postcheck(request, operation, params or {}, protocol, service)
    except ProtocolError:
        raise
    except Exception as error:
        raise _parse_failure(error, request, service, protocol) from error
    return ParsedOperation(
        service=service,
        operation=str(operation.name),
        params=_materialise(params or {}, request, operation),
        region=region,
        protocol=protocol,
    )


def _protocol_of(request: HttpRequest | Request, service: str) -> str:
    protocols = protocols_of(service)
    if len(protocols) == 1:
        return protocols[0]
    ls_request = _to_localstack(request) if isinstance(request, HttpRequest) else request
    choices = [cast("ProtocolName", protocol) for protocol in protocols]
    matched = match_available_protocols(ls_request, choices)
    # A request that matches none is read (and answered) in the service's own protocol.
    return str(matched) if matched else protocols[0]


# --- the gateway's request → LocalStack's ----------------------------------------------------


def _environ_headers(environ: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            yield key[5:].replace("_", "-").title(), str(value)
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            yield key.replace("_", "-").title(), str(value)


def _raw_path(environ: Mapping[str, Any]) -> str:
    # Servers that keep the request line (werkzeug, gunicorn) give the undecoded target;
    # PATH_INFO has been percent-decoded, so re-encoding it is only a fallback.
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw = str(raw)
        if not raw.startswith("/"):  # absolute-form request target (RFC 9112 §3.2.2)
            raw = urlsplit(raw).path or "/"
        return raw.split("?", 1)[0] or "/"
    decoded = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
    return quote(decoded, safe="/-_.~!$&'()*+,;=:@") or "/"


def _server_host(environ: Mapping[str, Any]) -> str:
    name = str(environ.get("SERVER_NAME", "localhost"))
    port = str(environ.get("SERVER_PORT", ""))
    return f"{name}:{port}" if port and port not in ("80", "443") else name


def _to_localstack(request: HttpRequest, signing_name: str | None = None) -> Request:
    headers = dict(request.headers)
    # The body has already been read (and de-chunked by the server): describe it as it is.
    for name in [name for name in headers if name.lower() in ("content-length", "host")]:
        del headers[name]
    headers["Content-Length"] = str(len(request.body))
    headers["Host"] = request.host
    if signing_name and not _has_sigv4_credential(request.headers):
        # The router reads the signing name from the Authorization header only; presigned
        # URLs (and callers that verified the scope elsewhere) tell it this way.
        headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential=-/-/-/{signing_name}/aws4_request, "
            "SignedHeaders=host, Signature=-"
        )
    return Request(
        method=request.method,
        path=unquote(request.path, errors="replace"),
        headers=headers,
        body=request.body,
        query_string=request.query_string,
        raw_path=request.path,
    )


def _has_sigv4_credential(headers: Mapping[str, str]) -> bool:
    authorization = headers.get("authorization", "")
    return authorization.lower().startswith("aws4-hmac-sha256") and "Credential=" in authorization


def _materialise(params: dict[str, Any], request: HttpRequest, operation: Any) -> dict[str, Any]:
    # LocalStack lists every header- and URI-bound member, absent ones as None; botocore's
    # callers (and the IAM mapping) expect only the members the request set.
    params = {name: value for name, value in params.items() if value is not None}
    # A streaming payload (S3 PutObject's Body, Lambda's Invoke Payload) is handed over as a
    # stream over LocalStack's request object; the gateway has the bytes, so give those.
    if operation.has_streaming_input:
        member = operation.input_shape.serialization.get("payload")
        if member in params and hasattr(params[member], "read"):
            params[member] = request.body
    return params


# --- what AWS answers a request it cannot read ---------------------------------------------

# S3 refuses a request whose request line and headers exceed 8 KB: RequestHeaderSectionTooLarge,
# "The request header and query parameters used to make the request exceed the maximum allowed
# size" (MaxSizeAllowed 8192). https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
_S3_HEADER_SECTION_LIMIT = 8192
# "The object key name consists of a sequence of Unicode characters encoded in UTF-8, with a
# maximum length of 1,024 bytes"; a longer key is KeyTooLongError ("Your key is too long").
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
_S3_KEY_LIMIT = 1024
# Media types whose body the parsers read as a form, never as the JSON a backend reads.
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# How much of a method or path an error message repeats.
_ECHO = 200


class _DocumentType(Exception):
    """An XML body declares a document type (and with it, possibly entities)."""


def _unknown_service(request: HttpRequest, signing_name: str | None) -> ProtocolError:
    clue = f"signing name {signing_name!r}" if signing_name else "no credential scope"
    return ProtocolError(
        "UnrecognizedService",
        f"Could not determine the AWS service of {_where(request)} ({clue})",
    )


def _precheck(
    request: HttpRequest, ls_request: Request, model: Any, protocol: str, service: str
) -> None:
    """Reject what AWS rejects before an operation reads the request: what its front end
    refuses, and requests without a known operation (LocalStack's parsers fail on those too,
    but with errors that do not say which case it was)."""
    if service == "s3":
        _check_s3_request(request)
    if request.method not in _methods(service, protocol):
        raise _no_operation(request, protocol, service)
    if protocol in ("query", "ec2"):
        action = ls_request.values.get("Action")
        if not action:
            raise ProtocolError(
                "MissingAction",
                "The request must contain the parameter Action.",
                service=service,
                protocol=protocol,
            )
        if action not in model.operation_names:
            raise _invalid_action(str(action), model, protocol, service)
    elif protocol == "json":
        _check_json_content_type(request, model, service)
        target = ls_request.headers.get("X-Amz-Target", "")
        # As in LocalStack's parser, only the operation name after the last "." counts.
        name = target.rpartition(".")[2]
        if not name or name not in model.operation_names:
            raise ProtocolError(
                "UnknownOperationException",
                f"Unknown operation {target[:_ECHO]!r}" if target
                else "Missing X-Amz-Target header",
                service=service,
                protocol=protocol,
            )


def _postcheck(
    request: HttpRequest, operation: Any, params: Mapping[str, Any], protocol: str, service: str
) -> None:
    """What the service's own reading of the parsed request refuses."""
    if protocol == "rest-xml" and request.body and _has_xml_payload(operation):
        _refuse_document_type(request.body, service, protocol)
    if service == "s3":
        _check_key_length(params.get("Key"))


def _check_key_length(key: object) -> None:
    if isinstance(key, str) and len(key.encode("utf-8", "surrogatepass")) > _S3_KEY_LIMIT:
        raise ProtocolError("KeyTooLongError", "Your key is too long.", 400,
                            service="s3", protocol="rest-xml")


@functools.cache
def _methods(service: str, protocol: str) -> frozenset[str]:
    """The HTTP methods `service`'s operations use. A query request may be a GET as well as a
    POST: "Query requests are HTTP or HTTPS requests that use the HTTP verb GET or POST".
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html"""
    model = service_model(service, protocol)
    methods = {str(model.operation_model(name).http.get("method", "POST"))
               for name in model.operation_names}
    if protocol in ("query", "ec2"):
        methods |= {"GET", "POST"}
    return frozenset(methods)


def _check_s3_request(request: HttpRequest) -> None:
    """S3's front end: the size of the header section, and a path that must decode as UTF-8
    (S3 answers a key that does not with InvalidURI, "Couldn't parse the specified URI.")."""
    if _header_section_size(request) > _S3_HEADER_SECTION_LIMIT:
        raise ProtocolError(
            "RequestHeaderSectionTooLarge",
            "The request header and query parameters used to make the request exceed the "
            "maximum allowed size.",
            service="s3", protocol="rest-xml",
        )
    try:
        unquote_to_bytes(request.path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError("InvalidURI", "Couldn't parse the specified URI.",
                            service="s3", protocol="rest-xml") from error


def _header_section_size(request: HttpRequest) -> int:
    """Bytes of the request line and header lines, as they came over the wire."""
    target = request.path + (f"?{request.query_string}" if request.query_string else "")
    line = len(request.method) + len(target) + len(" HTTP/1.1\r\n") + 1
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers.items())


def _check_json_content_type(request: HttpRequest, model: Any, service: str) -> None:
    """A JSON-protocol call is routed by its Content-Type as well as its target. Declared as a
    form, its body is no JSON to the parsers (a backend reads it as JSON regardless: two
    readings); declared as another JSON version than the service's, AWS's front end finds no
    route (DynamoDB answers application/x-amz-json-1.1 with 404 Not Found). Either way: 404,
    "The action or operation requested is invalid", as for an unknown operation.
    https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html"""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    version = model.metadata.get("jsonVersion", "1.0")
    other_json = (media.startswith("application/x-amz-json-")
                  and media != f"application/x-amz-json-{version}")
    if media in _FORM_TYPES or other_json:
        raise ProtocolError(
            "UnknownOperationException",
            f"No operation for {_where(request)} in Content-Type {media[:_ECHO]!r}",
            404, service=service, protocol="json",
        )


def _has_xml_payload(operation: Any) -> bool:
    """Whether the operation's body is an XML document: a structure as its payload (S3), or
    members bound to no header, path or query (a body that is the input itself); not a blob
    such as PutObject's, nor the body of an operation that takes none."""
    shape = operation.input_shape
    if shape is None:
        return False
    payload = shape.serialization.get("payload")
    if payload is not None:
        return bool(shape.members[payload].type_name == "structure")
    return any("location" not in member.serialization for member in shape.members.values())


def _refuse_document_type(body: bytes, service: str, protocol: str) -> None:
    """S3's XML bodies follow its published schemas, which declare no document type; a body
    that does is MalformedXML. Refusing it also means no reader, here or in a backend, ever
    expands an entity (billion laughs) or resolves an external one (XXE): readers that handle
    entities differently would read different keys. expat stops at the declaration."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _raise_document_type
    parser.EntityDeclHandler = _raise_document_type
    try:
        parser.Parse(body, True)
    except (_DocumentType, expat.ExpatError) as error:
        raise _malformed_xml(service, protocol) from error


def _raise_document_type(*_: Any) -> None:
    raise _DocumentType()


def _malformed_xml(service: str, protocol: str) -> ProtocolError:
    # https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    return ProtocolError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published "
        "schema",
        400, service=service, protocol=protocol,
    )


def _invalid_action(action: str, model: Any, protocol: str, service: str) -> ProtocolError:
    action = action[:_ECHO]
    if protocol == "ec2":
        # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
        message = f"The action {action} is not valid for this web service."
    else:
        message = f"Could not find operation {action} for version {model.api_version}"
    return ProtocolError("InvalidAction", message, service=service, protocol=protocol)


def _no_operation(request: HttpRequest, protocol: str, service: str) -> ProtocolError:
    """No operation of the service has this method (and path)."""
    if protocol == "rest-xml":
        # S3 answers a method/path it has no operation for with 405 MethodNotAllowed.
        return ProtocolError(
            "MethodNotAllowed", "The specified method is not allowed against this resource.",
            405, service=service, protocol=protocol,
        )
    # "UnknownOperationException: The action or operation requested is invalid." (404)
    # https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html
    return ProtocolError("UnknownOperationException", f"No operation for {_where(request)}",
                         404, service=service, protocol=protocol)


def _parse_failure(
    error: Exception, request: HttpRequest, service: str, protocol: str
) -> ProtocolError:
    """AWS's error for a request the parser rejected: no such operation, or a malformed body."""
    if isinstance(error, OperationNotFoundParserError):
        return _no_operation(request, protocol, service)
    if protocol in ("query", "ec2"):
        code, message, status = "InvalidParameterValue", _detail(error), 400
    elif protocol == "rest-xml":
        if isinstance(error.__cause__, ParseError):
            return _malformed_xml(service, protocol)
        code, message, status = "InvalidArgument", _detail(error), 400
    else:  # json, rest-json, smithy-rpc-v2-cbor
        code, message, status = "SerializationException", _detail(error), 400
    return ProtocolError(code, message, status, service=service, protocol=protocol)


def _detail(error: Exception) -> str:
    # LocalStack's own message says what did not parse (cut short: it may quote a value);
    # anything else is reported by its type only.
    if isinstance(error, ProtocolParserError):
        text = str(error)
        return text if len(text) <= _ECHO else text[:_ECHO] + "…"
    cause = error.__cause__ or error
    if isinstance(cause, RecursionError):
        return "Could not parse the request: its body nests too deeply"
    return f"Could not parse the request: {type(cause).__name__}"


def _where(request: HttpRequest) -> str:
    """The method and path, cut short: both are the client's and may be of any length."""
    path = request.path if len(request.path) <= _ECHO else request.path[:_ECHO] + "…"
    return f"{request.method[:32]} {path}"
