"""The access matrix: who (persona) may do what (capability: the IAM action) where (account),
as the run observed it — drawn as an SVG grid for the HTML report.

A persona is read from the caller's ARN: an Identity Center session is "alice (DeveloperReadOnly)",
another role session is its role, a user is "user NAME". The account is the caller's own (where
the persona signed in); the columns are grouped by it. A cell is green when every call was
allowed, red when every call was denied, amber when both happened (the resource or the request's
conditions made the difference), grey when no scenario tried it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Literal

from harness.landscape.model import Landscape
from harness.report.decisions import CallDecision

State = Literal["allowed", "denied", "mixed", "untested"]
COLOURS: dict[State, str] = {
    "allowed": "#2e7d32",
    "denied": "#c62828",
    "mixed": "#f9a825",
    "untested": "#e0e0e0",
}
SSO_PREFIX = "AWSReservedSSO_"
CELL, ROW_LABEL, BAND = 18, 230, 16
CHAR = 6.2  # width of a character of the 11px labels, near enough to lay them out
SIN_70, COS_70 = 0.94, 0.34
LEGEND_WIDTH = 460
BAND_SHADES = ("#cfd8dc", "#eceff1")


@dataclass(slots=True)
class Cell:
    allowed: int = 0
    denied: int = 0

    @property
    def state(self) -> State:
        if self.allowed and self.denied:
            return "mixed"
        if self.allowed:
            return "allowed"
        return "denied" if self.denied else "untested"


@dataclass(slots=True)
class AccessMatrix:
    personas: list[str] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)
    """(account, action), grouped by account."""
    cells: dict[tuple[str, str, str], Cell] = field(default_factory=dict)

    def cell(self, persona: str, account: str, action: str) -> Cell:
        return self.cells.get((persona, account, action), Cell())


def persona(principal: str | None) -> str:
    """A readable name for a caller ARN (or "anonymous", or a service principal)."""
    if not principal:
        return "unknown caller"
    if not principal.startswith("arn:"):
        return principal
    resource = principal.split(":", 5)[5] if principal.count(":") >= 5 else principal
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        role, _, session = rest.partition("/")
        if role.startswith(SSO_PREFIX):
            permission_set = role.removeprefix(SSO_PREFIX).rsplit("_", 1)[0]
            return f"{session} ({permission_set})"
        return role
    if kind == "role":
        return rest.rsplit("/", 1)[-1]
    if kind == "user":
        return f"user {rest.rsplit('/', 1)[-1]}"
    if kind == "federated-user":
        return rest
    if resource == "root":
        return "root"
    return resource


def account_of(principal: str | None, landscape: Landscape | None) -> str:
    """The caller's account, by its landscape name where there is one."""
    if not principal or not principal.startswith("arn:") or principal.count(":") < 5:
        return "—"
    account_id = principal.split(":", 5)[4]
    if not account_id:
        return "—"
    if landscape is not None:
        try:
            return landscape.account_by_id(account_id).name
        except KeyError:
            pass
    return account_id


def build_matrix(calls: list[CallDecision], landscape: Landscape | None) -> AccessMatrix:
    """Decided calls only: a refused request (bad signature, unknown operation) says nothing
    about what a persona may do."""
    matrix = AccessMatrix()
    account_order = {a.name: i for i, a in enumerate(landscape.accounts)} if landscape else {}
    for call in calls:
        if call.decision == "refused" or not call.action:
            continue
        who, where = persona(call.principal), account_of(call.principal, landscape)
        cell = matrix.cells.setdefault((who, where, call.action), Cell())
        if call.allowed:
            cell.allowed += 1
        else:
            cell.denied += 1
    matrix.personas = sorted({who for who, _, _ in matrix.cells})
    matrix.columns = sorted(
        {(where, action) for _, where, action in matrix.cells},
        key=lambda c: (account_order.get(c[0], len(account_order)), c[0], c[1]),
    )
    return matrix


def render_svg(matrix: AccessMatrix) -> str:
    """The grid: persona rows, account × action columns (actions written upwards above an
    account band), a <title> per cell with its counts, and a legend."""
    longest = max((len(action) for _, action in matrix.columns), default=10)
    label_height = int(longest * CHAR * SIN_70) + 10
    header = label_height + BAND + 4
    grid_width = CELL * max(len(matrix.columns), 1)
    # Rotated labels lean right, past the last column.
    width = max(ROW_LABEL + grid_width + int(longest * CHAR * COS_70) + 10, LEGEND_WIDTH)
    height = header + CELL * max(len(matrix.personas), 1) + 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="access matrix: persona by account and action">',
        '<style>text{font:11px sans-serif;fill:#222}.acct{font-weight:bold}</style>',
    ]
    for column, (_, action) in enumerate(matrix.columns):
        x = ROW_LABEL + column * CELL + CELL / 2 + 3
        parts.append(f'<text transform="translate({x:.0f},{label_height}) rotate(-70)">'
                     f"{escape(action)}</text>")
    parts += _account_bands(matrix, label_height + 2)
    for row, who in enumerate(matrix.personas):
        y = header + row * CELL
        parts.append(f'<text x="{ROW_LABEL - 6}" y="{y + CELL - 5}" text-anchor="end">'
                     f"{escape(who)}</text>")
        for column, (where, action) in enumerate(matrix.columns):
            cell = matrix.cell(who, where, action)
            x = ROW_LABEL + column * CELL
            tip = (f"{who} in {where}: {action} — {cell.state}"
                   f" ({cell.allowed} allowed, {cell.denied} denied)")
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL - 2}" height="{CELL - 2}" '
                f'fill="{COLOURS[cell.state]}" class="cell {cell.state}">'
                f"<title>{escape(tip)}</title></rect>")
    parts += _legend(height - 22)
    parts.append("</svg>")
    return "".join(parts)


def _account_bands(matrix: AccessMatrix, y: int) -> list[str]:
    """A shaded band per account over its columns, named (shortened when the band is too
    narrow for the name; the full name is the band's tooltip)."""
    parts: list[str] = []
    start, shade = 0, 0
    for index in range(1, len(matrix.columns) + 1):
        if index == len(matrix.columns) or matrix.columns[index][0] != matrix.columns[start][0]:
            name = matrix.columns[start][0]
            x = ROW_LABEL + start * CELL
            span = (index - start) * CELL - 2
            fits = max(int(span / CHAR), 1)
            text = name if len(name) <= fits else name[: max(fits - 1, 1)] + "…"
            parts.append(f'<rect x="{x}" y="{y}" width="{span}" height="{BAND}" '
                         f'fill="{BAND_SHADES[shade % 2]}"><title>{escape(name)}</title></rect>')
            parts.append(f'<text class="acct" x="{x + 2}" y="{y + BAND - 4}">'
                         f"{escape(text)}</text>")
            start, shade = index, shade + 1
    return parts


def _legend(y: int) -> list[str]:
    parts = []
    for position, state in enumerate(COLOURS):
        x = 10 + position * 110
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[state]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 10}">{state}</text>')
    return parts
