"""Discovery as a table (rendered by martechgate.tables as table, csv, json or markdown)."""

from __future__ import annotations

from decimal import Decimal

from martechgate.discovery.run import DiscoveredApp, Discovery
from martechgate.formats.tables import Column, Table
from martechgate.words import count

COLUMNS = (
    Column("app", "App"),
    Column("catalog", "Catalog entry", drop=2),
    Column("status", "Status"),
    Column("match", "Matched by", drop=4),
    Column("sources", "Seen in", drop=3),
    Column("users", "Users", "right"),
    Column("events", "Events", "right", drop=4),
    Column("spend", "Spend", "right"),
    Column("departments", "Departments", drop=5),
    Column("first_seen", "First seen", drop=4),
    Column("last_seen", "Last seen", drop=3),
    Column("broad_scopes", "Broad OAuth scopes", drop=2),
    Column("alternative", "Approved alternative", drop=1),
    Column("alternative_reason", "Why that one", drop=3),
)


def spend_text(spend: dict[str, Decimal]) -> list[str]:
    """`["1,234.00 USD", "80.00 EUR"]`; an amount without a currency is shown bare."""
    return [f"{amount:,.2f} {currency}".strip() for currency, amount in sorted(spend.items())]


def row(app: DiscoveredApp) -> dict[str, object]:
    usage = app.usage
    return {
        "app": app.usage.name,
        "catalog": app.entry_id,
        "status": app.status,
        "match": app.matches,
        "sources": sorted(usage.sources),
        "users": len(usage.users),
        "events": usage.events,
        "spend": spend_text(usage.spend),
        "departments": app.departments[:3],
        "first_seen": usage.first_seen.date().isoformat() if usage.first_seen else None,
        "last_seen": usage.last_seen.date().isoformat() if usage.last_seen else None,
        "broad_scopes": app.broad_scopes,
        "alternative": app.alternative,
        "alternative_reason": app.alternative_reason,
    }


def table(discovery: Discovery, show_all: bool = False) -> Table:
    apps = discovery.apps if show_all else discovery.unapproved
    meta: dict[str, object] = {}
    for stats in discovery.sources:
        meta[f"{stats.kind} {stats.path}"] = stats.summary()
    meta["apps in use"] = len(discovery.apps)
    meta["not approved"] = len(discovery.unapproved)
    if discovery.not_software:
        meta["left out"] = (
            f"{discovery.not_software} expense merchants whose category codes are not software (meals, travel)"
        )
    elif any(s.kind == "expenses" for s in discovery.sources) and not discovery.mcc_seen:
        meta["note"] = (
            "the expense export has no merchant category codes, so merchants are judged by name; "
            "export the MCC column to leave out all meals and travel"
        )
    if discovery.known_not_saas:
        meta["left out by name"] = (
            f"{count(discovery.known_not_saas, 'expense merchant')} known to be transport, meals, travel or lodging"
        )
    title = "Tools in use" if show_all else "Tools in use that are not approved"
    return Table(COLUMNS, [row(app) for app in apps], title=title, meta=meta)
