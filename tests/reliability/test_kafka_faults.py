"""The Kafka source (a real tansu broker behind the fault proxy) through every fault of the
matrix. The broker advertises the proxy's address, so every connection goes through it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from auditor.demo.live.kafka import TansuBroker, tansu_binary
from auditor.demo.live.processes import free_port, wait_until
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import FaultProxy
from tests.reliability.source_case import SourceFault, run_source_cell
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "events"
DOWN = ("unreachable", "timeout")


class ProxiedBroker(TansuBroker):
    """tansu listening on its own port but advertising the proxy's, started by PID."""

    def __init__(self, log_path: Path, proxy: FaultProxy, listen_port: int) -> None:
        super().__init__(log_path)
        self.proxy = proxy
        self.listen_port = listen_port

    def start(self, attempts: int = 1) -> ProxiedBroker:
        """Start tansu and wait until it answers through the proxy."""
        self.port = self.proxy.port  # clients (and the helpers below) go through the proxy
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(tansu_binary()),
                    "broker",
                    "--listener-url",
                    f"tcp://127.0.0.1:{self.listen_port}",
                    "--advertised-listener-url",
                    f"tcp://{self.proxy.address}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: self._wait_ready(timeout=2), timeout=20)
        return self


def _source(bootstrap: str) -> dict[str, Any]:
    return {
        "name": SOURCE,
        "type": "kafka",
        "bootstrap_servers": [bootstrap],
        "environment": "production",
        "timeout_seconds": 6,
        "request_timeout_seconds": 2,
    }


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedBroker]:
    """A broker with a single-replica topic and a committed consumer group."""
    listen = free_port()
    proxy = FaultProxy("127.0.0.1", listen).start()
    started = ProxiedBroker(tmp_path_factory.mktemp("tansu") / "tansu.log", proxy, listen)
    try:
        started.start()
        started.create_topics({"orders.cdc": 1})
        started.produce("orders.cdc", 3)
        started.commit("warehouse-loader", {("orders.cdc", 0): 1})
        yield started
    finally:
        started.stop()
        proxy.stop()


@pytest.fixture(scope="module")
def daemon(
    broker: ProxiedBroker, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    root = tmp_path_factory.mktemp("kafka-daemon")
    with daemon_under_test(root, [_source(broker.bootstrap)], receiver) as running:
        yield running


def _faults(proxy: FaultProxy) -> dict[str, SourceFault]:
    def mend() -> None:
        proxy.set("pass")

    return {
        "down_at_start": SourceFault(lambda: proxy.set("refuse"), mend, DOWN),
        "dies_mid_collection": SourceFault(lambda: proxy.set("die_after", limit=600), mend, DOWN),
        "slow": SourceFault(lambda: proxy.set("delay", seconds=4), mend, ("timeout",)),
        "malformed": SourceFault(lambda: proxy.set("garbage"), mend, (*DOWN, "protocol")),
        "recovers": SourceFault(lambda: proxy.set("refuse"), mend, DOWN, cycles=3),
    }


@pytest.mark.parametrize("cell", [f"kafka/{f}" for f in live_cells("kafka")])
def test_kafka_fault(
    cell: str,
    broker: ProxiedBroker,
    receiver: Receiver,
    daemon: DaemonUnderTest,
    observe: Observation,
    tmp_path: Path,
) -> None:
    """The daemon stays up, says the broker is down and why, keeps the cluster's findings stale
    and unresolved, and announces the outage and the recovery once each."""

    def start(root: Path) -> AbstractContextManager[DaemonUnderTest]:
        return daemon_under_test(root, [_source(broker.bootstrap)], receiver)

    fault_name = cell.split("/")[1]
    observe(
        run_source_cell(
            fault_name, _faults(broker.proxy), daemon, start, tmp_path, receiver, SOURCE
        )
    )
