"""Draft `status: proposed` catalog entries for tools found in use but not in the catalog.

What the exports tell is filled in (name, a website where a domain was seen, the department, the
OAuth scopes granted, the currency, and the evidence under `x-discovered`); the app's ids go into
`x-aliases` so the next discovery run matches the draft exactly. What only the owner knows (category,
purpose, owners, data) is left out and listed in the file's header: `martechgate check` reports each
as a schema finding until it is filled in. A file that exists is never overwritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from martechgate.atomic import write_new
from martechgate.check.vocabulary import ID_PATTERN, MODELINE
from martechgate.discovery.report import spend_text
from martechgate.discovery.run import DiscoveredApp
from martechgate.sources.repo import CATALOG_DIR

TO_FILL = ("category", "purpose", "owners.business", "owners.technical", "data.classification", "data.categories")


@dataclass(frozen=True)
class Proposal:
    app: str
    path: str  # relative to the governance repo
    written: bool
    note: str


def proposal_id(app: DiscoveredApp) -> str | None:
    candidate = app.usage.app_key[:63].strip("-")
    return candidate if ID_PATTERN.fullmatch(candidate) else None


def entry_for(app: DiscoveredApp, entry_id: str, today: date) -> dict[str, Any]:
    usage = app.usage
    domains = sorted(
        identifier
        for identifier in usage.app_ids
        if "." in identifier and " " not in identifier and not identifier.endswith(".apps.googleusercontent.com")
    )
    vendor: dict[str, Any] = {"name": usage.name}
    if domains:
        vendor["website"] = f"https://{domains[0]}"
    data: dict[str, Any] = {
        "apiVersion": "martechgate/v1",
        "id": entry_id,
        "name": usage.name,
        "vendor": vendor,
        "status": "proposed",
    }
    if app.departments:
        data["owners"] = {"department": app.departments[0]}
    if usage.scopes:
        data["oauth"] = {"scopes": sorted(usage.scopes), "consent": "user"}
    currencies = [currency for currency in usage.spend if currency]
    if len(currencies) == 1:
        data["contract"] = {"currency": currencies[0]}
    aliases = sorted(set(usage.names) - {usage.name}) + sorted(usage.app_ids)
    if aliases:
        data["x-aliases"] = aliases
    evidence: dict[str, Any] = {
        "by": "martechgate discover",
        "date": today.isoformat(),
        "sources": sorted(usage.sources),
        "users": len(usage.users),
        "events": usage.events,
        "first_seen": usage.first_seen.date().isoformat() if usage.first_seen else None,
        "last_seen": usage.last_seen.date().isoformat() if usage.last_seen else None,
    }
    if usage.spend:
        evidence["spend"] = spend_text(usage.spend)
    if app.broad_scopes:
        evidence["broad_scopes"] = app.broad_scopes
    if app.alternative:
        evidence["approved_alternative"] = app.alternative
    data["x-discovered"] = evidence
    return data


def render(app: DiscoveredApp, entry_id: str, today: date, categories: list[str]) -> str:
    header = [
        MODELINE,
        f"# Drafted by `martechgate discover` on {today.isoformat()} from usage it found: this tool is in",
        "# use but was never approved. Its owner completes it (or it is set to denied) in a pull request.",
        f"# To fill in: {', '.join(TO_FILL)};",
        "# `martechgate check` lists each one until it is set.",
    ]
    if categories:
        header.append(f"# category: one of {', '.join(categories)}")
    if app.alternative:
        header.append(f"# An approved tool may already do this: {app.alternative} ({app.alternative_reason}).")
    body = yaml.safe_dump(entry_for(app, entry_id, today), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


def write_proposals(
    root: str | os.PathLike[str], apps: list[DiscoveredApp], today: date, categories: list[str]
) -> list[Proposal]:
    folder = Path(root) / CATALOG_DIR
    results = []
    for app in apps:
        if app.sanctioned:
            continue
        if app.entry is not None:
            results.append(
                Proposal(
                    app.usage.name,
                    f"{CATALOG_DIR}/{app.entry_id}.yaml",
                    False,
                    f"in the catalog already, status {app.status}",
                )
            )
            continue
        entry_id = proposal_id(app)
        if entry_id is None:
            results.append(Proposal(app.usage.name, "", False, "its name gives no valid id; write the entry by hand"))
            continue
        relative = f"{CATALOG_DIR}/{entry_id}.yaml"
        if write_new(folder / f"{entry_id}.yaml", render(app, entry_id, today, categories)):
            results.append(Proposal(app.usage.name, relative, True, "written, status proposed"))
        else:
            results.append(Proposal(app.usage.name, relative, False, "the file exists; not overwritten"))
    return results
