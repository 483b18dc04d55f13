"""Kubernetes Lease leader election through the real client: one leader at a time, takeover
on expiry and on release, a stale update loses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.config import LeaderElectionConfig
from auditor.daemon.leader import LeaseElector
from tests.integration.leader.lease_api import lease_api

T0 = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


def _elector(kubeconfig: Path, identity: str, clock: Clock) -> LeaseElector:
    settings = LeaderElectionConfig(
        enabled=True,
        namespace="auditor",
        identity=identity,
        lease_seconds=15,
        kubeconfig=kubeconfig,
    )
    return LeaseElector(settings, now=clock)


def test_one_leader_then_takeover_after_expiry(tmp_path: Path) -> None:
    """The first replica leads and renews; the second waits until the lease expires."""
    with lease_api() as api:
        clock = Clock()
        a = _elector(api.kubeconfig(tmp_path), "auditor-0", clock)
        b = _elector(api.kubeconfig(tmp_path), "auditor-1", clock)
        assert a.try_acquire() is True
        assert b.try_acquire() is False
        clock.at += timedelta(seconds=10)
        assert a.try_acquire() is True  # renewed
        clock.at += timedelta(seconds=10)
        assert b.try_acquire() is False  # a renewed 10 s ago: still valid
        clock.at += timedelta(seconds=20)
        assert b.try_acquire() is True  # a stopped renewing: expired
        assert a.try_acquire() is False
        lease = api.leases[("auditor", "auditor")]
        assert lease["spec"]["holderIdentity"] == "auditor-1"
        assert lease["spec"]["leaseTransitions"] == 1


def test_release_hands_over_at_once(tmp_path: Path) -> None:
    """A leader that stops releases the lease, so the next replica leads without waiting."""
    with lease_api() as api:
        clock = Clock()
        a = _elector(api.kubeconfig(tmp_path), "auditor-0", clock)
        b = _elector(api.kubeconfig(tmp_path), "auditor-1", clock)
        assert a.try_acquire()
        a.stop()
        assert not a.is_leader()
        assert b.try_acquire() is True


def test_a_stale_update_loses(tmp_path: Path) -> None:
    """When the lease changed after it was read (409 Conflict), this round is lost."""
    with lease_api() as api:
        clock = Clock()
        a = _elector(api.kubeconfig(tmp_path), "auditor-0", clock)
        assert a.try_acquire()
        original = a.api.read_namespaced_lease

        def read_then_someone_else_writes(name: str, namespace: str) -> object:
            lease = original(name, namespace)
            with api.lock:  # another replica renews between our read and our write
                api.revision += 1
                api.leases[(namespace, name)]["metadata"]["resourceVersion"] = str(api.revision)
            return lease

        a.api.read_namespaced_lease = read_then_someone_else_writes
        assert a.try_acquire() is False
        assert not a.is_leader()
