"""Waivers (accepted risks with an owner and an expiry) and baselines (known findings for CI)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from auditor.config import WaiverConfig
from auditor.errors import InputError, WaiverError
from auditor.model import Finding, FindingStatus
from auditor.report import ExpiredWaiver
from auditor.yaml_lines import read_located

BASELINE_VERSION = 1


@dataclass(frozen=True, slots=True)
class Waiver:
    """A waiver and where it was declared (config file or waivers file)."""

    spec: WaiverConfig
    source: str

    def matches(self, finding: Finding) -> bool:
        """True when the rule glob matches and the resource glob matches its id or scope."""
        ref = finding.resource
        return fnmatchcase(finding.rule_id, self.spec.rule) and (
            fnmatchcase(ref.id, self.spec.resource) or fnmatchcase(ref.scope, self.spec.resource)
        )

    def expired(self, today: date) -> bool:
        """A waiver applies through its expiry date and stops the day after."""
        return today > self.spec.expires


def load_waiver_file(path: Path) -> list[Waiver]:
    """Waivers from a YAML file whose top level is `waivers: [...]`."""
    try:
        document = read_located(path)
    except InputError as exc:
        raise WaiverError(exc.detail, path=exc.path, line=exc.line) from None
    data = document.data
    if not isinstance(data, dict) or set(data) != {"waivers"}:
        raise WaiverError("a waivers file is a mapping with one key, 'waivers'", path=str(path))
    try:
        specs = TypeAdapter(list[WaiverConfig]).validate_python(data["waivers"])
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = ("waivers", *error["loc"])
        field = ".".join(str(p) for p in loc)
        raise WaiverError(
            f"{field}: {error['msg']}", path=str(path), line=document.line_of(loc)
        ) from None
    return [Waiver(spec=spec, source=str(path)) for spec in specs]


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[Waiver], today: date
) -> list[ExpiredWaiver]:
    """Mark findings covered by a live waiver as waived; return the expired waivers.

    An expired waiver no longer applies: its findings stay open and the report lists it.
    """
    # Container waivers act before evaluation, as exemptions on the containers they name.
    live = [w for w in waivers if not w.expired(today) and w.spec.container is None]
    for finding in findings:
        for waiver in live:
            if finding.status is FindingStatus.OPEN and waiver.matches(finding):
                finding.status = FindingStatus.WAIVED
                finding.status_reason = (
                    f"{waiver.spec.reason} (owner {waiver.spec.owner}, "
                    f"until {waiver.spec.expires.isoformat()})"
                )
                break
    return [
        ExpiredWaiver(
            rule=w.spec.rule,
            resource=w.spec.resource,
            owner=w.spec.owner,
            reason=w.spec.reason,
            expires=w.spec.expires.isoformat(),
            source=w.source,
        )
        for w in waivers
        if w.expired(today)
    ]


def write_baseline(path: Path, findings: Iterable[Finding], generated_at: datetime) -> int:
    """Record the fingerprints of open findings; returns how many."""
    entries = {
        f.fingerprint: {"rule_id": f.rule_id, "kind": f.resource.kind, "id": f.resource.id}
        for f in findings
        if f.status is FindingStatus.OPEN
    }
    document = {
        "version": BASELINE_VERSION,
        "generated_at": generated_at.isoformat(),
        "findings": dict(sorted(entries.items())),
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def load_baseline(path: Path) -> set[str]:
    """The fingerprints recorded in a baseline file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise WaiverError(f"cannot read baseline: {exc.strerror or exc}", path=str(path)) from None
    except json.JSONDecodeError as exc:
        raise WaiverError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise WaiverError(
            f"not an auditor baseline (expected version {BASELINE_VERSION})", path=str(path)
        )
    findings = document.get("findings")
    if not isinstance(findings, dict):
        raise WaiverError("baseline 'findings' must be a mapping of fingerprints", path=str(path))
    return set(findings)


def apply_baseline(findings: Iterable[Finding], fingerprints: set[str]) -> None:
    """Open findings already in the baseline become 'baselined'; new ones stay open."""
    for finding in findings:
        if finding.status is FindingStatus.OPEN and finding.fingerprint in fingerprints:
            finding.status = FindingStatus.BASELINED
            finding.status_reason = "in baseline"
