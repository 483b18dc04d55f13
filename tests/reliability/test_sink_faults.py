"""The sinks — a Slack webhook receiver and a real Alertmanager, each behind a fault proxy —
through every fault of the matrix, while a `files` source keeps producing changes (one
finding resolved or opened per cycle) that must reach both."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.integration.daemon.conftest import alertmanager  # noqa: F401 - the fixture
from tests.reliability.conftest import Observation
from tests.reliability.harness import DaemonUnderTest, daemon_under_test
from tests.reliability.matrix import live_cells
from tests.reliability.proxy import TOO_MANY_REQUESTS, FaultProxy
from tests.unit.daemon.estate import write_estate
from tests.unit.exporters.webhook_receiver import Receiver

SOURCE = "gitops"


@dataclass
class Rig:
    """The estate, the receivers and a proxy in front of each."""

    estate: Path
    receiver: Receiver
    slack: FaultProxy
    alertmanager: FaultProxy
    alertmanager_url: str

    def start(self, root: Path, estate: Path) -> AbstractContextManager[DaemonUnderTest]:
        """A daemon over `estate` notifying both sinks through their proxies."""
        webhook = self.receiver.url.replace(f":{self.receiver.port}/", f":{self.slack.port}/")
        return daemon_under_test(
            root,
            [{"name": SOURCE, "type": "files", "paths": [str(estate)]}],
            self.receiver,
            alertmanager_url=f"http://{self.alertmanager.address}",
            webhook_url=webhook,
        )

    @staticmethod
    def toggle(estate: Path) -> None:
        """Change the estate so that the next cycle opens or resolves one finding."""
        manifest = estate / "kafka-ui.yaml"
        text = manifest.read_text(encoding="utf-8")
        swapped = (
            text.replace("type: Recreate", "type: RollingUpdate")
            if "type: Recreate" in text
            else text.replace("type: RollingUpdate", "type: Recreate")
        )
        manifest.write_text(swapped, encoding="utf-8")

    def slack_messages(self) -> Counter[str]:
        """Messages the webhook accepted, by title and cycle (each cycle's message is unique)."""
        seen: Counter[str] = Counter()
        for post in list(self.receiver.posts):
            context = post["blocks"][-1]["elements"][0]["text"]
            seen[f"{post['text']} · {context}"] += 1
        return seen

    def firing(self) -> set[str]:
        """Fingerprints of the AuditorFinding alerts Alertmanager holds active."""
        response = requests.get(
            self.alertmanager_url + "/api/v2/alerts", params={"active": "true"}, timeout=5
        )
        return {
            a["labels"]["fingerprint"]
            for a in response.json()
            if a["labels"].get("alertname") == "AuditorFinding" and a["status"]["state"] == "active"
        }


@dataclass(frozen=True)
class SinkFault:
    """How to break a sink, and how many deliveries the receiver may see twice."""

    apply: Callable[[], None]
    resent: int = 0  # the answer was lost after the receiver accepted: sent again
    cycles: int = 1


@pytest.fixture(scope="module")
def rig(
    receiver: Receiver,
    alertmanager: str,  # noqa: F811 - the imported fixture
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Rig]:
    """The estate and both sinks behind proxies."""
    estate = write_estate(tmp_path_factory.mktemp("sinks"))
    slack = FaultProxy("127.0.0.1", receiver.port).start()
    host, port = alertmanager.removeprefix("http://").split(":")
    am = FaultProxy(host, int(port), count=b"POST /api/v2/alerts").start()
    try:
        yield Rig(estate, receiver, slack, am, alertmanager)
    finally:
        slack.stop()
        am.stop()


@pytest.fixture(scope="module")
def daemon(rig: Rig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonUnderTest]:
    """The module's daemon, through every fault in turn."""
    with rig.start(tmp_path_factory.mktemp("sink-daemon"), rig.estate) as running:
        yield running


def _faults(proxy: FaultProxy) -> dict[str, SinkFault]:
    return {
        "down_at_start": SinkFault(lambda: proxy.set("refuse")),
        "dies_mid_collection": SinkFault(lambda: proxy.set("swallow"), resent=1),
        "slow": SinkFault(lambda: proxy.set("blackhole")),
        "rate_limited": SinkFault(lambda: proxy.set("answer", payload=TOO_MANY_REQUESTS)),
        "malformed": SinkFault(lambda: proxy.set("garbage")),
        "recovers": SinkFault(lambda: proxy.set("refuse"), cycles=3),
    }


def check_sink_fault(
    daemon: DaemonUnderTest, rig: Rig, estate: Path, sink: str, fault: SinkFault, waiting: int = 0
) -> str:
    """Break one sink for some cycles, mend it, count what each receiver got.

    `waiting`: messages already held back before the call (a daemon that started into the
    fault)."""
    proxy = rig.slack if sink == "slack" else rig.alertmanager
    other = "alertmanager" if sink == "slack" else "slack"
    slack_before, am_before = rig.slack_messages(), rig.alertmanager.requests
    other_before = daemon.metric("auditor_notifications_delivered_total", sink=other) or 0.0
    fault.apply()
    try:
        for _ in range(fault.cycles):
            rig.toggle(estate)
            daemon.cycle()
        during = _during(daemon, sink, other, other_before, fault)
    finally:
        proxy.set("pass")
    daemon.retry_now()
    daemon.settle()
    assert daemon.status("/healthz") == 200
    assert daemon.metric("auditor_notifications_pending", sink=sink) == 0.0
    known = daemon.tracked(SOURCE)  # Alertmanager fires exactly the open ones of these
    assert rig.firing() & set(known) == set(daemon.open_findings(SOURCE))
    if sink == "slack":
        sent = rig.slack_messages() - slack_before
        messages = fault.cycles + waiting
        assert len(sent) == messages, f"messages lost or extra: {sent}"
        assert sorted(sent.values()) == [1] * (messages - fault.resent) + [2] * fault.resent
        got = f"{len(sent)} message(s), {sum(sent.values())} post(s)"
    else:
        posts = rig.alertmanager.requests - am_before
        # Only the newest state waits (replace_pending): one post, or two when resent.
        assert posts == 1 + fault.resent, f"{posts} posts reached Alertmanager"
        got = f"{posts} post(s) reached Alertmanager, its active alerts = the open findings"
    return f"pass — {during}; after recovery: {got}, outbox empty"


def _during(
    daemon: DaemonUnderTest, sink: str, other: str, other_before: float, fault: SinkFault
) -> str:
    assert daemon.status("/healthz") == 200
    assert daemon.status("/readyz") == 200
    assert daemon.metric("auditor_source_up", source=SOURCE) == 1.0
    pending = daemon.metric("auditor_notifications_pending", sink=sink)
    assert pending is not None and pending >= 1, f"nothing waits for {sink}: {pending}"
    failed = daemon.metric("auditor_notifications_failed_total", sink=sink)
    assert failed, f"no failed delivery counted for {sink}"
    other_now = daemon.metric("auditor_notifications_delivered_total", sink=other) or 0.0
    assert other_now >= other_before + fault.cycles, f"{other} was held back by {sink}"
    return f"daemon and source up, {pending:g} message(s) waiting, {other} unaffected"


@pytest.mark.parametrize(
    "cell", [f"{s}/{f}" for s in ("slack", "alertmanager") for f in live_cells(s)]
)
def test_sink_fault(
    cell: str, rig: Rig, daemon: DaemonUnderTest, observe: Observation, tmp_path: Path
) -> None:
    """A failing sink never takes the daemon, the source or the other sink down; what it
    missed is delivered after it recovers, once (twice only for an answer lost in flight)."""
    sink, fault_name = cell.split("/")
    fault = _faults(rig.slack if sink == "slack" else rig.alertmanager)[fault_name]
    if fault_name == "down_at_start":
        # Its own estate, named apart: the module daemon's findings and alerts stay its own.
        estate = write_estate(tmp_path)
        manifest = estate / "kafka-ui.yaml"
        manifest.write_text(manifest.read_text().replace("kafka-ui", f"kafka-ui-{sink}"))
        fault.apply()  # before the daemon starts: its first cycle's messages must wait
        with rig.start(tmp_path, estate) as fresh:
            observe(check_sink_fault(fresh, rig, estate, sink, fault, waiting=1))
    else:
        observe(check_sink_fault(daemon, rig, rig.estate, sink, fault))
