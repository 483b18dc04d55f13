"""Per-workload and per-container rule exemptions: the `auditor.io/exempt` annotation, and
config waivers that name a container.

Annotation format (one group per line when a value holds several; a folded scalar is one line):

    auditor.io/exempt: >-
      gke-workload-privileged:istio-proxy,gke-workload-runs-as-root;
      reason=mesh sidecar; expires=2026-12-31

`rule` alone exempts the whole workload; `rule:container` only that container. A reason and an
expiry are required, so an exemption can never quietly become permanent; `expires` is the last
day it applies (UTC), as for waivers.

Both sources produce the same entry, `{rule, container, reason, expires, expires_at, source}`,
and rules check it the same way against `now`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from auditor.model import Resource

if TYPE_CHECKING:
    from auditor.waivers import Waiver

EXEMPT_ANNOTATION = "auditor.io/exempt"
WORKLOAD_KIND = "k8s.workload"
_RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(slots=True)
class ParsedExemptions:
    """Exemptions as resource data, plus warnings for groups that were ignored."""

    exemptions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_exemptions(*annotation_maps: Mapping[str, str]) -> ParsedExemptions:
    """Exemptions from the `auditor.io/exempt` annotation of each map, without duplicates.

    Each exemption is {rule, container, reason, expires, expires_at, source}; a malformed group
    (no reason, no or a bad expiry, an unknown key, a bad rule id) is dropped with a warning, so
    a typo never exempts more, or for longer, than it says.
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
    expires = options.get("expires", "")
    if not expires:
        parsed.warnings.append(
            f"{EXEMPT_ANNOTATION}: '{targets}' has no expires=YYYY-MM-DD "
            "(an exemption must end); ignored"
        )
        return
    try:
        last_day = date.fromisoformat(expires)
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
        entry = exemption(rule, container.strip() or None, reason, last_day, "annotation")
        identity = (rule, entry["container"], reason, expires)
        if identity in seen:
            continue
        seen.add(identity)
        parsed.exemptions.append(entry)


def exemption(
    rule: str, container: str | None, reason: str, last_day: date, source: str
) -> dict[str, Any]:
    """One exemption entry; it applies through `last_day` and ends at the next midnight UTC."""
    return {
        "rule": rule,
        "container": container,
        "reason": reason,
        "expires": last_day.isoformat(),
        "expires_at": (last_day + timedelta(days=1)).isoformat() + "T00:00:00Z",
        "source": source,
    }


def for_container(exemptions: list[dict[str, Any]], container: str) -> list[dict[str, Any]]:
    """The exemptions that cover `container`: its own and the whole-workload ones."""
    return [e for e in exemptions if e["container"] in (None, container)]


def apply_container_waivers(
    resources: list[Resource], waivers: Sequence[Waiver], rule_ids: Sequence[str], today: date
) -> None:
    """Turn live config waivers that name a container into exemptions on those containers.

    A waiver applies to a k8s.workload whose id or scope its `resource` glob matches; for each
    rule id its `rule` glob matches and each container its `container` glob matches, the
    container's `exemptions` and the workload's get an entry with `source: waiver` (naming the
    container, so workload-level rules are not exempted). Expired waivers and waivers without
    a container are left to the post-evaluation waiver step. Applying twice adds nothing.
    """
    live = [w for w in waivers if w.spec.container is not None and not w.expired(today)]
    if not live:
        return
    for resource in resources:
        if resource.kind != WORKLOAD_KIND:
            continue
        for waiver in live:
            spec = waiver.spec
            if not (
                fnmatchcase(resource.id, spec.resource)
                or fnmatchcase(resource.scope, spec.resource)
            ):
                continue
            rules = [r for r in rule_ids if fnmatchcase(r, spec.rule)]
            for container in resource.data["containers"]:
                if not fnmatchcase(container["name"], spec.container or ""):
                    continue
                for rule in rules:
                    entry = exemption(rule, container["name"], spec.reason, spec.expires, "waiver")
                    _append_once(container["exemptions"], entry)
                    _append_once(resource.data["exemptions"], entry)


def _append_once(exemptions: list[dict[str, Any]], entry: dict[str, Any]) -> None:
    if entry not in exemptions:
        exemptions.append(entry)
