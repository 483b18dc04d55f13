"""What the collector does when the API server says no, slows down, or is not there: a kind it
may not read is a problem while the rest arrives; throttling and 5xx are retried (honouring
Retry-After); an unreadable server fails the source with a clean, secret-free reason."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.fakes.k8s.apiserver import ApiServerEmulator
from tests.fakes.k8s.resources import SERVED
from tests.fakes.k8s.server import EmulatorServer
from tests.integration.gke.conftest import (
    CLUSTER,
    DEMO,
    by_id,
    collect,
    gke_settings,
    manifests,
    serve,
)


def _calls(apiserver: ApiServerEmulator, path: str) -> list[float]:
    return [c.at for c in apiserver.calls if c.path == path]


def test_a_forbidden_kind_is_a_problem_and_the_rest_arrives(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """403 on RoleBindings: the source is up, its health names the kind and the verb, the
    cluster resource lists it as unreadable, and every other kind is collected."""
    serve(apiserver, manifests(DEMO))
    apiserver.forbid("rolebindings")

    result = collect(gke_settings(kubeconfig))

    assert result.health.up, result.health.error
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert "cannot list rolebindings.rbac.authorization.k8s.io in all namespaces" in problem
    assert "forbidden" in problem
    source = next(r for r in result.resources if r.kind == "auditor.source")
    assert source.data["problems"] == result.problems
    cluster = next(r for r in result.resources if r.kind == "k8s.cluster")
    assert cluster.data["kinds_unreadable"] == ["rolebindings.rbac.authorization.k8s.io"]
    bindings = by_id(result, "k8s.rbac_binding")
    assert set(bindings) == {f"{CLUSTER}/ClusterRoleBinding/ci-deployer-cluster-admin"}
    assert len(by_id(result, "k8s.workload")) == 8


def test_throttling_is_retried_after_the_time_the_server_asks(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """A 429 with Retry-After: 1 on the Deployments list is retried once a second has passed,
    and the collection completes with nothing missing."""
    serve(apiserver, manifests(DEMO))
    apiserver.throttle("deployments", retry_after=1)

    result = collect(gke_settings(kubeconfig))

    assert result.health.up, result.health.error
    assert result.problems == []
    first, second = _calls(apiserver, "/apis/apps/v1/deployments")
    assert second - first >= 1.0
    assert len(by_id(result, "k8s.workload")) == 8


def test_server_errors_are_retried_then_succeed(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """Two 503s on the Pods list, then an answer: the collection completes."""
    serve(apiserver, manifests(DEMO))
    apiserver.fail("pods", status=503, times=2)

    result = collect(gke_settings(kubeconfig))

    assert result.health.up, result.health.error
    assert len(_calls(apiserver, "/api/v1/pods")) == 3
    assert result.problems == []


def test_a_server_that_keeps_failing_fails_the_source(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """500 on every ConfigMaps list: after max_attempts the source is down, naming the call."""
    serve(apiserver, manifests(DEMO))
    apiserver.fail("configmaps", status=500, times=None)

    result = collect(gke_settings(kubeconfig, max_attempts=2))

    assert not result.health.up
    assert result.error_kind == "unreachable"
    assert "listing configmaps in all namespaces" in result.health.error
    assert "HTTP 500" in result.health.error
    assert len(_calls(apiserver, "/api/v1/configmaps")) == 2


def test_a_retry_after_past_the_deadline_is_not_waited_for(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """A server asking to come back in ten minutes fails the source at once (timeout)."""
    apiserver.throttle("services", retry_after=600)

    result = collect(gke_settings(kubeconfig, timeout_seconds=20))

    assert not result.health.up
    assert result.error_kind == "timeout"
    assert "deadline" in result.health.error
    assert len(_calls(apiserver, "/api/v1/services")) == 1


def test_a_call_without_answer_times_out(apiserver: ApiServerEmulator, kubeconfig: Path) -> None:
    """A Jobs list that never answers within request_timeout_seconds fails the source as a
    timeout naming the call, not a hang until the runner's deadline."""
    apiserver.stall("jobs", 5.0, times=None)

    result = collect(gke_settings(kubeconfig, request_timeout_seconds=0.5, max_attempts=2))

    assert not result.health.up
    assert result.error_kind == "timeout"
    assert "listing jobs.batch in all namespaces" in result.health.error
    assert "no answer within 0.5 s" in result.health.error


def test_no_kind_readable_is_a_permission_failure(
    apiserver: ApiServerEmulator, kubeconfig: Path
) -> None:
    """Credentials that may list nothing make the source down (permission), not an empty
    cluster that reads as healthy."""
    for served in SERVED:
        apiserver.forbid(served.plural)

    result = collect(gke_settings(kubeconfig))

    assert not result.health.up
    assert result.error_kind == "permission"
    assert "forbidden" in result.health.error


def test_an_api_server_that_is_not_there_is_unreachable(tmp_path: Path) -> None:
    """Nothing listening on the kubeconfig's server: down (unreachable) after the retries."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = EmulatorServer(port=port)
    gone.url = f"http://127.0.0.1:{port}"
    kubeconfig = gone.kubeconfig(tmp_path / "kubeconfig")

    result = collect(gke_settings(kubeconfig, max_attempts=2))

    assert not result.health.up
    assert result.error_kind == "unreachable"
    assert "reading the server version" in result.health.error
