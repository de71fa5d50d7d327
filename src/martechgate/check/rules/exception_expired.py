"""exception-expired: an expired exception no longer waives anything, and is itself a finding.

Renew it (a new approval with a new expiry) or fix what it waived, then delete it.

Passes (today 2026-11-23)::

    exceptions:
      - {rule: pii-requires-scim, reason: "...", approved_by: ciso@example.com, expires: 2027-01-31}

Fails::

    exceptions:
      - {rule: pii-requires-scim, reason: "...", approved_by: ciso@example.com, expires: 2026-01-31}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check import waivers
from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "exception-expired"
TITLE = "Exceptions in force have not expired"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = (
    "Fix what the exception waived and delete it, or get it approved again with a new expires "
    "date (at most 365 days ahead)."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    for judged in waivers.judge(catalog, entry):
        if judged.problem == ID:
            yield catalog.finding(ID, entry, judged.path, judged.message)
