"""IAM policies of projects, folders and organizations normalised into resources.

One normaliser for the static loader (one policy file) and the live collector (every policy of
an organization): both hand it (scope, policy, ancestors) snapshots, and cross-scope facts —
bindings inherited from ancestors, roles a member holds anywhere up the hierarchy, audit logs
enabled above a project — are computed here once, so every rule reads a single resource.
See docs/resource-kinds/gcp.md for the fields of each kind.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor.gcp.audit_logs import audit_configs_facts, data_access_logging
from auditor.gcp.members import Member
from auditor.gcp.policy import (
    Binding,
    FieldPath,
    IamPolicy,
    PolicyFormatError,
    dotted,
    parse_policy,
)
from auditor.gcp.scopes import Scope, parse_scope
from auditor.model import Location, PiiLabel, Resource

BINDING_KIND = "gcp.iam_binding"
MEMBER_KIND = "gcp.iam_member"
PROJECT_KIND = "gcp.project"

Locator = Callable[[FieldPath], Location | None]


@dataclass(frozen=True, slots=True)
class PolicySnapshot:
    """One scope's allow policy as read, with what is known about where the scope sits.

    `ancestors` are the scopes above, nearest first ('folders/1', 'organizations/2');
    `labels` are the project's labels; `locate` maps a field path to its place in a file
    (static inputs only).
    """

    scope: str
    policy: Mapping[str, Any]
    ancestors: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    locate: Locator | None = None


@dataclass(slots=True)
class NormalisedIam:
    """The resources made from a set of policies, and warnings about what was guessed."""

    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Parsed:
    snapshot: PolicySnapshot
    scope: Scope
    ancestors: tuple[str, ...]
    policy: IamPolicy
    grants: dict[str, tuple[Member, list[tuple[Binding, int]]]]

    def locate(self, path: FieldPath) -> Location | None:
        return self.snapshot.locate(path) if self.snapshot.locate else None


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _parse(snapshot: PolicySnapshot) -> _Parsed:
    try:
        scope = parse_scope(snapshot.scope)
        ancestors = tuple(parse_scope(a).name for a in snapshot.ancestors)
    except ValueError as exc:
        raise PolicyFormatError(str(exc), ()) from None
    policy = parse_policy(snapshot.policy)
    return _Parsed(snapshot, scope, ancestors, policy, _grants_by_member(policy))


def _scope_facts(scope: Scope, labels: Mapping[str, str], pii: PiiLabel) -> dict[str, Any]:
    return {
        "scope": scope.name,
        "scope_type": scope.type,
        "scope_id": scope.id,
        "scope_labels": dict(sorted(labels.items())),
        "pii": pii.matches(labels),
    }


class _Builder:
    """Accumulates resources for one normalisation run."""

    def __init__(self, source: str, pii: PiiLabel, observed_at: datetime | None) -> None:
        self.source = source
        self.pii = pii
        self.observed_at = observed_at
        self.out = NormalisedIam()
        self._binding_ids: dict[str, str | None] = {}

    def resource(
        self, kind: str, resource_id: str, scope: str, data: dict[str, Any], where: Location | None
    ) -> None:
        self.out.resources.append(
            Resource(
                kind=kind,
                id=resource_id,
                source=self.source,
                scope=scope,
                data=data,
                observed_at=self.observed_at,
                location=where,
            )
        )

    def bindings(self, at: _Parsed, origin: _Parsed) -> None:
        """Binding resources at scope `at` for the bindings of `origin`'s policy."""
        inherited_from = origin.scope.name if origin is not at else None
        scope_facts = _scope_facts(at.scope, at.snapshot.labels, self.pii)
        for binding in origin.policy.bindings:
            role_facts = binding.role.facts()
            for member_index, member in binding.members:
                resource_id = self._binding_id(at.scope.name, binding, member, inherited_from)
                if resource_id is None:
                    continue  # the same grant twice in one policy: one resource
                where = origin.locate(("bindings", binding.index, "members", member_index))
                data = {
                    **scope_facts,
                    "scope_labels": dict(scope_facts["scope_labels"]),  # each resource its own
                    **role_facts,
                    **member.facts(),
                    "condition": binding.condition.facts() if binding.condition else None,
                    "inherited_from": inherited_from,
                }
                self.resource(BINDING_KIND, resource_id, at.scope.name, data, where)

    def _binding_id(
        self, scope: str, binding: Binding, member: Member, inherited_from: str | None
    ) -> str | None:
        base = f"{scope}/{binding.role.role}/{member.member}"
        condition = binding.condition
        expression = condition.expression if condition else None
        if condition:
            base += f"#cond:{condition.key}"
        suffix = f"#from:{inherited_from}" if inherited_from else ""
        resource_id = base + suffix
        if resource_id in self._binding_ids:
            if self._binding_ids[resource_id] == expression:
                return None
            # Two conditions share a title: the expression's hash tells them apart.
            resource_id = f"{base}~{_short_hash(expression or '')}{suffix}"
            if resource_id in self._binding_ids:
                return None
        self._binding_ids[resource_id] = expression
        return resource_id

    def members(self, at: _Parsed, known: Mapping[str, _Parsed]) -> None:
        """One member resource per member granted anything directly at `at`."""
        above = [known[a].grants for a in at.ancestors if a in known]
        scope_facts = _scope_facts(at.scope, at.snapshot.labels, self.pii)
        for name, (member, grants) in at.grants.items():
            roles = {binding.role.role for binding, _ in grants}
            unconditional = {binding.role.role for binding, _ in grants if not binding.condition}
            anywhere = set(roles)
            for ancestor_grants in above:
                held = ancestor_grants.get(name)
                if held:  # most members are granted nothing above
                    anywhere.update(binding.role.role for binding, _ in held[1])
            data = {
                **scope_facts,
                "scope_labels": dict(scope_facts["scope_labels"]),
                **member.facts(),
                "roles": sorted(roles),
                "conditional_roles": sorted(roles - unconditional),
                "roles_anywhere": sorted(anywhere),
            }
            first, member_index = grants[0]
            where = at.locate(("bindings", first.index, "members", member_index))
            self.resource(MEMBER_KIND, f"{at.scope.name}/{name}", at.scope.name, data, where)

    def project(self, at: _Parsed, known: Mapping[str, _Parsed]) -> None:
        """The project resource, with audit logging as configured here and above."""
        configs = list(at.policy.audit_configs)
        for ancestor in at.ancestors:
            if ancestor in known:
                configs.extend(known[ancestor].policy.audit_configs)
        enabled, exempted = data_access_logging(configs)
        labels = dict(sorted(at.snapshot.labels.items()))
        data = {
            "scope": at.scope.name,
            "project_id": at.scope.id,
            "labels": labels,
            "pii": self.pii.matches(labels),
            "ancestors": list(at.ancestors),
            "policy_version": at.policy.version,
            "audit_configs": audit_configs_facts(at.policy.audit_configs),
            "data_access_logs_enabled": enabled,
            "data_access_logs_exempted_members": exempted,
        }
        where = at.locate(("auditConfigs",)) or at.locate(())
        self.resource(PROJECT_KIND, at.scope.name, at.scope.name, data, where)

    def warnings(self, at: _Parsed) -> None:
        for warning in at.policy.warnings:
            where = at.locate(warning.path)
            prefix = (
                f"{where.file}:{where.line}" if where else f"{at.scope.name} {dotted(warning.path)}"
            )
            self.out.warnings.append(f"{prefix}: {warning.message}")


