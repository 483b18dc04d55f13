"""A real HTTP server on 127.0.0.1 that records every request (method, path, headers, body)
and answers from a script: the Slack webhook, Alertmanager, or an OAuth token endpoint."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One scripted answer."""

    status: int
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Recorder:
    """What the server received; answers pop from `script`, then `default` forever."""

    port: int = 0
    script: list[Answer] = field(default_factory=list)
    default: Answer = Answer(200, "ok")
    requests: list[tuple[str, str, str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def received(self) -> bytes:
        """Every request as one byte string: request line, headers and body."""
        with self.lock:
            recorded = list(self.requests)
        return b"\n".join(
            f"{method} {path}\n{headers}".encode() + body
            for method, path, headers, body in recorded
        )

    def bodies(self) -> list[bytes]:
        """The request bodies, in order."""
        with self.lock:
            return [body for *_, body in self.requests]

    def _answer(self) -> Answer:
        with self.lock:
            return self.script.pop(0) if self.script else self.default


@contextmanager
def recording_server(default: Answer | None = None) -> Iterator[Recorder]:
    """Serve a Recorder for the duration of the block."""
    recorder = Recorder(default=default or Answer(200, "ok"))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0") or 0)
            body = self.rfile.read(length) if length else b""
            with recorder.lock:
                recorder.requests.append((self.command, self.path, str(self.headers), body))
            answer = recorder._answer()
            payload = answer.body.encode()
            self.send_response(answer.status)
            for key, value in answer.headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, name="recorder", daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
