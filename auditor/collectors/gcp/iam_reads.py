"""IAM admin v1: service accounts, their keys and custom roles, parsed by the same parsers
that read `gcloud iam … list --format=json` output (auditor.gcp), into GcloudListings.
"""

from __future__ import annotations

import threading
from typing import Any

from google.cloud import iam_admin_v1

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, FailureKind, Method, first_page
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.discovery import Project
from auditor.collectors.gcp.messages import as_json, unwrapped
from auditor.collectors.gcp.settings import GcpSettings
from auditor.collectors.gcp.tasks import Tasks
from auditor.gcp.custom_roles import parse_custom_role
from auditor.gcp.estate import GcloudListings
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.service_accounts import ServiceAccount, parse_key, parse_service_account

# The IAM API caps service account pages at 100.
MAX_ACCOUNT_PAGE = 100


class IamReader:
    """Reads accounts (then each account's keys) and custom roles, concurrently."""

    def __init__(
        self, settings: GcpSettings, clients: GcpClients, caller: ApiCaller, tasks: Tasks
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.caller = caller
        self.tasks = tasks
        self.listings = GcloudListings()
        # unique id → account, per project whose accounts were all listed
        self.accounts_by_project: dict[str, dict[str, ServiceAccount]] = {}
        self.key_failures: set[str] = set()  # projects where some key listing failed
        self._lock = threading.Lock()

    def start(self, projects: list[Project], organization: str | None) -> None:
        """Submit the listings of every project (and the organization's custom roles)."""
        parts = self.settings.collect
        for project in projects:
            if parts.service_accounts or parts.keys:
                self.tasks.submit(Api.IAM, self._accounts, project)
            if parts.custom_roles:
                self.tasks.submit(Api.IAM, self._roles, project.scope)
        if parts.custom_roles and organization:
            self.tasks.submit(Api.IAM, self._roles, organization)

    def _accounts(self, project: Project) -> None:
        scope = project.scope
        size = min(self.settings.page_size, MAX_ACCOUNT_PAGE)

        def fetch(token: str, timeout: float) -> Any:
            request = iam_admin_v1.ListServiceAccountsRequest(
                name=scope, page_size=size, page_token=token
            )
            return first_page(
                self.clients.iam.list_service_accounts(request=request, retry=None, timeout=timeout)
            )

        found: dict[str, ServiceAccount] = {}
        try:
            for page in self.caller.pages(Api.IAM, Method.LIST_SERVICE_ACCOUNTS, scope, fetch):
                for message in unwrapped(page).accounts:
                    account = self._parse(Method.LIST_SERVICE_ACCOUNTS, scope, message)
                    found[account.unique_id or account.email] = account
        except CallFailed as failure:
            raise failure.so("its service accounts and keys are not judged") from None
        with self._lock:
            self.accounts_by_project[project.project_id] = found
            if self.settings.collect.service_accounts:
                self.listings.service_accounts.extend((a, None) for a in found.values())
        if self.settings.collect.keys:
            for account in found.values():
                self.tasks.submit(Api.IAM, self._keys, account)

    def _parse(self, method: Method, scope: str, message: Any) -> ServiceAccount:
        try:
            return parse_service_account(as_json(message), ())
        except ListingFormatError as exc:
            raise CallFailed(
                FailureKind.PROTOCOL, method, scope, f"listed a malformed account ({exc})"
            ) from None

    def _keys(self, account: ServiceAccount) -> None:
        name = f"projects/{account.project_id}/serviceAccounts/{account.email}"
        request = iam_admin_v1.ListServiceAccountKeysRequest(name=name)
        try:
            response = self.caller.call(
                Api.IAM,
                Method.LIST_KEYS,
                name,
                lambda timeout: self.clients.iam.list_service_account_keys(
                    request=request, retry=None, timeout=timeout
                ),
            )
            keys = [parse_key(as_json(key), ()) for key in unwrapped(response).keys]
        except CallFailed as failure:
            with self._lock:
                self.key_failures.add(account.project_id)
            raise failure.so("its keys are not judged") from None
        except ListingFormatError as exc:
            with self._lock:
                self.key_failures.add(account.project_id)
            raise CallFailed(
                FailureKind.PROTOCOL,
                Method.LIST_KEYS,
                name,
                f"listed a malformed key ({exc})",
                "its keys are not judged",
            ) from None
        with self._lock:
            self.listings.keys.extend((key, None) for key in keys)

    def _roles(self, parent: str) -> None:
        def fetch(token: str, timeout: float) -> Any:
            request = iam_admin_v1.ListRolesRequest(
                parent=parent,
                view=iam_admin_v1.RoleView.FULL,
                show_deleted=True,
                page_size=self.settings.page_size,
                page_token=token,
            )
            return first_page(
                self.clients.iam.list_roles(request=request, retry=None, timeout=timeout)
            )

        roles = []
        try:
            for page in self.caller.pages(Api.IAM, Method.LIST_ROLES, parent, fetch):
                for message in unwrapped(page).roles:
                    raw = as_json(message)
                    # The FULL view prints every permission: none printed means none held.
                    raw.setdefault("includedPermissions", [])
                    roles.append(parse_custom_role(raw, ()))
        except CallFailed as failure:
            raise failure.so("its custom roles are not judged") from None
        except ListingFormatError as exc:
            raise CallFailed(
                FailureKind.PROTOCOL, Method.LIST_ROLES, parent, f"listed a malformed role ({exc})"
            ) from None
        with self._lock:
            self.listings.custom_roles.extend((role, None) for role in roles)
