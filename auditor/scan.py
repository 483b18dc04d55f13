"""One scan: inputs → inventory → rules → waivers and baseline → report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path

import structlog

from auditor import __version__
from auditor.collectors.base import SourceSettings
from auditor.collectors.collect import collect_sources
from auditor.config import AuditorConfig
from auditor.engine.evaluate import Engine
from auditor.engine.expressions import conversion_problem
from auditor.engine.loader import load_rules
from auditor.engine.rule import Rule
from auditor.errors import ConfigError, RuleError
from auditor.k8s.exemptions import apply_container_waivers
from auditor.loaders.static import StaticOptions, load_static
from auditor.model import Inventory, PiiLabel, ResourceRef, Severity
from auditor.paths import bundled_rules_dir
from auditor.report import ScanReport
from auditor.state import HistoryStore
from auditor.waivers import Waiver, apply_baseline, apply_waivers, load_baseline

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """What the user asked `auditor scan` to do."""

    paths: tuple[Path, ...]
    static: StaticOptions = field(default_factory=StaticOptions)
    fail_on: Severity | None = None  # None: nothing fails the gate
    rule_paths: tuple[Path, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    baseline: Path | None = None
    sources: tuple[SourceSettings, ...] = ()


class RuleLoadFailed(RuleError):
    """At least one rule file is invalid; `problems` holds each one."""

    def __init__(self, problems: Sequence[RuleError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first.detail + more, path=first.path, line=first.line)


def rule_paths(config: AuditorConfig, extra_paths: Sequence[Path] = ()) -> list[Path]:
    """Where the rules come from: the bundled library (unless disabled) and configured paths."""
    paths = [bundled_rules_dir()] if config.rules.bundled else []
    paths += [*config.rules.paths, *extra_paths]
    if not paths:
        raise ConfigError("no rules to run: rules.bundled is false and no rule paths are given")
    return paths


def configure_rules(config: AuditorConfig, rules: Sequence[Rule]) -> list[Rule]:
    """`rules` with the config's param overrides applied and its disabled rules left out.

    Raises ConfigError for an override naming a rule or a param that does not exist.
    """
    by_id = {rule.id: rule for rule in rules}
    for rule_id, overrides in config.rules.params.items():
        rule = by_id.get(rule_id)
        if rule is None:
            raise ConfigError(f"rules.params.{rule_id}: no rule with this id is loaded")
        unknown = sorted(set(overrides) - set(rule.params))
        if unknown:
            raise ConfigError(
                f"rules.params.{rule_id}.{unknown[0]}: the rule has no such param "
                f"(it has: {', '.join(sorted(rule.params)) or 'none'})"
            )
        problem = conversion_problem(overrides)
        if problem is not None:  # a YAML key CEL cannot hold (`~`, `1.5`)
            raise ConfigError(f"rules.params.{rule_id}: {problem}")
        by_id[rule_id] = rule.with_params(overrides)
    return [
        rule
        for rule in by_id.values()
        if not any(fnmatchcase(rule.id, pattern) for pattern in config.rules.disabled)
    ]


def select_rules(config: AuditorConfig, extra_paths: Sequence[Path] = ()) -> list[Rule]:
    """The rules to run: bundled and configured paths, minus disabled, with param overrides."""
    loaded = load_rules(rule_paths(config, extra_paths))
    if loaded.problems:
        raise RuleLoadFailed(loaded.problems)
    return configure_rules(config, loaded.rules)


def collect_inventory(request: ScanRequest, config: AuditorConfig, now: datetime) -> Inventory:
    """Static inputs and live sources of one scan, in one inventory."""
    inventory = Inventory()
    if request.paths:
        loaded, sources = load_static(request.paths, request.static)
        for warning in loaded.warnings:
            log.warning("input skipped", detail=warning)
        inventory.add(loaded.resources)
        inventory.sources.extend(sources)
    if request.sources:
        history = HistoryStore(config.state.path)
        try:
            pii = PiiLabel(key=config.pii.label, values=tuple(config.pii.values))
            for result in collect_sources(request.sources, history, lambda: now, pii):
                for warning in result.warnings:
                    log.warning("source warning", source=result.health.name, detail=warning)
                inventory.add(result.resources)
                inventory.sources.append(result.health)
        finally:
            history.close()
    return inventory


def run_scan(
    request: ScanRequest, config: AuditorConfig, now: datetime
) -> tuple[ScanReport, Inventory]:
    """Scan the request's inputs; returns the report and the inventory it judged."""
    rules = select_rules(config, request.rule_paths)
    inventory = collect_inventory(request, config, now)
    # Waivers that name a container become exemptions the rules see on that container.
    container_waivers = [w for w in request.waivers if w.spec.container is not None]
    if container_waivers:
        apply_container_waivers(
            inventory.resources, container_waivers, [r.id for r in rules], now.date()
        )
    engine = Engine(rules)
    evaluation = engine.evaluate(inventory.resources, now)
    log.info(
        "scan evaluated",
        resources=len(inventory.resources),
        rules=len(rules),
        checks=evaluation.checks,
        findings=len(evaluation.findings),
        errors=len(evaluation.errors),
    )
    expired = apply_waivers(evaluation.findings, request.waivers, now.date())
    extra: dict[str, object] = {}
    if request.baseline is not None:
        apply_baseline(evaluation.findings, load_baseline(request.baseline))
        extra["baseline_used"] = True
    judged = engine.kinds()
    report = ScanReport(
        tool_version=__version__,
        generated_at=now,
        fail_on=request.fail_on,
        rules=[rule.info() for rule in rules],
        resources=[ResourceRef.of(r) for r in inventory.resources if r.kind in judged],
        findings=evaluation.findings,
        errors=evaluation.errors,
        sources=inventory.sources,
        expired_waivers=expired,
        inputs=[str(p) for p in request.paths],
        extra=extra,
    )
    return report, inventory
