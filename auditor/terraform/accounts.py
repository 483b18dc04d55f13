"""Service accounts, keys and custom roles a Terraform plan creates, as the listings the GCP
normaliser (auditor.gcp.estate) reads — so the keyless and custom-role rules judge a plan."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.gcp.custom_roles import CustomRole
from auditor.gcp.estate import GcloudListings
from auditor.gcp.members import parse_member
from auditor.gcp.service_accounts import ServiceAccount, ServiceAccountKey, project_of_email
from auditor.terraform.plan import NotJudged, Plan, PlannedResource
from auditor.terraform.references import account_email, project_of, referenced

_PROJECT_PREFIX = "projects/"


def plan_listings(plan: Plan) -> tuple[GcloudListings, list[str]]:
    """Listings of the accounts, keys and roles `plan` leaves, and what could not be judged."""
    known = plan.by_address()
    listings = GcloudListings()
    warnings: list[str] = []
    for resource in plan.resources:
        try:
            if resource.type == "google_service_account":
                listings.service_accounts.append((_account(resource, known), resource.location))
            elif resource.type == "google_service_account_key":
                listings.keys.append((_key(resource, known), resource.location))
            elif resource.type in (
                "google_project_iam_custom_role",
                "google_organization_iam_custom_role",
            ):
                listings.custom_roles.append((_role(resource, known), resource.location))
        except NotJudged as exc:
            warnings.append(f"{resource.location.file}: {resource.address}: not judged: {exc}")
    return listings, warnings


def _account(resource: PlannedResource, known: Mapping[str, PlannedResource]) -> ServiceAccount:
    email = account_email(resource, known)
    project = project_of(resource, known)
    if email is None or project is None:
        raise NotJudged("its email or project is known only after apply")
    try:
        member = parse_member(f"serviceAccount:{email}")
    except ValueError as exc:
        raise NotJudged(str(exc)) from None
    return ServiceAccount(
        project_id=project,
        email=email,
        unique_id=None,
        display_name=resource.text("display_name"),
        description=resource.text("description"),
        disabled=resource.after.get("disabled") is True,
        member=member,
    )


def _key_account(resource: PlannedResource, known: Mapping[str, PlannedResource]) -> str | None:
    """The email of the account a key is for: its `service_account_id` (an email or
    projects/P/serviceAccounts/EMAIL) or the planned account that attribute references."""
    value = resource.text("service_account_id")
    if value is not None:
        email = value.rsplit("/", 1)[-1]
        return email.lower() if "@" in email else None
    for reference in resource.references.get("service_account_id", ()):
        target = referenced(reference, known)
        if target is not None and target.type == "google_service_account":
            return account_email(target, known)
    return None


def _key(resource: PlannedResource, known: Mapping[str, PlannedResource]) -> ServiceAccountKey:
    email = _key_account(resource, known)
    if email is None:
        raise NotJudged("the account it is for is known only after apply")
    uploaded = resource.text("public_key_data") is not None
    return ServiceAccountKey(
        # A key has no id before it exists; the address names it until then.
        key_id=resource.address,
        project_id=project_of_email(email),
        service_account_email=email,
        key_type="USER_MANAGED",
        key_origin="USER_PROVIDED" if uploaded else "GOOGLE_PROVIDED",
        key_algorithm=resource.text("key_algorithm"),
        created_at=None,
        expires_at=None,
        disabled=False,
    )


def _role(resource: PlannedResource, known: Mapping[str, PlannedResource]) -> CustomRole:
    role_id = resource.text("role_id")
    if resource.type == "google_project_iam_custom_role":
        project = project_of(resource, known)
        scope = f"projects/{project}" if project else None
    else:
        org = resource.text("org_id")
        scope = f"organizations/{org.removeprefix('organizations/')}" if org else None
    if role_id is None or scope is None:
        raise NotJudged("its role id or scope is known only after apply")
    permissions = resource.after.get("permissions")
    return CustomRole(
        role=f"{scope}/roles/{role_id}",
        role_id=role_id,
        scope=scope,
        scope_type="project" if scope.startswith(_PROJECT_PREFIX) else "organization",
        title=resource.text("title"),
        description=resource.text("description"),
        stage=resource.text("stage"),
        deleted=resource.after.get("deleted") is True,
        permissions=(
            tuple(sorted({str(p) for p in permissions})) if isinstance(permissions, list) else None
        ),
    )
