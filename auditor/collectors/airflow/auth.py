"""Credentials for the Airflow API: a Google access token, an Airflow 3 JWT, or basic auth.

Tokens and passwords live only in request headers: never in messages, logs or resources.
"""

from __future__ import annotations

import base64
from typing import Protocol

import requests

from auditor.collectors.airflow.settings import AirflowAuth
from auditor.collectors.base import SourceError


class Authenticator(Protocol):
    """Adds credentials to API requests; `renew` after the API refused them once."""

    def headers(self) -> dict[str, str]:
        """The Authorization header (or nothing)."""
        ...

    def renew(self) -> bool:
        """Fetch fresh credentials; False when there is nothing to renew."""
        ...


class NoAuth:
    """An API without credentials."""

    def headers(self) -> dict[str, str]:
        """No header."""
        return {}

    def renew(self) -> bool:
        """Nothing to renew."""
        return False


class BasicAuth:
    """Airflow 2's basic_auth backend."""

    def __init__(self, username: str, password: str) -> None:
        raw = f"{username}:{password}".encode()
        self._header = "Basic " + base64.b64encode(raw).decode("ascii")

    def headers(self) -> dict[str, str]:
        """The basic Authorization header."""
        return {"Authorization": self._header}

    def renew(self) -> bool:
        """A password does not expire between two calls."""
        return False


class JwtAuth:
    """Airflow 3: `POST /auth/token {username, password}` → bearer JWT, fetched when needed."""

    def __init__(
        self, session: requests.Session, base_url: str, username: str, password: str, **kw: object
    ) -> None:
        self._session = session
        self._url = f"{base_url}/auth/token"
        self._username = username
        self._password = password
        self._request_args = kw
        self._token: str | None = None

    def headers(self) -> dict[str, str]:
        """The bearer header, logging in first if there is no token yet."""
        if self._token is None:
            self._token = self._login()
        return {"Authorization": f"Bearer {self._token}"}

    def renew(self) -> bool:
        """Forget the token so the next request logs in again."""
        self._token = None
        return True

    def _login(self) -> str:
        try:
            response = self._session.post(
                self._url,
                json={"username": self._username, "password": self._password},
                **self._request_args,  # type: ignore[arg-type]
            )
        except requests.Timeout:
            raise SourceError("timeout", "no answer from /auth/token") from None
        except requests.RequestException as exc:
            raise SourceError(
                "unreachable", f"cannot reach /auth/token ({type(exc).__name__})"
            ) from None
        if response.status_code in (401, 403):
            raise SourceError(
                "auth", f"Airflow rejected the credentials of user {self._username!r}"
            )
        if response.status_code == 404:
            raise SourceError(
                "config", "no /auth/token endpoint: auth type 'jwt' needs Airflow 3 (use 'basic')"
            )
        if not response.ok:
            raise SourceError("unreachable", f"/auth/token answered HTTP {response.status_code}")
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            raise SourceError("protocol", "/auth/token answered without an access_token") from None
        if not isinstance(token, str) or not token:
            raise SourceError("protocol", "/auth/token answered without an access_token")
        return token


class GoogleAuth:
    """Cloud Composer: an OAuth access token from Application Default Credentials (keyless)."""

    def __init__(self, scopes: list[str]) -> None:
        self._scopes = scopes
        self._credentials: object | None = None

    def headers(self) -> dict[str, str]:
        """The bearer header with a valid access token (refreshed when expired)."""
        import google.auth
        import google.auth.exceptions
        import google.auth.transport.requests

        try:
            if self._credentials is None:
                self._credentials, _ = google.auth.default(scopes=self._scopes)
            credentials = self._credentials
            if not getattr(credentials, "valid", False):
                credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[attr-defined]
        except google.auth.exceptions.DefaultCredentialsError:
            raise SourceError(
                "auth",
                "no Google credentials found (Application Default Credentials / Workload Identity)",
            ) from None
        except google.auth.exceptions.GoogleAuthError as exc:
            raise SourceError(
                "auth", f"cannot get a Google access token ({type(exc).__name__})"
            ) from None
        token = getattr(credentials, "token", None)
        if not token:
            raise SourceError("auth", "Google credentials gave no access token")
        return {"Authorization": f"Bearer {token}"}

    def renew(self) -> bool:
        """Drop the credentials so the next request refreshes them."""
        self._credentials = None
        return True


def authenticator(
    auth: AirflowAuth, session: requests.Session, base_url: str, **request_args: object
) -> Authenticator:
    """The authenticator `auth` describes (reads the password from its SecretRef now)."""
    if auth.type == "none":
        return NoAuth()
    if auth.type == "google":
        return GoogleAuth(auth.scopes)
    assert auth.username is not None and auth.password is not None
    password = auth.password.read()
    if auth.type == "basic":
        return BasicAuth(auth.username, password)
    return JwtAuth(session, base_url, auth.username, password, **request_args)
