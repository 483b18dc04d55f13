"""Allow policies set on resources (datasets, tables, topics, buckets, functions, service
accounts …) as the same gcp.iam_binding and gcp.iam_member kinds project policies become, and
the impersonation paths they open (gcp.impersonation_path).

A resource-level binding's `scope` is the resource's full name and `scope_type` its asset
type, so every rule over bindings judges it; `pii` comes from the resource's labels, its
parent's (a table's dataset, a subscription's topic) or its project's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditor.gcp.asset_context import SERVICE_ACCOUNT_ASSET, AssetContext, ParsedPolicy
from auditor.gcp.asset_results import relative_name
from auditor.gcp.estate import privileged
from auditor.gcp.iam import BINDING_KIND, MEMBER_KIND
from auditor.gcp.members import Member
from auditor.gcp.policy import Binding, FieldPath
from auditor.model import Location

IMPERSONATION_KIND = "gcp.impersonation_path"
# Roles that let their holder act as a service account: run code as it (User), mint its
# access or ID tokens (Token Creator, OpenID Token Creator), or federate a Kubernetes
# service account into it (Workload Identity User).
IMPERSONATION_ROLES = frozenset(
    {
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountOpenIdTokenCreator",
        "roles/iam.workloadIdentityUser",
    }
)

Locator = Callable[[FieldPath], Location | None]


@dataclass(slots=True)
class Made:
    """(kind, id, scope, data, location) tuples, in order."""

    items: list[tuple[str, str, str, dict[str, Any], Location | None]] = field(default_factory=list)
    _ids: set[tuple[str, str]] = field(default_factory=set)

    def add(
        self, kind: str, rid: str, scope: str, data: dict[str, Any], where: Location | None
    ) -> None:
        if (kind, rid) in self._ids:
            return  # the same grant twice (one policy, or a result exported twice)
        self._ids.add((kind, rid))
        self.items.append((kind, rid, scope, data, where))


def _condition_suffix(binding: Binding) -> str:
    return f"#cond:{binding.condition.key}" if binding.condition else ""


class ResourceIam:
    """Builds the IAM kinds of resource-level policies."""

    def __init__(self, ctx: AssetContext, locate: Locator | None) -> None:
        self.ctx = ctx
        self.locate = locate
        self.made = Made()

    def _where(self, parsed: ParsedPolicy, binding: Binding, member_index: int) -> Location | None:
        if self.locate is None:
            return parsed.result.where
        path = (*parsed.result.path, "policy", "bindings", binding.index, "members", member_index)
        return self.locate(path) or parsed.result.where

    def _scope_facts(self, parsed: ParsedPolicy) -> tuple[str, dict[str, Any]]:
        result = parsed.result
        name = result.resource
        project_id = self.ctx.project_of(name, result.project)
        labels = self.ctx.labels_of(name)
        parent = self._parent(name)
        pii = self.ctx.pii_of(name, labels, parent, project_id) is not None
        facts = {
            "scope": name,
            "scope_type": result.asset_type,
            "scope_id": relative_name(name),
            "scope_labels": dict(sorted(labels.items())),
            "pii": pii,
        }
        return (f"projects/{project_id}" if project_id else name), facts

    def _parent(self, name: str) -> str | None:
        """The resource whose labels a child's PII follows: a table's dataset, a
        subscription's topic."""
        if "/tables/" in name:
            return name.rsplit("/tables/", 1)[0]
        found = self.ctx.by_name.get(name)
        topic = found.resource.get("topic") if found else None
        return f"//pubsub.googleapis.com/{topic}" if isinstance(topic, str) else None

    def bindings(self, parsed: ParsedPolicy) -> None:
        """A gcp.iam_binding per role × member (× condition) of one resource's policy."""
        scope, facts = self._scope_facts(parsed)
        for binding in parsed.policy.bindings:
            for member_index, member in binding.members:
                rid = f"{parsed.result.resource}/{binding.role.role}/{member.member}"
                rid += _condition_suffix(binding)
                data = {
                    **facts,
                    "scope_labels": dict(facts["scope_labels"]),  # each resource its own
                    **binding.role.facts(),
                    **member.facts(),
                    "condition": binding.condition.facts() if binding.condition else None,
                    "inherited_from": None,
                }
                self.made.add(
                    BINDING_KIND, rid, scope, data, self._where(parsed, binding, member_index)
                )

    def members(self, parsed: ParsedPolicy) -> None:
        """A gcp.iam_member per member granted anything on the resource."""
        scope, facts = self._scope_facts(parsed)
        above = self.ctx.ancestor_policies(parsed.result)
        grants: dict[str, tuple[Member, list[tuple[Binding, int]]]] = {}
        for binding in parsed.policy.bindings:
            for member_index, member in binding.members:
                grants.setdefault(member.member, (member, []))[1].append((binding, member_index))
        for name, (member, held) in grants.items():
            roles = {binding.role.role for binding, _ in held}
            unconditional = {binding.role.role for binding, _ in held if not binding.condition}
            anywhere = set(roles)
            for ancestor in above:
                anywhere.update(role for role, m in ancestor.grants() if m.member == name)
            data = {
                **facts,
                "scope_labels": dict(facts["scope_labels"]),
                **member.facts(),
                "roles": sorted(roles),
                "conditional_roles": sorted(roles - unconditional),
                "roles_anywhere": sorted(anywhere),
            }
            first, member_index = held[0]
            rid = f"{parsed.result.resource}/{name}"
            self.made.add(MEMBER_KIND, rid, scope, data, self._where(parsed, first, member_index))

    def impersonation(self, parsed: ParsedPolicy) -> None:
        """A gcp.impersonation_path per member × service account it may act as × role."""
        result = parsed.result
        if result.asset_type == SERVICE_ACCOUNT_ASSET:
            email = self.ctx.account_email(result.resource)
            targets = [(email, result.resource, result.project)] if email else []
        else:
            targets = [(a.email, a.name, a.project) for a in self.ctx.accounts_under(result)]
        if not targets:
            return
        for binding in parsed.policy.bindings:
            if binding.role.role not in IMPERSONATION_ROLES:
                continue
            for member_index, member in binding.members:
                for email, name, project in targets:
                    if member.member_email == email:
                        continue  # an account acting as itself opens no path
                    roles = self.ctx.account_roles(email)
                    project_id = self.ctx.project_of(name, project)
                    data = {
                        **member.facts(),
                        "service_account_email": email,
                        "service_account": name,
                        "service_account_project_id": project_id,
                        "via_role": binding.role.role,
                        "granted_on": result.resource,
                        "granted_on_type": result.asset_type,
                        "condition": binding.condition.facts() if binding.condition else None,
                        "target_roles": roles,
                        "target_privileged_roles": privileged(roles),
                    }
                    rid = (
                        f"{member.member}->{email}/{binding.role.role}"
                        f"@{relative_name(result.resource)}{_condition_suffix(binding)}"
                    )
                    scope = f"projects/{project_id}" if project_id else name
                    where = self._where(parsed, binding, member_index)
                    self.made.add(IMPERSONATION_KIND, rid, scope, data, where)
