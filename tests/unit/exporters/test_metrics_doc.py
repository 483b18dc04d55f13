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


# Labels Prometheus sets on every scraped series (job, instance), and those GKE's managed
# Prometheus attaches to its targets; a metric label with one of these names arrives renamed
# `exported_<name>` (or is shadowed), so queries written from docs/metrics.md would miss it.
TARGET_LABELS = {"job", "instance", "project_id", "location", "cluster", "namespace"}


def test_no_exported_label_collides_with_a_target_label() -> None:
    """No series of the exposition carries a label named like a scrape target label: the MySQL
    server is `server`, the Kafka cluster `kafka_cluster`."""
    with_info = replace(_fixed_input(), finding_info_limit=5)
    labels = {
        name
        for family in _registry(with_info).collect()
        for sample in family.samples
        for name in sample.labels
    }
    assert {"server", "kafka_cluster"} <= labels  # the exposition's MySQL and Kafka series
    assert labels & TARGET_LABELS == set()
