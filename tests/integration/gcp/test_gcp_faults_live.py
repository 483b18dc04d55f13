"""Faults injected into the fakes, as users would meet them: nothing lost that could be read,
the failure named in source health (with the permission, for a denial), no crash."""

from __future__ import annotations

from auditor.collectors.runner import SOURCE_KIND
from tests.fakes.gcp.server import FakeGcp
from tests.integration.gcp.conftest import (
    IAM,
    LIST_TIME_SERIES,
    ORG,
    RM,
    Collected,
    collect,
    findings,
    settings_for,
)

PROD = "projects/acme-data-prod"
STAGING = "projects/acme-data-staging"


def baseline(fakes: FakeGcp) -> Collected:
    """A collection without faults, to compare with."""
    whole = collect(settings_for(fakes))
    fakes.record.reset()
    return whole


def resource_keys(
    collected: Collected, *, without_scope: str | None = None
) -> set[tuple[str, str]]:
    """(kind, id) of every resource but the source's own (and, optionally, one scope's)."""
    return {
        (r.kind, r.id)
        for r in collected.result.resources
        if r.kind != SOURCE_KIND and (without_scope is None or r.scope != without_scope)
    }


def test_a_429_then_success_loses_nothing(fakes: FakeGcp) -> None:
    """Quota exceeded once on each API: retried with backoff, everything read, no problem."""
    whole = baseline(fakes)
    fakes.inject(RM + "Projects.GetIamPolicy", "rate_limited", PROD)
    fakes.inject(IAM + "ListServiceAccounts", "rate_limited", STAGING)
    fakes.inject(LIST_TIME_SERIES, "rate_limited", PROD)
    collected = collect(settings_for(fakes))
    assert collected.problems == []
    assert resource_keys(collected) == resource_keys(whole)
    assert fakes.record.count("rate_limited")[RM + "Projects.GetIamPolicy"] == 1


def test_a_503_storm_on_one_project_is_named_and_isolated(fakes: FakeGcp) -> None:
    """IAM unavailable for one project through every retry: its accounts and keys are
    missing and named; every other project and API is complete."""
    whole = baseline(fakes)
    fakes.inject(IAM + "ListServiceAccounts", "unavailable", STAGING, times=None)
    collected = collect(settings_for(fakes))
    assert collected.result.health.up
    assert collected.problems == [
        f"{STAGING}: IAM.ListServiceAccounts still failing after 3 attempt(s): 503 unavailable "
        "— its service accounts and keys are not judged"
    ]
    lost = resource_keys(whole) - resource_keys(collected)
    assert lost == {
        (
            "gcp.service_account",
            f"{STAGING}/serviceAccounts/etl@acme-data-staging.iam.gserviceaccount.com",
        ),
        (
            "gcp.service_account_key",
            f"{STAGING}/serviceAccounts/etl@acme-data-staging.iam.gserviceaccount.com"
            "/keys/1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e",
        ),
    }
    assert fakes.record.count("unavailable")[IAM + "ListServiceAccounts"] == 3


def test_a_deadline_is_retried_on_both_transports(fakes: FakeGcp) -> None:
    """A REST call and a gRPC call answer after the caller's deadline once: both retried."""
    whole = baseline(fakes)
    fakes.inject(RM + "Folders.ListFolders", "deadline", f"organizations/{ORG}")
    fakes.inject(IAM + "ListServiceAccountKeys", "deadline")
    collected = collect(settings_for(fakes))
    assert collected.problems == []
    assert resource_keys(collected) == resource_keys(whole)
    assert fakes.record.count("deadline")[RM + "Folders.ListFolders"] == 1


def test_a_deadline_every_time_is_named_as_a_timeout(fakes: FakeGcp) -> None:
    """Monitoring too slow for one project on every attempt: its usage is unknown, not idle."""
    fakes.inject(LIST_TIME_SERIES, "deadline", STAGING, times=None)
    collected = collect(settings_for(fakes))
    assert any(
        p.startswith(
            f"{STAGING}: MetricService.ListTimeSeries still failing after 3 attempt(s): "
            "deadline exceeded"
        )
        for p in collected.problems
    )
    etl = collected.data(
        "gcp.service_account",
        f"{STAGING}/serviceAccounts/etl@acme-data-staging.iam.gserviceaccount.com",
    )
    assert (etl["usage_known"], etl["last_authenticated_at"]) == (False, None)


def test_a_403_on_one_project_names_the_permission_it_lacks(fakes: FakeGcp) -> None:
    """The policy of one project is denied: the source is partial, the problem names the
    project and resourcemanager.projects.getIamPolicy, the rest is read and judged."""
    whole = baseline(fakes)
    fakes.inject(RM + "Projects.GetIamPolicy", "denied", STAGING, times=None)
    collected = collect(settings_for(fakes))
    assert collected.problems == [
        f"{STAGING}: Projects.GetIamPolicy denied: the collector lacks permission "
        "resourcemanager.projects.getIamPolicy — its bindings and audit configs are not judged"
    ]
    assert STAGING not in collected.ids("gcp.project")
    kept = resource_keys(collected)
    assert resource_keys(whole, without_scope=STAGING) - kept <= {
        ("gcp.predefined_role", "roles/pubsub.subscriber")  # granted only by the denied policy
    }
    partial = [f for f in findings(collected) if f.rule_id == "auditor-source-partial"]
    assert len(partial) == 1
    assert "resourcemanager.projects.getIamPolicy" in partial[0].message


