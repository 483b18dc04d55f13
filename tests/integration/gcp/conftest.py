"""The GCP fakes (REST Resource Manager, gRPC IAM admin and Monitoring) per test module, read
through the real client libraries, and helpers to collect and judge what they serve."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.base import CollectorContext
from auditor.collectors.gcp import GcpSettings, create_collector
from auditor.collectors.runner import SourceResult, run_collection
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.model import Finding, PiiLabel
from auditor.state import HistoryStore
from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import FakeGcp, running_fakes

RULES = Path(__file__).resolve().parents[3] / "rules"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ORG = "123456789012"
RM = "google.cloud.resourcemanager.v3."
IAM = "google.iam.admin.v1.IAM."
LIST_TIME_SERIES = "google.monitoring.v3.MetricService.ListTimeSeries"
# Fast retries, short calls: the faults' effects show in seconds, not minutes.
QUICK = {
    "call_timeout_seconds": 0.5,
    "retry": {"attempts": 3, "initial_backoff_seconds": 0.01, "max_backoff_seconds": 0.05},
    "usage": {"lookback_days": 120},
}


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeGcp]:
    """The three fakes serving the acme organization, stopped when the module is done."""
    with running_fakes(acme_org(NOW)) as started:
        started.resource_manager.deadline_seconds = 1.0
        yield started


@pytest.fixture(autouse=True)
def fresh(fakes: FakeGcp) -> None:
    """Each test starts from the seeded organization, no faults and an empty call log."""
    fakes.record.reset()
    fakes.serve(acme_org(NOW))


def settings_for(fakes: FakeGcp, **extra: Any) -> GcpSettings:
    """A gcp source over the whole organization with quick retries (extra keys override)."""
    document = fakes.source(organization=ORG, **QUICK)
    if extra.get("projects") or extra.get("folders"):
        document.pop("organization")
    document.update(extra)
    return GcpSettings.model_validate(document)


@dataclass
class Collected:
    """One collection run through the runner, as the daemon and `auditor scan` run it."""

    result: SourceResult

    @property
    def kinds(self) -> dict[str, int]:
        """Resources per kind."""
        counts: dict[str, int] = {}
        for resource in self.result.resources:
            counts[resource.kind] = counts.get(resource.kind, 0) + 1
        return counts

    def ids(self, kind: str) -> set[str]:
        """Resource ids of one kind."""
        return {r.id for r in self.result.resources if r.kind == kind}

    def data(self, kind: str, resource_id: str) -> dict[str, Any]:
        """One resource's data."""
        return next(r.data for r in self.result.resources if (r.kind, r.id) == (kind, resource_id))

    @property
    def problems(self) -> list[str]:
        """The source's problems."""
        return self.result.problems


def collect(
    settings: GcpSettings,
    history: HistoryStore | None = None,
    now: datetime = NOW,
    pii: PiiLabel | None = None,
) -> Collected:
    """Collect once through the runner (its deadline, its catch-all); `pii` is auditor.yaml's."""
    collector = create_collector(settings)
    try:
        context = CollectorContext(
            now=lambda: now, history=history or HistoryStore(), pii=pii or PiiLabel()
        )
        return Collected(
            run_collection(
                settings.name, "gcp", collector, context, timeout_seconds=settings.timeout_seconds
            )
        )
    finally:
        collector.close()


def findings(collected: Collected, now: datetime = NOW, **params: dict[str, Any]) -> list[Finding]:
    """Findings of the bundled library over a collection (params per rule id)."""
    rules = [
        rule.with_params(params[rule.id]) if rule.id in params else rule
        for rule in load_rules([RULES]).rules
    ]
    evaluation = Engine(rules).evaluate(collected.result.resources, now)
    assert evaluation.errors == []
    return evaluation.findings
