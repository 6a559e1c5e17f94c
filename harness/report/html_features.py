"""The features part of the HTML report: each feature as prose, each scenario with its steps and
outcome, and under each step the AWS calls it made — the decision, and the policy statement
that decided it, shown as written in its fixture file."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from itertools import groupby

from harness.report.cucumber import slug
from harness.report.decisions import CallDecision, StatementRef, calls_by_step
from harness.report.matrix import account_of, persona
from harness.report.model import ReportData
from harness.report.records import ScenarioResult, StepResult
from harness.report.summary import MARKS

DECISION_WORDS = {
    "allowed": "allowed",
    "explicitDeny": "denied (explicit)",
    "implicitDeny": "denied (implicit)",
    "refused": "refused",
}


def features_section(data: ReportData) -> str:
    parts = ['<section id="features"><h2>Features</h2>']
    for _uri, group in groupby(data.scenarios, key=lambda s: s.feature.uri):
        parts.append(_feature(list(group), data))
    parts.append("</section>")
    return "".join(parts)


def feature_anchor(scenario: ScenarioResult) -> str:
    return "feature-" + (slug(scenario.feature.uri) or "unnamed")


def _feature(scenarios: list[ScenarioResult], data: ReportData) -> str:
    feature = scenarios[0].feature
    failed = any(s.outcome == "failed" for s in scenarios)
    parts = [
        f'<article class="feature{" has-failures" if failed else ""}" '
        f'id="{feature_anchor(scenarios[0])}">',
        f"<h3>{escape(feature.keyword)}: {escape(feature.name)}</h3>",
        _tags(feature.tags),
        f'<p class="uri">{escape(feature.uri)}</p>',
    ]
    parts += [f'<p class="description">{escape(paragraph)}</p>'
              for paragraph in _paragraphs(feature.description)]
    parts += [_scenario(scenario, data) for scenario in scenarios]
    parts.append("</article>")
    return "".join(parts)


def _scenario(scenario: ScenarioResult, data: ReportData) -> str:
    calls = data.calls.get(scenario.nodeid, [])
    per_step, outside = calls_by_step(scenario, calls)
    seconds = scenario.setup_duration + scenario.call_duration
    parts = [
        f'<section class="scenario outcome-{scenario.outcome}" '
        f'data-outcome="{scenario.outcome}">',
        f'<h4><span class="mark {scenario.outcome}">{MARKS.get(scenario.outcome, "?")}</span> '
        f"{escape(scenario.keyword)}: {escape(scenario.name)}"
        f' <span class="outcome {scenario.outcome}">{scenario.outcome}</span>'
        f' <span class="duration">{seconds:.2f} s</span></h4>',
    ]
    if scenario.example:
        cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
                        for k, v in scenario.example.items())
        parts.append(f'<table class="example"><caption>Example</caption>{cells}</table>')
    parts.append(_tags(scenario.tags))
    if scenario.description:
        parts.append(f'<p class="description">{escape(scenario.description)}</p>')
    if outside:
        parts.append('<p class="note">Calls before the first step:</p>' + _calls(outside, data))
    parts.append('<ol class="steps">')
    parts += [_step(step, per_step.get(index, []), data)
              for index, step in enumerate(scenario.steps)]
    parts.append("</ol>")
    if scenario.outcome == "failed" and scenario.error:
        parts.append('<details class="error"><summary>pytest output</summary>'
                     f"<pre>{escape(scenario.error)}</pre></details>")
    parts.append(f'<p class="nodeid">{escape(scenario.nodeid)}</p></section>')
    return "".join(parts)


def _step(step: StepResult, calls: list[CallDecision], data: ReportData) -> str:
    parts = [
        f'<li class="step step-{step.status}">'
        f'<span class="mark {step.status}">{_step_mark(step.status)}</span> '
        f'<span class="keyword">{escape(step.keyword.strip())}</span> {escape(step.name)}'
        f' <span class="status {step.status}">{step.status}</span>',
    ]
    if step.started is not None:
        parts.append(f' <span class="duration">{step.duration:.2f} s</span>')
    if step.rows:
        rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                       for row in step.rows)
        parts.append(f'<table class="datatable">{rows}</table>')
    if step.docstring:
        parts.append(f'<pre class="docstring">{escape(step.docstring)}</pre>')
    if step.error:
        parts.append(f'<pre class="step-error">{escape(step.error)}</pre>')
    if calls:
        parts.append(_calls(calls, data))
    parts.append("</li>")
    return "".join(parts)


def _calls(calls: list[CallDecision], data: ReportData) -> str:
    landscape = data.policy_map.landscape if data.policy_map else None
    rows = []
    for call in calls:
        who = f"{persona(call.principal)} @ {account_of(call.principal, landscape)}"
        deciding = "".join(_statement(ref, data) for ref in call.deciding)
        if not deciding:
            deciding = f'<span class="none">{escape(_no_statement(call))}</span>'
        message = (f'<div class="message">{escape(call.message)}</div>'
                   if call.message and not call.allowed else "")
        rows.append(
            f'<tr class="call call-{call.decision}"><td>{escape(who)}</td>'
            f'<td><code>{escape(call.what)}</code><div class="resource">'
            f'{escape(call.resource or "")}</div></td>'
            f'<td class="decision {call.decision}">'
            f'{escape(DECISION_WORDS.get(call.decision, call.decision))}'
            f'{_denied_by(call)}</td><td>{deciding}{message}</td></tr>')
    return ('<table class="calls"><thead><tr><th>Caller</th><th>Request</th><th>Decision</th>'
            '<th>Deciding statement</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _statement(ref: StatementRef, data: ReportData) -> str:
    if data.policy_map is None:
        return (f'<div class="statement"><span class="sid">{escape(ref.statement)}</span> of '
                f"{escape(ref.policy)} ({escape(ref.effect)})</div>")
    source = data.policy_map.resolve(ref)
    head = (f'<span class="policy">{escape(source.label)}</span> › '
            f'<span class="sid">{escape(source.statement)}</span> ({escape(ref.effect)})')
    if source.excerpt is None:
        return f'<div class="statement">{head}</div>'
    where = escape(source.file or "") + (f":{source.line}" if source.line else "")
    return (f'<div class="statement">{head}<details><summary>{where}</summary>'
            f"<pre>{escape(source.excerpt)}</pre></details></div>")


def _denied_by(call: CallDecision) -> str:
    if call.allowed or not call.denied_by:
        return ""
    return f'<div class="denied-by">by {escape(call.denied_by)}</div>'


def _no_statement(call: CallDecision) -> str:
    if call.decision == "refused":
        return f"refused before a decision: {call.error_code or ''}".strip()
    if call.decision == "implicitDeny":
        return "no statement allows it (implicit deny)"
    return "no statement named"


def _step_mark(status: str) -> str:
    return {"passed": "✔", "failed": "✘", "skipped": "–", "undefined": "?"}.get(status, "?")


def _tags(tags: list[str]) -> str:
    if not tags:
        return ""
    return '<p class="tags">' + " ".join(
        f'<span class="tag">@{escape(tag)}</span>' for tag in tags) + "</p>"


def _paragraphs(text: str) -> Iterator[str]:
    """A Gherkin description's lines, joined back into the paragraphs they were written as."""
    paragraph: list[str] = []
    for line in text.splitlines():
        if line.strip():
            paragraph.append(line.strip())
        elif paragraph:
            yield " ".join(paragraph)
            paragraph = []
    if paragraph:
        yield " ".join(paragraph)
