"""Spend: the licence and the total cost of ownership, by group, and the cost per seat against the
category's median.

Total cost of ownership (TCO) over the contract term::

    licence      = contract.annual_cost x term years
    support      = contract.support_hours_month x 12 x term years x hourly rate
    TCO          = licence + contract.implementation_cost (one-time) + support

The term runs from contract.start to contract.renewal, in whole months; when either date is missing
(or the renewal is not after the start) a 12-month term is assumed and the row says so. The hourly
rate prices internal effort, in the entry's own currency (DEFAULT_HOURLY_RATE unless told).

A tool whose annual cost is not recorded or `unknown` is counted apart ("Cost unknown"), never as 0:
its licence and TCO show as unknown. A cost of 0 (a free plan) is a cost.

Amounts in different currencies are never added together: every group is split by currency, and
each currency has its own total.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from martechgate.check.money import Money
from martechgate.errors import UsageError
from martechgate.formats.tables import Column, Table
from martechgate.vendors.tools import INACTIVE, Tool, ToolSet

DEFAULT_HOURLY_RATE = 75.0
DEFAULT_TERM_MONTHS = 12
NO_CURRENCY = "(none)"
UNKNOWN = "unknown"  # shown for a cost that is not known, which is not 0
ALL = "(all)"


@dataclass(frozen=True)
class HourlyRates:
    """The price of an hour of internal effort: one default, optionally one per currency."""

    default: float = DEFAULT_HOURLY_RATE
    by_currency: dict[str, float] = field(default_factory=dict)

    def of(self, currency: str | None) -> float:
        return self.by_currency.get(currency or "", self.default)

    @classmethod
    def parse(cls, values: Iterable[str]) -> HourlyRates:
        """`75` sets the default; `EUR=70` the rate for one currency."""
        default = DEFAULT_HOURLY_RATE
        by_currency: dict[str, float] = {}
        for value in values:
            currency, separator, number = value.rpartition("=")
            try:
                rate = float(number)
            except ValueError:
                rate = -1.0
            bad_currency = bool(separator) and not (len(currency) == 3 and currency.isalpha())
            if not math.isfinite(rate) or rate < 0 or bad_currency:
                raise UsageError(
                    f"--hourly-rate {value!r} is not a rate",
                    hint="Write a number of at least 0 (75), or a currency and a number (EUR=70).",
                )
            if currency:
                by_currency[currency.upper()] = rate
            else:
                default = rate
        return cls(default, by_currency)

    def describe(self) -> str:
        parts = [f"{amount(self.default)} per hour of internal effort, in the entry's currency"]
        parts += [f"{amount(rate)} {currency}" for currency, rate in sorted(self.by_currency.items())]
        return "; ".join(parts)


@dataclass(frozen=True)
class Cost:
    """What one tool costs over its contract term; None where the entry does not say."""

    tool: Tool
    term_months: int
    term_note: str | None
    licence_term: float | None
    implementation: float
    support_term: float
    tco: float | None
    notes: tuple[str, ...]

    @property
    def currency(self) -> str:
        return self.tool.currency or NO_CURRENCY

    @property
    def per_seat(self) -> float | None:
        tool = self.tool
        if tool.annual_cost is None or not tool.seats:
            return None
        return tool.annual_cost / tool.seats

    @property
    def tco_per_year(self) -> float | None:
        """TCO spread over the term: comparable between contracts of different lengths."""
        return self.tco / (self.term_months / 12) if self.tco is not None else None


def term_months(tool: Tool) -> tuple[int, str | None]:
    start, renewal = tool.start, tool.renewal
    if start is None or renewal is None:
        missing = " and ".join(name for name, value in (("start", start), ("renewal", renewal)) if value is None)
        return DEFAULT_TERM_MONTHS, f"{DEFAULT_TERM_MONTHS}-month term assumed (no contract.{missing})"
    if renewal <= start:
        return DEFAULT_TERM_MONTHS, f"{DEFAULT_TERM_MONTHS}-month term assumed (renewal is not after start)"
    # Whole months, rounded: 2024-09-01 -> 2027-08-31 is a 36-month term, not 35.
    months = round((renewal - start).days / (365.25 / 12))
    return max(months, 1), None


def cost_of(tool: Tool, rates: HourlyRates) -> Cost:
    months, term_note = term_months(tool)
    years = months / 12
    notes = list(tool.notes)
    if term_note:
        notes.append(term_note)
    if tool.annual_cost is None:
        notes.append("annual cost unknown (contract.annual_cost): licence and TCO unknown, not 0")
    if tool.annual_cost is not None and tool.currency is None:
        notes.append("no contract.currency")
    implementation = tool.implementation_cost
    if implementation is None:
        notes.append("no contract.implementation_cost (counted as 0)")
    hours = tool.support_hours_month
    if hours is None:
        notes.append("no contract.support_hours_month (counted as 0)")
    support = (hours or 0) * 12 * years * rates.of(tool.currency)
    licence = tool.annual_cost * years if tool.annual_cost is not None else None
    tco = licence + (implementation or 0) + support if licence is not None else None
    return Cost(tool, months, term_note, licence, implementation or 0, support, tco, tuple(notes))


def converted(cost: Cost, money: Money) -> Cost:
    """The cost in the organisation's currency (a tool naming no currency is in it already), or as it
    is, with a note, when there is no rate for its currency."""
    currency = cost.tool.currency or money.currency
    rate = money.rate(currency)
    if rate is None:
        return replace(cost, notes=(*cost.notes, f"not converted: {money.missing_rate(currency)}"))
    tool = cost.tool
    annual = tool.annual_cost * rate if tool.annual_cost is not None else None
    implementation = tool.implementation_cost * rate if tool.implementation_cost is not None else None
    return Cost(
        replace(tool, annual_cost=annual, implementation_cost=implementation, currency=money.currency),
        cost.term_months,
        cost.term_note,
        cost.licence_term * rate if cost.licence_term is not None else None,
        cost.implementation * rate,
        cost.support_term * rate,
        cost.tco * rate if cost.tco is not None else None,
        tuple(note for note in cost.notes if note != "no contract.currency"),
    )


def _costs(tools: ToolSet, rates: HourlyRates, include_inactive: bool, money: Money | None) -> list[Cost]:
    costs = [cost_of(tool, rates) for tool in _select(tools, include_inactive)]
    return costs if money is None else [converted(cost, money) for cost in costs]


def amount(value: float | None) -> float | int | None:
    """Money for output: whole numbers stay whole (48000, not 48000.0), the rest to the cent."""
    if value is None:
        return None
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


GROUPINGS: dict[str, Callable[[Tool], str | None]] = {
    "category": lambda tool: tool.category,
    "department": lambda tool: tool.department,
    "status": lambda tool: tool.status,
}
BY_CHOICES = (*GROUPINGS, "tool")


def _select(tools: ToolSet, include_inactive: bool) -> list[Tool]:
    return [tool for tool in tools.tools if include_inactive or tool.active]


def _meta(
    tools: ToolSet, rates: HourlyRates, include_inactive: bool, source: str, money: Money | None
) -> dict[str, Any]:
    currencies = "never added together: one row per group and currency, one total per currency"
    if money is not None:
        dated = f" of {money.as_of.isoformat()}" if money.as_of else ""
        currencies = (
            f"converted into {money.currency} with the exchange rates{dated} in martechgate.yaml; a currency "
            "without a rate keeps its own rows and total"
        )
    meta: dict[str, Any] = {
        "source": source,
        "hourly rate": rates.describe(),
        "currencies": currencies,
        "term": f"contract.start to contract.renewal ({DEFAULT_TERM_MONTHS} months when either is missing)",
    }
    if not include_inactive:
        meta["excluded"] = f"status {' and '.join(INACTIVE)} (not in use; --all includes them)"
    unknown = [tool.id for tool in _select(tools, include_inactive) if tool.annual_cost is None]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        meta["cost unknown"] = f"{len(unknown)} tools, counted apart and never as 0: {shown}"
    if tools.skipped:
        meta["skipped"] = [str(skipped) for skipped in tools.skipped]
    return meta


GROUP_COLUMNS = (
    Column("group", "Group"),
    Column("currency", "Currency"),
    Column("tools", "Tools", "right"),
    Column("unpriced", "Cost unknown", "right"),
    Column("annual_licence", "Licence/yr", "right"),
    Column("licence_term", "Licence (term)", "right", drop=2),
    Column("implementation", "Implementation", "right", drop=3),
    Column("support_term", "Support (term)", "right", drop=3),
    Column("tco", "TCO (term)", "right", drop=2),
    Column("tco_per_year", "TCO/yr", "right"),
    Column("tco_ratio", "TCO/licence", "right", drop=2),
)


def _group_row(group: str, currency: str, costs: list[Cost]) -> dict[str, Any]:
    priced = [cost for cost in costs if cost.tco is not None]
    licence_term = sum(cost.licence_term or 0 for cost in priced)
    tco = sum(cost.tco or 0 for cost in priced)
    return {
        "group": group,
        "currency": currency,
        "tools": len(costs),
        "unpriced": len(costs) - len(priced),
        "annual_licence": amount(sum(cost.tool.annual_cost or 0 for cost in priced)),
        "licence_term": amount(licence_term),
        "implementation": amount(sum(cost.implementation for cost in priced)),
        "support_term": amount(sum(cost.support_term for cost in priced)),
        "tco": amount(tco),
        "tco_per_year": amount(sum(cost.tco_per_year or 0 for cost in priced)),
        "tco_ratio": round(tco / licence_term, 2) if licence_term else None,
    }


def spend_by_group(
    tools: ToolSet,
    by: str,
    rates: HourlyRates,
    *,
    include_inactive: bool = False,
    source: str = "",
    money: Money | None = None,
) -> Table:
    """One row per (group, currency), largest TCO first within a currency, then a total per currency."""
    if by not in GROUPINGS:
        raise UsageError(f"--by {by!r} is not a grouping", hint=f"Use one of: {', '.join(BY_CHOICES)}.")
    key = GROUPINGS[by]
    costs = _costs(tools, rates, include_inactive, money)
    groups: dict[tuple[str, str], list[Cost]] = {}
    for cost in costs:
        groups.setdefault((cost.currency, key(cost.tool) or "(not set)"), []).append(cost)
    rows = []
    for currency in sorted({currency for currency, _ in groups}):
        mine = [(name, members) for (cur, name), members in groups.items() if cur == currency]
        block = [_group_row(name, currency, members) for name, members in mine]
        block.sort(key=lambda row: (-(row["tco"] or 0), row["group"]))
        rows.extend(block)
        rows.append(_group_row(ALL, currency, [c for _, members in mine for c in members]))
    columns = [Column(c.key, by.capitalize(), c.align) if c.key == "group" else c for c in GROUP_COLUMNS]
    return Table(columns, rows, title=f"Spend by {by}", meta=_meta(tools, rates, include_inactive, source, money))


TOOL_COLUMNS = (
    Column("tool", "Tool"),
    Column("category", "Category", drop=4),
    Column("department", "Department", drop=5),
    Column("status", "Status", drop=3),
    Column("currency", "Currency"),
    Column("seats", "Seats", "right", drop=2),
    Column("annual_licence", "Licence/yr", "right"),
    Column("per_seat", "Per seat/yr", "right", drop=1),
    Column("category_median_per_seat", "Category median", "right", drop=2),
    Column("above_median", "Above median", drop=1),
    Column("term_months", "Term (months)", "right", drop=4),
    Column("licence_term", "Licence (term)", "right", drop=2),
    Column("implementation", "Implementation", "right", drop=3),
    Column("support_term", "Support (term)", "right", drop=3),
    Column("tco", "TCO (term)", "right", drop=2),
    Column("tco_per_year", "TCO/yr", "right"),
    Column("note", "Note"),
)


def spend_by_tool(
    tools: ToolSet, rates: HourlyRates, *, include_inactive: bool = False, source: str = "", money: Money | None = None
) -> Table:
    """One row per tool, with its cost per seat beside the median of its category (same currency):
    `above_median` marks where the company pays more per seat than it does for its other tools of
    that kind. A category needs two paid tools with seats for a median to mean anything; free tools
    and trials at 0 are not a price, so they stay out of the median."""
    costs = _costs(tools, rates, include_inactive, money)
    peers: dict[tuple[str | None, str], list[float]] = {}
    for cost in costs:
        if cost.per_seat:
            peers.setdefault((cost.tool.category, cost.currency), []).append(cost.per_seat)
    rows: list[dict[str, Any]] = []
    for cost in costs:
        tool = cost.tool
        group = peers.get((tool.category, cost.currency), [])
        median = statistics.median(group) if len(group) >= 2 else None
        rows.append(
            {
                "tool": tool.id,
                "category": tool.category,
                "department": tool.department,
                "status": tool.status,
                "currency": cost.currency,
                "seats": tool.seats,
                "annual_licence": amount(tool.annual_cost) if tool.annual_cost is not None else UNKNOWN,
                "per_seat": amount(cost.per_seat),
                "category_median_per_seat": amount(median),
                "above_median": (cost.per_seat > median) if median is not None and cost.per_seat else None,
                "term_months": cost.term_months,
                "licence_term": amount(cost.licence_term),
                "implementation": amount(cost.implementation),
                "support_term": amount(cost.support_term),
                "tco": amount(cost.tco) if cost.tco is not None else UNKNOWN,
                "tco_per_year": amount(cost.tco_per_year) if cost.tco is not None else UNKNOWN,
                "note": "; ".join(cost.notes) or None,
            }
        )
    rows.sort(key=lambda row: (row["category"] or "", row["currency"], -(row["per_seat"] or -1), row["tool"]))
    meta = _meta(tools, rates, include_inactive, source, money)
    meta["median"] = (
        "per seat per year, over the tools of the same category and currency with a "
        "non-zero annual_cost and seats (at least two)"
    )
    return Table(TOOL_COLUMNS, rows, title="Spend by tool", meta=meta)


def spend(
    tools: ToolSet,
    by: str,
    rates: HourlyRates,
    *,
    include_inactive: bool = False,
    source: str = "",
    money: Money | None = None,
) -> Table:
    """`money`: convert every amount into the organisation's currency; None: one total per currency."""
    if by == "tool":
        return spend_by_tool(tools, rates, include_inactive=include_inactive, source=source, money=money)
    return spend_by_group(tools, by, rates, include_inactive=include_inactive, source=source, money=money)
