"""Message text from rules and resources is arbitrary: make it safe for each medium.

A resource name or an error string can carry terminal escape sequences or characters XML 1.0
cannot hold; printed raw they would repaint a terminal or make a JUnit file unparseable.
"""

from __future__ import annotations

import re

# C0 and C1 control characters other than tab and newline (ESC starts terminal sequences),
# and the bidirectional overrides that make text display in another order than it reads.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What XML 1.0 cannot contain at all, not even escaped.
_NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

REPLACEMENT = "\ufffd"


def for_terminal(text: str) -> str:
    """`text` with control characters (ESC, CR, BEL, bidi overrides) replaced: it cannot drive
    or reorder the terminal."""
    return _TERMINAL_CONTROL.sub(REPLACEMENT, text)


def for_xml(text: str) -> str:
    """`text` with the characters XML 1.0 forbids replaced; escaping is the serialiser's job."""
    return _NOT_XML.sub(REPLACEMENT, text)


def shortened(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"
