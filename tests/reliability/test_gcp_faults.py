"""The GCP source (the Resource Manager, IAM admin, Monitoring and Asset fakes, each behind a
fault proxy, read through Google's client libraries) through every fault of the matrix.
Rate limits and malformed pages come from the fakes' own fault injection, as Google sends them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.fakes.gcp.faults import PERMISSIONS
from tests.fakes.gcp.seed import acme_org
from tests.fakes.gcp.server import FakeGcp, running_fakes
from tests.integration.gcp.conftest import NOW, ORG
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import FaultProxy
from tests.reliability.source_case import SourceFault, run_source_cell
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "gcp-acme"


@dataclass
class Rig:
    """The fakes and one proxy per endpoint."""

    fakes: FakeGcp
    proxies: dict[str, FaultProxy]

    def source(self) -> dict[str, Any]:
        """The daemon's `type: gcp` source over the organization, through the proxies."""
        document = self.fakes.source(
            name=SOURCE,
            organization=ORG,
            call_timeout_seconds=0.5,
            retry={"attempts": 2, "initial_backoff_seconds": 0.01, "max_backoff_seconds": 0.05},
            usage={"lookback_days": 120},
            timeout_seconds=6,
        )
        document["endpoints"] = {
            api: f"http://{proxy.address}" for api, proxy in self.proxies.items()
        }
        return document

    def faults(self) -> dict[str, SourceFault]:
        """Each matrix fault as the proxies or the fakes make it."""

        def everywhere(mode: str, **how: Any) -> None:
            for proxy in self.proxies.values():
                proxy.set(mode, **how)

        def inject(kind: str) -> None:
            for method in PERMISSIONS:
                self.fakes.inject(method, kind, times=None)

        def mend() -> None:
            everywhere("pass")
            self.fakes.record.reset()

        down = ("unreachable",)
        return {
            "down_at_start": SourceFault(lambda: everywhere("refuse"), mend, down),
            # Resource Manager answers; the IAM backend dies after its first bytes: the
            # projects are read, their service accounts and keys are not (a partial read).
            "dies_mid_collection": SourceFault(
                lambda: self.proxies["iam"].set("die_after", limit=200),
                mend,
                partial=True,
                reconnect_seconds=2.5,
            ),
            "slow": SourceFault(
                lambda: everywhere("delay", seconds=2),
                mend,
                ("timeout", *down),
                reconnect_seconds=2.5,  # answers already held back drain first
            ),
            "rate_limited": SourceFault(lambda: inject("rate_limited"), mend, (*down, "timeout")),
            "malformed": SourceFault(lambda: inject("malformed"), mend, ("protocol", *down)),
            "recovers": SourceFault(lambda: everywhere("refuse"), mend, down, cycles=3),
        }


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    """The acme organization served by the fakes, each endpoint behind a proxy."""
    with running_fakes(acme_org(NOW)) as fakes:
        proxies = {}
        for api, endpoint in fakes.endpoints.items():
            address = urlsplit(endpoint)
            proxies[api] = FaultProxy(address.hostname or "", address.port or 0).start()
        try:
            yield Rig(fakes, proxies)
        finally:
            for proxy in proxies.values():
                proxy.stop()


@pytest.fixture(scope="module")
def daemon(
    rig: Rig, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    root = tmp_path_factory.mktemp("gcp-daemon")
    with daemon_under_test(root, [rig.source()], receiver) as running:
        yield running


@pytest.mark.parametrize("cell", [f"gcp/{f}" for f in live_cells("gcp")])
def test_gcp_fault(
    cell: str,
    rig: Rig,
    receiver: Receiver,
    daemon: DaemonUnderTest,
    observe: Observation,
    tmp_path: Path,
) -> None:
    """The daemon stays up, says the APIs failed and why, keeps the organization's findings
    open and unresolved, and announces the outage and the recovery once each."""

    def start(root: Path) -> AbstractContextManager[DaemonUnderTest]:
        return daemon_under_test(root, [rig.source()], receiver)

    fault_name = cell.split("/")[1]
    observe(run_source_cell(fault_name, rig.faults(), daemon, start, tmp_path, receiver, SOURCE))
