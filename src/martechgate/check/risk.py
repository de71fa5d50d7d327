"""The risk tier martechgate computes from what a tool holds, where its data goes, and what it costs.

An entry without `review.risk_tier` takes this tier; a declared tier below it is a finding (rule
risk-tier-understated), so reviewers and review rules can trust the tier either way.

What the inventory does not know (`unknown`) is read as the worst plausible case, and the reasons say
so: a confidential or restricted tool whose data categories are unknown is assumed to hold special
categories (sensitive-pii, phi, payment); a tool whose classification is unknown is read as confidential.
Guessing low would let an unreviewed tool skip the reviews its data may need. For the same reason a
cost in a currency the organisation has no exchange rate for is assumed to reach the threshold it
cannot be compared with (check/money.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from martechgate.check.money import Money, entry_amount
from martechgate.check.vocabulary import PERSONAL, RISK_TIERS

SPECIAL = frozenset({"sensitive-pii", "phi", "payment"})
UNKNOWN = "unknown"
# In the organisation's currency (money.DEFAULT_CURRENCY unless martechgate.yaml names another).
HIGH_COST = 100_000
MEDIUM_COST = 25_000
_NO_MONEY = Money()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _assumed(classification: Any, categories: set[str]) -> tuple[Any, set[str], list[str]]:
    """The classification and categories to judge by when the inventory does not know them, and why."""
    notes = []
    if classification == UNKNOWN:
        classification = "confidential"
        notes.append("classification unknown, read as confidential")
    if UNKNOWN in categories:
        if classification in ("confidential", "restricted"):
            assumed = SPECIAL
            worst = ", ".join(sorted(SPECIAL))
            notes.append(f"data categories unknown in a {classification} tool, assumed the worst: {worst}")
        elif classification == "internal":
            assumed = frozenset({"employee"})
            notes.append("data categories unknown in an internal tool, assumed employee data")
        else:
            assumed = frozenset()
        categories = (categories - {UNKNOWN}) | assumed
    return classification, categories, notes


def _cost_reason(entry: dict[str, Any], money: Money) -> Callable[[int], str | None]:
    """A function of a threshold: why the entry's annual cost reaches it, or None when it does not."""
    amount = entry_amount(entry, "annual_cost", money)
    converted = money.convert(amount) if amount is not None else 0.0

    def reaches(limit: int) -> str | None:
        if amount is None:
            return None
        if converted is None:
            return (
                f"annual cost {amount.words()} not comparable: {money.missing_rate(amount.currency)}; "
                f"assumed at least {limit:,} {money.currency}"
            )
        if converted < limit:
            return None
        shown = amount.words()
        if amount.currency != money.currency:
            dated = f" at the rate of {money.as_of.isoformat()}" if money.as_of else ""
            shown += f" ({converted:,.0f} {money.currency}{dated})"
        return f"annual cost {shown} of at least {limit:,} {money.currency}"

    return reaches


def computed_tier(entry: dict[str, Any], money: Money | None = None) -> tuple[str, list[str]]:
    """The tier and the reasons for it, highest first. Costs are compared in `money`'s currency (the
    organisation's; USD without one)."""
    data = _dict(entry.get("data"))
    categories = {c for c in _list(data.get("categories")) if isinstance(c, str)}
    classification, categories, assumptions = _assumed(data.get("classification"), categories)
    cost_reaches = _cost_reason(entry, money or _NO_MONEY)
    carried = {c for i in _list(entry.get("integrations")) for c in _list(_dict(i).get("data")) if isinstance(c, str)}
    special = sorted(categories & SPECIAL)
    personal = sorted(categories & PERSONAL)
    criticality = entry.get("criticality")
    rated = [f"the organisation rates it {criticality} (criticality)"]

    def tier(name: str, reasons: list[str]) -> tuple[str, list[str]]:
        if tier_rank(criticality) > tier_rank(name):
            name, reasons = str(criticality), rated + reasons
        elif tier_rank(criticality) == tier_rank(name):
            reasons = reasons + rated
        return name, reasons + assumptions

    if classification == "restricted" and special:
        return tier("critical", [f"restricted data of special categories ({', '.join(special)})"])
    high = []
    if special:
        high.append(f"special categories of data ({', '.join(special)})")
    if classification in ("confidential", "restricted") and personal:
        high.append(f"{classification} personal data ({', '.join(personal)})")
    if classification == "restricted" and not personal:
        high.append("restricted data")
    if (reason := cost_reaches(HIGH_COST)) is not None:
        high.append(reason)
    if carried & SPECIAL:
        high.append(f"integrations carry {', '.join(sorted(carried & SPECIAL))}")
    if high:
        return tier("high", high)
    medium = []
    if personal:
        medium.append(f"personal data ({', '.join(personal)})")
    if classification == "confidential":
        medium.append("confidential data")
    if (reason := cost_reaches(MEDIUM_COST)) is not None:
        medium.append(reason)
    if _dict(entry.get("oauth")).get("consent") == "tenant":
        medium.append("tenant-wide OAuth consent")
    if carried & PERSONAL:
        medium.append(f"integrations carry {', '.join(sorted(carried & PERSONAL))}")
    if medium:
        return tier("medium", medium)
    return tier("low", ["no personal data, low spend, no personal-data integrations"])


def tier_rank(tier: Any) -> int:
    return RISK_TIERS.index(tier) if tier in RISK_TIERS else -1


def with_computed_tier(entry: dict[str, Any], money: Money | None = None) -> dict[str, Any]:
    """The entry as policies read it: without a declared `review.risk_tier` it takes the computed one,
    so a policy about high-risk tools also judges a high-risk tool that declares no tier."""
    review = entry.get("review", {})
    if not isinstance(review, dict) or "risk_tier" in review:
        return entry
    return {**entry, "review": {**review, "risk_tier": computed_tier(entry, money)[0]}}
