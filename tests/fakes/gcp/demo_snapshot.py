"""Record the demo estate's GCP Monitoring snapshot: the live `gcp` collector reads the seeded
organization from the fakes, and the kinds only the live source produces (Pub/Sub backlog,
Composer health) are written as an `auditor collect` snapshot:

    .venv/bin/python -m tests.fakes.gcp.demo_snapshot

The demo's IAM, accounts, keys and roles stay gcloud exports beside it (the same kinds the
live source makes through the same normalisers).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from auditor.collectors.base import CollectorContext
from auditor.collectors.gcp import GcpSettings, create_collector
from auditor.collectors.runner import run_collection
from auditor.model import Inventory
from auditor.snapshot import write_snapshot
from auditor.state import HistoryStore
from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import running_fakes

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KINDS = {"pubsub.subscription", "composer.environment"}
OUTPUT = (
    Path(__file__).resolve().parents[3] / "auditor" / "demo" / "estate" / "gcp" / "snapshot.json"
)


def main() -> None:
    """Collect from the fakes and write the snapshot."""
    with running_fakes(acme_org(NOW)) as fakes:
        settings = GcpSettings.model_validate(fakes.source("acme-gcp", organization="123456789012"))
        collector = create_collector(settings)
        try:
            context = CollectorContext(now=lambda: NOW, history=HistoryStore())
            result = run_collection("acme-gcp", "gcp", collector, context, timeout_seconds=60)
        finally:
            collector.close()
    assert result.health.up and not result.problems, result.problems
    kept = [r for r in result.resources if r.kind in KINDS]
    health = result.health
    health.resources = len(kept)
    write_snapshot(OUTPUT, Inventory(resources=kept, sources=[health]), NOW)
    print(f"{len(kept)} resource(s) written to {OUTPUT}")


if __name__ == "__main__":
    main()
