"""The daemon: builds the cycles, schedules them, serves HTTP, shuts down gracefully."""

from __future__ import annotations

import concurrent.futures
import signal
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from types import FrameType

import structlog
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from auditor.config import AuditorConfig
from auditor.daemon.cycle import CycleOutcome, SourceCycle
from auditor.daemon.delivery import Deliverer
from auditor.daemon.http import Endpoints, HttpServer
from auditor.daemon.leader import LeaseElector
from auditor.daemon.metrics import MetricsInput, metrics_registry
from auditor.daemon.rules import RuleLibrary
from auditor.daemon.sinks import Sink, load_sinks
from auditor.daemon.snapshot import DaemonSnapshot
from auditor.errors import ConfigError
from auditor.model import Severity
from auditor.state import StateStore
from auditor.waivers import Waiver

log = structlog.get_logger(__name__)

OUTBOX_POLL_SECONDS = 5.0
PRUNE_INTERVAL_SECONDS = 3600.0
MAX_PARALLEL_SOURCES = 8


def utc_now() -> datetime:
    """The daemon's clock."""
    return datetime.now(UTC)


class Daemon:
    """Everything `auditor run` runs, wired once from the config."""

    def __init__(
        self,
        config: AuditorConfig,
        waivers: Sequence[Waiver],
        *,
        now: Callable[[], datetime] = utc_now,
        sinks: Sequence[Sink] | None = None,
    ) -> None:
        enabled = [s for s in config.sources if s.enabled]
        if not enabled:
            raise ConfigError("auditor run needs at least one enabled source in `sources`")
        self.config = config
        self.now = now
        self.rules = RuleLibrary(config, now)
        self.store = StateStore(config.state.path)
        forgotten = self.store.forget_sources_except(s.name for s in enabled)
        if forgotten:
            log.info("findings of removed sources forgotten", findings=forgotten)
        self.snapshot = DaemonSnapshot(expected_sources=frozenset(s.name for s in enabled))
        self.sinks = list(load_sinks(config.daemon) if sinks is None else sinks)
        election = config.daemon.leader_election
        self.elector = LeaseElector(election) if election.enabled else None
        self.deliverer = Deliverer(
            self.sinks,
            self.store,
            now=now,
            max_attempts=config.daemon.notifications.max_attempts,
            is_leader=self.elector.is_leader if self.elector else lambda: True,
            follower_hold=timedelta(seconds=2 * election.lease_seconds),
        )
        am = config.daemon.notifications.alertmanager
        window = timedelta(seconds=am.resolved_resend_seconds if am else 3600.0)
        self.cycles = [
            SourceCycle(
                settings,
                rules=self.rules.current,
                waivers=waivers,
                store=self.store,
                snapshot=self.snapshot,
                sinks=self.sinks,
                now=now,
                resolved_window=window,
            )
            for settings in enabled
        ]
        self.stopping = threading.Event()
        self._wake_delivery = threading.Event()
        self._delivery: threading.Thread | None = None
        self._http: HttpServer | None = None
        self._scheduler: BackgroundScheduler | None = None

    # --- one pass (for --once, cron and CI) ---------------------------------------------

    def run_once(self) -> list[CycleOutcome]:
        """One cycle of every source (in parallel, bounded), then deliver notifications.

        With leader election enabled, a one-shot run notifies only if it wins the lease.
        """
        workers = min(MAX_PARALLEL_SOURCES, len(self.cycles))
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(lambda c: c.run(), self.cycles))
        if self.elector is not None:
            self.elector.try_acquire()
        self.deliverer.deliver_due()
        return outcomes

    # --- the long-running service -------------------------------------------------------

    def ready(self) -> tuple[bool, str]:
        """Ready once every source finished a cycle and the state store takes writes."""
        if not self.snapshot.first_cycle_done():
            return False, "first cycle not done"
        if not self.store.writable():
            return False, "state store not writable"
        return True, "ready"

    def start(self) -> int:
        """Start HTTP and the scheduler; returns the bound HTTP port."""
        daemon_config = self.config.daemon
        registry = metrics_registry(
            MetricsInput(
                snapshot=self.snapshot,
                counts=self.store.finding_counts,
                open_fingerprints=self.store.open_fingerprints,
                delivered=self.deliverer.delivered,
                failed=self.deliverer.failed,
                pending=self.store.pending,
                hash_principals=daemon_config.hash_principals,
                worst_open=self.store.worst_open,
                finding_info_limit=daemon_config.finding_info_limit,
                rules=self.rules.status,
            )
        )
        try:
            self._http = HttpServer(
                daemon_config.listen_address,
                daemon_config.port,
                Endpoints(registry=registry, ready=self.ready, findings=self.store.findings),
            )
        except OSError as exc:
            raise ConfigError(
                f"daemon: cannot listen on {daemon_config.listen_address}:{daemon_config.port}:"
                f" {exc.strerror or exc}"
            ) from None
        self._http.start()
        if self.elector is not None:
            self.elector.start()
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(min(MAX_PARALLEL_SOURCES, len(self.cycles)))},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            timezone=UTC,
        )
        first = self.now()
        for cycle in self.cycles:
            scheduler.add_job(
                self._run_cycle,
                IntervalTrigger(
                    seconds=cycle.settings.interval_seconds,
                    jitter=daemon_config.jitter_seconds or None,
                    timezone=UTC,
                ),
                args=[cycle],
                id=f"source:{cycle.settings.name}",
                next_run_time=first,  # the first cycle starts now, not one interval later
            )
        scheduler.add_job(
            self._prune,
            IntervalTrigger(seconds=PRUNE_INTERVAL_SECONDS, timezone=UTC),
            id="prune",
        )
        # Delivery has its own thread: a slow webhook (1 post/s, Retry-After) must never hold
        # back a source's next collection.
        self._delivery = threading.Thread(
            target=self._deliver_loop, name="auditor-outbox", daemon=True
        )
        self._delivery.start()
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "daemon started",
            address=daemon_config.listen_address,
            port=self._http.port,
            sources=len(self.cycles),
            sinks=[s.name for s in self.sinks],
        )
        return self._http.port

    def _run_cycle(self, cycle: SourceCycle) -> None:
        if self.stopping.is_set():
            return
        try:
            cycle.run()
        except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the daemon
            log.error("source cycle failed", source=cycle.settings.name, error=type(exc).__name__)
            return
        self._wake_delivery.set()

    def _deliver_loop(self) -> None:
        """Deliver after every cycle, and every few seconds for retries that fall due."""
        while not self.stopping.is_set():
            self._wake_delivery.wait(OUTBOX_POLL_SECONDS)
            self._wake_delivery.clear()
            try:
                self.deliverer.deliver_due()
            except Exception as exc:  # noqa: BLE001 - a sink bug must not stop delivery
                log.error("delivery failed", error=type(exc).__name__)

    def _prune(self) -> None:
        retention = timedelta(days=self.config.daemon.retention_days)
        self.store.prune(self.now() - retention)

    def serve_forever(self) -> None:
        """Start, then block until SIGTERM or SIGINT; stop gracefully."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start()
            self.stopping.wait()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        self.stopping.set()

    def stop(self) -> None:
        """Let running cycles finish, stop HTTP, close collectors, sinks and the store."""
        self.stopping.set()
        self._wake_delivery.set()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        if self._delivery is not None:
            self._delivery.join(timeout=60)
            self._delivery = None
        if self.elector is not None:
            self.elector.stop()
        if self._http is not None:
            self._http.stop()
            self._http = None
        for cycle in self.cycles:
            cycle.close()
        for sink in self.sinks:
            sink.close()
        self.store.close()
        log.info("daemon stopped")


def gate_exit_code(outcomes: Sequence[CycleOutcome], fail_on: Severity | None) -> int:
    """Like `auditor scan`: 1 when an open finding is at or above `fail_on` or a rule raised."""
    if fail_on is None:
        return 0
    for outcome in outcomes:
        if outcome.errors:
            return 1
        for finding in outcome.findings:
            if str(finding.status) == "open" and finding.severity.at_least(fail_on):
                return 1
    return 0
