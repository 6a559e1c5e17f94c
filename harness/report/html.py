"""The auditors' report: one self-contained HTML file — living documentation of which controls
exist and that they hold.

Self-contained means no network at all: CSS, script and the matrix (SVG) are inline, and a
Content-Security-Policy forbids the page any fetch, so it reads the same from a CI artefact, an
e-mail attachment or an air-gapped laptop. Sections: summary, provenance, the features with
every call's decision (`harness.report.html_features`), the access matrix, policy-statement
coverage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from html import escape
from pathlib import Path

from harness.report.coverage import Coverage
from harness.report.html_features import feature_anchor, features_section
from harness.report.matrix import render_svg
from harness.report.model import ReportData
from harness.report.provenance import Provenance

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1d;background:#fafafa}
header{background:#263238;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
nav{padding:8px 24px;background:#eceff1;position:sticky;top:0;z-index:1}
nav a{margin-right:14px;color:#1a237e;text-decoration:none}
main{padding:0 24px 40px;max-width:1400px}
section>h2{border-bottom:2px solid #cfd8dc;padding-bottom:4px;margin-top:32px}
.counts span{display:inline-block;margin-right:16px;font-weight:600}
.passed{color:#2e7d32}.failed{color:#c62828}.skipped{color:#757575}.undefined{color:#ef6c00}
article.feature{background:#fff;border:1px solid #cfd8dc;border-radius:6px;padding:8px 16px;
margin:16px 0}article.feature.has-failures{border-left:6px solid #c62828}
.description{font-style:italic;color:#37474f;max-width:70em}
.uri,.nodeid{color:#78909c;font-size:12px;font-family:monospace}
.tag{background:#e3f2fd;color:#0d47a1;border-radius:3px;padding:0 5px;margin-right:4px;
font-size:12px}
section.scenario{border-top:1px solid #eceff1;padding:6px 0}
section.scenario h4{margin:8px 0 4px}
.outcome{font-size:12px;text-transform:uppercase;border:1px solid;border-radius:3px;
padding:0 4px}.duration{color:#90a4ae;font-size:12px;font-weight:normal}
ol.steps{list-style:none;padding-left:8px}ol.steps li{margin:4px 0}
.keyword{font-weight:700;color:#4527a0}.step .status{font-size:11px}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #cfd8dc;padding:2px 6px;
vertical-align:top;text-align:left}
table.calls{font-size:12px;margin-left:22px;background:#fcfcfc}
table.calls th{background:#eceff1}.resource{color:#607d8b;font-size:11px;word-break:break-all}
td.decision.allowed{color:#2e7d32;font-weight:600}
td.decision.explicitDeny,td.decision.implicitDeny,td.decision.refused{color:#c62828;
font-weight:600}.denied-by{font-weight:normal;color:#6d4c41}
.statement .sid{font-family:monospace;font-weight:700}.message{color:#6d4c41;font-size:11px}
pre{background:#263238;color:#eceff1;padding:6px 8px;border-radius:4px;overflow-x:auto;
font-size:12px}pre.step-error{background:#ffebee;color:#b71c1c}
.matrix-wrap{overflow-x:auto;background:#fff;border:1px solid #cfd8dc;padding:8px}
table.coverage td.decided{background:#e8f5e9}table.coverage td.matched{background:#fffde7}
table.coverage td.never{background:#ffebee}
body.only-failed section.scenario:not(.outcome-failed){display:none}
body.only-failed article.feature:not(.has-failures){display:none}
"""

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
    # mutation_coverage builds its tables with this module's helpers: imported here.
    from harness.report.mutation_coverage import MUTATION_STYLE, mutation_section

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


def page(title: str, *, header: str, nav: str, sections: list[str], script: str = "",
         style: str = "") -> str:
    """A whole self-contained page in the report's style: `header` under the title, `nav`,
    the sections, the script (no network: see CSP)."""
    heading = escape(title)
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{heading}</title><style>{STYLE}{style}</style></head><body>",
        f"<header><h1>{heading}</h1>{header}</header>",
        nav,
        "<main>",
        *sections,
        "</main>",
        f"<script>{script}</script>" if script else "",
        "</body></html>\n",
    ])


def write_html(data: ReportData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(data), encoding="utf-8")
    return path


def counts_html(counts: Mapping[str, int], total: int, *, label: str = "",
                element_id: str | None = "counts") -> str:
    """The scenario counts line; `label` (a backend's name) goes first."""
    ident = f' id="{escape(element_id)}"' if element_id else ""
    lead = f"<span>{escape(label)}:</span>" if label else ""
    return (f'<p class="counts"{ident}>{lead}<span>{total} scenarios</span>'
            f'<span class="passed">{counts.get("passed", 0)} passed</span>'
            f'<span class="failed">{counts.get("failed", 0)} failed</span>'
            f'<span class="skipped">{counts.get("skipped", 0)} skipped</span></p>')


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


def table(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>"


def grid(css_class: str, headers: list[str], rows: list[str]) -> str:
    """A table with a head row (`headers`, plain text) and `rows` (each a `<tr>…</tr>`)."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>' +
            "".join(rows) + "</tbody></table>")
