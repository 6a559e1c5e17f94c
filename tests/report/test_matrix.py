"""The access matrix: personas from caller ARNs, cells from decisions, drawn as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness.landscape.model import Landscape
from harness.report.decisions import CallDecision
from harness.report.matrix import account_of, build_matrix, persona, render_svg

from . import samples

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (samples.ALICE_DEV, "alice (DeveloperReadOnly)"),
        ("arn:aws:sts::666666666666:assumed-role/orders-processor/i-0abc", "orders-processor"),
        ("arn:aws:iam::666666666666:role/service/orders-api", "orders-api"),
        ("arn:aws:iam::777777777777:user/ci", "user ci"),
        ("arn:aws:iam::111111111111:root", "root"),
        ("arn:aws:sts::999999999999:federated-user/bob", "bob"),
        ("anonymous", "anonymous"),
        ("sns.amazonaws.com", "sns.amazonaws.com"),
        (None, "unknown caller"),
    ],
)
def test_personas(principal: str | None, expected: str) -> None:
    assert persona(principal) == expected


def test_accounts_by_landscape_name(landscape: Landscape) -> None:
    assert account_of(samples.ALICE_DEV, landscape) == "dev"
    assert account_of("arn:aws:iam::123456789012:root", landscape) == "123456789012"
    assert account_of("anonymous", landscape) == "—"


def test_cells_allowed_denied_mixed_untested(landscape: Landscape) -> None:
    refused = CallDecision.from_json({"decision": "refused", "principal": samples.ALICE_DEV,
                                      "service": "s3", "operation": "GetObject"})
    matrix = build_matrix([*samples.calls(), refused], landscape)
    assert matrix.personas == ["alice (DeveloperReadOnly)", "carol (Admin)", "root"]
    # Grouped by account in the landscape's order (management, …, dev, …, prod).
    assert [account for account, _ in matrix.columns] == [
        "management", "dev", "dev", "dev", "prod", "prod"]
    alice, carol = "alice (DeveloperReadOnly)", "carol (Admin)"
    assert matrix.cell(alice, "dev", "s3:ListBucket").state == "mixed"
    assert matrix.cell(alice, "dev", "s3:PutObject").state == "denied"
    assert matrix.cell(carol, "prod", "s3:DeleteBucket").state == "denied"
    assert matrix.cell("root", "management", "organizations:ListRoots").state == "allowed"
    assert matrix.cell(carol, "dev", "s3:PutObject").state == "untested"
    assert ("s3:GetObject" not in {action for _, action in matrix.columns})  # refused: left out


def test_the_svg_has_a_cell_per_persona_and_column(landscape: Landscape) -> None:
    matrix = build_matrix(samples.calls(), landscape)
    svg = ET.fromstring(render_svg(matrix))
    cells = [r for r in svg.iter(f"{SVG}rect") if "cell" in (r.get("class") or "")]
    assert len(cells) == len(matrix.personas) * len(matrix.columns)
    states = {(r.get("class") or "").split()[1] for r in cells}
    assert states == {"allowed", "denied", "mixed", "untested"}
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"carol (Admin)", "s3:DeleteBucket", "prod", "untested"} <= texts
    titles = [t.text or "" for t in svg.iter(f"{SVG}title")]
    assert any(t.startswith("carol (Admin) in prod: s3:DeleteBucket — denied (0 allowed, "
                            "1 denied)") for t in titles)


def test_names_are_escaped() -> None:
    call = CallDecision.from_json({"decision": "allowed", "principal": "<script>",
                                   "action": "s3:Get<&>"})
    svg = render_svg(build_matrix([call], None))
    ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg
