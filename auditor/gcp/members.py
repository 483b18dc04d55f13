"""IAM members ('user:a@b.com', 'serviceAccount:…', 'allUsers' …) parsed into facts rules use."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
# The deny/principal-access-boundary spelling of allUsers; treated as public wherever it appears.
_PUBLIC_PRINCIPAL_SET = "principalSet://goog/public:all"

_EMAIL_PREFIXES = frozenset({"user", "group"})
# Cloud Storage convenience values: `projectOwner:PROJECT_ID` and friends.
_CONVENIENCE_PREFIXES = frozenset({"projectOwner", "projectEditor", "projectViewer"})

# Google-managed service accounts (service agents) live in domains Google owns. Most follow
# `service-PROJECT_NUMBER@SERVICE.iam.gserviceaccount.com` or a `gcp-sa-*` domain; the rest
# are listed. Default service accounts (Compute, App Engine, legacy Cloud Build) are NOT
# Google-managed: Google creates them but they run your code, so they are yours to restrict.
_GOOGLE_MANAGED_DOMAINS = frozenset(
    {
        "cloudservices.gserviceaccount.com",
        "system.gserviceaccount.com",
        "container-engine-robot.iam.gserviceaccount.com",
        "compute-system.iam.gserviceaccount.com",
        "containerregistry.iam.gserviceaccount.com",
        "dataflow-service-producer-prod.iam.gserviceaccount.com",
        "cloudcomposer-accounts.iam.gserviceaccount.com",
        "dataproc-accounts.iam.gserviceaccount.com",
        "gs-project-accounts.iam.gserviceaccount.com",
        "serverless-robot-prod.iam.gserviceaccount.com",
        "gcf-admin-robot.iam.gserviceaccount.com",
        "bigquery-encryption.iam.gserviceaccount.com",
    }
)
_SERVICE_AGENT_LOCAL = re.compile(r"^service-(?:org-|folder-)?[0-9]+$")
_SA_SUFFIX = ".iam.gserviceaccount.com"
_DEFAULT_COMPUTE = re.compile(r"^[0-9]+-compute@developer\.gserviceaccount\.com$")
_DEFAULT_CLOUDBUILD = re.compile(r"^[0-9]+@cloudbuild\.gserviceaccount\.com$")
_APPSPOT_DOMAIN = "appspot.gserviceaccount.com"
# principal://iam.googleapis.com/projects/-/serviceAccounts/EMAIL and the set of every
# service account under a project, folder or organization.
_PRINCIPAL_SA = re.compile(
    r"^principal://iam\.googleapis\.com/projects/[^/]+/serviceAccounts/(.+)$"
)
_PRINCIPAL_SET_SAS = re.compile(
    r"^principalSet://cloudresourcemanager\.googleapis\.com/[a-z]+/[0-9]+/type/ServiceAccount$"
)
_PRINCIPAL_GOOGLE_ACCOUNT = re.compile(r"^principal://goog/subject/(.+@.+)$")

EXPECTED_MEMBER_FORMS = (
    "user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, allUsers, "
    "allAuthenticatedUsers, principal://…, principalSet://…, deleted:…, projectOwner:ID, "
    "projectEditor:ID or projectViewer:ID"
)


@dataclass(frozen=True, slots=True)
class Member:
    """What a member string says about the identity behind it.

    Emails and domains are lower-cased (Google identities are case-insensitive); `member`
    keeps the string exactly as the policy has it.
    """

    member: str
    member_type: str
    member_email: str | None = None
    member_domain: str | None = None
    is_public: bool = False
    is_service_account: bool = False
    is_google_managed_sa: bool = False
    is_default_compute_sa: bool = False
    is_default_appspot_sa: bool = False
    is_default_cloudbuild_sa: bool = False
    is_deleted: bool = False

    def facts(self) -> dict[str, str | bool | None]:
        """The member's fields as they appear in resource data."""
        return {
            "member": self.member,
            "member_type": self.member_type,
            "member_email": self.member_email,
            "member_domain": self.member_domain,
            "is_public": self.is_public,
            "is_service_account": self.is_service_account,
            "is_google_managed_sa": self.is_google_managed_sa,
            "is_default_compute_sa": self.is_default_compute_sa,
            "is_default_appspot_sa": self.is_default_appspot_sa,
            "is_default_cloudbuild_sa": self.is_default_cloudbuild_sa,
            "is_deleted": self.is_deleted,
        }


