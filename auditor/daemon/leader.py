"""Kubernetes Lease leader election: with several replicas only the leader notifies.

Every replica collects, evaluates and serves metrics; the Lease (coordination.k8s.io/v1)
decides who sends Slack and Alertmanager messages. Updates use the Lease's resourceVersion, so
two replicas can never both win one round (the API server answers 409 to the slower one).
The lease is released on shutdown so a successor takes over at once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from auditor.config import LeaderElectionConfig
from auditor.errors import ConfigError

log = structlog.get_logger(__name__)

_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def _api(settings: LeaderElectionConfig) -> client.CoordinationV1Api:
    try:
        return _connect(settings)
    except (config.ConfigException, OSError) as exc:
        raise ConfigError(
            f"daemon.leader_election: cannot reach the Kubernetes API: {type(exc).__name__}"
            " (in a pod the service account is used; elsewhere set kubeconfig)"
        ) from None


def _connect(settings: LeaderElectionConfig) -> client.CoordinationV1Api:
    if settings.kubeconfig is not None:
        api_client = config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(settings.kubeconfig)
        )
    else:
        configuration = client.Configuration()
        config.load_incluster_config(  # type: ignore[no-untyped-call]
            client_configuration=configuration
        )
        api_client = client.ApiClient(configuration)
    return client.CoordinationV1Api(api_client)


class LeaseElector:
    """Holds or watches one Lease; `is_leader()` is what the notifier asks."""

    def __init__(
        self,
        settings: LeaderElectionConfig,
        *,
        api: Any = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.identity = settings.identity or socket.gethostname()
        self.namespace = settings.namespace or (
            _NAMESPACE_FILE.read_text(encoding="utf-8").strip()
            if _NAMESPACE_FILE.is_file()
            else "default"
        )
        # Any: the generated client models are not worth mirroring for four calls.
        self.api: Any = api if api is not None else _api(settings)
        self.now = now
        self._leader = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def is_leader(self) -> bool:
        """True while this replica holds an unexpired lease."""
        return self._leader

    def try_acquire(self) -> bool:
        """One round: take a free or expired lease, renew our own; False on any conflict."""
        now = self.now()
        spec = {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": int(self.settings.lease_seconds),
            "renewTime": now.isoformat().replace("+00:00", "Z"),
        }
        try:
            lease = self.api.read_namespaced_lease(self.settings.lease_name, self.namespace)
        except ApiException as exc:
            if exc.status != 404:
                return self._set(False, f"read failed: HTTP {exc.status}")
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.settings.lease_name, "namespace": self.namespace},
                "spec": {**spec, "acquireTime": spec["renewTime"], "leaseTransitions": 0},
            }
            try:
                self.api.create_namespaced_lease(self.namespace, body)
            except ApiException as create_exc:
                return self._set(False, f"create lost: HTTP {create_exc.status}")
            return self._set(True, "acquired (new lease)")
        holder = lease.spec.holder_identity
        renewed = lease.spec.renew_time
        duration = lease.spec.lease_duration_seconds or int(self.settings.lease_seconds)
        expired = renewed is None or now > renewed + timedelta(seconds=duration)
        if holder and holder != self.identity and not expired:
            return self._set(False, f"held by {holder}")
        transitions = lease.spec.lease_transitions or 0
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self.settings.lease_name,
                "namespace": self.namespace,
                "resourceVersion": lease.metadata.resource_version,
            },
            "spec": {
                **spec,
                "acquireTime": (
                    lease.spec.acquire_time.isoformat().replace("+00:00", "Z")
                    if holder == self.identity and lease.spec.acquire_time
                    else spec["renewTime"]
                ),
                "leaseTransitions": transitions + (0 if holder == self.identity else 1),
            },
        }
        try:
            self.api.replace_namespaced_lease(self.settings.lease_name, self.namespace, body)
        except ApiException as exc:
            return self._set(False, f"update lost: HTTP {exc.status}")
        return self._set(True, "renewed" if holder == self.identity else "acquired")

    def _set(self, leader: bool, why: str) -> bool:
        if leader != self._leader:
            log.info("leadership changed", leader=leader, identity=self.identity, why=why)
        self._leader = leader
        return leader

    def release(self) -> None:
        """Give the lease up (on shutdown) so another replica need not wait for it to expire."""
        if not self._leader:
            return
        try:
            lease = self.api.read_namespaced_lease(self.settings.lease_name, self.namespace)
            if lease.spec.holder_identity == self.identity:
                body = {
                    "apiVersion": "coordination.k8s.io/v1",
                    "kind": "Lease",
                    "metadata": {
                        "name": self.settings.lease_name,
                        "namespace": self.namespace,
                        "resourceVersion": lease.metadata.resource_version,
                    },
                    "spec": {
                        "holderIdentity": None,
                        "leaseDurationSeconds": 1,
                        "leaseTransitions": lease.spec.lease_transitions or 0,
                    },
                }
                self.api.replace_namespaced_lease(self.settings.lease_name, self.namespace, body)
        except ApiException as exc:
            log.warning("lease release failed", status=exc.status)
        self._set(False, "released")

    def start(self) -> None:
        """Campaign in the background every renew_seconds."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.try_acquire()
                except Exception as exc:  # noqa: BLE001 - never leader on an unknown failure
                    self._set(False, f"error: {type(exc).__name__}")
                self._stop.wait(self.settings.renew_seconds)

        self._thread = threading.Thread(target=loop, name="auditor-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop campaigning and release the lease."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.release()
