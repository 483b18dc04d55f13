"""deploy/helm/auditor, linted and rendered through Helm's own library (helm-python-sdk): the
objects it makes have the properties issue 10 asks for, its RBAC is exactly what the code
calls, its values schema refuses bad values, and `auditor scan` passes the chart."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from auditor.collectors.gke.kinds import LISTED_KINDS
from auditor.collectors.registry import SOURCE_TYPES, settings_model_for
from auditor.config import AuditorConfig, load_config

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "auditor"
PRODUCTION = CHART / "ci" / "production-values.yaml"
RBAC_FILE = REPO / "deploy" / "rbac" / "auditor-gke-reader.yaml"
PROMETHEUS = REPO / "deploy" / "prometheus"
RELEASE, NAMESPACE = "auditor", "auditor"
TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"

Objects = list[dict[str, Any]]


def production_values() -> dict[str, Any]:
    """The chart's ci/production-values.yaml."""
    values: dict[str, Any] = yaml.safe_load(PRODUCTION.read_text(encoding="utf-8"))
    return values


# A single pod that never calls the Kubernetes API: no Lease, no in-cluster gke source.
NO_API = {
    "replicaCount": 1,
    "leaderElection": {"enabled": False},
    "rbac": {"clusterReader": {"create": False}},
    "config": {"sources": [{"name": "acme-gcp", "type": "gcp", "organization": "123"}]},
}


def render(values: dict[str, Any] | None = None) -> Objects:
    """Every object the chart renders for `values`, as `helm template` would."""
    with helm_python.Chart.load(CHART) as chart:
        rendered = chart.render(values or {}, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return [
        document
        for template, text in sorted(rendered.items())
        if template.endswith(".yaml")
        for document in yaml.safe_load_all(text)
        if document
    ]


def only(objects: Objects, kind: str, name: str | None = None) -> dict[str, Any]:
    """The one object of `kind` (and `name`, when given)."""
    found = [
        o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"{len(found)} {kind} {name or ''}"
    return found[0]


def pod_spec(objects: Objects) -> dict[str, Any]:
    """The Deployment's pod spec."""
    spec: dict[str, Any] = only(objects, "Deployment")["spec"]["template"]["spec"]
    return spec


def container(objects: Objects) -> dict[str, Any]:
    """The auditor container."""
    containers = pod_spec(objects)["containers"]
    assert [c["name"] for c in containers] == ["auditor"]
    return dict(containers[0])


def auditor_yaml(objects: Objects) -> dict[str, Any]:
    """auditor.yaml as the ConfigMap carries it."""
    config: dict[str, Any] = yaml.safe_load(
        only(objects, "ConfigMap", RELEASE)["data"]["auditor.yaml"]
    )
    return config


def volume_at(objects: Objects, mount_path: str) -> dict[str, Any]:
    """The pod volume mounted at `mount_path` in the auditor container."""
    mounts = [m for m in container(objects)["volumeMounts"] if m["mountPath"] == mount_path]
    assert len(mounts) == 1, mount_path
    volume: dict[str, Any] = next(
        v for v in pod_spec(objects)["volumes"] if v["name"] == mounts[0]["name"]
    )
    return volume


@pytest.fixture(scope="module")
def default_objects() -> Objects:
    """The chart rendered with its default values."""
    return render()


@pytest.fixture(scope="module")
def production_objects() -> Objects:
    """The chart rendered with ci/production-values.yaml."""
    return render(production_values())


# --- lint and render -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [{}, production_values(), NO_API, {"metrics": {"serviceMonitor": {"enabled": True}}}],
    ids=["defaults", "production", "one-replica-no-api", "service-monitor"],
)
def test_the_chart_lints_without_warnings(values: dict[str, Any]) -> None:
    """helm lint --strict reports no error and no warning (info such as 'icon' is allowed)."""
    report = helm_python.lint(CHART, values, strict=True, namespace=NAMESPACE)
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_defaults_render_the_daemon_and_what_it_needs(default_objects: Objects) -> None:
    """Defaults: Deployment, ConfigMap, ServiceAccount, metrics Service, two NetworkPolicies,
    a PDB, the gke-reader ClusterRole and the Lease Role with their bindings; no Secret (the
    chart only refers to Secrets) and no Prometheus-operator objects."""
    kinds = sorted(o["kind"] for o in default_objects)
    assert kinds == sorted(
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
            "Deployment",
            "NetworkPolicy",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "Role",
            "RoleBinding",
            "Service",
            "ServiceAccount",
        ]
    )


