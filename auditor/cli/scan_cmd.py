"""`auditor scan`: judge inputs against the rules, write a report, gate on severity."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import collect_waivers, input_options, resolve_inputs
from auditor.exporting import RenderOptions, available_formats, load_exporter
from auditor.model import Severity
from auditor.report import ScanReport
from auditor.scan import ScanRequest, run_scan

EXIT_FINDINGS = 1
FAIL_ON_CHOICES = click.Choice([s.value for s in Severity] + ["none"])


def write_report(report: ScanReport, fmt: str, output: Path | None) -> None:
    """Render `report` with the named exporter to `output`, or to stdout."""
    exporter = load_exporter(fmt)
    to_terminal = output is None and sys.stdout.isatty()
    text = exporter.render(report, RenderOptions(color=to_terminal))
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def parse_fail_on(value: str) -> Severity | None:
    """'none' turns the gate off; anything else is a severity."""
    return None if value == "none" else Severity(value)


@click.command()
@input_options
@click.option(
    "--format",
    "fmt",
    help=f"Report format (default: table). Installed: {', '.join(available_formats())}.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report here.")
@click.option(
    "--fail-on",
    type=FAIL_ON_CHOICES,
    help="Exit 1 when an open finding is at or above this severity (default high; none: never).",
)
@click.option(
    "--waivers",
    "waiver_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="YAML file with a 'waivers' list (repeatable).",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    help="Fail only on findings not in this baseline.",
)
@click.pass_context
def scan(
    ctx: click.Context,
    /,
    fmt: str | None,
    output: Path | None,
    fail_on: str | None,
    waiver_files: tuple[Path, ...],
    baseline: Path | None,
    **input_args: Any,
) -> None:
    """Scan manifests, Helm charts, IAM policy files or snapshots (PATHS) against the rules.

    Exit status: 0 when nothing open is at or above --fail-on, 1 when something is (or a rule
    raised), 2 for usage, config or input errors.
    """
    inputs = resolve_inputs(**input_args)
    fail_on_value = fail_on or str(inputs.config.scan.fail_on)
    request = ScanRequest(
        paths=inputs.paths,
        static=inputs.static,
        fail_on=parse_fail_on(fail_on_value),
        rule_paths=inputs.rule_paths,
        sources=inputs.sources,
        waivers=collect_waivers(inputs, waiver_files),
        baseline=baseline,
    )
    exporter_name = fmt or inputs.config.scan.format
    load_exporter(exporter_name)  # an unknown format is a usage error before any work
    report, _ = run_scan(request, inputs.config, datetime.now(UTC))
    write_report(report, exporter_name, output)
    ctx.exit(0 if report.passed else EXIT_FINDINGS)
