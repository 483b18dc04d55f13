"""What the live demo starts, each piece broken the way production breaks, and the daemon
source that reads it.

Each starter enters what it starts into the caller's ExitStack (so it is stopped whatever
happens next) and returns its source entry for auditor.yaml, or raises Unavailable with one
plain sentence when this machine cannot run it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor.demo.live.processes import ServiceError
from auditor.paths import demo_dir

Announce = Callable[[str], None]

# Seconds, not minutes, so the demo shows its findings within two cycles: a group's lag in
# seconds is first known at its second scan, as at least one interval (>= MIN_INTERVAL_SECONDS).
MIN_INTERVAL_SECONDS = 3.0
DEMO_PARAMS: dict[str, dict[str, Any]] = {
    "mysql-replication-lag": {"max_lag_seconds": 2},
    "kafka-group-lag-seconds": {"max_lag_seconds": 2},
}
REPLICA_DELAY_SECONDS = 3600
TOPIC, LAGGING_GROUP = "orders.cdc", "warehouse-loader"
STALE_DAG, FRESH_DAG = "orders_hourly", "customers_daily"


class Unavailable(Exception):
    """This machine cannot run the component; the message says why, in one sentence."""


@dataclass
class Started:
    """One started component: its daemon source, what to tell the user, and its processes."""

    source: dict[str, Any]
    description: str
    pids: list[int] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    headline: tuple[str, ...] = ()  # the rules its breakage should fire


HEADLINE_RULES = {
    "mysql": ("mysql-replication-lag",),
    "kafka": ("kafka-group-lag-seconds", "kafka-group-stalled", "kafka-group-lag-growing"),
    "airflow": ("airflow-dag-data-stale",),
}


@dataclass(frozen=True)
class Context:
    """Where a starter writes (its own directory), the secrets folder, the daemon's interval."""

    workdir: Path
    secrets: Path
    interval_seconds: float
    announce: Announce

    def secret(self, name: str, value: str) -> dict[str, str]:
        """Write a secret file (mode 600) and return its `{file: PATH}` reference."""
        path = self.secrets / name
        path.write_text(value)
        path.chmod(0o600)
        return {"file": str(path)}


def static_estate(interval_seconds: float) -> dict[str, Any]:
    """The bundled manifests and IAM policies (what `auditor scan --demo` reads, without the
    recorded MySQL, Kafka and Airflow snapshots: those run live here)."""
    estate = demo_dir() / "estate"
    return {
        "name": "estate",
        "type": "files",
        "paths": [str(estate / "k8s"), str(estate / "gcp")],
        "cluster": "gke-prod-europe-west1",
        "interval_seconds": max(interval_seconds, 30.0),  # files change rarely; save the CPU
    }


def start_mariadb(stack: ExitStack, context: Context) -> Started:
    """A MariaDB primary and a replica held an hour behind (MASTER_DELAY) with a write pending."""
    from auditor.demo.live import mariadb  # pymysql only when MariaDB runs

    missing = mariadb.missing_binaries()
    if missing:
        raise Unavailable(
            f"{' and '.join(missing)} not found on PATH (Debian: apt-get install mariadb-server)"
        )
    pair = stack.enter_context(mariadb.running_pair(context.workdir))
    pair.change_master(delay=REPLICA_DELAY_SECONDS)
    pair.primary.sql("INSERT INTO shop.orders VALUES (1, 1, 9.99)")
    password = context.secret("mysql-password", mariadb.MONITOR_PASSWORD)
    instance = {"host": "127.0.0.1", "user": mariadb.MONITOR_USER, "password": password}
    servers = (pair.primary, pair.replica)
    return Started(
        source={
            "name": "shop-db",
            "type": "mysql",
            "interval_seconds": context.interval_seconds,
            "instances": [
                {"name": "primary", "port": pair.primary.port, **instance},
                {"name": "replica", "port": pair.replica.port, "role": "replica", **instance},
            ],
        },
        description=(
            f"MariaDB primary 127.0.0.1:{pair.primary.port}, replica 127.0.0.1:"
            f"{pair.replica.port} held {REPLICA_DELAY_SECONDS} s behind (MASTER_DELAY)"
        ),
        pids=[s.process.pid for s in servers if s.process is not None],
        ports=[s.port for s in servers],
        headline=HEADLINE_RULES["mysql"],
    )


