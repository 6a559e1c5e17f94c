"""A landscape directory (YAML + policy JSON) → the validated model of `harness.landscape.model`.

    landscape = load_landscape("fixtures/securecart")     # or raises InvalidLandscape
    errors = validate_landscape("fixtures/securecart")    # () when valid

The loader reads every file, collects every problem it finds — with file, place and words —
and raises them together, sorted. The format is described in docs/landscape.md. This module
puts the reading in order; each part has its module:

- `yaml_reading` reads a YAML file into a `nodes.Node` (typed fields, errors in place);
- `landscape_file`, `organization`, `accounts` (with `roles`, `resources`) and
  `identity_center` read the files of the directory (`layout`) in that order, the later ones
  against the `context` organization.yaml sets;
- `policies` reads the policy files, resolves their `placeholders` and has the engine
  (`harness.iam.parse`) validate them;
- `references` and `principals` check what points across files, once everything is read.
"""

from __future__ import annotations

import os
from pathlib import Path

from harness.landscape.accounts import (
    account_models,
    boundary_uses,
    load_managed_policies,
    read_account_files,
)
from harness.landscape.context import Context
from harness.landscape.errors import ErrorSink, InvalidLandscape, LandscapeError
from harness.landscape.identity_center import read_identity_center
from harness.landscape.landscape_file import read_landscape_file
from harness.landscape.layout import ACCOUNTS_DIR as ACCOUNTS_DIR
from harness.landscape.layout import DEFAULT_DIRECTORY
from harness.landscape.layout import IDENTITY_CENTER_FILE as IDENTITY_CENTER_FILE
from harness.landscape.layout import LANDSCAPE_FILE as LANDSCAPE_FILE
from harness.landscape.layout import ORGANIZATION_FILE as ORGANIZATION_FILE
from harness.landscape.model import IdentityCenter, Landscape
from harness.landscape.names import AWS_MANAGED_POLICY_PREFIX as AWS_MANAGED_POLICY_PREFIX
from harness.landscape.organization import organization_model, read_scps, read_tree
from harness.landscape.placeholders import PlaceholderValues
from harness.landscape.policies import Policies
from harness.landscape.principals import KNOWN_SERVICE_PRINCIPALS, check_principals
from harness.landscape.references import check_identity_center_policies, check_resources
from harness.landscape.wording import display
from harness.landscape.yaml_reading import read_yaml

__all__ = ["DEFAULT_DIRECTORY", "KNOWN_SERVICE_PRINCIPALS", "load_landscape", "validate_landscape"]


def load_landscape(directory: str | os.PathLike[str] | None = None) -> Landscape:
    """Read and validate a landscape; raise `InvalidLandscape` with every error found."""
    sink = ErrorSink()
    landscape = _load(Path(directory) if directory is not None else DEFAULT_DIRECTORY, sink)
    if len(sink) or landscape is None:
        raise InvalidLandscape(sink.errors)
    return landscape


def validate_landscape(
    directory: str | os.PathLike[str] | None = None,
) -> tuple[LandscapeError, ...]:
    """Every error of a landscape, sorted; () when it is valid."""
    try:
        load_landscape(directory)
    except InvalidLandscape as invalid:
        return invalid.errors
    return ()


def _load(directory: Path, sink: ErrorSink) -> Landscape | None:
    """The landscape in `directory`, or None when `sink` has errors."""
    if not directory.is_dir():
        sink.add(display(directory), "", "not a directory")
        return None
    top = read_yaml(directory, LANDSCAPE_FILE, sink)
    org = read_yaml(directory, ORGANIZATION_FILE, sink)
    # Optional: an organisation without Identity Center has no such file.
    has_ic = (directory / IDENTITY_CENTER_FILE).exists()
    ic = read_yaml(directory, IDENTITY_CENTER_FILE, sink) if has_ic else None
    if top is None or org is None or (has_ic and ic is None):
        return None

    name, description, regions, service_principals = read_landscape_file(top)
    accounts, ous, management = read_tree(org)
    names = PlaceholderValues(
        account_ids={entry.name: entry.account_id for entry in accounts},
        member_ids=tuple(entry.account_id for entry in accounts if entry.parent is not None),
        home_region=regions.home,
        allowed_regions=regions.allowed,
    )
    context = Context(
        directory=directory,
        sink=sink,
        policies=Policies(directory, sink, names),
        regions=regions,
        accounts={entry.name: entry for entry in accounts},
        ous={entry.name: entry for entry in ous},
        service_principals=service_principals,
    )

    scps = read_scps(org, context)
    contents = read_account_files(context)
    identity_center = (read_identity_center(ic, context) if ic is not None
                       else IdentityCenter(None, (), (), (), ()))
    check_resources(contents)
    boundaries = boundary_uses(contents, identity_center)
    managed = load_managed_policies(contents, boundaries, context)
    if ic is not None:
        check_identity_center_policies(ic, identity_center, managed, context)
    roles = {account: content.roles for account, content in contents.items()}
    check_principals(roles, identity_center, context)

    if len(sink):
        return None
    return Landscape(
        name=name,
        description=description,
        directory=directory,
        regions=regions,
        organization=organization_model(accounts, ous, management),
        accounts=account_models(accounts, contents, managed),
        scps=scps,
        identity_center=identity_center,
    )