def test_two_replicas_run_the_daemon_with_lease_leadership(default_objects: Objects) -> None:
    """Two replicas of `auditor run --config /etc/auditor/auditor.yaml`, rolling updates that
    never drop below the replica count, and leader election on a Lease named after the
    release in its namespace."""
    deployment = only(default_objects, "Deployment")
    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert container(default_objects)["args"] == ["run", "--config", "/etc/auditor/auditor.yaml"]
    assert volume_at(default_objects, "/etc/auditor")["configMap"]["name"] == RELEASE
    election = auditor_yaml(default_objects)["daemon"]["leader_election"]
    assert election == {
        "enabled": True,
        "namespace": NAMESPACE,
        "lease_name": RELEASE,
        "lease_seconds": 15,
        "renew_seconds": 5,
    }


@pytest.mark.parametrize("variant", ["defaults", "production", "one-replica-no-api"])
def test_the_config_map_is_an_auditor_yaml_the_daemon_accepts(variant: str, tmp_path: Path) -> None:
    """The rendered auditor.yaml loads with auditor's own config loader; the daemon listens
    on all addresses at the container's metrics port and keeps state on the emptyDir."""
    values = {"defaults": {}, "production": production_values(), "one-replica-no-api": NO_API}
    objects = render(values[variant])
    path = tmp_path / "auditor.yaml"
    path.write_text(only(objects, "ConfigMap", RELEASE)["data"]["auditor.yaml"], encoding="utf-8")
    config = load_config(path, environ={})
    assert config.daemon.listen_address == "0.0.0.0"
    assert config.daemon.port == container(objects)["ports"][0]["containerPort"] == 9464
    assert config.daemon.leader_election.enabled is (variant != "one-replica-no-api")
    assert config.state.path == Path("/var/lib/auditor/state.db")
    assert "emptyDir" in volume_at(objects, "/var/lib/auditor")


def test_probes_use_healthz_and_readyz_on_the_metrics_port(default_objects: Objects) -> None:
    """Liveness asks /healthz, readiness /readyz, both on the named metrics port."""
    auditor = container(default_objects)
    assert auditor["ports"] == [{"name": "metrics", "containerPort": 9464, "protocol": "TCP"}]
    assert auditor["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert auditor["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}


def test_the_pod_is_restricted(default_objects: Objects) -> None:
    """Non-root, read-only root filesystem (state and /tmp on emptyDirs), ALL capabilities
    dropped, seccomp RuntimeDefault, no privilege escalation, requests and a memory limit."""
    pod = pod_spec(default_objects)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    context = container(default_objects)["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["privileged"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    for path in ("/var/lib/auditor", "/tmp"):
        assert "emptyDir" in volume_at(default_objects, path)
    resources = container(default_objects)["resources"]
    assert set(resources["requests"]) == {"cpu", "memory"}
    assert "memory" in resources["limits"]
    assert not any(p.get("hostNetwork") or p.get("hostPID") for p in [pod])


def test_replicas_spread_over_zones_and_nodes(default_objects: Objects) -> None:
    """Topology spread over zone and hostname plus preferred anti-affinity, all selecting
    exactly the Deployment's pods."""
    pod = pod_spec(default_objects)
    selector = only(default_objects, "Deployment")["spec"]["selector"]["matchLabels"]
    keys = [c["topologyKey"] for c in pod["topologySpreadConstraints"]]
    assert keys == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert all(
        c["labelSelector"]["matchLabels"] == selector for c in pod["topologySpreadConstraints"]
    )
    term = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term[0]["podAffinityTerm"]["labelSelector"]["matchLabels"] == selector


@pytest.mark.parametrize("replicas", [1, 2, 3])
def test_the_pdb_always_lets_a_node_drain(replicas: int) -> None:
    """The PDB selects the pods and allows one eviction at any replica count."""
    objects = render({"replicaCount": replicas})
    pdb = only(objects, "PodDisruptionBudget")
    selector = only(objects, "Deployment")["spec"]["selector"]["matchLabels"]
    assert pdb["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": selector}}


# --- identity and RBAC ---------------------------------------------------------------------


