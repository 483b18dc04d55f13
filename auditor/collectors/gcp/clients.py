"""Credentials and API clients: keyless auth, optional impersonation, a quota project.

Resource Manager is read over REST (its client's `rest` transport); IAM admin and Monitoring
over gRPC, the only transport their clients offer. Clients are built lazily, per collector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth
import grpc  # type: ignore[import-untyped]
from google.auth import credentials as auth_credentials
from google.auth import exceptions as auth_errors
from google.auth import impersonated_credentials
from google.cloud import asset_v1, iam_admin_v1, monitoring_v3, resourcemanager_v3
from google.cloud.asset_v1.services.asset_service.transports import AssetServiceGrpcTransport
from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport
from google.cloud.monitoring_v3.services.metric_service.transports import (
    MetricServiceGrpcTransport,
)

from auditor.collectors.base import SourceError
from auditor.collectors.gcp.settings import GcpAuth, GcpSettings

TOKEN_LIFETIME_SECONDS = 3600


def credentials(auth: GcpAuth) -> auth_credentials.Credentials:
    """ADC (Workload Identity, attached account, gcloud login), optionally impersonating a
    service account, billed to `quota_project`. SourceError('auth') when there are none."""
    if auth.type == "anonymous":
        return auth_credentials.AnonymousCredentials()  # type: ignore[no-untyped-call]
    try:
        found, _ = google.auth.default(scopes=auth.scopes, quota_project_id=auth.quota_project)
    except auth_errors.DefaultCredentialsError:
        raise SourceError(
            "auth",
            "no Application Default Credentials: use Workload Identity on GKE, an attached "
            "service account, or `gcloud auth application-default login`",
        ) from None
    result: auth_credentials.Credentials = found
    if auth.impersonate_service_account:
        result = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=found,
            target_principal=auth.impersonate_service_account,
            target_scopes=auth.scopes,
            delegates=auth.delegates or None,
            lifetime=TOKEN_LIFETIME_SECONDS,
        )
    if auth.quota_project and isinstance(result, auth_credentials.CredentialsWithQuotaProject):
        result = result.with_quota_project(auth.quota_project)  # type: ignore[no-untyped-call]
    return result


@dataclass(slots=True)
class GcpClients:
    """The clients of one collector."""

    projects: resourcemanager_v3.ProjectsClient
    folders: resourcemanager_v3.FoldersClient
    organizations: resourcemanager_v3.OrganizationsClient
    iam: iam_admin_v1.IAMClient
    monitoring: monitoring_v3.MetricServiceClient
    asset: asset_v1.AssetServiceClient | None = None  # built only when assets are read

    def close(self) -> None:
        """Close every transport (HTTP sessions, gRPC channels)."""
        for client in (self.projects, self.folders, self.organizations, self.iam, self.monitoring):
            client.transport.close()  # type: ignore[no-untyped-call]
        if self.asset is not None:
            self.asset.transport.close()  # type: ignore[no-untyped-call]


def _grpc_target(endpoint: str) -> tuple[str, bool]:
    """'http://127.0.0.1:5' → ('127.0.0.1:5', plain); 'https://h' → ('h:443', TLS)."""
    parts = urlsplit(endpoint)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}", parts.scheme == "http"


def _rest_options(endpoint: str | None, quota_project: str | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if endpoint:
        options["api_endpoint"] = endpoint
    if quota_project:
        options["quota_project_id"] = quota_project
    return options


def build_clients(settings: GcpSettings) -> GcpClients:
    """Clients for `settings`; SourceError('auth') when no credentials can be found."""
    creds = credentials(settings.auth)
    endpoints = settings.endpoints
    rest = _rest_options(endpoints.resource_manager, settings.auth.quota_project)
    kwargs: dict[str, Any] = {"transport": "rest", "credentials": creds, "client_options": rest}
    projects = resourcemanager_v3.ProjectsClient(**kwargs)
    folders = resourcemanager_v3.FoldersClient(**kwargs)
    organizations = resourcemanager_v3.OrganizationsClient(**kwargs)

    iam: iam_admin_v1.IAMClient
    monitoring: monitoring_v3.MetricServiceClient
    if endpoints.iam and _grpc_target(endpoints.iam)[1]:
        channel = grpc.insecure_channel(_grpc_target(endpoints.iam)[0])
        iam = iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))
    else:
        options = _rest_options(
            _grpc_target(endpoints.iam)[0] if endpoints.iam else None, settings.auth.quota_project
        )
        iam = iam_admin_v1.IAMClient(credentials=creds, client_options=options)
    if endpoints.monitoring and _grpc_target(endpoints.monitoring)[1]:
        channel = grpc.insecure_channel(_grpc_target(endpoints.monitoring)[0])
        monitoring = monitoring_v3.MetricServiceClient(
            transport=MetricServiceGrpcTransport(channel=channel)
        )
    else:
        target = _grpc_target(endpoints.monitoring)[0] if endpoints.monitoring else None
        options = _rest_options(target, settings.auth.quota_project)
        monitoring = monitoring_v3.MetricServiceClient(credentials=creds, client_options=options)
    asset = _asset_client(settings, creds) if settings.assets.enabled else None
    return GcpClients(projects, folders, organizations, iam, monitoring, asset)


def _asset_client(
    settings: GcpSettings, creds: auth_credentials.Credentials
) -> asset_v1.AssetServiceClient:
    """Cloud Asset Inventory over gRPC (a plain channel to a local fake)."""
    endpoint = settings.endpoints.asset
    if endpoint and _grpc_target(endpoint)[1]:
        channel = grpc.insecure_channel(_grpc_target(endpoint)[0])
        return asset_v1.AssetServiceClient(transport=AssetServiceGrpcTransport(channel=channel))
    target = _grpc_target(endpoint)[0] if endpoint else None
    options = _rest_options(target, settings.auth.quota_project)
    return asset_v1.AssetServiceClient(credentials=creds, client_options=options)
