"""Real-shaped findings for the state store tests."""

from __future__ import annotations

from auditor.model import Category, Finding, FindingStatus, ResourceRef, Severity


def finding(
    rule_id: str = "kafka-group-lagging",
    resource_id: str = "prod/orders-consumer",
    *,
    source: str = "kafka-prod",
    kind: str = "kafka.consumer_group",
    severity: Severity = Severity.HIGH,
    status: FindingStatus = FindingStatus.OPEN,
) -> Finding:
    """A finding on one resource of `source`."""
    return Finding(
        rule_id=rule_id,
        severity=severity,
        category=Category.FRESHNESS,
        resource=ResourceRef(kind=kind, id=resource_id, scope="prod", source=source),
        message=f"{resource_id} is lagging",
        remediation="Scale the consumers.",
        evidence={"lag_offsets": 1200},
        status=status,
    )
