"""`type: gcp` settings: one way to choose projects, ids checked, plain HTTP only to a local
fake without credentials, sensible defaults for an organization-wide daemon."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from auditor.collectors.gcp import GcpSettings
from auditor.collectors.registry import settings_model_for


def settings(**fields: Any) -> GcpSettings:
    """A gcp source's settings from `fields`."""
    return GcpSettings.model_validate({"name": "org", "type": "gcp", **fields})


def test_the_type_is_registered() -> None:
    """`type: gcp` in auditor.yaml is validated by these settings."""
    assert settings_model_for("gcp") is GcpSettings


def test_defaults_suit_a_daemon_over_an_organization() -> None:
    """Keyless ADC, read-only scope, every part on, 15-minute interval, 10-minute deadline."""
    chosen = settings(organization="organizations/123456789012")
    assert chosen.organization == "123456789012"
    assert chosen.auth.type == "adc"
    assert chosen.auth.scopes == ["https://www.googleapis.com/auth/cloud-platform.read-only"]
    assert all(chosen.collect.model_dump().values())
    assert (chosen.interval_seconds, chosen.timeout_seconds) == (900.0, 600.0)
    assert chosen.api.resource_manager.requests_per_minute == 600
    assert chosen.usage.min_history_days == 90


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({}, "one of the two"),
        ({"organization": "1", "projects": ["acme-data-prod"]}, "one of the two"),
        ({"organization": "acme"}, "organization number"),
        ({"folders": ["folders/x"]}, "not a folder number"),
        ({"projects": ["Acme_Prod"]}, "not a project id"),
        ({"projects": ["acme-data-prod", "acme-data-prod"]}, "listed twice"),
        ({"projects": ["acme-data-prod"], "include": {"ids": ["acme-*"]}}, "explicit list"),
        ({"organization": "1", "pubsub": {"window_minutes": 2}}, "greater than or equal to 5"),
        ({"organization": "1", "unknown": True}, "Extra inputs"),
    ],
)
def test_bad_settings_say_what_is_expected(fields: dict[str, Any], says: str) -> None:
    """Each mistake is rejected with a message naming what is expected."""
    with pytest.raises(ValidationError, match=says):
        settings(**fields)


def test_plain_http_is_for_a_local_fake_without_credentials() -> None:
    """An http endpoint must be loopback, and then auth must be anonymous (no token in clear)."""
    with pytest.raises(ValidationError, match="loopback"):
        settings(organization="1", endpoints={"iam": "http://iam.example.com:80"})
    with pytest.raises(ValidationError, match="anonymous"):
        settings(organization="1", endpoints={"iam": "http://127.0.0.1:8080"})
    fake = settings(
        organization="1", endpoints={"iam": "http://127.0.0.1:8080"}, auth={"type": "anonymous"}
    )
    assert fake.endpoints.plain()
    private = settings(organization="1", endpoints={"iam": "https://iam-psc.p.googleapis.com"})
    assert not private.endpoints.plain()


def test_impersonation_names_a_service_account() -> None:
    """Impersonation takes a service account email, and never with anonymous auth."""
    chosen = settings(
        organization="1",
        auth={
            "impersonate_service_account": "auditor@acme-sec.iam.gserviceaccount.com",
            "quota_project": "acme-sec",
        },
    )
    assert chosen.auth.quota_project == "acme-sec"
    with pytest.raises(ValidationError, match="service account email"):
        settings(organization="1", auth={"impersonate_service_account": "alice@acme.example"})
    with pytest.raises(ValidationError, match="cannot impersonate"):
        settings(
            organization="1",
            auth={
                "type": "anonymous",
                "impersonate_service_account": "auditor@acme-sec.iam.gserviceaccount.com",
            },
        )
