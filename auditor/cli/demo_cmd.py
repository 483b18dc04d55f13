"""`auditor demo`: a live estate on this machine and the daemon over it (docs/demo.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from auditor.demo.live.estate import COMPONENTS, MIN_INTERVAL_SECONDS

KEYS = [c.key for c in COMPONENTS]
BOUNDED_CYCLES = 2


@click.command()
@click.option(
    "--cycles",
    type=click.IntRange(min=1),
    help=f"Stop after N cycles (default: until Ctrl-C on a terminal, {BOUNDED_CYCLES} otherwise).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=MIN_INTERVAL_SECONDS),
    default=10.0,
    show_default=True,
    help="Seconds between collections of the live sources.",
)
@click.option(
    "--skip",
    type=click.Choice(KEYS),
    multiple=True,
    help="Leave a component out (repeatable).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep data, logs and the generated auditor.yaml here (default: a temp dir, removed).",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write what was started, skipped and found as JSON to this file.",
)
@click.pass_context
def demo(
    ctx: click.Context,
    /,
    cycles: int | None,
    interval: float,
    skip: tuple[str, ...],
    workdir: Path | None,
    record: Path | None,
) -> None:
    """Start a live estate on 127.0.0.1 and run the daemon over it.

    A MariaDB primary and a lagging replica, a tansu broker with a lagging consumer group, an
    Airflow 3 API server with a stale DAG, and the bundled manifests and IAM policies; then
    `auditor run` over them, with /metrics, /findings and /healthz on 127.0.0.1. What this
    machine cannot start is skipped with one line. Ctrl-C or SIGTERM stops everything it
    started. Without a terminal on stdin it runs 2 cycles and exits. Exit 0 when it ran, 1
    when the demo itself is broken. (`auditor scan --demo` reads the recorded estate instead.)
    """
    from auditor.demo.live.runner import DemoOptions, run_demo

    if cycles is None and not sys.stdin.isatty():
        cycles = BOUNDED_CYCLES
    options = DemoOptions(
        cycles=cycles,
        interval_seconds=interval,
        skip=frozenset(skip),
        workdir=workdir,
        record=record,
    )
    ctx.exit(run_demo(options, sys.stdout))
