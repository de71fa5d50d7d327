"""owners-distinct: the business owner (marketing) and the technical owner (IT) are two people.

Joint ownership is the point of the catalog: one person in both roles removes the second pair of eyes.

Passes::

    owners: {business: jane.doe@example.com, technical: raj.patel@example.com}

Fails::

    owners: {business: jane.doe@example.com, technical: Jane.Doe@example.com}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "owners-distinct"
TITLE = "Business and technical owners are different people"
SEVERITY = "medium"
ENFORCEMENT = "soft"
SCOPE = "entry"
REMEDIATION = "Name an IT person as owners.technical (the marketing owner stays owners.business)."


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return
    owners = (entry.data or {})["owners"]
    if owners["business"].strip().lower() == owners["technical"].strip().lower():
        yield catalog.finding(
            ID, entry, ("owners", "technical"), f"{owners['technical']} is both the business and the technical owner"
        )
