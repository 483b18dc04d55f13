"""Errors the CLI turns into a one-line message and exit code 2."""

from __future__ import annotations


class AuditorError(Exception):
    """Bad input, config or usage: the user can fix it. Exit code 2."""

    def __init__(self, message: str, *, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """'file:line: message', 'file: message' or just the message."""
        where = self.path
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.detail}" if where else self.detail


class UsageError(AuditorError):
    """The command line asks for something that cannot be done."""


class InputError(AuditorError):
    """A manifest, chart, policy file or snapshot cannot be read."""


class RuleError(AuditorError):
    """A rule file fails validation."""


class ConfigError(AuditorError):
    """auditor.yaml (or an AUDITOR_* override) is invalid."""


class WaiverError(AuditorError):
    """A waiver or baseline file is invalid."""
