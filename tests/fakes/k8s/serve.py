"""Run the fake API server as its own process (for benchmarks: no GIL shared with the client).

    python -m tests.fakes.k8s.serve --objects OBJECTS.jsonl [--port P] [--url-file FILE]

OBJECTS.jsonl holds one served object per line (as `as_served` makes them). The server's URL
is printed on stdout (and written to --url-file) once it listens; it stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from tests.fakes.k8s.server import EmulatorServer


def main() -> None:
    """Load the objects, serve them, and wait for a signal."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=Path, required=True)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--url-file", type=Path, default=None)
    args = parser.parse_args()
    server = EmulatorServer(port=args.port)
    with args.objects.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                server.emulator.put(json.loads(line))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    try:
        if args.url_file is not None:
            args.url_file.write_text(server.url, encoding="utf-8")
        print(server.url, flush=True)
        stop.wait()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
