"""A real MariaDB primary + replica per test module, and helpers to collect and judge them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.base import CollectorContext
from auditor.collectors.mysql import MysqlSettings, create_collector
from auditor.collectors.runner import SourceResult, run_collection
from auditor.config import AuditorConfig, RulesConfig
from auditor.engine.evaluate import Engine
from auditor.model import Finding, Resource
from auditor.scan import select_rules
from auditor.state import HistoryStore
from tests.integration.mysql.mariadb import (
    MONITOR_PASSWORD,
    MONITOR_USER,
    ReplicationPair,
    running_pair,
)

PASSWORD_ENV = "AUDITOR_TEST_MYSQL_PASSWORD"
RULES = Path(__file__).resolve().parents[3] / "rules"


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicationPair]:
    """A started primary + replica, stopped by PID when the module is done."""
    with running_pair(tmp_path_factory.mktemp("mariadb")) as started:
        yield started


@pytest.fixture(autouse=True)
def monitor_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The monitoring password comes from the environment, as in production."""
    monkeypatch.setenv(PASSWORD_ENV, MONITOR_PASSWORD)


def settings_for(pair: ReplicationPair, **extra: Any) -> MysqlSettings:
    """A `type: mysql` source over both servers (extra keys override)."""
    document: dict[str, Any] = {
        "name": "shop-db",
        "type": "mysql",
        "instances": [
            {"name": "primary", "host": "127.0.0.1", "port": pair.primary.port,
             "user": MONITOR_USER, "password": {"env": PASSWORD_ENV}},
            {"name": "replica", "host": "127.0.0.1", "port": pair.replica.port,
             "user": MONITOR_USER, "password": {"env": PASSWORD_ENV}, "role": "replica"},
        ],
    }  # fmt: skip
    document.update(extra)
    return MysqlSettings.model_validate(document)


@dataclass
class Collected:
    """One collection through the real runner, and the library's verdict on it."""

    result: SourceResult
    findings: list[Finding]

    def one(self, kind: str, instance: str, key: str = "") -> dict[str, Any]:
        """The data of the resource of `kind` on `instance` (with id suffix `key`)."""
        wanted = f"shop-db/{instance}" + (f"/{key}" if key else "")
        found = [r.data for r in self.result.resources if r.kind == kind and r.id == wanted]
        assert len(found) == 1, (kind, wanted, [r.id for r in self.result.resources])
        return found[0]

    def of(self, rule_id: str) -> list[Finding]:
        """Findings of one rule."""
        return [f for f in self.findings if f.rule_id == rule_id]

    @property
    def resources(self) -> list[Resource]:
        """Every resource, the source's own included."""
        return self.result.resources


def collect(
    settings: MysqlSettings,
    history: HistoryStore | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> Collected:
    """Collect once with the runner's deadline and judge with rules/mysql and rules/auditor."""
    context = CollectorContext(now=lambda: datetime.now(UTC), history=history or HistoryStore())
    collector = create_collector(settings)
    try:
        result = run_collection(
            settings.name, "mysql", collector, context, timeout_seconds=settings.timeout_seconds
        )
    finally:
        collector.close()
    config = AuditorConfig(
        rules=RulesConfig(bundled=False, paths=[RULES / "mysql", RULES / "auditor"],
                          params=params or {})
    )  # fmt: skip
    evaluation = Engine(select_rules(config)).evaluate(result.resources, datetime.now(UTC))
    assert not evaluation.errors, evaluation.errors
    return Collected(result, evaluation.findings)


def everything_said(collected: Collected) -> str:
    """All text the collection and its findings carry: resources, health, problems, messages."""
    parts = [repr(r.data) for r in collected.resources]
    parts += [collected.result.health.error, *collected.result.problems]
    parts += [f.message + repr(f.evidence) for f in collected.findings]
    return "\n".join(parts)
