"""Raw Kubernetes objects (plain dicts, as YAML or the API server gives them) made typed.

This is the one place that decides which kinds we read, which are cluster-scoped, and which
objects are skipped (and why), so the manifest loader, the Helm loader and the live collector
all skip the same things.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model import Location

# ASCII digits only: str.isdigit() also takes "²" and "٣", and a "--1" passed lstrip("-").
_INTEGER_TEXT = re.compile(r"-?[0-9]+")

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
)
RBAC_ROLE_KINDS = frozenset({"Role", "ClusterRole"})
RBAC_BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})
SUPPORTED_KINDS = (
    WORKLOAD_KINDS
    | RBAC_ROLE_KINDS
    | RBAC_BINDING_KINDS
    | frozenset(
        {
            "Service",
            "Namespace",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
            "ServiceAccount",
            "ConfigMap",
        }
    )
)
CLUSTER_SCOPED_KINDS = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding"})


@dataclass(frozen=True, slots=True)
class RawObject:
    """One object as a plain dict, with where it was declared when it came from a file."""

    body: Mapping[str, Any]
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class K8sObject:
    """A raw object we read, with its identity pulled out of `metadata`.

    `namespace` is None for cluster-scoped kinds; `body` is the untouched dict.
    """

    kind: str
    api_version: str
    name: str
    namespace: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    body: Mapping[str, Any]
    location: Location | None

    @property
    def spec(self) -> Mapping[str, Any]:
        """The object's `spec`, or an empty mapping."""
        return mapping(self.body.get("spec"))

    def describe(self) -> str:
        """'Kind namespace/name' for messages."""
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {where}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An object we do not read, and a one-line reason for the warning."""

    reason: str
    location: Location | None


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` when it is a mapping, else an empty one (tolerates nulls in user YAML)."""
    return value if isinstance(value, Mapping) else {}


def sequence(value: Any) -> Sequence[Any]:
    """`value` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def integer(value: Any) -> int | None:
    """An int field as an int: numeric strings converted, anything else None.

    Rules compare these with CEL, which does not coerce `"0" == 0`; the API server always
    returns ints, so a quoted number in a manifest must normalise the same way.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        return int(value)
    return None


def string_map(value: Any) -> dict[str, str]:
    """A labels/annotations-like map with every key and value as a string."""
    return {str(k): _scalar_text(v) for k, v in mapping(value).items()}


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expand_lists(objects: Sequence[RawObject]) -> Iterator[RawObject]:
    """Every object, with each `kind: List` (or typed `FooList`) replaced by its items.

    Items keep the List's location; items of a typed list get its kind and apiVersion.
    """
    for raw in objects:
        if not is_list(raw.body):
            yield raw
            continue
        # The API server's typed lists (DeploymentList) leave kind and apiVersion off their items.
        item_kind = str(raw.body["kind"]).removesuffix("List")
        for item in sequence(raw.body.get("items")):
            body = mapping(item)
            if item_kind and "kind" not in body:
                body = {**body, "kind": item_kind, "apiVersion": raw.body.get("apiVersion")}
            yield RawObject(body, raw.location)


def is_list(body: Mapping[str, Any]) -> bool:
    """True for `kind: List` (and `FooList`, as `kubectl get -o yaml` prints), with items."""
    kind = body.get("kind")
    return (
        isinstance(kind, str)
        and kind.endswith("List")
        and isinstance(body.get("items"), list)
        and "spec" not in body
    )


def parse_object(raw: RawObject, *, default_namespace: str) -> K8sObject | Skipped | None:
    """The typed object, a Skipped with the reason, or None for one we drop silently.

    Objects owned by a controller (a Pod of a ReplicaSet, a Job of a CronJob) are dropped
    silently: their owner is the workload, and a live cluster returns both.
    """
    body = raw.body
    kind = body.get("kind")
    api_version = body.get("apiVersion")
    if not isinstance(kind, str) or not kind or not isinstance(api_version, str):
        return Skipped("not a Kubernetes object (no apiVersion/kind)", raw.location)
    metadata = mapping(body.get("metadata"))
    name = metadata.get("name")
    if kind not in SUPPORTED_KINDS:
        label = f"{kind} {name}" if isinstance(name, str) else kind
        return Skipped(f"{label} ({api_version}): kind {kind} is not read", raw.location)
    if not isinstance(name, str) or not name:
        return Skipped(f"{kind} without metadata.name", raw.location)
    if is_controlled(metadata):
        return None
    namespace: str | None = None
    if kind not in CLUSTER_SCOPED_KINDS:
        given = metadata.get("namespace")
        namespace = given if isinstance(given, str) and given else default_namespace
    return K8sObject(
        kind=kind,
        api_version=api_version,
        name=name,
        namespace=namespace,
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
        body=body,
        location=raw.location,
    )


def is_controlled(metadata: Mapping[str, Any]) -> bool:
    """True when a controller owns the object (`ownerReferences[].controller: true`)."""
    return any(
        mapping(owner).get("controller") is True
        for owner in sequence(metadata.get("ownerReferences"))
    )


def where(location: Location | None) -> str:
    """'file:line: ' for a warning prefix, or '' for objects read from an API server."""
    return f"{location.file}:{location.line}: " if location else ""
