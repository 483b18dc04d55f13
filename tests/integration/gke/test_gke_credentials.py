"""Credentials come from the kubeconfig — for GKE its exec plugin (gke-gcloud-auth-plugin) —
and never reach errors, logs or resources; a kubeconfig that cannot be used is a config error."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
import structlog

from auditor.collectors.runner import SourceResult
from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.fakes.k8s.server import EmulatorServer
from tests.integration.gke.conftest import DEMO, by_id, collect, gke_settings, manifests, serve

TOKEN = "ya29.c.b0AXv0zTN3-plugin-issued-token-7f3e9a"
WRONG_TOKEN = "ya29.c.b0AXv0zTN3-revoked-token-11aa42"


def _exec_plugin(tmp_path: Path, token: str) -> list[str]:
    """A stand-in for gke-gcloud-auth-plugin: prints an ExecCredential with `token`."""
    script = tmp_path / "fake-gke-gcloud-auth-plugin"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": token, "expirationTimestamp": "2099-01-01T00:00:00Z"},
    }
    script.write_text(
        f"#!{sys.executable}\nimport json\nprint(json.dumps({credential!r}))\n", encoding="utf-8"
    )
    script.chmod(0o755)
    return [str(script)]


def _everything_said(result: SourceResult, logs: list[dict[str, object]], caplog: str) -> str:
    resources = [{"id": r.id, "data": r.data} for r in result.resources]
    return json.dumps([result.health.error, result.problems, resources, logs], default=str) + caplog


def test_the_exec_plugin_token_is_used_and_never_shown(
    apiserver: ApiServerEmulator,
    server: EmulatorServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A kubeconfig whose user runs an exec credential plugin reaches a server that requires
    the plugin's token; the token appears in no resource, error or log."""
    serve(apiserver, manifests(DEMO))
    apiserver.token = TOKEN
    kubeconfig = server.kubeconfig(
        tmp_path / "kubeconfig", exec_command=_exec_plugin(tmp_path, TOKEN)
    )

    with structlog.testing.capture_logs() as logs, caplog.at_level(logging.DEBUG):
        result = collect(gke_settings(kubeconfig))

    assert result.health.up, result.health.error
    assert len(by_id(result, "k8s.workload")) == 8
    assert TOKEN not in _everything_said(result, logs, caplog.text)


def test_refused_credentials_are_an_auth_failure_without_the_token(
    apiserver: ApiServerEmulator,
    server: EmulatorServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A revoked token gets 401: the source is down (auth) with a hint about the GKE plugin,
    and the token is nowhere in what auditor says."""
    apiserver.token = TOKEN
    kubeconfig = server.kubeconfig(tmp_path / "kubeconfig", token=WRONG_TOKEN)

    with structlog.testing.capture_logs() as logs, caplog.at_level(logging.DEBUG):
        result = collect(gke_settings(kubeconfig))

    assert not result.health.up
    assert result.error_kind == "auth"
    assert "HTTP 401" in result.health.error
    assert "gke-gcloud-auth-plugin" in result.health.error
    assert WRONG_TOKEN not in _everything_said(result, logs, caplog.text)


def test_a_missing_kubeconfig_is_a_config_error_naming_it(tmp_path: Path) -> None:
    """A kubeconfig path that does not exist: down (config), naming the file."""
    missing = tmp_path / "nowhere" / "kubeconfig"

    result = collect(gke_settings(missing))

    assert not result.health.up
    assert result.error_kind == "config"
    assert str(missing) in result.health.error


def test_an_unknown_context_is_a_config_error_naming_it(kubeconfig: Path) -> None:
    """A context the kubeconfig does not define: down (config), naming the context."""
    result = collect(gke_settings(kubeconfig, context="gke_acme_europe-west1_nope"))

    assert not result.health.up
    assert result.error_kind == "config"
    assert "gke_acme_europe-west1_nope" in result.health.error


def test_the_context_and_version_are_recorded(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """The k8s.cluster resource names the cluster, the context used and the server's version."""
    result = collect(gke_settings(kubeconfig))

    cluster = next(r for r in result.resources if r.kind == "k8s.cluster")
    assert cluster.id == "gke-data-prod"
    assert cluster.data["context"] == "gke_acme-data-prod_europe-west1_data-prod"
    assert cluster.data["version"] == "v1.30.5-gke.1014001"
    assert (cluster.data["version_major"], cluster.data["version_minor"]) == (1, 30)
    assert cluster.data["gke"] is True
