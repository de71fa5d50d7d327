"""schema: every entry fits the entry format (`martechgate schema` prints it).

Required fields, known field names (your own ones start with `x-`), the allowed values of each
choice, dates as YYYY-MM-DD, emails, web addresses, two-letter country codes.

Passes::

    status: approved
    security: {sso: saml}

Fails (line 1: `aproved` is not a status; line 2: `SAML` is not one of saml, oidc, none)::

    status: aproved
    security: {sso: SAML}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "schema"
TITLE = "Entries follow the entry format"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = (
    "Correct the field as the message says; `martechgate schema` prints the format, and an "
    "editor with the yaml-language-server modeline shows it as you type."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if entry.loaded.problems:
        return  # reported by yaml-syntax, duplicate-key or file-refused
    if entry.loaded.value is None:
        yield catalog.finding(
            ID,
            entry,
            None,
            "the file is empty; an entry has fields apiVersion, id, name, vendor, ... (`martechgate new` writes one)",
            line=1,
            column=1,
        )
    elif entry.data is None:
        yield catalog.finding(
            ID,
            entry,
            (),
            "the file must be a mapping of fields (key: value lines), not a single value or a list",
            line=1,
            column=1,
        )
    for problem in catalog.schema_problems(entry):
        yield catalog.finding(ID, entry, problem.path, problem.message, missing=problem.missing)
