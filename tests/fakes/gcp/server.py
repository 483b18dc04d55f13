"""The GCP fakes (Resource Manager, IAM admin, Monitoring, Cloud Asset Inventory) started
together on 127.0.0.1, sharing one organization and record."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.fakes.gcp.asset import AssetFake, data_platform
from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.faults import FakeRecord, Fault
from tests.fakes.gcp.iam_admin import IamAdminFake
from tests.fakes.gcp.monitoring import MonitoringFake
from tests.fakes.gcp.resource_manager import ResourceManagerFake


@dataclass
class FakeGcp:
    """Running fakes: their endpoints, the organization they serve, and the record."""

    org: FakeOrganization
    record: FakeRecord
    resource_manager: ResourceManagerFake
    iam: IamAdminFake
    monitoring: MonitoringFake
    asset: AssetFake

    @property
    def endpoints(self) -> dict[str, str]:
        """The `endpoints:` settings of a gcp source reading these fakes."""
        return {
            "resource_manager": self.resource_manager.endpoint,
            "iam": self.iam.grpc.endpoint,
            "monitoring": self.monitoring.grpc.endpoint,
            "asset": self.asset.grpc.endpoint,
        }

    def source(self, name: str = "gcp-fake", **settings: Any) -> dict[str, Any]:
        """A gcp source's settings reading these fakes (anonymous auth)."""
        return {
            "name": name,
            "type": "gcp",
            "auth": {"type": "anonymous"},
            "endpoints": self.endpoints,
            **settings,
        }

    def inject(
        self, method: str, kind: str, target: str | None = None, times: int | None = 1
    ) -> None:
        """Add a fault (see tests/fakes/gcp/faults.py)."""
        self.record.inject(Fault(method, kind, target, times))

    def serve(self, org: FakeOrganization) -> None:
        """Serve another organization from now on."""
        self.org = org
        self.resource_manager.org = org
        self.iam.org = org
        self.monitoring.org = org


@contextmanager
def running_fakes(org: FakeOrganization, latency: float = 0.0) -> Iterator[FakeGcp]:
    """Start the fakes; stop them on exit."""
    record = FakeRecord()
    fakes = FakeGcp(
        org,
        record,
        ResourceManagerFake(org, record, latency),
        IamAdminFake(org, record, latency),
        MonitoringFake(org, record, latency),
        AssetFake(data_platform(), record, latency),
    )
    fakes.resource_manager.start()
    fakes.iam.grpc.start()
    fakes.monitoring.grpc.start()
    fakes.asset.grpc.start()
    try:
        yield fakes
    finally:
        fakes.resource_manager.stop()
        fakes.iam.grpc.stop()
        fakes.monitoring.grpc.stop()
        fakes.asset.grpc.stop()