def start_kafka(stack: ExitStack, context: Context) -> Started:
    """A tansu broker; `warehouse-loader` committed 20 records behind while a producer keeps
    writing to its topic."""
    from auditor.demo.live import kafka  # confluent-kafka only when tansu runs

    try:
        kafka.tansu_binary()
    except ServiceError as exc:
        raise Unavailable(str(exc)) from None
    broker = kafka.TansuBroker(context.workdir / "tansu.log").start()
    stack.callback(broker.stop)
    pid = broker.process.pid if broker.process is not None else 0
    broker.create_topics({TOPIC: 1})
    broker.produce(TOPIC, 30)
    broker.commit(LAGGING_GROUP, {(TOPIC, 0): 10})
    stack.callback(kafka.Trickle(broker, TOPIC, every=2.0).start().stop)
    return Started(
        source={
            "name": "events",
            "type": "kafka",
            "bootstrap_servers": [broker.bootstrap],
            "environment": "production",
            "interval_seconds": context.interval_seconds,
            "lag": {"window_scans": 4, "min_scans": 3},
        },
        description=(
            f"tansu broker {broker.bootstrap}: group {LAGGING_GROUP} stopped 20 records behind "
            f"on {TOPIC} while a producer writes one record every 2 s"
        ),
        pids=[pid],
        ports=[broker.port],
        headline=HEADLINE_RULES["kafka"],
    )


def start_airflow(stack: ExitStack, context: Context) -> Started:
    """Airflow 3 (API server + DAG processor) whose `orders_hourly` last succeeded two days
    ago and then failed; `customers_daily` is fresh."""
    from auditor.demo.live import airflow  # requests only when Airflow runs

    try:
        venv = airflow.airflow_venv(announce=context.announce)
    except (ServiceError, OSError, TimeoutError) as exc:
        raise Unavailable(str(exc)) from None
    dags = context.workdir / "dags"
    dags.mkdir()
    now = datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    long_ago = now - timedelta(days=30)
    (dags / "orders.py").write_text(airflow.dag_source(STALE_DAG, "@hourly", long_ago))
    (dags / "customers.py").write_text(airflow.dag_source(FRESH_DAG, "@daily", long_ago))
    context.announce("starting Airflow (API server, DAG processor; ~30 s)")
    running = stack.enter_context(airflow.running_airflow(venv, context.workdir, dags))
    airflow.wait_for(lambda: running.dag_ids() >= {STALE_DAG, FRESH_DAG}, "DAGs parsed", 240)
    for dag_id in (STALE_DAG, FRESH_DAG):
        running.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
    stale_end = hour - timedelta(days=2)
    running.record_run(STALE_DAG, "ok", stale_end, "success", stale_end - timedelta(hours=1))
    for n, back in enumerate((timedelta(hours=12), timedelta(hours=2))):
        end = hour - back
        running.record_run(STALE_DAG, f"fail-{n}", end, "failed", end - timedelta(hours=1))
    day = hour.replace(hour=0)
    running.record_run(FRESH_DAG, "ok", day, "success", day - timedelta(days=1))
    port = int(running.url.rsplit(":", 1)[1])
    return Started(
        source={
            "name": "airflow",
            "type": "airflow",
            "url": running.url,
            "platform": "airflow",
            "auth": {
                "type": "jwt",
                "username": "admin",
                "password": context.secret("airflow-password", airflow.ADMIN_PASSWORD),
            },
            "interval_seconds": context.interval_seconds,
        },
        description=(
            f"Airflow {airflow.AIRFLOW_VERSION} API {running.url}: {STALE_DAG} last succeeded "
            f"2 days ago, then failed; {FRESH_DAG} is fresh"
        ),
        pids=list(running.pids),
        ports=[port],
        headline=HEADLINE_RULES["airflow"],
    )


@dataclass(frozen=True)
class Component:
    """One piece of the live estate: its key (for --skip), what it is, and its starter."""

    key: str
    title: str
    start: Callable[[ExitStack, Context], Started]


COMPONENTS = (
    Component("mysql", "MariaDB primary + lagging replica", start_mariadb),
    Component("kafka", "tansu broker + lagging consumer group", start_kafka),
    Component("airflow", "Airflow 3 with a stale DAG", start_airflow),
)
