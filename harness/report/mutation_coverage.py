"""The mutation analysis (`securecart mutate`, REPORT/mutation.json) as a section of the HTML
report: the totals, then a table per control (policy file) with each mutant — its statement,
what was changed, killed / survived / error, and why (the scenarios that failed, or ran and
passed, or none exercising the policy).

    section = mutation_section(json.loads((report / "mutation.json").read_text()))

The section's id is `mutation`; it uses the report's own table helpers and classes (`passed`,
`failed`, `skipped` colour the statuses), plus `MUTATION_STYLE` for the page's <style>.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from harness.report.html_page import grid, table

MUTATION_JSON = "mutation.json"
"""What `securecart mutate` writes into its report folder."""
SECTION_ID = "mutation"
MUTATION_STYLE = (
    "table.mutation td.killed{background:#e8f5e9}table.mutation td.survived{background:#ffebee}"
    "table.mutation td.error{background:#fff3e0}table.mutation .why{font-size:12px;color:#455a64}"
)
_STATUS_CLASS = {"killed": "passed", "survived": "failed", "error": "skipped"}


def read_mutation(path: Path) -> dict[str, Any] | None:
    """mutation.json when it exists (None otherwise)."""
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def mutation_section(data: dict[str, Any] | None) -> str:
    heading = f'<section id="{SECTION_ID}"><h2>Mutation coverage</h2>'
    if data is None:
        return heading + "<p>No mutation analysis was run (<code>securecart mutate</code>).</p>" \
            "</section>"
    totals = data["totals"]
    intro = (
        "<p>Each statement of each policy was removed, and each condition dropped, in a copy of "
        "the landscape; the scenarios that exercise the policy were run against it. A "
        '<span class="passed">killed</span> mutant made a scenario fail; a '
        '<span class="failed">survivor</span> is a change to a control that no scenario '
        "notices; an accepted one has a reviewed reason in the landscape's "
        "<code>analysis/survivors.yaml</code>.</p>"
    )
    summary = table([
        ("Mutants", f"{totals['total']}: {totals['killed']} killed, {totals['survived']} "
                    f"survived ({totals.get('accepted', 0)} accepted with a reason), "
                    f"{totals['error']} errors"),
        ("Survival rate", _percent(totals.get("survival_rate"))),
        ("Policies", str(len(data.get("controls", [])))),
        ("Time", f"{data.get('seconds', 0)} s"),
    ])
    parts = [heading, intro, summary, _overview(data)]
    for control in data.get("controls", []):
        parts.append(_control(control))
    parts.append("</section>")
    return "".join(parts)


def _overview(data: dict[str, Any]) -> str:
    rows = []
    for control in data.get("controls", []):
        rows.append(
            f"<tr><td>{escape(control['label'])}</td><td><code>{escape(control['file'])}"
            f"</code></td><td>{control['scenarios']}</td><td>{control['killed']}</td>"
            f"<td>{control['survived']}</td><td>{control['error']}</td>"
            f"<td>{escape(_percent(control.get('survival_rate')))}</td></tr>")
    return grid("mutation", ["Policy", "File", "Scenarios exercising it", "Killed", "Survived",
                             "Errors", "Survival rate"], rows)


def _control(control: dict[str, Any]) -> str:
    rows = []
    for mutant in control.get("mutants", []):
        status = str(mutant["status"])
        accepted = mutant.get("accepted")
        shown = "survived, accepted" if accepted else status
        rows.append(
            f"<tr><td><code>{escape(str(mutant['statement']))}</code></td>"
            f"<td>{escape(str(mutant['change']))}</td>"
            f'<td class="{escape(status)}"><span class="{_STATUS_CLASS.get(status, "")}">'
            f"{escape(shown)}</span></td><td>{escape(str(mutant['reason']))}"
            f"{_accepted(accepted)}{_why(mutant)}</td></tr>")
    uses = control.get("uses") or [control["label"]]
    return (f"<h3>{escape(control['label'])}</h3>"
            f'<p class="uri">{escape(control["file"])} — {escape(", ".join(uses))}</p>' +
            grid("mutation", ["Statement", "Mutant", "Status", "Why"], rows))


def _accepted(accepted: dict[str, str] | None) -> str:
    if not accepted:
        return ""
    return (f'<p class="why">Accepted: {escape(accepted["reason"])} (owner: '
            f'{escape(accepted["owner"])})</p>')


def _why(mutant: dict[str, Any]) -> str:
    """The scenarios behind the verdict: those that failed, else those that ran and passed."""
    names: list[str] = list(mutant.get("failed") or [])
    if not names and mutant["status"] == "survived":
        names = list(mutant.get("scenarios") or [])
    if not names:
        return ""
    messages: dict[str, str] = mutant.get("messages") or {}
    items = "".join(
        f"<li>{escape(name)}" + (f" — {escape(messages[name])}" if messages.get(name) else "")
        + "</li>" for name in names)
    return f'<ul class="why">{items}</ul>'


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"
