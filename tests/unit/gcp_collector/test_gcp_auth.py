"""Keyless credentials: ADC (Workload Identity, attached account, gcloud login), optionally
impersonating a service account and billed to a quota project; no credentials is a clean
'auth' error that names how to fix it and carries no secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.auth import impersonated_credentials
from google.auth.credentials import AnonymousCredentials

from auditor.collectors.base import SourceError
from auditor.collectors.gcp.clients import credentials
from auditor.collectors.gcp.settings import GcpAuth

REFRESH_TOKEN = "1//0g-not-a-real-refresh-token-c2VjcmV0"


@pytest.fixture
def gcloud_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ADC as `gcloud auth application-default login` leaves it (an authorized_user file)."""
    adc = tmp_path / "application_default_credentials.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "000000000000-fake.apps.googleusercontent.com",
                "client_secret": "not-a-client-secret",
                "refresh_token": REFRESH_TOKEN,
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))


def test_anonymous_is_for_fakes() -> None:
    """`type: anonymous` sends no credentials at all."""
    assert isinstance(credentials(GcpAuth(type="anonymous")), AnonymousCredentials)


def test_impersonation_wraps_adc_with_the_target_and_quota_project(gcloud_login: None) -> None:
    """The source credentials only mint tokens for the target account, billed to the quota project."""
    found = credentials(
        GcpAuth(
            impersonate_service_account="auditor@acme-sec.iam.gserviceaccount.com",
            quota_project="acme-sec",
        )
    )
    assert isinstance(found, impersonated_credentials.Credentials)
    assert found.service_account_email == "auditor@acme-sec.iam.gserviceaccount.com"
    assert found.quota_project_id == "acme-sec"


def test_no_credentials_is_an_auth_error_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADC pointing nowhere: SourceError('auth') saying how to provide credentials."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(SourceError) as error:
        credentials(GcpAuth())
    assert error.value.kind == "auth"
    assert "Workload Identity" in str(error.value)
    assert "missing.json" not in str(error.value)


def test_credentials_never_appear_in_settings_or_errors(gcloud_login: None) -> None:
    """The refresh token is read by google-auth only: not in the settings, not in their repr."""
    auth = GcpAuth(quota_project="acme-sec")
    found = credentials(auth)
    assert REFRESH_TOKEN not in repr(auth) + auth.model_dump_json()
    assert REFRESH_TOKEN not in repr(found)
