"""`auditor config validate|schema`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from auditor.config import config_json_schema, find_config, load_config


@click.group()
def config() -> None:
    """The configuration file, auditor.yaml."""


@config.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def validate(path: Path | None) -> None:
    """Check PATH (default: $AUDITOR_CONFIG or ./auditor.yaml) and AUDITOR_* overrides."""
    resolved = find_config(path)
    load_config(resolved)
    click.echo(f"ok: {resolved or 'defaults and environment'} is valid")


@config.command("schema")
def schema() -> None:
    """Print the JSON Schema of auditor.yaml (for editors)."""
    click.echo(json.dumps(config_json_schema(), indent=2))
