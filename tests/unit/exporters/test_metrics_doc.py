"""docs/metrics.md documents exactly the metrics the Prometheus collector exports."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tests.unit.exporters.test_prometheus_exporter import _fixed_input, _registry

DOC = Path(__file__).resolve().parents[3] / "docs" / "metrics.md"


def test_every_exported_metric_is_documented_and_nothing_else() -> None:
    """Each family name in the exposition has a row in docs/metrics.md, and each row exists."""
    exported = set()
    with_info = replace(_fixed_input(), finding_info_limit=5)
    for family in _registry(with_info).collect():
        suffix = "_total" if family.type == "counter" else ""
        exported.add(family.name + suffix)
    documented = set(re.findall(r"^\| `(auditor_[a-z_]+)` \|", DOC.read_text(), re.MULTILINE))
    pubsub = {m for m in documented if m.startswith("auditor_pubsub_")}
    assert exported | pubsub == documented
