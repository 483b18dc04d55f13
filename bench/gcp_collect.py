"""The gcp collector against an organization of 200 projects × 30 bindings, 500 service
accounts and 800 keys served by the fakes with 20 ms of latency per call: calls made, wall
time against the ideal (calls × latency ÷ concurrency), CPU, peak RSS. Default settings.

The fakes run in their own process, so the collector's RSS and CPU are its own; a second run
with no injected latency measures what the same calls cost this machine's CPU (both ends in
Python), which bounds how close to the ideal any run here can get. Writes
docs/benchmarks-gcp.md.

    .venv/bin/python bench/gcp_collect.py [RUNS]
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.collectors.base import CollectorContext  # noqa: E402
from auditor.collectors.gcp import GcpSettings, create_collector  # noqa: E402
from auditor.collectors.gcp.collector import GcpCollector  # noqa: E402
from auditor.state import HistoryStore  # noqa: E402

LATENCY = 0.020
SLOW_LATENCY = 0.100  # where this machine's CPU is no longer the bottleneck
SIZES = {"projects": 200, "bindings": 30, "accounts": 500, "keys": 800}
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OUTPUT = REPO / "docs" / "benchmarks-gcp.md"
APIS = ("resource_manager", "iam", "monitoring")
TARGET = 1.5
API_OF = {
    "google.cloud.resourcemanager": "resource_manager",
    "google.iam.admin": "iam",
    "google.monitoring": "monitoring",
}


def _serve(conn: Connection, api: str, latency: float) -> None:
    """Child process: run the fake of one API; answer 'count' with the calls served since the
    last count (and the CPU they took); stop on anything else."""
    from bench.gcp_estate import generated_org
    from tests.fakes.gcp.faults import FakeRecord
    from tests.fakes.gcp.iam_admin import IamAdminFake
    from tests.fakes.gcp.monitoring import MonitoringFake
    from tests.fakes.gcp.resource_manager import ResourceManagerFake

    org, record = generated_org(NOW, **SIZES), FakeRecord()
    fake: Any
    if api == "resource_manager":
        fake = ResourceManagerFake(org, record, latency)
    else:
        fake = (IamAdminFake if api == "iam" else MonitoringFake)(org, record, latency).grpc
    fake.start()
    try:
        conn.send(fake.endpoint)
        cpu = time.process_time()
        while conn.recv() == "count":
            conn.send((dict(record.count()), time.process_time() - cpu))
            record.reset()
            cpu = time.process_time()
    finally:
        fake.stop()


@dataclass
class Run:
    """One collection: wall and CPU seconds, calls served, what it produced."""

    wall: float
    cpu: float
    fake_cpu: float
    calls: dict[str, int]
    resources: int
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Calls made."""
        return sum(self.calls.values())


class Fakes:
    """The fakes, each API's in a process of its own: Google's servers do not share the
    collector's CPU, and here they do not share one interpreter lock with each other."""

    def __init__(self, latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self.children: list[tuple[Connection, Any]] = []
        for api in APIS:
            conn, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, api, latency))
            process.start()
            self.children.append((conn, process))
        self.endpoints = {
            api: conn.recv() for api, (conn, _) in zip(APIS, self.children, strict=True)
        }

    def settings(self) -> GcpSettings:
        """Default settings reading these fakes."""
        return GcpSettings.model_validate(
            {"name": "bench", "type": "gcp", "organization": "123456789012",
             "auth": {"type": "anonymous"}, "endpoints": self.endpoints}
        )  # fmt: skip

    def collect(self, collector: GcpCollector) -> Run:
        """One collection by `collector`."""
        started, cpu = time.monotonic(), time.process_time()
        context = CollectorContext(now=lambda: NOW, history=HistoryStore())
        collection = collector.collect(context)
        wall, cpu = time.monotonic() - started, time.process_time() - cpu
        calls: dict[str, int] = {}
        fake_cpu = 0.0
        for conn, _ in self.children:
            conn.send("count")
            served, used = conn.recv()
            calls.update(served)
            fake_cpu += used
        return Run(wall, cpu, fake_cpu, calls, len(collection.resources), collection.problems)

    def stop(self) -> None:
        """Stop the children."""
        for conn, process in self.children:
            conn.send("stop")
            process.join(timeout=10)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _by_api(calls: dict[str, int]) -> Counter[str]:
    grouped: Counter[str] = Counter()
    for method, count in calls.items():
        grouped[next(api for prefix, api in API_OF.items() if method.startswith(prefix))] += count
    return grouped


