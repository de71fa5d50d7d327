"""duplicate-key: a key appears once in each mapping.

YAML parsers usually keep the last of two equal keys without a word, so a reviewer reading the first
would approve a value that is not the one in force. martechgate keeps the first and reports the second.

Passes::

    security:
      sso: saml

Fails (line 3: `sso` again)::

    security:
      sso: none
      sso: saml
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "duplicate-key"
TITLE = "No key is written twice in one mapping"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = "Delete one of the two lines with the same key, keeping the value you mean."


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    yield from catalog.load_problems(ID, entry)
