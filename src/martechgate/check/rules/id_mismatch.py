"""id-mismatch: an entry's `id` equals its file name.

Other entries, exceptions and the audit trail name tools by id; the file name is how people find
them. The two must agree.

Passes: ``catalog/canva.yaml`` holding ``id: canva``.

Fails: ``catalog/canva.yaml`` holding ``id: canva-pro``.
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "id-mismatch"
TITLE = "An entry's id is its file name"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = "Rename the file to <id>.yaml, or set id to the file name (without .yaml)."


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    data = entry.data
    if data is None or entry.loaded.problems or not isinstance(data.get("id"), str):
        return
    if data["id"] != entry.stem:
        yield catalog.finding(
            ID, entry, ("id",), f"the id is {data['id']!r} but the file is named {entry.stem!r}; they must be the same"
        )
