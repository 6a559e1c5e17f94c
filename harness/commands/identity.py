"""`securecart login | assume | profiles` — credentials as the landscape's people and workloads.

    securecart login USER --account NAME [--permission-set PS] [--no-mfa] [--saml]
    securecart assume ROLE --account NAME [--as PRINCIPAL] [--external-id X]
                      [--duration-seconds N] [--session-name NAME]
    securecart profiles [--output FILE] [--force]

Each also takes `--endpoint URL` (else AWS_ENDPOINT_URL, else the running `securecart up`),
`--ca-bundle FILE` for an HTTPS endpoint (else AWS_CA_BUNDLE, else the running `securecart up`'s)
and `--landscape DIR` (else the running `securecart up`'s, else fixtures/securecart).

What each finds on its own — the endpoint, the running `securecart up` and the credentials it
recorded, the CA bundle, the landscape — is harness.identity.discovery's.

Output: `login` and `assume` print the credential_process JSON on stdout and nothing else;
`login --saml` prints the SAML response instead; `profiles` prints `export AWS_CONFIG_FILE=…`
on stdout (so that `eval "$(securecart profiles)"` works) and what it wrote on stderr.
Exit 0 on success; 1 with `securecart <command>: <message>` on stderr when AWS would refuse, the
user has no such assignment, or no endpoint is known; 2 for usage errors (argparse).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.identity import AwsError, IdentityError
from harness.identity.discovery import load, resolve, resolve_landscape_dir
from harness.landscape.model import Landscape

EXIT_OK, EXIT_FAILED = 0, 1


# =========================================================================== the parsers


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = subparsers.add_parser(
        "login",
        help="sign in as a person through the emulated IdP; print credential_process JSON",
        description="Sign USER in at the emulated IdP (with MFA when enrolled), take the SAML "
        "assertion to STS AssumeRoleWithSAML for the Identity Center role of the assignment, "
        "and print the credentials as credential_process JSON.",
    )
    login.add_argument("user", metavar="USER", help="an Identity Center user (alice, bob, …)")
    login.add_argument("--account", required=True, metavar="NAME", help="account name")
    login.add_argument(
        "--permission-set", metavar="PS", help="needed when the user has several in the account"
    )
    login.add_argument(
        "--no-mfa", action="store_true", help="sign in with the password only (no MFA context)"
    )
    login.add_argument(
        "--saml",
        action="store_true",
        help="print the SAML response (and the ARNs to pass with it) instead of logging in",
    )
    _common(login)
    login.set_defaults(func=run_login)

    assume = subparsers.add_parser(
        "assume",
        help="credentials of a role as a workload, pipeline, vendor or service would get them",
        description="Call STS AssumeRole as PRINCIPAL, signing with the credentials the running "
        "securecart up recorded, and print the credentials as credential_process JSON. The "
        "endpoint decides the role's trust as AWS would (trust policy, the caller's policies "
        "and SCPs, external id, duration).",
    )
    assume.add_argument("role", metavar="ROLE", help="a role of the landscape")
    assume.add_argument("--account", required=True, metavar="NAME", help="the role's account")
    assume.add_argument(
        "--as",
        dest="as_",
        metavar="PRINCIPAL",
        help="who calls: ACCOUNT (its administrator: a member account's "
        "OrganizationAccountAccessRole, else its root user, whom AWS lets assume no role), "
        "ACCOUNT:ROLE (a session of that role) or a service principal; default: the service "
        "the role trusts, else the account's administrator",
    )
    assume.add_argument("--external-id", metavar="X", help="sts:ExternalId")
    assume.add_argument("--duration-seconds", type=int, metavar="N", help="DurationSeconds")
    assume.add_argument("--session-name", metavar="NAME", help="RoleSessionName")
    _common(assume)
    assume.set_defaults(func=run_assume)

    profiles = subparsers.add_parser(
        "profiles",
        help="write an AWS config file with a credential_process profile per assignment",
        description="Write an AWS config file with one profile per Identity Center assignment "
        "(alice-dev-DeveloperReadOnly, and alice-staging when the set is the only one), each "
        "running `securecart login` as its credential_process. Prints the export to use it.",
    )
    profiles.add_argument(
        "--output",
        type=Path,
        metavar="FILE",
        help=f"the file to write (default: ./{Path('.securecart') / 'aws-config'}; your "
        "~/.aws/config is only written when named here)",
    )
    profiles.add_argument(
        "--force", action="store_true", help="replace FILE even if securecart did not write it"
    )
    _common(profiles)
    profiles.set_defaults(func=run_profiles)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--endpoint",
        metavar="URL",
        help="the emulated AWS (default: AWS_ENDPOINT_URL, else the running securecart up)",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="CA bundle to verify an HTTPS endpoint with (default: AWS_CA_BUNDLE, else the "
        "running securecart up's)",
    )
    parser.add_argument(
        "--landscape",
        type=Path,
        metavar="DIR",
        help="the landscape directory (default: the running securecart up's, else "
        "fixtures/securecart)",
    )


# =========================================================================== the commands


def _fail(command: str, error: IdentityError) -> int:
    print(f"securecart {command}: {error}", file=sys.stderr)
    return EXIT_FAILED


def _print_json(document: Mapping[str, Any]) -> None:
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


def run_login(args: argparse.Namespace) -> int:
    from harness.identity.login import login, sign_in
    from harness.identity.saml import encode_response

    try:
        landscape = load(resolve_landscape_dir(args.landscape))
        if args.saml:
            target, _, assertion = sign_in(
                landscape, args.user, args.account, args.permission_set, use_mfa=not args.no_mfa
            )
            _print_json(
                {
                    "RoleArn": target.role_arn,
                    "PrincipalArn": target.provider_arn,
                    "SAMLAssertion": encode_response(assertion),
                    "MultiFactorAuthPresent": assertion.used_mfa,
                }
            )
            return EXIT_OK
        endpoint = resolve(args.endpoint, args.ca_bundle)
        result = login(
            landscape,
            endpoint.url,
            args.user,
            args.account,
            args.permission_set,
            use_mfa=not args.no_mfa,
            trust_check=endpoint.trust_check(),
            verify=endpoint.ca_bundle,
        )
    except IdentityError as error:
        return _fail("login", error)
    _print_json(result.credentials.process_output())
    return EXIT_OK


def run_assume(args: argparse.Namespace) -> int:
    from harness.identity.assume import assume

    landscape: Landscape | None = None
    try:
        landscape = load(resolve_landscape_dir(args.landscape))
        endpoint = resolve(args.endpoint, args.ca_bundle)
        result = assume(
            landscape,
            endpoint.url,
            args.role,
            args.account,
            as_=args.as_,
            external_id=args.external_id,
            duration=args.duration_seconds,
            session_name=args.session_name,
            callers=endpoint.callers(),
            trust_check=endpoint.trust_check(),
            verify=endpoint.ca_bundle,
        )
    except IdentityError as error:
        code = _fail("assume", error)
        if isinstance(error, AwsError) and error.code == "AccessDenied" and landscape:
            _hint(landscape, args.role, args.account, error, args.as_)
        return code
    _print_json(result.credentials.process_output())
    return EXIT_OK


def _hint(
    landscape: Landscape, role_name: str, account_name: str, error: AwsError, as_: str | None
) -> None:
    """After AWS's AccessDenied (which never says whom a role trusts), say it on a line of
    its own, in --as words; after "Roles may not be assumed by root accounts", which of the
    account's roles to act as instead."""
    from harness.identity.assume import ROOT_CANNOT_ASSUME, root_hint, trusted_principals

    if error.aws_message == ROOT_CANNOT_ASSUME:
        hint = root_hint(landscape, (as_ or account_name).partition(":")[0])
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return

    try:
        role = landscape.account(account_name).role(role_name)
    except KeyError:
        return
    named = trusted_principals(landscape, role)
    if named:
        print(
            f"hint: {role_name} trusts {', '.join(named)} (choose the caller with --as)",
            file=sys.stderr,
        )


def run_profiles(args: argparse.Namespace) -> int:
    from harness.identity.profiles import DEFAULT_OUTPUT, profiles_for, render_config, write_config

    try:
        landscape = load(resolve_landscape_dir(args.landscape))
        endpoint = resolve(args.endpoint, args.ca_bundle)
        text = render_config(landscape, endpoint.url, ca_bundle=endpoint.ca_bundle)
        path = write_config(args.output or DEFAULT_OUTPUT, text, force=args.force)
    except IdentityError as error:
        return _fail("profiles", error)
    written = profiles_for(landscape)
    example = f"; e.g. aws sts get-caller-identity --profile {written[0].name}" if written else ""
    print(
        f"wrote {len(written)} profiles to {path} (endpoint {endpoint.url}){example}",
        file=sys.stderr,
    )
    print(f"export AWS_CONFIG_FILE={shlex.quote(str(path))}")
    return EXIT_OK
