"""One backend out of two (harness.backends.router): a request goes by its signing name to
LocalStack (primary) or embedded moto (secondary), and names its account the way each one
reads it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import pytest
from localstack.aws.accounts import get_account_id_from_access_key_id
from moto.iam.utils import generate_access_key_id_from_account_id

from harness.backends.localstack import MOTO_SERVICES
from harness.backends.router import ACCOUNT_HEADER, ServiceRouter, account_of_key, signing

DEV, STAGING = "444444444444", "555555555555"


def authorization(key: str, service: str, region: str = "us-east-1") -> str:
    return (f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/{service}/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")


def presigned(key: str, service: str, slash: str = "%2F") -> str:
    credential = slash.join([key, "20260101", "us-east-1", service, "aws4_request"])
    return (f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}"
            "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=abc")


def lsia_key(account: str) -> str:
    """A temporary key as LocalStack's STS issues them: LSIA, the account encoded (the
    encoding LocalStack's own IAM uses, moto.iam.utils)."""
    key = generate_access_key_id_from_account_id(account, prefix="LSIA")
    assert get_account_id_from_access_key_id(key) == account  # LocalStack reads it so
    return key


def request(authorization: str | None = None, query: str = "", **extra: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(b""),
        "HTTP_HOST": "127.0.0.1:4566",
    }
    if authorization is not None:
        environ["HTTP_AUTHORIZATION"] = authorization
    environ.update(extra)
    return environ


class Recorder:
    """A WSGI app that keeps a copy of each environ it is called with."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.seen.append(dict(environ))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [self.name.encode()]


def route(environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Which app answered (primary or secondary), and the environ it got."""
    primary, secondary = Recorder("primary"), Recorder("secondary")
    router = ServiceRouter(primary, secondary, frozenset(MOTO_SERVICES))
    statuses: list[str] = []
    body = b"".join(router(environ, lambda status, headers, exc_info=None: statuses.append(
        status)))
    assert statuses == ["200 OK"]
    answered = primary if body == b"primary" else secondary
    assert len(answered.seen) == 1 and not (primary.seen and secondary.seen)
    return answered.name, answered.seen[0]


# --------------------------------------------------------------------------- signing


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (request(authorization(DEV, "s3")), (DEV, "s3")),
        (request(authorization("LSIAQAAAAAAAGMKEM7X5", "organizations", "eu-west-1")),
         ("LSIAQAAAAAAAGMKEM7X5", "organizations")),
        (request(query=presigned(DEV, "s3")), (DEV, "s3")),
        (request(query=presigned("ASIAEXAMPLEKEY123456", "s3", slash="%2f")),
         ("ASIAEXAMPLEKEY123456", "s3")),
        (request(query=presigned(STAGING, "sqs", slash="/")), (STAGING, "sqs")),
        (request(query="prefix=x&" + presigned(DEV, "s3") + "&versionId=1"), (DEV, "s3")),
        # The Authorization header wins over a credential in the query.
        (request(authorization(DEV, "sns"), query=presigned(STAGING, "s3")), (DEV, "sns")),
        (request(), (None, None)),
        (request(query="Action=AssumeRoleWithSAML&Version=2011-06-15"), (None, None)),
        (request("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="), (None, None)),
    ],
    ids=["header", "header-lsia", "presigned", "presigned-lowercase-escapes",
         "presigned-slashes", "presigned-among-others", "header-wins", "unsigned",
         "unsigned-query", "sigv2"],
)
def test_signing_reads_key_and_service(
    environ: dict[str, Any], expected: tuple[str | None, str | None]
) -> None:
    assert signing(environ) == expected


@pytest.mark.parametrize("account", [DEV, STAGING, "000000000000", "999999999999"])
def test_the_account_of_a_key_is_the_one_localstack_reads(account: str) -> None:
    assert account_of_key(account) == account
    key = lsia_key(account)
    assert account_of_key(key) == account == get_account_id_from_access_key_id(key)


# --------------------------------------------------------------------------- to moto


@pytest.mark.parametrize("key", ["test", "securecart-bootstrap", "AKIAIOSFODNN7EXAMPLE",
                                 "ASIAIOSFODNN7EXAMPLE"])
