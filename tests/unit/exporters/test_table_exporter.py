"""The terminal table: grouped, readable at 100 columns, coloured only when asked."""

from __future__ import annotations

import re

import pytest

from auditor.exporting import RenderOptions
from auditor.model import Severity
from auditor.report import ScanReport
from exporters.table import MESSAGE_LIMIT, TableExporter
from tests.unit.exporters.sample_report import EDITOR_SA, MIN_REPLICAS, build_report, finding

ANSI = re.compile(r"\x1b\[")
PLAIN = RenderOptions(color=False, width=100)


def render(report: ScanReport, options: RenderOptions = PLAIN) -> str:
    """The report as the table exporter prints it."""
    return TableExporter().render(report, options)


def test_plain_output_has_no_ansi_escapes(report: ScanReport) -> None:
    """Without colour, not one escape sequence is written."""
    assert "\x1b" not in render(report)


def test_colour_output_has_ansi_escapes(report: ScanReport) -> None:
    """With colour, severities and the verdict are styled with ANSI codes."""
    assert ANSI.search(render(report, RenderOptions(color=True, width=100)))


def test_environment_does_not_change_the_output(
    report: ScanReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FORCE_COLOR, NO_COLOR, COLUMNS and TERM do not override the caller's options."""
    plain, coloured = render(report), render(report, RenderOptions(color=True, width=100))
    for name, value in [("FORCE_COLOR", "1"), ("COLUMNS", "40"), ("TERM", "xterm-256color")]:
        monkeypatch.setenv(name, value)
    assert render(report) == plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert render(report, RenderOptions(color=True, width=100)) == coloured


def test_lines_fit_the_width(hostile_report: ScanReport) -> None:
    """No line is wider than the requested width, long messages and ids included."""
    for width in (100, 80):
        lines = render(hostile_report, RenderOptions(width=width)).splitlines()
        assert max(len(line) for line in lines) <= width


def test_findings_are_grouped_worst_first(report: ScanReport) -> None:
    """Critical findings come before high, high before medium, medium before low."""
    text = render(report)
    positions = [
        text.index(rule_id)
        for rule_id in (
            "gcp-iam-public-access",  # critical
            "gcp-iam-sa-basic-role",  # high
            "gke-workload-privileged",  # high
            "gke-workload-min-replicas",  # medium
            "gcp-iam-consumer-domain",  # low
        )
    ]
    assert positions == sorted(positions)


def test_rows_show_resource_location_and_message(report: ScanReport) -> None:
    """A row names the resource kind and id, its file:line when located, and the message."""
    text = render(report)
    assert "k8s.workload" in text and "gcp.iam_binding" in text
    assert "deploy/payments/api.yaml:12" in text
    assert "Deployment payments/api runs 1 replica(s)" in render(report, RenderOptions(width=200))


def test_waived_and_baselined_rows_say_so_with_reason(report: ScanReport) -> None:
    """A finding that is not open shows its status and the reason."""
    flat = render(report, RenderOptions(width=200))  # wide enough that nothing wraps
    assert "WAIVED: needs host networking until the CNI migration" in flat
    assert "BASELINED: present in baseline .auditor-baseline.json" in flat


def test_long_messages_wrap_and_are_cut(hostile_report: ScanReport) -> None:
    """A 20,000-character message wraps over lines and is cut, saying how much is left out."""
    text = render(hostile_report)
    assert "more characters)" in text
    assert "x" * (MESSAGE_LIMIT + 10) not in "".join(text.split())


def test_hostile_text_cannot_drive_the_terminal(hostile_report: ScanReport) -> None:
    """Escape sequences in messages are neutralised and markup is printed literally."""
    for options in (PLAIN, RenderOptions(color=True, width=100)):
        text = render(hostile_report, options)
        assert "\x1b[31mred" not in text and "\x1b]0;" not in text and "\x07" not in text
        assert "\u202e" not in text
    plain = render(hostile_report)
    assert "[bold red]not markup[/]" in plain
    assert 'Deployment "a<b>&c"' in plain


def test_counts_per_severity_and_category(report: ScanReport) -> None:
    """The counts section splits each severity by status and lists every category."""
    lines = render(report).splitlines()
    high = next(line for line in lines if line.split()[:1] == ["high"] and len(line.split()) == 5)
    assert high.split() == ["high", "1", "1", "0", "2"]
    category_line = next(line for line in lines if line.startswith("By category:"))
    assert "zero-trust 2" in category_line and "least-privilege 1" in category_line


def test_errors_waivers_and_down_sources_are_listed(report: ScanReport) -> None:
    """Rule errors, expired waivers and down sources each get a section."""
    text = render(report)
    assert "Rule evaluation errors (1)" in text and "no such key: replicas" in text
    assert "Expired waivers (1)" in text and "2026-02-01" in text
    assert "Sources down (1)" in text and "timed out after 10s listing deployments" in text


def test_healthy_scan_has_no_empty_sections() -> None:
    """With no errors, waivers or down sources, those sections are left out."""
    report = build_report()
    report.errors, report.expired_waivers = [], []
    for source in report.sources:
        source.up = True
    text = render(report)
    assert "Rule evaluation errors (" not in text
    assert "Expired waivers" not in text and "Sources down" not in text


def test_failed_gate_is_the_last_line(report: ScanReport) -> None:
    """The final line says the gate failed, with the fail-on severity and the counts."""
    last = render(report).splitlines()[-1]
    assert last == "FAILED: 2 open finding(s) at or above high, 1 rule error(s)."


def test_passed_gate_is_the_last_line(report: ScanReport) -> None:
    """With only findings below fail-on and no errors, the final line says the gate passed."""
    report.fail_on = Severity.CRITICAL
    report.errors = []
    report.findings = [finding(MIN_REPLICAS, EDITOR_SA, "medium only")]
    assert render(report).splitlines()[-1] == (
        "PASSED: 0 open finding(s) at or above critical, 0 rule error(s)."
    )


def test_report_only_scan_says_so(report: ScanReport) -> None:
    """Without a fail-on severity the verdict says the scan only reports."""
    report.fail_on = None
    assert render(report).splitlines()[-1].startswith("REPORT ONLY: no fail-on severity set")


def test_no_findings_is_said_plainly() -> None:
    """An empty scan prints 'No findings.' instead of an empty table."""
    report = build_report()
    report.findings = []
    assert "No findings." in render(report)