def test_the_service_account_is_annotated_for_workload_identity() -> None:
    """serviceAccount.gcpServiceAccount becomes iam.gke.io/gcp-service-account; the pod runs
    as that ServiceAccount."""
    objects = render({"serviceAccount": {"gcpServiceAccount": "auditor@p.iam.gserviceaccount.com"}})
    account = only(objects, "ServiceAccount")
    assert account["metadata"]["annotations"] == {
        "iam.gke.io/gcp-service-account": "auditor@p.iam.gserviceaccount.com"
    }
    assert pod_spec(objects)["serviceAccountName"] == account["metadata"]["name"]


def test_the_api_token_is_projected_when_the_pod_calls_the_api(default_objects: Objects) -> None:
    """Automount is off on the ServiceAccount and the pod; with leader election a projected
    one-hour token, the cluster CA and the namespace appear where the kubernetes client looks."""
    assert only(default_objects, "ServiceAccount")["automountServiceAccountToken"] is False
    assert pod_spec(default_objects)["automountServiceAccountToken"] is False
    projected = volume_at(default_objects, TOKEN_DIR)["projected"]["sources"]
    assert projected[0]["serviceAccountToken"] == {"path": "token", "expirationSeconds": 3600}
    assert projected[1]["configMap"]["name"] == "kube-root-ca.crt"
    assert projected[2]["downwardAPI"]["items"][0]["path"] == "namespace"


def test_no_token_at_all_when_the_pod_never_calls_the_api() -> None:
    """One replica, no leader election, no in-cluster gke source: no token volume, no Lease
    Role, no ClusterRole, and no egress to the API server."""
    objects = render(NO_API)
    mounts = [m["mountPath"] for m in container(objects)["volumeMounts"]]
    assert TOKEN_DIR not in mounts
    assert {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}.isdisjoint(
        o["kind"] for o in objects
    )
    egress = only(objects, "NetworkPolicy", RELEASE)["spec"]["egress"]
    assert all("to" in rule for rule in egress), "an egress rule open to any address"


def _granted(rules: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {
        (group, resource, verb)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def test_the_cluster_role_is_deploy_rbac_and_what_the_gke_collector_lists(
    default_objects: Objects,
) -> None:
    """The chart's ClusterRole has the same rules as deploy/rbac/auditor-gke-reader.yaml,
    which are get and list on exactly the kinds auditor/collectors/gke/kinds.py lists; the
    binding gives it to the chart's ServiceAccount in the release namespace."""
    role = only(default_objects, "ClusterRole")
    reference = next(
        d
        for d in yaml.safe_load_all(RBAC_FILE.read_text(encoding="utf-8"))
        if d["kind"] == "ClusterRole"
    )
    assert role["rules"] == reference["rules"]
    assert all(set(rule) == {"apiGroups", "resources", "verbs"} for rule in role["rules"])
    assert _granted(role["rules"]) == {
        (kind.group, kind.plural, verb) for kind in LISTED_KINDS for verb in ("get", "list")
    }
    binding = only(default_objects, "ClusterRoleBinding")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": role["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}
    ]


def test_the_lease_role_grants_get_create_update_on_leases_only(default_objects: Objects) -> None:
    """A namespaced Role: get and update on the one Lease, create on leases (create cannot be
    limited by name), nothing else; bound to the chart's ServiceAccount."""
    role = only(default_objects, "Role")
    assert _granted(role["rules"]) == {
        ("coordination.k8s.io", "leases", verb) for verb in ("get", "update", "create")
    }
    named = [r for r in role["rules"] if "resourceNames" in r]
    assert named == [
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "resourceNames": [
                auditor_yaml(default_objects)["daemon"]["leader_election"]["lease_name"]
            ],
            "verbs": ["get", "update"],
        }
    ]
    binding = only(default_objects, "RoleBinding")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}
    ]


# --- network -------------------------------------------------------------------------------


def test_the_namespace_and_the_pods_are_default_deny(default_objects: Objects) -> None:
    """A namespace default-deny (every pod, both directions, no rule) and a policy for the
    auditor's pods isolating both directions."""
    deny = only(default_objects, "NetworkPolicy", f"{RELEASE}-default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    policy = only(default_objects, "NetworkPolicy", RELEASE)["spec"]
    selector = only(default_objects, "Deployment")["spec"]["selector"]["matchLabels"]
    assert policy["podSelector"] == {"matchLabels": selector}
    assert policy["policyTypes"] == ["Ingress", "Egress"]


def test_only_prometheus_reaches_the_metrics_port(default_objects: Objects) -> None:
    """One ingress rule: from Prometheus pods (namespace AND pod selector in one peer) to the
    metrics port."""
    ingress = only(default_objects, "NetworkPolicy", RELEASE)["spec"]["ingress"]
    assert ingress == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    },
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
                }
            ],
            "ports": [{"port": "metrics", "protocol": "TCP"}],
        }
    ]


