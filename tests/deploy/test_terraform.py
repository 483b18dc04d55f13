"""deploy/terraform: keyless, least-privilege GCP access for auditor, parsed with python-hcl2.

The module cannot be planned here (the provider registry is out of reach), so what it grants is
read from its HCL: the custom role's permissions against the collector's manifest, the roles
granted, the Workload Identity member against the Helm chart's ServiceAccount, and the variable
validations (through `terraform test` on variables.tf alone when the binary is installed).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from auditor.collectors.gcp.manifest import load_manifest
from auditor.loaders.helm import load_chart
from tests.deploy.terraform_hcl import (
    EXAMPLES,
    MODULE,
    REPO,
    all_resources,
    blocks,
    example_dirs,
    labelled,
    module_locals,
    parse,
    render,
    resources,
    variable_values,
)

CHART = REPO / "deploy" / "helm" / "auditor"
SYNC = "`.venv/bin/python deploy/terraform/sync_permissions.py`"

CUSTOM_ROLE = "${google_organization_iam_custom_role.collector.name}"
# Every predefined role the module may grant, and why; anything else needs a review here first.
PREDEFINED_ROLES = {
    "roles/iam.workloadIdentityUser": "the chart's Kubernetes ServiceAccount acts as the account",
    "roles/serviceusage.serviceUsageConsumer": "calls billed to the quota project",
    "roles/composer.user": "airflow source: reach a Composer environment's web server",
    "roles/storage.objectViewer": "airflow source: list DAG objects in the environment bucket",
    "roles/container.clusterViewer": "gke source: find a cluster from outside it",
}
BASIC_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
# Roles that let the holder act as, or mint credentials for, a service account.
IMPERSONATION_ROLES = {
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/iam.workloadIdentityUser",
}


def load_sync_script() -> ModuleType:
    """deploy/terraform/sync_permissions.py, imported from its path (it is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "sync_permissions", MODULE / "sync_permissions.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


# --- The files ----------------------------------------------------------------------------------


def test_every_tf_file_parses() -> None:
    """Every .tf under deploy/terraform, examples included, is valid HCL2."""
    paths = sorted(MODULE.rglob("*.tf"))
    assert len(paths) >= 9, paths
    for path in paths:
        assert parse(path), f"{path} parsed to nothing"
    assert len(example_dirs()) >= 2


def test_google_provider_is_pinned_with_an_upper_bound() -> None:
    """versions.tf pins hashicorp/google to a range that ends before an untested major."""
    terraform = blocks()["terraform"][0]
    google = terraform["required_providers"][0]["google"]
    assert google["source"] == "hashicorp/google"
    assert re.search(r">=\s*\d", google["version"]) and "<" in google["version"], google
    assert terraform["required_version"].startswith(">=")


# --- The custom role ----------------------------------------------------------------------------


def test_custom_role_holds_exactly_the_manifest_permissions() -> None:
    """The custom role's permissions are the GCP collector manifest's, no more and no fewer."""
    role = resources()[("google_organization_iam_custom_role", "collector")]
    assert role["permissions"] == "${local.collector_permissions}"
    in_terraform = set(module_locals()["collector_permissions"])
    in_manifest = set(load_manifest().permissions)
    missing = sorted(in_manifest - in_terraform)
    extra = sorted(in_terraform - in_manifest)
    assert not missing and not extra, (
        "deploy/terraform/permissions.tf has drifted from auditor/collectors/gcp/permissions.yaml:"
        f" missing {missing}, not in the manifest {extra}. Regenerate it with {SYNC}."
    )
    assert len(module_locals()["collector_permissions"]) == len(in_terraform), "duplicates"


def test_permissions_file_is_exactly_what_the_script_generates() -> None:
    """permissions.tf is the sync script's output for the current manifest (title, stage too)."""
    expected = load_sync_script().render(load_manifest())
    actual = (MODULE / "permissions.tf").read_text(encoding="utf-8")
    assert actual == expected, f"deploy/terraform/permissions.tf is stale; run {SYNC}"


def test_custom_role_is_the_manifests_role_on_the_organization() -> None:
    """The role is an organization custom role named, titled and staged as the manifest says."""
    role = resources()[("google_organization_iam_custom_role", "collector")]
    manifest_role = load_manifest().role
    locals_ = module_locals()
    assert role["org_id"] == "${var.organization_id}"
    assert role["role_id"] == "${coalesce(var.role_id, local.collector_role_id)}"
    assert locals_["collector_role_id"] == manifest_role["id"]
    assert locals_["collector_role_title"] == manifest_role["title"]
    assert locals_["collector_role_stage"] == manifest_role.get("stage", "GA")
    assert role["stage"] == "${local.collector_role_stage}"
    # Google's limits on a custom role; past them the apply fails, not this module's plan.
    assert len(locals_["collector_role_title"]) <= 100
    assert len(locals_["collector_role_description"].encode()) <= 256
    assert len(locals_["collector_permissions"]) <= 3000
    assert not [k for _, k, _, _ in all_resources() if k == "google_project_iam_custom_role"]


def test_custom_role_is_granted_on_the_organization_or_each_folder_as_configured() -> None:
    """grant_scope picks one grant: the organization member, or one member per folder."""
    found = resources()
    on_org = found[("google_organization_iam_member", "collector")]
    on_folders = found[("google_folder_iam_member", "collector")]
    assert on_org["role"] == CUSTOM_ROLE and on_folders["role"] == CUSTOM_ROLE
    assert on_org["member"] == on_folders["member"] == "${local.service_account_member}"
    assert on_org["count"] == '${var.grant_scope == "organization" ? 1 : 0}'
    assert on_folders["for_each"] == '${var.grant_scope == "folders" ? local.folders : toset([])}'
    assert on_folders["folder"] == "${each.value}"
    assert "var.folder_ids" in module_locals()["folders"]
    member = module_locals()["service_account_member"]
    assert member == "serviceAccount:${google_service_account.auditor.email}"


# --- What is never there ------------------------------------------------------------------------


def test_no_key_resource_anywhere() -> None:
    """No service account key, HMAC key or API key is created by the module or its examples."""
    keys = [(d.name, k, n) for d, k, n, _ in all_resources() if re.search(r"_key$|_keys$", k)]
    assert keys == []
    for path in MODULE.rglob("*.tf"):
        text = path.read_text(encoding="utf-8")
        assert "google_service_account_key" not in re.sub(r"#.*", "", text), path
    assert not [name for name in labelled("output") if "key" in name.lower()]


def test_iam_is_only_ever_added_never_taken_over() -> None:
    """Every IAM resource is an additive *_iam_member; no *_iam_policy or *_iam_binding."""
    iam = [(kind, name) for _, kind, name, _ in all_resources() if "_iam_" in kind]
    assert iam, "no IAM resource found"
    authoritative = [
        (kind, name)
        for kind, name in iam
        if kind.endswith(("_iam_policy", "_iam_binding")) and "custom_role" not in kind
    ]
    assert authoritative == []


def test_no_basic_admin_or_impersonation_role_is_granted() -> None:
    """Only the custom role and the reviewed read-only predefined roles are ever granted."""
    granted: dict[str, list[str]] = {}
    for directory, kind, name, body in all_resources():
        if "role" in body and kind.endswith("_iam_member"):
            granted.setdefault(body["role"], []).append(f"{directory.name}:{kind}.{name}")
    literal = {role for role in granted if not role.startswith("${")}
    assert not literal & BASIC_ROLES, granted
    assert not [role for role in literal if "admin" in role.lower()], granted
    assert literal <= set(PREDEFINED_ROLES), f"unreviewed roles: {literal - set(PREDEFINED_ROLES)}"
    assert set(granted) - literal == {CUSTOM_ROLE}, granted
    # The one impersonation role is granted on auditor's own account to its Kubernetes identity.
    for role in literal & IMPERSONATION_ROLES:
        assert granted[role] == ["terraform:google_service_account_iam_member.workload_identity"]


# --- Workload Identity --------------------------------------------------------------------------


def test_workload_identity_member_names_the_charts_service_account() -> None:
    """The binding's member is serviceAccount:PROJECT.svc.id.goog[auditor/auditor] by default."""
    binding = resources()[("google_service_account_iam_member", "workload_identity")]
    assert binding["role"] == "roles/iam.workloadIdentityUser"
    assert binding["service_account_id"] == "${google_service_account.auditor.name}"
    assert binding["count"] == "${var.workload_identity_enabled ? 1 : 0}"
    member = binding["member"]
    values = variable_values(organization_id="123456789012", project_id="acme-security")
    assert render(member, values) == "serviceAccount:acme-security.svc.id.goog[auditor/auditor]"
    values.update(workload_identity_project="acme-platform", kubernetes_namespace="compliance")
    assert render(member, values) == "serviceAccount:acme-platform.svc.id.goog[compliance/auditor]"


def test_helm_values_output_annotates_the_charts_service_account() -> None:
    """The chart installed as `auditor` in namespace `auditor` with the module's helm_values has
    ServiceAccount auditor/auditor annotated with the Google account: the member bound above."""
    output = labelled("output")["helm_values"]["value"]
    assert output == {
        "serviceAccount": {"gcpServiceAccount": "${google_service_account.auditor.email}"}
    }
    defaults = variable_values()
    namespace, name = defaults["kubernetes_namespace"], defaults["kubernetes_service_account"]
    email = "auditor@acme-security.iam.gserviceaccount.com"
    result = load_chart(
        CHART,
        release_name="auditor",
        namespace=namespace,
        set_values=[f"serviceAccount.gcpServiceAccount={email}"],
    )
    accounts = {r.id: r.data for r in result.resources if r.kind == "k8s.service_account"}
    account = accounts.get(f"manifests/{namespace}/ServiceAccount/{name}")
    assert account is not None, f"the chart makes {sorted(accounts)}, not {namespace}/{name}"
    assert account["gcp_service_account"] == email


# --- Variables ----------------------------------------------------------------------------------

# variable → (accepted, rejected) values for its regex validations.
PATTERN_CASES: dict[str, tuple[list[str], list[str]]] = {
    "organization_id": (["123456789012"], ["organizations/123456789012", "acme", ""]),
    "project_id": (["acme-security"], ["Acme", "1acme-security", "acme-", "ab", "a" * 31]),
    "account_id": (["auditor", "auditor-prod"], ["aud", "auditor_", "Auditor", "auditor-"]),
    "role_id": (["auditorGcpCollector", "auditor.staging_1"], ["ab", "auditor-gcp", "x" * 65]),
    "folder_ids": (["345678901234", "folders/345678901234"], ["folder/1", "acme", "folders/"]),
    "kubernetes_namespace": (["auditor", "compliance-1"], ["Auditor", "-auditor", "a_b"]),
    "kubernetes_service_account": (["auditor", "auditor.gke"], ["Auditor", "auditor-", "a/b"]),
    "quota_project": (["acme-security"], ["ACME", "acme_security"]),
    "composer_projects": (["acme-data-platform"], ["acme data"]),
    "composer_dag_buckets": (
        ["europe-west1-composer-prod-1a2b3c4d-bucket"],
        ["gs://europe-west1-composer-prod-bucket", "bucket/dags", "B"],
    ),
    "gke_cluster_projects": (["acme-platform"], ["acme_platform"]),
    "workload_identity_project": (["acme-platform"], ["acme.platform"]),
}


def test_every_variable_is_described_and_every_free_value_validated() -> None:
    """Each variable says what it is for; each one that is not a bool has a validation."""
    for name, body in labelled("variable").items():
        assert len(body.get("description", "")) > 20, f"variable {name} has no description"
        if body["type"] != "bool":
            assert body.get("validation"), f"variable {name} is not validated"
            for rule in body["validation"]:
                assert f"var.{name}" in rule["condition"] and rule["error_message"], name
    patterned = {
        name
        for name, body in labelled("variable").items()
        for rule in body.get("validation", [])
        if "regex(" in rule["condition"]
    }
    assert patterned == set(PATTERN_CASES)


def accepts(name: str, value: str) -> bool:
    """Whether variable `name`'s regex (and length) validation lets `value` through."""
    conditions = " ".join(rule["condition"] for rule in labelled("variable")[name]["validation"])
    quoted = re.search(r'regex\("((?:[^"\\]|\\.)*)"', conditions)
    assert quoted is not None, f"variable {name} has no regex validation"
    pattern = quoted[1].encode().decode("unicode_escape")
    length_limit = re.search(rf"length\(var\.{name}\) <= (\d+)", conditions)
    fits = length_limit is None or len(value) <= int(length_limit[1])
    return fits and re.search(pattern, value) is not None


@pytest.mark.parametrize("name", sorted(PATTERN_CASES))
def test_variable_patterns_accept_and_reject(name: str) -> None:
    """Each regex validation accepts real values and rejects the usual mistakes."""
    accepted, rejected = PATTERN_CASES[name]
    assert [value for value in accepted if not accepts(name, value)] == []
    assert [value for value in rejected if accepts(name, value)] == []


# run name → (variables, the variable whose validation must fail, or None for a clean plan)
VALIDATION_RUNS: dict[str, tuple[dict[str, Any], str | None]] = {
    "organization_defaults": ({}, None),
    "folders_listed": ({"grant_scope": "folders", "folder_ids": ["folders/1", "2"]}, None),
    "folders_without_any": ({"grant_scope": "folders"}, "folder_ids"),
    "folders_with_organization_scope": ({"folder_ids": ["345678901234"]}, "folder_ids"),
    "unknown_scope": ({"grant_scope": "projects"}, "grant_scope"),
    "organization_as_resource_name": ({"organization_id": "organizations/1"}, "organization_id"),
    "folder_not_numeric": ({"grant_scope": "folders", "folder_ids": ["acme"]}, "folder_ids"),
    "namespace_uppercase": ({"kubernetes_namespace": "Auditor"}, "kubernetes_namespace"),
    "bucket_as_url": ({"composer_dag_buckets": ["gs://b-1/dags"]}, "composer_dag_buckets"),
    "quota_project_bad": ({"quota_project": "Acme"}, "quota_project"),
}


def hcl_value(value: Any) -> str:
    """A Python value as an HCL literal (strings and lists of strings)."""
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(item) for item in value) + "]"
    return '"' + str(value) + '"'


