"""owners-distinct: the business owner (marketing) and the technical owner (IT) are two people.

Joint ownership is the point of the catalog: one person in both roles removes the second pair of eyes.

Passes::

    owners: {business: jane.doe@example.com, technical: raj.patel@example.com}

Fails::

    owners: {business: jane.doe@example.com, technical: Jane.Doe+it@example.com}

Addresses are compared in one form (`identity.canonical_email`): case, `mailto:`, angle brackets, a
trailing dot and a `+sub-address` make no other person.
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check import identity
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
    if identity.same_mailbox(owners["business"], owners["technical"]):
        yield catalog.finding(
            ID, entry, ("owners", "technical"), f"{owners['technical']} is both the business and the technical owner"
        )