def _egress_ports(policy: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    ports: dict[int, list[dict[str, Any]]] = {}
    for rule in policy["spec"]["egress"]:
        for port in rule["ports"]:
            ports.setdefault(port["port"], []).append(rule)
    return ports


def test_egress_is_dns_metadata_google_apis_and_the_api_server(default_objects: Objects) -> None:
    """Defaults: DNS (53 UDP+TCP to kube-dns), the GKE metadata server (80, 988), HTTPS to
    public addresses (Google APIs) and the API server; every rule names its ports."""
    policy = only(default_objects, "NetworkPolicy", RELEASE)
    ports = _egress_ports(policy)
    assert set(ports) == {53, 80, 988, 443}
    dns = ports[53][0]
    assert {p["protocol"] for p in dns["ports"]} == {"UDP", "TCP"}
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert ports[80][0]["to"] == [{"ipBlock": {"cidr": "169.254.169.254/32"}}]
    assert ports[988][0]["to"] == [{"ipBlock": {"cidr": "169.254.169.252/32"}}]
    google = ports[443][0]["to"][0]["ipBlock"]
    assert google["cidr"] == "0.0.0.0/0"
    assert "10.0.0.0/8" in google["except"]


def test_egress_to_configured_sources_and_a_pinned_api_server(production_objects: Objects) -> None:
    """networkPolicy.egress.sources open exactly their CIDRs/peers and ports; a configured
    API server address replaces the any-address rule."""
    ports = _egress_ports(only(production_objects, "NetworkPolicy", RELEASE))
    assert ports[3306][0]["to"] == [
        {"ipBlock": {"cidr": "10.20.0.11/32"}},
        {"ipBlock": {"cidr": "10.20.0.21/32"}},
    ]
    assert ports[9093][0]["to"] == [{"ipBlock": {"cidr": "10.30.0.0/28"}}]
    assert ports[9093][1]["to"][0]["podSelector"] == {
        "matchLabels": {"app.kubernetes.io/name": "alertmanager"}
    }
    assert {"ipBlock": {"cidr": "172.16.0.2/32"}} in [t for r in ports[443] for t in r["to"]]
    assert all(
        "to" in rule
        for rule in only(production_objects, "NetworkPolicy", RELEASE)["spec"]["egress"]
    )


# --- secrets -------------------------------------------------------------------------------


def test_secrets_are_references_read_through_secret_refs(production_objects: Objects) -> None:
    """Existing Secrets are mounted read-only (Slack webhook, MySQL password) or exposed by
    secretKeyRef (Kafka); auditor.yaml points at those files and variables; the chart
    creates no Secret."""
    assert "Secret" not in {o["kind"] for o in production_objects}
    config = auditor_yaml(production_objects)
    webhook = config["daemon"]["notifications"]["slack"]["webhook_url"]
    assert webhook == {"file": "/var/run/secrets/auditor/slack-webhook/webhook-url"}
    slack = volume_at(production_objects, "/var/run/secrets/auditor/slack-webhook")["secret"]
    assert slack["secretName"] == "auditor-slack"
    assert slack["items"] == [{"key": "webhook-url", "path": "webhook-url"}]
    mysql = volume_at(production_objects, "/var/run/secrets/auditor/mysql")["secret"]
    assert mysql["secretName"] == "auditor-mysql"
    password = config["sources"][2]["instances"][0]["password"]
    assert password == {"file": "/var/run/secrets/auditor/mysql/password"}
    mounts = {m["mountPath"]: m for m in container(production_objects)["volumeMounts"]}
    assert mounts["/var/run/secrets/auditor/mysql"]["readOnly"] is True
    env = {e["name"]: e for e in container(production_objects)["env"]}
    assert env["KAFKA_AUDITOR_PASSWORD"] == {
        "name": "KAFKA_AUDITOR_PASSWORD",
        "valueFrom": {"secretKeyRef": {"name": "auditor-kafka", "key": "password"}},
    }
    assert config["sources"][3]["sasl"]["password"] == {"env": "KAFKA_AUDITOR_PASSWORD"}


def test_custom_rules_are_mounted_and_added_to_rules_paths(
    production_objects: Objects, tmp_path: Path, auditor_cli: Callable[..., Any]
) -> None:
    """customRules become a ConfigMap of rule files, valid for `auditor rules validate`,
    mounted at /etc/auditor/rules, which rules.paths names."""
    rules = only(production_objects, "ConfigMap", f"{RELEASE}-rules")
    assert list(rules["data"]) == ["acme-no-team-label.yaml"]
    for name, text in rules["data"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    run = auditor_cli("rules", "validate", str(tmp_path))
    assert run.code == 0, run.stdout + run.stderr
    assert (
        volume_at(production_objects, "/etc/auditor/rules")["configMap"]["name"]
        == f"{RELEASE}-rules"
    )
    assert auditor_yaml(production_objects)["rules"]["paths"] == ["/etc/auditor/rules"]


# --- values schema and guards --------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"replicaCount": "2"}, r"at '/replicaCount': got string, want integer"),
        ({"replicaCount": 0}, r"at '/replicaCount': minimum"),
        ({"image": {"digest": "latest"}}, r"at '/image/digest'"),
        ({"config": {"daemons": {}}}, r"additional properties 'daemons' not allowed"),
        (
            {
                "config": {
                    "sources": [
                        {
                            "name": "db",
                            "type": "mysql",
                            "instances": [
                                {"name": "a", "host": "h", "user": "u", "password": "hunter2"}
                            ],
                        }
                    ]
                }
            },
            r"at '/config/sources/0/instances/0/password': got string, want object",
        ),
        (
            {
                "config": {
                    "daemon": {
                        "notifications": {"slack": {"webhook_url": "https://hooks.slack.com/x"}}
                    }
                }
            },
            r"at '/config/daemon/notifications/slack/webhook_url': got string, want object",
        ),
        ({"secrets": {"env": [{"name": "X", "existingSecret": "s"}]}}, r"missing propert.*key"),
        (
            {"networkPolicy": {"egress": {"sources": [{"name": "db", "ports": [{"port": 3306}]}]}}},
            r"anyOf",
        ),
    ],
    ids=[
        "replicas-string",
        "replicas-zero",
        "digest",
        "config-key",
        "inline-password",
        "inline-webhook",
        "env-secret-key",
        "source-without-destination",
    ],
)
def test_the_values_schema_rejects_bad_values(values: dict[str, Any], expected: str) -> None:
    """Helm refuses the values before rendering, naming the value's path; an inline secret is
    refused without being repeated back."""
    with pytest.raises(helm_python.HelmValuesError) as error:
        render(values)
    assert re.search(expected, str(error.value)), str(error.value)
    assert "hunter2" not in str(error.value)
    assert "hooks.slack.com" not in str(error.value)


