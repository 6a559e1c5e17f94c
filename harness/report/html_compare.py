"""The comparison page of a run on several backends: `REPORT/report.html` beside each backend's
own report (`REPORT/<backend>/report.html`).

Same style and the same rules as the auditors' report (`harness.report.html`: one file, no
network); the links to the backends' reports are relative, so the folder reads the same
wherever it is copied. Sections: the backends (counts, exit status, links), every scenario's
outcome on each backend — the differing ones first, marked as backend findings — the timings
and the provenance side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path

from harness.report.compare import NOT_RUN, BackendRun, Comparison, ScenarioRow
from harness.report.cucumber import slug
from harness.report.html import provenance_rows
from harness.report.html_features import feature_anchor
from harness.report.html_page import counts_html, grid, page
from harness.report.summary import Timings

STYLE = """
tr.differs>td{background:#fff3e0}
.finding{background:#c62828;color:#fff;border-radius:3px;padding:0 5px;font-size:12px;
white-space:nowrap}
td.shared{color:#37474f}
table.comparison{width:100%}table.comparison td a{color:inherit}
table.comparison .nodeid,table.comparison .message{overflow-wrap:anywhere}
table.comparison td:nth-child(n+4){min-width:12em;max-width:28em}
table.side-by-side td{overflow-wrap:anywhere;max-width:40em}
"""

TIMING_ROWS: tuple[tuple[str, str], ...] = (
    ("ready", "Ready (pytest start, collection, backend start and seed)"),
    ("backend_setup", "Backend start and seed"),
    ("scenarios", "Scenarios"),
    ("shutdown", "Shutdown"),
    ("reports", "Reports"),
    ("total", "Total"),
)


def render_comparison(comparison: Comparison, landscape_name: str) -> str:
    header = "".join(
        counts_html(run.counts(), len(run.scenarios), label=run.backend, element_id=None)
        for run in comparison.runs)
    nav = ("<nav>" + "".join(f'<a href="#{anchor}">{text}</a>' for anchor, text in (
        ("summary", "Summary"), ("scenarios", "Scenarios"), ("timings", "Timings"),
        ("provenance", "Provenance"))) + "</nav>")
    return page(
        f"Access-control scenarios on {len(comparison.runs)} backends — {landscape_name}",
        header=header, nav=nav, style=STYLE,
        sections=[_summary(comparison), _scenarios(comparison), _timings(comparison),
                  _provenance(comparison)],
    )


def write_comparison(comparison: Comparison, landscape_name: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_comparison(comparison, landscape_name), encoding="utf-8")
    return path


def _summary(comparison: Comparison) -> str:
    rows = []
    for run in comparison.runs:
        counts = run.counts()
        link = f"{run.report}/report.html"
        status = f"{run.status}{' (interrupted)' if run.interrupted else ''}"
        rows.append(
            f"<tr><th>{escape(run.backend)}</th><td>{len(run.scenarios)}</td>"
            f'<td class="passed">{counts["passed"]}</td><td class="failed">{counts["failed"]}'
            f'</td><td class="skipped">{counts["skipped"]}</td><td>{escape(status)}</td>'
            f'<td><a href="{escape(link)}">{escape(link)}</a></td></tr>')
    backends = grid("backends", ["Backend", "Scenarios", "Passed", "Failed", "Skipped",
                                 "Exit status", "Report"], rows)
    differences = comparison.differences
    if not differences:
        verdict = "<p>Every scenario has the same outcome on every backend.</p>"
    else:
        verdict = (f'<p><span class="finding">{len(differences)} backend finding'
                   f'{"s" if len(differences) > 1 else ""}</span> The same scenario on the same '
                   "landscape, through the same policy engine, went differently: each is a "
                   "finding about a backend (an emulator that answers unlike AWS, or lacks what "
                   "the scenario needs).</p><ul>" +
                   "".join(f'<li><a href="#{_anchor(row)}">{escape(row.name())}</a></li>'
                           for row in differences) + "</ul>")
    return '<section id="summary"><h2>Summary</h2>' + backends + verdict + "</section>"


def _scenarios(comparison: Comparison) -> str:
    runs = {run.backend: run for run in comparison.runs}
    rows = []
    for row in comparison.rows:
        mark = '<span class="finding">backend finding</span>' if row.differs else ""
        cells = "".join(_outcome_cell(row, runs[backend]) for backend in row.results)
        rows.append(
            f'<tr id="{_anchor(row)}" class="{"differs" if row.differs else "same"}">'
            f"<td>{mark}</td><td>{escape(row.feature)}</td><td>{escape(row.title)}"
            f'<div class="nodeid">{escape(row.nodeid)}</div></td>{cells}</tr>')
    return ('<section id="scenarios"><h2>Scenarios</h2><p>Each scenario\'s outcome on each '
            "backend, linked to that backend's report; the differing ones first.</p>" +
            grid("comparison", ["", "Feature", "Scenario", *comparison.backends], rows) +
            "</section>")


def _outcome_cell(row: ScenarioRow, run: BackendRun) -> str:
    outcome = row.outcome(run.backend)
    result = row.results.get(run.backend)
    css = outcome if outcome != NOT_RUN else "skipped"
    text = escape(outcome)
    if result is not None:
        link = f"{run.report}/report.html#{feature_anchor(result)}"
        text = f'<a href="{escape(link)}">{text}</a>'
    failure = row.failure(run.backend)
    message = f'<div class="message">{escape(failure)}</div>' if failure else ""
    return f'<td class="{css}">{text}{message}</td>'


def _timings(comparison: Comparison) -> str:
    rows: list[tuple[str, list[str]]] = [
        (label, [_seconds(run.timings, name) for run in comparison.runs])
        for name, label in TIMING_ROWS]
    rows.append(("AWS calls", [f"{run.timings.calls} ({run.timings.denied} denied)"
                               if run.timings is not None else "—"
                               for run in comparison.runs]))
    return ('<section id="timings"><h2>Timings</h2>' +
            _side_by_side(comparison.backends, rows, merge=False) + "</section>")


def _provenance(comparison: Comparison) -> str:
    labels: list[str] = []
    values: list[dict[str, str]] = []
    for run in comparison.runs:
        found = dict(provenance_rows(run.provenance)) if run.provenance is not None else {}
        labels += [label for label in found if label not in labels]
        values.append(found)
    rows = [(label, [found.get(label, "—") for found in values]) for label in labels]
    return ('<section id="provenance"><h2>Provenance</h2><p>What each backend\'s run proved '
            "from; a value the runs share spans the columns.</p>" +
            _side_by_side(comparison.backends, rows, merge=True) + "</section>")


def _side_by_side(backends: Sequence[str], rows: list[tuple[str, list[str]]],
                  merge: bool) -> str:
    """A row per label, a column per backend; with `merge`, a value every backend shares is
    one cell across the columns."""
    body = []
    for label, cells in rows:
        if merge and len(set(cells)) == 1 and len(cells) > 1:
            tds = f'<td class="shared" colspan="{len(cells)}">{escape(cells[0])}</td>'
        else:
            tds = "".join(f"<td>{escape(cell)}</td>" for cell in cells)
        body.append(f"<tr><th>{escape(label)}</th>{tds}</tr>")
    return grid("side-by-side", ["", *backends], body)


def _seconds(timings: Timings | None, name: str) -> str:
    if timings is None:
        return "—"
    value = getattr(timings, name)
    return f"{value:.1f} s" if isinstance(value, float) else "—"


def _anchor(row: ScenarioRow) -> str:
    return "scenario-" + (slug(row.nodeid) or "unnamed")
