"""`securecart login | assume | profiles` as a user runs them, against the harness (the
enforcing gateway, over HTTPS): output shapes, exit codes and messages, endpoint, CA bundle and
credential discovery, and the real AWS CLI acting as alice through a generated profile.

The stack runs in this process; the `up` fixture writes the state file a `securecart up`
serving it would write, so that the commands find it as they would find a real one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.backends.state import UpState, write_state
from harness.commands.main import main
from harness.identity import Credentials, IdentityError, profiles
from harness.identity.callers import Callers
from harness.identity.discovery import (
    NO_CALLERS,
    NO_ENDPOINT,
    resolve,
    resolve_endpoint,
    resolve_landscape_dir,
)
from harness.identity.saml import parse_assertion
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape
from harness.landscape.model import Landscape
from harness.seeding.context import SeededLandscape
from harness.stack import Stack

EXTERNAL_ID = "securecart-vendor-support-7f3a9c"
CREDENTIAL_KEYS = ["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]
VENDOR_INTEGRATION = "vendor:vendor-integration"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def identity_of(out: str, stack: Stack) -> str:
    """GetCallerIdentity with the credential_process JSON a command printed."""
    found = json.loads(out)
    credentials = Credentials(
        found["AccessKeyId"], found["SecretAccessKey"], "?", session_token=found["SessionToken"]
    )
    arn: str = stack.client("sts", credentials).get_caller_identity()["Arn"]
    return arn


def up_state(stack: Stack, pid: int | None = None) -> UpState:
    """What a `securecart up` serving `stack` (this process, alive) would have written."""
    return UpState(
        stack.url,
        str(DEFAULT_DIRECTORY),
        pid or os.getpid(),
        "moto",
        http_url=stack.http_url,
        ca_bundle=str(stack.ca_bundle),
        gateway=True,
        callers=stack.callers().to_json(),
    )


@pytest.fixture(autouse=True)
def runtime_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No endpoint from the developer's environment, and no `securecart up` running: its state
    file lives under XDG_RUNTIME_DIR, here an empty folder."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    runtime = tmp_path_factory.mktemp("runtime")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    return runtime


@pytest.fixture
def up(stack: Stack, runtime_dir: Path) -> UpState:
    """`securecart up` serving the stack, as the other commands find it."""
    state = up_state(stack)
    assert write_state(state).is_relative_to(runtime_dir)
    return state


# --------------------------------------------------------------------------- login


def test_login_prints_credential_process_json(
    seeded: SeededLandscape,
    stack: Stack,
    endpoint: str,
    up: UpState,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        [
            "login",
            "alice",
            "--account",
            "dev",
            "--permission-set",
            "DeveloperReadOnly",
            "--endpoint",
            endpoint,
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert list(found) == CREDENTIAL_KEYS
    assert found["Version"] == 1
    assert found["Expiration"].endswith("Z")
    role = seeded.provisioned_roles[("dev", "DeveloperReadOnly")].rsplit("/", 1)[-1]
    assert identity_of(out, stack) == (
        f"arn:aws:sts::{seeded.account_ids['dev']}:assumed-role/{role}/alice"
    )


def test_login_over_https_needs_the_ca(
    stack: Stack, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No `securecart up` to take the CA bundle from: --ca-bundle (or AWS_CA_BUNDLE) it is."""
    argv = ["login", "bob", "--account", "prod", "--endpoint", endpoint]
    code, out, err = run(argv, capsys)
    assert (code, out) == (1, "")
    assert err.startswith("securecart login: calling AssumeRoleWithSAML: SSL validation failed")
    code, out, _ = run([*argv, "--ca-bundle", str(stack.ca_bundle)], capsys)
    assert code == 0
    assert identity_of(out, stack).endswith("/bob")


def test_login_without_an_assignment(endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["login", "alice", "--account", "prod", "--endpoint", endpoint], capsys)
    assert (code, out) == (1, "")
    assert err == (
        "securecart login: alice has no assignment in account prod (assignments: dev: "
        "DeveloperReadOnly, DeveloperPowerUser; staging: DeveloperReadOnly)\n"
    )


