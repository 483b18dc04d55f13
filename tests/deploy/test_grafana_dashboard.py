"""The Grafana dashboard: generated from code, committed in sync, and querying only what
docs/metrics.md documents (metric names, and labels on the metrics that carry them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from prometheus_client.exposition import start_http_server
from prometheus_client.registry import CollectorRegistry

from deploy.grafana.dashboard import render
from exporters.prometheus import AuditorMetrics
from tests.integration.daemon.prometheus_server import running_prometheus
from tests.unit.exporters.test_prometheus_exporter import _fixed_input

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "deploy" / "grafana" / "auditor-dashboard.json"
METRICS_DOC = REPO / "docs" / "metrics.md"
REGENERATE = ".venv/bin/python -m deploy.grafana.dashboard > deploy/grafana/auditor-dashboard.json"

# Grafana's own variables, and values that stand in for ours when promtool parses an expression.
SUBSTITUTES = {
    "$__rate_interval": "5m",
    "$__range": "6h",
    "$__interval": "1m",
    "$source": ".*",
    "$severity": ".*",
    "$category": ".*",
}
AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile",
}  # fmt: skip
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2"}
TARGET_LABELS = {"job", "instance"}  # set by Prometheus on every scraped series

TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
      | (?P<range>\[[^\]]*\])
      | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
      | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=,(){}])""",
    re.VERBOSE,
)


def scraped_labels(labels: set[str]) -> set[str]:
    """The labels as Prometheus stores them: one that collides with a target label is renamed
    `exported_<name>` (honor_labels: false, the default and what a ServiceMonitor does)."""
    return {f"exported_{label}" if label in TARGET_LABELS else label for label in labels}


def documented_metrics() -> dict[str, set[str]]:
    """metric -> its labels, from the tables of docs/metrics.md."""
    metrics: dict[str, set[str]] = {}
    row = re.compile(r"^\| `(auditor_[a-z_]+)` \| \w+ \| ([^|]*) \|", re.MULTILINE)
    for name, labels in row.findall(METRICS_DOC.read_text(encoding="utf-8")):
        metrics[name] = set(re.findall(r"`([a-z_]+)`", labels))
    return metrics


@dataclass
class Selector:
    metric: str
    at: int  # token index of the metric name
    matchers: dict[str, str] = field(default_factory=dict)  # label -> "op value"


@dataclass
class Grouping:
    keyword: str
    labels: list[str]
    scope: tuple[int, int] | None  # token range of the aggregated argument; None: whole expr


@dataclass
class Parsed:
    selectors: list[Selector]
    groupings: list[Grouping]


