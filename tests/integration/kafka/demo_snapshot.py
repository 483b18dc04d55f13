"""Record the demo estate's Kafka snapshot from a real broker (tansu), scanned over time.

Acme Data's event cluster in miniature: CDC orders kept up with, a storefront sessionizer
that stopped while events keep arriving, a warehouse loader slower than its producers, a CRM
sync that committed one partition of three, a search indexer rewound to the start, PII topics
kept too long, and (this being the test broker) one replica everywhere and a PLAINTEXT
listener on a cluster marked production. Twelve scans two minutes apart on an explicit
clock, then the last collection is written as an `auditor collect` snapshot:

    .venv/bin/python -m tests.integration.kafka.demo_snapshot
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.collectors.base import CollectorContext
from auditor.collectors.kafka import KafkaCollector, KafkaSettings
from auditor.collectors.runner import SourceResult, run_collection
from auditor.model import Inventory
from auditor.snapshot import write_snapshot
from auditor.state import HistoryStore
from tests.integration.kafka.tansu import TansuBroker

OUTPUT = (
    Path(__file__).resolve().parents[3] / "auditor" / "demo" / "estate" / "kafka" / "snapshot.json"
)
START = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
DAY_MS = 86_400_000
TOPICS = {
    "mysql.cdc.shop.orders": (3, {"min.insync.replicas": "2", "retention.ms": str(7 * DAY_MS)}),
    "storefront.events": (3, {"min.insync.replicas": "1", "retention.ms": str(3 * DAY_MS)}),
    "payments.ledger": (2, {"retention.ms": str(30 * DAY_MS)}),
    "customers.profile": (2, {"cleanup.policy": "compact"}),
    "customers.addresses": (2, {"retention.ms": str(90 * DAY_MS)}),
}


def record(broker: TansuBroker, work: Path) -> SourceResult:
    """Run the scenario; the last collection's result."""
    broker.create_topics(
        {name: count for name, (count, _) in TOPICS.items()},
        {name: configs for name, (_, configs) in TOPICS.items()},
    )
    producer = broker.producer()
    settings = KafkaSettings(
        name="acme-events",
        type="kafka",
        bootstrap_servers=[broker.bootstrap],
        environment="production",
    )
    collector = KafkaCollector(settings)
    store = HistoryStore(work / "state.db")
    clock = [START]
    context = CollectorContext(now=lambda: clock[0], history=store)
    committed = {"warehouse-loader": 0, "search-indexer": 0}
    result: SourceResult | None = None
    for scan in range(12):
        for partition in range(3):
            broker.produce("mysql.cdc.shop.orders", 2, partition, producer)
            broker.produce("storefront.events", 3, partition, producer)
        broker.produce("payments.ledger", 4, 0, producer)
        broker.produce("customers.addresses", 1, scan % 2, producer)
        if scan < 2:
            broker.produce("customers.profile", 2, 0, producer)
        orders = {("mysql.cdc.shop.orders", p): 2 * (scan + 1) for p in range(3)}
        broker.commit("etl-orders", orders)
        if scan < 2:
            broker.commit(
                "storefront-sessionizer",
                {("storefront.events", p): 3 * (scan + 1) for p in range(3)},
            )
        committed["warehouse-loader"] += 3
        broker.commit("warehouse-loader", {("payments.ledger", 0): committed["warehouse-loader"]})
        broker.commit("crm-sync", {("customers.profile", 0): min(2 * (scan + 1), 4)})
        committed["search-indexer"] = 0 if scan >= 9 else scan + 1
        broker.commit("search-indexer", {("customers.addresses", 0): committed["search-indexer"]})
        result = run_collection("acme-events", "kafka", collector, context, timeout_seconds=30)
        assert result.health.up, result.health.error
        clock[0] += timedelta(minutes=2)
    collector.close()
    store.close()
    assert result is not None
    return result


def main() -> int:
    """Record and write auditor/demo/estate/kafka/snapshot.json."""
    work = Path(tempfile.mkdtemp(prefix="kafka-demo-"))
    broker = TansuBroker(work / "tansu.log").start()
    try:
        result = record(broker, work)
    finally:
        broker.stop()
    inventory = Inventory(resources=result.resources, sources=[result.health])
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    generated_at = result.health.last_success or START
    write_snapshot(OUTPUT, inventory, generated_at)
    print(f"wrote {len(result.resources)} resources to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
