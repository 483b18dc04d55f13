"""Exemptions: the auditor.io/exempt annotation (reason and expiry required) and config
waivers that name a container, both landing on the containers they cover."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from auditor.config import WaiverConfig
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules
from auditor.k8s.exemptions import apply_container_waivers, parse_exemptions
from auditor.model import Resource
from auditor.waivers import Waiver

REPO = Path(__file__).resolve().parents[3]
TODAY = date(2026, 3, 1)
MESH_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ingest}
spec:
  template:
    spec:
      initContainers:
        - {name: istio-init, image: "istio/proxyv2:1.22.1", securityContext: {privileged: true}}
      containers:
        - {name: api, image: "api:1.0.0", securityContext: {privileged: true}}
        - {name: istio-proxy, image: "istio/proxyv2:1.22.1", securityContext: {privileged: true}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: ingest}
spec: {selector: {app: api}}
"""


def waiver(**fields: Any) -> Waiver:
    """A config waiver with an owner and reason filled in."""
    spec = {"reason": "mesh sidecar, DATA-77", "owner": "platform@acme.example", **fields}
    return Waiver(spec=WaiverConfig(**spec), source="auditor.yaml")


def test_rule_and_container_targets_with_reason_and_expiry() -> None:
    """Targets split on commas; `rule:container` narrows; the expiry date is the last day
    the exemption applies, so it ends at the following midnight UTC."""
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
            "expires_at": "2027-01-01T00:00:00Z",
            "source": "annotation",
        },
        {
            "rule": "gke-workload-runs-as-root",
            "container": None,
            "reason": "mesh sidecar",
            "expires": "2026-12-31",
            "expires_at": "2027-01-01T00:00:00Z",
            "source": "annotation",
        },
    ]


def test_several_lines_are_several_groups() -> None:
    """Each line of the value is a group with its own reason and expiry."""
    parsed = parse_exemptions(
        {
            "auditor.io/exempt": "rule-a; reason=one; expires=2026-06-30\n"
            "rule-b:c; reason=two; expires=2026-07-31\n"
        }
    )
    assert [(e["rule"], e["container"], e["expires_at"]) for e in parsed.exemptions] == [
        ("rule-a", None, "2026-07-01T00:00:00Z"),
        ("rule-b", "c", "2026-08-01T00:00:00Z"),
    ]


def test_a_group_without_an_expiry_is_dropped() -> None:
    """An exemption must end: without expires= it is ignored with a warning naming it."""
    parsed = parse_exemptions({"auditor.io/exempt": "gke-workload-privileged; reason=forever"})
    assert parsed.exemptions == []
    assert parsed.warnings == [
        "auditor.io/exempt: 'gke-workload-privileged' has no expires=YYYY-MM-DD"
        " (an exemption must end); ignored"
    ]


