"""Command line entry point (placeholder until the commands land)."""

from __future__ import annotations


def main() -> None:
    """Run the auditor command line."""
    raise SystemExit(0)
