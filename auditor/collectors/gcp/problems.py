"""Failures of one collection, said once per cause: the same denial on 40 projects is one
problem naming the permission and the projects, not 40 lines."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.collectors.gcp.calls import CallFailed, FailureKind

NAMED_TARGETS = 5

# CallFailed kinds in the SourceError vocabulary (auditor.collectors.base).
SOURCE_KINDS = {
    FailureKind.PERMISSION: "permission",
    FailureKind.AUTH: "auth",
    FailureKind.UNAVAILABLE: "unreachable",
    FailureKind.TIMEOUT: "timeout",
    FailureKind.PROTOCOL: "protocol",
    FailureKind.NOT_FOUND: "config",
}


def summarise(failures: Iterable[CallFailed]) -> list[str]:
    """One line per (kind, method, detail, consequence), naming the scopes it hit."""
    groups: dict[tuple[str, str, str, str], list[CallFailed]] = {}
    for failure in failures:
        key = (failure.kind.value, failure.method.value, failure.detail, failure.consequence)
        groups.setdefault(key, []).append(failure)
    lines = []
    for _, members in sorted(groups.items()):
        targets = sorted({failure.target for failure in members})
        named = ", ".join(targets[:NAMED_TARGETS])
        if len(targets) > NAMED_TARGETS:
            named += f", … ({len(targets)} in all)"
        lines.append(members[0].describe(named))
    return lines
