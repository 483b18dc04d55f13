"""Values known only after apply, recovered from the planned resources they come from."""

from __future__ import annotations

from collections.abc import Mapping

from auditor.terraform.plan import PlannedResource

_ACCOUNT_TYPE = "google_service_account"


def referenced(reference: str, known: Mapping[str, PlannedResource]) -> PlannedResource | None:
    """The planned resource a configuration reference names ('google_x.y', 'google_x.y.attr',
    'module.m.google_x.y'); a counted resource's first instance when the reference has no key."""
    parts = reference.split(".")
    for end in range(len(parts), 1, -1):
        address = ".".join(parts[:end])
        if address in known:
            return known[address]
        for candidate, resource in known.items():
            if candidate.startswith(f"{address}["):
                return resource
    return None


def project_of(resource: PlannedResource, known: Mapping[str, PlannedResource]) -> str | None:
    """The project id a resource is in, from its `project` or the planned project it names."""
    project = resource.text("project")
    if project is not None:
        return project.removeprefix("projects/")
    for reference in resource.references.get("project", ()):
        target = referenced(reference, known)
        if target is not None and target.type == "google_project":
            return target.text("project_id")
    return None


def service_account_email(reference: str, known: Mapping[str, PlannedResource]) -> str | None:
    """The email of the planned service account `reference` names, when it can be told:
    its `email`, else `ACCOUNT_ID@PROJECT.iam.gserviceaccount.com`."""
    target = referenced(reference, known)
    if target is None or target.type != _ACCOUNT_TYPE:
        return None
    return account_email(target, known)


def account_email(account: PlannedResource, known: Mapping[str, PlannedResource]) -> str | None:
    """A planned service account's email, known or as Google will form it."""
    email = account.text("email")
    if email is not None:
        return email.lower()
    account_id, project = account.text("account_id"), project_of(account, known)
    if account_id is None or project is None:
        return None
    return f"{account_id}@{project}.iam.gserviceaccount.com".lower()
