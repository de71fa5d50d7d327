"""risk-tier-understated: a declared risk tier is at least the one martechgate computes.

Computed from the data (critical: restricted data of special categories, i.e. sensitive-pii, phi or
payment; high: special categories, confidential personal data, restricted data, a cost of 100,000 or
more, or integrations carrying special categories; medium: any personal data, confidential data, a
cost of 25,000 or more, tenant-wide OAuth consent, or integrations carrying personal data; else low),
and never below the organisation's own `criticality`. What is `unknown` counts as the worst plausible
case. An entry that declares no tier takes the computed one (policies and review rules read it), so
only a declared tier below the computed one is a finding.

Passes::

    data: {classification: confidential, categories: [contact-pii]}
    review: {risk_tier: high}

Fails (computed: high)::

    data: {classification: confidential, categories: [contact-pii]}
    review: {risk_tier: low}
"""

from __future__ import annotations

from collections.abc import Iterator

from martechgate.check.catalog import Catalog
from martechgate.check.model import Entry, Finding
from martechgate.check.risk import computed_tier, tier_rank

ID = "risk-tier-understated"
TITLE = "The declared risk tier is not below the computed one"
SEVERITY = "high"
ENFORCEMENT = "hard"
SCOPE = "entry"
REMEDIATION = (
    "Set review.risk_tier to the computed tier (or higher); the tool then gets the reviews "
    "and evidence that tier needs."
)


def check_entry(catalog: Catalog, entry: Entry) -> Iterator[Finding]:
    if not catalog.is_valid(entry):
        return
    data = entry.data
    assert data is not None
    tier, reasons = computed_tier(data, catalog.organization.money)
    declared = (data.get("review") or {}).get("risk_tier")
    if declared is not None and tier_rank(declared) < tier_rank(tier):
        yield catalog.finding(
            ID,
            entry,
            ("review", "risk_tier"),
            f"the declared risk tier is {declared}, below the computed {tier} ({'; '.join(reasons)})",
        )
