"""exception-invalid: every exception names an existing, waivable rule, a reason, an approver and an
expiry at most 365 days ahead.

The approver is an email address and not one of the tool's owners; hard rules cannot be waived.

Passes::

    exceptions:
      - {rule: pii-requires-scim, reason: "SCIM only on Enterprise tier", approved_by: ciso@example.com,
         ticket: SEC-1423, expires: 2027-01-31}

Fails (no such rule; no approver)::

    exceptions:
      - {rule: scim-please, reason: "later", expires: 2027-01-31}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check import waivers
from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding

ID = "exception-invalid"
TITLE = "Exceptions are complete, time-limited and name a waivable rule"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = (
    "Give the exception rule, reason, approved_by (the approver's email, not an owner's), ticket "
    "and expires (at most 365 days ahead), for a soft or advisory rule."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    for judged in waivers.judge(catalog, entry):
        if judged.problem == ID:
            yield catalog.finding(ID, entry, judged.path, judged.message, missing=judged.missing)