def test_a_malformed_page_is_a_named_protocol_problem(fakes: FakeGcp) -> None:
    """A project listing page (REST) and a time series page (gRPC) the client cannot decode:
    each named with what it cost; everything else is read."""
    fakes.inject(RM + "Projects.ListProjects", "malformed", "folders/987654321098", times=None)
    fakes.inject(LIST_TIME_SERIES, "malformed", PROD, times=None)
    collected = collect(settings_for(fakes))
    assert collected.result.health.up
    assert (
        "folders/987654321098: Projects.ListProjects returned a malformed response (ParseError) "
        "— projects directly below it not all discovered"
    ) in collected.problems
    assert any(
        p.startswith(f"{PROD}: MetricService.ListTimeSeries returned a malformed response")
        for p in collected.problems
    )
    assert STAGING not in collected.ids("gcp.project")  # listed on the broken page
    assert PROD in collected.ids("gcp.project")  # below another folder


def test_nothing_readable_is_a_down_source_naming_the_permission(fakes: FakeGcp) -> None:
    """Discovery denied at the root: the source is down with a permission error, not empty."""
    fakes.inject(RM + "Folders.ListFolders", "denied", f"organizations/{ORG}", times=None)
    fakes.inject(RM + "Projects.ListProjects", "denied", f"organizations/{ORG}", times=None)
    collected = collect(settings_for(fakes))
    health = collected.result.health
    assert not health.up
    assert collected.result.error_kind == "permission"
    assert "resourcemanager.folders.list" in health.error
    down = [f for f in findings(collected) if f.rule_id == "auditor-source-down"]
    assert len(down) == 1


def test_an_unreachable_api_never_raises(fakes: FakeGcp) -> None:
    """Monitoring's endpoint refuses connections: usage, backlog and health are problems,
    IAM and policies are complete."""
    settings = settings_for(fakes).model_copy(
        update={
            "endpoints": settings_for(fakes).endpoints.model_copy(
                update={"monitoring": "http://127.0.0.1:9"}
            )
        }
    )
    collected = collect(settings)
    assert collected.result.health.up
    assert collected.ids("gcp.project") == {PROD, STAGING, "projects/acme-sandbox-alice"}
    assert collected.problems and all(
        "MetricService.ListTimeSeries" in p for p in collected.problems
    )
    assert "pubsub.subscription" not in collected.kinds


def test_a_policy_the_normaliser_refuses_is_dropped_and_named(fakes: FakeGcp) -> None:
    """A project policy with a member no IAM API writes: that project's policy is a protocol
    problem saying where, every other policy is normalised as usual."""
    fakes.org.projects["acme-data-staging"].policy["bindings"].append(
        {"role": "roles/viewer", "members": ["usr:mallory@acme.example"]}
    )
    collected = collect(settings_for(fakes))
    assert len(collected.problems) == 1
    assert collected.problems[0].startswith(
        f"{STAGING}: Projects.GetIamPolicy returned a malformed policy (bindings[2].members[0]:"
    )
    assert collected.ids("gcp.project") == {PROD, "projects/acme-sandbox-alice"}


def test_the_collection_deadline_gives_a_partial_source_not_a_timeout(fakes: FakeGcp) -> None:
    """Monitoring hangs on every call: at 90 % of timeout_seconds the collector stops calling
    and returns what it has — up, with the unread parts named — before the runner gives up."""
    fakes.inject(LIST_TIME_SERIES, "deadline", times=None)
    collected = collect(settings_for(fakes, timeout_seconds=2.0, call_timeout_seconds=1.0))
    health = collected.result.health
    assert health.up and collected.result.error_kind == ""  # not the runner's timeout
    assert collected.ids("gcp.project") == {PROD, STAGING, "projects/acme-sandbox-alice"}
    assert any(
        "the collection deadline came" in p or "deadline exceeded" in p for p in collected.problems
    )
    assert all("MetricService.ListTimeSeries" in p for p in collected.problems)


def test_a_denied_policy_does_not_hide_that_a_project_holds_pii(fakes: FakeGcp) -> None:
    """The PII label comes from discovery: accounts and keys of a project whose policy is
    denied are still judged as holding PII."""
    fakes.inject(RM + "Projects.GetIamPolicy", "denied", PROD, times=None)
    collected = collect(settings_for(fakes))
    sa = f"{PROD}/serviceAccounts/cdc-connector@acme-data-prod.iam.gserviceaccount.com"
    assert collected.data("gcp.service_account", sa)["pii"] is True
    assert collected.data("gcp.service_account", sa)["roles"] == []  # other policies were read
