"""`auditor run`: the daemon — every source on its schedule, metrics, notifications."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.scan_cmd import FAIL_ON_CHOICES, parse_fail_on
from auditor.config import find_config, load_config
from auditor.log import configure_logging
from auditor.waivers import Waiver, load_waiver_file


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="auditor.yaml (default: $AUDITOR_CONFIG, else ./auditor.yaml if present).",
)
@click.option("--once", is_flag=True, help="One cycle of every source, notify, then exit.")
@click.option(
    "--fail-on",
    type=FAIL_ON_CHOICES,
    help="With --once: exit 1 when an open finding is at or above this (default from config).",
)
@click.option(
    "--waivers",
    "waiver_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="YAML file with a 'waivers' list (repeatable).",
)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default=None)
@click.pass_context
def run(
    ctx: click.Context,
    /,
    config_path: Path | None,
    once: bool,
    fail_on: str | None,
    waiver_files: tuple[Path, ...],
    log_level: str | None,
) -> None:
    """Run the auditor daemon over the config's `sources`.

    Serves /metrics, /healthz, /readyz and /findings on daemon.listen_address:daemon.port and
    stops gracefully on SIGTERM. With --once: exit 0 when nothing open is at or above
    --fail-on, 1 when something is (or a rule raised), 2 for usage or config errors.
    """
    resolved = find_config(config_path)
    config = load_config(resolved)
    configure_logging(log_level or config.logging.level, config.logging.format)
    origin = str(resolved) if resolved else "config"
    waivers = [Waiver(spec=spec, source=origin) for spec in config.waivers]
    for path in waiver_files:
        waivers.extend(load_waiver_file(path))
    # The daemon pulls in APScheduler and the Kubernetes client: only `auditor run` pays that.
    from auditor.daemon.service import Daemon, gate_exit_code

    daemon = Daemon(config, waivers)
    if once:
        try:
            outcomes = daemon.run_once()
        finally:
            daemon.stop()
        gate = parse_fail_on(fail_on or str(config.scan.fail_on))
        ctx.exit(gate_exit_code(outcomes, gate))
    daemon.serve_forever()
