"""duplicate-id: no two entries share an id.

Passes: ``catalog/canva.yaml`` (id: canva) and ``catalog/figma.yaml`` (id: figma).

Fails: ``catalog/canva.yaml`` and ``catalog/canva.yml`` both with ``id: canva``; or
``catalog/canva.yaml`` and ``catalog/design/canva.yaml`` (folders do not make an id unique).
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Finding

ID = "duplicate-id"
TITLE = "Every entry has its own id"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "catalog"
REMEDIATION = "Keep one entry per tool: merge the two files, or give the second tool its own id and file name."


def check(catalog: Catalog) -> Iterator[Finding]:
    for entry_id, entries in sorted(catalog.by_id.items()):
        if len(entries) < 2:
            continue
        first = entries[0]
        for other in entries[1:]:
            yield catalog.finding(ID, other, ("id",), f"the id {entry_id!r} is already used by {first.file}")
