"""An AWS config file with one profile per Identity Center assignment, each getting its
credentials from `securecart login` through `credential_process`, so that the AWS CLI and SDKs
act as alice, bob, … against the emulated AWS.

    [profile alice-dev-DeveloperReadOnly]
    credential_process = /venv/bin/securecart login alice --account dev --permission-set ...
    endpoint_url = https://127.0.0.1:4566
    ca_bundle = /home/me/.cache/securecart/tls/ca.pem
    region = us-east-1

A profile is named `<user>-<account>-<permission set>`; when the user has one permission set in
the account, `<user>-<account>` is written too (the same profile under a shorter name).
`endpoint_url` in a profile is read by AWS CLI v1 (botocore 1.31 and later) and the SDKs;
`ca_bundle` (an HTTPS endpoint's CA, written when known) by the AWS CLI and botocore. The login
a profile runs gets the same CA with `--ca-bundle`: the CLI does not pass its own to a
credential_process.
https://docs.aws.amazon.com/cli/v1/userguide/cli-configure-sourcing-external.html
https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
https://docs.aws.amazon.com/cli/v1/userguide/cli-configure-files.html#cli-config-ca_bundle

The user's own ~/.aws/config is never written unless asked for (`--output`); a file that this
module did not write is not overwritten without `force`.
"""

from __future__ import annotations

import importlib.metadata
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.identity import IdentityError
from harness.identity.login import assignments_of
from harness.landscape.model import Landscape

DEFAULT_OUTPUT = Path(".securecart") / "aws-config"
"""Relative to the current directory."""
MARKER = "# Written by `securecart profiles`"
DISTRIBUTION = "securecart-harness"
CLI_MODULE = "harness.commands"
"""`python -m` of this runs `securecart` (harness/commands/__main__.py)."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One profile section; `alias` marks the short name of a user's only set in an account."""

    name: str
    user: str
    account: str
    permission_set: str
    alias: bool = False


def profiles_for(landscape: Landscape) -> tuple[Profile, ...]:
    """Every (user, account, permission set) assignment, users and accounts in landscape order,
    each followed by its short alias when it has one."""
    found: list[Profile] = []
    for user in landscape.identity_center.users:
        for account, sets in assignments_of(landscape, user.user_name).items():
            for permission_set in sets:
                name = f"{user.user_name}-{account}-{permission_set}"
                found.append(Profile(name, user.user_name, account, permission_set))
            if len(sets) == 1:
                alias = f"{user.user_name}-{account}"
                found.append(Profile(alias, user.user_name, account, sets[0], alias=True))
    # An alias never shadows a full name (account names may contain hyphens).
    full = {profile.name for profile in found if not profile.alias}
    return tuple(p for p in found if not (p.alias and p.name in full))


def cli_command() -> list[str]:
    """How a credential_process runs `securecart`, from any working directory.

    The installed `securecart` script beside this interpreter when the package is installed;
    else this interpreter with `-m`, with PYTHONPATH set to this checkout when the package is
    not installed."""
    installed = _installed()
    script = Path(sys.executable).parent / "securecart"
    if installed and script.exists():
        return [str(script)]
    command = [sys.executable, "-m", CLI_MODULE]
    if not installed:
        root = Path(__file__).resolve().parents[2]
        command = ["env", f"PYTHONPATH={root}", *command]
    return command


def _installed() -> bool:
    try:
        importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def render_config(
    landscape: Landscape,
    endpoint_url: str,
    *,
    command: list[str] | None = None,
    ca_bundle: str | None = None,
) -> str:
    """The config file's text. Each login names the landscape's directory, so that it signs in
    to the landscape the profiles were made from, whatever runs later; and the CA bundle of an
    HTTPS endpoint, when given."""
    base = command if command is not None else cli_command()
    region = landscape.regions.home
    directory = landscape.directory.resolve()
    lines = [
        MARKER + f" for landscape {landscape.name} at {endpoint_url}.",
        "# Regenerate it rather than editing it. Use it with:",
        "#   export AWS_CONFIG_FILE=<this file>",
        "",
    ]
    for profile in profiles_for(landscape):
        argv = [
            *base,
            "login",
            profile.user,
            "--account",
            profile.account,
            "--permission-set",
            profile.permission_set,
            "--endpoint",
            endpoint_url,
            "--landscape",
            str(directory),
        ]
        if ca_bundle:
            argv += ["--ca-bundle", ca_bundle]
        lines += [
            f"[profile {profile.name}]",
            f"credential_process = {shlex.join(argv)}",
            f"endpoint_url = {endpoint_url}",
            *([f"ca_bundle = {ca_bundle}"] if ca_bundle else []),
            f"region = {region}",
            "",
        ]
    return "\n".join(lines)


def write_config(path: Path, text: str, *, force: bool = False) -> Path:
    """Write the file (creating its folder); refuse to replace a file written by anyone else."""
    path = path.expanduser().resolve()
    if path.exists() and not force:
        try:
            head = path.read_text(encoding="utf-8")[: len(MARKER)]
        except (OSError, UnicodeDecodeError):
            head = ""
        if head != MARKER:
            raise IdentityError(
                f"{path} exists and was not written by securecart profiles; "
                "choose another --output or pass --force to replace it"
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        raise IdentityError(f"cannot write {path}: {error.strerror or error}") from error
    return path
