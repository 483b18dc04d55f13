"""The IAM grants of a Terraform plan as the allow policies of the scopes they reach.

Every `google_{project,folder,organization}_iam_{member,binding,policy}` of a plan becomes part
of one policy per scope, which the IAM normaliser (auditor.gcp.iam) turns into the same
gcp.iam_binding, gcp.iam_member and gcp.project resources a live collection makes — so every
IAM rule judges a plan before release. Each binding points back at the address that grants it.
Grants Terraform does not manage are not in a plan; a plan shows what it changes or keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.gcp.iam import PolicySnapshot
from auditor.gcp.policy import FieldPath
from auditor.model import Location
from auditor.terraform.plan import NotJudged, Plan, PlannedResource, grant_condition, policy_data
from auditor.terraform.references import project_of, service_account_email

# Resource type prefix → (scope collection, attribute naming the scope).
_SCOPES = {
    "google_project_iam_": ("projects", "project"),
    "google_folder_iam_": ("folders", "folder"),
    "google_organization_iam_": ("organizations", "org_id"),
}
_FORMS = ("member", "binding", "policy", "audit_config")


def iam_resource_scope(resource: PlannedResource) -> tuple[str, str] | None:
    """(collection, attribute) for a scope-level IAM resource, else None."""
    for prefix, scope in _SCOPES.items():
        if resource.type.startswith(prefix) and resource.type.removeprefix(prefix) in _FORMS:
            return scope
    return None


def _scope_name(collection: str, value: str) -> str:
    """'acme-prod' or 'projects/acme-prod' → 'projects/acme-prod'."""
    return value if value.startswith(f"{collection}/") else f"{collection}/{value}"


@dataclass(slots=True)
class _ScopePolicy:
    bindings: list[dict[str, Any]] = field(default_factory=list)
    audit_configs: list[Any] = field(default_factory=list)
    where: list[Location] = field(default_factory=list)
    first: Location | None = None
    # Whether the plan says how this scope's audit logs are configured (a policy or an
    # audit-config resource); otherwise they are set outside Terraform, unknown here.
    audit_declared: bool = False

    def add(self, binding: dict[str, Any], where: Location) -> None:
        self.bindings.append(binding)
        self.where.append(where)
        self.first = self.first or where

    def locate(self, path: FieldPath) -> Location | None:
        if len(path) >= 2 and path[0] == "bindings" and isinstance(path[1], int):
            return self.where[path[1]] if path[1] < len(self.where) else self.first
        return self.first


@dataclass(slots=True)
class PlanIam:
    """Policies per scope, ready for the normaliser, and the grants that could not be judged."""

    snapshots: list[PolicySnapshot] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    audit_declared: set[str] = field(default_factory=set)


def grant_members(resource: PlannedResource, plan: Plan) -> tuple[list[str], int]:
    """The members a member/binding resource grants, resolving new service accounts, and how
    many stay known only after apply."""
    if resource.type.endswith("_member"):
        member = resource.text("member")
        if member is not None:
            return [member], 0
        resolved = _members_from_references(resource, plan, "member")
        return resolved[:1], 0 if resolved else 1
    values = resource.after.get("members")
    if not isinstance(values, list):
        return [], 1 if "members" in resource.unknown else 0
    members = [value for value in values if isinstance(value, str) and value]
    missing = len(values) - len(members)
    if missing:
        resolved = _members_from_references(resource, plan, "members")
        members.extend(resolved[:missing])
        missing -= min(missing, len(resolved))
    return members, missing


def _members_from_references(resource: PlannedResource, plan: Plan, attribute: str) -> list[str]:
    """`serviceAccount:EMAIL` for each planned service account the attribute is built from."""
    known = plan.by_address()
    members: list[str] = []
    for reference in resource.references.get(attribute, ()):
        email = service_account_email(reference, known)
        member = f"serviceAccount:{email}" if email else None
        if member and member not in members:
            members.append(member)
    return members


def _scope_of(resource: PlannedResource, plan: Plan, collection: str, attribute: str) -> str:
    value = resource.text(attribute)
    if value is None and collection == "projects":
        value = project_of(resource, plan.by_address())
    if value is None:
        raise NotJudged(f"its {attribute} is known only after apply")
    return _scope_name(collection, value)


def plan_policies(plan: Plan) -> PlanIam:
    """One policy per scope the plan grants roles on, with ancestry and labels of the
    projects the plan declares."""
    policies: dict[str, _ScopePolicy] = {}
    out = PlanIam()
    for resource in plan.resources:
        scope = iam_resource_scope(resource)
        if scope is None:
            continue
        try:
            name = _scope_of(resource, plan, *scope)
            target = policies.setdefault(name, _ScopePolicy())
            if resource.type.endswith("_policy"):
                _add_policy_data(resource, target)
                continue
            if resource.type.endswith("_audit_config"):
                _add_audit_config(resource, target)
                continue
            role = resource.text("role")
            if role is None:
                raise NotJudged("its role is known only after apply")
            members, unknown = grant_members(resource, plan)
            if unknown:
                out.warnings.append(
                    f"{resource.location.file}: {resource.address}: {unknown} member(s) known "
                    "only after apply: not judged"
                )
            if not members:
                continue
            binding: dict[str, Any] = {"role": role, "members": members}
            condition = grant_condition(resource)
            if condition is not None:
                binding["condition"] = condition
            target.add(binding, resource.location)
        except NotJudged as exc:
            out.warnings.append(f"{resource.location.file}: {resource.address}: not judged: {exc}")
    projects = _declared_projects(plan)
    for name, policy in policies.items():
        if policy.audit_declared:
            out.audit_declared.add(name)
        declared = projects.get(name)
        out.snapshots.append(
            PolicySnapshot(
                scope=name,
                policy={"bindings": policy.bindings, "auditConfigs": policy.audit_configs},
                ancestors=declared.ancestors if declared else (),
                labels=declared.labels if declared else {},
                locate=policy.locate,
            )
        )
    return out


def _add_policy_data(resource: PlannedResource, target: _ScopePolicy) -> None:
    policy = policy_data(resource)
    for binding in policy.get("bindings", []):
        if isinstance(binding, Mapping):
            target.add(dict(binding), resource.location)
    configs = policy.get("auditConfigs", [])
    if isinstance(configs, list):
        target.audit_configs.extend(configs)
    target.audit_declared = True
    target.first = target.first or resource.location


def _add_audit_config(resource: PlannedResource, target: _ScopePolicy) -> None:
    """`google_*_iam_audit_config` → an IAM API AuditConfig."""
    service = resource.text("service")
    if service is None:
        raise NotJudged("its service is known only after apply")
    logs = resource.after.get("audit_log_config")
    target.audit_configs.append(
        {
            "service": service,
            "auditLogConfigs": [
                {
                    "logType": log.get("log_type"),
                    "exemptedMembers": list(log.get("exempted_members") or []),
                }
                for log in (logs if isinstance(logs, list) else [])
                if isinstance(log, Mapping)
            ],
        }
    )
    target.audit_declared = True
    target.first = target.first or resource.location


@dataclass(frozen=True, slots=True)
class _DeclaredProject:
    ancestors: tuple[str, ...]
    labels: Mapping[str, str]


def _declared_projects(plan: Plan) -> dict[str, _DeclaredProject]:
    """Projects the plan creates or keeps: where they sit and their labels (PII marking)."""
    found: dict[str, _DeclaredProject] = {}
    for resource in plan.resources:
        if resource.type != "google_project":
            continue
        project_id = resource.text("project_id")
        if project_id is None:
            continue
        folder, org = resource.text("folder_id"), resource.text("org_id")
        ancestors: tuple[str, ...] = ()
        if folder is not None:
            ancestors = (_scope_name("folders", folder),)
        elif org is not None:
            ancestors = (_scope_name("organizations", org),)
        labels = resource.after.get("labels")
        found[f"projects/{project_id}"] = _DeclaredProject(
            ancestors=ancestors,
            labels={
                str(k): str(v) for k, v in (labels.items() if isinstance(labels, Mapping) else ())
            },
        )
    return found
