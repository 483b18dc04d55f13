"""Options and set-up shared by the commands that read inputs (scan, baseline, collect)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.collectors.base import SourceSettings
from auditor.config import AuditorConfig, find_config, load_config
from auditor.errors import UsageError
from auditor.loaders.static import StaticOptions
from auditor.log import configure_logging
from auditor.model import PiiLabel
from auditor.paths import demo_dir
from auditor.waivers import Waiver, load_waiver_file

F = TypeVar("F", bound=Callable[..., Any])

LOG_LEVELS = click.Choice(["debug", "info", "warning", "error"])


def input_options(func: F) -> F:
    """Decorate a command with the options that say what to read and how."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--demo", is_flag=True, help="Use the bundled example data platform."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            help="auditor.yaml (default: $AUDITOR_CONFIG, else ./auditor.yaml if present).",
        ),
        click.option(
            "-f",
            "--values",
            "values_files",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Helm values file for charts (repeatable, later wins).",
        ),
        click.option("--set", "set_values", multiple=True, help="Helm value k=v (repeatable)."),
        click.option("--release-name", default="release", show_default=True),
        click.option("--namespace", default="default", show_default=True),
        click.option("--cluster", help="Cluster name for manifests (default from config)."),
        click.option("--iam-scope", help="Scope of a single IAM policy file, e.g. projects/ID."),
        click.option(
            "--rules",
            "rule_paths",
            multiple=True,
            type=click.Path(path_type=Path),
            help="Extra rule files or folders (repeatable).",
        ),
        click.option(
            "--source",
            "source_names",
            multiple=True,
            help="Also read this live source from the config's `sources` (repeatable).",
        ),
        click.option("--all-sources", is_flag=True, help="Also read every configured source."),
        click.option("--log-level", type=LOG_LEVELS, help="Log level (default from config)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True, slots=True)
class Inputs:
    """The resolved inputs of a command: config, paths and how to read them."""

    config: AuditorConfig
    config_path: Path | None
    paths: tuple[Path, ...]
    static: StaticOptions
    rule_paths: tuple[Path, ...]
    sources: tuple[SourceSettings, ...] = ()


def resolve_inputs(
    *,
    paths: tuple[Path, ...],
    demo: bool,
    config_path: Path | None,
    values_files: tuple[Path, ...],
    set_values: tuple[str, ...],
    release_name: str,
    namespace: str,
    cluster: str | None,
    iam_scope: str | None,
    rule_paths: tuple[Path, ...],
    source_names: tuple[str, ...],
    all_sources: bool,
    log_level: str | None,
) -> Inputs:
    """Load the config, configure logging, and check that there is something to read."""
    if demo:
        if paths:
            raise UsageError("--demo scans the bundled estate; give either --demo or PATHs")
        estate = demo_dir() / "estate"
        # Inside the working tree (a checkout), show short relative locations in the report.
        if estate.is_relative_to(Path.cwd()):
            estate = estate.relative_to(Path.cwd())
        paths = (estate,)
        if config_path is None:
            config_path = demo_dir() / "auditor.yaml"
    resolved_config = find_config(config_path)
    config = load_config(resolved_config)
    sources = _select_sources(config, source_names, all_sources)
    if not paths and not sources:
        raise UsageError("nothing to scan: give PATHs, --source NAME, --all-sources or --demo")
    configure_logging(log_level or config.logging.level, config.logging.format)
    static = StaticOptions(
        cluster=cluster or config.scan.cluster,
        values_files=values_files,
        set_values=set_values,
        release_name=release_name,
        namespace=namespace,
        iam_scope=iam_scope,
        pii=PiiLabel(key=config.pii.label, values=tuple(config.pii.values)),
    )
    return Inputs(
        config=config,
        config_path=resolved_config,
        paths=paths,
        static=static,
        rule_paths=rule_paths,
        sources=sources,
    )


def _select_sources(
    config: AuditorConfig, names: tuple[str, ...], everything: bool
) -> tuple[SourceSettings, ...]:
    if everything:
        return tuple(config.sources)
    by_name = {s.name: s for s in config.sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(sorted(by_name)) or "none configured"
        raise UsageError(f"no source named {unknown[0]!r} in the config (sources: {known})")
    return tuple(by_name[n] for n in names)


def collect_waivers(inputs: Inputs, waiver_files: tuple[Path, ...]) -> tuple[Waiver, ...]:
    """Waivers from the config file and from every --waivers file."""
    origin = str(inputs.config_path) if inputs.config_path else "config"
    waivers = [Waiver(spec=spec, source=origin) for spec in inputs.config.waivers]
    for path in waiver_files:
        waivers.extend(load_waiver_file(path))
    return tuple(waivers)
