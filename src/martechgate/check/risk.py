"""The risk tier martechgate computes from what a tool holds, where its data goes, and what it costs.

A declared `review.risk_tier` below this is a finding (rule risk-tier-understated), so reviewers
and review rules can trust the declared tier.
"""

from __future__ import annotations

from typing import Any

from martechgate.check.vocabulary import PERSONAL, RISK_TIERS

SPECIAL = frozenset({"sensitive-pii", "phi", "payment"})
HIGH_COST = 100_000
MEDIUM_COST = 25_000


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def computed_tier(entry: dict[str, Any]) -> tuple[str, list[str]]:
    """The tier and the reasons for it, highest first."""
    data = _dict(entry.get("data"))
    categories = {c for c in _list(data.get("categories")) if isinstance(c, str)}
    classification = data.get("classification")
    cost = _dict(entry.get("contract")).get("annual_cost")
    cost = cost if isinstance(cost, int | float) and not isinstance(cost, bool) else 0
    carried = {c for i in _list(entry.get("integrations")) for c in _list(_dict(i).get("data")) if isinstance(c, str)}
    special = sorted(categories & SPECIAL)
    personal = sorted(categories & PERSONAL)

    if classification == "restricted" and special:
        return "critical", [f"restricted data of special categories ({', '.join(special)})"]
    high = []
    if special:
        high.append(f"special categories of data ({', '.join(special)})")
    if classification in ("confidential", "restricted") and personal:
        high.append(f"{classification} personal data ({', '.join(personal)})")
    if cost >= HIGH_COST:
        high.append(f"annual cost {cost:,.0f} of at least {HIGH_COST:,}")
    if carried & SPECIAL:
        high.append(f"integrations carry {', '.join(sorted(carried & SPECIAL))}")
    if high:
        return "high", high
    medium = []
    if personal:
        medium.append(f"personal data ({', '.join(personal)})")
    if cost >= MEDIUM_COST:
        medium.append(f"annual cost {cost:,.0f} of at least {MEDIUM_COST:,}")
    if _dict(entry.get("oauth")).get("consent") == "tenant":
        medium.append("tenant-wide OAuth consent")
    if carried & PERSONAL:
        medium.append(f"integrations carry {', '.join(sorted(carried & PERSONAL))}")
    if medium:
        return "medium", medium
    return "low", ["no personal data, low spend, no personal-data integrations"]


def tier_rank(tier: Any) -> int:
    return RISK_TIERS.index(tier) if tier in RISK_TIERS else -1
