"""Audit log configuration of a policy, and whether Data Access logs are on.

Audit configs are additive down the hierarchy: a log type enabled on an organization or folder
is enabled on every project under it, and exemptions add up the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditor.gcp.policy import AuditConfig

ALL_SERVICES = "allServices"
DATA_ACCESS_LOG_TYPES = ("DATA_READ", "DATA_WRITE")


def audit_configs_facts(configs: Iterable[AuditConfig]) -> dict[str, Any]:
    """{'services': {service: {'log_types': [...], 'exempted_members': [...]}}}, sorted.

    Exempted members of all the service's log types are merged into one list.
    """
    services: dict[str, dict[str, set[str]]] = {}
    for config in configs:
        entry = services.setdefault(config.service, {"log_types": set(), "exempted": set()})
        for log in config.log_configs:
            entry["log_types"].add(log.log_type)
            entry["exempted"].update(log.exempted_members)
    return {
        "services": {
            service: {
                "log_types": sorted(entry["log_types"]),
                "exempted_members": sorted(entry["exempted"]),
            }
            for service, entry in sorted(services.items())
        }
    }


def data_access_logging(configs: Iterable[AuditConfig]) -> tuple[bool, list[str]]:
    """(DATA_READ and DATA_WRITE both on for allServices, members exempted from either).

    `configs` are the audit configs of a scope and of every known ancestor.
    """
    enabled: set[str] = set()
    exempted: set[str] = set()
    for config in configs:
        if config.service != ALL_SERVICES:
            continue
        for log in config.log_configs:
            if log.log_type in DATA_ACCESS_LOG_TYPES:
                enabled.add(log.log_type)
                exempted.update(log.exempted_members)
    return enabled.issuperset(DATA_ACCESS_LOG_TYPES), sorted(exempted)
