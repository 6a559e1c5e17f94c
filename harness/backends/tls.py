"""A certificate for serving HTTPS on loopback, and the CA bundle clients verify it with.

AWS is HTTPS-only, and policies rely on it: a bucket policy that denies `aws:SecureTransport`
"false" refuses plain HTTP. The harness therefore serves HTTPS too, on 127.0.0.1, with a
certificate of its own:

    files = loopback_certificate()          # made once, then read from the cache
    context = server_context(files)          # for werkzeug's ssl_context
    boto3.client("s3", endpoint_url=..., verify=str(files.ca_bundle))   # AWS_CA_BUNDLE for the CLI

A self-signed CA and a server certificate for 127.0.0.1, ::1 and localhost are generated once
(EC P-256: fast to make) and kept under the user's cache directory
(`$XDG_CACHE_HOME/securecart/tls`, else `~/.cache/securecart/tls`). The CA's private key is
never written anywhere: the CA can vouch for this one loopback certificate and nothing else, so
trusting it (AWS_CA_BUNDLE) lets no one else impersonate a site.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

CA_FILE, CERT_FILE, KEY_FILE = "ca.pem", "server.pem", "server-key.pem"
VALIDITY = datetime.timedelta(days=825)  # the longest a TLS server certificate may last
RENEW_BEFORE = datetime.timedelta(days=30)
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The CA bundle (what clients trust), and the server's certificate and key."""

    ca_bundle: Path
    certificate: Path
    key: Path


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "securecart" / "tls"


def loopback_certificate(directory: Path | None = None) -> TlsFiles:
    """The cached files, made (again) when missing, unreadable or close to expiry."""
    directory = directory or cache_directory()
    files = _files(directory)
    if _usable(files):
        return files
    return _replace(directory)


def server_context(files: TlsFiles) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.certificate, files.key)
    return context


def _files(directory: Path) -> TlsFiles:
    return TlsFiles(directory / CA_FILE, directory / CERT_FILE, directory / KEY_FILE)


def _usable(files: TlsFiles) -> bool:
    from cryptography import x509

    try:
        certificate = x509.load_pem_x509_certificate(files.certificate.read_bytes())
        x509.load_pem_x509_certificate(files.ca_bundle.read_bytes())
        server_context(files)  # the key matches the certificate
    except (OSError, ValueError, ssl.SSLError):
        return False
    now = datetime.datetime.now(datetime.UTC)
    return certificate.not_valid_after_utc - now > RENEW_BEFORE


def _replace(directory: Path) -> TlsFiles:
    """Write a new set into a fresh folder, then rename it into place: a concurrent reader
    (another `securecart up`) sees the old set or the new one, never a mix."""
    directory.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tls-"))
    try:
        ca_pem, certificate_pem, key_pem = _generate()
        (staging / CA_FILE).write_bytes(ca_pem)
        (staging / CERT_FILE).write_bytes(certificate_pem)
        key_file = staging / KEY_FILE
        key_file.touch(mode=0o600)
        key_file.write_bytes(key_pem)
        if directory.exists():
            retired = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tls-old-"))
            directory.rename(retired / "tls")
            shutil.rmtree(retired, ignore_errors=True)
        try:
            staging.rename(directory)
        except OSError:
            # Another process put its set in place first: use that one.
            if not _usable(_files(directory)):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _files(directory)


def _generate() -> tuple[bytes, bytes, bytes]:
    """PEM of a new CA certificate, a server certificate it signed, and the server's key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)  # clock skew
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securecart harness local CA")])
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in LOOPBACK_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in LOOPBACK_ADDRESSES]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = server_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca_certificate.public_bytes(pem), certificate.public_bytes(pem), key_pem
