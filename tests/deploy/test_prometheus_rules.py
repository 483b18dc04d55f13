"""deploy/prometheus: the rules load in promtool, their unit tests pass, every alert is tested
firing and quiet, follows the mixin conventions, has a runbook, and reads only documented
metrics (a renamed metric breaks here, not silently in production)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
ALERTS = PROMETHEUS_DIR / "auditor-alerts.yaml"
RECORDING = PROMETHEUS_DIR / "auditor-recording.yaml"
UNIT_TESTS = sorted((PROMETHEUS_DIR / "tests").glob("*.yaml"))
RUNBOOKS = REPO / "docs" / "runbooks"
METRICS_DOC = REPO / "docs" / "metrics.md"
RUNBOOK_BASE_URL = "https://github.com/example/auditor/blob/main/docs/runbooks/"
PROMTOOL = shutil.which("promtool")


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if PROMTOOL is None:
        pytest.fail("promtool is not installed (Debian package prometheus)")
    return subprocess.run(
        [PROMTOOL, *args], capture_output=True, text=True, timeout=120, check=False, cwd=REPO
    )


def _rules(path: Path) -> list[dict[str, Any]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _alerts() -> dict[str, dict[str, Any]]:
    return {rule["alert"]: rule for rule in _rules(ALERTS) if "alert" in rule}


def _alert_cases() -> list[tuple[str, bool]]:
    """(alertname, expected to fire) for every alert_rule_test of every unit test file."""
    cases = []
    for path in UNIT_TESTS:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for test in document["tests"]:
            for case in test.get("alert_rule_test", []):
                cases.append((case["alertname"], bool(case.get("exp_alerts"))))
    return cases


def _documented_metrics() -> set[str]:
    """Metric names in the first column of docs/metrics.md's tables."""
    text = METRICS_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(auditor_[a-z0-9_]+)` \|", text, flags=re.MULTILINE))


def test_promtool_accepts_the_rule_files() -> None:
    """`promtool check rules` passes on the alert and recording rules."""
    done = _promtool("check", "rules", str(ALERTS), str(RECORDING))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"SUCCESS: {len(_alerts())} rules found" in done.stdout


def test_promtool_unit_tests_pass() -> None:
    """`promtool test rules` passes every case in deploy/prometheus/tests/."""
    assert UNIT_TESTS, "no promtool unit tests found"
    done = _promtool("test", "rules", *map(str, UNIT_TESTS))
    assert done.returncode == 0, done.stdout + done.stderr


MUTATIONS = {
    "mysql-lag-threshold": (
        "mysql.yaml",
        "AuditorMySQLReplicationLagging",
        "auditor_mysql_replication_lag_seconds > 60",
        "auditor_mysql_replication_lag_seconds > 600",
    ),
    "stale-ignores-the-interval": (
        "sources.yaml",
        "AuditorSourceDataStale",
        "> clamp_min(3 * auditor_source_interval_seconds, 300)",
        "> 3600",
    ),
    "stalled-summary-without-condition": (
        "kafka.yaml",
        "AuditorKafkaConsumerGroupStalled",
        '}}: {{ . | first | label "condition" }}{{ end }}',
        "}}{{ end }}",
    ),
    "rule-files-rejected-sooner": (
        "rules.yaml",
        "AuditorRuleFilesRejected",
        "expr: auditor_rule_files_rejected > 0\n        for: 5m",
        "expr: auditor_rule_files_rejected > 0\n        for: 1m",
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_promtool_unit_tests_catch_a_changed_alert(mutation: str, tmp_path: Path) -> None:
    """The unit tests are not vacuous: a raised replica lag threshold, a staleness threshold
    that ignores the source's interval, a Kafka summary that no longer names the condition,
    or a shorter `for` each make promtool fail on that alert."""
    test_file, alertname, original, changed_to = MUTATIONS[mutation]
    text = ALERTS.read_text(encoding="utf-8")
    assert text.count(original) == 1, f"{original!r} is not in the alert rules"
    (tmp_path / "auditor-alerts.yaml").write_text(
        text.replace(original, changed_to), encoding="utf-8"
    )
    (tmp_path / "tests").mkdir()
    shutil.copy(PROMETHEUS_DIR / "tests" / test_file, tmp_path / "tests" / test_file)
    done = _promtool("test", "rules", str(tmp_path / "tests" / test_file))
    assert done.returncode == 1, done.stdout + done.stderr
    assert alertname in done.stdout + done.stderr


@pytest.mark.parametrize("alertname", sorted(_alerts()))
def test_every_alert_is_tested_firing_and_quiet(alertname: str) -> None:
    """Each alert has a promtool case that expects it to fire and one that expects silence."""
    cases = [firing for name, firing in _alert_cases() if name == alertname]
    assert True in cases, f"no promtool case expects {alertname} to fire"
    assert False in cases, f"no promtool case expects {alertname} to stay quiet"


def test_unit_tests_name_only_existing_alerts() -> None:
    """A promtool case for an alert that no longer exists would pass vacuously: none does."""
    assert {name for name, _ in _alert_cases()} <= set(_alerts())


@pytest.mark.parametrize("alertname", sorted(_alerts()))
def test_alerts_follow_the_mixin_conventions(alertname: str) -> None:
    """Auditor prefix, critical or warning severity, a `for`, summary, description and a
    runbook_url pointing at docs/runbooks/<alertname>.md under the documented base URL."""
    rule = _alerts()[alertname]
    assert alertname.startswith("Auditor")
    assert rule["labels"]["severity"] in {"critical", "warning"}
    assert re.fullmatch(r"\d+[smh]", rule.get("for", "")), "every alert needs a `for`"
    annotations = rule["annotations"]
    assert set(annotations) == {"summary", "description", "runbook_url"}
    assert annotations["runbook_url"] == f"{RUNBOOK_BASE_URL}{alertname}.md"


@pytest.mark.parametrize("alertname", sorted(_alerts()))
def test_every_alert_has_a_runbook(alertname: str) -> None:
    """docs/runbooks/<alertname>.md exists with meaning, confirm and fix sections, and the
    runbook index links it."""
    page = RUNBOOKS / f"{alertname}.md"
    assert page.is_file(), f"missing runbook {page.relative_to(REPO)}"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {alertname}\n")
    for heading in ("## Meaning", "## Confirm", "## Fix"):
        assert f"\n{heading}\n" in text, f"{page.name} has no {heading} section"
    assert f"({alertname}.md)" in (RUNBOOKS / "README.md").read_text(encoding="utf-8")


def test_no_runbook_without_an_alert() -> None:
    """Every page in docs/runbooks/ (besides the index) belongs to an existing alert."""
    pages = {p.stem for p in RUNBOOKS.glob("*.md") if p.name != "README.md"}
    assert pages == set(_alerts())


def test_rules_read_only_documented_metrics() -> None:
    """Every auditor_* name in an alert or recording expression is in docs/metrics.md."""
    documented = _documented_metrics()
    assert "auditor_source_up" in documented  # the parser still reads the tables
    used = {
        name
        for path in (ALERTS, RECORDING)
        for rule in _rules(path)
        for name in re.findall(r"\bauditor_[a-z0-9_]+\b", rule["expr"])
    }
    assert used, "no metric names found in the expressions"
    assert used - documented == set()


def test_unit_tests_feed_only_documented_metrics() -> None:
    """The promtool input series use documented metric names too, so a rename cannot leave
    tests passing on series the daemon no longer exports."""
    documented = _documented_metrics()
    fed = {
        re.split(r"[{\s]", series["series"], maxsplit=1)[0]
        for path in UNIT_TESTS
        for test in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]
        for series in test.get("input_series", [])
    }
    assert {name for name in fed if name != "up"} - documented == set()
