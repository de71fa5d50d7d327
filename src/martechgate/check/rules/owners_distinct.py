"""owners-distinct: no one is both a business and a technical owner of a tool.

Joint ownership is the point of the catalog: one person in both roles removes the second pair of eyes.
Each role may name several owners (emails, GitHub handles or teams, groups of martechgate.yaml); no
person or group may appear on both sides, and a group counts as its members.

Passes::

    owners: {business: [jane.doe@example.com, "@mia"], technical: it}     # group it: [raj]

Fails::

    owners: {business: jane.doe@example.com, technical: Jane.Doe+it@example.com}
    owners: {business: marketing, technical: "@bob"}                      # group marketing: [bob]

Addresses are compared in one form (`identity.canonical_email`): case, `mailto:`, angle brackets, a
trailing dot and a `+sub-address` make no other person; handles are compared without case.
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
REMEDIATION = (
    "Name someone else as owners.technical (the technical owner answers for access and security; the "
    "business owner for how the tool is used)."
)


def _shown(key: str) -> str:
    kind, _, value = key.partition(":")
    return {"gh": f"@{value}", "team": f"@{value}", "group": f"group {value}"}.get(kind, value)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return
    organization = catalog.organization
    owners = (entry.data or {})["owners"]
    groups = organization.group_logins()
    business = identity.owner_people(owners["business"], groups)
    technical = identity.owner_people(owners["technical"], groups)
    both = sorted(business & technical)
    if not both:
        return
    # A group counts as its members: name the group, not each member twice.
    named = [key for key in both if not key.startswith("gh:")] or both
    who = ", ".join(_shown(key) for key in named)
    yield catalog.finding(
        ID,
        entry,
        ("owners", "technical"),
        f"{who} {'is' if len(named) == 1 else 'are'} in both owner roles ({organization.role_label('business')} "
        f"and {organization.role_label('technical')}); the two roles need different people",
    )
