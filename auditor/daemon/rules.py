"""The daemon's rules, re-read while it runs when a configured rule file changes.

A broken rule file is rejected on its own: the other files' rules take their new version, the
broken file's rules keep their last good one (so their findings are neither resolved nor
re-announced), and the problem is logged and exported until the file is fixed. The bundled
library ships with the package and is read once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from auditor.config import AuditorConfig
from auditor.engine.evaluate import Engine
from auditor.engine.loader import load_rules, rule_files
from auditor.engine.rule import Rule
from auditor.errors import ConfigError, InputError
from auditor.scan import RuleLoadFailed, configure_rules, rule_paths

log = structlog.get_logger(__name__)

_Stamp = frozenset[tuple[str, int, int]]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules one cycle runs, compiled into one engine."""

    engine: Engine
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RulesStatus:
    """For metrics and logs: how many rules run, which files were rejected and why."""

    loaded: int
    rejected: tuple[str, ...]  # one line per problem: 'file:line: what is wrong'
    reloaded_at: datetime | None


def _rule_set(rules: Sequence[Rule]) -> RuleSet:
    return RuleSet(engine=Engine(list(rules)), rule_ids=tuple(r.id for r in rules))


class RuleLibrary:
    """Holds the current RuleSet; `current()` re-reads the configured rule paths first when a
    file under them was added, changed or removed."""

    def __init__(self, config: AuditorConfig, now: Callable[[], datetime]) -> None:
        self._config = config
        self._now = now
        self._paths = rule_paths(config)
        self._watched = list(config.rules.paths)
        loaded = load_rules(self._paths)
        if loaded.problems:
            raise RuleLoadFailed(loaded.problems)  # at start: a clear error, exit 2
        self._good = _by_file(loaded.rules)
        self._set = _rule_set(configure_rules(config, loaded.rules))
        self._status = RulesStatus(len(self._set.rule_ids), (), None)
        self._stamp = self._files_stamp()
        self._lock = threading.Lock()

    def current(self) -> RuleSet:
        """The rules to run now (re-read first if a watched file changed)."""
        with self._lock:
            stamp = self._files_stamp()
            if stamp != self._stamp:
                self._stamp = stamp
                self._reload()
            return self._set

    def status(self) -> RulesStatus:
        """The outcome of the latest (re)load."""
        with self._lock:
            return self._status

    def _files_stamp(self) -> _Stamp:
        """(path, mtime, size) of every watched rule file; a vanished path is a stamp too."""
        entries: set[tuple[str, int, int]] = set()
        for path in self._watched:
            try:
                files = rule_files([path])
            except InputError:
                entries.add((str(path), -1, -1))
                continue
            for file in files:
                try:
                    stat = file.stat()
                except OSError:
                    entries.add((str(file), -1, -1))
                    continue
                entries.add((str(file), stat.st_mtime_ns, stat.st_size))
        return frozenset(entries)

    def _reload(self) -> None:
        try:
            loaded = load_rules(self._paths)
        except InputError as exc:  # a configured rule path disappeared
            self._reject([exc.one_line()])
            return
        broken = {Path(problem.path) for problem in loaded.problems if problem.path}
        rules = list(loaded.rules)
        present = {rule.id for rule in rules}
        for path in broken:
            kept = [rule for rule in self._good.get(path, []) if rule.id not in present]
            rules.extend(kept)
            present.update(rule.id for rule in kept)
        try:
            configured = configure_rules(self._config, rules)
        except ConfigError as exc:  # e.g. a param override for a rule that was removed
            self._reject([exc.one_line()])
            return
        good = _by_file(loaded.rules)
        for path in broken:
            if path in self._good:
                good[path] = self._good[path]
        self._good = good
        self._set = _rule_set(configured)
        problems = tuple(problem.one_line() for problem in loaded.problems)
        self._status = RulesStatus(len(configured), problems, self._now())
        for problem in problems:
            log.error("rule file rejected; its last good rules keep running", problem=problem)
        log.info("rules reloaded", rules=len(configured), rejected=len(problems))

    def _reject(self, problems: list[str]) -> None:
        """Keep every rule as it was; report why the new files were not taken."""
        self._status = RulesStatus(len(self._set.rule_ids), tuple(problems), self._now())
        for problem in problems:
            log.error("rules not reloaded; the previous rules keep running", problem=problem)


def _by_file(rules: Sequence[Rule]) -> dict[Path, list[Rule]]:
    grouped: dict[Path, list[Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule.path, []).append(rule)
    return grouped
