"""GKE clusters as `gcloud container clusters describe|list --format=json` prints them (the
GKE API's Cluster), checked and reduced to the facts the security rules judge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.gcp import fields
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.members import parse_member
from auditor.gcp.policy import FieldPath

# https://container.googleapis.com/v1/projects/P/locations/L/clusters/N (or …/zones/Z/…)
_SELF_LINK = re.compile(
    r"/projects/(?P<project>[^/]+)/(?:locations|zones)/(?P<location>[^/]+)/clusters/(?P<name>[^/]+)$"
)
DEFAULT_SERVICE_ACCOUNT = "default"  # what the API says for the Compute Engine default account
GKE_METADATA = "GKE_METADATA"
# Node pools created before workloadMetadataConfig.mode spelled it with nodeMetadata.
_LEGACY_METADATA = {
    "GKE_METADATA_SERVER": GKE_METADATA,
    "EXPOSE": "GCE_METADATA",
    "SECURE": "SECURE",
}
DATAPLANE_V2 = "ADVANCED_DATAPATH"


def looks_like_cluster(raw: Any) -> bool:
    """An object with a name and nodePools, or a selfLink naming a cluster."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        return False
    link = raw.get("selfLink")
    return "nodePools" in raw or (isinstance(link, str) and bool(_SELF_LINK.search(link)))


@dataclass(frozen=True, slots=True)
class NodePool:
    """The identity side of one node pool."""

    name: str
    service_account: str
    uses_default_compute_sa: bool
    oauth_scopes: tuple[str, ...]
    metadata_mode: str | None

    def facts(self) -> dict[str, Any]:
        """The pool as it appears in the cluster's data."""
        return {
            "name": self.name,
            "service_account": self.service_account,
            "uses_default_compute_sa": self.uses_default_compute_sa,
            "oauth_scopes": list(self.oauth_scopes),
            "metadata_mode": self.metadata_mode,
        }


@dataclass(frozen=True, slots=True)
class GkeCluster:
    """A cluster's identity, control-plane exposure and in-cluster isolation facts."""

    name: str
    project_id: str
    location: str
    autopilot: bool
    workload_pool: str | None
    node_pools: tuple[NodePool, ...]
    private_endpoint: bool
    private_nodes: bool
    master_authorized_networks_enabled: bool
    master_authorized_cidrs: tuple[str, ...]
    network_policy_provider: str | None  # CALICO, ADVANCED_DATAPATH or None
    legacy_abac_enabled: bool
    shielded_nodes_enabled: bool
    labels: Mapping[str, str]

    @property
    def id(self) -> str:
        """projects/P/locations/L/clusters/N."""
        return f"projects/{self.project_id}/locations/{self.location}/clusters/{self.name}"

    def facts(self) -> dict[str, Any]:
        """The cluster as it appears in resource data (without `pii`, which needs the project)."""
        return {
            "name": self.name,
            "project_id": self.project_id,
            "location": self.location,
            "autopilot": self.autopilot,
            "workload_identity_enabled": self.workload_pool is not None,
            "workload_pool": self.workload_pool,
            "node_pools": [pool.facts() for pool in self.node_pools],
            "private_endpoint": self.private_endpoint,
            "private_nodes": self.private_nodes,
            "master_authorized_networks_enabled": self.master_authorized_networks_enabled,
            "master_authorized_cidrs": list(self.master_authorized_cidrs),
            "network_policy_enabled": self.network_policy_provider is not None,
            "network_policy_provider": self.network_policy_provider,
            "legacy_abac_enabled": self.legacy_abac_enabled,
            "shielded_nodes_enabled": self.shielded_nodes_enabled,
            "labels": dict(self.labels),
        }


def _uses_default_compute_sa(service_account: str) -> bool:
    if service_account == DEFAULT_SERVICE_ACCOUNT:
        return True
    try:
        return parse_member(f"serviceAccount:{service_account}").is_default_compute_sa
    except ValueError:
        return False


def _node_pool(raw: Any, path: FieldPath, autopilot: bool) -> NodePool:
    pool = fields.item(raw, path, "a node pool")
    config_path = (*path, "config")
    config = fields.mapping(pool, "config", path)
    service_account = (
        fields.text(config, "serviceAccount", config_path) or DEFAULT_SERVICE_ACCOUNT
    ).lower()
    metadata = fields.mapping(config, "workloadMetadataConfig", config_path)
    metadata_path = (*config_path, "workloadMetadataConfig")
    mode = fields.text(metadata, "mode", metadata_path)
    legacy = fields.text(metadata, "nodeMetadata", metadata_path)
    if mode in (None, "MODE_UNSPECIFIED"):
        mode = _LEGACY_METADATA.get(legacy or "")
    if mode is None and autopilot:
        mode = GKE_METADATA  # Autopilot always runs the GKE metadata server
    return NodePool(
        name=fields.required_text(pool, "name", path),
        service_account=service_account,
        uses_default_compute_sa=_uses_default_compute_sa(service_account),
        oauth_scopes=tuple(sorted(fields.texts(config, "oauthScopes", config_path) or [])),
        metadata_mode=mode,
    )


