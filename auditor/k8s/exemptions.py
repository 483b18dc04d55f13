"""The `auditor.io/exempt` annotation: per-workload and per-container rule exemptions.

Format (one group per line when a value holds several; a folded scalar is one line):

    auditor.io/exempt: >-
      gke-workload-privileged:istio-proxy,gke-workload-runs-as-root;
      reason=mesh sidecar; expires=2026-12-31

`rule` alone exempts the whole workload; `rule:container` only that container. A reason is
required; `expires` is optional and ends the exemption at the start of that day (UTC).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

EXEMPT_ANNOTATION = "auditor.io/exempt"
_RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(slots=True)
class ParsedExemptions:
    """Exemptions as resource data, plus warnings for groups that were ignored."""

    exemptions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_exemptions(*annotation_maps: Mapping[str, str]) -> ParsedExemptions:
    """Exemptions from the `auditor.io/exempt` annotation of each map, without duplicates.

    Each exemption is {rule, container, reason, expires, expires_at}; a malformed group is
    dropped with a warning, so a typo never exempts more than it says.
    """
    parsed = ParsedExemptions()
    seen: set[tuple[Any, ...]] = set()
    for annotation_map in annotation_maps:
        value = annotation_map.get(EXEMPT_ANNOTATION)
        if not value:
            continue
        for line in value.splitlines():
            if line.strip():
                _parse_group(line.strip(), parsed, seen)
    return parsed


def _parse_group(group: str, parsed: ParsedExemptions, seen: set[tuple[Any, ...]]) -> None:
    targets, *settings = (part.strip() for part in group.split(";"))
    options: dict[str, str] = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep:
            parsed.warnings.append(f"{EXEMPT_ANNOTATION}: '{setting}' is not key=value; ignored")
            return
        options[key.strip().lower()] = value.strip()
    unknown = sorted(set(options) - {"reason", "expires"})
    if unknown:
        parsed.warnings.append(f"{EXEMPT_ANNOTATION}: unknown setting {unknown[0]!r}; ignored")
        return
    reason = options.get("reason", "")
    if not reason:
        parsed.warnings.append(f"{EXEMPT_ANNOTATION}: '{targets}' has no reason=...; ignored")
        return
    expires = options.get("expires") or None
    expires_at = None
    if expires is not None:
        try:
            expires_at = date.fromisoformat(expires).isoformat() + "T00:00:00Z"
        except ValueError:
            parsed.warnings.append(
                f"{EXEMPT_ANNOTATION}: expires {expires!r} is not a date YYYY-MM-DD; ignored"
            )
            return
    for target in (t.strip() for t in targets.split(",")):
        rule, _, container = target.partition(":")
        rule = rule.strip()
        if not _RULE_ID.match(rule):
            parsed.warnings.append(f"{EXEMPT_ANNOTATION}: {rule!r} is not a rule id; ignored")
            continue
        entry = (rule, container.strip() or None, reason, expires)
        if entry in seen:
            continue
        seen.add(entry)
        parsed.exemptions.append(
            {
                "rule": rule,
                "container": entry[1],
                "reason": reason,
                "expires": expires,
                "expires_at": expires_at,
            }
        )


def for_container(exemptions: list[dict[str, Any]], container: str) -> list[dict[str, Any]]:
    """The exemptions that cover `container`: its own and the whole-workload ones."""
    return [e for e in exemptions if e["container"] in (None, container)]
