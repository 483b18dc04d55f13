"""Canary secrets and the one check every channel goes through: none of them, in any of the
forms a driver or an HTTP stack might write it (raw, URL-encoded, base64 at any alignment,
hex), appears in what auditor said."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus


def canary(what: str) -> str:
    """A unique, recognisable secret value: `canary-<what>-<uuid4 hex>`."""
    return f"canary-{what}-{uuid.uuid4().hex}"


def _base64_fragments(secret: bytes) -> set[bytes]:
    """The part of base64 text that encodes `secret` wherever it starts in a longer value
    (e.g. `user:password` of an HTTP Basic header): one fragment per alignment mod 3."""
    fragments: set[bytes] = set()
    for offset in range(3):
        padded = b"\0" * offset + secret
        whole = (
            len(padded) // 3 * 3
        )  # complete 3-byte groups only: the tail depends on what follows
        encoded = base64.b64encode(padded[:whole])
        skip = -(-offset * 4 // 3)  # characters touched by the leading padding
        core = encoded[skip:]
        fragments.add(core)
        fragments.add(core.replace(b"+", b"-").replace(b"/", b"_"))  # urlsafe alphabet
    return fragments


def forms(secret: str) -> dict[str, bytes]:
    """Every form of `secret` looked for, by name."""
    raw = secret.encode("utf-8")
    found = {
        "raw": raw,
        "url-encoded": quote(secret, safe="").encode("ascii"),
        "url-encoded (plus)": quote_plus(secret).encode("ascii"),
        "hex": binascii.hexlify(raw),
    }
    for index, fragment in enumerate(sorted(_base64_fragments(raw))):
        found[f"base64#{index}"] = fragment
    return found


@dataclass
class Canaries:
    """The planted secrets by name (what each is, for the failure message)."""

    secrets: dict[str, str] = field(default_factory=dict)

    def plant(self, name: str, value: str | None = None) -> str:
        """Register a secret (a fresh canary unless `value` is given); returns its value."""
        self.secrets[name] = value if value is not None else canary(name)
        return self.secrets[name]

    def leaks(self, data: str | bytes) -> list[str]:
        """`name (form)` of each planted secret found in `data` (case-insensitive for hex)."""
        haystack = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        lowered = haystack.lower()
        found = []
        for name, secret in self.secrets.items():
            for form, needle in forms(secret).items():
                where = lowered if form == "hex" else haystack
                if needle in where:
                    found.append(f"{name} ({form})")
        return found


def assert_no_canary(canaries: Canaries, data: str | bytes, where: str) -> None:
    """Fail naming `where`, the secret and its form, with the text around the first hit."""
    leaked = canaries.leaks(data)
    if leaked:
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        secret = canaries.secrets[leaked[0].split(" (")[0]]
        at = text.find(secret)
        context = text[max(0, at - 300) : at + len(secret) + 100] if at >= 0 else text[:400]
        raise AssertionError(f"secret leaked into {where}: {', '.join(leaked)}\n…{context}…")


def assert_none_anywhere(canaries: Canaries, channels: Iterable[tuple[str, str | bytes]]) -> None:
    """`assert_no_canary` over (where, data) pairs, reporting every leaking channel at once."""
    failures = []
    for where, data in channels:
        try:
            assert_no_canary(canaries, data, where)
        except AssertionError as exc:
            failures.append(str(exc))
    assert not failures, "\n\n".join(failures)
