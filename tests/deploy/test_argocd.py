"""deploy/argocd/application.yaml: the Argo CD Application installing the auditor chart."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from auditor.loaders.helm import load_chart
from tests.deploy.terraform_hcl import labelled

REPO = Path(__file__).resolve().parents[2]
APPLICATION = REPO / "deploy" / "argocd" / "application.yaml"
PLACEHOLDER_REPO = "https://github.com/example-org/auditor.git"


def application() -> dict[str, Any]:
    """The Application manifest (a single YAML document)."""
    documents = list(yaml.safe_load_all(APPLICATION.read_text(encoding="utf-8")))
    assert len(documents) == 1, "application.yaml holds exactly one document"
    document: dict[str, Any] = documents[0]
    return document


def terraform_default(variable: str) -> str:
    """A variable's default in deploy/terraform/variables.tf."""
    return str(labelled("variable")[variable]["default"])


def values_file(tmp_path: Path) -> Path:
    """The Application's inline Helm values, written to a file as Argo CD hands them to helm."""
    path = tmp_path / "argocd-values.yaml"
    path.write_text(yaml.safe_dump(application()["spec"]["source"]["helm"]["valuesObject"]))
    return path


def test_is_an_argo_cd_application() -> None:
    """The file is an argoproj.io/v1alpha1 Application in the argocd namespace."""
    app = application()
    assert app["apiVersion"] == "argoproj.io/v1alpha1"
    assert app["kind"] == "Application"
    assert app["metadata"]["name"] == "auditor"
    assert app["metadata"]["namespace"] == "argocd"
    assert "resources-finalizer.argocd.argoproj.io" in app["metadata"]["finalizers"]


def test_source_is_the_chart_in_this_repository() -> None:
    """The source path is a Helm chart directory of this repository, from the placeholder repo
    URL that the file's header tells the reader to replace."""
    source = application()["spec"]["source"]
    chart = REPO / source["path"]
    assert source["path"] == "deploy/helm/auditor"
    assert (chart / "Chart.yaml").is_file(), f"{source['path']} is not a chart in this repository"
    assert yaml.safe_load((chart / "Chart.yaml").read_text())["name"] == "auditor"
    assert source["repoURL"] == PLACEHOLDER_REPO
    header = APPLICATION.read_text(encoding="utf-8").split("apiVersion:")[0]
    assert "repoURL is a placeholder" in header
    assert source["targetRevision"] not in ("HEAD", "main", "master", ""), "pin a release tag"
    for name in source["helm"].get("valueFiles", []):
        assert (chart / name).is_file(), f"valueFiles: {name} is not in the chart"


def test_sync_is_automated_with_prune_self_heal_and_namespace_creation() -> None:
    """Argo CD syncs on its own, prunes, undoes drift and creates the namespace."""
    policy = application()["spec"]["syncPolicy"]
    assert policy["automated"] == {"prune": True, "selfHeal": True}
    assert "CreateNamespace=true" in policy["syncOptions"]
    labels = policy["managedNamespaceMetadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


def test_release_lands_where_the_workload_identity_binding_expects_it(tmp_path: Path) -> None:
    """Rendered as Argo CD would (release name, namespace, inline values, checked against
    values.schema.json), the chart's ServiceAccount is the one deploy/terraform binds, annotated
    with the Google service account."""
    app = application()
    namespace = app["spec"]["destination"]["namespace"]
    release = app["spec"]["source"]["helm"]["releaseName"]
    assert namespace == terraform_default("kubernetes_namespace")
    result = load_chart(
        REPO / app["spec"]["source"]["path"],
        values_files=[values_file(tmp_path)],
        release_name=release,
        namespace=namespace,
    )
    accounts = {r.id: r.data for r in result.resources if r.kind == "k8s.service_account"}
    name = terraform_default("kubernetes_service_account")
    account = accounts.get(f"manifests/{namespace}/ServiceAccount/{name}")
    assert account is not None, f"the chart makes {sorted(accounts)}, not {namespace}/{name}"
    email = app["spec"]["source"]["helm"]["valuesObject"]["serviceAccount"]["gcpServiceAccount"]
    assert account["gcp_service_account"] == email
    assert email.endswith(".iam.gserviceaccount.com")


def test_the_application_passes_the_auditors_own_rules(
    tmp_path: Path, auditor_cli: Callable[..., Any]
) -> None:
    """`auditor scan` of the chart with the Application's values finds nothing at medium or
    above: the example is one the auditor itself accepts."""
    app = application()
    run = auditor_cli(
        "scan",
        str(REPO / app["spec"]["source"]["path"]),
        "--values",
        str(values_file(tmp_path)),
        "--release-name",
        app["spec"]["source"]["helm"]["releaseName"],
        "--namespace",
        app["spec"]["destination"]["namespace"],
        "--fail-on",
        "medium",
        "--format",
        "json",
    )
    assert run.code == 0, run.stdout + run.stderr
    findings = json.loads(run.stdout)["findings"]
    serious = [f for f in findings if f["severity"] in ("critical", "high", "medium")]
    assert serious == []
