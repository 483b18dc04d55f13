"""`auditor collect`: read inputs and write an inventory snapshot, to scan later or elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import input_options, resolve_inputs
from auditor.scan import ScanRequest, collect_inventory
from auditor.snapshot import write_snapshot


@click.command()
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def collect(output: Path, **input_args: Any) -> None:
    """Read PATHS and live sources; write their resources to OUTPUT (docs/snapshot-format.md)."""
    inputs = resolve_inputs(**input_args)
    now = datetime.now(UTC)
    request = ScanRequest(paths=inputs.paths, static=inputs.static, sources=inputs.sources)
    inventory = collect_inventory(request, inputs.config, now)
    write_snapshot(output, inventory, now)
    click.echo(f"snapshot: {len(inventory)} resource(s) written to {output}", err=True)