def main(runs: int) -> None:
    """`runs` cold collections and a warm one at 20 ms; one cold at 0 ms; write the report."""
    load = os.getloadavg()[0]
    rss_before = _rss_mb()
    fakes = Fakes(LATENCY)
    try:
        cold, warm = [], None
        for _ in range(runs):
            collector = create_collector(fakes.settings())
            cold.append(fakes.collect(collector))
            warm = fakes.collect(collector)
            collector.close()
    finally:
        fakes.stop()
    rss_peak = _rss_mb()
    floor = _one_cold(0.0)
    slow = _one_cold(SLOW_LATENCY)
    assert warm is not None
    loads = (load, os.getloadavg()[0])
    write_report(cold, warm, floor, slow, fakes.settings(), loads, rss_before, rss_peak)


def _one_cold(latency: float) -> Run:
    """One cold collection against fakes answering after `latency`."""
    fakes = Fakes(latency)
    try:
        collector = create_collector(fakes.settings())
        run = fakes.collect(collector)
        collector.close()
    finally:
        fakes.stop()
    return run


def write_report(
    cold: list[Run],
    warm: Run,
    floor: Run,
    slow: Run,
    settings: GcpSettings,
    loads: tuple[float, float],
    rss_before: float,
    rss_peak: float,
) -> None:
    """Write docs/benchmarks-gcp.md and print it."""
    limits = settings.api
    slots = {
        "resource_manager": limits.resource_manager.concurrency,
        "iam": limits.iam.concurrency,
        "monitoring": limits.monitoring.concurrency,
    }
    run = sorted(cold, key=lambda r: r.wall)[len(cold) // 2]  # the median run
    walls = [r.wall for r in cold]
    ms = LATENCY * 1000
    ideal = run.total * LATENCY / limits.concurrency
    slow_ideal = slow.total * SLOW_LATENCY / limits.concurrency
    per_api = _by_api(run.calls)
    api_rows = "\n".join(
        f"| {api} | {per_api[api]} | {slots[api]} | {per_api[api] * LATENCY / slots[api]:.2f} s |"
        for api in slots
    )
    method_rows = "\n".join(
        f"| `{'.'.join(method.rsplit('.', 2)[-2:])}` | {count} |"
        for method, count in sorted(run.calls.items(), key=lambda item: -item[1])
    )
    ratios = sorted(r.wall / (r.total * LATENCY / limits.concurrency) for r in cold)
    met = sum(ratio <= TARGET for ratio in ratios)
    summary = "\n".join(
        f"| {name} | {value} |"
        for name, value in (
            ("resources produced", run.resources),
            ("problems", len(run.problems)),
            ("calls made (cold)", run.total),
            (
                f"wall time (cold, median of {len(cold)})",
                f"**{run.wall:.2f} s** ({min(walls):.2f}–{max(walls):.2f} s)",
            ),
            (
                f"ideal: calls × latency ÷ concurrency = {run.total} × {ms:.0f} ms ÷ "
                f"{limits.concurrency}",
                f"{ideal:.2f} s",
            ),
            (
                "**wall ÷ ideal** (median run; range over the runs)",
                f"**{run.wall / ideal:.2f}×** ({ratios[0]:.2f}–{ratios[-1]:.2f}×; "
                f"{met} of {len(ratios)} runs ≤ {TARGET}×) — target ≤ {TARGET}×",
            ),
            (
                "CPU of the median run: collector / the three fakes",
                f"{run.cpu:.2f} s / {run.fake_cpu:.2f} s",
            ),
            (
                "the same calls with no injected latency (this machine's floor)",
                f"{floor.wall:.2f} s wall, {floor.cpu:.2f} s collector CPU",
            ),
            (
                f"the same at {SLOW_LATENCY * 1000:.0f} ms a call (ideal {slow_ideal:.2f} s)",
                f"{slow.wall:.2f} s: **{slow.wall / slow_ideal:.2f}×** the ideal",
            ),
            ("warm collection (predefined roles cached)", f"{warm.wall:.2f} s, {warm.total} calls"),
            (
                "peak RSS of the collector process",
                f"{rss_peak:.0f} MB ({rss_before:.0f} MB before the collections)",
            ),
        )
    )
    text = f"""# Benchmark: the gcp collector over a generated organization

Generated by `bench/gcp_collect.py {len(cold)}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
({platform.machine()}, {os.cpu_count()} cores shared with other work, Python
{platform.python_version()}; **load average {loads[0]:.1f} at the start, {loads[1]:.1f} at the
end**). The fakes (tests/fakes/gcp: REST Resource Manager, gRPC IAM admin and Monitoring,
driven through the real client libraries) serve {SIZES["projects"]} projects under 10 folders,
{SIZES["bindings"]} bindings per project policy, {SIZES["accounts"]} service accounts,
{SIZES["keys"]} keys, a custom role per project, Pub/Sub backlog in a quarter of the projects
and Composer health in a twentieth, with **{ms:.0f} ms of latency on every call**. Each API's
fake runs in a process of its own: Google's servers are not on this machine, so their work is
not the collector's — but here the fakes still share its 2 cores, and their CPU is reported
beside the collector's. The collector runs with **default settings**: at most
{limits.concurrency} calls in flight, {slots["resource_manager"]} / {slots["iam"]} /
{slots["monitoring"]} per API (Resource Manager / IAM / Monitoring), 5 attempts per call, pacing
at 600 / 3000 / 3000 calls a minute. {len(cold)} cold collections (a new collector each:
predefined-role cache empty), median; each followed by a warm one by the same collector.

| | value |
| --- | --- |
{summary}

Calls per API (cold):

| API | calls | concurrency | calls × latency ÷ concurrency |
| --- | --- | --- | --- |
{api_rows}

Calls per method (cold):

| method | calls |
| --- | --- |
{method_rows}

Reading it. The three APIs are read at once, each by its own threads, under one bound on calls
in flight, so the ideal spreads every call over all {limits.concurrency} slots. What cannot
overlap adds to it: discovery (organization → folders → projects) before anything else, each
account's keys after its account listing. Monitoring takes one metric type per query, so five
queries per project (account and key authentications, two Pub/Sub gauges, Composer health)
make it the busiest API. The zero-latency run is the cost of the same calls in CPU alone —
gRPC and HTTP on both ends, in Python, on {os.cpu_count()} shared cores: wall time here cannot
fall below it whatever the latency, and on a busy machine it is most of the gap to the ideal.
The run at {SLOW_LATENCY * 1000:.0f} ms a call, where waiting outweighs this machine's CPU,
shows how close the collector's scheduling itself comes. Not a timing assertion in CI.
{HISTORY}"""
    if not os.environ.get("BENCH_NO_WRITE"):  # smoke runs (make bench-quick) only print
        OUTPUT.write_text(text, encoding="utf-8")
    print(text)


HISTORY = """
## What changed on 2026-11-26, and what it bought

**Result: single runs meet the target (the best at 1.37×), the median does not on this shared
machine: 1.55–1.98× at load averages of 4–9, against 2.08–2.51× before.** With no other work
on the 2 cores the median would be lower, but that was not available to measure; the 100 ms
run (1.12–1.21×) shows the collector's own scheduling is within the target.

Before, the same benchmark gave a median of **3.71 s, 2.08× the ideal** (3.10–4.08 s; collector
CPU 1.90 s, fakes 1.37 s, all three fakes in one process; zero-latency floor 3.03 s; 1.23× at
100 ms; 136 MB), and 4.49 s (2.51×, collector CPU 2.18 s) re-measured here before the changes
below. The machine is shared with other sessions' test runs (load averages of 8–20 on 2 cores
during this work), so every figure above is a median over runs and comes with its range and
the load average.

- **Worker threads without Futures** (auditor/collectors/gcp/tasks.py): a queue and up to the
  API's concurrency in threads per API, instead of a ThreadPoolExecutor whose Future (a
  Condition, a notify) per task was a tenth of the collector's CPU; a waiter is woken only when
  an API has drained.
- **Shared call slots handed over on a plain lock** per waiting call (pacing.FairSlots), not an
  Event, which builds a Condition in Python for every call that queues.
- **Cyclic garbage collection paused during a collection** (gc_pause.py): the collection's
  tens of thousands of live dicts made CPython run several full passes over the whole heap
  (the Google client libraries are large) per collection, 0.2–0.3 s of CPU; what is left is
  one young-generation pass when the collection returns (40–70 ms). Reference counting frees
  everything else as before; what the collections add to the RSS did not grow (36 MB now,
  40 MB before; the process starts 13 MB larger since the Cloud Asset client came in).
- **Policy normaliser** (auditor/gcp): each member and role string parsed once (they recur in
  policy after policy), scope facts once per scope, no inherited-role work for members granted
  nothing above: 0.17–0.35 s → 0.07 s for these 6,000 bindings on one thread (0.085 s before
  with the GC pause alone).
- **Messages to REST JSON through converters worked out once per field** (messages.py) —
  exactly protobuf's MessageToDict, which a unit test holds over every message type read —
  and repeated fields read on the raw protobuf, not wrapped element by element: a time series
  converts about 6× faster (timestamps no longer go through strftime), a policy about 1.5×.
- **Bench**: each API's fake in a process of its own; the fakes index time series by project
  and metric and reuse parsed messages, so they take less of the shared cores.

Where the collector's time goes now — shares of its interpreter-lock samples inside three
cold collections (py-spy --gil at 250 Hz, 1,089 samples; taken before the last normaliser
change, which took about a fifth off its row):

| where | share |
| --- | --- |
| Resource Manager over REST, 233 calls (about 1.5 ms each, in the client library) | 29% |
| policy normaliser (6,000 bindings → 12,400 resources) | 14% |
| handing call slots between threads | 13% |
| messages to REST JSON | 9% |
| the 1,900 gRPC calls, Python side (about 0.3 ms of CPU each, C core included) | 7% |
| usage, listings, Pub/Sub and Composer normalisers | 6% |
| the one garbage-collection pass when the collection returns | 4% |
| the rest: task plumbing, the retry wrapper, building requests | 18% |

A REST call's cost is requests' session machinery (which reads the proxy settings from the
environment on every request) and json_format.Parse of the 30-binding policy; a gRPC call's C
core runs without the interpreter lock. Slot hand-overs cost more than their code: on a loaded
machine, a thread woken by a released lock can preempt the one holding the interpreter lock.
The fakes' gRPC servers spend about 60% of their CPU in grpc's own asyncio machinery. Together
the collector and the fakes fill the 2 cores: the zero-latency floor is close to the 20 ms wall
time, and the collector sees calls take 27–32 ms (median) rather than 20. So the wall time
follows the machine's load more than the collector's scheduling, which the 100 ms run isolates
(1.12–1.21× across today's runs). Earlier runs today, after the changes (the page above is the
latest):

| when (UTC) | load average | median wall ÷ ideal (range) | runs ≤ 1.5× |
| --- | --- | --- | --- |
| 08:45 | 6.2 → 8.7 | 1.55× (1.45–1.68×) | 3 of 7 |
| 08:55 | 7.2 → 7.1 (two other test runs on both cores) | 1.98× (1.54–2.33×) | 0 of 9 |
| 08:59 | 4.1 → 5.6 | 1.62× (1.46–2.04×) | 1 of 9 |
| 09:00 | 4.8 → 7.6 | 1.67× (1.37–1.78×) | 1 of 9 |

Tried and left out:

- Reading IAM and Monitoring for each project as soon as discovery lists it: slower here
  (3.54 s against 3.10 s, median of 12 runs each, load about 12): the discovery chain then
  competes for the interpreter lock with hundreds of reads.
- One shared set of 24 workers taking the oldest task of any API below its bound (no slot
  hand-over at all): 4.94 s against 3.41 s — the key listings, queued last, are left to finish
  alone on IAM's 20 slots.
- Skipping the key-usage query for projects without user-managed keys: every project here has
  keys, and a skipped query breaks the continuous usage history dormancy needs (a key created
  later would stay unjudged for 90 days).
- Batching Monitoring across projects or metric types: ListTimeSeries takes one metric type per
  filter, and reading several projects at once needs a metrics scope the collector cannot
  assume.
- A shorter interpreter switch interval (1 ms instead of 5 ms), fakes that count their own
  work into the 20 ms rather than adding it, fewer threads for IAM and Monitoring (14 each
  instead of 20): no change beyond the noise (medians within 0.1 s over 9 runs each).
"""


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
