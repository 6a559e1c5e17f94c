"""The loopback certificate: made once and cached, made again when unusable or near expiry,
valid for the loopback names only, signed by a CA whose key is never kept."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from harness.backends import tls
from harness.backends.tls import cache_directory, loopback_certificate, server_context


def names_of(certificate: x509.Certificate) -> set[str]:
    found = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(name.value) for name in found}


def test_cached_under_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_directory() == tmp_path / "securecart" / "tls"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_directory() == tmp_path / ".cache" / "securecart" / "tls"


def test_made_once_then_reused(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    first = loopback_certificate(directory)
    contents = [path.read_bytes() for path in (first.ca_bundle, first.certificate, first.key)]
    again = loopback_certificate(directory)
    assert again == first
    assert [p.read_bytes() for p in (again.ca_bundle, again.certificate, again.key)] == contents
    # The server's key is the owner's only; the CA's key is nowhere.
    assert stat.S_IMODE(first.key.stat().st_mode) == 0o600
    assert sorted(path.name for path in directory.iterdir()) == [
        "ca.pem", "server-key.pem", "server.pem"
    ]
    assert b"PRIVATE KEY" not in first.ca_bundle.read_bytes()
    assert list(tmp_path.iterdir()) == [directory]  # no staging folder left


def test_for_loopback_names_only_and_signed_by_the_ca(tmp_path: Path) -> None:
    files = loopback_certificate(tmp_path / "tls")
    certificate = x509.load_pem_x509_certificate(files.certificate.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_bundle.read_bytes())
    assert names_of(certificate) == {"localhost", "127.0.0.1", "::1"}
    assert certificate.issuer == ca.subject
    public_key = ca.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    certificate.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # What Python's own TLS client accepts, for each loopback name, and refuses for another.
    client = ssl.create_default_context(cafile=str(files.ca_bundle))
    server = server_context(files)
    for name in ("127.0.0.1", "localhost", "::1"):
        assert _handshake(client, server, name) is None
    assert "mismatch" in str(_handshake(client, server, "example.com"))
    ip_names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("::1") in ip_names.get_values_for_type(x509.IPAddress)


def _handshake(client: ssl.SSLContext, server: ssl.SSLContext, name: str) -> Exception | None:
    """A TLS handshake in memory, the client checking `name`; the error, None if it passed."""
    client_in, client_out, server_in, server_out = (ssl.MemoryBIO() for _ in range(4))
    client_side = client.wrap_bio(client_in, client_out, server_hostname=name)
    server_side = server.wrap_bio(server_in, server_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for role, side in (("client", client_side), ("server", server_side)):
            try:
                side.do_handshake()
                done[role] = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as error:
                return error
        server_in.write(client_out.read())
        client_in.write(server_out.read())
        if all(done.values()):
            return None
    return RuntimeError("the handshake did not finish")


def test_made_again_when_unusable(tmp_path: Path) -> None:
    directory = tmp_path / "tls"
    first = loopback_certificate(directory)
    old = first.certificate.read_bytes()
    first.certificate.write_text("not a certificate")
    again = loopback_certificate(directory)
    assert again.certificate.read_bytes() not in (old, b"not a certificate")
    assert server_context(again) is not None


def test_made_again_near_expiry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "tls"
    old = loopback_certificate(directory).certificate.read_bytes()
    monkeypatch.setattr(tls, "RENEW_BEFORE", tls.VALIDITY + datetime.timedelta(days=1))
    assert loopback_certificate(directory).certificate.read_bytes() != old
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tls"]
