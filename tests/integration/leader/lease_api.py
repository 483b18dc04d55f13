"""A fake of the coordination.k8s.io/v1 Lease endpoints (no kube-apiserver is obtainable here),
faithful to what leader election relies on: 404 for a missing lease, 409 on create of an
existing one and on a replace with a stale resourceVersion. Driven through the real client."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_ITEM = re.compile(r"^/apis/coordination.k8s.io/v1/namespaces/([^/]+)/leases(?:/([^/?]+))?")


@dataclass
class LeaseApi:
    """Stored leases by (namespace, name), and the port it serves on."""

    port: int = 0
    leases: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    revision: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kubeconfig(self, directory: Path) -> Path:
        """A kubeconfig pointing the real client at this server."""
        path = directory / "kubeconfig"
        path.write_text(
            json.dumps({
                "apiVersion": "v1", "kind": "Config", "current-context": "fake",
                "clusters": [{"name": "fake", "cluster": {"server": f"http://127.0.0.1:{self.port}"}}],
                "users": [{"name": "fake", "user": {"token": "not-a-secret"}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
            }),
            encoding="utf-8",
        )  # fmt: skip
        return path


def _status(code: int, reason: str) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
            "reason": reason, "message": reason}  # fmt: skip


@contextmanager
def lease_api() -> Iterator[LeaseApi]:
    """Serve a LeaseApi on 127.0.0.1 for the duration of the block."""
    api = LeaseApi()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

        def do_GET(self) -> None:
            """Read one lease."""
            match = _ITEM.match(self.path)
            assert match and match.group(2)
            with api.lock:
                lease = api.leases.get((match.group(1), match.group(2)))
            self._answer(200, lease) if lease else self._answer(404, _status(404, "NotFound"))

        def do_POST(self) -> None:
            """Create a lease; 409 when it exists."""
            match = _ITEM.match(self.path)
            assert match
            body = self._body()
            key = (match.group(1), body["metadata"]["name"])
            with api.lock:
                if key in api.leases:
                    self._answer(409, _status(409, "AlreadyExists"))
                    return
                api.revision += 1
                body["metadata"]["resourceVersion"] = str(api.revision)
                api.leases[key] = body
            self._answer(201, body)

        def do_PUT(self) -> None:
            """Replace a lease; 409 when the resourceVersion is stale."""
            match = _ITEM.match(self.path)
            assert match and match.group(2)
            body = self._body()
            key = (match.group(1), match.group(2))
            with api.lock:
                current = api.leases.get(key)
                if current is None:
                    self._answer(404, _status(404, "NotFound"))
                    return
                if (
                    body["metadata"].get("resourceVersion")
                    != current["metadata"]["resourceVersion"]
                ):
                    self._answer(409, _status(409, "Conflict"))
                    return
                api.revision += 1
                body["metadata"]["resourceVersion"] = str(api.revision)
                api.leases[key] = body
            self._answer(200, body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    api.port = int(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
