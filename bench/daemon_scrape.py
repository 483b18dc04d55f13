"""/metrics with many open findings: scrape time and size through the daemon's HTTP server.

    .venv/bin/python bench/daemon_scrape.py --findings 10000 --scrapes 50

Builds a state store with N open findings over 400 rules, 5 severities, 6 categories and 12
sources, a snapshot with 500 Kafka groups, 60 replication channels, 300 DAGs and 200 Pub/Sub
subscriptions, serves it with the daemon's HTTP server and the Prometheus collector, and
scrapes /metrics over HTTP. Figures go to docs/benchmarks-daemon.md by hand.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.daemon.http import Endpoints, HttpServer
from auditor.daemon.metrics import MetricsInput, metrics_registry
from auditor.daemon.snapshot import DaemonSnapshot, SourceView
from auditor.model import Category, Finding, Resource, ResourceRef, Severity, SourceHealth
from auditor.state import StateStore

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
SEVERITIES = list(Severity)
CATEGORIES = list(Category)


def findings(n: int, source: str, offset: int) -> list[Finding]:
    return [
        Finding(
            # A rule has one severity and category (escalations aside), as in the library.
            rule_id=f"rule-{(offset + i) % 400:03d}",
            severity=SEVERITIES[((offset + i) % 400) % 5],
            category=CATEGORIES[((offset + i) % 400) % 6],
            resource=ResourceRef(
                kind="k8s.workload", id=f"{source}/w{i}", scope="s", source=source
            ),
            message="m",
            remediation="r",
        )
        for i in range(n)
    ]


def snapshot(sources: int) -> DaemonSnapshot:
    snap = DaemonSnapshot(expected_sources=frozenset(f"src-{i}" for i in range(sources)))
    pipeline: list[Resource] = []
    for i in range(500):
        pipeline.append(
            Resource(
                "kafka.consumer_group",
                f"prod/g{i}",
                "src-0",
                "prod",
                {
                    "name": f"g{i}",
                    "cluster": "prod",
                    "lag": i,
                    "lag_seconds": i / 2,
                    "partitions_without_offset": 0,
                    "status": "OK",
                },
            )
        )
    for i in range(60):
        pipeline.append(
            Resource(
                "mysql.replication_channel",
                f"r{i}/default",
                "src-0",
                f"r{i}",
                {
                    "instance": f"r{i}",
                    "channel": "",
                    "configured": True,
                    "io_running": True,
                    "sql_running": True,
                    "lag_known": True,
                    "lag_seconds": 1.0,
                },
            )
        )
    for i in range(300):
        pipeline.append(
            Resource(
                "airflow.dag",
                f"env/d{i}",
                "src-0",
                "env",
                {
                    "dag_id": f"d{i}",
                    "environment": "env",
                    "is_paused": False,
                    "last_success_end_date": "2026-11-26T05:00:00+00:00",
                    "last_success_data_interval_end": "2026-11-26T04:00:00+00:00",
                },
            )
        )
    for i in range(200):
        pipeline.append(Resource("pubsub.subscription", f"p/s{i}", "src-0", "p",
                                 {"project_id": "p", "subscription_id": f"s{i}",
                                  "oldest_unacked_message_age_seconds": 3,
                                  "num_undelivered_messages": 10}))  # fmt: skip
    for i in range(sources):
        snap.publish(
            SourceView(
                health=SourceHealth(name=f"src-{i}", type="files", up=True, last_success=NOW),
                resources=tuple(pipeline if i == 0 else ()),
                stale=False,
                cycle_at=NOW,
            )
        )
    return snap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--scrapes", type=int, default=50)
    args = parser.parse_args()
    sources = 12
    with tempfile.TemporaryDirectory() as root:
        store = StateStore(Path(root) / "state.db")
        per_source = args.findings // sources
        for i in range(sources):
            store.record_cycle(f"src-{i}", findings(per_source, f"src-{i}", i * per_source), NOW,
                               source_up=True, notify=lambda _c: [])  # fmt: skip
        total = len(store.findings())
        snap = snapshot(sources)
        registry = metrics_registry(
            MetricsInput(
                snapshot=snap,
                counts=store.finding_counts,
                open_fingerprints=store.open_fingerprints,
            )
        )
        server = HttpServer(
            "127.0.0.1", 0, Endpoints(registry, lambda: (True, "ready"), store.findings)
        )
        server.start()
        url = f"http://127.0.0.1:{server.port}/metrics"
        times, size, series = [], 0, 0
        for _ in range(args.scrapes):
            t0 = time.perf_counter()
            with urllib.request.urlopen(url) as response:
                body = response.read()
            times.append((time.perf_counter() - t0) * 1000)
            size = len(body)
            series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        server.stop()
        store.close()
    times.sort()
    print(f"open findings: {total}; scrapes: {args.scrapes}")
    print(
        f"scrape ms: median {statistics.median(times):.1f}, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f}, max {times[-1]:.1f}"
    )
    print(f"exposition: {size / 1024:.0f} KiB, {series} series")


if __name__ == "__main__":
    main()
