"""The `gcp` source: organization-wide IAM, service accounts, keys, roles, usage, Pub/Sub
backlog and Composer health, read live through Resource Manager v3, IAM admin v1 and
Monitoring v3 with keyless credentials.

Resources: the gcp.* kinds the static gcloud loaders produce (through the same normalisers),
plus gcp.predefined_role, pubsub.subscription and composer.environment
(docs/resource-kinds/gcp.md). Settings and permissions: docs/sources/gcp.md.
"""

from __future__ import annotations

from auditor.collectors.gcp.collector import GcpCollector
from auditor.collectors.gcp.settings import GcpSettings

settings_model = GcpSettings


def create_collector(settings: GcpSettings) -> GcpCollector:
    """The collector for `settings`."""
    return GcpCollector(settings)


__all__ = ["GcpCollector", "GcpSettings", "create_collector", "settings_model"]