def _secret_ref_fields(node: Any, key: str | None = None) -> set[str]:
    """Names of the properties of a pydantic JSON Schema whose value is a SecretRef."""
    found: set[str] = set()
    if isinstance(node, dict):
        if str(node.get("$ref", "")).endswith("/SecretRef") and key:
            found.add(key)
        for name, value in node.items():
            if name == "properties":
                for field, schema in value.items():
                    found |= _secret_ref_fields(schema, field)
            else:
                found |= _secret_ref_fields(value, key)
    elif isinstance(node, list):
        for item in node:
            found |= _secret_ref_fields(item, key)
    return found


def test_the_values_schema_follows_the_config_model() -> None:
    """config takes exactly auditor.yaml's top-level sections, and every field the config or
    a source type declares as a SecretRef is one the schema refuses inline."""
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    assert set(schema["properties"]["config"]["properties"]) == set(AuditorConfig.model_fields)
    secret_fields = _secret_ref_fields(AuditorConfig.model_json_schema())
    for source_type in SOURCE_TYPES:
        secret_fields |= _secret_ref_fields(settings_model_for(source_type).model_json_schema())
    assert secret_fields >= {"password", "webhook_url"}
    (pattern,) = schema["$defs"]["noInlineSecrets"]["then"]["patternProperties"]
    assert all(re.search(pattern, field) for field in secret_fields), secret_fields


