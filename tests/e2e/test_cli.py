"""The `auditor` command end to end: gate exit codes, reports, and one-line input errors."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import VALID_RULE, Run

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: etl
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: main
          image: registry.example.com/{name}:1.4.2
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one test rule (bundled rules off) and a manifests folder."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "test-min-replicas.yaml").write_text(
        VALID_RULE.format(id="test-min-replicas")
    )
    (tmp_path / "auditor.yaml").write_text("rules:\n  bundled: false\n  paths: [rules]\n")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "worker.yaml").write_text(DEPLOYMENT.format(name="worker", replicas=1))
    (tmp_path / "k8s" / "api.yaml").write_text(DEPLOYMENT.format(name="api", replicas=3))
    return tmp_path


def _one_line_error(run: Run) -> str:
    assert run.code == 2, (run.stdout, run.stderr)
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, run.stderr
    return errors[0]


def test_gate_fails_at_or_above_fail_on(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """A medium finding fails --fail-on medium (exit 1) and passes --fail-on high (exit 0)."""
    failing = auditor_cli("scan", "k8s", "--fail-on", "medium", cwd=project)
    assert failing.code == 1, failing.stderr
    assert "worker" in failing.stdout
    assert auditor_cli("scan", "k8s", "--fail-on", "high", cwd=project).code == 0
    assert auditor_cli("scan", "k8s", "--fail-on", "none", cwd=project).code == 0


def test_fail_on_from_environment(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """AUDITOR_SCAN__FAIL_ON sets the gate when no flag is given."""
    run = auditor_cli("scan", "k8s", env={"AUDITOR_SCAN__FAIL_ON": "low"}, cwd=project)
    assert run.code == 1


def test_json_report_to_file(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """--format json --output writes the report with the finding's location."""
    run = auditor_cli(
        "scan", "k8s", "--format", "json", "--output", "out.json", "--fail-on", "none", cwd=project
    )
    assert run.code == 0, run.stderr
    report = json.loads((project / "out.json").read_text())
    [finding] = report["findings"]
    assert finding["rule_id"] == "test-min-replicas"
    assert finding["resource"]["location"] == {"file": "k8s/worker.yaml", "line": 1}