def test_variable_validations_hold_in_terraform(tmp_path: Path) -> None:
    """Terraform itself accepts good settings and rejects each bad one at its own variable."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    # variables.tf alone needs no provider, so `terraform test` runs offline.
    shutil.copy(MODULE / "variables.tf", tmp_path / "variables.tf")
    runs = ['variables {\n  organization_id = "123456789012"\n  project_id = "acme-security"\n}']
    for name, (values, failing) in VALIDATION_RUNS.items():
        assigned = "\n".join(f"    {k} = {hcl_value(v)}" for k, v in values.items())
        expect = f"\n  expect_failures = [var.{failing}]" if failing else ""
        runs.append(
            f'run "{name}" {{\n  command = plan\n  variables {{\n{assigned}\n  }}{expect}\n}}'
        )
    (tmp_path / "validations.tftest.hcl").write_text("\n\n".join(runs) + "\n")
    environment = {"TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin"}
    for command in (["init", "-backend=false", "-input=false"], ["test", "-no-color"]):
        done = subprocess.run(
            [terraform, *command],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    passed = re.findall(r'run "(\w+)"\.\.\. pass', done.stdout)
    assert sorted(passed) == sorted(VALIDATION_RUNS), done.stdout


def test_terraform_files_are_formatted() -> None:
    """`terraform fmt -check -recursive` finds nothing to change (it runs offline)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    done = subprocess.run(
        [terraform, "fmt", "-check", "-recursive", "-diff", str(MODULE)],
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- Outputs and examples -----------------------------------------------------------------------


def test_outputs_give_the_email_and_the_role() -> None:
    """The service account's email and the custom role's full ID are outputs."""
    outputs = labelled("output")
    assert outputs["service_account_email"]["value"] == "${google_service_account.auditor.email}"
    assert outputs["custom_role_id"]["value"] == CUSTOM_ROLE
    assert all(len(body.get("description", "")) > 10 for body in outputs.values())


@pytest.mark.parametrize("example", [path.name for path in example_dirs()])
def test_example_calls_the_module_with_its_variables(example: str) -> None:
    """Each example passes every required variable and only variables the module declares."""
    directory = EXAMPLES / example
    calls = labelled("module", directory)
    assert list(calls) == ["auditor"]
    call = calls["auditor"]
    assert (directory / call["source"]).resolve() == MODULE
    variables = labelled("variable")
    arguments = set(call) - {"source", "version", "providers"}
    required = {name for name, body in variables.items() if "default" not in body}
    assert arguments <= set(variables), f"unknown: {arguments - set(variables)}"
    assert required <= arguments, f"missing: {required - arguments}"
    for name in arguments & set(PATTERN_CASES):
        values = call[name] if isinstance(call[name], list) else [call[name]]
        assert all(accepts(name, value) for value in values), f"{example}: {name} = {call[name]}"


def test_examples_cover_organization_and_folder_grants() -> None:
    """One example grants on the organization, one on a list of folders."""
    scopes = {
        labelled("module", d)["auditor"].get("grant_scope", "organization"): d.name
        for d in example_dirs()
    }
    assert scopes == {"organization": "organization", "folders": "folders"}
    folders = labelled("module", EXAMPLES / "folders")["auditor"]["folder_ids"]
    assert folders and all(re.fullmatch(r"(folders/)?\d+", f) for f in folders)
