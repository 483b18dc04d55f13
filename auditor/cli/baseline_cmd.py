"""`auditor baseline create`: record today's findings so CI fails only on new ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import collect_waivers, input_options, resolve_inputs
from auditor.scan import ScanRequest, run_scan
from auditor.waivers import write_baseline


@click.group()
def baseline() -> None:
    """Baselines: known findings that should not fail CI."""


@baseline.command("create")
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--waivers", "waiver_files", multiple=True, type=click.Path(path_type=Path))
def create(output: Path, waiver_files: tuple[Path, ...], **input_args: Any) -> None:
    """Scan PATHS and write the fingerprints of every open finding to OUTPUT.

    Fingerprints are (rule, resource kind, resource id): a baselined finding never hides a new
    finding of the same rule on another resource.
    """
    inputs = resolve_inputs(**input_args)
    request = ScanRequest(
        paths=inputs.paths,
        static=inputs.static,
        fail_on=None,
        rule_paths=inputs.rule_paths,
        sources=inputs.sources,
        waivers=collect_waivers(inputs, waiver_files),
    )
    now = datetime.now(UTC)
    report, _ = run_scan(request, inputs.config, now)
    count = write_baseline(output, report.findings, now)
    click.echo(f"baseline: {count} finding(s) written to {output}", err=True)
