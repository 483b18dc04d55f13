"""Where each value of a JSON file is, so findings on JSON inputs point at a file and line."""

from __future__ import annotations

import contextlib
import json
from bisect import bisect_right

from auditor.gcp.policy import FieldPath
from auditor.model import Location


class JsonLocator:
    """The line of every value in a JSON text, by path, found by walking the text once.

    Only used after json.loads accepted the text; a walk that goes wrong leaves the paths it
    could not reach unlocated (line of the nearest located parent) rather than raising.
    """

    def __init__(self, text: str, display: str) -> None:
        self.display = display
        self._text = text
        self._decoder = json.JSONDecoder()
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self._offsets: dict[FieldPath, int] = {}
        # Locations are a convenience: a walk that trips leaves later paths unlocated.
        with contextlib.suppress(ValueError, IndexError, RecursionError):
            self._walk(self._skip(0), ())

    def line_of(self, path: FieldPath) -> int:
        """Line of the value at `path`, or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            offset = self._offsets.get(path[:end])
            if offset is not None:
                return bisect_right(self._newlines, offset - 1) + 1
        return 1

    def locate(self, path: FieldPath) -> Location | None:
        """The file and line of the value at `path`, when the walk reached it."""
        offset = self._offsets.get(path)
        if offset is None:
            return None
        return Location(file=self.display, line=bisect_right(self._newlines, offset - 1) + 1)

    def _skip(self, index: int) -> int:
        text = self._text
        while index < len(text) and text[index] in " \t\r\n":
            index += 1
        return index

    def _walk(self, index: int, path: FieldPath) -> int:
        """Record where the value at `index` starts; return the index after it."""
        self._offsets[path] = index
        opener = self._text[index]
        if opener not in "{[":
            return int(self._decoder.raw_decode(self._text, index)[1])
        closer = "}" if opener == "{" else "]"
        index = self._skip(index + 1)
        position = 0
        while self._text[index] != closer:
            key: str | int = position
            if opener == "{":
                key, index = self._decoder.raw_decode(self._text, index)
                index = self._skip(self._skip(index) + 1)  # past the ':'
            index = self._skip(self._walk(index, (*path, key)))
            if self._text[index] == ",":
                index = self._skip(index + 1)
            position += 1
        return index + 1
