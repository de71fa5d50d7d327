"""Overlap: pairs of tools in use that share a category and much of what they do, with what they
cost together, as candidates for consolidation.

Two tools are a candidate pair when they have the same `category` and the Jaccard similarity of
their `capabilities` (shared ÷ all distinct capabilities of the two) is at least the threshold
(DEFAULT_SIMILARITY, 0.3: e.g. 2 shared out of 6 distinct). Retired and denied tools are left out:
they are not in use. Tools without capabilities cannot be compared and are left out.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import combinations
from typing import Any

from martechgate.errors import UsageError
from martechgate.formats.tables import Column, Table
from martechgate.vendors.spend import NO_CURRENCY, Cost, HourlyRates, amount, cost_of
from martechgate.vendors.tools import INACTIVE, Tool, ToolSet

DEFAULT_SIMILARITY = 0.3


def jaccard(a: Collection[str], b: Collection[str]) -> float:
    a, b = set(a), set(b)
    union = len(a | b)
    return len(a & b) / union if union else 0.0


COLUMNS = (
    Column("category", "Category", drop=2),
    Column("tool_a", "Tool"),
    Column("status_a", "Status", drop=3),
    Column("tool_b", "Overlaps with"),
    Column("status_b", "Status", drop=3),
    Column("similarity", "Similarity", "right", drop=1),
    Column("shared", "Shared capabilities", drop=2),
    Column("currency", "Currency"),
    Column("combined_annual", "Combined/yr", "right"),
    Column("combined_tco", "Combined TCO", "right", drop=2),
    Column("note", "Note", drop=1),
)


def overlap(
    tools: ToolSet, *, min_similarity: float = DEFAULT_SIMILARITY, rates: HourlyRates | None = None, source: str = ""
) -> Table:
    """Candidate pairs, most similar first, then most expensive together."""
    if not 0 < min_similarity <= 1:
        raise UsageError(
            f"--min-similarity {min_similarity} is out of range",
            hint="Give a number above 0 and at most 1 (0.3 = 30% of capabilities shared).",
        )
    rates = rates or HourlyRates()
    active = [tool for tool in tools.tools if tool.active and tool.category and tool.capabilities]
    by_category: dict[str, list[Tool]] = {}
    for tool in active:
        by_category.setdefault(tool.category or "", []).append(tool)
    capabilities = {tool.id: frozenset(tool.capabilities) for tool in active}  # once, not once a pair
    costs = {tool.id: cost_of(tool, rates) for tool in active}
    rows = []
    for category, members in sorted(by_category.items()):
        for a, b in combinations(sorted(members, key=lambda t: t.id), 2):
            similarity = jaccard(capabilities[a.id], capabilities[b.id])
            if similarity >= min_similarity:
                rows.append(_row(category, (costs[a.id], costs[b.id]), similarity))
    rows.sort(key=lambda row: (-row["similarity"], -(row["combined_annual"] or 0), row["tool_a"], row["tool_b"]))
    meta: dict[str, Any] = {
        "source": source,
        "rule": (
            f"same category, Jaccard similarity of capabilities at least {min_similarity:g} "
            "(shared / all distinct capabilities of the pair)"
        ),
        "excluded": f"status {' and '.join(INACTIVE)}; tools without a category or capabilities",
        "currencies": "a pair in two currencies has no combined amount (never added together)",
    }
    in_use = [tool for tool in tools.tools if tool.active]
    lacking = sorted(tool.id for tool in in_use if not tool.capabilities or not tool.category)
    meta["not compared"] = (
        f"{len(lacking)} of {len(in_use)} tools in use record no capabilities (or no category), so overlaps "
        "among them cannot be seen"
        + (f": {', '.join(lacking[:10])}{' ...' if len(lacking) > 10 else ''}" if lacking else "")
    )
    if tools.skipped:
        meta["skipped"] = [str(skipped) for skipped in tools.skipped]
    return Table(COLUMNS, rows, title="Overlapping tools (consolidation candidates)", meta=meta)


def _row(category: str, pair: tuple[Cost, Cost], similarity: float) -> dict[str, Any]:
    cost_a, cost_b = pair
    a, b = cost_a.tool, cost_b.tool
    notes = []
    combined_annual: float | None = None
    combined_tco: float | None = None
    currency: str | None = cost_a.currency
    if cost_a.currency != cost_b.currency:
        currency = None
        notes.append(f"{a.id} is priced in {cost_a.currency}, {b.id} in {cost_b.currency}: not added")
    elif a.annual_cost is None or b.annual_cost is None or currency == NO_CURRENCY:
        notes.append(
            "annual cost or currency not recorded for "
            + " and ".join(t.id for t in (a, b) if t.annual_cost is None or t.currency is None)
        )
    else:
        combined_annual = a.annual_cost + b.annual_cost
        combined_tco = (cost_a.tco or 0) + (cost_b.tco or 0)
    return {
        "category": category,
        "tool_a": a.id,
        "status_a": a.status,
        "tool_b": b.id,
        "status_b": b.status,
        "similarity": round(similarity, 2),
        "shared": sorted(set(a.capabilities) & set(b.capabilities)),
        "currency": currency,
        "combined_annual": amount(combined_annual),
        "combined_tco": amount(combined_tco),
        "note": "; ".join(notes) or None,
    }
