"""The GKE source (kmock API server behind the fault proxy) through every fault of the matrix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fakes.k8s.server import EmulatorServer
from tests.integration.gke.conftest import DEMO, manifests, serve
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import FaultProxy
from tests.reliability.source_case import SourceFault, run_source_cell
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "data-prod"


@dataclass
class Rig:
    """The API server, the proxy in front of it, and a kubeconfig through the proxy."""

    server: EmulatorServer
    proxy: FaultProxy
    kubeconfig: Path

    def source(self) -> dict[str, Any]:
        """The daemon's `type: gke` source, with short timeouts."""
        return {
            "name": SOURCE,
            "type": "gke",
            "kubeconfig": str(self.kubeconfig),
            "cluster": "gke-data-prod",
            "timeout_seconds": 8,
            "request_timeout_seconds": 1,
            "connect_timeout_seconds": 1,
            "max_attempts": 2,
        }

    def faults(self) -> dict[str, SourceFault]:
        """Each matrix fault as the proxy or the server makes it."""
        proxy, emulator = self.proxy, self.server.emulator

        def refuse() -> None:
            proxy.set("refuse")

        def mend() -> None:
            proxy.set("pass")
            emulator.faults.clear()

        def throttle() -> None:
            for plural in ("deployments", "namespaces", "pods", "statefulsets", "daemonsets"):
                emulator.throttle(plural, times=10_000, retry_after=1)

        return {
            "down_at_start": SourceFault(refuse, mend, ("unreachable",)),
            "dies_mid_collection": SourceFault(
                lambda: proxy.set("die_after", limit=3000), mend, ("unreachable",)
            ),
            "slow": SourceFault(lambda: proxy.set("delay", seconds=3), mend, ("timeout",)),
            "rate_limited": SourceFault(throttle, mend, ("unreachable", "timeout")),
            "malformed": SourceFault(
                lambda: proxy.set("truncate", limit=200), mend, ("protocol", "unreachable")
            ),
            "recovers": SourceFault(refuse, mend, ("unreachable",), cycles=3),
        }


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """The demo's workloads served by the emulator, reached through a proxy."""
    with EmulatorServer() as server:
        serve(server.emulator, manifests(DEMO))
        address = urlsplit(server.url)
        proxy = FaultProxy(address.hostname or "127.0.0.1", address.port or 0).start()
        root = tmp_path_factory.mktemp("gke")
        kubeconfig = server.kubeconfig(root / "kubeconfig")
        kubeconfig.write_text(kubeconfig.read_text().replace(server.url, f"http://{proxy.address}"))
        try:
            yield Rig(server, proxy, kubeconfig)
        finally:
            proxy.stop()


@pytest.fixture(scope="module")
def daemon(
    rig: Rig, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    with daemon_under_test(tmp_path_factory.mktemp("gke-daemon"), [rig.source()], receiver) as d:
        yield d


@pytest.mark.parametrize("cell", [f"gke/{f}" for f in live_cells("gke")])
def test_gke_fault(
    cell: str,
    rig: Rig,
    receiver: Receiver,
    daemon: DaemonUnderTest,
    observe: Observation,
    tmp_path: Path,
) -> None:
    """The daemon stays up, says the source is down and why, keeps its findings stale and
    unresolved, and announces the outage and the recovery once each."""

    def start(root: Path) -> AbstractContextManager[DaemonUnderTest]:
        return daemon_under_test(root, [rig.source()], receiver)

    fault_name = cell.split("/")[1]
    observe(run_source_cell(fault_name, rig.faults(), daemon, start, tmp_path, receiver, SOURCE))
