"""risk-tier-understated: the declared risk tier is at least the one martechgate computes.

Computed from the data (critical: restricted data of special categories, i.e. sensitive-pii, phi or
payment; high: special categories, confidential personal data, a cost of 100,000 or more, or
integrations carrying special categories; medium: any personal data, a cost of 25,000 or more,
tenant-wide OAuth consent, or integrations carrying personal data; else low). Review rules and
policies read the declared tier, so it must not be lower.

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
    tier, reasons = computed_tier(data)
    declared = (data.get("review") or {}).get("risk_tier")
    if declared is None:
        path = ("review", "risk_tier") if "review" in data else ("review",)
        yield catalog.finding(
            ID,
            entry,
            path,
            f"no risk tier is declared; martechgate computes {tier} "
            f"({'; '.join(reasons)}): add review.risk_tier: {tier}",
            missing=True,
        )
    elif tier_rank(declared) < tier_rank(tier):
        yield catalog.finding(
            ID,
            entry,
            ("review", "risk_tier"),
            f"the declared risk tier is {declared}, below the computed {tier} ({'; '.join(reasons)})",
        )
