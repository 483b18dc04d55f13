"""Benchmark the Kafka collector against the minimal careful confluent-kafka script, on tansu.

Estate: 500 consumer groups × 20 partitions (100 topics of 20 partitions, five groups per
topic, every group committed on all 20 partitions), a few records per partition.

The minimal script is what a careful engineer writes to get lag: list topics, list groups, one
ListOffsets (latest) request for all partitions, and the committed offsets of every group,
all requested at once. The collector does that plus what an audit needs: log-start offsets,
topic and broker configs, group descriptions, the offsets history in a SQLite state store,
lag in seconds, Burrow-style status and the resources.

Two settings, runs interleaved, medians reported:
- daemon (steady state): one collector and one client kept between collections, history
  warmed with a full window first; the minimal script reuses one client too;
- one-shot (`auditor scan --source`): a new collector, client and state-store handle per run,
  the store holding a full 64-scan history; the minimal script makes a new client per run.
Requests are counted from librdkafka's own statistics (`tx` summed over brokers).

    .venv/bin/python bench/kafka_lag.py                # 7 runs each
    .venv/bin/python bench/kafka_lag.py --runs 3 --groups 100
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, OffsetSpec  # noqa: E402

from auditor.collectors.base import CollectorContext  # noqa: E402
from auditor.collectors.kafka import KafkaCollector, KafkaSettings  # noqa: E402
from auditor.state import HistoryStore  # noqa: E402
from tests.integration.kafka.tansu import TansuBroker  # noqa: E402

TARGET = 1.3
DOC = ROOT / "docs" / "benchmarks-kafka.md"


class Counted:
    """An AdminClient factory that keeps librdkafka's latest request count per client."""

    def __init__(self) -> None:
        self.tx = 0

    def __call__(self, config: dict[str, Any]) -> AdminClient:
        def on_stats(text: str) -> None:
            stats = json.loads(text)
            self.tx = sum(b["tx"] for b in stats["brokers"].values())

        return AdminClient({**config, "statistics.interval.ms": 100, "stats_cb": on_stats})

    def settle(self, admin: AdminClient) -> int:
        """Requests sent so far by `admin`, after the statistics caught up."""
        time.sleep(0.25)
        admin.poll(0.05)
        return self.tx


def build_estate(broker: TansuBroker, topics: int, partitions: int, groups: int) -> None:
    """Topics with three records per partition; every group commits offset 1 on its topic."""
    names = [f"events.{i:03d}" for i in range(topics)]
    broker.create_topics(dict.fromkeys(names, partitions))
    producer = broker.producer()
    for name in names:
        for partition in range(partitions):
            for _ in range(3):
                producer.produce(name, b"{}", partition=partition)
    producer.flush(60)

    def commit(index: int) -> None:
        topic = names[index % topics]
        broker.commit(f"consumer-{index:03d}", {(topic, p): 1 for p in range(partitions)})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(commit, range(groups)))


def minimal(admin: AdminClient) -> int:
    """The careful script: metadata, groups, one latest-offsets request, all groups' offsets."""
    metadata = admin.list_topics(timeout=30)
    latest = admin.list_offsets(
        {
            TopicPartition(t, p): OffsetSpec.latest()
            for t, meta in metadata.topics.items()
            for p in meta.partitions
        },
        request_timeout=30,
    )
    groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid]
    committed = {}
    for group in groups:
        committed.update(admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)]))
    ends = {(tp.topic, tp.partition): f.result().offset for tp, f in latest.items()}
    lag = 0
    for future in committed.values():
        for tp in future.result().topic_partitions:
            lag += max(0, ends[(tp.topic, tp.partition)] - tp.offset)
    return lag