def is_google_managed_service_account(email: str) -> bool:
    """True for service agents Google creates and operates (not default service accounts)."""
    local, _, domain = email.lower().rpartition("@")
    if domain in _GOOGLE_MANAGED_DOMAINS:
        return True
    if not domain.endswith(_SA_SUFFIX):
        return False
    return (
        domain.startswith("gcp-sa-")
        or domain.endswith(".google.com" + _SA_SUFFIX)
        or bool(_SERVICE_AGENT_LOCAL.match(local))
    )


def _service_account(member: str, email: str) -> Member:
    email = email.lower()
    domain = email.rpartition("@")[2] if "@" in email else None
    if domain is None:
        # Workload Identity: serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA] is no email.
        return Member(member=member, member_type="serviceAccount", is_service_account=True)
    return Member(
        member=member,
        member_type="serviceAccount",
        member_email=email,
        member_domain=domain,
        is_service_account=True,
        is_google_managed_sa=is_google_managed_service_account(email),
        is_default_compute_sa=bool(_DEFAULT_COMPUTE.match(email)),
        is_default_appspot_sa=domain == _APPSPOT_DOMAIN,
        is_default_cloudbuild_sa=bool(_DEFAULT_CLOUDBUILD.match(email)),
    )


def _principal(member: str) -> Member:
    if member == _PUBLIC_PRINCIPAL_SET:
        return Member(member=member, member_type="principalSet", is_public=True)
    if member.startswith("principalSet://"):
        is_sas = bool(_PRINCIPAL_SET_SAS.match(member))
        return Member(member=member, member_type="principalSet", is_service_account=is_sas)
    sa = _PRINCIPAL_SA.match(member)
    if sa:
        return replace(_service_account(member, sa.group(1)), member_type="principal")
    account = _PRINCIPAL_GOOGLE_ACCOUNT.match(member)
    if account:
        email = account.group(1).lower()
        return Member(
            member=member,
            member_type="principal",
            member_email=email,
            member_domain=email.rpartition("@")[2],
        )
    return Member(member=member, member_type="principal")


# An organization names the same users, groups and accounts in policy after policy: each
# string is parsed once (Member is immutable; errors are not cached).
@functools.lru_cache(maxsize=65536)
def parse_member(member: str) -> Member:
    """Parse one member string; raises ValueError naming the accepted forms."""
    if member in PUBLIC_MEMBERS:
        return Member(member=member, member_type=member, is_public=True)
    if member.startswith(("principal://", "principalSet://")):
        return _principal(member)
    if member.startswith("deleted:"):
        # deleted:user:EMAIL?uid=123 — the identity is gone; undeleting it restores the grant.
        inner = member[len("deleted:") :].partition("?uid=")[0]
        if inner in PUBLIC_MEMBERS or inner.startswith("deleted:"):
            raise ValueError(f"member {member!r} is not a valid deleted principal")
        base = parse_member(inner)
        return replace(base, member=member, member_type="deleted", is_deleted=True)
    prefix, separator, value = member.partition(":")
    if not separator or not value:
        raise ValueError(f"member {member!r} is not one of {EXPECTED_MEMBER_FORMS}")
    if prefix == "serviceAccount":
        return _service_account(member, value)
    if prefix in _EMAIL_PREFIXES:
        email = value.lower()
        local, at, domain = email.rpartition("@")
        if not (at and local and domain):
            raise ValueError(f"member {member!r}: {prefix}: needs an email address")
        return Member(member=member, member_type=prefix, member_email=email, member_domain=domain)
    if prefix == "domain":
        return Member(member=member, member_type="domain", member_domain=value.lower())
    if prefix in _CONVENIENCE_PREFIXES:
        return Member(member=member, member_type=prefix)
    raise ValueError(
        f"unknown member prefix {prefix!r} in {member!r}; expected {EXPECTED_MEMBER_FORMS}"
    )
