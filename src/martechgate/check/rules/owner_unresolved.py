"""owner-unresolved: every owner is someone martechgate can reach: an email, a handle or a group.

Inventories name owners as people say them ("Jane Doe", "Marketing Ops", "jane@"). Such a name is
kept as written, so that an imported entry loses nobody, and this rule asks for it to be resolved:
reminders and reviews need an address, a GitHub handle (@login, or @org/team for a team) or a group
of martechgate.yaml to reach the owner, and owners-distinct can only tell two people apart that way.

Passes::

    owners: {business: [jane.doe@example.com, "@mia"], technical: it}     # `it` is a group

Fails::

    owners: {business: Jane Doe, technical: "@raj"}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check import identity
from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "owner-unresolved"
TITLE = "Every owner is an email, a GitHub handle or a group"
SEVERITY = "low"
ENFORCEMENT = "soft"
SCOPE = "entry"
REMEDIATION = (
    "Write the owner's email (jane.doe@example.com), GitHub handle (@jdoe, or @org/team) or a group "
    "of martechgate.yaml; when importing, add the name to the mapping's people table (key, email) and "
    "import again with --update."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return
    organization = catalog.organization
    owners = (entry.data or {})["owners"]
    for role in ("business", "technical"):
        value = owners[role]
        for index, text in enumerate(identity.owner_values(value)):
            if identity.owner_kind(text, organization.groups) != "name":
                continue
            path: tuple[str | int, ...] = ("owners", role, index) if isinstance(value, list) else ("owners", role)
            inside = sorted(identity.mailboxes(text))
            message = (
                f"{organization.role_label(role)} {text!r} holds an address among other text; write the address "
                f"alone: {', '.join(inside)}"
                if inside
                else f"{organization.role_label(role)} {text!r} is a name, not an email, a GitHub handle or a group "
                "of martechgate.yaml: nobody can be reminded or asked to review through it"
            )
            yield catalog.finding(ID, entry, path, message)
