"""Soak: the daemon runs every source each second for N cycles; RSS, fds and threads sampled.

    .venv/bin/python bench/daemon_soak.py --cycles 500

Sources are `files` sources over the recorded demo estate (Kubernetes manifests and the MySQL,
Kafka and Airflow snapshots), so every cycle collects, evaluates ~100 resources, updates the
lifecycle and serves /metrics; one source flips between up and down every 10 cycles so stale
handling and notifications run too (into a local webhook that answers ok). Figures go to
docs/benchmarks-daemon.md by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.config import load_config
from auditor.daemon.service import Daemon
from auditor.log import configure_logging
from auditor.paths import demo_dir


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def sample() -> dict[str, int]:
    """RSS (KiB), open file descriptors and threads of this process."""
    return {
        "rss_kib": _status("VmRSS"),
        "fds": sum(1 for _ in Path("/proc/self/fd").iterdir()),
        "threads": threading.active_count(),
    }


class _Ok(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=500)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="auditor-soak-"))
    estate = demo_dir() / "estate"
    flapping = root / "flapping"
    shutil.copytree(estate / "k8s", flapping)
    webhook = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    os.environ["SOAK_WEBHOOK"] = f"http://127.0.0.1:{webhook.server_address[1]}/hook"
    config_path = root / "auditor.yaml"
    config_path.write_text(
        f"state: {{path: {root / 'state.db'}}}\n"
        "daemon:\n  port: 0\n  jitter_seconds: 0\n"
        "  notifications: {slack: {webhook_url: {env: SOAK_WEBHOOK}, min_severity: low}}\n"
        "sources:\n"
        f"  - {{name: mysql, type: files, paths: [{estate / 'mysql'}], interval_seconds: 1}}\n"
        f"  - {{name: kafka, type: files, paths: [{estate / 'kafka'}], interval_seconds: 1}}\n"
        f"  - {{name: airflow, type: files, paths: [{estate / 'airflow'}], interval_seconds: 1}}\n"
        f"  - {{name: k8s, type: files, paths: [{flapping}], interval_seconds: 1}}\n",
        encoding="utf-8",
    )
    configure_logging("error", "json")
    daemon = Daemon(load_config(config_path, environ={}), [])
    port = daemon.start()
    seen: dict[str, object] = {}
    cycles = 0
    samples: list[dict[str, int]] = []
    scrape_ms: list[float] = []
    started = time.monotonic()
    parked = root / "parked"
    while cycles < args.cycles:
        time.sleep(0.2)
        for view in daemon.snapshot.views():
            if view.health.name == "mysql" and seen.get("mysql") != view.cycle_at:
                seen["mysql"] = view.cycle_at
                cycles += 1
                if cycles % 10 == 0:  # flip the k8s source between up and down
                    if flapping.exists():
                        flapping.rename(parked)
                    else:
                        parked.rename(flapping)
                if cycles % 10 == 5:
                    t0 = time.perf_counter()
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as r:
                        r.read()
                    scrape_ms.append((time.perf_counter() - t0) * 1000)
                if cycles == 50 or cycles % 50 == 0:
                    samples.append({"cycle": cycles, **sample()})
                    print(samples[-1], flush=True)
    elapsed = time.monotonic() - started
    daemon.stop()
    webhook.shutdown()
    warm, last = samples[0], samples[-1]
    growth = (last["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"] * 100
    print(f"cycles={cycles} elapsed={elapsed:.0f}s")
    print(
        f"rss warm(c{warm['cycle']})={warm['rss_kib'] / 1024:.1f} MiB "
        f"end={last['rss_kib'] / 1024:.1f} MiB growth={growth:+.1f}%"
    )
    print(f"fds {warm['fds']} -> {last['fds']}; threads {warm['threads']} -> {last['threads']}")
    print(f"scrape during soak: median {statistics.median(scrape_ms):.1f} ms over {len(scrape_ms)}")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
