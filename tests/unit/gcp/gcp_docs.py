"""The field tables of docs/resource-kinds/gcp.md, read the way a rule author reads them."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "resource-kinds" / "gcp.md"


def documented_fields() -> dict[str, set[str]]:
    """Field names from the first column of each kind's tables.

    A `### \\`FIELD[]\\`` heading under a kind starts the table of that list's items, keyed
    'KIND.FIELD' (gcp.gke_cluster.node_pools).
    """
    fields: dict[str, set[str]] = {}
    kind = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (gcp\.\w+)", line)
        items = re.match(r"^### `(\w+)\[\]`", line)
        if heading:
            kind = heading.group(1)
            fields[kind] = set()
        elif items and kind:
            kind = f"{kind.split('.')[0]}.{kind.split('.')[1]}.{items.group(1)}"
            fields[kind] = set()
        elif line.startswith("## "):
            kind = None
        elif kind and line.startswith("| `"):
            first_column = line.split("|")[1]
            fields[kind].update(re.findall(r"`(\w+)`", first_column))
    return fields
