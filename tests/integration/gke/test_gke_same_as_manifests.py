"""The promise of one normaliser: the same objects read as YAML files (`auditor scan PATHS`) and
from an API server (`auditor scan --source`) give the same resources and the same findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import Run
from tests.fakes.k8s.admission import admitted
from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.integration.gke.conftest import (
    CLUSTER,
    DEMO,
    MANIFESTS,
    by_id,
    collect,
    gke_settings,
    manifests,
    serve,
)

LIVE_ONLY_KINDS = {"k8s.cluster", "auditor.source"}


def _config(tmp_path: Path, kubeconfig: Path) -> Path:
    config = tmp_path / "auditor.yaml"
    source = {"name": "data-prod", "type": "gke", "kubeconfig": str(kubeconfig), "cluster": CLUSTER}
    config.write_text(
        yaml.safe_dump({"sources": [source], "state": {"path": str(tmp_path / "state.db")}}),
        encoding="utf-8",
    )
    return config


def _ok(run: Run) -> Run:
    assert run.code in (0, 1), run.stderr
    return run


def _resources(snapshot: Path) -> dict[tuple[str, str], dict[str, Any]]:
    document = json.loads(snapshot.read_text(encoding="utf-8"))
    return {
        (r["kind"], r["id"]): {"scope": r["scope"], "data": r["data"]}
        for r in document["resources"]
        if r["kind"] not in LIVE_ONLY_KINDS
    }


def _findings(report: Path) -> dict[str, dict[str, Any]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["errors"] == []
    return {
        f["fingerprint"]: {
            "rule_id": f["rule_id"],
            "severity": f["severity"],
            "kind": f["resource"]["kind"],
            "id": f["resource"]["id"],
            "scope": f["resource"]["scope"],
            "message": f["message"],
            "evidence": f["evidence"],
        }
        for f in document["findings"]
    }


def test_manifests_and_cluster_give_identical_resources_and_findings(
    apiserver: ApiServerEmulator,
    kubeconfig: Path,
    tmp_path: Path,
    auditor_cli: Callable[..., Run],
) -> None:
    """The demo estate and the extra kinds, scanned as files and served by the API server (with
    the server's metadata, status, defaults and bookkeeping), give equal resources (ids, scopes,
    data) and equal findings (fingerprints, messages, evidence)."""
    serve(apiserver, manifests(DEMO, MANIFESTS))
    config = _config(tmp_path, kubeconfig)
    paths = [str(DEMO), str(MANIFESTS)]
    static_args = ["--config", str(config), "--cluster", CLUSTER, *paths]
    live_args = ["--config", str(config), "--source", "data-prod"]

    _ok(auditor_cli("collect", *static_args, "-o", str(tmp_path / "static.json")))
    _ok(auditor_cli("collect", *live_args, "-o", str(tmp_path / "live.json")))
    static = _resources(tmp_path / "static.json")
    live = _resources(tmp_path / "live.json")
    assert {kind for kind, _ in static} == {
        "k8s.workload",
        "k8s.namespace",
        "k8s.service",
        "k8s.service_account",
        "k8s.rbac_binding",
        "k8s.configmap",
    }
    assert sorted(live) == sorted(static)
    for key, resource in static.items():
        assert live[key] == resource, key

    for name, args in (("static", static_args), ("live", live_args)):
        _ok(
            auditor_cli(
                "scan",
                *args,
                "--format",
                "json",
                "--fail-on",
                "none",
                "-o",
                f"{name}-report.json",
                cwd=tmp_path,
            )
        )
    static_findings = _findings(tmp_path / "static-report.json")
    live_findings = _findings(tmp_path / "live-report.json")
    assert len(static_findings) > 30
    assert live_findings == static_findings


def test_what_the_cluster_decides_is_what_differs(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """Allocated node ports, the token volume and default tolerations admission adds to a bare
    Pod, and the Job API's selector labels show up live — and nothing else differs."""
    objects = manifests(MANIFESTS)
    serve(apiserver, objects, admitted)
    live = by_id(collect(gke_settings(kubeconfig)))
    serve(apiserver, objects)  # replaced by the plain served form
    plain = by_id(collect(gke_settings(kubeconfig)))
    differing = {
        resource_id: sorted(
            key
            for key in live[resource_id].data
            if live[resource_id].data[key] != plain[resource_id].data[key]
        )
        for resource_id in plain
        if live[resource_id].data != plain[resource_id].data
    }
    assert differing == {
        f"{CLUSTER}/serving/Service/feature-store": ["ports"],
        f"{CLUSTER}/serving/Pod/debug-shell": ["containers", "pod"],
        f"{CLUSTER}/serving/Job/schema-migration": ["pod"],
    }
    service = live[f"{CLUSTER}/serving/Service/feature-store"].data
    assert service["ports"][0]["node_port"] is not None
    pod = live[f"{CLUSTER}/serving/Pod/debug-shell"].data
    assert [v["type"] for v in pod["pod"]["volumes"]] == ["projected"]
    assert pod["containers"][0]["volume_mounts"][0]["mount_path"] == (
        "/var/run/secrets/kubernetes.io/serviceaccount"
    )
    job = live[f"{CLUSTER}/serving/Job/schema-migration"].data
    assert job["pod"]["labels"]["job-name"] == "schema-migration"
