"""A fake Kubernetes API server (kmock + shim, tests/fakes/k8s) per test module, driven through
the real `kubernetes` client; each test starts from an empty server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.collectors.base import CollectorContext
from auditor.collectors.gke import GkeSettings, create_collector
from auditor.collectors.runner import SourceResult, run_collection
from auditor.loaders.manifests import manifest_files
from auditor.loaders.yaml_lines import read_documents
from auditor.state import HistoryStore
from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.fakes.k8s.served import as_served
from tests.fakes.k8s.server import EmulatorServer

REPO = Path(__file__).resolve().parents[3]
DEMO = REPO / "auditor" / "demo" / "estate" / "k8s"
MANIFESTS = Path(__file__).resolve().parent / "manifests"
CLUSTER = "gke-data-prod"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """One fake API server on 127.0.0.1 for the module, stopped at the end."""
    with EmulatorServer() as running:
        yield running


@pytest.fixture
def apiserver(server: EmulatorServer) -> Iterator[ApiServerEmulator]:
    """The module's server, emptied of objects, faults, recorded calls and token."""
    server.emulator.clear()
    server.emulator.token = None
    yield server.emulator
    server.emulator.clear()
    server.emulator.token = None


@pytest.fixture
def kubeconfig(server: EmulatorServer, tmp_path: Path) -> Path:
    """A kubeconfig whose current context reaches the server (no credentials)."""
    return server.kubeconfig(tmp_path / "kubeconfig")


def manifests(*paths: Path) -> list[dict[str, Any]]:
    """The objects of the manifest files under `paths`, as parsed YAML."""
    objects: list[dict[str, Any]] = []
    for path in manifest_files(paths):
        for document in read_documents(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(document.value, dict):
                objects.append(document.value)
    return objects


def serve(
    apiserver: ApiServerEmulator,
    objects: list[dict[str, Any]],
    shape: Callable[[dict[str, Any]], dict[str, Any]] = as_served,
) -> None:
    """Store `objects` in the server as it would return them."""
    apiserver.put_all([shape(obj) for obj in objects])


def gke_settings(kubeconfig: Path, **extra: Any) -> GkeSettings:
    """A `type: gke` source on the fake server, with short timeouts."""
    document: dict[str, Any] = {
        "name": "data-prod",
        "type": "gke",
        "kubeconfig": str(kubeconfig),
        "cluster": CLUSTER,
        "timeout_seconds": 30,
        "request_timeout_seconds": 10,
    }
    document.update(extra)
    return GkeSettings.model_validate(document)


def collect(settings: GkeSettings) -> SourceResult:
    """One collection through the runner, as `auditor scan --source` and the daemon run it."""
    collector = create_collector(settings)
    try:
        return run_collection(
            settings.name,
            settings.type,
            collector,
            CollectorContext(now=lambda: NOW, history=HistoryStore()),
            timeout_seconds=settings.timeout_seconds,
        )
    finally:
        collector.close()


def by_id(result: SourceResult, kind: str | None = None) -> dict[str, Any]:
    """The collected resources of `kind` (all k8s.* kinds when None) by id."""
    return {
        r.id: r
        for r in result.resources
        if (r.kind == kind if kind else r.kind.startswith("k8s.") and r.kind != "k8s.cluster")
    }