def test_malformed_groups_are_ignored_with_warnings() -> None:
    """Missing reason, bad date, unknown setting or bad rule id: dropped, never widened."""
    parsed = parse_exemptions(
        {
            "auditor.io/exempt": "rule-a; expires=2026-12-31\n"
            "rule-b; reason=x; expires=31/12/2026\n"
            "rule-c; reason=x; expires=2026-12-31; owner=me\n"
            "Rule_D; reason=x; expires=2026-12-31\n"
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
  annotations:
    auditor.io/exempt: "gke-workload-privileged:proxy; reason=mesh; expires=2026-12-31"
spec:
  template:
    metadata:
      annotations:
        auditor.io/exempt: "gke-workload-probes-missing; reason=batch; expires=2026-12-31\\nbad-one"
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


def mesh_resources(normalise: Callable[..., Any]) -> list[Resource]:
    """The normalised mesh Deployment and its Service."""
    resources: list[Resource] = normalise(MESH_DEPLOYMENT).result.resources
    return resources


def workload(resources: list[Resource]) -> dict[str, Any]:
    """The data of the one k8s.workload."""
    data: dict[str, Any] = next(r.data for r in resources if r.kind == "k8s.workload")
    return data


def test_container_waiver_exempts_matching_containers_for_matching_rules(
    normalise: Callable[..., Any],
) -> None:
    """A waiver's rule glob picks rule ids and its container glob picks containers; each gets
    an entry like an annotation's, from the waiver, and the workload lists the same entries."""
    resources = mesh_resources(normalise)
    apply_container_waivers(
        resources,
        [
            waiver(
                rule="gke-workload-*",
                resource="gke-1/ingest/*",
                container="istio-*",
                expires=date(2026, 6, 30),
            )
        ],
        ["gke-workload-privileged", "gke-workload-runs-as-root", "gke-namespace-no-default-deny"],
        TODAY,
    )
    data = workload(resources)
    istio_init, api, proxy = data["containers"]
    assert api["exemptions"] == []
    assert istio_init["exemptions"] == [
        {
            "rule": "gke-workload-privileged",
            "container": "istio-init",
            "reason": "mesh sidecar, DATA-77",
            "expires": "2026-06-30",
            "expires_at": "2026-07-01T00:00:00Z",
            "source": "waiver",
        },
        {
            "rule": "gke-workload-runs-as-root",
            "container": "istio-init",
            "reason": "mesh sidecar, DATA-77",
            "expires": "2026-06-30",
            "expires_at": "2026-07-01T00:00:00Z",
            "source": "waiver",
        },
    ]
    assert [e["rule"] for e in proxy["exemptions"]] == [
        "gke-workload-privileged",
        "gke-workload-runs-as-root",
    ]
    assert data["exemptions"] == istio_init["exemptions"] + proxy["exemptions"]


def test_container_waiver_matches_the_resource_by_scope_too(
    normalise: Callable[..., Any],
) -> None:
    """The resource glob may name the workload's scope (cluster/namespace), as for waivers."""
    resources = mesh_resources(normalise)
    apply_container_waivers(
        resources,
        [
            waiver(
                rule="gke-workload-privileged",
                resource="gke-1/ingest",
                container="istio-proxy",
                expires=date(2026, 6, 30),
            )
        ],
        ["gke-workload-privileged"],
        TODAY,
    )
    assert [c["name"] for c in workload(resources)["containers"] if c["exemptions"]] == [
        "istio-proxy"
    ]


def test_expired_other_scope_and_whole_workload_waivers_add_nothing(
    normalise: Callable[..., Any],
) -> None:
    """Expired waivers, waivers for other resources, and waivers without a container (which
    act on findings after evaluation) leave the containers alone; so does a second call."""
    resources = mesh_resources(normalise)
    waivers = [
        waiver(rule="*", resource="*", container="*", expires=date(2026, 2, 28)),
        waiver(rule="*", resource="gke-1/etl/*", container="*", expires=date(2026, 6, 30)),
        waiver(rule="*", resource="*", expires=date(2026, 6, 30)),
    ]
    apply_container_waivers(resources, waivers, ["gke-workload-privileged"], TODAY)
    assert all(c["exemptions"] == [] for c in workload(resources)["containers"])
    assert workload(resources)["exemptions"] == []

    live = [waiver(rule="*", resource="*", container="api", expires=date(2026, 3, 1))]
    apply_container_waivers(resources, live, ["gke-workload-privileged"], TODAY)
    apply_container_waivers(resources, live, ["gke-workload-privileged"], TODAY)
    assert len(workload(resources)["containers"][1]["exemptions"]) == 1
    assert len(workload(resources)["exemptions"]) == 1
    service = next(r for r in resources if r.kind == "k8s.service")
    assert "exemptions" not in service.data


def test_container_waiver_silences_only_that_container_under_the_rules(
    normalise: Callable[..., Any],
) -> None:
    """Through the real rule, the waived sidecar's container is exempt until the day after
    the waiver's expiry, while the app container is still reported."""
    resources = mesh_resources(normalise)
    rules = [r for r in load_rules([REPO / "rules" / "gke"]).rules]
    apply_container_waivers(
        resources,
        [waiver(rule="gke-workload-privileged", container="istio-*", expires=date(2026, 3, 1))],
        [r.id for r in rules],
        TODAY,
    )
    privileged = [r for r in rules if r.id == "gke-workload-privileged"]
    engine = Engine(privileged)
    on_last_day = engine.evaluate(resources, datetime(2026, 3, 1, 23, 59, tzinfo=UTC))
    assert [f.evidence["containers"] for f in on_last_day.findings] == [["api"]]
    day_after = engine.evaluate(resources, datetime(2026, 3, 2, tzinfo=UTC))
    assert [f.evidence["containers"] for f in day_after.findings] == [
        ["istio-init", "api", "istio-proxy"]
    ]
