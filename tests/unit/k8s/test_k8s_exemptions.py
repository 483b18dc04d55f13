"""The auditor.io/exempt annotation: parsed per workload and per container, typos ignored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.k8s.exemptions import parse_exemptions


def test_rule_and_container_targets_with_reason_and_expiry() -> None:
    """Targets split on commas; `rule:container` narrows; expiry becomes a timestamp."""
    parsed = parse_exemptions(
        {
            "auditor.io/exempt": "gke-workload-privileged:istio-proxy, gke-workload-runs-as-root;"
            " reason=mesh sidecar; expires=2026-12-31"
        }
    )
    assert parsed.warnings == []
    assert parsed.exemptions == [
        {
            "rule": "gke-workload-privileged",
            "container": "istio-proxy",
            "reason": "mesh sidecar",
            "expires": "2026-12-31",
            "expires_at": "2026-12-31T00:00:00Z",
        },
        {
            "rule": "gke-workload-runs-as-root",
            "container": None,
            "reason": "mesh sidecar",
            "expires": "2026-12-31",
            "expires_at": "2026-12-31T00:00:00Z",
        },
    ]


def test_several_lines_and_no_expiry() -> None:
    """Each line is a group; without expires the exemption has no end date."""
    parsed = parse_exemptions({"auditor.io/exempt": "rule-a; reason=one\nrule-b:c; reason=two\n"})
    assert [(e["rule"], e["container"], e["expires_at"]) for e in parsed.exemptions] == [
        ("rule-a", None, None),
        ("rule-b", "c", None),
    ]


def test_malformed_groups_are_ignored_with_warnings() -> None:
    """Missing reason, bad date, unknown setting or bad rule id: dropped, never widened."""
    parsed = parse_exemptions(
        {
            "auditor.io/exempt": "rule-a\n"
            "rule-b; reason=x; expires=31/12/2026\n"
            "rule-c; reason=x; owner=me\n"
            "Rule_D; reason=x\n"
            "rule-e; reason"
        }
    )
    assert parsed.exemptions == []
    assert len(parsed.warnings) == 5


def test_workload_and_pod_annotations_reach_containers(normalise: Callable[..., Any]) -> None:
    """Exemptions from the workload and its pod template land on the workload and each
    container they cover; parse warnings name the object."""
    result = normalise(
        """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: ingest
  annotations: {auditor.io/exempt: "gke-workload-privileged:proxy; reason=mesh"}
spec:
  template:
    metadata:
      annotations: {auditor.io/exempt: "gke-workload-probes-missing; reason=batch\\nbad-one"}
    spec:
      containers: [{name: api, image: a:1}, {name: proxy, image: p:1}]
"""
    )
    data = result.workload("api")
    assert [e["rule"] for e in data["exemptions"]] == [
        "gke-workload-privileged",
        "gke-workload-probes-missing",
    ]
    api, proxy = data["containers"]
    assert [e["rule"] for e in api["exemptions"]] == ["gke-workload-probes-missing"]
    assert [e["rule"] for e in proxy["exemptions"]] == [
        "gke-workload-privileged",
        "gke-workload-probes-missing",
    ]
    assert result.warnings == [
        "Deployment ingest/api: auditor.io/exempt: 'bad-one' has no reason=...; ignored"
    ]
