"""The canary detector finds a secret in every form a driver or HTTP stack writes it, and
nothing else: otherwise a clean run of the suite would prove nothing."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.security.canaries import Canaries, assert_no_canary, canary


@pytest.fixture
def canaries() -> Canaries:
    """One planted secret with characters that URL encoding changes."""
    found = Canaries()
    found.plant("password", "s3cret+pw/" + canary("x"))
    return found


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc"])
def test_a_basic_auth_header_is_found_at_any_alignment(canaries: Canaries, prefix: str) -> None:
    """`Authorization: Basic base64(user:password)` reveals the password whatever the user."""
    secret = canaries.secrets["password"]
    header = "Basic " + base64.b64encode(f"{prefix}:{secret}".encode()).decode()
    assert canaries.leaks(f"headers={{'Authorization': '{header}'}}")


def test_url_encoded_urlsafe_base64_and_hex_forms_are_found(canaries: Canaries) -> None:
    """A form body, a JWT-style urlsafe base64 segment and a hex dump all count as leaks."""
    secret = canaries.secrets["password"]
    assert canaries.leaks(urlencode({"password": secret}))
    jwt_header = base64.urlsafe_b64encode(json.dumps({"kid": secret}).encode()).rstrip(b"=")
    assert canaries.leaks(b"assertion=" + jwt_header + b".payload")
    assert canaries.leaks(secret.encode().hex().upper())


def test_clean_text_passes_and_a_leak_names_where(canaries: Canaries) -> None:
    """Text without the secret passes; with it, the failure names the channel and the form."""
    assert_no_canary(canaries, "source down: access denied (mysql error 1045)", "log")
    with pytest.raises(AssertionError, match=r"secret leaked into stderr: password \(raw\)"):
        assert_no_canary(canaries, f"dsn=mysql://u:{canaries.secrets['password']}@h", "stderr")