def test_several_replicas_need_leader_election() -> None:
    """replicaCount 2 with leader election off fails to render with a message saying why."""
    with pytest.raises(helm_python.HelmRenderError, match=r"needs leaderElection\.enabled"):
        render({"leaderElection": {"enabled": False}})


def test_a_slack_section_needs_a_webhook_secret() -> None:
    """Slack settings without secrets.slackWebhook (or a SecretRef) fail to render."""
    with pytest.raises(helm_python.HelmRenderError, match=r"secrets\.slackWebhook\.existingSecret"):
        render({"config": {"daemon": {"notifications": {"slack": {"min_severity": "high"}}}}})


# --- Prometheus operator -------------------------------------------------------------------


def test_service_monitor_is_optional_and_scrapes_the_metrics_service(
    default_objects: Objects,
) -> None:
    """Off by default; on, it selects the metrics Service's labels and port, in the release
    namespace, with job label 'auditor' (what the alerts' up{job=~"auditor.*"} expects)."""
    assert "ServiceMonitor" not in {o["kind"] for o in default_objects}
    objects = render({"metrics": {"serviceMonitor": {"enabled": True}}})
    monitor = only(objects, "ServiceMonitor")["spec"]
    service = only(objects, "Service")
    assert service["spec"]["ports"][0]["name"] == "metrics"
    selected = monitor["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    assert monitor["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    assert monitor["endpoints"][0]["port"] == "metrics"
    assert service["metadata"]["labels"][monitor["jobLabel"]] == "auditor"


def test_prometheus_rule_carries_the_rules_of_deploy_prometheus(
    default_objects: Objects,
) -> None:
    """Off by default; on, its groups are deploy/prometheus's recording then alert groups."""
    assert "PrometheusRule" not in {o["kind"] for o in default_objects}
    objects = render({"metrics": {"prometheusRule": {"enabled": True}}})
    groups = only(objects, "PrometheusRule")["spec"]["groups"]
    expected = [
        group
        for name in ("auditor-recording.yaml", "auditor-alerts.yaml")
        for group in yaml.safe_load((PROMETHEUS / name).read_text(encoding="utf-8"))["groups"]
    ]
    assert groups == expected
    assert any(rule.get("alert") == "AuditorDown" for g in groups for rule in g["rules"])


@pytest.mark.parametrize("name", ["auditor-alerts.yaml", "auditor-recording.yaml"])
def test_the_charts_copy_of_the_prometheus_rules_is_current(name: str) -> None:
    """files/prometheus/NAME is byte-for-byte deploy/prometheus/NAME (fix: copy it over)."""
    original = (PROMETHEUS / name).read_text(encoding="utf-8")
    copy = (CHART / "files" / "prometheus" / name).read_text(encoding="utf-8")
    assert copy == original, f"cp deploy/prometheus/{name} deploy/helm/auditor/files/prometheus/"


# --- the auditor judges its own chart ------------------------------------------------------


@pytest.mark.parametrize("variant", ["defaults", "production"])
def test_auditor_scan_passes_its_own_chart(variant: str, auditor_cli: Callable[..., Any]) -> None:
    """`auditor scan deploy/helm/auditor --fail-on medium` exits 0 and reports no finding of
    medium severity or above, and it did read the chart's Deployment and RBAC."""
    args = ["scan", str(CHART), "--fail-on", "medium", "--format", "json"]
    if variant == "production":
        args += ["-f", str(PRODUCTION)]
    run = auditor_cli(*args)
    assert run.code == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["passed"] is True
    assert report["errors"] == []
    serious = [f for f in report["findings"] if f["severity"] in ("critical", "high", "medium")]
    assert serious == []
    assert report["summary"]["resources"] >= 6


def test_the_image_runs_as_the_charts_user() -> None:
    """deploy/docker/Dockerfile ends as the numeric non-root user the chart's pod runs as,
    with `auditor` as the entrypoint."""
    dockerfile = (REPO / "deploy" / "docker" / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\d+):(\d+)\s*$", dockerfile, re.MULTILINE)
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    context = values["podSecurityContext"]
    assert users[-1] == (str(context["runAsUser"]), str(context["runAsGroup"]))
    assert int(users[-1][0]) > 0
    assert re.search(r'^ENTRYPOINT \["auditor"\]$', dockerfile, re.MULTILINE)
