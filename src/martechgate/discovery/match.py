"""Which catalog entry an app seen in the exports is, and why we think so.

In order of certainty, the first that decides wins:
1. identifier: one of the app's ids (Okta app instance id, Entra appId, Google OAuth client_id, a
   domain in a card descriptor) is listed in the entry's `x-aliases`;
2. domain: a domain the app was seen under is the entry's `vendor.website` host, or under it;
3. name: the app's name (or the first label of a domain it was seen under: `drift` for `drift.com`),
   normalised (case, accents, spaces, punctuation), equals the entry's id, name, an alias, or its
   vendor's name (the vendor only when it has one entry in the catalog);
4. fuzzy: the app's name is like the entry's name, id or an alias (`check.names`, the matcher
   `new` uses too).
A tie between two entries is no match (say `Google` against two Google products): a wrong match
would hide an unapproved tool behind an approved one, which is worse than asking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from martechgate.check.names import NameIndex, Spelling, name_key
from martechgate.discovery.usage import AppUsage

ALIASES_FIELD = "x-aliases"
# A legal suffix after the name. Each pattern that searches a text starts only where its run of
# separators or labels starts (a lookbehind): started from inside a run, a search fails the same way again
# to its end, and a name of 50,000 spaces (an OAuth app names itself) took two minutes.
_VENDOR_SUFFIX = re.compile(
    r"(?<![\s,])[\s,]+(?:inc|llc|ltd|limited|gmbh|corp|corporation|co|pty|plc|sl|sa|ag)\.?$", re.I
)


@dataclass(frozen=True)
class Match:
    entry_id: str
    reason: str  # "domain hubspot.com", "name 92% like 'HubSpot Marketing Hub'"


def website_host(entry: dict[str, Any]) -> str | None:
    vendor = entry.get("vendor")
    website = vendor.get("website") if isinstance(vendor, dict) else None
    if not isinstance(website, str):
        return None
    host = (urlsplit(website).hostname or "").lower()
    return host.removeprefix("www.") or None


def vendor_name(entry: dict[str, Any]) -> str | None:
    vendor = entry.get("vendor")
    name = vendor.get("name") if isinstance(vendor, dict) else None
    if not isinstance(name, str):
        return None
    name = re.sub(r"\s*\(.*\)$", "", name.strip())  # "The Rocket Science Group LLC (Intuit Mailchimp)"
    previous = None
    while previous != name:
        previous = name
        name = _VENDOR_SUFFIX.sub("", name).strip(" ,.")
    return name or None


def aliases(entry: dict[str, Any]) -> list[str]:
    value = entry.get(ALIASES_FIELD)
    if not isinstance(value, list):
        return []
    return [alias for alias in value if isinstance(alias, str) and alias.strip()]


class Matcher:
    """An index of the catalog's entries (every entry that loaded as a mapping with an id)."""

    def __init__(self, entries: Iterable[dict[str, Any]]) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.identifiers: dict[str, set[str]] = {}  # alias, lower-cased -> entry ids
        self.hosts: dict[str, str] = {}
        self.names = NameIndex()
        vendors: dict[str, list[tuple[str, str]]] = {}
        for entry in entries:
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or entry_id in self.entries:
                continue
            self.entries[entry_id] = entry
            spellings = [(entry["name"], "entry name")] if isinstance(entry.get("name"), str) else []
            spellings.append((entry_id, "entry id"))
            for alias in aliases(entry):
                self.identifiers.setdefault(alias.strip().lower(), set()).add(entry_id)
                spellings.append((alias, "x-aliases"))
            for spelling, what in spellings:
                self.names.add(Spelling(spelling, entry_id, what))
            host = website_host(entry)
            if host:
                self.hosts.setdefault(host, entry_id)
            vendor = vendor_name(entry)
            if vendor:
                vendors.setdefault(name_key(vendor), []).append((vendor, entry_id))
        for owners in vendors.values():
            if len(owners) == 1 and not self.names.knows(owners[0][0]):
                spelling, entry_id = owners[0]
                self.names.add(Spelling(spelling, entry_id, "vendor"), fuzzy=False)

    def match(self, app: AppUsage) -> Match | None:
        return self._by_identifier(app) or self._by_domain(app) or self._by_name(app) or self._by_fuzzy(app)

    def _by_identifier(self, app: AppUsage) -> Match | None:
        for identifier in sorted(app.app_ids):
            owners = self.identifiers.get(identifier.lower(), set())
            if len(owners) == 1:
                return Match(next(iter(owners)), f"{ALIASES_FIELD} lists {identifier}")
        return None

    def _by_domain(self, app: AppUsage) -> Match | None:
        for domain in sorted(app.app_ids):
            if "." not in domain:
                continue
            candidate = domain.lower().removeprefix("www.")
            while candidate.count("."):
                entry_id = self.hosts.get(candidate)
                if entry_id:
                    return Match(entry_id, f"domain {domain}")
                candidate = candidate.split(".", 1)[1]  # a subdomain of the vendor's site
        return None

    @staticmethod
    def _names(app: AppUsage) -> list[str]:
        # A domain seen as the name (`DRIFT.COM` on a card) also stands for its first label (`drift`).
        labels = [
            domain.lower().removeprefix("www.").split(".")[0]
            for domain in sorted(app.app_ids)
            if "." in domain and " " not in domain and not domain[0].isdigit()
        ]
        return list(dict.fromkeys([app.name, *app.names, *labels]))

    def _by_name(self, app: AppUsage) -> Match | None:
        for name in self._names(app):
            owners = self.names.exact(name)
            if len(owners) == 1:
                found = owners[0]
                return Match(found.entry_id, f"name {name!r} is the {found.what} {found.text!r}")
        return None

    def _by_fuzzy(self, app: AppUsage) -> Match | None:
        best: tuple[float, str, str, str, str] | None = None  # score, entry id, name, spelling, what
        tied = False
        for name in self._names(app):
            for similar in self.names.fuzzy(name):
                score, entry_id = similar.score, similar.spelling.entry_id
                spelling, what = similar.spelling.text, similar.spelling.what
                if best is None or score > best[0]:
                    best, tied = (score, entry_id, name, spelling, what), False
                elif score == best[0] and entry_id != best[1]:
                    tied = True
        if best is None or tied:
            return None
        score, entry_id, name, spelling, what = best
        return Match(entry_id, f"name {name!r} {score:.0f}% like {spelling!r} ({what})")
