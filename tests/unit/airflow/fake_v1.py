"""An Airflow 2 `/api/v1` stand-in serving recorded responses of the documented shapes.

A real Airflow 2 would be a second large venv; this serves what one answers, through the
collector's real HTTP client: basic auth, a page cap below the asked limit, the run filters
and `total_entries` the collector relies on, and injectable failures (HTTP 500).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

RECORDED = json.loads((Path(__file__).parent / "recorded_v1.json").read_text(encoding="utf-8"))
USER, PASSWORD = "auditor", "v1-Basic-pw"
PAGE_CAP = 2  # the server's maximum_page_limit, below the collector's page size


@dataclass
class FakeV1:
    """The server's address and what it was asked."""

    url: str
    fail_with: int | None = None
    requests: list[str] = field(default_factory=list)


def _page(items: list[dict[str, Any]], query: dict[str, list[str]], key: str) -> dict[str, Any]:
    limit = min(int(query.get("limit", ["100"])[0]), PAGE_CAP)
    offset = int(query.get("offset", ["0"])[0])
    return {key: items[offset : offset + limit], "total_entries": len(items)}


def _runs(dag_id: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
    runs = [r for r in RECORDED["dag_runs"] if dag_id in ("~", r["dag_id"])]
    if "state" in query:
        runs = [r for r in runs if r["state"] in query["state"]]
    if "execution_date_gte" in query:
        runs = [r for r in runs if r["execution_date"] >= query["execution_date_gte"][0]]
    order = query.get("order_by", ["execution_date"])[0]
    return sorted(runs, key=lambda r: r["execution_date"], reverse=order.startswith("-"))


def _answer(path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
    if path == "/api/v1/version":
        return 200, RECORDED["version"]
    if path == "/api/v1/health":
        return 200, RECORDED["health"]
    if path == "/api/v1/dags":
        return 200, _page(RECORDED["dags"], query, "dags")
    if path == "/api/v1/importErrors":
        return 200, _page(RECORDED["import_errors"], query, "import_errors")
    if path == "/api/v1/eventLogs":
        logs = [e for e in RECORDED["event_logs"] if e["dag_id"] == query.get("dag_id", [""])[0]]
        return 200, _page(logs, query, "event_logs")
    parts = path.split("/")
    if len(parts) == 6 and parts[:4] == ["", "api", "v1", "dags"] and parts[5] == "dagRuns":
        return 200, _page(_runs(parts[4], query), query, "dag_runs")
    return 404, {"title": "Not Found", "status": 404, "type": "about:blank"}


@contextmanager
def fake_airflow_v1() -> Iterator[FakeV1]:
    """The server on a free 127.0.0.1 port, in a thread, shut down afterwards."""
    state = FakeV1(url="")
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parsed = urlparse(self.path)
            state.requests.append(self.path)
            if self.headers.get("Authorization") != expected:
                status, body = 401, {"title": "Unauthorized", "status": 401}
            elif state.fail_with is not None:
                status, body = state.fail_with, {"title": "Internal Server Error"}
            else:
                status, body = _answer(parsed.path, parse_qs(parsed.query))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
