"""From lifecycle changes to outbox messages, and from the outbox to the sinks.

Enqueueing happens inside the lifecycle transaction (see StateStore.record_cycle); delivery
happens after it, so a crash between the two leaves the message waiting, not lost.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import structlog

from auditor.daemon.sinks import CycleNotice, Delivery, Sink
from auditor.lifecycle import LifecycleChanges
from auditor.outbox import OutboxMessage
from auditor.state import StateStore

log = structlog.get_logger(__name__)

MAX_BACKOFF_SECONDS = 300.0
GIVE_UP = timedelta(days=365 * 100)


def notifier(
    sinks: Sequence[Sink],
    store: StateStore,
    *,
    resolved_window: timedelta,
    stale: bool,
    interval_seconds: float = 60.0,
) -> Callable[[LifecycleChanges], list[tuple[OutboxMessage, bool]]]:
    """The `notify` callback of StateStore.record_cycle for one source's cycle."""

    def notify(changes: LifecycleChanges) -> list[tuple[OutboxMessage, bool]]:
        if not sinks:
            return []
        tracked = store.findings(source=changes.source)
        notice = CycleNotice(
            source=changes.source,
            at=changes.at,
            new=changes.new,
            resolved=changes.resolved,
            open=[t for t in tracked if t.status == "open"],
            recently_resolved=[
                t
                for t in store.resolved_since(changes.at - resolved_window)
                if t.source == changes.source
            ],
            stale=stale,
            interval_seconds=interval_seconds,
        )
        messages: list[tuple[OutboxMessage, bool]] = []
        for sink in sinks:
            queue = f"{sink.name}/{changes.source}" if sink.replace_pending else sink.name
            for index, payload in enumerate(sink.payloads(notice)):
                key = f"{sink.name}:{changes.source}:{changes.at.isoformat()}:{index}"
                messages.append(
                    (OutboxMessage(sink=queue, key=key, payload=payload), sink.replace_pending)
                )
        return messages

    return notify


class Deliverer:
    """Sends due outbox messages, one sink at a time, oldest first; never two at once."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        store: StateStore,
        *,
        now: Callable[[], datetime],
        max_attempts: int = 0,
        is_leader: Callable[[], bool] = lambda: True,
        follower_hold: timedelta = timedelta(seconds=30),
    ) -> None:
        self.sinks = list(sinks)
        self.store = store
        self.now = now
        self.max_attempts = max_attempts
        self.is_leader = is_leader
        # A follower keeps its messages this long (a failover inside it sends them), then drops
        # them: the leader sent its own copy.
        self.follower_hold = follower_hold
        self.delivered: dict[str, int] = {s.name: 0 for s in self.sinks}
        self.failed: dict[str, int] = {s.name: 0 for s in self.sinks}
        self._lock = threading.Lock()

    def deliver_due(self) -> int:
        """Deliver what is due now; returns how many messages were delivered."""
        if not self._lock.acquire(blocking=False):
            return 0  # another thread is delivering; it will see these messages too
        try:
            return sum(self._deliver_sink(sink) for sink in self.sinks)
        finally:
            self._lock.release()

    def _deliver_sink(self, sink: Sink) -> int:
        sent = 0
        if not self.is_leader():
            cutoff = self.now() - self.follower_hold
            for entry in self.store.due(sink.name, self.now()):
                if entry.created_at < cutoff:
                    self.store.mark_delivered(entry, self.now())  # sent by the leader
            return 0
        for entry in self.store.due(sink.name, self.now()):
            try:
                result = sink.deliver(entry.payload)
            except Exception as exc:  # noqa: BLE001 - a broken sink fails alone
                # The class only: the text of a sink's exception may hold its URL or token.
                result = Delivery(ok=False, error=f"sink raised {type(exc).__name__}")
            if result.ok:
                self.store.mark_delivered(entry, self.now())
                self.delivered[sink.name] += 1
                sent += 1
                continue
            self.failed[sink.name] += 1
            attempts = entry.attempts + 1
            if result.permanent or (self.max_attempts and attempts >= self.max_attempts):
                delay = GIVE_UP.total_seconds()
                log.error("notification dropped", sink=sink.name, error=result.error)
            elif result.retry_after is not None:
                delay = max(result.retry_after, 0.0)
            else:
                base = min(MAX_BACKOFF_SECONDS, 2.0 ** min(attempts, 16))
                delay = base / 2 + random.uniform(0, base / 2)  # noqa: S311 - jitter, not crypto
            self.store.mark_failed(entry, self.now() + timedelta(seconds=delay), result.error)
            log.warning("notification failed", sink=sink.name, error=result.error, retry_in=delay)
            break  # keep the sink's order: the rest waits behind the failed one
        return sent