def timed(run: Callable[[], Any]) -> float:
    """Wall seconds of one call."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    """Build the estate, measure both settings, print and write docs/benchmarks-kafka.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kafka-bench-"))
    broker = TansuBroker(work / "tansu.log").start()
    try:
        started = time.perf_counter()
        build_estate(broker, args.topics, args.partitions, args.groups)
        print(f"estate built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        results = measure(broker, args, work)
    finally:
        broker.stop()
    text = render(results, args)
    print(text)
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")


def measure(broker: TansuBroker, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Interleaved runs of both tools in both settings."""
    settings = KafkaSettings(
        name="bench", type="kafka", bootstrap_servers=[broker.bootstrap], timeout_seconds=120
    )
    clock = [datetime(2026, 11, 26, 6, 0, tzinfo=UTC)]

    def tick() -> datetime:
        clock[0] += timedelta(seconds=60)
        return clock[0]

    store_path = work / "state.db"
    daemon_store = HistoryStore(store_path)
    daemon_count = Counted()
    daemon = KafkaCollector(settings, admin_factory=daemon_count)
    context = CollectorContext(now=tick, history=daemon_store)
    for _ in range(64):  # a full history: what a daemon and a one-shot scan both start from
        daemon.collect(context)
    minimal_count = Counted()
    minimal_admin = minimal_count({"bootstrap.servers": broker.bootstrap, "client.id": "minimal"})
    minimal(minimal_admin)

    def run_daemon() -> tuple[float, int]:
        admin = daemon._reader.admin
        before = daemon_count.settle(admin)
        seconds = timed(lambda: daemon.collect(context))
        return seconds, daemon_count.settle(admin) - before

    def run_minimal_warm() -> tuple[float, int]:
        before = minimal_count.settle(minimal_admin)
        seconds = timed(lambda: minimal(minimal_admin))
        return seconds, minimal_count.settle(minimal_admin) - before

    def run_one_shot() -> tuple[float, int]:
        count = Counted()
        store = HistoryStore(store_path)
        collector = KafkaCollector(settings, admin_factory=count)
        seconds = timed(lambda: collector.collect(CollectorContext(now=tick, history=store)))
        store.close()
        return seconds, count.settle(collector._reader.admin)

    def run_minimal_cold() -> tuple[float, int]:
        count = Counted()
        started = time.perf_counter()
        admin = count({"bootstrap.servers": broker.bootstrap, "client.id": "minimal"})
        minimal(admin)
        seconds = time.perf_counter() - started
        return seconds, count.settle(admin)

    runs = {
        "daemon": run_daemon,
        "minimal-warm": run_minimal_warm,
        "one-shot": run_one_shot,
        "minimal-cold": run_minimal_cold,
    }
    rows: dict[str, list[tuple[float, int]]] = {name: [] for name in runs}
    for _ in range(args.runs):
        for name, run in runs.items():
            rows[name].append(run())
    daemon_store.close()
    return rows


def render(rows: dict[str, list[tuple[float, int]]], args: argparse.Namespace) -> str:
    """The markdown page."""

    def median(name: str, index: int) -> float:
        return statistics.median(r[index] for r in rows[name])

    def spread(name: str) -> str:
        values = [r[0] for r in rows[name]]
        return f"{min(values) * 1000:.0f}–{max(values) * 1000:.0f}"

    lines = [
        "# Benchmark: Kafka collector vs the minimal confluent-kafka script",
        "",
        f"Generated by `bench/kafka_lag.py` on {datetime.now(UTC):%Y-%m-%d} "
        f"({platform.machine()}, {platform.python_version()}, tansu broker on loopback).",
        "",
        f"Estate: {args.groups} consumer groups × {args.partitions} partitions "
        f"({args.topics} topics of {args.partitions} partitions, "
        f"{args.groups // max(args.topics, 1)} groups per topic). {args.runs} interleaved runs, "
        "medians (min–max).",
        "",
        "| setting | collector (ms) | minimal script (ms) | ratio | target | collector requests "
        "| minimal requests |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for setting, mine, theirs in (
        ("daemon, steady state", "daemon", "minimal-warm"),
        ("one-shot scan", "one-shot", "minimal-cold"),
    ):
        ratio = median(mine, 0) / median(theirs, 0)
        verdict = "met" if ratio <= TARGET else "missed"
        lines.append(
            f"| {setting} | {median(mine, 0) * 1000:.0f} ({spread(mine)}) "
            f"| {median(theirs, 0) * 1000:.0f} ({spread(theirs)}) | {ratio:.2f}× "
            f"| ≤ {TARGET}× ({verdict}) | {median(mine, 1):.0f} | {median(theirs, 1):.0f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
