"""The fault matrix: every component × every fault, what the daemon must do, what it did.

The cases are data (CELLS); each test records its observed outcome under its cell, and
`render` turns cells + observations into docs/reliability.md. A cell that cannot apply carries
its reason instead of a test, so nothing is silently left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

COMPONENTS = {
    "gcp": "GCP APIs (Resource Manager REST, IAM admin + Monitoring gRPC fakes)",
    "gke": "GKE API server (kmock emulator)",
    "kafka": "Kafka (tansu broker)",
    "mysql": "MariaDB primary + replica",
    "airflow": "Airflow 3 API server",
    "gcs": "GCS DAG bucket (gcp-storage-emulator)",
    "slack": "Slack incoming webhook (receiver)",
    "alertmanager": "Alertmanager (real, v2 API)",
}
FAULTS = {
    "down_at_start": "down when the daemon starts",
    "dies_mid_collection": "dies mid-collection / mid-delivery",
    "slow": "slow, beyond the timeouts",
    "rate_limited": "rate-limits",
    "malformed": "malformed or truncated answers",
    "recovers": "long outage, then recovers",
}

# What every source cell asserts (besides its own expectation) and every sink cell.
SOURCE_CONTRACT = (
    "/healthz 200 throughout; auditor_source_up 0 and an `auditor-source-down` finding naming "
    "the error class; /readyz 200 (a failed first cycle is a finished one); the source's "
    "findings stay open and stale with their lifecycle rows (first_seen, no resolved_at); after "
    "recovery they are fresh again and Slack got exactly one 'source down' and one 'resolved' "
    "message, nothing re-announced"
)
SINK_CONTRACT = (
    "/healthz 200 throughout; findings and sources unaffected; undelivered messages wait in the "
    "outbox and are delivered after recovery — Slack: each message exactly once, in order; "
    "Alertmanager: its active alerts equal the open findings"
)


@dataclass(frozen=True)
class Cell:
    """One case of the matrix."""

    component: str
    fault: str
    expected: str
    not_applicable: str = ""  # why, when the fault cannot happen to this component

    @property
    def key(self) -> str:
        """component/fault, the test id and the table's row key."""
        return f"{self.component}/{self.fault}"


def _down(kind: str, how: str) -> str:
    return f"{how}: source down, error class {kind}"


CELLS = [
    # --- sources -------------------------------------------------------------------------
    Cell("gcp", "down_at_start", _down("`unreachable`", "every endpoint refuses")),
    Cell(
        "gcp",
        "dies_mid_collection",
        "Resource Manager answers, the IAM backend dies after its first bytes: source partial; "
        "the unread service accounts' findings kept stale, none resolved",
    ),
    Cell(
        "gcp",
        "slow",
        _down("`timeout` or `unreachable`", "answers held past the call deadline, retried"),
    ),
    Cell(
        "gcp",
        "rate_limited",
        _down("`unreachable` or `timeout`", "429 RESOURCE_EXHAUSTED on every call, retried"),
    ),
    Cell(
        "gcp", "malformed", _down("`protocol` or `unreachable`", "undecodable pages on every call")
    ),
    Cell("gcp", "recovers", "three failed cycles, then up: one 'down', one 'resolved'"),
    Cell("gke", "down_at_start", _down("`unreachable`", "API server refuses")),
    Cell("gke", "dies_mid_collection", _down("`unreachable`", "API server dies after 3000 bytes")),
    Cell("gke", "slow", _down("`timeout`", "answers held past the request timeout")),
    Cell(
        "gke",
        "rate_limited",
        _down("`timeout` or `unreachable`", "429 Retry-After on every list, honoured, retried"),
    ),
    Cell("gke", "malformed", _down("`unreachable` or `protocol`", "answers cut after 200 bytes")),
    Cell("gke", "recovers", "three failed cycles, then up: one 'down', one 'resolved'"),
    Cell("kafka", "down_at_start", _down("`unreachable` or `timeout`", "broker refuses")),
    Cell(
        "kafka",
        "dies_mid_collection",
        _down("`unreachable` or `timeout`", "broker dies after a few answers"),
    ),
    Cell("kafka", "slow", _down("`timeout`", "answers held past the request timeout")),
    Cell(
        "kafka",
        "rate_limited",
        "",
        "n/a — Kafka quotas throttle by delaying answers (throttle_time_ms), which is the "
        "'slow' case; tansu has no quotas to trigger",
    ),
    Cell(
        "kafka",
        "malformed",
        _down("`unreachable`, `timeout` or `protocol`", "garbage instead of Kafka frames"),
    ),
    Cell("kafka", "recovers", "three failed cycles, then up: one 'down', one 'resolved'"),
    Cell("mysql", "down_at_start", _down("`unreachable`", "both servers refuse")),
    Cell("mysql", "dies_mid_collection", "replica dies mid-read: source partial, nothing resolved"),
    Cell(
        "mysql", "slow", _down("`timeout` or `unreachable`", "answers held past the read timeout")
    ),
    Cell(
        "mysql",
        "rate_limited",
        "",
        "n/a — the MySQL protocol has no rate-limit answer; 'Too many connections' (1040) "
        "is a refused connection, the down-at-start case",
    ),
    Cell(
        "mysql",
        "malformed",
        _down("`unreachable` or `protocol`", "garbage instead of the server handshake"),
    ),
    Cell("mysql", "recovers", "three failed cycles, then up: one 'down', one 'resolved'"),
    Cell("airflow", "down_at_start", _down("`unreachable`", "API server refuses")),
    Cell(
        "airflow",
        "dies_mid_collection",
        "API dies after a few answers: source down (`unreachable`/`protocol`) or partial, by "
        "where it was cut; nothing resolved (DAGs whose runs went unread keep their findings)",
    ),
    Cell(
        "airflow",
        "slow",
        _down("`timeout` or `unreachable`", "answers held past the request timeout"),
    ),
    Cell(
        "airflow",
        "rate_limited",
        _down("`protocol` or `unreachable`", "HTTP 429 Retry-After on every call"),
    ),
    Cell("airflow", "malformed", _down("`unreachable` or `protocol`", "garbage instead of HTTP")),
    Cell("airflow", "recovers", "three failed cycles, then up: one 'down', one 'resolved'"),
    Cell("gcs", "down_at_start", "bucket unreachable: source partial, DAG-file findings kept"),
    Cell("gcs", "dies_mid_collection", "bucket dies mid-listing: partial, DAG-file findings kept"),
    Cell(
        "gcs",
        "slow",
        "listing past request_timeout_seconds: partial (Airflow still read), DAG-file findings "
        "kept stale",
    ),
    Cell(
        "gcs",
        "rate_limited",
        "HTTP 429 on the listing, retried within the timeout: partial, DAG-file findings kept",
    ),
    Cell("gcs", "malformed", "garbage instead of HTTP: partial, DAG-file findings kept"),
    Cell("gcs", "recovers", "three partial cycles, then whole: one 'partial', one 'resolved'"),
    # --- sinks ---------------------------------------------------------------------------
    Cell(
        "slack", "down_at_start", "webhook refuses: messages wait, delivered once when it is back"
    ),
    Cell(
        "slack",
        "dies_mid_collection",
        "answer lost after the webhook accepted: re-sent, the receiver sees it twice "
        "(the at-least-once window of docs/daemon.md); nothing lost",
    ),
    Cell("slack", "slow", "webhook never answers: timeout, retried, delivered once"),
    Cell("slack", "rate_limited", "429 Retry-After: held for that long, delivered once"),
    Cell("slack", "malformed", "garbage instead of HTTP: a failed delivery, retried, sent once"),
    Cell("slack", "recovers", "down for three cycles: every message delivered once, in order"),
    Cell("alertmanager", "down_at_start", "refuses: newest state delivered when it is back"),
    Cell(
        "alertmanager",
        "dies_mid_collection",
        "answer lost after Alertmanager accepted: re-sent; Alertmanager deduplicates by labels",
    ),
    Cell("alertmanager", "slow", "never answers: timeout, retried, newest state delivered"),
    Cell("alertmanager", "rate_limited", "HTTP 429 Retry-After: held, then delivered"),
    Cell("alertmanager", "malformed", "garbage instead of HTTP: retried, then delivered"),
    Cell("alertmanager", "recovers", "down for three cycles: only the newest state is sent, once"),
]
BY_KEY = {cell.key: cell for cell in CELLS}
DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
WRITE_ENV = "AUDITOR_WRITE_RELIABILITY"


