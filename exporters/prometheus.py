"""Prometheus metrics of the daemon: a custom collector over the last snapshot.

Every scrape builds fresh metric families from the snapshot and the tracked findings, so a
vanished source, group or rule disappears from the exposition. Labels are bounded: no resource
id on the finding metrics; pipeline metrics carry the group, channel, DAG or subscription they
are about. E-mail addresses in label values are hashed unless configured otherwise.
Every metric is documented in docs/metrics.md.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from auditor.daemon.metrics import MetricsInput
from auditor.daemon.snapshot import SourceView
from auditor.lifecycle import FindingCount
from auditor.model import Resource, fingerprint

_EMAIL = re.compile(r"[^\s@/:]+@[^\s@/:]+\.[a-z]{2,}", re.IGNORECASE)
KAFKA_STATUSES = ("OK", "WARN", "ERR", "UNKNOWN")
# Burrow's partition conditions, one of which is the group's worst partition's (ERR is one of
# STOP, STALL and REWIND); a fixed set, so the label stays bounded.
KAFKA_CONDITIONS = ("OK", "WARN", "STOP", "STALL", "REWIND", "UNKNOWN")
DATA_STALE_RULE = "airflow-dag-data-stale"


def hash_principal(value: str) -> str:
    """Each e-mail address in `value` replaced by `sha256:` and 12 hex digits of its hash."""

    def digest(match: re.Match[str]) -> str:
        text = match.group(0).lower().encode("utf-8")
        return "sha256:" + hashlib.sha256(text).hexdigest()[:12]

    return _EMAIL.sub(digest, value)


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class AuditorMetrics(Collector):
    """The `auditor.metrics` entry point: findings, source health and pipeline signals."""

    def __init__(self, source: MetricsInput) -> None:
        self.source = source

    def _label(self, value: Any) -> str:
        text = "" if value is None else str(value)
        return hash_principal(text) if self.source.hash_principals else text

    def collect(self) -> Iterator[Metric]:
        """Fresh metric families from the current snapshot."""
        views = self.source.snapshot.views()
        counts = self.source.counts()
        yield from self._findings(counts)
        if self.source.finding_info_limit > 0:
            yield from self._finding_info(counts)
        yield from self._sources(views)
        yield from self._rules()
        yield from self._notifications()
        stale_dags = self.source.open_fingerprints(DATA_STALE_RULE)
        resources = [(view, r) for view in views for r in view.resources]
        yield from self._kafka(resources)
        yield from self._mysql(resources)
        yield from self._airflow(resources, stale_dags)
        yield from self._pubsub(resources)

    def _findings(self, counts: list[FindingCount]) -> Iterator[Metric]:
        labels = ["rule", "severity", "category", "source"]
        open_counts: Counter[tuple[str, str, str, str]] = Counter()
        by_status: Counter[tuple[str, str]] = Counter()
        stale_counts: Counter[str] = Counter()
        for c in counts:
            if c.status == "open":
                open_counts[(c.rule_id, c.severity, c.category, c.source)] += c.count
            by_status[(c.source, c.status)] += c.count
            if c.stale:
                stale_counts[c.source] += c.count
        family = GaugeMetricFamily(
            "auditor_findings_open",
            "Open findings (not waived, baselined or resolved).",
            labels=labels,
        )
        for key, count in sorted(open_counts.items()):
            family.add_metric(list(key), count)
        yield family
        status = GaugeMetricFamily(
            "auditor_findings", "Tracked findings by status (open, waived, baselined).",
            labels=["source", "status"],
        )  # fmt: skip
        for pair, count in sorted(by_status.items()):
            status.add_metric(list(pair), count)
        yield status
        stale = GaugeMetricFamily(
            "auditor_findings_stale",
            "Findings kept from the last good collection of a source that is now down.",
            labels=["source"],
        )
        for source, count in sorted(stale_counts.items()):
            stale.add_metric([source], count)
        yield stale

    def _finding_info(self, counts: list[FindingCount]) -> Iterator[Metric]:
        limit = self.source.finding_info_limit
        info = GaugeMetricFamily(
            "auditor_finding_info",
            f"One series per open finding, worst first, at most {limit} (1 while open).",
            labels=["rule", "severity", "category", "source", "kind", "resource", "fingerprint"],
        )
        shown = self.source.worst_open(limit)
        for finding in shown:
            resource = finding.body.get("resource", {})
            info.add_metric(
                [
                    finding.rule_id,
                    finding.severity,
                    finding.category,
                    finding.source,
                    finding.kind,
                    self._label(resource.get("id")),
                    finding.fingerprint,
                ],
                1.0,
            )
        yield info
        total_open = sum(c.count for c in counts if c.status == "open")
        omitted = GaugeMetricFamily(
            "auditor_finding_info_omitted",
            "Open findings left out of auditor_finding_info by its limit.",
        )
        omitted.add_metric([], max(0, total_open - len(shown)))
        yield omitted

    def _sources(self, views: list[SourceView]) -> Iterator[Metric]:
        labels = ["source", "type"]
        up = GaugeMetricFamily(
            "auditor_source_up", "1 when the last collection succeeded.", labels=labels
        )
        last = GaugeMetricFamily(
            "auditor_source_last_success_timestamp_seconds",
            "When the source was last collected successfully (absent before the first success).",
            labels=labels,
        )
        duration = GaugeMetricFamily(
            "auditor_source_collection_duration_seconds",
            "How long the last collection took.",
            labels=labels,
        )
        errors = CounterMetricFamily(
            "auditor_source_errors", "Failed collections since the daemon started.", labels=labels
        )
        resources = GaugeMetricFamily(
            "auditor_source_resources", "Resources the source currently contributes.", labels=labels
        )
        stale = GaugeMetricFamily(
            "auditor_source_stale",
            "1 when the source's resources are kept from an earlier collection.",
            labels=labels,
        )
        interval = GaugeMetricFamily(
            "auditor_source_interval_seconds",
            "How often the daemon collects the source (its configured interval).",
            labels=labels,
        )
        rule_errors = GaugeMetricFamily(
            "auditor_rule_evaluation_errors",
            "Rule evaluations that raised in the source's last cycle.",
            labels=labels,
        )
        for view in views:
            values = [view.health.name, view.health.type]
            up.add_metric(values, 1.0 if view.health.up else 0.0)
            if view.health.last_success is not None:
                last.add_metric(values, view.health.last_success.timestamp())
            duration.add_metric(values, round(view.health.duration_seconds, 6))
            errors.add_metric(values, view.errors_total)
            resources.add_metric(values, len(view.resources))
            stale.add_metric(values, 1.0 if view.stale else 0.0)
            rule_errors.add_metric(values, view.evaluation_errors)
            if view.interval_seconds is not None:
                interval.add_metric(values, view.interval_seconds)
        yield from (up, last, duration, errors, resources, stale, interval, rule_errors)

    def _rules(self) -> Iterator[Metric]:
        if self.source.rules is None:
            return
        status = self.source.rules()
        loaded = GaugeMetricFamily("auditor_rules_loaded", "Rules the daemon runs.")
        loaded.add_metric([], status.loaded)
        rejected = GaugeMetricFamily(
            "auditor_rule_files_rejected",
            "Problems found in rule files at the latest reload; those files keep their last "
            "good rules until fixed (the daemon's log names each).",
        )
        rejected.add_metric([], len(status.rejected))
        yield from (loaded, rejected)
        if status.reloaded_at is not None:
            reloaded = GaugeMetricFamily(
                "auditor_rules_last_reload_timestamp_seconds",
                "When rule files last changed and were re-read.",
            )
            reloaded.add_metric([], status.reloaded_at.timestamp())
            yield reloaded

    def _notifications(self) -> Iterator[Metric]:
        delivered = CounterMetricFamily(
            "auditor_notifications_delivered", "Messages delivered.", labels=["sink"]
        )
        failed = CounterMetricFamily(
            "auditor_notifications_failed", "Delivery attempts that failed.", labels=["sink"]
        )
        pending = GaugeMetricFamily(
            "auditor_notifications_pending", "Messages waiting in the outbox.", labels=["sink"]
        )
        for sink in sorted(self.source.delivered):
            delivered.add_metric([sink], self.source.delivered[sink])
            failed.add_metric([sink], self.source.failed.get(sink, 0))
            pending.add_metric([sink], self.source.pending(sink))
        yield from (delivered, failed, pending)

    def _kafka(self, resources: list[tuple[SourceView, Resource]]) -> Iterator[Metric]:
        # `kafka_cluster`, not `cluster`: a target label of GKE's managed Prometheus and a
        # common external label, which would rename ours or be mistaken for it.
        labels = ["source", "kafka_cluster", "group"]
        offsets = GaugeMetricFamily(
            "auditor_kafka_consumer_group_lag_offsets",
            "Records behind, summed over partitions whose lag is known.",
            labels=labels,
        )
        seconds = GaugeMetricFamily(
            "auditor_kafka_consumer_group_lag_seconds",
            "Largest known time lag of the group (absent while unknown).",
            labels=labels,
        )
        no_offset = GaugeMetricFamily(
            "auditor_kafka_consumer_group_partitions_without_offset",
            "Partitions of consumed topics without a committed offset.",
            labels=labels,
        )
        status = GaugeMetricFamily(
            "auditor_kafka_consumer_group_status",
            "1 for the group's current status (OK, WARN, ERR, UNKNOWN), 0 for the others.",
            labels=[*labels, "status"],
        )
        condition = GaugeMetricFamily(
            "auditor_kafka_consumer_group_condition",
            "1 for the condition of the group's worst partition (OK, WARN, STOP, STALL, REWIND, "
            "UNKNOWN), 0 for the others.",
            labels=[*labels, "condition"],
        )
        for view, resource in resources:
            if resource.kind != "kafka.consumer_group":
                continue
            data = resource.data
            values = [
                view.health.name,
                self._label(data.get("cluster")),
                self._label(data.get("name")),
            ]
            if (lag := _number(data.get("lag"))) is not None:
                offsets.add_metric(values, lag)
            if (lag_s := _number(data.get("lag_seconds"))) is not None:
                seconds.add_metric(values, lag_s)
            if (missing := _number(data.get("partitions_without_offset"))) is not None:
                no_offset.add_metric(values, missing)
            current = data.get("status")
            for name in KAFKA_STATUSES:
                status.add_metric([*values, name], 1.0 if current == name else 0.0)
            worst = data.get("worst_partition_status")
            for name in KAFKA_CONDITIONS:
                condition.add_metric([*values, name], 1.0 if worst == name else 0.0)
        yield from (offsets, seconds, no_offset, status, condition)

    def _mysql(self, resources: list[tuple[SourceView, Resource]]) -> Iterator[Metric]:
        # `server`, not `instance`: Prometheus's target label would rename ours exported_instance.
        labels = ["source", "server", "channel"]
        lag = GaugeMetricFamily(
            "auditor_mysql_replication_lag_seconds",
            "Replication lag (heartbeat, else Seconds_Behind); absent when not known.",
            labels=labels,
        )
        known = GaugeMetricFamily(
            "auditor_mysql_replication_lag_known",
            "1 when the lag value can be trusted.",
            labels=labels,
        )
        configured = GaugeMetricFamily(
            "auditor_mysql_replication_configured",
            "1 when the channel has a source host.",
            labels=labels,
        )
        threads = GaugeMetricFamily(
            "auditor_mysql_replication_thread_running",
            "1 when the replication thread (io or sql) is running.",
            labels=[*labels, "thread"],
        )
        for view, resource in resources:
            if resource.kind != "mysql.replication_channel":
                continue
            data = resource.data
            channel = data.get("channel") or "default"
            values = [view.health.name, self._label(data.get("instance")), self._label(channel)]
            is_known = data.get("lag_known") is True
            known.add_metric(values, 1.0 if is_known else 0.0)
            if is_known and (seconds := _number(data.get("lag_seconds"))) is not None:
                lag.add_metric(values, seconds)
            configured.add_metric(values, 1.0 if data.get("configured") else 0.0)
            for thread in ("io", "sql"):
                running = data.get(f"{thread}_running") is True
                threads.add_metric([*values, thread], 1.0 if running else 0.0)
        yield from (lag, known, configured, threads)

    def _airflow(
        self, resources: list[tuple[SourceView, Resource]], stale_dags: set[str]
    ) -> Iterator[Metric]:
        labels = ["source", "environment", "dag"]
        success = GaugeMetricFamily(
            "auditor_airflow_dag_last_success_timestamp_seconds",
            "When the DAG's newest successful run finished (absent when none is known).",
            labels=labels,
        )
        data_end = GaugeMetricFamily(
            "auditor_airflow_dag_data_interval_end_timestamp_seconds",
            "How far the DAG's data reaches: its newest successful run's data interval end.",
            labels=labels,
        )
        stale = GaugeMetricFamily(
            "auditor_airflow_dag_stale",
            f"1 when rule {DATA_STALE_RULE} has an open finding on the DAG.",
            labels=labels,
        )
        paused = GaugeMetricFamily(
            "auditor_airflow_dag_paused", "1 when the DAG is paused.", labels=labels
        )
        for view, resource in resources:
            if resource.kind != "airflow.dag":
                continue
            data = resource.data
            values = [
                view.health.name,
                self._label(data.get("environment")),
                self._label(data.get("dag_id") or resource.name),
            ]
            if (ts := _timestamp(data.get("last_success_end_date"))) is not None:
                success.add_metric(values, ts)
            if (ts := _timestamp(data.get("last_success_data_interval_end"))) is not None:
                data_end.add_metric(values, ts)
            flagged = fingerprint(DATA_STALE_RULE, resource.kind, resource.id) in stale_dags
            stale.add_metric(values, 1.0 if flagged else 0.0)
            paused.add_metric(values, 1.0 if data.get("is_paused") else 0.0)
        yield from (success, data_end, stale, paused)

    def _pubsub(self, resources: list[tuple[SourceView, Resource]]) -> Iterator[Metric]:
        labels = ["source", "project", "subscription"]
        age = GaugeMetricFamily(
            "auditor_pubsub_subscription_oldest_unacked_message_age_seconds",
            "Age of the oldest unacknowledged message (newest Cloud Monitoring point).",
            labels=labels,
        )
        backlog = GaugeMetricFamily(
            "auditor_pubsub_subscription_undelivered_messages",
            "Messages not yet acknowledged (newest Cloud Monitoring point).",
            labels=labels,
        )
        for view, resource in resources:
            if resource.kind != "pubsub.subscription":
                continue
            data = resource.data
            values = [
                view.health.name,
                self._label(data.get("project_id")),
                self._label(data.get("subscription_id")),
            ]
            if (value := _number(data.get("oldest_unacked_message_age_seconds"))) is not None:
                age.add_metric(values, value)
            if (value := _number(data.get("num_undelivered_messages"))) is not None:
                backlog.add_metric(values, value)
        yield from (age, backlog)


def create_collector(source: MetricsInput) -> AuditorMetrics:
    """The entry point: a collector reading `source` on every scrape."""
    return AuditorMetrics(source)
