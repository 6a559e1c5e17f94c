"""The report's pages and their parts: one self-contained page in the report's style (`page`:
CSS and script inline, and a Content-Security-Policy that forbids any fetch), the scenario
counts line, and tables. The auditors' report (`harness.report.html`), its mutation section and
the comparison page (`harness.report.html_compare`) are built of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

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


def counts_html(counts: Mapping[str, int], total: int, *, label: str = "",
                element_id: str | None = "counts") -> str:
    """The scenario counts line; `label` (a backend's name) goes first."""
    ident = f' id="{escape(element_id)}"' if element_id else ""
    lead = f"<span>{escape(label)}:</span>" if label else ""
    return (f'<p class="counts"{ident}>{lead}<span>{total} scenarios</span>'
            f'<span class="passed">{counts.get("passed", 0)} passed</span>'
            f'<span class="failed">{counts.get("failed", 0)} failed</span>'
            f'<span class="skipped">{counts.get("skipped", 0)} skipped</span></p>')


def table(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>"


def grid(css_class: str, headers: list[str], rows: list[str]) -> str:
    """A table with a head row (`headers`, plain text) and `rows` (each a `<tr>…</tr>`)."""
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>' +
            "".join(rows) + "</tbody></table>")
