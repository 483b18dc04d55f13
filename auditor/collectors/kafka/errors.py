"""Kafka client errors → secret-free SourceErrors with a stable kind."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Sequence

from auditor.collectors.base import SourceError

_KINDS = {
    "unreachable": {"_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_DESTROY", "_NODE_UPDATE"},
    "timeout": {"_TIMED_OUT", "REQUEST_TIMED_OUT", "_TIMED_OUT_QUEUE"},
    "auth": {
        "SASL_AUTHENTICATION_FAILED",
        "_AUTHENTICATION",
        "_SSL",
        "ILLEGAL_SASL_STATE",
        "UNSUPPORTED_SASL_MECHANISM",
    },
    "permission": {
        "CLUSTER_AUTHORIZATION_FAILED",
        "TOPIC_AUTHORIZATION_FAILED",
        "GROUP_AUTHORIZATION_FAILED",
        "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
    },
}
# Errors that mean the cluster itself cannot be talked to: the whole source is down.
CONNECTION_KINDS = ("unreachable", "timeout", "auth")


def error_code_name(exc: BaseException) -> str:
    """The librdkafka error name ('_TRANSPORT', 'GROUP_AUTHORIZATION_FAILED') of an exception."""
    if isinstance(exc, concurrent.futures.TimeoutError | TimeoutError):
        return "_TIMED_OUT"
    error = exc.args[0] if exc.args else None
    name = getattr(error, "name", None)
    return str(name()) if callable(name) else type(exc).__name__


def error_kind(exc: BaseException) -> str:
    """unreachable, timeout, auth, permission or protocol."""
    name = error_code_name(exc)
    return next((kind for kind, names in _KINDS.items() if name in names), "protocol")


def describe(exc: BaseException, secrets: Sequence[str] = ()) -> str:
    """'NAME: text' with any known secret value replaced (librdkafka never prints passwords,
    but nothing we did not write ourselves is trusted to be free of them)."""
    name = error_code_name(exc)
    error = exc.args[0] if exc.args else None
    text_of = getattr(error, "str", None)
    text = str(text_of()) if callable(text_of) else ""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return f"{name}: {text}" if text and text != name else name


def source_error(what: str, exc: BaseException, secrets: Sequence[str] = ()) -> SourceError:
    """A SourceError saying what failed, of the kind the error belongs to."""
    return SourceError(error_kind(exc), f"{what}: {describe(exc, secrets)}")
