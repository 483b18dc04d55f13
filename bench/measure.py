"""Run one command and measure its wall time and peak memory, child processes included.

Memory is taken two ways, because neither alone is right for every tool:

- GNU time's "Maximum resident set size" (`/usr/bin/time -v`, from wait4's rusage): exact,
  but it is the peak of the single largest process in the tree, not of the tree. checkov
  forks parser workers, so on its own it would under-count.
- A sampler that walks /proc every `interval` seconds and sums, over the command's whole
  process tree, RSS and PSS (proportional set size, from smaps_rollup). PSS splits pages
  that forked children share copy-on-write with their parent, where summed RSS counts them
  once per process. Sampling can miss a spike shorter than the interval.

`peak_memory_kib`, the figure compared, is the larger of GNU time's single-process peak and the
sampled tree PSS peak: never below what the largest process really held, covering the
children while they live, and not inflated by shared pages. Summed tree RSS is recorded too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

GNU_TIME = Path("/usr/bin/time")
_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass(frozen=True, slots=True)
class Measurement:
    """One timed run of one command."""

    exit_code: int
    wall_seconds: float
    user_seconds: float
    system_seconds: float
    max_rss_largest_process_kib: int
    tree_rss_sampled_peak_kib: int
    tree_pss_sampled_peak_kib: int
    peak_processes: int
    samples: int

    @property
    def peak_memory_kib(self) -> int:
        """The peak memory used for comparisons (see the module docstring)."""
        return max(self.max_rss_largest_process_kib, self.tree_pss_sampled_peak_kib)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for results.json, with the derived peak included."""
        return {**asdict(self), "peak_memory_kib": self.peak_memory_kib}


def ensure_gnu_time() -> None:
    """Install Debian's `time` package when /usr/bin/time is missing (needs root)."""
    if GNU_TIME.is_file():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit("/usr/bin/time is missing: install the Debian package 'time'")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "time"], check=True, env=env)


def _live_parent(pid: str) -> int | None:
    """The parent of a running process; None for a zombie or one that has gone."""
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        state, parent = stat.rpartition(")")[2].split()[:2]
    except (OSError, ValueError):
        return None
    # A zombie holds no memory; checkov's finished workers linger as zombies until reaped.
    return None if state in ("Z", "X") else int(parent)


def descendants(root: int) -> list[int]:
    """Every running process below `root` (children, grandchildren, ...), `root` excluded."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _live_parent(entry.name)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def rss_kib(pid: int) -> int:
    """Resident set of one process in KiB from statm (cheap); 0 once it has exited."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text(encoding="ascii").split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * _PAGE_KIB


def rss_and_pss_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB from smaps_rollup; (0, 0) once it has exited.

    smaps_rollup walks the page tables (~3 ms per GiB), so it is read only when it matters.
    """
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
    except OSError:
        return 0, 0
    values = dict.fromkeys(("Rss:", "Pss:"), 0)
    for line in rollup.splitlines():
        key, _, rest = line.partition(" ")
        if key in values:
            values[key] = int(rest.split()[0])
    return values["Rss:"], values["Pss:"]


def tree_memory_kib(root: int) -> tuple[int, int, int]:
    """(summed RSS, summed PSS, process count) of `root`'s descendants.

    `root` is the /usr/bin/time wrapper, whose own ~2 MiB is not the tool's. With a single
    process PSS adds nothing that GNU time's exact peak does not already cover, so only its
    cheap RSS is read and reported as both.
    """
    pids = descendants(root)
    if len(pids) == 1:
        rss = rss_kib(pids[0])
        return rss, rss, 1
    rss_total, pss_total = 0, 0
    for pid in pids:
        rss, pss = rss_and_pss_kib(pid)
        rss_total += rss
        pss_total += pss
    return rss_total, pss_total, len(pids)


class _TreeSampler(threading.Thread):
    """Polls the process tree under `root` until stopped, keeping the peak summed RSS and PSS."""

    def __init__(self, root: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.peak_memory_kib = 0
        self.peak_pss_kib = 0
        self.peak_processes = 0
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            rss, pss, count = tree_memory_kib(self.root)
            self.samples += 1
            self.peak_memory_kib = max(self.peak_memory_kib, rss)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            self.peak_processes = max(self.peak_processes, count)
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


_TIME_FIELDS = {
    "user_seconds": re.compile(r"User time \(seconds\): ([\d.]+)"),
    "system_seconds": re.compile(r"System time \(seconds\): ([\d.]+)"),
    "max_rss_kib": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
}


def parse_gnu_time(text: str) -> dict[str, float]:
    """The fields we use from `/usr/bin/time -v` output; raises when one is missing."""
    values: dict[str, float] = {}
    for name, pattern in _TIME_FIELDS.items():
        match = pattern.search(text)
        if match is None:
            raise RuntimeError(f"/usr/bin/time -v output has no {name}:\n{text[-2000:]}")
        values[name] = float(match.group(1))
    return values


def measure(
    command: list[str],
    *,
    cwd: Path,
    stdout: IO[bytes] | int,
    stderr: IO[bytes],
    time_file: Path,
    interval: float = 0.1,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Run `command` under `/usr/bin/time -v` and the /proc sampler; return what it cost."""
    wrapped = [str(GNU_TIME), "-v", "-o", str(time_file), *command]
    started = time.perf_counter()
    process = subprocess.Popen(wrapped, cwd=cwd, stdout=stdout, stderr=stderr, env=env)
    sampler = _TreeSampler(process.pid, interval)
    sampler.start()
    exit_code = process.wait()
    wall = time.perf_counter() - started
    sampler.stop()
    rusage = parse_gnu_time(time_file.read_text(encoding="utf-8"))
    return Measurement(
        exit_code=exit_code,
        wall_seconds=round(wall, 3),
        user_seconds=rusage["user_seconds"],
        system_seconds=rusage["system_seconds"],
        max_rss_largest_process_kib=int(rusage["max_rss_kib"]),
        tree_rss_sampled_peak_kib=sampler.peak_memory_kib,
        tree_pss_sampled_peak_kib=sampler.peak_pss_kib,
        peak_processes=sampler.peak_processes,
        samples=sampler.samples,
    )