def test_baseline_fails_only_on_new_findings(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """After `baseline create`, the known finding passes and a new one fails."""
    created = auditor_cli("baseline", "create", "k8s", "--output", "baseline.json", cwd=project)
    assert created.code == 0, created.stderr
    args = ("scan", "k8s", "--fail-on", "low", "--baseline", "baseline.json")
    assert auditor_cli(*args, cwd=project).code == 0
    (project / "k8s" / "new.yaml").write_text(DEPLOYMENT.format(name="new", replicas=1))
    again = auditor_cli(*args, cwd=project)
    assert again.code == 1
    assert "new" in again.stdout


def test_waived_finding_does_not_gate_but_stays_visible(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """A live waiver passes the gate and the report still lists the finding as waived."""
    (project / "waivers.yaml").write_text(
        textwrap.dedent("""\
        waivers:
          - rule: test-*
            resource: "*/etl/Deployment/worker"
            reason: batch worker tolerates restarts
            owner: data-platform@example.com
            expires: 2099-01-01
        """)
    )
    run = auditor_cli(
        "scan", "k8s", "--fail-on", "low", "--waivers", "waivers.yaml", "--format", "json",
        cwd=project,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    [finding] = json.loads(run.stdout)["findings"]
    assert finding["status"] == "waived"


def test_snapshot_round_trip_gives_the_same_findings(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """`collect` then `scan snapshot.json` judges exactly what was collected."""
    assert auditor_cli("collect", "k8s", "--output", "snap.json", cwd=project).code == 0
    direct = auditor_cli("scan", "k8s", "--format", "json", "--fail-on", "none", cwd=project)
    replay = auditor_cli("scan", "snap.json", "--format", "json", "--fail-on", "none", cwd=project)
    assert replay.code == 0, replay.stderr
    fingerprints = [
        sorted(f["fingerprint"] for f in json.loads(r.stdout)["findings"]) for r in (direct, replay)
    ]
    assert fingerprints[0] == fingerprints[1] != []


def test_manifest_syntax_error(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """A YAML syntax error in a manifest names file:line and exits 2."""
    (project / "k8s" / "bad.yaml").write_text("apiVersion: v1\nkind: [Service\nmetadata: {}\n")
    error = _one_line_error(auditor_cli("scan", "k8s", cwd=project))
    assert "k8s/bad.yaml:3" in error


def test_non_kubernetes_document_is_skipped_with_a_warning(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """A YAML document that is not a Kubernetes object is a warning, not an error."""
    (project / "k8s" / "values.yaml").write_text("replicaCount: 2\n")
    run = auditor_cli("scan", "k8s", "--fail-on", "none", cwd=project)
    assert run.code == 0, run.stderr
    [event] = [json.loads(line) for line in run.stderr.splitlines()]  # JSON logs off a TTY
    assert event["level"] == "warning"
    assert event["detail"].startswith("k8s/values.yaml:1: skipped:")


def test_log_level_flag(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """--log-level info adds the scan summary event; the default stays quiet."""
    quiet = auditor_cli("scan", "k8s", "--fail-on", "none", cwd=project)
    assert quiet.stderr == ""
    verbose = auditor_cli("scan", "k8s", "--fail-on", "none", "--log-level", "info", cwd=project)
    events = [json.loads(line) for line in verbose.stderr.splitlines()]
    assert [e["event"] for e in events] == ["scan evaluated"]
    assert events[0]["resources"] == 3  # two Deployments and the namespace they live in


def test_unknown_rule_field(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """An unknown field in a rule names the rule file and line."""
    path = project / "rules" / "test-min-replicas.yaml"
    path.write_text(path.read_text().replace("title:", "titel:"))
    error = _one_line_error(auditor_cli("scan", "k8s", cwd=project))
    assert "rules/test-min-replicas.yaml:2: unknown field 'titel'" in error


def test_cel_typo(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """A CEL typo in a rule names the file and the line of `when`."""
    path = project / "rules" / "test-min-replicas.yaml"
    path.write_text(
        path.read_text().replace("resource.replicas < params", "resource.replicas << params")
    )
    error = _one_line_error(auditor_cli("scan", "k8s", cwd=project))
    assert "rules/test-min-replicas.yaml:7: when: CEL does not compile" in error


def test_waiver_with_bad_date(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """A waiver whose expiry is not a date names the config file and line."""
    (project / "auditor.yaml").write_text(
        "rules:\n  bundled: false\n  paths: [rules]\nwaivers:\n"
        "  - rule: x\n    reason: r\n    owner: o\n    expires: 31/12/2026\n"
    )
    error = _one_line_error(auditor_cli("scan", "k8s", cwd=project))
    assert "auditor.yaml:8: waivers.0.expires" in error


def test_unknown_config_key(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """An unknown config key names its path and line."""
    (project / "auditor.yaml").write_text("rules:\n  bundled: false\n  pathz: [rules]\n")
    error = _one_line_error(auditor_cli("scan", "k8s", cwd=project))
    assert error == "error: auditor.yaml:3: rules.pathz: unknown key"


def test_missing_path(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """A path that does not exist is an input error."""
    error = _one_line_error(auditor_cli("scan", "nowhere", cwd=project))
    assert error == "error: nowhere: no such file or directory"


def test_unknown_format(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """An unknown report format is a usage error listing the installed ones."""
    error = _one_line_error(auditor_cli("scan", "k8s", "--format", "html", cwd=project))
    assert "unknown format 'html'" in error
    assert "sarif" in error


def test_config_validate(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """`config validate` accepts a good file and rejects a bad one with exit 2."""
    assert auditor_cli("config", "validate", cwd=project).code == 0
    (project / "auditor.yaml").write_text("scan:\n  fail_on: sometimes\n")
    error = _one_line_error(auditor_cli("config", "validate", cwd=project))
    assert "auditor.yaml:2: scan.fail_on" in error


def test_bundled_library_validates_and_its_cases_pass(auditor_cli: Callable[..., Run]) -> None:
    """`rules validate` and `rules test` pass on the shipped library."""
    validated = auditor_cli("rules", "validate")
    assert validated.code == 0, validated.stderr
    tested = auditor_cli("rules", "test")
    assert tested.code == 0, tested.stdout
    assert tested.stdout.strip().endswith(" 0 failed")


def test_rules_list_and_show(auditor_cli: Callable[..., Run]) -> None:
    """`rules list --category` filters; `rules show` explains a rule."""
    listed = json.loads(auditor_cli("rules", "list", "--format", "json", "--category", "ha").stdout)
    assert listed
    assert {r["category"] for r in listed} == {"ha"}
    shown = auditor_cli("rules", "show", listed[0]["id"])
    assert shown.code == 0
    assert "Remediation:" in shown.stdout
    assert _one_line_error(auditor_cli("rules", "show", "no-such-rule")).startswith(
        "error: no rule 'no-such-rule'"
    )


def test_demo_shows_findings_in_every_category(auditor_cli: Callable[..., Run]) -> None:
    """The embedded demo estate yields findings in zero-trust, least-privilege, pii and ha."""
    run = auditor_cli("scan", "--demo", "--format", "json", "--fail-on", "none")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    categories = {f["category"] for f in report["findings"]}
    assert {"zero-trust", "least-privilege", "pii", "ha"} <= categories
    assert not report["errors"]


def test_demo_table_gates_by_default(auditor_cli: Callable[..., Run]) -> None:
    """Without --fail-on the demo fails the gate (it has high findings) and prints a table."""
    run = auditor_cli("scan", "--demo")
    assert run.code == 1
    assert "critical" in run.stdout.lower() or "high" in run.stdout.lower()


MESHED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ingest}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: main
          image: registry.example.com/api:1.0.0
          securityContext: {privileged: false}
        - name: istio-proxy
          image: registry.example.com/proxy:1.20.0
          securityContext: {privileged: true}
"""


def test_container_waiver_exempts_only_that_container(
    tmp_path: Path, auditor_cli: Callable[..., Run]
) -> None:
    """A waiver naming the mesh sidecar silences it; the same workload's main container is judged."""
    (tmp_path / "api.yaml").write_text(MESHED)
    args = ("scan", "api.yaml", "--format", "json", "--fail-on", "none")

    def privileged(run: Run) -> list[dict[str, object]]:
        assert run.code == 0, run.stderr
        findings = json.loads(run.stdout)["findings"]
        return [f for f in findings if f["rule_id"] == "gke-workload-privileged"]

    assert len(privileged(auditor_cli(*args))) == 1
    (tmp_path / "auditor.yaml").write_text(
        textwrap.dedent("""\
        waivers:
          - rule: gke-workload-privileged
            resource: "*/ingest/Deployment/api"
            container: istio-proxy
            reason: the mesh sidecar needs NET_ADMIN via privileged mode
            owner: platform@example.com
            expires: 2099-01-01
        """)
    )
    assert privileged(auditor_cli(*args)) == []
    (tmp_path / "api.yaml").write_text(MESHED.replace("privileged: false", "privileged: true"))
    [finding] = privileged(auditor_cli(*args))
    assert "main" in str(finding["message"])
    assert "istio-proxy" not in str(finding["message"])


def test_live_source_down_is_a_finding_not_silence(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """A configured source that cannot be read yields auditor-source-down and fails the gate."""
    (project / "auditor.yaml").write_text(
        "sources:\n"
        "  - {name: gitops, type: files, paths: [k8s]}\n"
        "  - {name: exports, type: files, paths: [missing-dir]}\n"
    )
    run = auditor_cli("scan", "--all-sources", "--format", "json", cwd=project)
    assert run.code == 1, run.stderr
    report = json.loads(run.stdout)
    down = [f for f in report["findings"] if f["rule_id"] == "auditor-source-down"]
    assert [f["resource"]["id"] for f in down] == ["exports"]
    assert "missing-dir: no such file or directory" in down[0]["message"]
    health = {s["name"]: s["up"] for s in report["sources"]}
    assert health == {"gitops": True, "exports": False}
    assert any(f["resource"]["source"] == "gitops" for f in report["findings"])


def test_unknown_source_name(project: Path, auditor_cli: Callable[..., Run]) -> None:
    """--source with a name not in the config is a usage error listing the configured ones."""
    (project / "auditor.yaml").write_text(
        "sources:\n  - {name: gitops, type: files, paths: [k8s]}\n"
    )
    error = _one_line_error(auditor_cli("scan", "--source", "prod", cwd=project))
    assert error == "error: no source named 'prod' in the config (sources: gitops)"


def test_unusable_state_path_is_a_one_line_error(
    project: Path, auditor_cli: Callable[..., Run]
) -> None:
    """A state store that cannot be created names state.path and exits 2, never a traceback."""
    (project / "auditor.yaml").write_text(
        "sources:\n  - {name: gitops, type: files, paths: [k8s]}\n"
    )
    (project / "blocker").write_text("a file where the state folder should be\n")
    run = auditor_cli(
        "scan", "--all-sources", env={"AUDITOR_STATE__PATH": "blocker/state.db"}, cwd=project
    )
    error = _one_line_error(run)
    assert "blocker/state.db: state.path: cannot open the state store" in error
