"""The auditors' HTML report: self-contained, and read back as a browser renders it — Debian's
headless Chromium loads the file and dumps the DOM after its script ran."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.report.html import render_html, write_html
from harness.report.model import ReportData

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def rendered_dom(page: Path, profile: Path) -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: apt-get install chromium "
                    "(the HTML report is checked in a headless browser)")
    completed = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def text_of(dom: str) -> str:
    """The page's text, roughly as a reader sees it: tags dropped, whitespace folded."""
    without_tags = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    without_tags = re.sub(r"<[^>]+>", " ", without_tags)
    return re.sub(r"\s+", " ", without_tags.replace("&nbsp;", " ")).replace("&amp;", "&")


@pytest.mark.slow
def test_the_report_as_chromium_renders_it(report_data: ReportData, tmp_path: Path) -> None:
    page = write_html(report_data, tmp_path / "out" / "report.html")
    dom = rendered_dom(page, tmp_path / "chromium-profile")
    text = text_of(dom)
    # Summary counts, and the page's script ran (it counts the scenarios it finds).
    assert "6 scenarios 3 passed 2 failed 1 skipped" in text
    assert "Rendered 6 scenarios." in text
    # The features as prose, scenarios with their steps and outcomes.
    assert ("To prevent accidental deletion of production resources, a service control "
            "policy on the Prod OU denies destructive actions there.") in text
    assert "Scenario: Read-only developers cannot read secrets even in dev failed" in text
    assert "Then the request is allowed failed" in text
    # Each call's decision and the statement that decided it, from the fixture file.
    assert "SCP deny-destructive-actions-in-prod › DenyDestructiveActionsInProd (Deny)" in text
    assert "policies/scp/deny-destructive-actions-in-prod.json:" in text
    assert '"Sid": "DenyDestructiveActionsInProd"' in dom.replace("&quot;", '"')
    assert "AWS managed policy ReadOnlyAccess › Statement[0] (Allow)" in text
    assert "no statement allows it (implicit deny)" in text
    # The access matrix, drawn.
    assert re.search(r'<svg[^>]*class="matrix"', dom)
    assert dom.count('class="cell ') >= 6
    # Coverage and provenance.
    assert "DenyRootUser Deny never exercised" in text
    assert "NoReadingSecretValues Deny decided 1" in text
    assert "Landscape revision" in text and "Backend moto" in text


def test_the_page_needs_no_network(report_data: ReportData) -> None:
    page = render_html(report_data)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r'\b(src|href)\s*=\s*"(?!#)', page)  # only in-page links
    assert "@import" not in page and "url(" not in page
    # The only address in the page is the SVG namespace, which is a name, not a fetch.
    assert set(re.findall(r"https?://[^\s\"'<]+", page)) <= {"http://www.w3.org/2000/svg"}


def test_the_failed_scenarios_are_listed_and_linked(report_data: ReportData) -> None:
    page = render_html(report_data)
    summary = page[page.index('id="summary"'):page.index('id="provenance"')]
    assert summary.count("<li>") == 2
    assert 'href="#feature-features-developer-access-read-only-in-non-prod-feature"' in summary
    assert 'id="feature-features-developer-access-read-only-in-non-prod-feature"' in page


def test_user_text_is_escaped(report_data: ReportData) -> None:
    report_data.scenarios[0].name = "<img src=x onerror=alert(1)>"
    page = render_html(report_data)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
