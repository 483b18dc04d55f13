"""The daemon's HTTP endpoints: /metrics, /healthz, /readyz, /findings."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import CollectorRegistry

from auditor.lifecycle import TrackedFinding
from auditor.model import Category, Severity


class FilterError(ValueError):
    """A /findings query parameter with a value it cannot take."""


@dataclass(frozen=True, slots=True)
class Endpoints:
    """What the handlers read."""

    registry: CollectorRegistry
    ready: Callable[[], tuple[bool, str]]
    findings: Callable[[], list[TrackedFinding]]


def filter_findings(
    findings: Sequence[TrackedFinding], query: dict[str, list[str]]
) -> list[TrackedFinding]:
    """/findings filters: severity (at or above), category, source, rule (glob), status.

    Each may repeat or hold a comma list; different filters must all match.
    """

    def values(name: str) -> list[str]:
        return [v for raw in query.get(name, []) for v in raw.split(",") if v]

    unknown = sorted(set(query) - {"severity", "category", "source", "rule", "status"})
    if unknown:
        raise FilterError(f"unknown filter {unknown[0]!r}")
    selected = list(findings)
    if severities := values("severity"):
        try:
            floor = min((Severity(s) for s in severities), key=lambda s: s.rank)
        except ValueError:
            raise FilterError(f"severity must be one of {[s.value for s in Severity]}") from None
        selected = [f for f in selected if Severity(f.severity).at_least(floor)]
    if categories := values("category"):
        known = {c.value for c in Category}
        if not set(categories) <= known:
            raise FilterError(f"category must be one of {sorted(known)}")
        selected = [f for f in selected if f.category in categories]
    if sources := values("source"):
        selected = [f for f in selected if f.source in sources]
    if rules := values("rule"):
        selected = [f for f in selected if any(fnmatchcase(f.rule_id, r) for r in rules)]
    if statuses := values("status"):
        selected = [f for f in selected if f.status in statuses]
    return sorted(selected, key=lambda f: (-Severity(f.severity).rank, f.rule_id, f.fingerprint))


def _handler(endpoints: Endpoints) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "auditor"

        def log_message(self, format: str, *args: Any) -> None:
            """Access logs are noise at a 15 s scrape interval."""

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, document: Any) -> None:
            self._send(status, json.dumps(document, indent=1).encode(), "application/json")

        def do_GET(self) -> None:
            """Route one GET request."""
            url = urlsplit(self.path)
            if url.path == "/metrics":
                self._send(200, generate_latest(endpoints.registry), CONTENT_TYPE_LATEST)
            elif url.path == "/healthz":
                self._send(200, b"ok\n", "text/plain; charset=utf-8")
            elif url.path == "/readyz":
                ready, why = endpoints.ready()
                self._send(200 if ready else 503, f"{why}\n".encode(), "text/plain")
            elif url.path == "/findings":
                try:
                    selected = filter_findings(endpoints.findings(), parse_qs(url.query))
                except FilterError as exc:
                    self._json(400, {"error": str(exc)})
                    return
                self._json(200, {"findings": [f.as_dict() for f in selected]})
            else:
                self._json(404, {"error": "not found", "paths": list(PATHS)})

    return Handler


PATHS = ("/metrics", "/healthz", "/readyz", "/findings")


class HttpServer:
    """A threaded HTTP server on its own daemon thread."""

    def __init__(self, address: str, port: int, endpoints: Endpoints) -> None:
        self._server = ThreadingHTTPServer((address, port), _handler(endpoints))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="auditor-http", daemon=True
        )

    @property
    def port(self) -> int:
        """The bound port (useful when configured as 0)."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
