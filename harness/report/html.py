"""The auditors' report: one self-contained HTML file — living documentation of which controls
exist and that they hold.

Self-contained means no network at all: CSS, script and the matrix (SVG) are inline, and a
Content-Security-Policy forbids the page any fetch, so it reads the same from a CI artefact, an
e-mail attachment or an air-gapped laptop (the page: `harness.report.html_page`). Sections:
summary, provenance, the features with every call's decision (`harness.report.html_features`),
the access matrix, policy-statement coverage, mutation coverage
(`harness.report.mutation_coverage`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from html import escape
from pathlib import Path

from harness.report.coverage import Coverage
from harness.report.html_features import feature_anchor, features_section
from harness.report.html_page import counts_html, grid, page, table
from harness.report.matrix import render_svg
from harness.report.model import ReportData
from harness.report.mutation_coverage import MUTATION_STYLE, mutation_section
from harness.report.provenance import Provenance

SCRIPT = """
(function(){
  var box=document.getElementById('only-failed');
  box.addEventListener('change',function(){
    document.body.classList.toggle('only-failed',box.checked);});
  var open=document.getElementById('open-statements');
  open.addEventListener('click',function(){
    document.querySelectorAll('.statement details').forEach(function(d){d.open=!d.open;});});
  var n=document.querySelectorAll('section.scenario').length;
  document.getElementById('rendered').textContent='Rendered '+n+' scenarios.';
})();
"""


def render_html(data: ReportData) -> str:
    counts: Counter[str] = Counter(s.outcome for s in data.scenarios)
    return page(
        data.title,
        header=counts_html(counts, len(data.scenarios)),
        nav=_nav(data),
        sections=[_summary(data, counts), _provenance(data), features_section(data),
                  _matrix(data), _coverage(data.coverage), mutation_section(data.mutation)],
        script=SCRIPT,
        style=MUTATION_STYLE,
    )


def write_html(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path


def _nav(data: ReportData) -> str:
    links = ['<a href="#summary">Summary</a>', '<a href="#provenance">Provenance</a>',
             '<a href="#features">Features</a>', '<a href="#matrix">Access matrix</a>',
             '<a href="#coverage">Coverage</a>', '<a href="#mutation">Mutation</a>']
    return ("<nav>" + "".join(links) +
            '<label><input type="checkbox" id="only-failed"> only failed scenarios</label> '
            '<button type="button" id="open-statements">show/hide statements</button></nav>')


def _summary(data: ReportData, counts: Mapping[str, int]) -> str:
    calls = data.log.records
    decisions = Counter(call.decision for call in calls)
    rows = [
        ("Scenarios", f"{len(data.scenarios)}: {counts.get('passed', 0)} passed, "
                      f"{counts.get('failed', 0)} failed, {counts.get('skipped', 0)} skipped"),
        ("AWS calls", f"{len(calls)}: {decisions['allowed']} allowed, "
                      f"{decisions['explicitDeny']} denied explicitly, "
                      f"{decisions['implicitDeny']} denied implicitly, "
                      f"{decisions['refused']} refused"),
    ]
    if data.unassigned_calls:
        rows.append(("Calls outside scenarios", str(data.unassigned_calls)))
    if data.log.unreadable:
        rows.append(("Unreadable log lines", str(data.log.unreadable)))
    if data.timings is not None:
        rows.append(("Time", data.timings.line()))
    failed = [s for s in data.scenarios if s.outcome == "failed"]
    listing = ""
    if failed:
        listing = "<h3>Failed scenarios</h3><ul>" + "".join(
            f'<li><a href="#{feature_anchor(s)}">{escape(s.feature.name)} › '
            f"{escape(s.title)}</a></li>" for s in failed) + "</ul>"
    return ('<section id="summary"><h2>Summary</h2>' + table(rows) + listing +
            '<p id="rendered" class="note"></p></section>')


def _provenance(data: ReportData) -> str:
    return ('<section id="provenance"><h2>Provenance</h2>' +
            table(provenance_rows(data.provenance)) + "</section>")


def provenance_rows(p: Provenance) -> list[tuple[str, str]]:
    if p.git is None:
        revision = "not in a git repository"
    else:
        revision = p.git.revision + (" (with uncommitted changes)" if p.git.dirty else " (clean)")
    rows = [
        ("Landscape", f"{p.landscape_name} — {p.landscape}"),
        ("Landscape revision", revision),
        ("Features", p.features or "—"),
        ("Tags", p.tags or "all"),
        ("Backend", f"{p.backend} — {p.backend_detail}" if p.backend_detail else p.backend),
        ("Versions", ", ".join(f"{name} {version}" for name, version in p.versions.items())),
        ("Python", f"{p.python} on {p.platform}"),
        ("Workers", str(p.workers) if p.workers else "1 (no xdist)"),
        ("Started", p.started),
        ("Finished", p.finished),
    ]
    if p.command:
        rows.append(("Command", " ".join(p.command)))
    return rows


def _matrix(data: ReportData) -> str:
    if not data.matrix.cells:
        body = "<p>No AWS call was decided in this run.</p>"
    else:
        body = f'<div class="matrix-wrap">{render_svg(data.matrix)}</div>'
    return ('<section id="matrix"><h2>Access matrix</h2><p>Persona × account × action, as '
            "observed: green allowed, red denied, amber both (depending on the resource or "
            "the request), grey not tried.</p>" + body + "</section>")


def _coverage(coverage: Coverage | None) -> str:
    if coverage is None:
        return ('<section id="coverage"><h2>Policy-statement coverage</h2>'
                "<p>No landscape was given.</p></section>")
    head = (f"<p>{coverage.total} statements in {len(coverage.policies)} policies: "
            f'<span class="passed">{coverage.count("decided")} decided at least one call</span>, '
            f'{coverage.count("matched")} matched only, '
            f'<span class="failed">{coverage.count("never")} never exercised</span>.</p>')
    rows = []
    for policy in coverage.policies:
        for number, statement in enumerate(policy.statements):
            policy_cells = ""
            if number == 0:
                span = len(policy.statements)
                policy_cells = (f'<td rowspan="{span}">{escape(policy.label)}</td>'
                                f'<td rowspan="{span}"><code>{escape(policy.file)}</code></td>')
            rows.append(
                f"<tr>{policy_cells}<td><code>{escape(statement.statement)}</code></td>"
                f"<td>{escape(statement.effect)}</td>"
                f'<td class="{statement.status}">{_coverage_words(statement.status)}</td>'
                f"<td>{statement.decided}</td><td>{statement.matched}</td></tr>")
    statements = grid("coverage", ["Policy", "File", "Statement", "Effect", "Coverage",
                                   "Decided", "Matched"], rows)
    outside = ""
    if coverage.outside:
        outside = ("<h3>Statements outside the landscape that decided calls</h3>" + table(
            [(title, f"{count} calls") for title, count in coverage.outside]))
    return ('<section id="coverage"><h2>Policy-statement coverage</h2>' + head + statements +
            outside + "</section>")


def _coverage_words(status: str) -> str:
    return {"decided": "decided", "matched": "matched only",
            "never": "never exercised"}.get(status, status)
