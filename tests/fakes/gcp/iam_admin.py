"""A fake IAM admin v1 gRPC service (`google.iam.admin.v1.IAM`): service accounts, their
keys, custom and predefined roles — paged and filtered as the real API does."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import grpc
from google.cloud import iam_admin_v1

from tests.fakes.gcp.estate import FakeOrganization
from tests.fakes.gcp.faults import FakeRecord, denial_message
from tests.fakes.gcp.grpc_service import GrpcFake, Rpc, RpcError

SERVICE = "google.iam.admin.v1.IAM"
MAX_ACCOUNTS_PAGE = 100
DEFAULT_ACCOUNTS_PAGE = 20
MAX_ROLES_PAGE = 1000
DEFAULT_ROLES_PAGE = 300


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode()


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode()[1:])
    except (ValueError, UnicodeDecodeError):
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Invalid page token.") from None


def _message(message_class: Any, raw: dict[str, Any]) -> Any:
    return _parsed(message_class, json.dumps(raw))


@functools.lru_cache(maxsize=8192)  # the same accounts and keys, collection after collection
def _parsed(message_class: Any, text: str) -> Any:
    return message_class.from_json(text, ignore_unknown_fields=True)


class IamAdminFake:
    """Builds the GrpcFake for an organization."""

    def __init__(self, org: FakeOrganization, record: FakeRecord, latency: float = 0.0) -> None:
        self.org = org
        rpcs = {
            "ListServiceAccounts": Rpc(
                iam_admin_v1.ListServiceAccountsRequest,
                iam_admin_v1.ListServiceAccountsResponse,
                lambda r: r.name,
                self.list_service_accounts,
            ),
            "ListServiceAccountKeys": Rpc(
                iam_admin_v1.ListServiceAccountKeysRequest,
                iam_admin_v1.ListServiceAccountKeysResponse,
                lambda r: r.name,
                self.list_keys,
            ),
            "ListRoles": Rpc(
                iam_admin_v1.ListRolesRequest,
                iam_admin_v1.ListRolesResponse,
                lambda r: r.parent,
                self.list_roles,
            ),
            "GetRole": Rpc(
                iam_admin_v1.GetRoleRequest, iam_admin_v1.Role, lambda r: r.name, self.get_role
            ),
        }
        self.grpc = GrpcFake(SERVICE, rpcs, record, latency)

    def _project(self, name: str, method: str) -> Any:
        collection, _, key = name.partition("/")
        project = self.org.project(key) if collection == "projects" else None
        if project is None:
            raise RpcError(grpc.StatusCode.PERMISSION_DENIED, denial_message(method, name))
        return project

    def list_service_accounts(self, request: Any) -> Any:
        project = self._project(request.name, f"{SERVICE}.ListServiceAccounts")
        size = min(request.page_size or DEFAULT_ACCOUNTS_PAGE, MAX_ACCOUNTS_PAGE)
        start = _offset(request.page_token)
        accounts = project.service_accounts[start : start + size]
        more = start + size < len(project.service_accounts)
        return iam_admin_v1.ListServiceAccountsResponse(
            accounts=[_message(iam_admin_v1.ServiceAccount, a) for a in accounts],
            next_page_token=_token(start + size) if more else "",
        )

    def list_keys(self, request: Any) -> Any:
        parts = request.name.split("/")
        if len(parts) != 4 or parts[0] != "projects" or parts[2] != "serviceAccounts":
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Invalid service account name.")
        email = parts[3]
        owner = next((p for p in self.org.projects.values() if email in p.keys), None)
        if owner is None or parts[1] not in ("-", owner.project_id):
            raise RpcError(grpc.StatusCode.NOT_FOUND, f"Unknown service account {email}.")
        wanted = {
            iam_admin_v1.ListServiceAccountKeysRequest.KeyType(t).name for t in request.key_types
        }
        keys = [k for k in owner.keys[email] if not wanted or k["keyType"] in wanted]
        return iam_admin_v1.ListServiceAccountKeysResponse(
            keys=[_message(iam_admin_v1.ServiceAccountKey, k) for k in keys]
        )

    def list_roles(self, request: Any) -> Any:
        if request.parent:
            roles = self.org.custom_roles(request.parent)
            if roles is None:
                raise RpcError(
                    grpc.StatusCode.PERMISSION_DENIED,
                    denial_message(f"{SERVICE}.ListRoles", request.parent),
                )
        else:
            roles = list(self.org.predefined_roles.values())
        if not request.show_deleted:
            roles = [r for r in roles if not r.get("deleted")]
        full = request.view == iam_admin_v1.RoleView.FULL
        size = min(request.page_size or DEFAULT_ROLES_PAGE, MAX_ROLES_PAGE)
        start = _offset(request.page_token)
        page = roles[start : start + size]
        return iam_admin_v1.ListRolesResponse(
            roles=[self._role(r, full) for r in page],
            next_page_token=_token(start + size) if start + size < len(roles) else "",
        )

    def get_role(self, request: Any) -> Any:
        role = self.org.role(request.name)
        if role is None:
            raise RpcError(
                grpc.StatusCode.NOT_FOUND, f"The role named {request.name} was not found."
            )
        return self._role(role, full=True)

    @staticmethod
    def _role(raw: dict[str, Any], full: bool) -> Any:
        if not full:
            raw = {k: v for k, v in raw.items() if k != "includedPermissions"}
        return _message(iam_admin_v1.Role, raw)