def _project_and_location(
    cluster: Mapping[str, Any], name: str, path: FieldPath
) -> tuple[str, str]:
    link = fields.text(cluster, "selfLink", path)
    match = _SELF_LINK.search(link) if link else None
    if link and (not match or match["name"] != name):
        raise ListingFormatError(
            "expected …/projects/PROJECT/locations/LOCATION/clusters/NAME",
            (*path, "selfLink"),
        )
    if match is None:
        raise ListingFormatError(
            "selfLink is missing: it is the only field that names the cluster's project", path
        )
    location = fields.text(cluster, "location", path) or fields.text(cluster, "zone", path)
    return match["project"], location or match["location"]


def _control_plane(cluster: Mapping[str, Any], path: FieldPath) -> tuple[bool, bool, list[str]]:
    """(private endpoint, authorized networks on, authorized CIDRs), from either API shape."""
    private = fields.mapping(cluster, "privateClusterConfig", path)
    private_path = (*path, "privateClusterConfig")
    endpoints_path = (*path, "controlPlaneEndpointsConfig")
    endpoints = fields.mapping(cluster, "controlPlaneEndpointsConfig", path)
    ip_path = (*endpoints_path, "ipEndpointsConfig")
    ip = fields.mapping(endpoints, "ipEndpointsConfig", endpoints_path)
    private_endpoint = bool(fields.flag(private, "enablePrivateEndpoint", private_path)) or (
        fields.flag(ip, "enablePublicEndpoint", ip_path) is False
        or fields.flag(ip, "enabled", ip_path) is False
    )
    networks_key, networks_path = "masterAuthorizedNetworksConfig", path
    networks = fields.mapping(cluster, networks_key, path)
    if not networks:
        networks_key, networks_path = "authorizedNetworksConfig", ip_path
        networks = fields.mapping(ip, networks_key, ip_path)
    at = (*networks_path, networks_key)
    cidrs = []
    for index, block in enumerate(fields.objects(networks, "cidrBlocks", at)):
        entry = fields.item(block, (*at, "cidrBlocks", index), "a CIDR block")
        cidrs.append(fields.required_text(entry, "cidrBlock", (*at, "cidrBlocks", index)))
    return private_endpoint, bool(fields.flag(networks, "enabled", at)), sorted(cidrs)


def _network_policy_provider(cluster: Mapping[str, Any], path: FieldPath) -> str | None:
    network_config = fields.mapping(cluster, "networkConfig", path)
    datapath = fields.text(network_config, "datapathProvider", (*path, "networkConfig"))
    if datapath == DATAPLANE_V2:
        return DATAPLANE_V2  # Dataplane V2 enforces NetworkPolicy by itself
    policy = fields.mapping(cluster, "networkPolicy", path)
    if fields.flag(policy, "enabled", (*path, "networkPolicy")):
        return fields.text(policy, "provider", (*path, "networkPolicy")) or "CALICO"
    return None


def _enabled(cluster: Mapping[str, Any], key: str, path: FieldPath) -> bool:
    return bool(fields.flag(fields.mapping(cluster, key, path), "enabled", (*path, key)))


def parse_cluster(raw: Any, path: FieldPath) -> GkeCluster:
    """One cluster object; raises ListingFormatError naming the field."""
    cluster = fields.item(raw, path, "a GKE cluster")
    name = fields.required_text(cluster, "name", path)
    project, location = _project_and_location(cluster, name, path)
    autopilot = _enabled(cluster, "autopilot", path)
    identity = fields.mapping(cluster, "workloadIdentityConfig", path)
    identity_path = (*path, "workloadIdentityConfig")
    pool_name = fields.text(identity, "workloadPool", identity_path) or fields.text(
        identity, "identityNamespace", identity_path
    )
    pools = tuple(
        _node_pool(pool, (*path, "nodePools", index), autopilot)
        for index, pool in enumerate(fields.objects(cluster, "nodePools", path))
    )
    private_endpoint, networks_enabled, cidrs = _control_plane(cluster, path)
    private = fields.mapping(cluster, "privateClusterConfig", path)
    network_config = fields.mapping(cluster, "networkConfig", path)
    private_nodes = bool(
        fields.flag(private, "enablePrivateNodes", (*path, "privateClusterConfig"))
        or fields.flag(network_config, "defaultEnablePrivateNodes", (*path, "networkConfig"))
    )
    return GkeCluster(
        name=name,
        project_id=project,
        location=location,
        autopilot=autopilot,
        workload_pool=pool_name,
        node_pools=pools,
        private_endpoint=private_endpoint,
        private_nodes=private_nodes,
        master_authorized_networks_enabled=networks_enabled,
        master_authorized_cidrs=tuple(cidrs),
        network_policy_provider=_network_policy_provider(cluster, path),
        legacy_abac_enabled=_enabled(cluster, "legacyAbac", path),
        shielded_nodes_enabled=_enabled(cluster, "shieldedNodes", path) or autopilot,
        labels=fields.labels(cluster, "resourceLabels", path),
    )
