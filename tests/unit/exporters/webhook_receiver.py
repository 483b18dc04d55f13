"""A real HTTP server on 127.0.0.1 that records posts and answers as the test scripts it:
`ok`, `429:SECONDS` (with Retry-After), `500`, `400`, or `hang` (no answer until stopped)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    """What the server received, and what it will answer next."""

    port: int = 0
    script: list[str] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        """The webhook URL, with a token-like path as Slack's have."""
        return f"http://127.0.0.1:{self.port}/services/T000/B000/s3cr3tW3bh00kT0k3n"


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    """Serve a Receiver for the duration of the block."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_POST(self) -> None:
            """Record the post, then answer from the script (default ok)."""
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            answer = receiver.script.pop(0) if receiver.script else "ok"
            if answer == "hang":
                receiver.release.wait(30)
                return
            receiver.posts.append(json.loads(body))
            receiver.times.append(time.monotonic())
            if answer == "ok":
                status, text, headers = 200, "ok", {}
            elif answer.startswith("429"):
                status, text, headers = 429, "rate_limited", {"Retry-After": answer[4:]}
            else:
                status, text, headers = int(answer), "error", {}
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text.encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
