"""One container of a pod template as rule data, with pod-level settings applied.

"Effective" fields resolve the way the kubelet does: a container's securityContext overrides
the pod's, and resources requests default to limits when only limits are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.k8s.exemptions import for_container
from auditor.k8s.objects import integer, mapping, sequence

_UNPINNED_TAGS = frozenset({"", "latest"})


def parse_image(image: str | None) -> tuple[str | None, str | None, bool]:
    """(tag, digest, pinned) of an image reference; pinned means a digest or a real tag."""
    if not image:
        return None, None, False
    reference, _, digest = image.partition("@")
    last_segment = reference.rsplit("/", 1)[-1]
    tag = last_segment.rpartition(":")[2] if ":" in last_segment else None
    pinned = bool(digest) or (tag is not None and tag not in _UNPINNED_TAGS)
    return tag, digest or None, pinned


def container_data(
    spec: Mapping[str, Any],
    container_type: str,
    pod_security: Mapping[str, Any],
    exemptions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The `containers[]` entry for one container spec of the given type."""
    name = str(spec.get("name") or "")
    image = spec.get("image")
    image = str(image) if image is not None else None
    tag, digest, pinned = parse_image(image)
    security = mapping(spec.get("securityContext"))
    capabilities = mapping(security.get("capabilities"))
    resources = mapping(spec.get("resources"))
    limits = _cpu_memory(resources.get("limits"))
    requests = _cpu_memory(resources.get("requests"))
    for key, value in limits.items():
        if requests[key] is None:
            requests[key] = value
    return {
        "name": name,
        "type": container_type,
        "image": image,
        "image_tag": tag,
        "image_digest": digest,
        "image_pinned": pinned,
        "command": _strings(spec.get("command")),
        "args": _strings(spec.get("args")),
        "privileged": security.get("privileged") is True,
        "run_as_non_root": _effective(security, pod_security, "runAsNonRoot"),
        "run_as_user": integer(_effective(security, pod_security, "runAsUser")),
        "run_as_group": integer(_effective(security, pod_security, "runAsGroup")),
        "allow_privilege_escalation": _optional_bool(security.get("allowPrivilegeEscalation")),
        "read_only_root_filesystem": security.get("readOnlyRootFilesystem") is True,
        "capabilities_add": _capabilities(capabilities.get("add")),
        "capabilities_drop": _capabilities(capabilities.get("drop")),
        "seccomp_profile": _seccomp(security) or _seccomp(pod_security),
        "requests": requests,
        "limits": limits,
        "readiness_probe": _probe(spec.get("readinessProbe")),
        "liveness_probe": _probe(spec.get("livenessProbe")),
        "startup_probe": _probe(spec.get("startupProbe")),
        "env": [_env_var(mapping(e)) for e in sequence(spec.get("env"))],
        "env_from": [_env_source(mapping(e)) for e in sequence(spec.get("envFrom"))],
        "volume_mounts": [_volume_mount(mapping(m)) for m in sequence(spec.get("volumeMounts"))],
        "ports": [_port(mapping(p)) for p in sequence(spec.get("ports"))],
        "exemptions": for_container(exemptions, name),
    }


def _strings(value: Any) -> list[str]:
    # command and args as written; rules look for credentials passed on the command line.
    return [str(item) for item in sequence(value)]


def _effective(container: Mapping[str, Any], pod: Mapping[str, Any], key: str) -> Any:
    value = container.get(key)
    return value if value is not None else pod.get(key)


def _optional_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _capabilities(value: Any) -> list[str]:
    # Runtimes accept `NET_ADMIN`, `net_admin` and `CAP_NET_ADMIN` alike; rules see one form.
    names = []
    for item in sequence(value):
        name = str(item).upper()
        names.append(name.removeprefix("CAP_"))
    return names


def _seccomp(security: Mapping[str, Any]) -> str | None:
    kind = mapping(security.get("seccompProfile")).get("type")
    return str(kind) if kind else None


def _cpu_memory(value: Any) -> dict[str, str | None]:
    given = mapping(value)
    return {key: _quantity(given.get(key)) for key in ("cpu", "memory")}


def _quantity(value: Any) -> str | None:
    # YAML reads `cpu: 1` as an int and the API server returns "1"; rules see the string.
    return None if value is None else str(value)


# The API server writes these into every probe it stores. They are left out here, so a probe
# that omits them, one that spells them out and one read back from a cluster normalise alike.
_PROBE_DEFAULTS: dict[str, Any] = {
    "timeoutSeconds": 1,
    "periodSeconds": 10,
    "successThreshold": 1,
    "failureThreshold": 3,
}
_PROBE_HANDLER_DEFAULTS: dict[str, dict[str, Any]] = {
    "httpGet": {"path": "/", "scheme": "HTTP"},
    "grpc": {"service": ""},
}


def _probe(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    probe = {k: v for k, v in value.items() if k not in _PROBE_DEFAULTS or v != _PROBE_DEFAULTS[k]}
    for handler, defaults in _PROBE_HANDLER_DEFAULTS.items():
        action = probe.get(handler)
        if isinstance(action, Mapping):
            probe[handler] = {
                k: v for k, v in action.items() if k not in defaults or v != defaults[k]
            }
    return probe


def _env_var(env: Mapping[str, Any]) -> dict[str, Any]:
    value = env.get("value")
    source = mapping(env.get("valueFrom"))
    return {
        "name": str(env.get("name") or ""),
        "value": None if value is None else str(value),
        "from": _value_source(source) if source else None,
    }


def _value_source(source: Mapping[str, Any]) -> dict[str, Any]:
    # valueFrom holds exactly one of these references.
    for kind in ("secretKeyRef", "configMapKeyRef", "fieldRef", "resourceFieldRef"):
        ref = source.get(kind)
        if isinstance(ref, Mapping):
            key = ref.get("key") or ref.get("fieldPath") or ref.get("resource")
            name = ref.get("name")
            return {
                "type": kind,
                "name": None if name is None else str(name),
                "key": None if key is None else str(key),
            }
    kind = next(iter(source), "unknown")
    return {"type": str(kind), "name": None, "key": None}


def _env_source(source: Mapping[str, Any]) -> dict[str, Any]:
    for kind in ("secretRef", "configMapRef"):
        ref = source.get(kind)
        if isinstance(ref, Mapping):
            name = ref.get("name")
            return {
                "type": kind,
                "name": None if name is None else str(name),
                "prefix": str(source.get("prefix") or ""),
            }
    return {"type": "unknown", "name": None, "prefix": str(source.get("prefix") or "")}


def _volume_mount(mount: Mapping[str, Any]) -> dict[str, Any]:
    sub_path = mount.get("subPath")
    return {
        "name": str(mount.get("name") or ""),
        "mount_path": str(mount.get("mountPath") or ""),
        "read_only": mount.get("readOnly") is True,
        "sub_path": None if sub_path is None else str(sub_path),
    }


def _port(port: Mapping[str, Any]) -> dict[str, Any]:
    name = port.get("name")
    return {
        "name": None if name is None else str(name),
        "container_port": integer(port.get("containerPort")),
        "host_port": integer(port.get("hostPort")),
        "protocol": str(port.get("protocol") or "TCP"),
    }