def test_other_keys_are_localstacks_default_account(key: str) -> None:
    """LocalStack's rule: keys it did not issue (and AWS's own) fall back to its default."""
    assert account_of_key(key) == "000000000000" == get_account_id_from_access_key_id(key)


@pytest.mark.parametrize("service", sorted(MOTO_SERVICES))
def test_services_localstack_lacks_go_to_moto_with_the_keys_account(service: str) -> None:
    answered, environ = route(request(authorization(DEV, service)))
    assert answered == "secondary"
    assert environ[ACCOUNT_HEADER] == DEV
    assert environ["HTTP_AUTHORIZATION"] == authorization(DEV, service)  # left as it came


def test_a_localstack_issued_key_goes_to_moto_as_its_account() -> None:
    key = lsia_key(STAGING)
    answered, environ = route(request(authorization(key, "organizations")))
    assert answered == "secondary"
    assert environ[ACCOUNT_HEADER] == STAGING


def test_a_presigned_moto_request_names_the_keys_account() -> None:
    answered, environ = route(request(query=presigned(DEV, "cloudtrail")))
    assert answered == "secondary"
    assert environ[ACCOUNT_HEADER] == DEV


@pytest.mark.parametrize("key", [DEV, lsia_key(DEV)], ids=["12-digit", "lsia"])
def test_the_gateways_account_is_kept_for_moto(key: str) -> None:
    answered, environ = route(request(authorization(key, "organizations"),
                                      HTTP_X_MOTO_ACCOUNT_ID=STAGING))
    assert answered == "secondary"
    assert environ[ACCOUNT_HEADER] == STAGING


# --------------------------------------------------------------------------- to LocalStack


@pytest.mark.parametrize("service", ["s3", "sts", "iam", "sns", "sqs", "kms", "lambda", "ec2"])
def test_other_services_go_to_localstack_as_they_came(service: str) -> None:
    sent = request(authorization(DEV, service))
    answered, environ = route(dict(sent))
    assert answered == "primary"
    assert environ["HTTP_AUTHORIZATION"] == sent["HTTP_AUTHORIZATION"]
    assert ACCOUNT_HEADER not in environ


def test_the_gateways_account_replaces_the_key_for_localstack() -> None:
    sent = authorization(lsia_key(DEV), "s3")
    answered, environ = route(request(sent, HTTP_X_MOTO_ACCOUNT_ID=STAGING))
    assert answered == "primary"
    assert ACCOUNT_HEADER not in environ
    assert environ["HTTP_AUTHORIZATION"] == authorization(STAGING, "s3")
    assert signing(environ) == (STAGING, "s3")


def test_an_unsigned_request_with_an_account_is_signed_as_it() -> None:
    before = datetime.now(UTC).strftime("%Y%m%d")
    answered, environ = route(request(query="Action=AssumeRoleWithSAML",
                                      HTTP_X_MOTO_ACCOUNT_ID=STAGING))
    after = datetime.now(UTC).strftime("%Y%m%d")
    assert answered == "primary"
    assert ACCOUNT_HEADER not in environ
    header = environ["HTTP_AUTHORIZATION"]
    assert header.startswith(f"AWS4-HMAC-SHA256 Credential={STAGING}/")
    assert header.split("/")[1] in {before, after}
    assert signing(environ) == (STAGING, "sts")
    assert get_account_id_from_access_key_id(STAGING) == STAGING  # LocalStack's reading


def test_a_presigned_request_with_an_account_is_signed_for_its_service() -> None:
    answered, environ = route(request(query=presigned(lsia_key(DEV), "s3"),
                                      HTTP_X_MOTO_ACCOUNT_ID=STAGING))
    assert answered == "primary"
    assert signing(environ) == (STAGING, "s3")


def test_an_unsigned_request_without_an_account_goes_on_unsigned() -> None:
    answered, environ = route(request(query="Action=AssumeRoleWithSAML"))
    assert answered == "primary"
    assert "HTTP_AUTHORIZATION" not in environ
    assert ACCOUNT_HEADER not in environ