def _tokens(expr: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expr):
        match = TOKEN.match(expr, pos)
        if match is None:
            raise ValueError(f"cannot read {expr[pos:]!r} in {expr!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group()))
        pos = match.end()
    return tokens


def _matching(tokens: list[tuple[str, str]], start: int) -> int:
    """Index of the bracket closing the one at `start` (searching backwards from a closer)."""
    pairs = {"(": ")", "{": "}"}
    opener = tokens[start][1]
    if opener in pairs:
        step, close, depth = 1, pairs[opener], 0
    else:
        step, close, depth = -1, {")": "(", "}": "{"}[opener], 0
    i = start
    while True:
        if tokens[i][1] == opener:
            depth += 1
        elif tokens[i][1] == close:
            depth -= 1
            if depth == 0:
                return i
        i += step


def parse(expr: str) -> Parsed:
    """The metric selectors (with matchers) and grouping clauses of a PromQL expression."""
    tokens = _tokens(expr)
    selectors: list[Selector] = []
    groupings: list[Grouping] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "ident" and text in GROUPING:
            end = _matching(tokens, i + 1)
            labels = [t for k, t in tokens[i + 2 : end] if k == "ident"]
            scope = None
            if text in ("by", "without"):
                if tokens[i - 1][1] == ")":  # sum(ARG) by (labels)
                    scope = (_matching(tokens, i - 1), i - 1)
                else:  # sum by (labels) (ARG)
                    scope = (end + 1, _matching(tokens, end + 1))
            groupings.append(Grouping(text, labels, scope))
            i = end + 1
        elif kind == "ident" and (following == "(" or text in KEYWORDS | AGGREGATIONS):
            i += 1  # a function, an aggregation or an operator keyword
        elif kind == "ident":
            selector = Selector(text, i)
            i += 1
            if following == "{":
                end = _matching(tokens, i)
                inner = [t for k, t in tokens[i + 1 : end] if t != ","]
                for label, op, value in zip(inner[::3], inner[1::3], inner[2::3], strict=True):
                    selector.matchers[label] = f"{op} {value}"
                i = end + 1
            selectors.append(selector)
        elif text == "{":
            raise ValueError(f"a selector without a metric name in {expr!r}")
        else:
            i += 1
    return Parsed(selectors, groupings)


def problems(expr: str, legend: str, documented: dict[str, set[str]]) -> list[str]:
    """What in `expr` (and its legend) docs/metrics.md does not document, with the labels
    as Prometheus stores them (see scraped_labels)."""
    documented = {metric: scraped_labels(labels) for metric, labels in documented.items()}
    found: list[str] = []
    parsed = parse(expr)
    if not parsed.selectors:
        found.append(f"no metric in {expr!r}")
    for selector in parsed.selectors:
        labels = documented.get(selector.metric)
        if labels is None:
            found.append(f"{selector.metric} is not in docs/metrics.md")
            continue
        found += [
            f"{selector.metric} has no label {label!r} in docs/metrics.md"
            for label in selector.matchers
            if label not in labels
        ]
    for grouping in parsed.groupings:
        inside = [
            s
            for s in parsed.selectors
            if grouping.scope is None or grouping.scope[0] < s.at < grouping.scope[1]
        ]
        found += [
            f"{grouping.keyword} ({label}) over {s.metric}, which has no label {label!r}"
            for s in inside
            for label in grouping.labels
            if s.metric in documented and label not in documented[s.metric]
        ]
    for label in re.findall(r"\{\{\s*(\w+)\s*\}\}", legend):
        found += [
            f"legend {{{{{label}}}}} but {s.metric} has no label {label!r}"
            for s in parsed.selectors
            if s.metric in documented and label not in documented[s.metric]
        ]
    return found


def _panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep their panels inside


def targets(board: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(panel title, target) for every query of every panel."""
    for panel in _panels(board):
        for target in panel.get("targets", []):
            yield panel["title"], target


def variable_queries(board: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(variable, selector, label) of every `label_values(selector, label)` variable."""
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        text = variable["query"]["query"]
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", text)
        assert match, f"variable {variable['name']}: unexpected query {text!r}"
        yield variable["name"], match.group(1), match.group(2)


@pytest.fixture(scope="module")
def board() -> dict[str, Any]:
    """The committed dashboard JSON."""
    return dict(json.loads(COMMITTED.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def documented() -> dict[str, set[str]]:
    """The metrics of docs/metrics.md with their labels."""
    return documented_metrics()


def test_committed_json_is_what_the_code_generates() -> None:
    """deploy/grafana/auditor-dashboard.json is byte for byte what dashboard.py renders."""
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        f"auditor-dashboard.json is out of date; regenerate it with:\n    {REGENERATE}"
    )


def test_metrics_doc_table_is_read(documented: dict[str, set[str]]) -> None:
    """The doc parser finds the documented metrics with their labels (so the checks below bite)."""
    assert documented["auditor_findings_open"] == {"rule", "severity", "category", "source"}
    assert documented["auditor_notifications_pending"] == {"sink"}
    assert documented["auditor_finding_info_omitted"] == set()
    rows = re.findall(r"^\| `auditor_", METRICS_DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(documented) == len(rows)


@pytest.mark.parametrize(
    ("expr", "legend", "expected"),
    [
        ("sum(auditor_nonexistent)", "", "auditor_nonexistent is not in docs/metrics.md"),
        (
            'auditor_notifications_pending{source=~"$source"}',
            "",
            "auditor_notifications_pending has no label 'source'",
        ),
        (
            "sum by (group) (auditor_findings_open)",
            "",
            "by (group) over auditor_findings_open, which has no label 'group'",
        ),
        (
            "max(auditor_source_up) by (sink)",
            "",
            "by (sink) over auditor_source_up, which has no label 'sink'",
        ),
        ("max by (source) (auditor_source_up)", "{{group}}", "legend {{group}}"),
        (
            "max by (instance) (auditor_mysql_replication_lag_seconds)",
            "",
            "by (instance) over auditor_mysql_replication_lag_seconds, which has no label "
            "'instance'",
        ),
        (
            "max by (exported_instance) (auditor_mysql_replication_lag_seconds)",
            "",
            "by (exported_instance) over auditor_mysql_replication_lag_seconds, which has no "
            "label 'exported_instance'",
        ),
        (
            "max by (cluster) (auditor_kafka_consumer_group_lag_offsets)",
            "",
            "by (cluster) over auditor_kafka_consumer_group_lag_offsets, which has no label "
            "'cluster'",
        ),
    ],
)
def test_the_checker_flags_what_is_not_documented(
    expr: str, legend: str, expected: str, documented: dict[str, set[str]]
) -> None:
    """An undocumented metric, a label a metric lacks in a selector, a grouping or a legend, and
    the MySQL server or Kafka cluster read under its old name (`instance`, `exported_instance`,
    `cluster`) are reported: the checks on the dashboard can fail."""
    assert any(expected in p for p in problems(expr, legend, documented))


def test_mysql_and_kafka_panels_name_the_server_and_the_kafka_cluster(
    board: dict[str, Any],
) -> None:
    """Every MySQL query groups by `server` and every per-group Kafka query by `kafka_cluster`:
    the labels that do not collide with the scrape target's `instance` or a managed
    Prometheus's `cluster`."""
    wrong = []
    for title, target in targets(board):
        parsed = parse(target["expr"])
        grouped = {label for g in parsed.groupings for label in g.labels}
        metrics = {s.metric for s in parsed.selectors}
        if any(m.startswith("auditor_mysql_") for m in metrics) and "server" not in grouped:
            wrong.append(f"{title}: {target['expr']}")
        kafka = any(m.startswith("auditor_kafka_") for m in metrics)
        if kafka and grouped and "kafka_cluster" not in grouped:
            wrong.append(f"{title}: {target['expr']}")
    assert wrong == []


def test_every_query_uses_documented_metrics_and_labels(
    board: dict[str, Any], documented: dict[str, set[str]]
) -> None:
    """Every panel query names only metrics of docs/metrics.md, and every label in its
    selectors, by()/on() clauses and legend is documented for the metrics it applies to."""
    found = [
        f"{title}: {problem}"
        for title, target in targets(board)
        for problem in problems(target["expr"], target.get("legendFormat", ""), documented)
    ]
    for name, selector, label in variable_queries(board):
        found += [f"${name}: {p}" for p in problems(selector, "", documented)]
        metric = parse(selector).selectors[0].metric
        if label not in scraped_labels(documented.get(metric, set())):
            found.append(f"${name}: {metric} has no label {label!r}")
    assert found == []


def test_every_query_is_valid_promql(board: dict[str, Any], tmp_path: Path) -> None:
    """promtool (Prometheus's own parser) accepts every expression, with the dashboard's
    variables replaced by sample values; no other variable is used."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed (Debian package prometheus; bash .ci/system-deps)")
    exprs = [target["expr"] for _, target in targets(board)]
    exprs += [selector for _, selector, _ in variable_queries(board)]
    rules = []
    for number, expr in enumerate(exprs):
        for variable, value in sorted(SUBSTITUTES.items(), key=lambda kv: -len(kv[0])):
            expr = expr.replace(variable, value)
        assert "$" not in expr, f"unknown variable in {expr!r}"
        rules.append({"record": f"dashboard_query_{number}", "expr": expr})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


def test_template_variables_filter_every_query_that_can_be_filtered(
    board: dict[str, Any], documented: dict[str, set[str]]
) -> None:
    """A datasource variable feeds every panel; every selector of a metric with a `source`
    label filters on $source, and open-findings selectors also on $severity and $category."""
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for name in ("source", "severity", "category"):
        assert variables[name]["type"] == "query"
        assert variables[name]["multi"] and variables[name]["includeAll"]
        assert variables[name]["datasource"]["uid"] == "${datasource}"
    for panel in _panels(board):
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    unfiltered = []
    for title, target in targets(board):
        for selector in parse(target["expr"]).selectors:
            wanted = {"source": '=~ "$source"'} if "source" in documented[selector.metric] else {}
            if selector.metric == "auditor_findings_open":
                wanted |= {"severity": '=~ "$severity"', "category": '=~ "$category"'}
            if any(selector.matchers.get(k) != v for k, v in wanted.items()):
                unfiltered.append(f"{title}: {selector.metric} {selector.matchers}")
    assert unfiltered == []


def test_the_dashboard_shows_each_signal_the_issue_asks_for(board: dict[str, Any]) -> None:
    """Posture, findings over time, source health, Kafka, MySQL, Airflow, Pub/Sub and
    notification metrics all appear, each in a panel of the expected kind."""
    used: dict[str, set[str]] = {}
    for panel in _panels(board):
        for target in panel.get("targets", []):
            for selector in parse(target["expr"]).selectors:
                used.setdefault(selector.metric, set()).add(panel["type"])
    expected = {
        "auditor_findings_open": {"stat", "bargauge", "timeseries", "table"},
        "auditor_findings_stale": {"stat"},
        "auditor_source_up": {"stat", "table"},
        "auditor_source_last_success_timestamp_seconds": {"table", "timeseries"},
        "auditor_source_collection_duration_seconds": {"table", "timeseries"},
        "auditor_source_errors_total": {"table", "timeseries"},
        "auditor_source_stale": {"table"},
        "auditor_kafka_consumer_group_lag_offsets": {"timeseries"},
        "auditor_kafka_consumer_group_lag_seconds": {"timeseries"},
        "auditor_kafka_consumer_group_status": {"table"},
        "auditor_kafka_consumer_group_condition": {"stat", "table"},
        "auditor_rules_loaded": {"stat"},
        "auditor_rule_files_rejected": {"stat"},
        "auditor_rules_last_reload_timestamp_seconds": {"stat"},
        "auditor_rule_evaluation_errors": {"table", "timeseries"},
        "auditor_mysql_replication_lag_seconds": {"timeseries"},
        "auditor_mysql_replication_thread_running": {"table"},
        "auditor_mysql_replication_lag_known": {"table"},
        "auditor_airflow_dag_last_success_timestamp_seconds": {"table"},
        "auditor_airflow_dag_stale": {"stat", "table"},
        "auditor_pubsub_subscription_undelivered_messages": {"timeseries"},
        "auditor_pubsub_subscription_oldest_unacked_message_age_seconds": {"timeseries"},
        "auditor_notifications_pending": {"timeseries"},
        "auditor_notifications_failed_total": {"timeseries"},
    }
    missing = {m: kinds - used.get(m, set()) for m, kinds in expected.items()}
    assert {m: k for m, k in missing.items() if k} == {}


def test_panel_ids_are_unique_and_panels_fit_the_grid(board: dict[str, Any]) -> None:
    """Every panel has its own id and lies within Grafana's 24-column grid."""
    panels = list(_panels(board))
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        position = panel["gridPos"]
        assert position["x"] + position["w"] <= 24, panel["title"]


# --- Against a real Prometheus scraping the real exporter --------------------------------------


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus scraping two "replicas": the real exporter over the same fixed
    snapshot served on two ports, as two replicas of one Deployment would be."""
    if shutil.which("prometheus") is None:
        pytest.fail("prometheus is not installed (Debian package prometheus; bash .ci/system-deps)")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AuditorMetrics(_fixed_input()))
    replicas = [start_http_server(0, "127.0.0.1", registry) for _ in range(2)]
    targets = [f"127.0.0.1:{server.server_port}" for server, _ in replicas]
    root = tmp_path_factory.mktemp("prometheus")
    try:
        with running_prometheus(root, targets=targets) as url:
            # Ready once both replicas were scraped at least three times (increase() needs two).
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = requests.get(
                        url + "/api/v1/query",
                        params={"query": "count_over_time(up[1m]) >= 3"},
                        timeout=2,
                    ).json()
                    if len(answer["data"]["result"]) == len(targets):
                        break
                except (requests.RequestException, KeyError, ValueError):
                    pass
                assert time.monotonic() < deadline, "prometheus did not scrape both replicas"
                time.sleep(0.2)
            yield url
    finally:
        for server, _ in replicas:
            server.shutdown()
            server.server_close()


def _instant(url: str, expr: str) -> list[dict[str, Any]]:
    for variable, value in sorted(SUBSTITUTES.items(), key=lambda kv: -len(kv[0])):
        expr = expr.replace(variable, "1m" if variable == "$__range" else value)
    answer = requests.get(url + "/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    return list(answer["data"]["result"])


def test_queries_answer_from_the_real_exporter_without_counting_replicas_twice(
    board: dict[str, Any], prometheus: str
) -> None:
    """Every query runs on Prometheus over the real exporter's series; each panel whose signal
    the fixed snapshot holds returns data, and counts are the same as one replica's."""
    empty = {title for title, target in targets(board) if not _instant(prometheus, target["expr"])}
    # The fixed snapshot has no Pub/Sub subscription, and its one replica's lag is not known
    # (so absent, never 0); every other panel shows data.
    assert empty == {"Undelivered messages", "Oldest unacked message age", "Replication lag"}
    by_title = {title: target["expr"] for title, target in targets(board)}
    severities = {
        r["metric"]["severity"]: float(r["value"][1])
        for r in _instant(prometheus, by_title["Open findings by severity"])
    }
    assert severities == {"critical": 1.0, "high": 1.0}  # two replicas, each counted once
    lag_rows = _instant(prometheus, by_title["Replication threads"])
    assert {r["metric"].get("server") for r in lag_rows} == {"replica-1"}
    assert not any("exported_instance" in r["metric"] for r in lag_rows)  # nothing renamed
    not_ok = {
        (r["metric"]["group"], r["metric"]["condition"])
        for r in _instant(prometheus, by_title["Groups not OK"])
        if "condition" in r["metric"]
    }
    assert ("payments-sink", "STALL") in not_ok


def test_variable_values_come_from_the_real_exporter(
    board: dict[str, Any], prometheus: str
) -> None:
    """Each template variable's label_values query finds the sources, severities and
    categories the exporter reports."""
    values = {}
    for name, selector, label in variable_queries(board):
        selector = selector.replace("$source", ".*")
        answer = requests.get(
            prometheus + "/api/v1/series", params={"match[]": selector}, timeout=10
        ).json()
        values[name] = {series[label] for series in answer["data"]}
    assert values == {
        "source": {"kafka-prod", "mysql-prod", "composer"},
        "severity": {"critical", "high"},
        "category": {"ha", "freshness"},
    }
