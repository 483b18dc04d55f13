"""A TCP proxy that puts faults between a client and a real server, whatever the protocol.

Modes (switching to `refuse`, `truncate`, `garbage` or `blackhole` closes the connections open
at that moment, as a server that went away would; `delay` and `die_after` also apply to them):

- `pass`: bytes go both ways untouched.
- `refuse`: connections are accepted and reset at once (a server that is down).
- `delay`: the server's answers are held `seconds` before each chunk (slow beyond timeouts).
- `die_after`: answers pass until `limit` bytes have gone to clients in total, then every
  connection is closed and new ones are refused (a server that dies mid-collection).
- `truncate`: each connection gets at most `limit` bytes of answer, then is closed.
- `garbage`: the server is never reached; each connection is answered with bytes that no
  protocol accepts, then closed.
- `answer`: the server is never reached; each connection is answered with `payload` (a canned
  HTTP 429, say), then closed.
- `swallow`: requests reach the server, its answers are dropped and the connection reset
  (the receiver acted on a request whose sender never learns it: the at-least-once window).
- `blackhole`: connections are accepted and never answered.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass

MODES = (
    "pass", "refuse", "delay", "die_after", "truncate", "garbage", "answer", "swallow", "blackhole"
)  # fmt: skip
GARBAGE = b"\x15\x03\x03\x00\x02\x02\x50garbled \xff\xfe answer\r\n\r\n{]\x00"
TOO_MANY_REQUESTS = (
    b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 12\r\nConnection: close\r\n\r\nrate limited"
)
CHUNK = 65536


@dataclass(frozen=True)
class Fault:
    """What the proxy does now."""

    mode: str = "pass"
    seconds: float = 0.0
    limit: int = 0
    payload: bytes = GARBAGE

    def __post_init__(self) -> None:
        assert self.mode in MODES, self.mode


class FaultProxy:
    """Listens on 127.0.0.1 (a free port) and forwards to `upstream` through the current fault."""

    def __init__(self, upstream_host: str, upstream_port: int, count: bytes = b"") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.fault = Fault()
        self.connections = 0  # accepted since start: proof that the client really called
        self.count = count  # a request line to count as it reaches the server
        self.requests = 0
        self._sent = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    @property
    def address(self) -> str:
        """host:port to give clients."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> FaultProxy:
        """Begin accepting."""
        self._thread.start()
        return self

    def set(
        self, mode: str, *, seconds: float = 0.0, limit: int = 0, payload: bytes = GARBAGE
    ) -> None:
        """Switch to another fault."""
        with self._lock:
            self.fault = Fault(mode, seconds, limit, payload)
            self._sent = 0
        if mode in ("refuse", "truncate", "garbage", "answer", "blackhole"):
            self._close_all()

    def stop(self) -> None:
        """Stop accepting and close everything."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._close_all()
        self._thread.join(timeout=5)

    def _close_all(self) -> None:
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _reset(sock)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                fault = self.fault
            threading.Thread(target=self._serve, args=(client, fault), daemon=True).start()

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        if fault.mode == "refuse" or (fault.mode == "die_after" and self._dead()):
            _reset(client)
            return
        self._track(client)
        if fault.mode in ("garbage", "answer"):
            with contextlib.suppress(OSError):
                if fault.mode == "answer":
                    client.recv(CHUNK)  # the request, which no server reads
                client.sendall(GARBAGE if fault.mode == "garbage" else fault.payload)
            _close(client)
            return
        if fault.mode == "blackhole":
            return  # held open (and tracked) until the next mode change
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            _reset(client)
            return
        server.settimeout(None)
        self._track(server)
        threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
        self._pump(server, client, True)

    def _pump(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        """Copy source → target; the current fault applies to the server's answers only."""
        given = 0
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                fault = self.fault if answers else None
                if not answers and self.count:
                    with self._lock:
                        self.requests += data.count(self.count)
                if fault is not None and fault.mode == "swallow":
                    break  # the answer came; the client never sees it
                if fault is not None and fault.mode == "delay":
                    time.sleep(fault.seconds)
                if fault is not None and fault.mode == "truncate":
                    data = data[: max(0, fault.limit - given)]
                    given += len(data)
                if fault is not None and fault.mode == "die_after":
                    data = self._allow(data, fault.limit)
                if data:
                    target.sendall(data)
                if fault is not None and fault.mode == "truncate" and given >= fault.limit:
                    break
                if fault is not None and fault.mode == "die_after" and self._dead():
                    self._close_all()
                    return
        except OSError:
            pass
        if answers and self.fault.mode == "swallow":
            _reset(target)
        _close(source)
        _close(target)

    def _allow(self, data: bytes, limit: int) -> bytes:
        with self._lock:
            allowed = data[: max(0, limit - self._sent)]
            self._sent += len(allowed)
        return allowed

    def _dead(self) -> bool:
        with self._lock:
            return self.fault.mode == "die_after" and self._sent >= self.fault.limit

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


def _reset(sock: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the client sees 'connection reset', as from a dead host."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RD)  # wakes a thread blocked in recv, sends nothing
    with contextlib.suppress(OSError):
        sock.close()
