"""The terminal report: what a person reads after `auditor scan` (docs/report-formats.md)."""

from __future__ import annotations

from io import StringIO
from typing import ClassVar

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from auditor.exporting import RenderOptions
from auditor.model import Finding, FindingStatus, ResourceRef, Severity
from auditor.report import ScanReport
from exporters.ordering import (
    SEVERITIES_WORST_FIRST,
    ordered_errors,
    ordered_expired_waivers,
    ordered_findings,
    ordered_sources,
)
from exporters.safe_text import for_terminal, shortened
from exporters.summary import summarize
from exporters.timestamps import optional_rfc3339, rfc3339

# Past this a message is cut in the terminal; the JSON report keeps it whole.
MESSAGE_LIMIT = 600

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


class TableExporter:
    """Renders a scan report as tables for a terminal or a CI log."""

    name: ClassVar[str] = "table"
    file_extension: ClassVar[str] = "txt"

    def render(self, report: ScanReport, options: RenderOptions) -> str:
        """The report as text; ANSI colour only when `options.color` is set."""
        buffer = StringIO()
        console = Console(
            file=buffer,
            width=options.width,
            force_terminal=options.color,
            color_system="standard" if options.color else None,
            no_color=not options.color,
            force_jupyter=False,
            force_interactive=False,
            legacy_windows=False,
            markup=False,
            emoji=False,
            highlight=False,
        )
        for number, part in enumerate(report_parts(report)):
            if number:
                console.print()
            console.print(part)
        text = buffer.getvalue()
        if options.color:
            return text
        # Table cells pad to the column edge; plain text has no use for trailing blanks.
        return "".join(line.rstrip() + "\n" for line in text.splitlines())


def report_parts(report: ScanReport) -> list[RenderableType]:
    """The report's sections, top to bottom; empty sections are left out."""
    parts: list[RenderableType] = [_header(report)]
    parts += _sources_down(report)
    parts.append(_findings(report))
    parts += _errors(report)
    parts += _expired_waivers(report)
    parts.append(_counts(report))
    parts.append(_verdict(report))
    return parts


def _header(report: ScanReport) -> Text:
    summary = summarize(report)
    header = Text(f"auditor {report.tool_version} scan report", style="bold")
    header.append(f"  {rfc3339(report.generated_at)}\n", style="dim")
    header.append(
        f"{summary.resources} resources, {summary.rules} rules, "
        f"fail on: {report.fail_on.value if report.fail_on else 'nothing (report only)'}"
    )
    if report.inputs:
        header.append("\ninputs: " + for_terminal(", ".join(report.inputs)))
    return header


