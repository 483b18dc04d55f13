"""`auditor collect`: read inputs and write an inventory snapshot, to scan later or elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from auditor.cli.common import input_options, resolve_inputs
from auditor.loaders.static import load_static
from auditor.model import Inventory
from auditor.snapshot import write_snapshot


@click.command()
@input_options
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def collect(output: Path, **input_args: Any) -> None:
    """Read PATHS and write their normalised resources to OUTPUT (docs/snapshot-format.md)."""
    inputs = resolve_inputs(**input_args)
    loaded, sources = load_static(inputs.paths, inputs.static)
    inventory = Inventory(resources=loaded.resources, sources=sources)
    write_snapshot(output, inventory, datetime.now(UTC))
    click.echo(f"snapshot: {len(inventory)} resource(s) written to {output}", err=True)
