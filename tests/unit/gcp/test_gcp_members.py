"""IAM member strings parsed into the facts rules read."""

from __future__ import annotations

import pytest

from auditor.gcp.members import is_google_managed_service_account, parse_member


@pytest.mark.parametrize(
    ("member", "member_type", "email", "domain"),
    [
        ("user:Alex@Acme.example", "user", "alex@acme.example", "acme.example"),
        ("group:data-eng@acme.example", "group", "data-eng@acme.example", "acme.example"),
        (
            "serviceAccount:etl@acme-analytics.iam.gserviceaccount.com",
            "serviceAccount",
            "etl@acme-analytics.iam.gserviceaccount.com",
            "acme-analytics.iam.gserviceaccount.com",
        ),
        ("domain:Acme.example", "domain", None, "acme.example"),
        ("allUsers", "allUsers", None, None),
        ("allAuthenticatedUsers", "allAuthenticatedUsers", None, None),
        (
            "principal://iam.googleapis.com/locations/global/workforcePools/staff/subject/alex",
            "principal",
            None,
            None,
        ),
        (
            "principalSet://iam.googleapis.com/locations/global/workforcePools/staff/group/eng",
            "principalSet",
            None,
            None,
        ),
        (
            "principal://goog/subject/alex@acme.example",
            "principal",
            "alex@acme.example",
            "acme.example",
        ),
        (
            "deleted:user:former@acme.example?uid=123456789012345678901",
            "deleted",
            "former@acme.example",
            "acme.example",
        ),
        ("projectOwner:acme-analytics", "projectOwner", None, None),
        ("projectEditor:acme-analytics", "projectEditor", None, None),
        ("projectViewer:acme-analytics", "projectViewer", None, None),
    ],
)
def test_every_member_prefix_parses(
    member: str, member_type: str, email: str | None, domain: str | None
) -> None:
    """Each documented member form yields its type, lower-cased email and domain."""
    parsed = parse_member(member)
    assert parsed.member == member
    assert (parsed.member_type, parsed.member_email, parsed.member_domain) == (
        member_type,
        email,
        domain,
    )


@pytest.mark.parametrize(
    "member", ["allUsers", "allAuthenticatedUsers", "principalSet://goog/public:all"]
)
def test_public_members_are_public(member: str) -> None:
    """allUsers, allAuthenticatedUsers and the public principal set are public."""
    assert parse_member(member).is_public


def test_named_members_are_not_public() -> None:
    """A user, a group or a domain is not public."""
    for member in ("user:a@acme.example", "group:g@acme.example", "domain:acme.example"):
        assert not parse_member(member).is_public


def test_workload_identity_member_is_a_service_account_without_email() -> None:
    """serviceAccount:PROJECT.svc.id.goog[NS/KSA] is a service account but no email address."""
    parsed = parse_member("serviceAccount:acme-analytics.svc.id.goog[ingest/api]")
    assert parsed.is_service_account
    assert parsed.member_email is None
    assert parsed.member_domain is None


def test_deleted_service_account_keeps_its_nature() -> None:
    """A deleted service account is deleted, still a service account, with its email."""
    parsed = parse_member(
        "deleted:serviceAccount:old-etl@acme-analytics.iam.gserviceaccount.com?uid=1"
    )
    assert parsed.member_type == "deleted"
    assert parsed.is_deleted
    assert parsed.is_service_account
    assert parsed.member_email == "old-etl@acme-analytics.iam.gserviceaccount.com"


def test_principal_service_account_forms_are_service_accounts() -> None:
    """Service accounts named as principals, and the set of all of a project's, count as SAs."""
    single = parse_member(
        "principal://iam.googleapis.com/projects/-/serviceAccounts/etl@p1.iam.gserviceaccount.com"
    )
    assert single.is_service_account
    assert single.member_email == "etl@p1.iam.gserviceaccount.com"
    every = parse_member(
        "principalSet://cloudresourcemanager.googleapis.com/projects/204517663901/type/ServiceAccount"
    )
    assert every.is_service_account


@pytest.mark.parametrize(
    "email",
    [
        "204517663901@cloudservices.gserviceaccount.com",
        "service-204517663901@gcp-sa-pubsub.iam.gserviceaccount.com",
        "service-204517663901@container-engine-robot.iam.gserviceaccount.com",
        "service-204517663901@compute-system.iam.gserviceaccount.com",
        "service-204517663901@cloudcomposer-accounts.iam.gserviceaccount.com",
        "service-204517663901@dataflow-service-producer-prod.iam.gserviceaccount.com",
        "service-org-123456789012@gcp-sa-logging.iam.gserviceaccount.com",
        "p204517663901-abcd12@gcp-sa-cloud-sql.iam.gserviceaccount.com",
        "service-204517663901@cloud-ml.google.com.iam.gserviceaccount.com",
        "bq-204517663901@bigquery-encryption.iam.gserviceaccount.com",
    ],
)
def test_service_agents_are_google_managed(email: str) -> None:
    """Service agents Google creates are recognised by their domains and address shapes."""
    assert is_google_managed_service_account(email)
    assert parse_member(f"serviceAccount:{email}").is_google_managed_sa


@pytest.mark.parametrize(
    "email",
    [
        "etl@acme-analytics.iam.gserviceaccount.com",
        "204517663901-compute@developer.gserviceaccount.com",
        "acme-analytics@appspot.gserviceaccount.com",
        "204517663901@cloudbuild.gserviceaccount.com",
        "service-204517663901@acme.example",
    ],
)
def test_user_managed_and_default_accounts_are_not_google_managed(email: str) -> None:
    """Your own accounts and the default accounts that run your code are not service agents."""
    assert not is_google_managed_service_account(email)


def test_default_service_accounts_are_flagged_as_such() -> None:
    """Compute, App Engine and legacy Cloud Build defaults each have their own flag."""
    compute = parse_member("serviceAccount:204517663901-compute@developer.gserviceaccount.com")
    appspot = parse_member("serviceAccount:acme-analytics@appspot.gserviceaccount.com")
    build = parse_member("serviceAccount:204517663901@cloudbuild.gserviceaccount.com")
    plain = parse_member("serviceAccount:etl@acme-analytics.iam.gserviceaccount.com")
    assert compute.is_default_compute_sa and not compute.is_default_appspot_sa
    assert appspot.is_default_appspot_sa and not appspot.is_default_compute_sa
    assert build.is_default_cloudbuild_sa
    assert not (
        plain.is_default_compute_sa or plain.is_default_appspot_sa or plain.is_default_cloudbuild_sa
    )


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("usr:alex@acme.example", "unknown member prefix 'usr'"),
        ("alex@acme.example", "is not one of"),
        ("user:", "is not one of"),
        ("user:alex", "needs an email address"),
        ("allusers", "is not one of"),
        ("deleted:allUsers", "not a valid deleted principal"),
    ],
)
def test_malformed_members_are_rejected(member: str, problem: str) -> None:
    """Unknown prefixes and empty or email-less values raise, naming the member."""
    with pytest.raises(ValueError, match=problem):
        parse_member(member)