def _section(title: str) -> Table:
    table = Table(
        title=Text(title, style="bold"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    return table


def _findings(report: ScanReport) -> RenderableType:
    findings = ordered_findings(report)
    if not findings:
        return Text("No findings.", style="green")
    table = _section(f"Findings ({len(findings)}), worst first")
    table.expand = True
    table.show_lines = True  # a blank line between findings that wrap over several lines
    table.add_column("Severity", no_wrap=True, min_width=8)
    table.add_column("Rule and message", overflow="fold", ratio=3)
    table.add_column("Resource", overflow="fold", ratio=2)
    for finding in findings:
        table.add_row(
            Text(finding.severity.value, style=SEVERITY_STYLES[finding.severity]),
            _finding_cell(finding),
            _resource_cell(finding.resource),
            style="dim" if finding.status is not FindingStatus.OPEN else None,
        )
    return table


def _resource_cell(resource: ResourceRef) -> Text:
    cell = Text(for_terminal(resource.kind), style="dim")
    cell.append("\n" + for_terminal(resource.id))
    if resource.location is not None:
        where = f"{resource.location.file}:{resource.location.line}"
        if resource.location.address is not None:
            where = f"{where} ({resource.location.address})"
        cell.append("\n" + for_terminal(where), style="underline")
    return cell


def _finding_cell(finding: Finding) -> Text:
    cell = Text(for_terminal(finding.rule_id), style="bold")
    cell.append("\n" + for_terminal(shortened(finding.message, MESSAGE_LIMIT)))
    if finding.status is not FindingStatus.OPEN:
        reason = finding.status_reason or "no reason given"
        cell.append(f"\n{finding.status.value.upper()}: ", style="bold")
        cell.append(for_terminal(shortened(reason, MESSAGE_LIMIT)))
    return cell


def _errors(report: ScanReport) -> list[RenderableType]:
    errors = ordered_errors(report)
    if not errors:
        return []
    table = _section(f"Rule evaluation errors ({len(errors)}): these rules could not judge")
    table.add_column("Rule", overflow="fold", ratio=2)
    table.add_column("Resource", overflow="fold", ratio=3)
    table.add_column("Error", overflow="fold", ratio=5, style="red")
    for error in errors:
        table.add_row(
            Text(for_terminal(error.rule_id)),
            _resource_cell(error.resource),
            Text(for_terminal(shortened(error.error, MESSAGE_LIMIT))),
        )
    return [table]


def _expired_waivers(report: ScanReport) -> list[RenderableType]:
    waivers = ordered_expired_waivers(report)
    if not waivers:
        return []
    table = _section(f"Expired waivers ({len(waivers)}): they no longer apply")
    table.add_column("Rule", overflow="fold", ratio=2)
    table.add_column("Resource", overflow="fold", ratio=3)
    table.add_column("Expired", no_wrap=True)
    table.add_column("Owner", overflow="fold")
    table.add_column("Reason", overflow="fold", ratio=3)
    for waiver in waivers:
        table.add_row(
            *(
                Text(for_terminal(value))
                for value in (
                    waiver.rule,
                    waiver.resource,
                    waiver.expires,
                    waiver.owner,
                    f"{waiver.reason} ({waiver.source})",
                )
            )
        )
    return [table]


def _sources_down(report: ScanReport) -> list[RenderableType]:
    down = [source for source in ordered_sources(report) if not source.up]
    if not down:
        return []
    table = _section(f"Sources down ({len(down)}): what they cover was not checked in this scan")
    table.add_column("Source", overflow="fold", ratio=2)
    table.add_column("Type", no_wrap=True)
    table.add_column("Last success", no_wrap=True)
    table.add_column("Error", overflow="fold", ratio=5, style="red")
    for source in down:
        table.add_row(
            Text(for_terminal(source.name)),
            Text(for_terminal(source.type)),
            Text(optional_rfc3339(source.last_success) or "never"),
            Text(for_terminal(shortened(source.error or "no error given", MESSAGE_LIMIT))),
        )
    return [table]


def _counts(report: ScanReport) -> RenderableType:
    summary = summarize(report)
    by_status: dict[tuple[str, str], int] = {}
    for finding in report.findings:
        key = (finding.severity.value, finding.status.value)
        by_status[key] = by_status.get(key, 0) + 1
    severities = _section("Counts")
    severities.expand = False
    severities.add_column("Severity")
    for status in FindingStatus:
        severities.add_column(status.value.capitalize(), justify="right")
    severities.add_column("Total", justify="right")
    for severity in SEVERITIES_WORST_FIRST:
        severities.add_row(
            Text(severity.value, style=SEVERITY_STYLES[severity]),
            *(str(by_status.get((severity.value, status.value), 0)) for status in FindingStatus),
            str(summary.by_severity[severity.value]),
        )
    categories = Text("By category: ")
    categories.append(", ".join(f"{name} {count}" for name, count in summary.by_category.items()))
    categories.append(f"\nRule evaluation errors: {summary.errors}")
    return Group(severities, categories)


def _verdict(report: ScanReport) -> Text:
    open_findings = sum(finding.status is FindingStatus.OPEN for finding in report.findings)
    if report.fail_on is None:
        return Text(
            f"REPORT ONLY: no fail-on severity set; {open_findings} open finding(s), "
            f"{len(report.errors)} rule error(s).",
            style="bold",
        )
    gating = len(report.gating())
    detail = (
        f"{gating} open finding(s) at or above {report.fail_on.value}, "
        f"{len(report.errors)} rule error(s)"
    )
    if report.passed:
        return Text(f"PASSED: {detail}.", style="bold green")
    return Text(f"FAILED: {detail}.", style="bold red")
