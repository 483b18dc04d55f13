"""A Terraform plan in JSON (`terraform show -json PLAN`) read into the resources it would leave.

Only what the plan says exists after apply is judged: `resource_changes` whose actions are
create, update, replace or no-op, with their `after` values. A value known only after apply
(`after_unknown`) is resolved where the configuration shows it comes from another planned
resource (a member built from a new service account's email); otherwise it stays unknown and
the resource using it is reported as not judged. Format: the plan representation documented at
https://developer.hashicorp.com/terraform/internals/json-format.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.model import Location

_KEPT_ACTIONS = frozenset({"create", "update", "no-op", "read"})


class PlanFormatError(ValueError):
    """The document is not a plan auditor can read; `path` is the JSON path of the fault."""

    def __init__(self, detail: str, path: tuple[str | int, ...]) -> None:
        self.detail = detail
        self.path = path
        super().__init__(detail)


class NotJudged(ValueError):
    """A planned resource that cannot be judged: what it needs is known only after apply."""


def policy_data(resource: PlannedResource) -> Mapping[str, Any]:
    """The policy of an authoritative `*_iam_policy` resource (its `policy_data` JSON)."""
    data = resource.text("policy_data")
    if data is None:
        raise NotJudged("its policy_data is known only after apply")
    try:
        policy = json.loads(data)
    except json.JSONDecodeError as exc:
        raise NotJudged(f"policy_data is not JSON ({exc.msg})") from None
    if not isinstance(policy, Mapping) or not isinstance(policy.get("bindings", []), list):
        raise NotJudged("policy_data has no bindings list")
    return policy


def grant_condition(resource: PlannedResource) -> dict[str, Any] | None:
    """The IAM condition of a member/binding resource (its `condition {}` block), if any."""
    blocks = resource.after.get("condition")
    if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
        return {key: blocks[0].get(key) for key in ("title", "description", "expression")}
    return None


def looks_like_terraform_plan(document: Any) -> bool:
    """True for the JSON of `terraform show -json PLAN` (a plan, not a state)."""
    return (
        isinstance(document, Mapping)
        and "terraform_version" in document
        and "format_version" in document
        and ("resource_changes" in document or "planned_values" in document)
    )


@dataclass(frozen=True, slots=True)
class PlannedResource:
    """One managed resource as it will be after apply.

    `after` holds the known values; `unknown` the top-level attributes known only after apply;
    `references` what the configuration says each attribute is built from (addresses of other
    resources, module-qualified like the plan's own addresses).
    """

    address: str
    type: str
    name: str
    actions: tuple[str, ...]
    after: Mapping[str, Any]
    unknown: frozenset[str]
    references: Mapping[str, tuple[str, ...]]
    location: Location

    @property
    def module(self) -> str:
        """The module path of the address ('' at the root, 'module.iam' inside one)."""
        return self.address.rsplit(f"{self.type}.", 1)[0].rstrip(".")

    def text(self, key: str) -> str | None:
        """A known, non-empty string attribute."""
        value = self.after.get(key)
        return value if isinstance(value, str) and value else None


@dataclass(slots=True)
class Plan:
    """The resources a plan leaves, in plan order, and what could not be read."""

    resources: list[PlannedResource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_address(self) -> dict[str, PlannedResource]:
        """Resources by their full address (count/for_each keys included)."""
        return {resource.address: resource for resource in self.resources}


def _unknown_keys(value: Any) -> frozenset[str]:
    if not isinstance(value, Mapping):
        return frozenset()
    return frozenset(key for key, flag in value.items() if flag is True)


def _module_configs(configuration: Any) -> dict[str, Mapping[str, Any]]:
    """Each module's configuration by module path ('' for the root module)."""
    found: dict[str, Mapping[str, Any]] = {}

    def walk(module: Any, path: str) -> None:
        if not isinstance(module, Mapping):
            return
        found[path] = module
        calls = module.get("module_calls")
        if isinstance(calls, Mapping):
            for name, call in calls.items():
                if isinstance(call, Mapping):
                    walk(call.get("module"), f"{path}.module.{name}".lstrip("."))

    if isinstance(configuration, Mapping):
        walk(configuration.get("root_module"), "")
    return found


def _references(
    modules: Mapping[str, Mapping[str, Any]], module: str, config_address: str
) -> dict[str, tuple[str, ...]]:
    """Per attribute, the resources its expression references, as module-qualified addresses."""
    config = modules.get(module)
    resources = config.get("resources") if config else None
    if not isinstance(resources, list):
        return {}
    for entry in resources:
        if isinstance(entry, Mapping) and entry.get("address") == config_address:
            expressions = entry.get("expressions")
            break
    else:
        return {}
    if not isinstance(expressions, Mapping):
        return {}
    prefix = f"{module}." if module else ""
    found: dict[str, tuple[str, ...]] = {}
    for attribute, expression in expressions.items():
        refs = expression.get("references") if isinstance(expression, Mapping) else None
        if isinstance(refs, list):
            found[attribute] = tuple(
                f"{prefix}{ref}" for ref in refs if isinstance(ref, str) and "." in ref
            )
    return found


def _config_address(address: str, module: str) -> str:
    """'module.a.google_x.y["k"]' → 'google_x.y' (how the configuration names it)."""
    local = address[len(module) + 1 :] if module else address
    return local.split("[", 1)[0]


def read_plan(document: Mapping[str, Any], locate: Any, display: str) -> Plan:
    """The managed resources `document` leaves after apply.

    `locate(path)` gives the line of a JSON path in the file (see JsonLocator.line_of).
    Raises PlanFormatError for a plan whose shape is not the documented one.
    """
    changes = document.get("resource_changes", [])
    if not isinstance(changes, list):
        raise PlanFormatError("expected a list", ("resource_changes",))
    modules = _module_configs(document.get("configuration"))
    plan = Plan()
    for index, change_entry in enumerate(changes):
        path: tuple[str | int, ...] = ("resource_changes", index)
        if not isinstance(change_entry, Mapping):
            raise PlanFormatError("expected an object", path)
        if change_entry.get("mode", "managed") != "managed":
            continue  # data sources are read, not created
        address, kind = change_entry.get("address"), change_entry.get("type")
        if not isinstance(address, str) or not isinstance(kind, str):
            raise PlanFormatError("expected `address` and `type` strings", path)
        change = change_entry.get("change")
        if not isinstance(change, Mapping):
            raise PlanFormatError("expected a `change` object", (*path, "change"))
        actions = change.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise PlanFormatError("expected a list of action names", (*path, "change", "actions"))
        if not _KEPT_ACTIONS.intersection(actions):
            continue  # deleted by this plan: not there after apply
        after = change.get("after")
        if not isinstance(after, Mapping):
            raise PlanFormatError("expected the `after` object", (*path, "change", "after"))
        module = change_entry.get("module_address")
        module = module if isinstance(module, str) else ""
        name = change_entry.get("name")
        plan.resources.append(
            PlannedResource(
                address=address,
                type=kind,
                name=name if isinstance(name, str) else address,
                actions=tuple(actions),
                after=after,
                unknown=_unknown_keys(change.get("after_unknown")),
                references=_references(modules, module, _config_address(address, module)),
                location=Location(file=display, line=locate(path), address=address),
            )
        )
    return plan
