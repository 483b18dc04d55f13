"""The auditor's Grafana dashboard, generated with grafana-foundation-sdk.

Regenerate the committed JSON after any change here:

    .venv/bin/python -m deploy.grafana.dashboard > deploy/grafana/auditor-dashboard.json

Only metrics and labels of docs/metrics.md are used (a test parses every expression).
Several replicas serve the same series (every replica collects; one holds the notification
Lease), so gauges are first reduced per object with `max by (...)` / `min by (...)` over the
documented labels, then summed: two replicas never double a count.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard

from deploy.grafana.panels import (
    SEVERITY_COLORS,
    bar_gauge_panel,
    coloured_text,
    fixed_color,
    instant_table,
    query,
    stat_panel,
    table_panel,
    thresholds,
    timeseries_panel,
    unit,
)

UID = "auditor-overview"
SOURCE = 'source=~"$source"'
FINDING = 'source=~"$source", severity=~"$severity", category=~"$category"'
# Open findings once per (rule, severity, category, source), whatever the number of replicas.
OPEN = f"max by (rule, severity, category, source) (auditor_findings_open{{{FINDING}}})"
TOP = 15  # series drawn in the busiest time-series panels (the rest are in the tables)

YES_NO = {"1": ("yes", "green"), "0": ("no", "red")}
STALE = {"1": ("stale", "orange"), "0": ("fresh", "green")}
# Burrow's conditions of a group's worst partition; STOP, STALL and REWIND make its status ERR.
KAFKA_CONDITION_COLORS = {
    "OK": "green",
    "WARN": "orange",
    "STOP": "red",
    "STALL": "red",
    "REWIND": "purple",
    "UNKNOWN": "blue",
}


def _variables() -> list[Builder[dashboard.VariableModel]]:
    def labels(name: str, label: str, values_query: str) -> dashboard_builders.QueryVariable:
        return (
            dashboard_builders.QueryVariable(name)
            .id(name)
            .label(label)
            .datasource(dashboard.DataSourceRef(type_val="prometheus", uid="${datasource}"))
            .query({"query": values_query, "refId": f"{name}-values"})
            .refresh(dashboard.VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(dashboard.VariableSort.ALPHABETICAL_ASC)
            .multi(True)
            .include_all(True)
            .all_value(".*")
            .current(dashboard.VariableOption(selected=True, text="All", value="$__all"))
        )

    return [
        (
            dashboard_builders.DatasourceVariable("datasource")
            .id("datasource")
            .label("Data source")
            .type("prometheus")
        ),
        labels("source", "Source", "label_values(auditor_source_up, source)"),
        labels(
            "severity",
            "Severity",
            'label_values(auditor_findings_open{source=~"$source"}, severity)',
        ),
        labels(
            "category",
            "Category",
            'label_values(auditor_findings_open{source=~"$source"}, category)',
        ),
    ]


def _posture(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    by_severity = stat_panel(
        "Open findings by severity",
        "Open findings (not waived, baselined or resolved) per severity.",
        w=12,
    ).with_target(query(f"sum by (severity) ({OPEN})", "{{severity}}"))
    for severity, color in SEVERITY_COLORS.items():
        by_severity = by_severity.override_by_name(severity, [fixed_color(color)])
    return (
        board.with_row(dashboard_builders.Row("Posture"))
        .with_panel(by_severity)
        .with_panel(
            stat_panel(
                "Waived and baselined",
                "Tracked findings that are not open: accepted by a waiver or a baseline.",
            )
            .with_target(
                query(
                    'sum by (status) (max by (source, status) (auditor_findings{source=~"$source", '
                    'status!="open"}))',
                    "{{status}}",
                )
            )
            .thresholds(thresholds((None, "blue")))
        )
        .with_panel(
            stat_panel(
                "Stale findings",
                "Findings kept from the last good collection of a source that is down: "
                "neither resolved nor announced again until the source is back.",
            )
            .with_target(
                query(f"sum(max by (source) (auditor_findings_stale{{{SOURCE}}}))", "stale")
            )
            .thresholds(thresholds((None, "green"), (1, "orange")))
        )
        .with_panel(
            stat_panel(
                "Sources down",
                "Sources whose last collection failed (on any replica).",
            )
            .with_target(
                query(f"sum(1 - min by (source, type) (auditor_source_up{{{SOURCE}}}))", "down")
            )
            .thresholds(thresholds((None, "green"), (1, "red")))
        )
        .with_panel(
            bar_gauge_panel(
                "Open findings by category",
                "Open findings per category (zero-trust, least-privilege, pii, ha, freshness, "
                "hygiene).",
            )
            .with_target(query(f"sort_desc(sum by (category) ({OPEN}))", "{{category}}"))
            .thresholds(thresholds((None, "green"), (1, "orange"), (10, "red")))
        )
        .with_panel(
            timeseries_panel(
                "Open findings over time by severity",
                "Open findings per severity, stacked.",
                stacked=True,
                w=16,
            ).with_target(query(f"sum by (severity) ({OPEN})", "{{severity}}"))
        )
        .with_panel(
            table_panel(
                "Top rules",
                "The rules with the most open findings now. The list of findings is on the "
                "daemon's /findings endpoint.",
                sort_by="open",
                renamed={"Value": "open"},
            ).with_target(instant_table(f"topk(10, sum by (rule, severity, category) ({OPEN}))"))
        )
        .with_panel(
            bar_gauge_panel(
                "Open findings by source",
                "Open findings per configured source.",
                w=12,
            )
            .with_target(query(f"sort_desc(sum by (source) ({OPEN}))", "{{source}}"))
            .thresholds(thresholds((None, "green"), (1, "orange"), (10, "red")))
        )
    )


def _source_health(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    per_source = "source, type"
    health = (
        table_panel(
            "Source health",
            "One row per source: last collection's outcome, how long ago it last succeeded, "
            "how long it took, failed collections in the time range, resources it contributes, "
            "and whether they are kept from an earlier collection.",
            sort_by="since last success",
            hidden=("Time",),
            renamed={
                "Value #A": "up",
                "Value #B": "since last success",
                "Value #C": "duration",
                "Value #D": "errors in range",
                "Value #E": "stale",
                "Value #F": "resources",
                "Value #G": "rule errors",
            },
            merge=True,
            w=24,
        )
        .with_target(
            instant_table(f"min by ({per_source}) (auditor_source_up{{{SOURCE}}})", ref="A")
        )
        .with_target(
            instant_table(
                f"time() - max by ({per_source}) "
                f"(auditor_source_last_success_timestamp_seconds{{{SOURCE}}})",
                ref="B",
            )
        )
        .with_target(
            instant_table(
                f"max by ({per_source}) (auditor_source_collection_duration_seconds{{{SOURCE}}})",
                ref="C",
            )
        )
        .with_target(
            instant_table(
                f"sum by ({per_source}) "
                f"(increase(auditor_source_errors_total{{{SOURCE}}}[$__range]))",
                ref="D",
            )
        )
        .with_target(
            instant_table(f"max by ({per_source}) (auditor_source_stale{{{SOURCE}}})", ref="E")
        )
        .with_target(
            instant_table(f"max by ({per_source}) (auditor_source_resources{{{SOURCE}}})", ref="F")
        )
        .with_target(
            instant_table(
                f"max by ({per_source}) (auditor_rule_evaluation_errors{{{SOURCE}}})", ref="G"
            )
        )
        .override_by_name("up", coloured_text({"1": ("up", "green"), "0": ("down", "red")}))
        .override_by_name("stale", coloured_text(STALE))
        .override_by_name("since last success", unit("s"))
        .override_by_name("duration", unit("s"))
    )
    return (
        board.with_row(dashboard_builders.Row("Source health"))
        .with_panel(health)
        .with_panel(
            timeseries_panel(
                "Collection duration",
                "How long each source's last collection took; compare with its timeout_seconds.",
                unit="s",
                w=8,
            ).with_target(
                query(
                    f"max by (source) (auditor_source_collection_duration_seconds{{{SOURCE}}})",
                    "{{source}}",
                )
            )
        )
        .with_panel(
            timeseries_panel(
                "Time since last success",
                "Grows by the source's interval_seconds between good collections; a steady "
                "climb means the source is down or stuck.",
                unit="s",
                w=8,
            ).with_target(
                query(
                    "time() - max by (source) "
                    f"(auditor_source_last_success_timestamp_seconds{{{SOURCE}}})",
                    "{{source}}",
                )
            )
        )
        .with_panel(
            timeseries_panel(
                "Failed collections",
                "Failed collections per source in each interval, summed over replicas.",
                w=8,
            ).with_target(
                query(
                    "sum by (source) "
                    f"(increase(auditor_source_errors_total{{{SOURCE}}}[$__rate_interval]))",
                    "{{source}}",
                )
            )
        )
    )


def _rules(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    # Rule metrics have no `source`: the largest over replicas (and shards) is shown.
    return (
        board.with_row(dashboard_builders.Row("Rules"))
        .with_panel(
            stat_panel("Rules loaded", "Rules the daemon runs (the most any replica runs).")
            .with_target(query("max(auditor_rules_loaded)", "rules"))
            .thresholds(thresholds((None, "blue")))
        )
        .with_panel(
            stat_panel(
                "Rule files rejected",
                "Problems in rule files at the latest reload: those files keep their last good "
                "rules until fixed. The daemon's log event 'rule file rejected' names file and "
                "line; check with `auditor rules validate PATH`.",
            )
            .with_target(query("max(auditor_rule_files_rejected)", "rejected"))
            .thresholds(thresholds((None, "green"), (1, "red")))
        )
        .with_panel(
            stat_panel(
                "Last rule reload",
                "When rule files last changed and were re-read (never, since the daemon started, "
                "when empty).",
                unit="dateTimeFromNow",
            )
            .no_value("never")
            .with_target(query("max(auditor_rules_last_reload_timestamp_seconds) * 1000", "reload"))
            .thresholds(thresholds((None, "blue")))
        )
        .with_panel(
            timeseries_panel(
                "Rule evaluation errors",
                "Rule evaluations that raised in each source's last cycle: the resources those "
                "rules should judge are unchecked.",
            ).with_target(
                query(
                    f"max by (source) (auditor_rule_evaluation_errors{{{SOURCE}}})",
                    "{{source}}",
                )
            )
        )
    )


def _kafka(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    group = "source, kafka_cluster, group"
    by_condition = stat_panel(
        "Consumer groups by condition",
        "Burrow condition of each group's worst partition: OK, WARN (lag growing), STOP (no "
        "consumer), STALL (consumer makes no progress), REWIND (offset went back), UNKNOWN (not "
        "enough scans yet). STOP, STALL and REWIND are status ERR.",
        w=6,
    ).with_target(
        query(
            f"sum by (condition) (max by ({group}, condition) "
            f"(auditor_kafka_consumer_group_condition{{{SOURCE}}}))",
            "{{condition}}",
        )
    )
    by_condition = by_condition.height(8)
    for condition, color in KAFKA_CONDITION_COLORS.items():
        by_condition = by_condition.override_by_name(condition, [fixed_color(color)])
    return (
        board.with_row(dashboard_builders.Row("Kafka consumer lag"))
        .with_panel(by_condition)
        .with_panel(
            table_panel(
                "Groups not OK",
                "Consumer groups whose status is WARN, ERR or UNKNOWN, with the condition of "
                "their worst partition (for ERR: STOP, STALL or REWIND).",
                sort_by="status",
                hidden=("Time", "Value #A", "Value #B"),
                merge=True,
                w=14,
            )
            .with_target(
                instant_table(
                    f"max by ({group}, status) (auditor_kafka_consumer_group_status"
                    f'{{{SOURCE}, status!="OK"}}) == 1',
                    ref="A",
                )
            )
            .with_target(
                # The worst partition is OK exactly when the group is: the same groups as A.
                instant_table(
                    f"max by ({group}, condition) (auditor_kafka_consumer_group_condition"
                    f'{{{SOURCE}, condition!="OK"}}) == 1',
                    ref="B",
                )
            )
        )
        .with_panel(
            stat_panel(
                "Partitions without offset",
                "Partitions of consumed topics where a group has no committed offset "
                '("no offset" is not lag 0).',
            )
            .height(8)
            .with_target(
                query(
                    f"sum(max by ({group}) "
                    f"(auditor_kafka_consumer_group_partitions_without_offset{{{SOURCE}}}))",
                    "partitions",
                )
            )
            .thresholds(thresholds((None, "green"), (1, "orange")))
        )
        .with_panel(
            timeseries_panel(
                "Lag in records",
                f"Records behind per group, summed over partitions whose lag is known; the "
                f"{TOP} groups furthest behind at each point.",
            ).with_target(
                query(
                    f"topk({TOP}, max by ({group}) "
                    f"(auditor_kafka_consumer_group_lag_offsets{{{SOURCE}}}))",
                    "{{kafka_cluster}}/{{group}}",
                )
            )
        )
        .with_panel(
            timeseries_panel(
                "Lag in seconds",
                f"Largest known time lag per group (absent while unknown); the {TOP} slowest "
                "groups at each point.",
                unit="s",
            ).with_target(
                query(
                    f"topk({TOP}, max by ({group}) "
                    f"(auditor_kafka_consumer_group_lag_seconds{{{SOURCE}}}))",
                    "{{kafka_cluster}}/{{group}}",
                )
            )
        )
    )


def _mysql(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    channel = "source, server, channel"  # `instance` is the scrape target, not the MySQL server
    return (
        board.with_row(dashboard_builders.Row("MySQL replication"))
        .with_panel(
            timeseries_panel(
                "Replication lag",
                "Lag per replication channel (pt-heartbeat when present, else Seconds_Behind). "
                "Absent when it cannot be trusted: see 'lag known'.",
                unit="s",
            ).with_target(
                query(
                    f"max by ({channel}) (auditor_mysql_replication_lag_seconds{{{SOURCE}}})",
                    "{{server}} {{channel}}",
                )
            )
        )
        .with_panel(
            table_panel(
                "Replication threads",
                "Whether each channel has a source host, whether its IO and SQL threads run "
                "('Connecting' is not running), and whether its lag can be trusted.",
                sort_by="lag known",
                renamed={
                    "Value #A": "configured",
                    "Value #B": "IO thread running",
                    "Value #C": "SQL thread running",
                    "Value #D": "lag known",
                },
                merge=True,
            )
            .with_target(
                instant_table(
                    f"max by ({channel}) (auditor_mysql_replication_configured{{{SOURCE}}})",
                    ref="A",
                )
            )
            .with_target(
                instant_table(
                    f"min by ({channel}) (auditor_mysql_replication_thread_running"
                    f'{{{SOURCE}, thread="io"}})',
                    ref="B",
                )
            )
            .with_target(
                instant_table(
                    f"min by ({channel}) (auditor_mysql_replication_thread_running"
                    f'{{{SOURCE}, thread="sql"}})',
                    ref="C",
                )
            )
            .with_target(
                instant_table(
                    f"min by ({channel}) (auditor_mysql_replication_lag_known{{{SOURCE}}})",
                    ref="D",
                )
            )
            .override_by_regexp(".*(running|configured|known)$", coloured_text(YES_NO))
        )
    )


def _airflow(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    dag = "source, environment, dag"
    return (
        board.with_row(dashboard_builders.Row("Airflow / Composer DAG freshness"))
        .with_panel(
            stat_panel(
                "Stale DAGs",
                "DAGs on which rule airflow-dag-data-stale has an open finding (its params and "
                "grace apply).",
            )
            .height(8)
            .with_target(
                query(f"sum(max by ({dag}) (auditor_airflow_dag_stale{{{SOURCE}}}))", "stale")
            )
            .thresholds(thresholds((None, "green"), (1, "red")))
        )
        .with_panel(
            stat_panel("Paused DAGs", "DAGs that are paused.")
            .height(8)
            .with_target(
                query(f"sum(max by ({dag}) (auditor_airflow_dag_paused{{{SOURCE}}}))", "paused")
            )
            .thresholds(thresholds((None, "blue")))
        )
        .with_panel(
            table_panel(
                "DAG freshness",
                "Per DAG: time since its newest successful run finished, how old the data it "
                "reaches is (newest success's data interval end), and whether it is stale.",
                sort_by="since last success",
                renamed={
                    "Value #A": "since last success",
                    "Value #B": "data age",
                    "Value #C": "stale",
                },
                merge=True,
                w=16,
            )
            .with_target(
                instant_table(
                    f"time() - max by ({dag}) "
                    f"(auditor_airflow_dag_last_success_timestamp_seconds{{{SOURCE}}})",
                    ref="A",
                )
            )
            .with_target(
                instant_table(
                    f"time() - max by ({dag}) "
                    f"(auditor_airflow_dag_data_interval_end_timestamp_seconds{{{SOURCE}}})",
                    ref="B",
                )
            )
            .with_target(
                instant_table(f"max by ({dag}) (auditor_airflow_dag_stale{{{SOURCE}}})", ref="C")
            )
            .override_by_name("since last success", unit("s"))
            .override_by_name("data age", unit("s"))
            .override_by_name("stale", coloured_text(STALE))
        )
    )


def _pubsub(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    subscription = "source, project, subscription"
    return (
        board.with_row(dashboard_builders.Row("Pub/Sub backlog"))
        .with_panel(
            timeseries_panel(
                "Undelivered messages",
                f"Backlog per subscription (newest Cloud Monitoring point); the {TOP} largest.",
            ).with_target(
                query(
                    f"topk({TOP}, max by ({subscription}) "
                    f"(auditor_pubsub_subscription_undelivered_messages{{{SOURCE}}}))",
                    "{{project}}/{{subscription}}",
                )
            )
        )
        .with_panel(
            timeseries_panel(
                "Oldest unacked message age",
                f"Age of the oldest unacknowledged message per subscription; the {TOP} oldest.",
                unit="s",
            ).with_target(
                query(
                    f"topk({TOP}, max by ({subscription}) "
                    "(auditor_pubsub_subscription_oldest_unacked_message_age_seconds"
                    f"{{{SOURCE}}}))",
                    "{{project}}/{{subscription}}",
                )
            )
        )
    )


def _notifications(board: dashboard_builders.Dashboard) -> dashboard_builders.Dashboard:
    return (
        board.with_row(dashboard_builders.Row("Notifications"))
        .with_panel(
            timeseries_panel(
                "Pending messages",
                "Messages waiting in the outbox per sink (the largest over replicas: only the "
                "Lease holder sends, a follower keeps its copies for two lease durations).",
                w=8,
            ).with_target(query("max by (sink) (auditor_notifications_pending)", "{{sink}}"))
        )
        .with_panel(
            timeseries_panel(
                "Failed deliveries",
                "Delivery attempts that failed per sink in each interval (each is retried).",
                w=8,
            ).with_target(
                query(
                    "sum by (sink) "
                    "(increase(auditor_notifications_failed_total[$__rate_interval]))",
                    "{{sink}}",
                )
            )
        )
        .with_panel(
            timeseries_panel(
                "Delivered messages",
                "Messages delivered per sink in each interval.",
                w=8,
            ).with_target(
                query(
                    "sum by (sink) "
                    "(increase(auditor_notifications_delivered_total[$__rate_interval]))",
                    "{{sink}}",
                )
            )
        )
    )


def build() -> dashboard.Dashboard:
    """The dashboard model, with stable panel ids in layout order."""
    board = (
        dashboard_builders.Dashboard("auditor")
        .uid(UID)
        .description(
            "Posture and pipeline signals of the auditor daemon (auditor run): open findings, "
            "source health, rule reloads, Kafka lag, MySQL replication, DAG freshness, Pub/Sub "
            "backlog, notifications. Generated by deploy/grafana/dashboard.py."
        )
        .tags(["auditor", "generated"])
        .editable()
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("utc")
        .tooltip(dashboard.DashboardCursorSync.CROSSHAIR)
        .variables(_variables())
    )
    sections = (_posture, _source_health, _rules, _kafka, _mysql, _airflow, _pubsub, _notifications)
    for section in sections:
        board = section(board)
    model = board.build()
    for number, panel in enumerate(model.panels or [], start=1):
        panel.id_val = number
    return model


def render() -> str:
    """The dashboard as the JSON committed in deploy/grafana/auditor-dashboard.json."""
    return JSONEncoder(sort_keys=True, indent=2).encode(build()) + "\n"


if __name__ == "__main__":
    print(render(), end="")