def _grants_by_member(policy: IamPolicy) -> dict[str, tuple[Member, list[tuple[Binding, int]]]]:
    """Member string → (member, [(binding, index of the member in it)]), in policy order."""
    grants: dict[str, tuple[Member, list[tuple[Binding, int]]]] = {}
    for binding in policy.bindings:
        for member_index, member in binding.members:
            grants.setdefault(member.member, (member, []))[1].append((binding, member_index))
    return grants


def normalise_policies(
    snapshots: Sequence[PolicySnapshot],
    *,
    source: str,
    pii: PiiLabel | None = None,
    expand_inherited: bool = True,
    observed_at: datetime | None = None,
) -> NormalisedIam:
    """Resources for every snapshot: a gcp.project per project, a gcp.iam_binding per scope ×
    role × member (with inherited copies on descendants when `expand_inherited`), and a
    gcp.iam_member per scope × member granted there directly.

    Raises PolicyFormatError (with `scope` set) for the first malformed policy.
    """
    parsed: dict[str, _Parsed] = {}
    for snapshot in snapshots:
        try:
            entry = _parse(snapshot)
        except PolicyFormatError as exc:
            exc.scope = snapshot.scope
            raise
        if entry.scope.name in parsed:
            raise PolicyFormatError(f"two policies for {entry.scope.name}", (), snapshot.scope)
        parsed[entry.scope.name] = entry
    builder = _Builder(source, pii or PiiLabel(), observed_at)
    for entry in parsed.values():
        builder.warnings(entry)
        if entry.scope.type == "project":
            builder.project(entry, parsed)
        builder.bindings(entry, entry)
        if expand_inherited:
            for ancestor in entry.ancestors:
                if ancestor in parsed:
                    builder.bindings(entry, parsed[ancestor])
        builder.members(entry, parsed)
    return builder.out
