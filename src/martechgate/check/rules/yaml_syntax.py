"""yaml-syntax: the file must be one YAML document of plain values, in UTF-8.

Refused: broken YAML, several documents (---) in one file, tags that would build objects
(`!!python/object`, `!!binary`, `!custom`), alias bombs, nesting deeper than 64 levels, text that is
not UTF-8.

Passes::

    id: canva
    name: Canva

Fails (line 2: the value is not closed)::

    id: canva
    name: "Canva
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "yaml-syntax"
TITLE = "Each catalog file is one YAML document of plain values"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = (
    "Fix the YAML at the line shown (an editor with the martechgate schema, or "
    "`martechgate new`, writes valid files); nothing else in this file can be checked until then."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    yield from catalog.load_problems(ID, entry)
