"""HTTP to the Airflow REST API: credentials, timeouts, retries, clean errors, pagination."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import requests

from auditor.collectors.airflow.auth import Authenticator, authenticator
from auditor.collectors.airflow.settings import AirflowSettings
from auditor.collectors.base import SourceError
from auditor.collectors.retry import retry

Params = Mapping[str, str | int | Sequence[str]]
_GATEWAY_ERRORS = frozenset({502, 503, 504})
MAX_ITEMS = 100_000  # a listing that never ends is a broken server, not a big estate


class _Transient(Exception):
    """A failure worth retrying (connection refused, timeout, gateway error)."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(str(error))
        self.error = error


class ApiError(SourceError):
    """An HTTP error answer; `status` lets callers treat one part's 403/404 as a problem."""

    def __init__(self, kind: str, message: str, status: int) -> None:
        super().__init__(kind, message)
        self.status = status


class AirflowClient:
    """One environment's API. Paths are relative to the base URL (`/api/v2/dags`)."""

    def __init__(self, settings: AirflowSettings) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "auditor"
        verify: bool | str = settings.verify_tls
        if settings.ca_bundle is not None:
            verify = str(settings.ca_bundle)
        self._request_args: dict[str, Any] = {
            "timeout": settings.request_timeout_seconds,
            "verify": verify,
        }
        self._auth: Authenticator | None = None
        self.deadline: float | None = None

    def _authenticator(self) -> Authenticator:
        if self._auth is None:
            self._auth = authenticator(
                self.settings.auth, self.session, self.base_url, **self._request_args
            )
        return self._auth

    def get(self, path: str, params: Params | None = None) -> Any:
        """The decoded JSON body of GET `path`; SourceError (ApiError for HTTP) otherwise."""
        try:
            return retry(
                lambda: self._get_once(path, params, renewed=False),
                transient=(_Transient,),
                attempts=3,
                deadline=self.deadline,
            )
        except _Transient as exc:
            raise exc.error from None

    def _get_once(self, path: str, params: Params | None, *, renewed: bool) -> Any:
        auth = self._authenticator()
        try:
            response = self.session.get(
                self.base_url + path,
                params=params,
                headers=auth.headers(),
                allow_redirects=False,
                **self._request_args,
            )
        except requests.Timeout:
            raise _Transient(
                SourceError(
                    "timeout",
                    f"no answer from {path} within {self.settings.request_timeout_seconds:g} s",
                )
            ) from None
        except requests.exceptions.SSLError:
            raise SourceError(
                "unreachable", f"TLS verification failed for {self.base_url}"
            ) from None
        except requests.RequestException as exc:
            raise _Transient(
                SourceError(
                    "unreachable", f"cannot connect to {self.base_url} ({type(exc).__name__})"
                )
            ) from None
        status = response.status_code
        if status in (401, 403) and not renewed and auth.renew():
            return self._get_once(path, params, renewed=True)
        if status == 401:
            raise ApiError("auth", f"Airflow refused the credentials (HTTP 401 on {path})", status)
        if status == 403:
            raise ApiError("permission", f"not allowed to read {path} (HTTP 403)", status)
        if status in _GATEWAY_ERRORS:
            raise _Transient(ApiError("unreachable", f"HTTP {status} on {path}", status))
        if 300 <= status < 400:
            # Composer / IAP send a login redirect when the token is not accepted.
            raise ApiError("auth", f"redirected to a login page (HTTP {status} on {path})", status)
        if status >= 500:
            raise ApiError("unreachable", f"Airflow answered HTTP {status} on {path}", status)
        if status >= 400:
            raise ApiError("protocol", f"HTTP {status} on {path}", status)
        try:
            return response.json()
        except ValueError:
            raise ApiError("protocol", f"{path} did not answer JSON", status) from None

    def paged(self, path: str, key: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Every item of a limit/offset listing, read to the end.

        The server caps `limit` at its own maximum_page_limit without saying so, so the offset
        advances by what each page really held.
        """
        items: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.get(
                path, {**(params or {}), "limit": self.settings.page_size, "offset": offset}
            )
            if not isinstance(page, dict) or not isinstance(page.get(key), list):
                raise SourceError("protocol", f"{path} answered without a {key!r} list")
            batch = [item for item in page[key] if isinstance(item, dict)]
            items.extend(batch)
            offset += len(page[key])
            total = page.get("total_entries")
            if not page[key] or (isinstance(total, int) and offset >= total):
                return items
            if len(items) >= MAX_ITEMS:
                raise SourceError("protocol", f"{path} lists more than {MAX_ITEMS} items")

    def total(
        self, path: str, key: str, params: Params | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """`total_entries` of a filtered listing and its first item (a count in one call)."""
        page = self.get(path, {**(params or {}), "limit": 1, "offset": 0})
        if not isinstance(page, dict) or not isinstance(page.get(key), list):
            raise SourceError("protocol", f"{path} answered without a {key!r} list")
        items = [item for item in page[key] if isinstance(item, dict)]
        total = page.get("total_entries")
        return (total if isinstance(total, int) else len(items)), items

    def start(self, timeout_seconds: float) -> None:
        """Bound every retry of this collection by the source's deadline."""
        self.deadline = time.monotonic() + timeout_seconds

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()
