"""The MySQL source (a real MariaDB primary + replica, each behind a fault proxy) through every
fault of the matrix. A fault hits both servers, except 'dies mid-collection', which takes the
replica away while the primary answers: the source is partial, the replica's facts retained."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.demo.live import mariadb
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import FaultProxy
from tests.reliability.source_case import SourceFault, run_source_cell
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "shop-db"


@dataclass
class Rig:
    """The replication pair, a proxy in front of each server, the monitor's password file."""

    pair: mariadb.ReplicationPair
    primary: FaultProxy
    replica: FaultProxy
    password_file: Path

    def source(self) -> dict[str, Any]:
        """The daemon's `type: mysql` source through the proxies, with short timeouts."""
        common = {
            "host": "127.0.0.1",
            "user": mariadb.MONITOR_USER,
            "password": {"file": str(self.password_file)},
            "connect_timeout_seconds": 1,
            "read_timeout_seconds": 2,
        }
        return {
            "name": SOURCE,
            "type": "mysql",
            "timeout_seconds": 8,
            "instances": [
                {"name": "primary", "port": self.primary.port, **common},
                {"name": "replica", "port": self.replica.port, "role": "replica", **common},
            ],
        }

    def faults(self) -> dict[str, SourceFault]:
        """Each matrix fault as the proxies make it."""
        both = (self.primary, self.replica)

        def on_both(mode: str, **how: Any) -> None:
            for proxy in both:
                proxy.set(mode, **how)

        def mend() -> None:
            on_both("pass")

        down = ("unreachable",)
        return {
            "down_at_start": SourceFault(lambda: on_both("refuse"), mend, down),
            "dies_mid_collection": SourceFault(
                lambda: self.replica.set("die_after", limit=400), mend, partial=True
            ),
            "slow": SourceFault(lambda: on_both("delay", seconds=3), mend, ("timeout", *down)),
            "malformed": SourceFault(lambda: on_both("garbage"), mend, ("protocol", *down)),
            "recovers": SourceFault(lambda: on_both("refuse"), mend, down, cycles=3),
        }


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    """A replica held an hour behind with a write pending (a lag finding), behind proxies."""
    root = tmp_path_factory.mktemp("mariadb")
    with mariadb.running_pair(root) as pair:
        pair.change_master(delay=3600)
        pair.primary.sql("INSERT INTO shop.orders VALUES (1, 1, 9.99)")
        password = root / "monitor-password"
        password.write_text(mariadb.MONITOR_PASSWORD)
        password.chmod(0o600)
        primary = FaultProxy("127.0.0.1", pair.primary.port).start()
        replica = FaultProxy("127.0.0.1", pair.replica.port).start()
        try:
            yield Rig(pair, primary, replica, password)
        finally:
            primary.stop()
            replica.stop()


@pytest.fixture(scope="module")
def daemon(
    rig: Rig, receiver: Receiver, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    root = tmp_path_factory.mktemp("mysql-daemon")
    with daemon_under_test(root, [rig.source()], receiver) as running:
        yield running


@pytest.mark.parametrize("cell", [f"mysql/{f}" for f in live_cells("mysql")])
def test_mysql_fault(
    cell: str,
    rig: Rig,
    receiver: Receiver,
    daemon: DaemonUnderTest,
    observe: Observation,
    tmp_path: Path,
) -> None:
    """The daemon stays up, says what failed and why, keeps the servers' findings open and
    unresolved, and announces the outage and the recovery once each."""

    def start(root: Path) -> AbstractContextManager[DaemonUnderTest]:
        return daemon_under_test(root, [rig.source()], receiver)

    fault_name = cell.split("/")[1]
    observe(run_source_cell(fault_name, rig.faults(), daemon, start, tmp_path, receiver, SOURCE))