def live_cells(component: str) -> list[str]:
    """The keys of a component's cells that have a test (not n/a), for parametrize."""
    return [c.fault for c in CELLS if c.component == component and not c.not_applicable]


def _cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(observed: dict[str, str]) -> str:
    """docs/reliability.md from the cells and what the run observed (key → outcome)."""
    lines = [
        "# Reliability: the fault matrix",
        "",
        "Generated by `tests/reliability` — do not edit by hand. Regenerate with",
        "",
        "```",
        f"{WRITE_ENV}=1 .venv/bin/pytest -p no:cacheprovider tests/reliability",
        "```",
        "",
        "Every source runs under the in-process daemon (`auditor.daemon.service.Daemon`, real",
        "state store, real collectors and sinks, HTTP served) against the real component or its",
        "fake; faults come from `tests/reliability/proxy.py` (a TCP proxy that refuses, delays,",
        "dies after N bytes, truncates, answers garbage or canned HTTP 429s) or the fakes' own",
        "fault injection. Process-level restarts (kill -9 between commit and delivery) are",
        "covered by `tests/e2e/test_daemon_soak_short.py` and `tests/unit/daemon`.",
        "",
        f"**Every source case also asserts:** {SOURCE_CONTRACT}.",
        "",
        f"**Every sink case also asserts:** {SINK_CONTRACT}.",
        "",
        "| component | fault | expected | observed |",
        "|---|---|---|---|",
    ]
    for cell in CELLS:
        if cell.not_applicable:
            expected, outcome = cell.not_applicable, "n/a"
        else:
            expected, outcome = cell.expected, observed.get(cell.key, "not run")
        lines.append(
            f"| {COMPONENTS[cell.component]} | {FAULTS[cell.fault]} | {_cell_text(expected)} "
            f"| {_cell_text(outcome)} |"
        )
    live = [c for c in CELLS if not c.not_applicable]
    passed = sum(1 for c in live if observed.get(c.key, "").startswith("pass"))
    lines += [
        "",
        f"{len(CELLS)} cells: {passed} passed, {len(CELLS) - len(live)} n/a"
        f", {len(live) - passed} not passing.",
        "",
    ]
    return "\n".join(lines)


def documented_keys(text: str) -> list[tuple[str, str]]:
    """(component title, fault title) of every row of a rendered table."""
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] in COMPONENTS.values():
            rows.append((cells[0], cells[1]))
    return rows
