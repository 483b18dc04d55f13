"""Reading a user's input file as text, with one error wording for every loader."""

from __future__ import annotations

from pathlib import Path

from auditor.errors import InputError


def read_input_text(path: Path) -> str:
    """The file's text; a UTF-8 byte-order mark is dropped (editors on Windows write one).

    Raises InputError naming the file when it cannot be read or is not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=str(path)) from None