def test_login_with_several_sets(endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["login", "alice", "--account", "dev", "--endpoint", endpoint], capsys)
    assert code == 1
    assert err == (
        "securecart login: alice has several permission sets in account dev: "
        "DeveloperReadOnly, DeveloperPowerUser; choose one with --permission-set\n"
    )


@pytest.mark.parametrize(
    ("argv", "mfa"),
    [
        (["alice", "--account", "staging"], True),
        (["alice", "--account", "staging", "--no-mfa"], False),
        (["dave", "--account", "staging"], False),
    ],
)
def test_login_saml_shows_the_assertion(
    argv: list[str], mfa: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["login", *argv, "--saml"], capsys)  # no endpoint needed
    assert code == 0
    found = json.loads(out)
    assert list(found) == ["RoleArn", "PrincipalArn", "SAMLAssertion", "MultiFactorAuthPresent"]
    assert found["MultiFactorAuthPresent"] is mfa
    assert parse_assertion(found["SAMLAssertion"]).used_mfa is mfa


# --------------------------------------------------------------------------- assume


def test_assume_prints_credential_process_json(
    seeded: SeededLandscape,
    stack: Stack,
    endpoint: str,
    up: UpState,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(
        [
            "assume",
            "VendorSupportRole",
            "--account",
            "prod",
            "--as",
            VENDOR_INTEGRATION,
            "--external-id",
            EXTERNAL_ID,
            "--session-name",
            "ticket-42",
            "--endpoint",
            endpoint,
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    assert list(json.loads(out)) == CREDENTIAL_KEYS
    assert identity_of(out, stack) == (
        f"arn:aws:sts::{seeded.account_ids['prod']}:assumed-role/VendorSupportRole/ticket-42"
    )


def test_assume_as_the_lambda_service(
    seeded: SeededLandscape, stack: Stack, up: UpState, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["assume", "orders-processor", "--account", "prod"], capsys)
    assert (code, err) == (0, "")
    assert identity_of(out, stack) == (
        f"arn:aws:sts::{seeded.account_ids['prod']}:assumed-role/orders-processor/"
        "orders-processor"
    )


def test_assume_refused(
    seeded: SeededLandscape, endpoint: str, up: UpState, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        [
            "assume",
            "VendorSupportRole",
            "--account",
            "prod",
            "--as",
            VENDOR_INTEGRATION,
            "--endpoint",
            endpoint,
        ],
        capsys,
    )
    vendor, prod = seeded.account_ids["vendor"], seeded.account_ids["prod"]
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "securecart assume: An error occurred (AccessDenied) when calling the AssumeRole "
        f"operation: User: arn:aws:sts::{vendor}:assumed-role/vendor-integration/"
        "securecart-vendor is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{prod}:role/VendorSupportRole",
        "hint: VendorSupportRole trusts vendor (choose the caller with --as)",
    ]


def test_assume_as_a_root_user(
    endpoint: str, up: UpState, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["assume", "VendorSupportRole", "--account", "prod", "--as", "vendor"]
    code, out, err = run([*argv, "--external-id", EXTERNAL_ID, "--endpoint", endpoint], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "securecart assume: An error occurred (AccessDenied) when calling the AssumeRole "
        "operation: Roles may not be assumed by root accounts.",
        "hint: the administrator of vendor is its root user, who cannot assume roles; act as "
        "one of its roles instead: --as vendor:vendor-integration",
    ]


def test_assume_too_long(endpoint: str, up: UpState, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        [
            "assume",
            "VendorSupportRole",
            "--account",
            "prod",
            "--as",
            VENDOR_INTEGRATION,
            "--external-id",
            EXTERNAL_ID,
            "--duration-seconds",
            "7200",
            "--endpoint",
            endpoint,
        ],
        capsys,
    )
    assert code == 1
    assert err == (
        "securecart assume: An error occurred (ValidationError) when calling the AssumeRole "
        "operation: The requested DurationSeconds exceeds the 1 hour session limit for roles "
        "assumed by role chaining.\n"
    )


@pytest.mark.parametrize(
    ("as_", "missing"),
    [("prod", "the administrator of account prod"), ("vendor", "the root user of account vendor")],
)
def test_assume_needs_a_running_up(
    stack: Stack, endpoint: str, as_: str, missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An endpoint alone knows no credentials to start from: they come from `securecart up`."""
    code, out, err = run(
        ["assume", "VendorSupportRole", "--account", "prod", "--as", as_,
         "--endpoint", endpoint, "--ca-bundle", str(stack.ca_bundle)],
        capsys,
    )
    assert (code, out) == (1, "")
    assert err == (
        f"securecart assume: no credentials for {missing}: "
        + NO_CALLERS.format(endpoint=endpoint) + "\n"
    )
    assert "come from a running `securecart up`" in err


# --------------------------------------------------------------------------- endpoint discovery


def bare_state(endpoint: str) -> UpState:
    """What a `securecart up` (this process, alive) without a gateway would have written."""
    return UpState(endpoint, str(DEFAULT_DIRECTORY), os.getpid(), "moto")


def test_endpoint_order() -> None:
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:2/"}

    def state() -> UpState:
        return bare_state("http://127.0.0.1:3")

    assert resolve_endpoint("http://127.0.0.1:1", env, state) == "http://127.0.0.1:1"
    assert resolve_endpoint(None, env, state) == "http://127.0.0.1:2"
    assert resolve_endpoint(None, {}, state) == "http://127.0.0.1:3"
    assert resolve(None, None, {}, state).url == "http://127.0.0.1:3"


def test_no_endpoint(runtime_dir: Path) -> None:
    with pytest.raises(IdentityError) as raised:
        resolve_endpoint(None, {})  # no state file
    assert str(raised.value) == NO_ENDPOINT
    # A state file whose process is gone is stale: no endpoint either.
    write_state(UpState("http://127.0.0.1:9", str(DEFAULT_DIRECTORY), 2**22 + 1, "moto"))
    with pytest.raises(IdentityError, match=r"^no endpoint: "):
        resolve_endpoint(None, {})

    def broken() -> Any:
        raise ValueError("state file is not JSON")

    with pytest.raises(IdentityError, match="reading its state failed: state file is not JSON"):
        resolve_endpoint(None, {}, broken)


def test_no_endpoint_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["login", "alice", "--account", "staging"], capsys)
    assert (code, out) == (1, "")
    assert err == f"securecart login: {NO_ENDPOINT}\n"


def test_resolve_finds_the_up_serving_the_endpoint(stack: Stack) -> None:
    state = up_state(stack)
    found = resolve(None, None, {}, lambda: state)
    assert (found.url, found.up, found.gateway) == (stack.url, state, True)
    assert found.ca_bundle == str(stack.ca_bundle)
    assert found.trust_check() is None  # the gateway decides
    assert found.callers() == Callers.from_json(state.callers)
    # Its plain-HTTP endpoint is the same `up`; no CA bundle is needed there.
    over_http = resolve(stack.http_url, None, {}, lambda: state)
    assert (over_http.up, over_http.ca_bundle) == (state, None)
    # What the user names wins over what `up` recorded.
    assert resolve(None, "/mine.pem", {}, lambda: state).ca_bundle == "/mine.pem"
    env = {"AWS_CA_BUNDLE": "/env.pem"}
    assert resolve(None, None, env, lambda: state).ca_bundle == "/env.pem"
    # Another endpoint: not this `up`, none of its credentials, the engine checks trust.
    other = resolve("https://127.0.0.1:1", None, {}, lambda: state)
    assert (other.up, other.ca_bundle, other.gateway) == (None, None, False)
    assert other.trust_check() is not None
    with pytest.raises(IdentityError, match=r"none is serving https://127\.0\.0\.1:1$"):
        other.callers().root(stack.landscape.account("vendor"))


def test_endpoint_from_the_environment(
    stack: Stack,
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(stack.ca_bundle))
    code, out, _ = run(["login", "bob", "--account", "prod"], capsys)
    assert code == 0
    assert identity_of(out, stack).endswith("/bob")


def test_endpoint_and_landscape_from_securecart_up(
    stack: Stack, up: UpState, capsys: pytest.CaptureFixture[str]
) -> None:
    assert resolve_landscape_dir(None) == DEFAULT_DIRECTORY
    assert resolve_landscape_dir(Path("elsewhere")) == Path("elsewhere")
    code, out, _ = run(["login", "carol", "--account", "prod"], capsys)
    assert code == 0
    assert "AWSReservedSSO_Admin_" in identity_of(out, stack)


# --------------------------------------------------------------------------- profiles


def test_profiles_names() -> None:
    names = [p.name for p in profiles.profiles_for(load_landscape())]
    assert names[:4] == [
        "alice-dev-DeveloperReadOnly",
        "alice-dev-DeveloperPowerUser",
        "alice-staging-DeveloperReadOnly",
        "alice-staging",  # the only set there: a short alias too
    ]
    assert "alice-dev" not in names  # two sets in dev: no alias, as login would refuse
    assert "bob-prod-SecurityAudit" in names and "bob-prod" in names
    assert len(names) == len(set(names))


def test_cli_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profiles, "_installed", lambda: False)
    command = profiles.cli_command()
    assert command[0] == "env" and command[1].startswith("PYTHONPATH=")
    assert command[2:] == [sys.executable, "-m", "harness.commands"]
    monkeypatch.setattr(profiles, "_installed", lambda: True)
    script = Path(sys.executable).parent / "securecart"
    expected = [str(script)] if script.exists() else [sys.executable, "-m", "harness.commands"]
    assert profiles.cli_command() == expected


def test_profiles_and_the_aws_cli(
    seeded: SeededLandscape,
    stack: Stack,
    endpoint: str,
    up: UpState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if aws is None:
        pytest.skip("the AWS CLI (a test dependency) is not installed")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["profiles"], capsys)  # the endpoint and CA of the running `up`
    config = tmp_path / ".securecart" / "aws-config"
    assert code == 0
    assert out == f"export AWS_CONFIG_FILE={config}\n"
    assert err.startswith(f"wrote 40 profiles to {config} (endpoint {endpoint})")
    text = config.read_text()
    assert "[profile alice-staging]" in text
    assert f"endpoint_url = {endpoint}" in text
    assert f"ca_bundle = {stack.ca_bundle}" in text
    assert f"--ca-bundle {stack.ca_bundle}" in text

    # Nothing of the developer's own AWS set-up: no credentials, no ~/.aws, no profile.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE="/dev/null", HOME=str(tmp_path)
    )
    dev, role = seeded.account_ids["dev"], seeded.provisioned_roles[("dev", "DeveloperReadOnly")]
    for profile in ("alice-dev-DeveloperReadOnly", "alice-staging"):
        done = subprocess.run(
            [aws, "sts", "get-caller-identity", "--profile", profile, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        arn = json.loads(done.stdout)["Arn"]
        assert arn.endswith("/alice")
        if profile.startswith("alice-dev"):
            assert arn == f"arn:aws:sts::{dev}:assumed-role/{role.rsplit('/', 1)[-1]}/alice"
    assert not (tmp_path / ".aws").exists()


def test_profiles_without_a_ca_bundle(landscape: Landscape) -> None:
    text = profiles.render_config(landscape, "http://127.0.0.1:5", command=["securecart"])
    assert "ca_bundle" not in text
    assert "--ca-bundle" not in text
    assert "endpoint_url = http://127.0.0.1:5" in text


def test_profiles_never_replace_a_foreign_file(
    endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "config"
    mine.write_text("[default]\nregion = eu-west-1\n")
    code, out, err = run(["profiles", "--endpoint", endpoint, "--output", str(mine)], capsys)
    assert (code, out) == (1, "")
    assert "was not written by securecart profiles" in err
    assert mine.read_text() == "[default]\nregion = eu-west-1\n"
    assert (
        run(["profiles", "--endpoint", endpoint, "--output", str(mine), "--force"], capsys)[0] == 0
    )
    # Once written by profiles, it may be written again without --force.
    assert run(["profiles", "--endpoint", endpoint, "--output", str(mine)], capsys)[0] == 0
